//! The ST library's driver (`libzookeeper_st`): no threads. The caller's
//! event loop asks `zookeeper_interest` which socket to watch, for what and
//! for how long, and calls `zookeeper_process` with what happened; the IO,
//! the completions and the watchers all run on the caller's thread there.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::handle::ZHandle;
use super::socket::{self, Transport};
use super::turn;
use crate::proto::consts::{INTEREST_READ, INTEREST_WRITE};
use crate::proto::errors::Error;
use crate::session::state::SessionState;
use crate::session::{Job, Session};

#[derive(Default)]
pub struct StDriver {
    transport: Option<Transport>,
    /// Descriptors of dropped connections, kept open (shut down) until the
    /// event loop has seen a `zookeeper_interest` that no longer reports
    /// them: a new connection never gets the number of one the loop may
    /// still have registered (epoll, libuv), so that no registration can
    /// silently point at a different socket.
    retired: Vec<Retired>,
    /// `zookeeper_close` was called from a callback run by
    /// `zookeeper_process`: the close completes when that call returns.
    close_deferred: bool,
}

struct Retired {
    fd: OwnedFd,
    /// An interest after the drop reported another descriptor (or none):
    /// the loop has let go of this one, which closes at the next call.
    superseded: bool,
}

/// What `zookeeper_interest` reports.
pub struct Interest {
    pub fd: i32,
    pub events: i32,
    pub wait: Duration,
}

impl StDriver {
    fn drop_transport(&mut self) {
        if let Some(t) = self.transport.take() {
            self.retired.push(Retired { fd: t.retire(), superseded: false });
        }
    }

    /// At the start of every call: closes the descriptors the loop let go of.
    fn release_retired(&mut self) {
        self.retired.retain(|r| !r.superseded);
    }

    /// After an interest reported `fd`: every other retired descriptor is
    /// no longer the loop's.
    fn reported(&mut self, fd: i32) {
        for r in &mut self.retired {
            if r.fd.as_raw_fd() != fd {
                r.superseded = true;
            }
        }
    }

    /// A turn of `zookeeper_close`'s own loop: everything at once.
    fn close_turn(&mut self, zh: &ZHandle, core: &mut Session, readable: bool, writable: bool) {
        let now = Instant::now();
        turn::begin(zh, core, now);
        turn::io(core, self, readable, writable, now);
        core.tick(now);
        turn::act(zh, core, self, now);
        turn::flush(core, self, now);
    }
}

/// The ST library's side of the actions: a dropped socket is retired (its
/// number kept until the loop let go of it); the probe runs here, on the
/// caller's thread, bounded by `RW_PROBE_LIMIT`.
impl turn::Conduct for StDriver {
    fn transport(&mut self) -> &mut Option<Transport> {
        &mut self.transport
    }
    fn drop_transport(&mut self) {
        StDriver::drop_transport(self)
    }
    fn probe(&mut self, core: &mut Session, probe: turn::RwProbe, now: Instant) {
        let addr = probe.addr();
        let rw = probe.run(core.log_cb);
        core.probe_done(now, addr, rw);
    }
}

/// `zookeeper_interest`, as the reference's: runs the clock (a connection
/// that timed out is dropped here and ZOPERATIONTIMEOUT returned, its
/// descriptor reported with no events), sends a ping when one is due,
/// starts a connection when one is due, and says which descriptor to watch,
/// for which events, until when. Returns the code, the interest, and
/// whether a callback closed the handle (the close is then complete).
pub fn interest(zh: &ZHandle) -> (Result<(), Error>, Interest, bool) {
    let (rc, i, jobs) = interest_turn(zh);
    // Callbacks the turn produced (the session event of a connection that
    // timed out) run here, as the reference runs them in zookeeper_interest.
    run_jobs(zh, jobs);
    (rc, i, finish_deferred_close(zh))
}

/// After the callbacks of an interest or process ran: completes a close one
/// of them asked for. Returns whether the handle is now closed.
fn finish_deferred_close(zh: &ZHandle) -> bool {
    if !std::mem::take(&mut zh.st.lock().close_deferred) {
        return false;
    }
    close(zh);
    true
}

/// The clock's part of `zookeeper_interest`: a connection that timed out is
/// dropped, and the interest reports the code with the old descriptor and
/// no events.
fn timed_out(st: &mut StDriver, core: &mut Session, now: Instant) -> Option<(Result<(), Error>, Interest, Vec<Job>)> {
    let rc = core.tick(now)?;
    if !core.take_disconnect() && rc != Error::SessionExpired {
        return None;
    }
    let fd = st.transport.as_ref().map_or(-1, |t| t.fd());
    st.drop_transport();
    st.reported(fd);
    let wait = core.deadline(now).map(|d| d.saturating_duration_since(now)).unwrap_or(Duration::ZERO);
    Some((Err(rc), Interest { fd, events: 0, wait }, core.take_jobs()))
}

