//! The ST library's driver (`libzookeeper_st`): no threads. The caller's
//! event loop asks `zookeeper_interest` which socket to watch, for what and
//! for how long, and calls `zookeeper_process` with what happened; the IO,
//! the completions and the watchers all run on the caller's thread there.

use std::time::{Duration, Instant};

use super::handle::ZHandle;
use super::socket::{self, Transport};
use crate::proto::consts::{AUTH_FAILED_STATE, INTEREST_READ, INTEREST_WRITE};
use crate::proto::errors::{ZAUTHFAILED, ZCONNECTIONLOSS, ZINVALIDSTATE, ZNOTHING, ZOK, ZSESSIONEXPIRED};
use crate::session::{Action, Job, Session};

/// How long a read-write probe may block the caller.
const PROBE_LIMIT: Duration = Duration::from_millis(200);

#[derive(Default)]
pub struct StDriver {
    transport: Option<Transport>,
    /// Connections dropped so far (a turn that drops one reports it).
    drops: u64,
}

/// What `zookeeper_interest` reports.
pub struct Interest {
    pub fd: i32,
    pub events: i32,
    pub wait: Duration,
}

impl StDriver {
    /// Carries out what the core asks for (connect, disconnect, probe).
    fn act(&mut self, core: &mut Session, tls: Option<&super::tls::TlsSettings>, now: Instant) {
        while let Some(a) = core.next_action(now) {
            match a {
                Action::Disconnect => {
                    self.transport = None;
                    self.drops += 1;
                }
                Action::Connect(addr) => match socket::open(&addr, core, tls) {
                    Ok(t) => self.transport = Some(t),
                    Err(msg) => core.transport_failed(now, &msg),
                },
                Action::ProbeRw(addr) => {
                    let rw = socket::is_rw_server(&addr, PROBE_LIMIT);
                    core.probe_done(now, addr, rw);
                }
                Action::Finished => {
                    self.transport = None;
                    return;
                }
            }
        }
    }

    /// One turn of the core: queued calls, readiness, timers, actions,
    /// writes. `connect`: a connection may be started (only
    /// `zookeeper_interest` starts them, as the reference). Returns the bytes read.
    fn turn(&mut self, zh: &ZHandle, core: &mut Session, readable: bool, writable: bool, connect: bool) -> usize {
        self.turn_at(zh, core, readable, writable, connect, Instant::now())
    }

    fn turn_at(&mut self, zh: &ZHandle, core: &mut Session, readable: bool, writable: bool, connect: bool, now: Instant) -> usize {
        core.log_cb = zh.log_cb();
        core.accept(&mut zh.outbox.lock(), now);
        let mut read = 0;
        if let Some(t) = self.transport.as_mut() {
            read = socket::pump(core, t, readable, writable, now);
        }
        core.tick(now);
        if connect || core.has_transport() || core.is_closing() {
            self.act(core, zh.tls.as_deref(), now);
        }
        if let Some(t) = self.transport.as_mut() {
            socket::flush(core, t, now);
        }
        read
    }
}

/// `zookeeper_interest`: starts a connection when one is due, and says
/// which descriptor to watch, for which events, until when.
pub fn interest(zh: &ZHandle) -> Interest {
    let mut st = zh.st.lock();
    let mut core = zh.core.lock();
    // The wait is measured from the time of this turn (as the reference
    // reports a third of the timeout right after starting a connection).
    let now = Instant::now();
    st.turn_at(zh, &mut core, false, false, true, now);
    let mut wait = core.deadline(now).map(|d| d.saturating_duration_since(now)).unwrap_or(Duration::from_secs(60));
    if st.transport.as_mut().is_some_and(|t| t.pending_plaintext()) {
        // Decrypted bytes wait in rustls (poll cannot see them): the next
        // zookeeper_process reads them.
        wait = Duration::ZERO;
    }
    match st.transport.as_ref() {
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
    }
}

/// `zookeeper_process`: performs the IO `events` allow, then runs every
/// completion and watcher produced, on this thread. Returns, as the
/// reference: ZINVALIDSTATE without a connection under way, the session's
/// end code (ZSESSIONEXPIRED, ZAUTHFAILED) when it ended here,
/// ZCONNECTIONLOSS when the connection was lost here, ZNOTHING when asked
/// to read and nothing was there, else ZOK.
pub fn process(zh: &ZHandle, events: i32) -> i32 {
    let (rc, jobs) = {
        let mut st = zh.st.lock();
        let mut core = zh.core.lock();
        if st.transport.is_none() {
            return ZINVALIDSTATE;
        }
        let (state, drops) = (core.state(), st.drops);
        let read = st.turn(zh, &mut core, events & INTEREST_READ != 0, events & INTEREST_WRITE != 0, false);
        let rc = if core.state() < 0 && state >= 0 {
            if core.state() == AUTH_FAILED_STATE { ZAUTHFAILED } else { ZSESSIONEXPIRED }
        } else if st.drops != drops {
            ZCONNECTIONLOSS
        } else if events & INTEREST_READ != 0 && read == 0 {
            ZNOTHING
        } else {
            ZOK
        };
        (rc, core.take_jobs())
    };
    run_jobs(zh, jobs);
    rc
}

/// `zookeeper_close` in the ST library: CloseSession is sent and its
/// answer awaited (bounded by the core's close deadline) on this thread,
/// then every call not answered completes here with ZCLOSING.
pub fn close(zh: &ZHandle) {
    let mut st = zh.st.lock();
    let mut core = zh.core.lock();
    {
        let mut ob = zh.outbox.lock();
        core.close(Instant::now(), &mut ob, false);
    }
    loop {
        st.turn(zh, &mut core, false, false, false);
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
            st.turn(zh, &mut core, readable, writable, false);
        }
    }
    let jobs = core.take_jobs();
    drop(core);
    drop(st);
    run_jobs(zh, jobs);
}

fn run_jobs(zh: &ZHandle, jobs: Vec<Job>) {
    let zptr = zh as *const ZHandle as *mut ZHandle;
    for job in jobs {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| super::completion::run_job(zh, zptr, job)));
    }
}
