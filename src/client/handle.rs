//! The handle (`zhandle_t`): the session core behind one lock, the queue
//! callers fill, what the core publishes, and the parts of the driver (the
//! MT threads, or the ST library's transport).

use libc::{c_int, c_void};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, ThreadId};
use std::time::Instant;

use super::completion::JobQueue;
use super::published::Published;
use super::watcher::WatcherFn;
use crate::log::log_callback_fn;
use crate::proto::errors::Error;
use crate::proto::records::Request;
use crate::session::hosts::HostList;
use crate::session::outbox::{Done, Job, Outbox, Unwatch};
use crate::session::watches::WatchReg;
use crate::session::{Config, Session};

use crate::session::state::SessionState;

/// What `ZHandle::close` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    /// The handle is closed: forget it.
    Done,
    /// A forked child's copy of the parent's handle: forget it (its
    /// memory stays).
    Forked,
    /// Another close is under way: nothing to do.
    AlreadyClosing,
    /// Called from a callback inside the ST library's `zookeeper_process`:
    /// the close completes when that call returns (which lets the handle go).
    Deferred,
}

/// Whether this library is the multi-threaded one (`libzookeeper_mt`): an IO
/// thread and a completion thread per handle. Without the feature it is
/// `libzookeeper_st`, driven by the caller through `zookeeper_interest`
/// and `zookeeper_process`.
pub const THREADED: bool = cfg!(feature = "threaded");

/// A session identity: id and password, as `zoo_client_id` returns it.
#[repr(C)]
#[derive(Copy, Clone, Default)]
pub struct clientid_t {
    pub client_id: i64,
    pub passwd: [libc::c_char; 16],
}

/// The state behind a `zhandle_t`.
pub struct ZHandle {
    /// The session core: its one owner; every driver step and every
    /// session-level call goes through this lock.
    pub core: Mutex<Session>,
    /// Requests encoded by callers, taken by the core in one swap.
    pub outbox: Mutex<Outbox>,
    pub published: Arc<Published>,
    pub chroot: Option<Vec<u8>>,
    pub context: AtomicPtr<c_void>,
    pub watcher: Mutex<Option<WatcherFn>>,
    pub log_cb: Mutex<log_callback_fn>,
    /// `zoo_lock_auth`/`zoo_unlock_auth` (kept for the ABI; the core does
    /// not need it).
    pub auth_lock: Mutex<()>,
    // ---- the MT driver ----
    pub wake_fd: c_int,
    /// Set by the IO thread while it waits in poll(): only then do callers
    /// write the wake fd.
    pub io_sleeping: AtomicBool,
    pub jobs: JobQueue,
    pub completion_thread: OnceLock<ThreadId>,
    pub threads: Mutex<Option<(JoinHandle<()>, JoinHandle<()>)>>,
    /// The answer of a read-write probe run on a thread of its own.
    pub probe_result: Mutex<Option<(std::net::SocketAddr, bool)>>,
    /// Names resolved on a thread of their own (both drivers).
    pub resolutions: super::resolve::Resolutions,
    // ---- the ST driver ----
    pub st: Mutex<super::st::StDriver>,
    /// The thread on which the ST library runs callbacks right now, as
    /// `pthread_self` (0: none); a close from one of them is deferred, what
    /// they queue is written per batch. Read by every call (`st::send_now`).
    pub st_callback_thread: AtomicUsize,
    /// The process that created the handle: in a child made by fork() the
    /// handle's threads do not exist, and its socket belongs to the parent.
    pub owner_pid: u32,
    /// TLS settings (`zookeeper_init_ssl`); None: plain TCP.
    pub tls: Option<Arc<super::tls::TlsSettings>>,
}

pub struct InitParams {
    pub hosts: HostList,
    pub chroot: Option<Vec<u8>>,
    pub watcher: Option<WatcherFn>,
    pub timeout: i32,
    pub clientid: Option<clientid_t>,
    pub context: *mut c_void,
    /// `ZOO_READONLY`: a read-only server may serve the session.
    pub read_only: bool,
    pub log_cb: log_callback_fn,
    /// `zookeeper_init_ssl`: the TLS settings every connection uses.
    pub tls: Option<Arc<super::tls::TlsSettings>>,
    /// `zookeeper_init_sasl`: the mechanism authenticating every connection.
    pub sasl: Option<Box<dyn crate::session::sasl::Mechanism>>,
}

