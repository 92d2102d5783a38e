//! The handle (`zhandle_t`): session identity and state, the outgoing
//! request queue shared with the IO thread, auth and watch registries.

use libc::{c_int, c_void};
use parking_lot::Mutex;
use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::ffi::CString;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicPtr, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::{JoinHandle, ThreadId};

use super::completion::{Callback, Job, JobQueue};
use super::hosts::HostList;
use super::watches::{WatchReg, Watcher, WatcherFn, WatchRegistry, SESSION_EVENT};
use crate::log::log_callback_fn;
use crate::proto::errors::ZINVALIDSTATE;
use crate::proto::records::{Expect, Reply, Request};

/// A session identity: id and password, as `zoo_client_id` returns it.
#[repr(C)]
#[derive(Copy, Clone, Default)]
pub struct clientid_t {
    pub client_id: i64,
    pub passwd: [libc::c_char; 16],
}

pub const EXPIRED_SESSION_STATE: i32 = -112;
pub const AUTH_FAILED_STATE: i32 = -113;
pub const CONNECTING_STATE: i32 = 1;
pub const ASSOCIATING_STATE: i32 = 2;
pub const CONNECTED_STATE: i32 = 3;
pub const READONLY_STATE: i32 = 5;
pub const NOTCONNECTED_STATE: i32 = 999;

/// How a reply reaches its caller.
pub enum Done {
    /// On the completion thread, in server order.
    Queue(Callback),
    /// On the IO thread as soon as the reply is decoded (sync calls waiting).
    Inline(Callback),
    /// Nobody is waiting.
    Nothing,
}

/// A request sent (or about to be) and not yet answered.
pub struct Pending {
    pub xid: i32,
    pub expect: Expect,
    pub watch: Option<WatchReg>,
    pub done: Done,
    pub close: bool,
}

/// Frames waiting for the IO thread, and the requests awaiting replies.
#[derive(Default)]
pub struct Outbox {
    pub buf: Vec<u8>,
    /// Number of frames in `buf`.
    pub frames: usize,
    pub inflight: VecDeque<Pending>,
    pub next_xid: i32,
    pub closing: bool,
}

/// Credentials added with `zoo_add_auth`, and completions awaiting replies.
#[derive(Default)]
pub struct Auths {
    pub creds: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pub waiting: Vec<Callback>,
}

/// The state behind a `zhandle_t`.
pub struct ZHandle {
    pub hosts: Mutex<HostList>,
    pub chroot: Option<Vec<u8>>,
    pub state: AtomicI32,
    pub requested_timeout: i32,
    pub negotiated_timeout: AtomicI32,
    pub client_id: UnsafeCell<clientid_t>,
    pub seen_rw: AtomicBool,
    pub last_zxid: AtomicI64,
    pub context: AtomicPtr<c_void>,
    pub watcher: Mutex<Option<WatcherFn>>,
    pub log_cb: Mutex<log_callback_fn>,
    pub read_only_allowed: bool,
    pub outbox: Mutex<Outbox>,
    pub wake_fd: c_int,
    /// Set by the IO thread while it waits in poll(): only then do callers
    /// write the wake fd.
    pub io_sleeping: AtomicBool,
    /// Set by `zoo_set_servers` when the client should move to another server.
    pub move_server: AtomicBool,
    pub watches: Mutex<WatchRegistry>,
    pub auths: Mutex<Auths>,
    pub jobs: JobQueue,
    pub connected: Mutex<Option<SocketAddr>>,
    pub current_server: Mutex<CString>,
    pub completion_thread: OnceLock<ThreadId>,
    pub threads: Mutex<Option<(JoinHandle<()>, JoinHandle<()>)>>,
}

// SAFETY: every field is synchronised; `client_id` is written only by the IO
// thread during a handshake, and read by C callers as in the reference.
unsafe impl Sync for ZHandle {}
unsafe impl Send for ZHandle {}

pub struct InitParams {
    pub hosts: HostList,
    pub chroot: Option<Vec<u8>>,
    pub watcher: Option<WatcherFn>,
    pub timeout: i32,
    pub clientid: Option<clientid_t>,
    pub context: *mut c_void,
    pub flags: i32,
    pub log_cb: log_callback_fn,
}

