//! The IO thread: owns the socket. Connects to the next server, performs
//! the handshake, re-sends auth and watches, writes queued requests in
//! batches, reads replies in large chunks, pings and detects timeouts.

use libc::{c_int, c_void, pollfd, POLLERR, POLLHUP, POLLIN, POLLOUT};
use std::ffi::CString;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::completion::Job;
use super::handle::*;
use super::watches::SESSION_EVENT;
use crate::proto::codec::Reader;
use crate::proto::errors::*;
use crate::proto::opcodes::*;
use crate::proto::records::{self, control_frame, decode_reply, Expect};
use crate::zlog;


/// How long new requests may wait to be written together while earlier
/// ones are still with the server, and how much may wait.
const COALESCE: Duration = Duration::from_micros(300);
const COALESCE_BYTES: usize = 64 * 1024;
/// Only a pipeline this deep waits: a few threads' sync calls go out at once.
const COALESCE_MIN_INFLIGHT: usize = 16;

/// Largest frame accepted from a server (jute.maxbuffer default plus slack).
const MAX_FRAME: usize = 0xfffff + 1024 * 1024;

/// Why a connection ended.
enum End {
    /// Lost; reconnect. The code is logged.
    Lost(i32),
    /// The close handshake finished (or the handle closes while disconnected).
    Closed,
    /// The session is over (expired or auth failed): stop reconnecting.
    Unrecoverable(i32),
}

/// "errno=N(text): msg" as the reference's socket error lines put it.
fn errno_msg(errno: i32, msg: &str) -> String {
    let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(errno)) }.to_string_lossy().into_owned();
    format!("errno={errno}({text}): {msg}")
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn now() -> Instant {
    Instant::now()
}

fn set_nonblock_nodelay(fd: c_int) {
    unsafe {
        let fl = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, fl | libc::O_NONBLOCK);
        let one: c_int = 1;
        libc::setsockopt(fd, libc::IPPROTO_TCP, libc::TCP_NODELAY, &one as *const c_int as *const c_void, 4);
    }
}

/// Waits for `events` on `fd` (and the wake fd) until `deadline`.
/// Returns Ok(true) when fd is ready, Ok(false) on timeout or wake.
fn wait_fd(zh: &ZHandle, fd: c_int, events: i16, deadline: Instant) -> Result<bool, ()> {
    let left = deadline.saturating_duration_since(now());
    let mut fds = [
        pollfd { fd, events, revents: 0 },
        pollfd { fd: zh.wake_fd, events: POLLIN, revents: 0 },
    ];
    let ms = left.as_millis().min(i32::MAX as u128) as c_int;
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms.max(if left.is_zero() { 0 } else { 1 })) };
    if n < 0 {
        return Ok(false);
    }
    if fds[1].revents != 0 {
        drain_wake(zh);
    }
    if fds[0].revents & (POLLERR | POLLHUP) != 0 && fds[0].revents & events == 0 {
        return Err(());
    }
    Ok(fds[0].revents & events != 0)
}

fn drain_wake(zh: &ZHandle) {
    let mut v: u64 = 0;
    unsafe { libc::read(zh.wake_fd, &mut v as *mut u64 as *mut c_void, 8) };
}

fn closing(zh: &ZHandle) -> bool {
    zh.outbox.lock().closing
}

/// Writes all of `buf` to a non-blocking socket before `deadline`.
fn write_all(zh: &ZHandle, fd: c_int, mut buf: &[u8], deadline: Instant) -> Result<(), ()> {
    while !buf.is_empty() {
        let n = unsafe { libc::send(fd, buf.as_ptr() as *const c_void, buf.len(), libc::MSG_NOSIGNAL) };
        if n > 0 {
            buf = &buf[n as usize..];
            continue;
        }
        let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
        if n < 0 && (e == libc::EAGAIN || e == libc::EINTR) {
            if now() >= deadline {
                return Err(());
            }
            wait_fd(zh, fd, POLLOUT, deadline)?;
            continue;
        }
        return Err(());
    }
    Ok(())
}

