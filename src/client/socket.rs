//! The plain TCP transport: a non-blocking socket the drivers poll, and
//! the moves between it and the session core (open, read, write). Used by
//! the MT IO thread and by the ST library's `zookeeper_process` alike.

use bytes::BytesMut;
use libc::{c_int, c_void};
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use crate::session::transport_error::{OsError, TransportError};
use crate::session::Session;

/// A failed socket call as the core takes it: the errno with its text.
pub fn os_error(errno: i32, during: &'static str) -> OsError {
    // SAFETY: strerror returns a valid C string (thread-local buffer on glibc for unknown values).
    let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(errno)) }.to_string_lossy().into_owned();
    OsError { errno, text, during }
}

pub fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Why a transport read or write failed.
#[derive(Debug)]
pub enum IoErr {
    /// A socket error (EHOSTDOWN at end of stream).
    Os(i32),
    /// The TLS layer failed (alert, bad record, certificate): its reason.
    Tls(String),
}

impl IoErr {
    /// The failure as the core takes it (`during`: what was under way).
    fn failure(self, during: &'static str) -> TransportError {
        match self {
            IoErr::Os(e) => TransportError::Os(os_error(e, during)),
            IoErr::Tls(m) => TransportError::Tls(m),
        }
    }

    /// A failure of the TLS handshake, whatever broke it: a socket error
    /// there (the server closing on a certificate it refuses) counts as a
    /// TLS failure too, as with the reference (ZSSLCONNECTIONERROR).
    fn handshake_failure(self) -> TransportError {
        match self {
            IoErr::Os(e) => TransportError::Tls(TransportError::Os(os_error(e, "TLS handshake failed")).to_string()),
            IoErr::Tls(m) => TransportError::Tls(m),
        }
    }
}

/// The socket as `std::io` reader and writer, for rustls.
struct Fd(c_int);

impl std::io::Read for Fd {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // SAFETY: buf is a valid, writable slice of the length given.
        let n = unsafe { libc::recv(self.0, buf.as_mut_ptr() as *mut c_void, buf.len(), 0) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(n as usize)
    }
}

