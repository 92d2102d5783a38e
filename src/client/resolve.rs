//! Name resolution off the session's path: the system resolver
//! (`getaddrinfo`, through std) runs on a short-lived thread of the
//! handle's, at most one at a time, and the session core is handed its
//! answer at the driver's next turn. Neither the core's lock nor any
//! caller ever waits for it (`zookeeper_init` only up to `INIT_WAIT`).

use parking_lot::{Condvar, Mutex};
use std::collections::HashMap;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::session::hosts::{HostList, HostPort};

/// The server list of a connect string's entries (its address literals
/// shuffled by the generator, which is seeded first).
pub fn host_list(spec: String, entries: Vec<HostPort>) -> HostList {
    seed_once();
    HostList::new(spec, entries)
}

/// How long `zookeeper_init` waits for the names of its connect string
/// (so that, as with the reference, the first attempt can start at once
/// when the resolver answers promptly). A resolver that takes longer is
/// not waited for: the handle is returned, CONNECTING, and its driver
/// takes the answer when it comes.
pub const INIT_WAIT: Duration = Duration::from_millis(50);

/// While a resolution runs, the ST library asks its event loop to call
/// `zookeeper_interest` again at least this often (it cannot be woken by
/// the resolver's thread).
pub const ST_POLL: Duration = Duration::from_millis(10);

/// Addresses whose names are remembered (for the TLS check); past this
/// many (servers that moved again and again), the memory starts anew.
const ORIGINS_MAX: usize = 1024;

/// Resolves every entry; names that do not resolve are skipped, an address
/// listed twice is kept once. With each address, the name it came from (for
/// the TLS certificate check). Blocks while the system resolver does: only
/// ever called on a resolver thread.
pub fn resolve(hosts: &[HostPort]) -> Vec<(SocketAddr, String)> {
    let mut v: Vec<(SocketAddr, String)> = Vec::new();
    for h in hosts {
        if let Ok(addrs) = (h.host.as_str(), h.port).to_socket_addrs() {
            for a in addrs {
                if !v.iter().any(|(b, _)| *b == a) {
                    v.push((a, h.host.clone()));
                }
            }
        }
    }
    v
}

/// One list's entries to resolve (`epoch` says which list).
type Job = (u64, Vec<HostPort>);

#[derive(Default)]
struct Slot {
    /// The epoch a thread resolves now.
    running: Option<u64>,
    /// Asked for while a thread ran: that thread resolves it next.
    queued: Option<Job>,
    /// The newest answer, not yet taken by the driver.
    answer: Option<(u64, Vec<SocketAddr>)>,
    /// The name each address was last resolved from.
    origins: HashMap<SocketAddr, String>,
}

/// A handle's resolutions. What they share with the resolver thread is made
/// at the first one asked for: a connect string of address literals never
/// asks, and its handle carries no resolver state (nor a second descriptor
/// of the wake eventfd).
pub struct Resolutions {
    shared: OnceLock<Arc<Shared>>,
    /// MT: the IO thread's wake eventfd, duplicated for the resolver thread
    /// when the shared state is made; ST: none.
    wake_fd: Option<RawFd>,
}

/// What a handle and its resolver thread share.
struct Shared {
    slot: Mutex<Slot>,
    answered: Condvar,
    /// A duplicate of the IO thread's wake eventfd (its own, so that it stays
    /// valid for a thread that outlives the handle).
    wake: Option<OwnedFd>,
}

impl Resolutions {
    /// `wake_fd` must stay open while any resolution can be asked for (the
    /// handle's eventfd: it is closed when the handle is dropped).
    pub fn new(wake_fd: Option<RawFd>) -> Self {
        Resolutions { shared: OnceLock::new(), wake_fd }
    }