/// Reads one length-prefixed frame before `deadline` (handshake only).
fn read_frame(zh: &ZHandle, fd: c_int, deadline: Instant) -> Result<Vec<u8>, i32> {
    let mut hdr = [0u8; 4];
    read_exact(zh, fd, &mut hdr, deadline)?;
    let len = i32::from_be_bytes(hdr);
    if !(0..=4096).contains(&len) {
        return Err(libc::EPROTO);
    }
    let mut body = vec![0u8; len as usize];
    read_exact(zh, fd, &mut body, deadline)?;
    Ok(body)
}

fn read_exact(zh: &ZHandle, fd: c_int, buf: &mut [u8], deadline: Instant) -> Result<(), i32> {
    let mut off = 0;
    while off < buf.len() {
        let n = unsafe { libc::recv(fd, buf[off..].as_mut_ptr() as *mut c_void, buf.len() - off, 0) };
        if n > 0 {
            off += n as usize;
            continue;
        }
        if n == 0 {
            return Err(libc::EHOSTDOWN);
        }
        let e = last_errno();
        if e != libc::EAGAIN && e != libc::EINTR {
            return Err(e);
        }
        if now() >= deadline || closing(zh) {
            return Err(libc::ETIMEDOUT);
        }
        wait_fd(zh, fd, POLLIN, deadline).map_err(|_| libc::ECONNRESET)?;
    }
    Ok(())
}

/// Opens a TCP connection and runs the handshake.
fn connect(zh: &ZHandle, addr: &SocketAddr) -> Result<(OwnedFd, records::ConnectResponse), String> {
    let timeout = zh.negotiated_timeout.load(Ordering::Relaxed).max(1) as u64;
    let deadline = now() + Duration::from_millis((timeout * 2 / 3).max(100));
    let fam = if addr.is_ipv4() { libc::AF_INET } else { libc::AF_INET6 };
    let fd = unsafe { libc::socket(fam, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(errno_msg(last_errno(), "socket() call failed"));
    }
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    set_nonblock_nodelay(fd);
    let (ss, len) = super::hosts::to_sockaddr(addr);
    let rc = unsafe { libc::connect(fd, &ss as *const _ as *const libc::sockaddr, len) };
    if rc < 0 {
        let e = last_errno();
        if e != libc::EINPROGRESS {
            return Err(errno_msg(e, "connect() call failed"));
        }
        match wait_fd(zh, fd, POLLOUT, deadline) {
            Ok(true) => {}
            _ => {
                if closing(zh) {
                    return Err("closing".into());
                }
                let mut err: c_int = 0;
                let mut l = 4 as libc::socklen_t;
                unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut err as *mut c_int as *mut c_void, &mut l) };
                return Err(errno_msg(if err == 0 { libc::ETIMEDOUT } else { err }, "server refused to accept the client"));
            }
        }
        let mut err: c_int = 0;
        let mut l = 4 as libc::socklen_t;
        unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_ERROR, &mut err as *mut c_int as *mut c_void, &mut l) };
        if err != 0 {
            return Err(errno_msg(err, "server refused to accept the client"));
        }
    }
    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "check_events", "initiated connection to server {}", super::hosts::format_addr(addr));
    let cid = zh.client_id();
    let sid = if zh.seen_rw.load(Ordering::Relaxed) { cid.client_id } else { 0 };
    let passwd: [u8; 16] = unsafe { std::mem::transmute(cid.passwd) };
    let mut out = Vec::with_capacity(64);
    records::encode_connect(
        &mut out,
        zh.last_zxid.load(Ordering::Relaxed),
        zh.requested_timeout,
        sid,
        &passwd,
        zh.read_only_allowed,
    );
    zh.set_state(ASSOCIATING_STATE);
    write_all(zh, fd, &out, deadline).map_err(|_| errno_msg(last_errno(), "failed to send a handshake packet"))?;
    let frame = read_frame(zh, fd, deadline).map_err(|e| errno_msg(e, "failed while receiving a server response"))?;
    let resp = records::decode_connect(&frame).map_err(|_| errno_msg(libc::EPROTO, "malformed handshake response"))?;
    Ok((owned, resp))
}