/// Adds one to an eventfd's counter (wakes whoever polls it). A closed or
/// invalid descriptor makes the write fail harmlessly (EBADF).
pub(crate) fn signal_eventfd(fd: c_int) {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a local to a descriptor; the kernel checks it.
    unsafe { libc::write(fd, &one as *const u64 as *const c_void, 8) };
}

/// The process's default thread stack size (what pthread_create gives a
/// thread without attributes: the stack rlimit on Linux), so that callbacks
/// run with the stack they would have on the reference client.
pub(crate) fn default_stack_size() -> usize {
    // SAFETY: a pthread_attr_t initialised, read and destroyed locally.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_attr_init(&mut attr) != 0 {
            return 8 << 20;
        }
        let mut size: libc::size_t = 0;
        let rc = libc::pthread_attr_getstacksize(&attr, &mut size);
        libc::pthread_attr_destroy(&mut attr);
        if rc != 0 || size < (1 << 20) {
            8 << 20
        } else {
            size
        }
    }
}

impl ZHandle {
    /// Creates the handle and, in the MT library, starts its IO and
    /// completion threads (what the system refused, if it did).
    pub fn start(p: InitParams) -> std::io::Result<Arc<ZHandle>> {
        super::resolve::seed_once();
        let wake_fd = if THREADED {
            // SAFETY: plain syscall; the fd is owned by the handle and closed in Drop.
            let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            if fd < 0 {
                return Err(std::io::Error::last_os_error());
            }
            fd
        } else {
            -1
        };
        let cid = p.clientid.unwrap_or_default();
        let passwd: [u8; 16] = cid.passwd.map(|c| c as u8);
        let published = Arc::new(Published::new(p.timeout, cid.client_id, &passwd));
        let cfg = Config {
            requested_timeout: p.timeout,
            read_only_allowed: p.read_only,
            chroot: p.chroot.clone(),
            session_id: cid.client_id,
            passwd,
            sasl: p.sasl,
            zero_state_between_connections: !THREADED,
        };
        let resolutions = super::resolve::Resolutions::new(THREADED.then_some(wake_fd));
        let mut hosts = p.hosts;
        let mut early = None;
        if hosts.has_names() {
            // The first resolution, waited for briefly (then left running).
            let entries = hosts.ask(Instant::now());
            resolutions.ask(hosts.epoch, entries);
            early = resolutions.wait(super::resolve::INIT_WAIT);
        }
        let mut core = Session::new(cfg, hosts, published.clone(), p.log_cb.into(), Instant::now());
        if let Some((epoch, addrs)) = early {
            core.resolved(Instant::now(), epoch, addrs);
        }
        let outbox = core.new_outbox();
        let zh = Arc::new(ZHandle {
            core: Mutex::new(core),
            outbox: Mutex::new(outbox),
            published,
            chroot: p.chroot,
            context: AtomicPtr::new(p.context),
            watcher: Mutex::new(p.watcher),
            log_cb: Mutex::new(p.log_cb),
            auth_lock: Mutex::new(()),
            wake_fd,
            io_sleeping: AtomicBool::new(true),
            jobs: JobQueue::default(),
            completion_thread: OnceLock::new(),
            threads: Mutex::new(None),
            probe_result: Mutex::new(None),
            resolutions,
            st: Mutex::new(super::st::StDriver::default()),
            st_callback_thread: AtomicUsize::new(0),
            owner_pid: std::process::id(),
            tls: p.tls,
        });
        if THREADED {
            zh.spawn_threads()?;
        }
        Ok(zh)
    }

