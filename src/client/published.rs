//! What the session core publishes for callers to read without asking it:
//! state, negotiated timeout, session identity, the server in use, in the
//! layouts the C API hands out (a `clientid_t` that `zoo_client_id` points
//! at, the current server as a C string that stays valid). Written only by
//! the core, through `session::Publish`; read by any thread.

use libc::c_char;
use parking_lot::Mutex;
use std::ffi::CString;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicI8, AtomicPtr, Ordering};

use super::handle::clientid_t;
use crate::session::hosts::format_addr;
use crate::session::state::SessionState;
use crate::session::Publish;

/// A session identity laid out exactly as `clientid_t` (an `i64` and 16
/// bytes), made of atomics: `zoo_client_id` hands C a pointer to it, and
/// the core updates it with atomic stores, so no reader races a plain write.
#[repr(C)]
pub struct SharedClientId {
    pub client_id: AtomicI64,
    pub passwd: [AtomicI8; 16],
}

const _: () = assert!(std::mem::size_of::<SharedClientId>() == std::mem::size_of::<clientid_t>());
const _: () = assert!(std::mem::align_of::<SharedClientId>() == std::mem::align_of::<clientid_t>());

impl SharedClientId {
    pub fn get(&self) -> clientid_t {
        let mut c = clientid_t { client_id: self.client_id.load(Ordering::Acquire), passwd: [0; 16] };
        for (d, s) in c.passwd.iter_mut().zip(self.passwd.iter()) {
            *d = s.load(Ordering::Relaxed) as c_char;
        }
        c
    }

    pub fn set(&self, id: i64, passwd: &[u8]) {
        for (i, p) in self.passwd.iter().enumerate() {
            p.store(passwd.get(i).copied().unwrap_or(0) as i8, Ordering::Relaxed);
        }
        self.client_id.store(id, Ordering::Release);
    }
}

pub struct Published {
    state: AtomicI32,
    closing: AtomicBool,
    timeout: AtomicI32,
    pub client_id: SharedClientId,
    connected: Mutex<Option<SocketAddr>>,
    /// Every server name formatted so far, kept for the handle's lifetime so
    /// that `zoo_get_current_server` returns storage that stays valid.
    servers: Mutex<Vec<(SocketAddr, CString)>>,
    current_server: AtomicPtr<c_char>,
}

static EMPTY: &std::ffi::CStr = c"";

impl Published {
    pub fn new(timeout: i32, id: i64, passwd: &[u8]) -> Self {
        let p = Published {
            state: AtomicI32::new(SessionState::NotConnected.code()),
            closing: AtomicBool::new(false),
            timeout: AtomicI32::new(timeout),
            client_id: SharedClientId { client_id: AtomicI64::new(0), passwd: Default::default() },
            connected: Mutex::new(None),
            servers: Mutex::new(Vec::new()),
            current_server: AtomicPtr::new(EMPTY.as_ptr() as *mut c_char),
        };
        p.client_id.set(id, passwd);
        p
    }

    pub fn state(&self) -> SessionState {
        // Only `set_state_` stores, and it stores a state's code.
        SessionState::from_code(self.state.load(Ordering::Acquire)).unwrap_or(SessionState::Closed)
    }
    fn set_state_(&self, s: SessionState) {
        self.state.store(s.code(), Ordering::Release)
    }
    pub fn is_connected(&self) -> bool {
        self.state().is_connected()
    }
    pub fn is_unrecoverable(&self) -> bool {
        self.state().is_unrecoverable()
    }
    pub fn closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }
    fn set_closing_(&self) {
        self.closing.store(true, Ordering::Release)
    }
    pub fn timeout(&self) -> i32 {
        self.timeout.load(Ordering::Relaxed)
    }
    fn set_timeout_(&self, t: i32) {
        self.timeout.store(t, Ordering::Relaxed)
    }
    pub fn connected(&self) -> Option<SocketAddr> {
        *self.connected.lock()
    }
    fn set_connected_(&self, a: Option<SocketAddr>) {
        *self.connected.lock() = a;
    }

    /// The server being tried or used, as "host:port"; the pointer stays
    /// valid as long as the handle.
    pub fn current_server(&self) -> *const c_char {
        self.current_server.load(Ordering::Acquire)
    }

    fn set_current_server_(&self, a: &SocketAddr) {
        let mut v = self.servers.lock();
        let p = match v.iter().find(|(x, _)| x == a) {
            Some((_, s)) => s.as_ptr(),
            None => {
                let s = CString::new(format_addr(a)).unwrap_or_default();
                let p = s.as_ptr();
                // Most sessions only ever use one server: room for one
                // first (a push would make room for four).
                v.reserve_exact(1);
                // The CString's heap buffer does not move when the Vec grows.
                v.push((*a, s));
                p
            }
        };
        self.current_server.store(p as *mut c_char, Ordering::Release);
    }

    /// The current server as a Rust string (for log lines).
    pub fn current_server_string(&self) -> String {
        self.current_server_string_()
    }

    fn current_server_string_(&self) -> String {
        // SAFETY: the pointer is EMPTY or a CString owned by `servers`, which
        // lives as long as `self` and never drops an entry.
        unsafe { std::ffi::CStr::from_ptr(self.current_server()) }.to_string_lossy().into_owned()
    }
}

impl Publish for Published {
    fn set_state(&self, s: SessionState) {
        self.set_state_(s)
    }
    fn set_closing(&self) {
        self.set_closing_()
    }
    fn set_timeout(&self, t: i32) {
        self.set_timeout_(t)
    }
    fn set_connected(&self, a: Option<SocketAddr>) {
        self.set_connected_(a)
    }
    fn set_current_server(&self, a: &SocketAddr) {
        self.set_current_server_(a)
    }
    fn set_session(&self, id: i64, passwd: &[u8]) {
        self.client_id.set(id, passwd)
    }
    fn current_server_string(&self) -> String {
        self.current_server_string_()
    }
}