pub(crate) fn run(zh: Arc<ZHandle>) {
    let mut round = 0u32;
    let end = loop {
        if closing(&zh) {
            break End::Closed;
        }
        let next = zh.hosts.lock().advance();
        let Some((addr, wrapped)) = next else {
            wait_wake(&zh, Duration::from_millis(100));
            continue;
        };
        zh.set_current_server(&addr);
        zh.set_state(CONNECTING_STATE);
        match connect(&zh, &addr) {
            Ok((sock, resp)) => {
                round = 0;
                *zh.connected.lock() = Some(addr);
                if let Err(rc) = establish(&zh, &addr, &resp) {
                    *zh.connected.lock() = None;
                    break End::Unrecoverable(rc);
                }
                let e = session(&zh, sock.as_raw_fd());
                *zh.connected.lock() = None;
                drop(sock);
                match e {
                    End::Lost(rc) => {
                        let was = zh.state();
                        if was == CONNECTED_STATE || was == READONLY_STATE {
                            zh.session_event(CONNECTING_STATE);
                        }
                        zh.set_state(CONNECTING_STATE);
                        zh.fail_all(if rc == ZOPERATIONTIMEOUT { ZCONNECTIONLOSS } else { rc }, true);
                        if closing(&zh) {
                            break End::Closed;
                        }
                    }
                    other => break other,
                }
            }
            Err(msg) => {
                if closing(&zh) {
                    break End::Closed;
                }
                zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "handle_socket_error_msg",
                    "Socket {} zk retcode=-4, {}", super::hosts::format_addr(&addr), msg);
                zh.set_state(CONNECTING_STATE);
                // As the reference: calls made while disconnected fail with
                // ZCONNECTIONLOSS when a connection attempt fails, so that no
                // caller waits on a server that is not there.
                zh.fail_all(ZCONNECTIONLOSS, true);
                if wrapped {
                    // Every server failed once: back off before the next round,
                    // exponentially, never beyond a tenth of the session timeout.
                    round = (round + 1).min(16);
                    let t = zh.negotiated_timeout.load(Ordering::Relaxed).max(100) as u64;
                    let cap = (t / 10).clamp(20, 2000);
                    let base = (25u64 << round.min(8)).min(cap);
                    let jitter = super::hosts::random_u64() % (base / 2 + 1);
                    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_WARN, "zookeeper_interest",
                        "Delaying connection after exhaustively trying all servers [{}]", zh.hosts.lock().spec);
                    wait_wake(&zh, Duration::from_millis(base / 2 + jitter));
                }
            }
        }
    };
    finish(&zh, end);
}

fn wait_wake(zh: &ZHandle, d: Duration) {
    let mut fds = [pollfd { fd: zh.wake_fd, events: POLLIN, revents: 0 }];
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, d.as_millis() as c_int) };
    if n > 0 {
        drain_wake(zh);
    }
}

/// Takes the handshake answer: expiry check, session identity, state and
/// the CONNECTED event.
fn establish(zh: &ZHandle, addr: &SocketAddr, resp: &records::ConnectResponse) -> Result<(), i32> {
    let cid = zh.client_id();
    let oldid = if zh.seen_rw.load(Ordering::Relaxed) { cid.client_id } else { 0 };
    if resp.timeout <= 0 || (oldid != 0 && oldid != resp.session_id) {
        zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "check_events", "sessionId={:#x} has expired.", oldid);
        zh.set_state(EXPIRED_SESSION_STATE);
        return Err(ZSESSIONEXPIRED);
    }
    if !resp.read_only {
        zh.seen_rw.store(true, Ordering::Relaxed);
    }
    zh.negotiated_timeout.store(resp.timeout, Ordering::Relaxed);
    let mut n = clientid_t { client_id: resp.session_id, passwd: [0; 16] };
    for (i, b) in resp.passwd.iter().take(16).enumerate() {
        n.passwd[i] = *b as libc::c_char;
    }
    unsafe { *zh.client_id.get() = n };
    let st = if resp.read_only { READONLY_STATE } else { CONNECTED_STATE };
    zh.set_state(st);
    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "check_events",
        "session establishment complete on server {}, sessionId={:#x}, negotiated timeout={} {}",
        super::hosts::format_addr(addr), resp.session_id, resp.timeout, if resp.read_only { "(READ-ONLY mode)" } else { "" });
    zh.session_event(st);
    Ok(())
}