    fn spawn_threads(self: &Arc<Self>) -> std::io::Result<()> {
        crate::zlog!(self.log_cb(), ZOO_LOG_LEVEL_DEBUG, "start_threads", "starting threads...");
        let stack = default_stack_size();
        let z1 = self.clone();
        let io = std::thread::Builder::new().name("zk-io".into()).stack_size(stack).spawn(move || super::io::run(z1));
        let io = io?;
        let z2 = self.clone();
        let comp = std::thread::Builder::new().name("zk-completion".into()).stack_size(stack).spawn(move || {
            let _ = z2.completion_thread.set(std::thread::current().id());
            super::completion::run(z2)
        });
        match comp {
            Ok(comp) => {
                *self.threads.lock() = Some((io, comp));
                Ok(())
            }
            Err(e) => {
                self.begin_close();
                let _ = io.join();
                Err(e)
            }
        }
    }

    /// Whether this is a child process forked after the handle was made.
    pub fn in_forked_child(&self) -> bool {
        std::process::id() != self.owner_pid
    }

    pub fn log_cb(&self) -> log_callback_fn {
        *self.log_cb.lock()
    }

    pub fn state(&self) -> SessionState {
        self.published.state()
    }

    pub fn is_unrecoverable(&self) -> bool {
        self.published.is_unrecoverable()
    }

    pub fn is_connected(&self) -> bool {
        self.published.is_connected()
    }

    pub fn is_closing(&self) -> bool {
        self.published.closing()
    }

    pub fn client_id(&self) -> clientid_t {
        self.published.client_id.get()
    }

    /// Wakes the IO thread if it sleeps.
    pub fn wake_if_sleeping(&self) {
        if THREADED && self.io_sleeping.load(Ordering::SeqCst) {
            self.wake();
        }
    }

    pub fn wake(&self) {
        if THREADED {
            signal_eventfd(self.wake_fd);
        }
    }

    /// The server path of a client path (chroot prepended).
    pub fn server_path(&self, path: &[u8]) -> Vec<u8> {
        crate::session::chroot::server_path(self.chroot.as_deref(), path)
    }

    /// The server path of a client path, checked (None: relative, or not
    /// a valid path under the chroot).
    pub fn checked_server_path(&self, path: &[u8], sequential: bool) -> Option<Vec<u8>> {
        crate::session::chroot::checked_server_path(self.chroot.as_deref(), path, sequential)
    }

    /// The client path of a server path (chroot stripped).
    pub fn client_path(&self, path: &[u8]) -> Vec<u8> {
        crate::session::chroot::client_path(self.chroot.as_deref(), path)
    }

    /// Queues a request; its completion runs exactly once. Returns the xid.
    pub fn submit(&self, req: &Request, watch: Option<WatchReg>, unwatch: Option<Unwatch>, done: Done) -> Result<i32, Error> {
        if self.is_closing() {
            return Err(Error::Closing);
        }
        let (xid, was_empty) = {
            let mut ob = self.outbox.lock();
            let was_empty = ob.is_empty();
            (ob.push(req, watch, unwatch, done), was_empty)
        };
        if !THREADED {
            super::st::send_now(self);
        } else if was_empty {
            self.wake_if_sleeping();
        }
        Ok(xid)
    }

    /// Runs `f` on the session core, then hands over what it produced
    /// (MT: to the completion thread; ST: kept for `zookeeper_process`) and
    /// wakes the IO thread.
    pub fn with_core<R>(&self, f: impl FnOnce(&mut Session) -> R) -> R {
        let r = {
            let mut core = self.core.lock();
            let r = f(&mut core);
            self.hand_over(&mut core);
            r
        };
        if THREADED {
            self.wake();
        } else {
            super::st::send_now(self);
        }
        r
    }

    /// MT: moves the core's completions and events to the completion
    /// thread, in order (called with the core locked).
    pub fn hand_over(&self, core: &mut Session) {
        if !THREADED || !core.has_jobs() {
            return;
        }
        let mut jobs = core.take_jobs();
        let job = if jobs.len() == 1 { jobs.pop().unwrap() } else { Job::Batch(jobs) };
        self.jobs.send(job);
    }