fn interest_turn(zh: &ZHandle) -> (Result<(), Error>, Interest, Vec<Job>) {
    let mut st = zh.st.lock();
    let mut core = zh.core.lock();
    st.release_retired();
    // The wait is measured from the time of this turn (as the reference
    // reports a third of the timeout right after starting a connection).
    let now = Instant::now();
    turn::begin(zh, &mut core, now);
    if let Some(timed_out) = timed_out(&mut st, &mut core, now) {
        return timed_out;
    }
    turn::act(zh, &mut core, &mut *st, now);
    // A connection just started can be out of time already (a session
    // timeout of a millisecond): as the reference, this call says so.
    if let Some(timed_out) = timed_out(&mut st, &mut core, now) {
        return timed_out;
    }
    turn::flush(&mut core, &mut *st, now);
    let mut wait = core.deadline(now).map(|d| d.saturating_duration_since(now)).unwrap_or(Duration::from_secs(60));
    if core.awaiting_names() && zh.resolutions.pending() {
        // The resolver's thread cannot wake the loop: ask to be called again.
        wait = wait.min(super::resolve::ST_POLL);
    }
    if st.transport.as_mut().is_some_and(|t| t.pending_plaintext()) {
        // Decrypted bytes wait in rustls (poll cannot see them): the next
        // zookeeper_process reads them.
        wait = Duration::ZERO;
    }
    let i = match st.transport.as_ref() {
        Some(t) => {
            let ev = socket::poll_events(&core, t, now);
            let mut events = 0;
            if ev & libc::POLLIN != 0 {
                events |= INTEREST_READ;
            }
            if ev & libc::POLLOUT != 0 {
                events |= INTEREST_WRITE;
            }
            Interest { fd: t.fd(), events, wait }
        }
        None => Interest { fd: -1, events: 0, wait },
    };
    st.reported(i.fd);
    (Ok(()), i, core.take_jobs())
}

/// `zookeeper_process`: performs the IO `events` allow, then runs every
/// completion and watcher produced, on this thread. Timers run only in
/// `zookeeper_interest` (as the reference). Returns, as the reference:
/// ZINVALIDSTATE without a connection under way, the session's end code
/// (ZSESSIONEXPIRED, ZAUTHFAILED) when it ended here, ZCONNECTIONLOSS when
/// the connection failed or was lost here (the state is then 0 until the
/// next interest starts a connection), ZNOTHING when asked to read on an
/// open connection and nothing was there, else ZOK. `true` with it: a
/// callback closed the handle, and the close is complete (the handle must
/// be let go of).
pub fn process(zh: &ZHandle, events: i32) -> (Result<(), Error>, bool) {
    let (rc, jobs) = {
        let mut st = zh.st.lock();
        let mut core = zh.core.lock();
        st.release_retired();
        if st.transport.is_none() {
            return (Err(Error::InvalidState), false);
        }
        let now = Instant::now();
        turn::begin(zh, &mut core, now);
        let (state, opening) = (core.state(), core.is_opening());
        let read = turn::io(&mut core, &mut *st, events & INTEREST_READ != 0, events & INTEREST_WRITE != 0, now);
        let dropped = core.take_disconnect();
        if dropped {
            st.drop_transport();
        }
        let rc = if core.state().is_unrecoverable() && !state.is_unrecoverable() {
            if core.state() == SessionState::AuthFailed {
                Err(Error::AuthFailed)
            } else {
                Err(Error::SessionExpired)
            }
        } else if dropped {
            Err(Error::ConnectionLoss)
        } else if events & INTEREST_READ != 0 && read == 0 && !opening {
            Err(Error::Nothing)
        } else {
            Ok(())
        };
        (rc, core.take_jobs())
    };
    run_jobs(zh, jobs);
    (rc, finish_deferred_close(zh))
}

/// After a call queued a request or an auth packet: writes what the socket
/// takes now, never waiting (the reference's calls end with a non-blocking
/// flush of the send queue), so that a request made outside any callback
/// (from a timer, another event source) is on the wire at once, not at the
/// loop's next turn. Does nothing while a library call holds the handle
/// (the turn in progress writes it) or while callbacks run (what they
/// queue is written once for the batch when the last of them returns,
/// before the library call that runs them returns to the loop). A write
/// error is reported by the next `zookeeper_process` (ZCONNECTIONLOSS), as
/// with the reference.
pub fn send_now(zh: &ZHandle) {
    if in_callback(zh) {
        return;
    }
    let Some(mut st) = zh.st.try_lock() else { return };
    let Some(mut core) = zh.core.try_lock() else { return };
    write_queued(zh, &mut st, &mut core);
}

/// Hands the core what callers queued and writes what the socket takes now.
fn write_queued(zh: &ZHandle, st: &mut StDriver, core: &mut Session) {
    let now = Instant::now();
    core.accept(&mut zh.outbox.lock(), now);
    turn::flush(core, st, now);
}