/// Frames sent first on a new connection: auth, then watches; and their number.
fn reconnect_frames(zh: &ZHandle) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut frames = 0;
    for (scheme, cred) in zh.auths.lock().creds.iter() {
        control_frame(-4, ZOO_SETAUTH_OP, &mut out, |w| {
            w.int(0);
            w.string(scheme);
            w.bytes(cred.as_deref());
        });
        frames += 1;
    }
    let w = zh.watches.lock();
    if !w.is_empty() {
        let (d, e, c) = w.paths();
        drop(w);
        frames += set_watches_frames(&mut out, zh.last_zxid.load(Ordering::Relaxed), [&d, &e, &c]);
    }
    (out, frames)
}

/// Asks a server whether it serves reads and writes ("isro" four-letter
/// word; "rw" in answer). Blocks at most about a second.
fn is_rw_server(addr: &SocketAddr) -> bool {
    use std::io::{Read, Write};
    let t = Duration::from_millis(1000);
    let Ok(mut s) = std::net::TcpStream::connect_timeout(addr, t) else { return false };
    let _ = s.set_read_timeout(Some(t));
    let _ = s.set_write_timeout(Some(t));
    if s.write_all(b"isro").is_err() {
        return false;
    }
    let mut buf = Vec::new();
    let _ = s.take(16).read_to_end(&mut buf);
    buf.starts_with(b"rw")
}

/// Longest SetWatches request we send: well under the server's
/// jute.maxbuffer (1 MiB by default), whatever the number of watches.
const SET_WATCHES_MAX_BYTES: usize = 128 * 1024;