    /// `zookeeper_close`: ends the session and the handle's threads, in the
    /// order the reference keeps. MT: CloseSession (when connected) and its
    /// answer, bounded by the close deadline, on the IO thread, which this
    /// joins; then the completion thread, which runs every call not
    /// answered (ZCLOSING) before it ends, joined too unless this runs on
    /// it (a close from a callback returns without waiting for itself).
    /// While it runs the handle stays known, so that calls made from
    /// callbacks get ZCLOSING, as with the reference. ST: the same on the
    /// calling thread, or, from a callback inside `zookeeper_process`,
    /// deferred to the end of that call. What the caller does with its
    /// registration of the handle follows from the answer.
    pub fn close(self: &Arc<Self>) -> Closed {
        if self.in_forked_child() {
            // After fork() the handle's threads are gone and its connection
            // is the parent's: nothing is sent, nothing joined; the memory
            // stays with the child (as the reference, which cannot free it
            // either): the threads' handles and one reference are leaked.
            if let Some(t) = self.threads.lock().take() {
                std::mem::forget(t);
            }
            std::mem::forget(self.clone());
            return Closed::Forked;
        }
        if self.is_closing() {
            // Closing already (from another thread or a callback).
            return Closed::AlreadyClosing;
        }
        if self.is_connected() {
            crate::zlog!(
                self.log_cb(),
                ZOO_LOG_LEVEL_INFO,
                "zookeeper_close",
                "Closing zookeeper sessionId={} to {}\n",
                crate::log::c_hex(self.client_id().client_id),
                self.published.current_server_string()
            );
        }
        if THREADED {
            self.begin_close();
            let threads = self.threads.lock().take();
            if let Some((io, comp)) = threads {
                let _ = io.join();
                let on_completion_thread = self.completion_thread.get() == Some(&std::thread::current().id());
                if !on_completion_thread {
                    let _ = comp.join();
                }
            }
        } else if super::st::close_from_callback(self) {
            return Closed::Deferred;
        } else {
            super::st::close(self);
        }
        Closed::Done
    }

    /// Starts closing the session (CloseSession when connected).
    pub fn begin_close(&self) {
        self.with_core(|core| {
            let mut ob = self.outbox.lock();
            core.close(Instant::now(), &mut ob, true);
        });
    }
}

impl Drop for ZHandle {
    fn drop(&mut self) {
        if self.wake_fd >= 0 {
            // SAFETY: the eventfd is owned by the handle and closed once.
            unsafe { libc::close(self.wake_fd) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::hosts;

    /// A handle whose only server never answers: a listener that never
    /// accepts (the kernel completes the TCP connect; the handshake waits
    /// for longer than the test runs). Keep the listener while the handle lives.
    fn unanswered() -> (Arc<ZHandle>, std::net::TcpListener) {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let spec = l.local_addr().unwrap().to_string();
        let (entries, _) = hosts::parse(&spec).unwrap();
        let zh = ZHandle::start(InitParams {
            hosts: HostList::new(spec, entries),
            chroot: None,
            watcher: None,
            timeout: 10_000,
            clientid: None,
            context: std::ptr::null_mut(),
            read_only: false,
            log_cb: None,
            tls: None,
            sasl: None,
        })
        .unwrap();
        (zh, l)
    }

    #[test]
    fn close_completes_every_call_once_ends_the_threads_and_happens_once() {
        let (zh, _server) = unanswered();
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = got.clone();
        let done = Done::Queue(Box::new(move |rc, _| g.lock().push(rc)));
        zh.submit(&Request::Exists { path: b"/a".to_vec(), watch: false }, None, None, done).unwrap();
        assert_eq!(zh.close(), Closed::Done);
        assert!(zh.threads.lock().is_none(), "the threads are joined");
        assert_eq!(*got.lock(), vec![Err(Error::Closing)], "the call not answered completes once, with ZCLOSING");
        assert!(zh.core.lock().is_finished());
        assert_eq!(zh.close(), Closed::AlreadyClosing);
        let late = zh.submit(&Request::Exists { path: b"/a".to_vec(), watch: false }, None, None, Done::Nothing);
        assert_eq!(late, Err(Error::Closing));
    }
}