/// A call on a handle whose session is over (expired, auth failed): the
/// loop has seen the end code, so the sockets kept for it close now (a
/// shut-down socket would wake a level-triggered loop again and again).
pub fn ended(zh: &ZHandle) {
    if let Some(mut st) = zh.st.try_lock() {
        st.retired.clear();
    }
}

/// `zookeeper_close` called from a completion or watcher that
/// `zookeeper_process` runs: as the reference, the close is only begun
/// (CloseSession written, every call not answered completes with ZCLOSING
/// after the callback returns, in the same `zookeeper_process`), and it
/// completes when that `zookeeper_process` returns. Returns false when not
/// in such a callback (the caller closes at once with `close`).
pub fn close_from_callback(zh: &ZHandle) -> bool {
    if !in_callback(zh) {
        return false;
    }
    let mut st = zh.st.lock();
    let mut core = zh.core.lock();
    let now = Instant::now();
    {
        let mut ob = zh.outbox.lock();
        core.close(now, &mut ob, false);
    }
    turn::flush(&mut core, &mut *st, now);
    st.close_deferred = true;
    true
}

/// `zookeeper_close` in the ST library: CloseSession is sent and its
/// answer awaited (bounded by the core's close deadline) on this thread,
/// then every call not answered completes here with ZCLOSING.
pub fn close(zh: &ZHandle) {
    let mut st = zh.st.lock();
    let mut core = zh.core.lock();
    st.release_retired();
    {
        let mut ob = zh.outbox.lock();
        core.close(Instant::now(), &mut ob, false);
    }
    loop {
        st.close_turn(zh, &mut core, false, false);
        if core.is_finished() {
            break;
        }
        let now = Instant::now();
        let wait = core.deadline(now).map(|d| d.saturating_duration_since(now)).unwrap_or(Duration::from_millis(100));
        let Some(t) = st.transport.as_ref() else { continue };
        let mut p = libc::pollfd { fd: t.fd(), events: socket::poll_events(&core, t, now), revents: 0 };
        let ms = wait.as_millis().clamp(1, i32::MAX as u128) as i32;
        // SAFETY: one local pollfd.
        let n = unsafe { libc::poll(&mut p, 1, ms) };
        let re = if n > 0 { p.revents } else { 0 };
        let readable = re & (libc::POLLIN | libc::POLLERR | libc::POLLHUP) != 0;
        let writable = re & (libc::POLLOUT | libc::POLLERR | libc::POLLHUP) != 0;
        if readable || writable {
            st.close_turn(zh, &mut core, readable, writable);
        }
    }
    // The handle is gone for the loop: every descriptor closes now.
    st.retired.clear();
    let jobs = core.take_jobs();
    drop(core);
    drop(st);
    run_jobs(zh, jobs);
}

/// Runs the callbacks a turn produced, then those they produced in turn
/// (a close from a callback fails the calls not answered). Once a callback
/// closed the handle, the completions still waiting in the batch complete
/// with ZCLOSING, not with their replies, as the reference, which matches
/// replies to calls one at a time.
fn run_jobs(zh: &ZHandle, mut jobs: Vec<Job>) {
    let zptr = zh as *const ZHandle as *mut ZHandle;
    let _running = CallbackThread::enter(zh);
    while !jobs.is_empty() {
        for mut job in jobs {
            if zh.is_closing() {
                if let Job::Complete(_, rc, reply) = &mut job {
                    *rc = Err(Error::Closing);
                    *reply = None;
                }
            }
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| super::completion::run_job(zh, zptr, job)));
        }
        // What the callbacks queued (requests, auth packets), written once
        // for the batch.
        let mut st = zh.st.lock();
        let mut core = zh.core.lock();
        write_queued(zh, &mut st, &mut core);
        jobs = core.take_jobs();
    }
}

/// Whether the calling thread is running this handle's callbacks.
fn in_callback(zh: &ZHandle) -> bool {
    // Relaxed: a thread reads back what it stored itself, and an id stored
    // by another thread is never equal to this one's.
    zh.st_callback_thread.load(Ordering::Relaxed) == this_thread()
}

/// The calling thread, as a number no other live thread has (a thread's
/// `pthread_self`; `std::thread::current` costs a reference count per call).
fn this_thread() -> usize {
    // SAFETY: pthread_self has no preconditions and cannot fail.
    unsafe { libc::pthread_self() as usize }
}

/// Marks the calling thread as running the handle's callbacks until dropped
/// (also when unwinding), restoring what was there (nested runs).
struct CallbackThread<'a> {
    zh: &'a ZHandle,
    outer: usize,
}

impl<'a> CallbackThread<'a> {
    fn enter(zh: &'a ZHandle) -> Self {
        let outer = zh.st_callback_thread.swap(this_thread(), Ordering::Relaxed);
        CallbackThread { zh, outer }
    }
}

impl Drop for CallbackThread<'_> {
    fn drop(&mut self) {
        self.zh.st_callback_thread.store(self.outer, Ordering::Relaxed);
    }
}