/// Appends as many SetWatches requests as needed to re-register the data,
/// exist and child watches; returns how many.
fn set_watches_frames(out: &mut Vec<u8>, zxid: i64, lists: [&Vec<Vec<u8>>; 3]) -> usize {
    let mut frames = 0;
    let mut idx = [0usize; 3];
    while idx.iter().zip(lists.iter()).any(|(i, l)| *i < l.len()) {
        // Take paths from the three lists until the request is full.
        let mut take: [Vec<&Vec<u8>>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        let mut size = 8 + 12 + 8;
        for k in 0..3 {
            while idx[k] < lists[k].len() {
                let p = &lists[k][idx[k]];
                if size + 4 + p.len() > SET_WATCHES_MAX_BYTES && take.iter().any(|t| !t.is_empty()) {
                    break;
                }
                size += 4 + p.len();
                take[k].push(p);
                idx[k] += 1;
            }
        }
        control_frame(-8, ZOO_SETWATCHES_OP, out, |wr| {
            wr.long(zxid);
            for t in &take {
                wr.strings(t);
            }
        });
        frames += 1;
    }
    frames
}

fn ping_frame(out: &mut Vec<u8>) {
    control_frame(-2, ZOO_PING_OP, out, |_| {});
}

/// Runs one established connection until it ends.
fn session(zh: &ZHandle, fd: c_int) -> End {
    let timeout = zh.negotiated_timeout.load(Ordering::Relaxed).max(30) as u64;
    let recv_limit = Duration::from_millis(timeout * 2 / 3);
    let ping_every = Duration::from_millis(timeout / 3);
    let (mut wbuf, mut wbuf_frames) = reconnect_frames(zh);
    let mut woff = 0usize;
    let mut rbuf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut last_recv = now();
    let mut last_send = now();
    let mut close_deadline: Option<Instant> = None;
    // Requests written and not yet answered, and when wbuf started filling:
    // while the server still works on earlier requests, new ones wait a
    // little (at most COALESCE) to go out together in one write.
    let mut unanswered = 0usize;
    let mut filled_at = now();
    // In read-only mode, look for a read-write server: first after 200 ms,
    // then twice as long each time, up to a minute (as the reference).
    let mut rw_interval = Duration::from_millis(200);
    let mut rw_probe_at = now() + rw_interval;
    loop {
        // Take what callers queued.
        {
            let mut ob = zh.outbox.lock();
            if !ob.buf.is_empty() {
                if woff >= wbuf.len() {
                    wbuf.clear();
                    woff = 0;
                    filled_at = now();
                    std::mem::swap(&mut wbuf, &mut ob.buf);
                } else {
                    wbuf.extend_from_slice(&ob.buf);
                    ob.buf.clear();
                }
                wbuf_frames += std::mem::take(&mut ob.frames);
            }
            if ob.closing && close_deadline.is_none() {
                let t = (timeout).min(3000);
                close_deadline = Some(now() + Duration::from_millis(t));
            }
        }
        if zh.move_server.swap(false, Ordering::AcqRel) && close_deadline.is_none() {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "zoo_set_servers", "moving to another server of the new list");
            return End::Lost(ZCONNECTIONLOSS);
        }
        if let Some(d) = close_deadline {
            if now() >= d {
                zlog!(zh.log_cb(), ZOO_LOG_LEVEL_WARN, "zookeeper_close",
                    "Timed out ({}ms) during waiting for server's reply after sending a close request, sessionId={:#x}",
                    timeout.min(3000), zh.client_id().client_id);
                return End::Closed;
            }
            if !zh.outbox.lock().inflight.iter().any(|p| p.close) {
                // Closing without a close request (it was not connected when asked).
                return End::Closed;
            }
        }
        let t = now();
        if t.duration_since(last_recv) >= recv_limit {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "zookeeper_interest",
                "connection to {} timed out (exceeded timeout by {}ms)",
                zh.current_server.lock().to_string_lossy(), (t.duration_since(last_recv) - recv_limit).as_millis());
            return End::Lost(ZOPERATIONTIMEOUT);
        }
        if woff >= wbuf.len() && t.duration_since(last_send) >= ping_every {
            wbuf.clear();
            woff = 0;
            filled_at = t;
            ping_frame(&mut wbuf);
            wbuf_frames += 1;
        }
        if zh.state() == READONLY_STATE && t >= rw_probe_at {
            let candidate = {
                let h = zh.hosts.lock();
                let cur = h.current;
                let n = h.addrs.len();
                (0..n).map(|i| h.addrs[(h.next + i) % n]).find(|a| Some(*a) != cur)
            };
            if let Some(a) = candidate {
                if is_rw_server(&a) {
                    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "zookeeper_interest", "r/w server found at {}", super::hosts::format_addr(&a));
                    let mut h = zh.hosts.lock();
                    if let Some(i) = h.addrs.iter().position(|x| *x == a) {
                        h.next = i;
                    }
                    return End::Lost(ZCONNECTIONLOSS);
                }
                let mut h = zh.hosts.lock();
                let n = h.addrs.len().max(1);
                h.next = (h.next + 1) % n;
            }
            rw_interval = (rw_interval * 2).min(Duration::from_secs(60));
            rw_probe_at = now() + rw_interval;
        }
        let hold = woff == 0
            && woff < wbuf.len()
            && unanswered >= COALESCE_MIN_INFLIGHT
            && wbuf.len() < COALESCE_BYTES
            && close_deadline.is_none()
            && t.duration_since(filled_at) < COALESCE;
        // Write eagerly (unless holding a small batch back while the server is busy).
        if woff < wbuf.len() && !hold {
            let n = unsafe { libc::send(fd, wbuf[woff..].as_ptr() as *const c_void, wbuf.len() - woff, libc::MSG_NOSIGNAL) };
            if n > 0 {
                woff += n as usize;
                last_send = now();
                if woff >= wbuf.len() {
                    unanswered += std::mem::take(&mut wbuf_frames);
                    if wbuf.capacity() > 1 << 20 {
                        wbuf = Vec::new();
                    } else {
                        wbuf.clear();
                    }
                    woff = 0;
                }
            } else {
                let e = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
                if e != libc::EAGAIN && e != libc::EINTR {
                    return End::Lost(ZCONNECTIONLOSS);
                }
            }
        }
        let t = now();
        let recv_left = recv_limit.saturating_sub(t.duration_since(last_recv));
        let ping_left = ping_every.saturating_sub(t.duration_since(last_send));
        let mut wait = recv_left.min(ping_left);
        if let Some(d) = close_deadline {
            wait = wait.min(d.saturating_duration_since(t));
        }
        if hold {
            wait = wait.min(COALESCE.saturating_sub(t.duration_since(filled_at)));
        }
        if zh.state() == READONLY_STATE {
            wait = wait.min(rw_probe_at.saturating_duration_since(t));
        }
        let mut fds = [
            pollfd { fd, events: POLLIN | if woff < wbuf.len() && !hold { POLLOUT } else { 0 }, revents: 0 },
            pollfd { fd: zh.wake_fd, events: POLLIN, revents: 0 },
        ];
        let ts = libc::timespec { tv_sec: wait.as_secs() as libc::time_t, tv_nsec: wait.subsec_nanos() as libc::c_long };
        // Announce the sleep, then look once more: a caller that queued before
        // seeing the flag has left bytes in the outbox, and we must not sleep.
        zh.io_sleeping.store(true, Ordering::SeqCst);
        let queued = !hold && !zh.outbox.lock().buf.is_empty();
        let n = if queued { 1 } else { unsafe { libc::ppoll(fds.as_mut_ptr(), 2, &ts, std::ptr::null()) } };
        zh.io_sleeping.store(false, Ordering::SeqCst);
        if queued {
            continue;
        }
        if n <= 0 {
            continue;
        }
        if fds[1].revents != 0 {
            drain_wake(zh);
        }
        let re = fds[0].revents;
        if re & POLLIN != 0 {
            match read_available(fd, &mut rbuf) {
                Ok(_) => {
                    last_recv = now();
                    match process_frames(zh, &mut rbuf) {
                        Ok((true, _)) => return End::Closed,
                        Ok((false, replies)) => unanswered = unanswered.saturating_sub(replies),
                        Err(end) => return end,
                    }
                }
                Err(e) => {
                    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "handle_socket_error_msg",
                        "Socket {} zk retcode=-4, {}",
                        zh.current_server.lock().to_string_lossy(), errno_msg(e, "failed while receiving a server response"));
                    return End::Lost(ZCONNECTIONLOSS);
                }
            }
        } else if re & (POLLERR | POLLHUP) != 0 {
            return End::Lost(ZCONNECTIONLOSS);
        }
    }
}