impl std::io::Write for Fd {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // SAFETY: buf is a valid slice for the length given.
        let n = unsafe { libc::send(self.0, buf.as_ptr() as *const c_void, buf.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(n as usize)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn os_err(e: &std::io::Error) -> IoErr {
    IoErr::Os(e.raw_os_error().unwrap_or(libc::EIO))
}

/// The most plaintext taken from rustls per read (zero-filled first).
const TLS_READ_CHUNK: usize = 64 * 1024;

/// A connection to a server: a non-blocking TCP socket, with TLS over it
/// for handles made by `zookeeper_init_ssl`.
pub struct Transport {
    fd: OwnedFd,
    /// The TCP connect has not completed yet.
    tcp_connecting: bool,
    tls: Option<Box<rustls::ClientConnection>>,
}

impl Transport {
    /// Starts a non-blocking connect (completion is signalled by
    /// writability); with `tls`, a TLS handshake follows it.
    pub fn connect(addr: &SocketAddr, tls: Option<Box<rustls::ClientConnection>>) -> Result<Transport, TransportError> {
        let fam = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
        // SAFETY: plain syscall; the fd is owned right away.
        let fd = unsafe { libc::socket(fam, libc::SOCK_STREAM | libc::SOCK_CLOEXEC | libc::SOCK_NONBLOCK, 0) };
        if fd < 0 {
            return Err(TransportError::Os(os_error(last_errno(), "socket() call failed")));
        }
        // SAFETY: fd is a fresh descriptor nobody else owns.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        let one: c_int = 1;
        // SAFETY: setsockopt reads 4 bytes from a local int.
        unsafe { libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, &one as *const c_int as *const c_void, 4) };
        let (ss, len) = to_sockaddr(addr);
        // SAFETY: ss is a sockaddr_storage holding a sockaddr of length len.
        let rc = unsafe { libc::connect(fd, &ss as *const _ as *const libc::sockaddr, len) };
        if rc < 0 {
            let e = last_errno();
            if e != libc::EINPROGRESS && e != libc::EINTR {
                return Err(TransportError::Os(os_error(e, "connect() call failed")));
            }
        }
        Ok(Transport { fd: owned, tcp_connecting: true, tls })
    }

    pub fn fd(&self) -> c_int {
        self.fd.as_raw_fd()
    }

    /// Ends the connection but keeps its descriptor: the socket is shut
    /// down (the server sees the close at once) and its number stays taken
    /// until the returned descriptor is dropped.
    pub fn retire(self) -> OwnedFd {
        // SAFETY: shutdown on a socket this transport owns.
        unsafe { libc::shutdown(self.fd.as_raw_fd(), libc::SHUT_RDWR) };
        self.fd
    }

    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// After the socket became writable: whether the connect succeeded
    /// (else why not; `Refused` when nothing listens there).
    pub fn finish_connect(&mut self) -> Result<(), TransportError> {
        let mut err: c_int = 0;
        let mut l = std::mem::size_of::<c_int>() as libc::socklen_t;
        // SAFETY: getsockopt writes at most l bytes into a local int.
        let rc = unsafe { libc::getsockopt(self.fd(), libc::SOL_SOCKET, libc::SO_ERROR, &mut err as *mut c_int as *mut c_void, &mut l) };
        if rc < 0 {
            err = last_errno();
        }
        if err != 0 {
            let e = os_error(err, "server refused to accept the client");
            return Err(if err == libc::ECONNREFUSED { TransportError::Refused(e) } else { TransportError::Os(e) });
        }
        self.tcp_connecting = false;
        Ok(())
    }

    /// Writes the TLS records rustls has ready, as far as the socket takes them.
    fn flush_tls(&mut self) -> Result<(), IoErr> {
        let fd = self.fd();
        let Some(c) = self.tls.as_mut() else { return Ok(()) };
        while c.wants_write() {
            match c.write_tls(&mut Fd(fd)) {
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(os_err(&e)),
            }
        }
        Ok(())
    }

    /// Whether TLS records wait for the socket to take them.
    pub fn tls_wants_write(&self) -> bool {
        self.tls.as_ref().is_some_and(|c| c.wants_write())
    }

    /// Whether rustls holds decrypted bytes not read yet (poll cannot see them).
    pub fn pending_plaintext(&mut self) -> bool {
        match self.tls.as_mut() {
            Some(c) => c.process_new_packets().is_ok_and(|s| s.plaintext_bytes_to_read() > 0),
            None => false,
        }
    }

    /// One step of the TLS handshake: Ok(true) once it is complete,
    /// Ok(false) while it waits for the socket.
    pub fn handshake(&mut self) -> Result<bool, IoErr> {
        let fd = self.fd();
        loop {
            self.flush_tls()?;
            let Some(c) = self.tls.as_mut() else { return Ok(true) };
            if !c.is_handshaking() {
                return Ok(true);
            }
            if c.wants_write() {
                return Ok(false);
            }
            match c.read_tls(&mut Fd(fd)) {
                Ok(0) => return Err(IoErr::Tls("TLS handshake failed: the server closed the connection (is the port a TLS port?)".into())),
                Ok(_) => {
                    if let Err(e) = c.process_new_packets() {
                        // Tell the server why (the alert rustls queued), best effort.
                        let _ = self.flush_tls();
                        return Err(IoErr::Tls(format!("TLS handshake failed: {e}")));
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(os_err(&e)),
            }
        }
    }

    /// Writes what it can; Ok(0) when the socket is full.
    pub fn send(&mut self, buf: &[u8]) -> Result<usize, IoErr> {
        if self.tls.is_some() {
            self.flush_tls()?;
            let c = self.tls.as_mut().unwrap();
            if c.wants_write() {
                return Ok(0);
            }
            use std::io::Write;
            let n = c.writer().write(buf).map_err(|e| IoErr::Tls(format!("TLS write failed: {e}")))?;
            self.flush_tls()?;
            return Ok(n);
        }
        // SAFETY: buf is a valid slice for the length given.
        let n = unsafe { libc::send(self.fd(), buf.as_ptr() as *const c_void, buf.len(), libc::MSG_NOSIGNAL) };
        if n >= 0 {
            return Ok(n as usize);
        }
        match last_errno() {
            libc::EAGAIN | libc::EINTR => Ok(0),
            e => Err(IoErr::Os(e)),
        }
    }

    /// Reads into the spare room of `buf`; Ok(0) when nothing is there,
    /// Err(Os(EHOSTDOWN)) at end of stream.
    pub fn recv_into(&mut self, buf: &mut BytesMut) -> Result<usize, IoErr> {
        if self.tls.is_some() {
            return self.tls_recv_into(buf);
        }
        let spare = buf.spare_capacity_mut();
        // SAFETY: recv writes at most spare.len() bytes into the buffer's
        // uninitialised spare room; exactly n of them are then marked filled.
        let n = unsafe { libc::recv(self.fd(), spare.as_mut_ptr() as *mut c_void, spare.len(), 0) };
        if n > 0 {
            // SAFETY: recv initialised these n bytes (see above).
            unsafe { buf.set_len(buf.len() + n as usize) };
            return Ok(n as usize);
        }
        if n == 0 {
            return Err(IoErr::Os(libc::EHOSTDOWN));
        }
        match last_errno() {
            libc::EAGAIN | libc::EINTR => Ok(0),
            e => Err(IoErr::Os(e)),
        }
    }

    fn tls_recv_into(&mut self, buf: &mut BytesMut) -> Result<usize, IoErr> {
        use std::io::{ErrorKind, Read};
        let fd = self.fd();
        let c = self.tls.as_mut().unwrap();
        let mut eof = false;
        // Records from the socket, as many as rustls takes now.
        for _ in 0..16 {
            if !c.wants_read() {
                break;
            }
            match c.read_tls(&mut Fd(fd)) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(_) => {
                    if let Err(e) = c.process_new_packets() {
                        let _ = self.flush_tls();
                        return Err(IoErr::Tls(format!("TLS error: {e}")));
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(os_err(&e)),
            }
        }
        let c = self.tls.as_mut().unwrap();
        // Only as much room as rustls has plaintext for (zero-filled first).
        let avail = match c.process_new_packets() {
            Ok(st) => st.plaintext_bytes_to_read(),
            Err(e) => return Err(IoErr::Tls(format!("TLS error: {e}"))),
        };
        let start = buf.len();
        let room = (buf.capacity() - start).min(avail).clamp(1, TLS_READ_CHUNK);
        buf.resize(start + room, 0);
        let r = c.reader().read(&mut buf[start..]);
        let n = *r.as_ref().unwrap_or(&0);
        buf.truncate(start + n);
        match r {
            Ok(0) => Err(IoErr::Os(libc::EHOSTDOWN)),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if eof {
                    Err(IoErr::Os(libc::EHOSTDOWN))
                } else {
                    Ok(0)
                }
            }
            Err(e) if e.kind() == ErrorKind::UnexpectedEof => Err(IoErr::Os(libc::EHOSTDOWN)),
            Err(e) => Err(IoErr::Tls(format!("TLS error: {e}"))),
        }
    }
}

/// The C `sockaddr` of an address, for connect() and zookeeper_get_connected_host().
pub fn to_sockaddr(a: &SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain old data; all zeroes is a valid value.
    let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match a {
        SocketAddr::V4(v) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as u16,
                sin_port: v.port().to_be(),
                sin_addr: libc::in_addr { s_addr: u32::from_ne_bytes(v.ip().octets()) },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_storage is large enough for any sockaddr.
            unsafe { std::ptr::write(&mut ss as *mut _ as *mut libc::sockaddr_in, sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(v) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as u16,
                sin6_port: v.port().to_be(),
                sin6_flowinfo: v.flowinfo(),
                sin6_addr: libc::in6_addr { s6_addr: v.ip().octets() },
                sin6_scope_id: v.scope_id(),
            };
            // SAFETY: sockaddr_storage is large enough for any sockaddr.
            unsafe { std::ptr::write(&mut ss as *mut _ as *mut libc::sockaddr_in6, sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (ss, len as libc::socklen_t)
}

/// Opens the transport the core asked for: TCP, and TLS over it when the
/// handle has TLS settings (the certificate names checked against the host
/// of the connect string that gave this address).
/// `origin`: the name the address was resolved from, if any.
pub fn open(
    addr: &SocketAddr,
    core: &Session,
    tls: Option<&super::tls::TlsSettings>,
    origin: Option<&str>,
) -> Result<Transport, TransportError> {
    let conn = match tls {
        Some(s) => Some(super::tls::connection(s, super::tls::server_name_for(addr, &core.hosts.hosts, origin))?),
        None => None,
    };
    Transport::connect(addr, conn)
}

/// Applies socket readiness to the core: finishes a connect (and a TLS
/// handshake), reads every complete frame available, writes what the core
/// has to send. Returns how many bytes were read.
pub fn pump(core: &mut Session, t: &mut Transport, readable: bool, writable: bool, now: Instant) -> usize {
    let mut total = 0;
    if core.is_opening() {
        if t.tcp_connecting {
            if !writable && !readable {
                return 0;
            }
            match t.finish_connect() {
                Ok(()) if t.is_tls() => core.transport_securing(),
                Ok(()) => core.transport_up(now),
                Err(e) => {
                    core.transport_error(now, e);
                    return 0;
                }
            }
        }
        if t.is_tls() && core.is_opening() {
            match t.handshake() {
                Ok(true) => core.transport_up(now),
                Ok(false) => return 0,
                Err(e) => {
                    core.transport_error(now, e.handshake_failure());
                    return 0;
                }
            }
        }
    } else if readable || t.pending_plaintext() {
        // Bounded, so that a fast server cannot starve writes and timers.
        for _ in 0..64 {
            let buf = core.read_buffer();
            let room = buf.capacity() - buf.len();
            match t.recv_into(buf) {
                Ok(0) => break,
                Ok(n) => {
                    total += n;
                    core.received(now);
                    if !core.has_transport() || core.is_opening() {
                        break;
                    }
                    if n < room && !(t.is_tls() && t.pending_plaintext()) {
                        break;
                    }
                }
                Err(e) => {
                    core.transport_error(now, e.failure("failed while receiving a server response"));
                    return total;
                }
            }
        }
    }
    flush(core, t, now);
    total
}

/// Writes what the core has to send, as far as the socket takes it.
pub fn flush(core: &mut Session, t: &mut Transport, now: Instant) {
    if !core.has_transport() || core.is_opening() {
        return;
    }
    if let Err(e) = t.flush_tls() {
        core.transport_error(now, e.failure("failed to send to the server"));
        return;
    }
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
                core.transport_error(now, e.failure("failed to send to the server"));
                return;
            }
        }
    }
}

/// The poll events the transport needs now.
pub fn poll_events(core: &Session, t: &Transport, now: Instant) -> i16 {
    if core.is_opening() && t.tcp_connecting {
        // As the reference reports it while connecting: read and write.
        libc::POLLIN | libc::POLLOUT
    } else if core.is_opening() {
        // The TLS handshake: write while rustls has records to send.
        if t.tls_wants_write() {
            libc::POLLIN | libc::POLLOUT
        } else {
            libc::POLLIN
        }
    } else if !core.output(now).is_empty() || t.tls_wants_write() {
        libc::POLLIN | libc::POLLOUT
    } else {
        libc::POLLIN
    }
}

/// What a read-write probe ("isro") found.
#[derive(Debug, PartialEq, Eq)]
pub enum RwAnswer {
    /// The server answered `rw`: it serves reads and writes.
    ReadWrite,
    /// Another answer (`ro` from a read-only server, `null` from one not
    /// serving yet), as text.
    Other(String),
    /// No answer: the connection, the TLS handshake (the certificate check
    /// among its reasons) or the exchange failed, or the time ran out.
    Failed(TransportError),
}

/// Waits until `fd` is ready for `events` or `deadline` passes (Err then).
fn wait_ready(fd: c_int, events: i16, deadline: Instant) -> Result<(), RwAnswer> {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(RwAnswer::Failed(TransportError::NoAnswer("no answer in time")));
        }
        let mut p = libc::pollfd { fd, events, revents: 0 };
        // Rounded up: a wait of less than a millisecond must not become a busy loop.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as c_int;
        // SAFETY: one local pollfd.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        if n > 0 {
            // Readiness or an error (POLLERR, POLLHUP): the next operation tells which.
            return Ok(());
        }
        if n < 0 && last_errno() != libc::EINTR {
            return Err(RwAnswer::Failed(TransportError::Os(os_error(last_errno(), "poll() failed"))));
        }
    }
}

fn probe_err(e: IoErr, during: &'static str) -> RwAnswer {
    RwAnswer::Failed(e.failure(during))
}

/// Asks a server whether it serves reads and writes: the four-letter word
/// `isro` over the session's transport (`tls`: a TLS connection made with
/// the handle's settings, so the server's certificate is checked as for
/// the session's own connections; an untrusted server fails the handshake
/// and is never taken as read-write), `rw` in answer. Connect, handshake,
/// question and answer all end within `limit`: the call blocks at most
/// that long (the ST library runs it on the caller's thread).
pub fn probe_rw(addr: &SocketAddr, tls: Option<Box<rustls::ClientConnection>>, limit: Duration) -> RwAnswer {
    match probe_exchange(addr, tls, Instant::now() + limit) {
        Ok(a) | Err(a) => a,
    }
}

fn probe_exchange(addr: &SocketAddr, tls: Option<Box<rustls::ClientConnection>>, deadline: Instant) -> Result<RwAnswer, RwAnswer> {
    let mut t = Transport::connect(addr, tls).map_err(RwAnswer::Failed)?;
    let fd = t.fd();
    wait_ready(fd, libc::POLLOUT, deadline)?;
    t.finish_connect().map_err(RwAnswer::Failed)?;
    while !t.handshake().map_err(|e| probe_err(e, "TLS handshake failed"))? {
        wait_ready(fd, if t.tls_wants_write() { libc::POLLIN | libc::POLLOUT } else { libc::POLLIN }, deadline)?;
    }
    let q = b"isro";
    let mut sent = 0;
    while sent < q.len() {
        match t.send(&q[sent..]).map_err(|e| probe_err(e, "send() failed"))? {
            0 => wait_ready(fd, libc::POLLOUT, deadline)?,
            n => sent += n,
        }
    }
    while t.tls_wants_write() {
        wait_ready(fd, libc::POLLOUT, deadline)?;
        t.flush_tls().map_err(|e| probe_err(e, "send() failed"))?;
    }
    // The answer, up to the server's close (it closes after a four-letter
    // word's answer); what came by the deadline counts if it is enough.
    let mut buf = BytesMut::with_capacity(16);
    while buf.len() < 16 {
        match t.recv_into(&mut buf) {
            Ok(0) => {
                if !t.pending_plaintext() {
                    if let Err(e) = wait_ready(fd, libc::POLLIN, deadline) {
                        if buf.len() >= 2 {
                            break;
                        }
                        return Err(e);
                    }
                }
            }
            Ok(_) => {}
            Err(IoErr::Os(libc::EHOSTDOWN)) => break,
            Err(e) => return Err(probe_err(e, "recv() failed")),
        }
    }
    if buf.starts_with(b"rw") {
        Ok(RwAnswer::ReadWrite)
    } else if buf.is_empty() {
        Err(RwAnswer::Failed(TransportError::NoAnswer("the server closed the connection without an answer")))
    } else {
        Ok(RwAnswer::Other(String::from_utf8_lossy(&buf).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::Arc;

    const LIMIT: Duration = Duration::from_millis(150);

    /// A listener on loopback whose one connection `serve` handles on a thread.
    fn server(serve: impl FnOnce(std::net::TcpStream) + Send + 'static) -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((s, _)) = l.accept() {
                serve(s)
            }
        });
        addr
    }

    /// Answers `isro` with `answer`, then closes.
    fn answering(answer: &'static [u8]) -> SocketAddr {
        server(move |mut s| {
            let mut q = [0u8; 4];
            if s.read_exact(&mut q).is_ok() && &q == b"isro" {
                let _ = s.write_all(answer);
            }
        })
    }

    fn tls_client() -> Box<rustls::ClientConnection> {
        let cfg = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        Box::new(rustls::ClientConnection::new(Arc::new(cfg), "localhost".try_into().unwrap()).unwrap())
    }

    #[test]
    fn a_socket_error_in_the_tls_handshake_is_a_tls_failure() {
        // ZSSLCONNECTIONERROR for the calls waiting, as the reference (the
        // server closes the connection on a client certificate it refuses).
        let e = IoErr::Os(libc::ECONNRESET).handshake_failure();
        assert!(e.is_tls(), "{e:?}");
        assert!(e.to_string().starts_with("errno=104(Connection reset by peer): TLS handshake failed"), "{e}");
        assert!(!IoErr::Os(libc::ECONNRESET).failure("failed to send to the server").is_tls());
    }

    #[test]
    fn the_answer_decides() {
        assert_eq!(probe_rw(&answering(b"rw"), None, LIMIT), RwAnswer::ReadWrite);
        assert_eq!(probe_rw(&answering(b"ro"), None, LIMIT), RwAnswer::Other("ro".into()));
        assert_eq!(probe_rw(&answering(b"null"), None, LIMIT), RwAnswer::Other("null".into()));
        assert!(matches!(probe_rw(&answering(b""), None, LIMIT), RwAnswer::Failed(ref e) if !e.is_tls()));
    }

    #[test]
    fn a_refused_connect_fails_at_once() {
        let addr = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
        let t0 = Instant::now();
        assert!(matches!(probe_rw(&addr, None, LIMIT), RwAnswer::Failed(ref e) if !e.is_tls()));
        assert!(t0.elapsed() < LIMIT);
    }

    /// A server that accepts and then says nothing, or trickles one byte
    /// and stalls: the whole probe ends at the limit, not per step.
    #[test]
    fn a_silent_or_trickling_server_ends_the_probe_at_the_limit() {
        let hold = |first: &'static [u8]| {
            server(move |mut s| {
                let _ = s.write_all(first);
                std::thread::sleep(Duration::from_secs(3));
            })
        };
        for (addr, tls) in [(hold(b""), None), (hold(b"r"), None), (hold(b""), Some(tls_client()))] {
            let t0 = Instant::now();
            let a = probe_rw(&addr, tls, LIMIT);
            let took = t0.elapsed();
            assert!(matches!(a, RwAnswer::Failed { .. }), "{a:?}");
            assert!(took >= LIMIT && took < LIMIT + Duration::from_millis(100), "{took:?}");
        }
    }

    /// Over TLS, a server that does not speak TLS (a plain port answering
    /// "rw") fails the handshake: no plain answer is taken for the TLS one.
    #[test]
    fn over_tls_a_plain_answer_is_not_taken() {
        let addr = server(|mut s| {
            let mut hello = [0u8; 5];
            let _ = s.read_exact(&mut hello);
            let _ = s.write_all(b"rw");
        });
        let a = probe_rw(&addr, Some(tls_client()), LIMIT);
        assert!(matches!(a, RwAnswer::Failed(ref e) if e.is_tls()), "{a:?}");
    }
}