    /// Starts resolving `hosts` for the list `epoch`. A resolution of the
    /// same list under way answers this too; one of another list is
    /// followed by this one on the same thread (at most one thread per
    /// handle, however long the resolver hangs). When no thread can be
    /// started, the answer is empty at once (the core backs off).
    pub fn ask(&self, epoch: u64, hosts: Vec<HostPort>) {
        let shared = self.shared.get_or_init(|| {
            let wake = self.wake_fd.and_then(dup_fd);
            Arc::new(Shared { slot: Mutex::new(Slot::default()), answered: Condvar::new(), wake })
        });
        let mut s = shared.slot.lock();
        match s.running {
            Some(e) if e == epoch => return,
            Some(_) => {
                s.queued = Some((epoch, hosts));
                return;
            }
            None => {}
        }
        s.running = Some(epoch);
        let me = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("zk-resolve".into())
            .stack_size(super::handle::default_stack_size())
            .spawn(move || me.run((epoch, hosts)));
        if spawned.is_err() {
            s.running = None;
            s.answer = Some((epoch, Vec::new()));
        }
    }

    /// The slot, when any resolution was ever asked for.
    fn slot(&self) -> Option<parking_lot::MutexGuard<'_, Slot>> {
        self.shared.get().map(|sh| sh.slot.lock())
    }

    /// The answer not yet taken, if any.
    pub fn take(&self) -> Option<(u64, Vec<SocketAddr>)> {
        self.slot()?.answer.take()
    }

    /// Whether an answer waits to be taken.
    pub fn answered(&self) -> bool {
        self.slot().is_some_and(|s| s.answer.is_some())
    }

    /// Whether a resolution is under way or its answer not yet taken.
    pub fn pending(&self) -> bool {
        self.slot().is_some_and(|s| s.running.is_some() || s.answer.is_some())
    }

    /// The name `addr` was last resolved from (None: an address literal, or
    /// not resolved by this handle).
    pub fn origin(&self, addr: &SocketAddr) -> Option<String> {
        self.slot()?.origins.get(addr).cloned()
    }

    /// Waits up to `limit` for an answer, and takes it.
    pub fn wait(&self, limit: Duration) -> Option<(u64, Vec<SocketAddr>)> {
        let shared = self.shared.get()?;
        let until = Instant::now() + limit;
        let mut s = shared.slot.lock();
        while s.answer.is_none() {
            if shared.answered.wait_until(&mut s, until).timed_out() {
                break;
            }
        }
        s.answer.take()
    }
}

impl Shared {
    /// The resolver thread: answers, then takes what was queued meanwhile.
    /// A panic (a bug of ours) answers empty, so that the core backs off
    /// and asks again rather than waiting for an answer forever.
    fn run(&self, mut job: Job) {
        loop {
            let found = std::panic::catch_unwind(|| resolve(&job.1)).unwrap_or_default();
            let mut s = self.slot.lock();
            let addrs = found.iter().map(|(a, _)| *a).collect();
            s.origins.extend(found);
            if s.origins.len() > ORIGINS_MAX {
                s.origins.clear();
            }
            s.answer = Some((job.0, addrs));
            self.answered.notify_all();
            let next = s.queued.take();
            s.running = next.as_ref().map(|j| j.0);
            drop(s);
            self.wake();
            match next {
                Some(j) => job = j,
                None => return,
            }
        }
    }

    fn wake(&self) {
        if let Some(fd) = &self.wake {
            super::handle::signal_eventfd(fd.as_raw_fd());
        }
    }
}

/// A descriptor of its own for `fd` (close-on-exec); None when none can be made.
fn dup_fd(fd: RawFd) -> Option<OwnedFd> {
    // SAFETY: fcntl duplicates a descriptor the caller keeps open; the new one
    // is this function's alone and handed to an OwnedFd that closes it once.
    let d = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    // SAFETY: `d` is a fresh descriptor nobody else owns.
    (d >= 0).then(|| unsafe { OwnedFd::from_raw_fd(d) })
}

/// Seeds the core's generator (server order, back-off jitter) once per
/// process, from the clock and the process id.
pub fn seed_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        crate::session::hosts::seed((t.as_nanos() as u64) ^ ((std::process::id() as u64) << 16));
    });
}