/// Reads everything the socket has; Err(errno) on EOF (EHOSTDOWN) or error.
/// Room is made for the whole frame being received, so that a large reply
/// is read in place with no reallocation on the way.
fn read_available(fd: c_int, rbuf: &mut Vec<u8>) -> Result<usize, i32> {
    let mut total = 0;
    loop {
        let want = pending_frame_end(rbuf).saturating_sub(rbuf.len()).max(16 * 1024);
        if rbuf.capacity() - rbuf.len() < want {
            rbuf.reserve(want);
        }
        let spare = rbuf.capacity() - rbuf.len();
        let n = unsafe { libc::recv(fd, rbuf.as_mut_ptr().add(rbuf.len()) as *mut c_void, spare, 0) };
        if n > 0 {
            unsafe { rbuf.set_len(rbuf.len() + n as usize) };
            total += n as usize;
            if (n as usize) < spare {
                return Ok(total);
            }
            continue;
        }
        if n == 0 {
            return Err(libc::EHOSTDOWN);
        }
        let e = last_errno();
        if e == libc::EAGAIN || e == libc::EINTR {
            return Ok(total);
        }
        return Err(e);
    }
}

/// The end offset of the last (incomplete) frame in `rbuf`, if its length is known.
fn pending_frame_end(rbuf: &[u8]) -> usize {
    let mut off = 0;
    while rbuf.len() - off >= 4 {
        let len = i32::from_be_bytes(rbuf[off..off + 4].try_into().unwrap());
        if len < 0 || len as usize > MAX_FRAME {
            return 0;
        }
        let end = off + 4 + len as usize;
        if end > rbuf.len() {
            return end;
        }
        off = end;
    }
    off + 4
}

