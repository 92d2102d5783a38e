//! The MT library's IO thread: socket readiness (poll) and the clock fed
//! to the session core, the transport it asks for opened and closed, what
//! it produces handed to the completion thread. Protocol decisions are the
//! core's.

use libc::{c_int, c_void, pollfd, POLLERR, POLLHUP, POLLIN, POLLOUT};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::handle::ZHandle;
use super::socket::{self, Transport};
use super::turn;
use crate::session::{Job, Session};

/// Longest sleep when the core has no deadline (it is woken for anything new).
const IDLE_WAIT: Duration = Duration::from_secs(60);

/// What the last poll said about the transport.
#[derive(Default, Clone, Copy)]
struct Ready {
    readable: bool,
    writable: bool,
}

pub(crate) fn run(zh: Arc<ZHandle>) {
    crate::zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, "do_io", "started IO thread");
    let mut transport: Option<Transport> = None;
    let mut ready = Ready::default();
    loop {
        let step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(&zh, &mut transport, ready)));
        let wait = match step {
            Ok(Some(w)) => w,
            Ok(None) => break,
            Err(_) => {
                // A bug of ours must not leave callers waiting forever: the
                // session ends, every call completes, the handle waits for close.
                transport = None;
                let mut core = zh.core.lock();
                core.abandon();
                zh.hand_over(&mut core);
                (None, Some(Instant::now() + IDLE_WAIT))
            }
        };
        ready = sleep(&zh, transport.as_ref().map(|t| t.fd()), wait);
    }
    drop(transport);
    crate::zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, "do_io", "IO thread terminated");
    zh.jobs.send(Job::Shutdown);
}

/// One turn: everything the core needs doing now. Returns what to wait for
/// (poll events on the transport, deadline), or None once the handle is closed.
/// Not inlined (nor is `sleep`): each has its own frame, so that the
/// deepest calls (a turn's) do not sit below the locals of the rest of the
/// loop; every page of this thread's stack they reach costs 4 KiB per session.
#[inline(never)]
fn step(zh: &Arc<ZHandle>, transport: &mut Option<Transport>, ready: Ready) -> Option<(Option<i16>, Option<Instant>)> {
    let now = Instant::now();
    let mut core = zh.core.lock();
    turn::begin(zh, &mut core, now);
    if let Some((addr, rw)) = zh.probe_result.lock().take() {
        core.probe_done(now, addr, rw);
    }
    let mut d = MtConduct { zh, transport };
    turn::io(&mut core, &mut d, ready.readable, ready.writable, now);
    core.tick(now);
    if turn::act(zh, &mut core, &mut d, now) {
        zh.hand_over(&mut core);
        return None;
    }
    turn::flush(&mut core, &mut d, now);
    zh.hand_over(&mut core);
    let events = transport.as_ref().map(|t| socket::poll_events(&core, t, now));
    // Bytes rustls already decrypted are not seen by poll: another turn at once.
    let deadline = if transport.as_mut().is_some_and(|t| t.pending_plaintext()) { Some(now) } else { core.deadline(now) };
    Some((events, deadline))
}

/// The IO thread's side of the actions: a dropped socket closes at once;
/// the probe runs on a thread of its own, so that the IO thread keeps
/// serving the read-only session meanwhile (its answer is taken at the
/// next turn).
struct MtConduct<'a> {
    zh: &'a Arc<ZHandle>,
    transport: &'a mut Option<Transport>,
}

impl turn::Conduct for MtConduct<'_> {
    fn transport(&mut self) -> &mut Option<Transport> {
        self.transport
    }
    fn drop_transport(&mut self) {
        *self.transport = None;
    }
    fn probe(&mut self, _: &mut Session, probe: turn::RwProbe, _: Instant) {
        let z = self.zh.clone();
        let addr = probe.addr();
        let r = std::thread::Builder::new().name("zk-rw-probe".into()).stack_size(super::handle::default_stack_size()).spawn(move || {
            let rw = probe.run(z.log_cb().into());
            *z.probe_result.lock() = Some((addr, rw));
            z.wake();
        });
        if r.is_err() {
            *self.zh.probe_result.lock() = Some((addr, false));
        }
    }
}

/// Waits for the transport, the wake fd or the deadline.
#[inline(never)]
fn sleep(zh: &ZHandle, fd: Option<c_int>, (events, deadline): (Option<i16>, Option<Instant>)) -> Ready {
    let now = Instant::now();
    let wait = deadline.map(|d| d.saturating_duration_since(now)).unwrap_or(IDLE_WAIT);
    let mut fds =
        [pollfd { fd: zh.wake_fd, events: POLLIN, revents: 0 }, pollfd { fd: fd.unwrap_or(-1), events: events.unwrap_or(0), revents: 0 }];
    let nfds = if fd.is_some() { 2 } else { 1 };
    let ts = libc::timespec { tv_sec: wait.as_secs() as libc::time_t, tv_nsec: wait.subsec_nanos() as libc::c_long };
    // Announce the sleep, then look once more: a caller that queued before
    // seeing the flag has left requests in the outbox, and we must not sleep.
    zh.io_sleeping.store(true, Ordering::SeqCst);
    let queued = !zh.outbox.lock().is_empty() || zh.probe_result.lock().is_some() || zh.resolutions.answered();
    let n = if queued || wait.is_zero() {
        0
    } else {
        // SAFETY: fds is a local array of nfds pollfd; ts a local timespec.
        // EINTR (a signal handled on this thread) just ends the wait early:
        // the next turn carries on where this one left off.
        unsafe { libc::ppoll(fds.as_mut_ptr(), nfds, &ts, std::ptr::null()) }
    };
    zh.io_sleeping.store(false, Ordering::SeqCst);
    if n > 0 && fds[0].revents != 0 {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a local from the handle's eventfd.
        unsafe { libc::read(zh.wake_fd, &mut v as *mut u64 as *mut c_void, 8) };
    }
    let re = if n > 0 { fds[1].revents } else { 0 };
    Ready { readable: re & (POLLIN | POLLERR | POLLHUP) != 0, writable: re & (POLLOUT | POLLERR | POLLHUP) != 0 }
}