impl ZHandle {
    /// Creates the handle and starts its IO and completion threads.
    pub fn start(p: InitParams) -> Result<Arc<ZHandle>, i32> {
        let wake_fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if wake_fd < 0 {
            return Err(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EMFILE));
        }
        let cid = p.clientid.unwrap_or_default();
        let zh = Arc::new(ZHandle {
            hosts: Mutex::new(p.hosts),
            chroot: p.chroot,
            state: AtomicI32::new(NOTCONNECTED_STATE),
            requested_timeout: p.timeout,
            negotiated_timeout: AtomicI32::new(p.timeout),
            client_id: UnsafeCell::new(cid),
            seen_rw: AtomicBool::new(cid.client_id != 0),
            last_zxid: AtomicI64::new(0),
            context: AtomicPtr::new(p.context),
            watcher: Mutex::new(p.watcher),
            log_cb: Mutex::new(p.log_cb),
            read_only_allowed: p.flags & 1 != 0,
            outbox: Mutex::new(Outbox { next_xid: 1, ..Default::default() }),
            wake_fd,
            io_sleeping: AtomicBool::new(true),
            move_server: AtomicBool::new(false),
            watches: Mutex::new(WatchRegistry::default()),
            auths: Mutex::new(Auths::default()),
            jobs: JobQueue::default(),
            connected: Mutex::new(None),
            current_server: Mutex::new(CString::default()),
            completion_thread: OnceLock::new(),
            threads: Mutex::new(None),
        });
        let z1 = zh.clone();
        let io = std::thread::Builder::new().name("zk-io".into()).spawn(move || super::io::run(z1));
        let io = match io {
            Ok(t) => t,
            Err(e) => return Err(e.raw_os_error().unwrap_or(libc::EAGAIN)),
        };
        let z2 = zh.clone();
        let comp = std::thread::Builder::new().name("zk-completion".into()).spawn(move || {
            let _ = z2.completion_thread.set(std::thread::current().id());
            super::completion::run(z2)
        });
        let comp = match comp {
            Ok(t) => t,
            Err(e) => {
                zh.begin_close();
                let _ = io.join();
                return Err(e.raw_os_error().unwrap_or(libc::EAGAIN));
            }
        };
        *zh.threads.lock() = Some((io, comp));
        Ok(zh)
    }

    pub fn log_cb(&self) -> log_callback_fn {
        *self.log_cb.lock()
    }

    pub fn state(&self) -> i32 {
        self.state.load(Ordering::Acquire)
    }

    pub fn set_state(&self, s: i32) {
        self.state.store(s, Ordering::Release)
    }

    pub fn is_unrecoverable(&self) -> bool {
        self.state() < 0
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.state(), CONNECTED_STATE | READONLY_STATE)
    }

    pub fn client_id(&self) -> clientid_t {
        unsafe { *self.client_id.get() }
    }

    /// Wakes the IO thread if it sleeps.
    pub fn wake_if_sleeping(&self) {
        if self.io_sleeping.load(Ordering::SeqCst) {
            self.wake();
        }
    }

    pub fn wake(&self) {
        let one: u64 = 1;
        unsafe { libc::write(self.wake_fd, &one as *const u64 as *const c_void, 8) };
    }

    /// The server path of a client path (chroot prepended).
    pub fn server_path(&self, path: &[u8]) -> Vec<u8> {
        match &self.chroot {
            None => path.to_vec(),
            Some(c) if path == b"/" => c.clone(),
            Some(c) => {
                let mut v = Vec::with_capacity(c.len() + path.len());
                v.extend_from_slice(c);
                v.extend_from_slice(path);
                v
            }
        }
    }

    /// The client path of a server path (chroot stripped).
    pub fn client_path(&self, path: &[u8]) -> Vec<u8> {
        match &self.chroot {
            None => path.to_vec(),
            Some(c) => match path.strip_prefix(c.as_slice()) {
                Some(b"") => b"/".to_vec(),
                Some(rest) => rest.to_vec(),
                None => path.to_vec(),
            },
        }
    }

    /// Queues a request; its completion runs exactly once.
    pub fn submit(&self, req: &Request, watch: Option<WatchReg>, done: Done) -> Result<(), i32> {
        let expect = req.expect();
        let was_empty;
        {
            let mut ob = self.outbox.lock();
            if ob.closing {
                return Err(ZINVALIDSTATE);
            }
            let xid = ob.next_xid;
            ob.next_xid = if xid >= i32::MAX - 1 { 1 } else { xid + 1 };
            was_empty = ob.buf.is_empty();
            req.encode_frame(xid, &mut ob.buf);
            ob.frames += 1;
            ob.inflight.push_back(Pending { xid, expect, watch, done, close: false });
        }
        if was_empty {
            self.wake_if_sleeping();
        }
        Ok(())
    }

    /// Queues raw control frames (auth) without a pending entry.
    pub fn submit_control(&self, frame: &[u8]) {
        let was_empty;
        {
            let mut ob = self.outbox.lock();
            was_empty = ob.buf.is_empty();
            ob.buf.extend_from_slice(frame);
            ob.frames += 1;
        }
        if was_empty {
            self.wake();
        }
    }

    /// Marks the handle closing and, when connected, queues CloseSession.
    pub fn begin_close(&self) {
        let connected = self.is_connected();
        {
            let mut ob = self.outbox.lock();
            if ob.closing {
                return;
            }
            ob.closing = true;
            if connected {
                let xid = ob.next_xid;
                ob.next_xid += 1;
                Request::Close.encode_frame(xid, &mut ob.buf);
                ob.frames += 1;
                ob.inflight.push_back(Pending { xid, expect: Expect::Void, watch: None, done: Done::Nothing, close: true });
            }
        }
        self.wake();
    }

    /// Hands a result to its caller.
    pub fn deliver(&self, done: Done, rc: i32, reply: Option<Reply>) {
        match done {
            Done::Queue(cb) => {
                let _ = self.jobs.send(Job::Complete(cb, rc, reply));
            }
            Done::Inline(cb) => cb(rc, reply),
            Done::Nothing => {}
        }
    }

    /// Hands a result to its caller, queued results into `batch`.
    pub fn deliver_into(&self, batch: &mut Vec<Job>, done: Done, rc: i32, reply: Option<Reply>) {
        match done {
            Done::Queue(cb) => batch.push(Job::Complete(cb, rc, reply)),
            Done::Inline(cb) => cb(rc, reply),
            Done::Nothing => {}
        }
    }

    /// Queues a session event for the default watcher and every watcher
    /// registered on a path, as the reference does.
    pub fn session_event(&self, state: i32) {
        let mut ws: Vec<Watcher> = Vec::new();
        if let Some(f) = *self.watcher.lock() {
            ws.push(Watcher { func: f, ctx: self.context.load(Ordering::Acquire) as usize });
        }
        self.watches.lock().all(&mut ws);
        if !ws.is_empty() {
            let _ = self.jobs.send(Job::Watch(ws, SESSION_EVENT, state, CString::default()));
        }
    }

    /// Fails every request not yet answered, and every auth completion.
    pub fn fail_all(&self, rc: i32, drop_unsent: bool) {
        let pend: Vec<Pending> = {
            let mut ob = self.outbox.lock();
            if drop_unsent {
                ob.buf.clear();
                ob.frames = 0;
            }
            ob.inflight.drain(..).collect()
        };
        for p in pend {
            self.deliver(p.done, rc, None);
        }
        let waiting: Vec<Callback> = self.auths.lock().waiting.drain(..).collect();
        for cb in waiting {
            let _ = self.jobs.send(Job::Complete(cb, rc, None));
        }
    }

    pub fn set_current_server(&self, a: &SocketAddr) {
        *self.current_server.lock() = CString::new(super::hosts::format_addr(a)).unwrap_or_default();
    }
}

impl Drop for ZHandle {
    fn drop(&mut self) {
        unsafe { libc::close(self.wake_fd) };
    }
}