/// Processes every complete frame in `rbuf`. Ok(true) when the close reply arrived.
fn process_frames(zh: &ZHandle, rbuf: &mut Vec<u8>) -> Result<(bool, usize), End> {
    let mut batch = Vec::new();
    let r = process_frames_into(zh, rbuf, &mut batch);
    // Completions and watch events go to the completion thread in one hand-over.
    match batch.len() {
        0 => {}
        1 => {
            let _ = zh.jobs.send(batch.pop().unwrap());
        }
        _ => {
            let _ = zh.jobs.send(Job::Batch(batch));
        }
    }
    r
}

fn process_frames_into(zh: &ZHandle, rbuf: &mut Vec<u8>, batch: &mut Vec<Job>) -> Result<(bool, usize), End> {
    let mut off = 0;
    let mut closed = false;
    let mut replies = 0;
    while rbuf.len() - off >= 4 {
        let len = i32::from_be_bytes(rbuf[off..off + 4].try_into().unwrap());
        if len < 16 || len as usize > MAX_FRAME {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "check_events", "invalid frame length {} from server", len);
            return Err(End::Lost(ZMARSHALLINGERROR));
        }
        let len = len as usize;
        if rbuf.len() - off - 4 < len {
            break;
        }
        let frame = &rbuf[off + 4..off + 4 + len];
        off += 4 + len;
        if frame[0..4] != (-1i32).to_be_bytes() {
            replies += 1;
        }
        match process_frame(zh, frame, batch) {
            Ok(true) => closed = true,
            Ok(false) => {}
            Err(e) => {
                rbuf.drain(..off);
                return Err(e);
            }
        }
    }
    rbuf.drain(..off);
    Ok((closed, replies))
}

