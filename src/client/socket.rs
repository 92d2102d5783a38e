//! The plain TCP transport: a non-blocking socket the drivers poll, and
//! the moves between it and the session core (open, read, write). Used by
//! the MT IO thread and by the ST library's `zookeeper_process` alike.

use bytes::BytesMut;
use libc::{c_int, c_void};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use crate::session::Session;

/// "errno=N(text): msg" as the reference's socket error lines put it.
pub fn errno_msg(errno: i32, msg: &str) -> String {
    // SAFETY: strerror returns a valid C string (thread-local buffer on glibc for unknown values).
    let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(errno)) }.to_string_lossy().into_owned();
    format!("errno={errno}({text}): {msg}")
}

pub fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

pub struct Transport {
    fd: OwnedFd,
}

impl Transport {
    /// Starts a non-blocking connect (completion is signalled by writability).
    pub fn connect(addr: &SocketAddr) -> Result<Transport, String> {
        let fam = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
        // SAFETY: plain syscall; the fd is owned right away.
        let fd = unsafe { libc::socket(fam, libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0) };
        if fd < 0 {
            return Err(errno_msg(last_errno(), "socket() call failed"));
        }
        // SAFETY: fd is a fresh descriptor nobody else owns.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let one: c_int = 1;
        // SAFETY: setsockopt reads 4 bytes from a local int.
        unsafe { libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, &one as *const c_int as *const c_void, 4) };
        let (ss, len) = crate::session::hosts::to_sockaddr(addr);
        // SAFETY: ss is a sockaddr_storage holding a sockaddr of length len.
        let rc = unsafe { libc::connect(fd, &ss as *const _ as *const libc::sockaddr, len) };
        if rc < 0 {
            let e = last_errno();
            if e != libc::EINPROGRESS && e != libc::EINTR {
                return Err(errno_msg(e, "connect() call failed"));
            }
        }
        Ok(Transport { fd: owned })
    }

    pub fn fd(&self) -> c_int {
        self.fd.as_raw_fd()
    }

    /// After the socket became writable: whether the connect succeeded
    /// (else the errno and the message to log).
    pub fn finish_connect(&self) -> Result<(), (i32, String)> {
        let mut err: c_int = 0;
        let mut l = std::mem::size_of::<c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most l bytes into a local int.
        let rc = unsafe { libc::getsockopt(self.fd(), libc::SOL_SOCKET, libc::SO_ERROR, &mut err as *mut c_int as *mut c_void, &mut l) };
        if rc < 0 {
            err = last_errno();
        }
        if err != 0 {
            return Err((err, errno_msg(err, "server refused to accept the client")));
        }
        Ok(())
    }

    /// Writes what it can; Ok(0) when the socket is full.
    pub fn send(&self, buf: &[u8]) -> Result<usize, i32> {
        // SAFETY: buf is a valid slice for the length given.
        let n = unsafe { libc::send(self.fd(), buf.as_ptr() as *const c_void, buf.len(), libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        match last_errno() {
            libc::EAGAIN | libc::EINTR => Ok(0),
            e => Err(e),
        }
    }

    /// Reads into the spare room of `buf`; Ok(0) when nothing is there,
    /// Err(EHOSTDOWN) at end of stream.
    pub fn recv_into(&self, buf: &mut BytesMut) -> Result<usize, i32> {
        let spare = buf.spare_capacity_mut();
        // SAFETY: recv writes at most spare.len() bytes into the buffer's
        // uninitialised spare room; exactly n of them are then marked filled.
        let n = unsafe { libc::recv(self.fd(), spare.as_mut_ptr() as *mut c_void, spare.len(), 0) };
        if n > 0 {
            unsafe { buf.set_len(buf.len() + n as usize) };
            return Ok(n as usize);
        }
        if n == 0 {
            return Err(libc::EHOSTDOWN);
        }
        match last_errno() {
            libc::EAGAIN | libc::EINTR => Ok(0),
            e => Err(e),
        }
    }
}

/// Applies socket readiness to the core: finishes a connect, reads every
/// complete frame available, writes what the core has to send. Returns how
/// many bytes were read.
pub fn pump(core: &mut Session, t: &Transport, readable: bool, writable: bool, now: Instant) -> usize {
    let mut total = 0;
    if core.is_opening() {
        if !writable && !readable {
            return 0;
        }
        match t.finish_connect() {
            Ok(()) => core.transport_up(now),
            Err((errno, msg)) => {
                if errno == libc::ECONNREFUSED {
                    core.transport_refused(now, &msg);
                } else {
                    core.transport_failed(now, &msg);
                }
                return 0;
            }
        }
    } else if readable {
        // Bounded, so that a fast server cannot starve writes and timers.
        for _ in 0..64 {
            let room = core.read_buffer().capacity() - core.read_buffer().len();
            match t.recv_into(core.read_buffer()) {
                Ok(0) => break,
                Ok(n) => {
                    total += n;
                    core.received(now);
                    if !core.has_transport() || core.is_opening() || n < room {
                        break;
                    }
                }
                Err(e) => {
                    core.transport_lost(now, &errno_msg(e, "failed while receiving a server response"));
                    return total;
                }
            }
        }
    }
    flush(core, t, now);
    total
}

/// Writes what the core has to send, as far as the socket takes it.
pub fn flush(core: &mut Session, t: &Transport, now: Instant) {
    while core.has_transport() && !core.is_opening() {
        let out = core.output(now);
        if out.is_empty() {
            return;
        }
        let len = out.len();
        match t.send(out) {
            Ok(0) => return,
            Ok(n) => {
                core.wrote(n, now);
                if n < len {
                    return;
                }
            }
            Err(e) => {
                core.transport_lost(now, &errno_msg(e, "failed to send to the server"));
                return;
            }
        }
    }
}

/// The poll events the transport needs now.
pub fn poll_events(core: &Session, now: Instant) -> i16 {
    if core.is_opening() {
        // As the reference reports it while connecting: read and write.
        libc::POLLIN | libc::POLLOUT
    } else if !core.output(now).is_empty() {
        libc::POLLIN | libc::POLLOUT
    } else {
        libc::POLLIN
    }
}

/// Asks a server whether it serves reads and writes ("isro" four-letter
/// word; "rw" in answer). Blocks at most about `limit` twice.
pub fn is_rw_server(addr: &SocketAddr, limit: Duration) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect_timeout(addr, limit) else { return false };
    let _ = s.set_read_timeout(Some(limit));
    let _ = s.set_write_timeout(Some(limit));
    if s.write_all(b"isro").is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let _ = s.take(16).read_to_end(&mut buf);
    buf.starts_with(b"rw")
}