fn process_frame(zh: &ZHandle, frame: &[u8], batch: &mut Vec<Job>) -> Result<bool, End> {
    let mut r = Reader::new(frame);
    let (xid, zxid, err) = match (r.int(), r.long(), r.int()) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        _ => return Err(End::Lost(ZMARSHALLINGERROR)),
    };
    if zxid > 0 {
        zh.last_zxid.fetch_max(zxid, Ordering::Relaxed);
    }
    match xid {
        -1 => {
            let ev = records::decode_event(&mut r).map_err(|_| End::Lost(ZMARSHALLINGERROR))?;
            if closing(zh) {
                // As the reference: no watcher runs once zookeeper_close began
                // (the session's own ephemerals vanish while it closes).
                return Ok(false);
            }
            let ws = zh.watches.lock().trigger(ev.ty, &ev.path);
            if !ws.is_empty() && ev.ty != SESSION_EVENT {
                let p = zh.client_path(&ev.path);
                let c = CString::new(p).unwrap_or_default();
                batch.push(Job::Watch(ws, ev.ty, ev.state, c));
            }
            Ok(false)
        }
        -2 | -8 => Ok(false),
        -4 => {
            // As the reference: one auth reply answers every waiting auth completion.
            let cbs: Vec<_> = zh.auths.lock().waiting.drain(..).collect();
            for cb in cbs {
                batch.push(Job::Complete(cb, err, None));
            }
            if err != 0 {
                zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "auth_completion_func", "Authentication scheme failed. Connection closed.");
                zh.set_state(AUTH_FAILED_STATE);
                return Err(End::Unrecoverable(ZAUTHFAILED));
            }
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "auth_completion_func", "Authentication scheme succeeded");
            Ok(false)
        }
        _ => {
            let p = {
                let mut ob = zh.outbox.lock();
                match ob.inflight.front() {
                    Some(p) if p.xid == xid => ob.inflight.pop_front(),
                    _ => None,
                }
            };
            let Some(p) = p else {
                zlog!(zh.log_cb(), ZOO_LOG_LEVEL_ERROR, "zookeeper_process", "unexpected server response: xid {:#x}", xid);
                return Err(End::Lost(ZRUNTIMEINCONSISTENCY));
            };
            if p.close {
                return Ok(true);
            }
            let decode = err == 0 || (p.expect == Expect::Multi && r.remaining() > 0);
            let (rc, reply) = if decode {
                match decode_reply(p.expect, &mut r) {
                    Ok(rep) => (err, Some(rep)),
                    Err(_) => (ZMARSHALLINGERROR, None),
                }
            } else {
                (err, None)
            };
            if let Some(reg) = &p.watch {
                zh.watches.lock().activate(reg, rc);
            }
            zh.deliver_into(batch, p.done, rc, reply);
            Ok(false)
        }
    }
}

/// Ends the IO thread: unrecoverable sessions wait for close; then every
/// pending call completes and the completion thread is told to stop.
fn finish(zh: &ZHandle, end: End) {
    if let End::Unrecoverable(rc) = end {
        let st = zh.state();
        zh.session_event(st);
        zh.fail_all(if rc == ZAUTHFAILED { ZAUTHFAILED } else { ZSESSIONEXPIRED }, true);
        while !closing(zh) {
            wait_wake(zh, Duration::from_millis(500));
            zh.fail_all(ZSESSIONEXPIRED, true);
        }
    }
    zh.fail_all(ZCLOSING, true);
    zlog!(zh.log_cb(), ZOO_LOG_LEVEL_INFO, "zookeeper_close", "Freeing zookeeper resources for sessionId={:#x}", zh.client_id().client_id);
    let _ = zh.jobs.send(Job::Shutdown);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 100,000 watches on long paths fit in SetWatches requests that each
    /// stay under 128 KiB, and together carry every path.
    #[test]
    fn set_watches_are_split() {
        let long = |i: usize| format!("/{}/{i}", "x".repeat(200)).into_bytes();
        let data: Vec<Vec<u8>> = (0..60_000).map(long).collect();
        let exist: Vec<Vec<u8>> = (60_000..70_000).map(long).collect();
        let child: Vec<Vec<u8>> = (70_000..100_000).map(long).collect();
        let mut out = Vec::new();
        let n = set_watches_frames(&mut out, 42, [&data, &exist, &child]);
        assert!(n > 100);
        let (mut off, mut got) = (0, [Vec::new(), Vec::new(), Vec::new()]);
        for _ in 0..n {
            let len = i32::from_be_bytes(out[off..off + 4].try_into().unwrap()) as usize;
            assert!(len + 4 <= SET_WATCHES_MAX_BYTES + 1024, "frame of {len} bytes");
            let mut r = Reader::new(&out[off + 4..off + 4 + len]);
            assert_eq!((r.int().unwrap(), r.int().unwrap(), r.long().unwrap()), (-8, ZOO_SETWATCHES_OP, 42));
            for g in got.iter_mut() {
                g.extend(r.strings().unwrap());
            }
            off += 4 + len;
        }
        assert_eq!(off, out.len());
        assert_eq!((got[0].clone(), got[1].clone(), got[2].clone()), (data, exist, child));
    }
}
