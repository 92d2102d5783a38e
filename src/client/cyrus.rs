//! SASL mechanisms through Cyrus SASL (`libsasl2.so.2`), the library the
//! upstream C client uses and the applications' callback arrays are made
//! for (DIGEST-MD5, GSSAPI, SCRAM, PLAIN... come as its plugins).
//!
//! The library is loaded with `dlopen` the first time a SASL handle is made
//! (`zookeeper_init_sasl`), so programs that never authenticate with SASL
//! neither link nor load it. An application that calls `sasl_client_init`
//! itself has it loaded already, and `dlopen` returns that same instance.

use libc::{c_char, c_int, c_uint, c_ulong, c_void};
use std::ffi::{CStr, CString};
use std::net::SocketAddr;
use std::sync::OnceLock;

use crate::session::sasl::{Mechanism, Step};

/// The soname of Cyrus SASL 2.
pub const LIBSASL2: &CStr = c"libsasl2.so.2";

/// Result codes of Cyrus SASL (sasl/sasl.h).
pub const SASL_OK: c_int = 0;
pub const SASL_CONTINUE: c_int = 1;
pub const SASL_INTERACT: c_int = 2;
pub const SASL_FAIL: c_int = -1;
pub const SASL_BADPARAM: c_int = -7;
pub const SASL_NOTINIT: c_int = -12;

/// Callback ids (sasl/sasl.h).
pub const SASL_CB_LIST_END: c_ulong = 0;
pub const SASL_CB_USER: c_ulong = 0x4001;
pub const SASL_CB_AUTHNAME: c_ulong = 0x4002;
pub const SASL_CB_PASS: c_ulong = 0x4004;
pub const SASL_CB_GETREALM: c_ulong = 0x4008;

/// Cyrus's `sasl_callback_t`: an id, a function whose real type depends on
/// the id, and its context.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SaslCallback {
    pub id: c_ulong,
    pub proc_: Option<unsafe extern "C" fn() -> c_int>,
    pub context: *mut c_void,
}

/// Cyrus's opaque connection state.
#[repr(C)]
pub struct SaslConn {
    _private: [u8; 0],
}

/// Cyrus's `sasl_secret_t` header: the length, then the bytes.
#[repr(C)]
pub struct SaslSecret {
    len: c_ulong,
    data: [u8; 0],
}

/// The secrets handed to Cyrus by the PASS callbacks of this library, per
/// Cyrus connection (which keeps the pointer): each lives, in u64 words
/// (aligned for the header), until that connection is disposed, and is
/// wiped then.
fn secrets() -> &'static parking_lot::Mutex<std::collections::HashMap<usize, Vec<u64>>> {
    static S: OnceLock<parking_lot::Mutex<std::collections::HashMap<usize, Vec<u64>>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// Keeps `password` as a `sasl_secret_t` for `conn` (replacing an earlier
/// one of that connection) and returns it.
pub fn keep_secret(conn: *mut SaslConn, password: &[u8]) -> *mut SaslSecret {
    // Header, bytes and a NUL.
    let words = (std::mem::size_of::<c_ulong>() + password.len() + 1).div_ceil(8);
    let mut v = vec![0u64; words];
    let s = v.as_mut_ptr() as *mut SaslSecret;
    // SAFETY: `v` has room for the header, the bytes and a NUL (words above)
    // and is aligned for the header.
    unsafe {
        (*s).len = password.len() as c_ulong;
        std::ptr::copy_nonoverlapping(password.as_ptr(), std::ptr::addr_of_mut!((*s).data) as *mut u8, password.len());
    }
    let mut map = secrets().lock();
    if let Some(mut old) = map.insert(conn as usize, v) {
        wipe(&mut old);
    }
    s
}

/// Drops the secret of a disposed connection.
fn forget_secret(conn: *mut SaslConn) {
    if let Some(mut old) = secrets().lock().remove(&(conn as usize)) {
        wipe(&mut old);
    }
}

/// Zeroes memory that held a password.
pub fn wipe<T: Copy + Default>(v: &mut [T]) {
    for w in v.iter_mut() {
        // SAFETY: a valid, aligned element of ours; volatile so that the wipe is not optimised away.
        unsafe { std::ptr::write_volatile(w, T::default()) };
    }
}

type ClientInit = unsafe extern "C" fn(*const SaslCallback) -> c_int;
type ClientNew = unsafe extern "C" fn(
    *const c_char,
    *const c_char,
    *const c_char,
    *const c_char,
    *const SaslCallback,
    c_uint,
    *mut *mut SaslConn,
) -> c_int;
type ClientStart =
    unsafe extern "C" fn(*mut SaslConn, *const c_char, *mut *mut c_void, *mut *const c_char, *mut c_uint, *mut *const c_char) -> c_int;
type ClientStep = unsafe extern "C" fn(*mut SaslConn, *const c_char, c_uint, *mut *mut c_void, *mut *const c_char, *mut c_uint) -> c_int;
type Dispose = unsafe extern "C" fn(*mut *mut SaslConn);
type ErrDetail = unsafe extern "C" fn(*mut SaslConn) -> *const c_char;
type ErrString = unsafe extern "C" fn(c_int, *const c_char, *mut *const c_char) -> *const c_char;

/// The functions of libsasl2 the client uses.
struct Cyrus {
    client_init: ClientInit,
    client_new: ClientNew,
    client_start: ClientStart,
    client_step: ClientStep,
    dispose: Dispose,
    errdetail: ErrDetail,
    errstring: ErrString,
}

static CYRUS: OnceLock<Result<Cyrus, String>> = OnceLock::new();

/// Held around every call into Cyrus: its initialisation is not
/// thread-safe (a connection made while another thread initialises it
/// fails or corrupts its state), and Debian's libsasl2 runs with no-op
/// mutexes while plugins share state between connections (DIGEST-MD5's
/// re-authentication cache). The IO threads of several handles, or
/// `zookeeper_close` on any thread, would otherwise call it concurrently.
static CYRUS_LOCK: parking_lot::Mutex<()> = parking_lot::Mutex::new(());

/// Loads libsasl2 once; the error says why it could not be.
fn cyrus() -> Result<&'static Cyrus, String> {
    CYRUS.get_or_init(load).as_ref().map_err(|e| e.clone())
}

fn load() -> Result<Cyrus, String> {
    // SAFETY: dlopen with a NUL-terminated name; the handle is never closed,
    // so the symbols looked up below stay valid for the process's life.
    let lib = unsafe { libc::dlopen(LIBSASL2.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
    if lib.is_null() {
        return Err(format!("cannot load {}: {}", LIBSASL2.to_string_lossy(), dlerror()));
    }
    let sym = |name: &CStr| -> Result<*mut c_void, String> {
        // SAFETY: `lib` is a live handle and `name` NUL-terminated.
        let p = unsafe { libc::dlsym(lib, name.as_ptr()) };
        if p.is_null() {
            Err(format!("{} has no {}", LIBSASL2.to_string_lossy(), name.to_string_lossy()))
        } else {
            Ok(p)
        }
    };
    // SAFETY: each symbol is the libsasl2 function of that name, whose C
    // prototype (sasl/sasl.h) is the type it is converted to.
    unsafe {
        Ok(Cyrus {
            client_init: std::mem::transmute::<*mut c_void, ClientInit>(sym(c"sasl_client_init")?),
            client_new: std::mem::transmute::<*mut c_void, ClientNew>(sym(c"sasl_client_new")?),
            client_start: std::mem::transmute::<*mut c_void, ClientStart>(sym(c"sasl_client_start")?),
            client_step: std::mem::transmute::<*mut c_void, ClientStep>(sym(c"sasl_client_step")?),
            dispose: std::mem::transmute::<*mut c_void, Dispose>(sym(c"sasl_dispose")?),
            errdetail: std::mem::transmute::<*mut c_void, ErrDetail>(sym(c"sasl_errdetail")?),
            errstring: std::mem::transmute::<*mut c_void, ErrString>(sym(c"sasl_errstring")?),
        })
    }
}

fn dlerror() -> String {
    // SAFETY: dlerror returns NULL or a NUL-terminated string valid until the next dl call.
    let e = unsafe { libc::dlerror() };
    if e.is_null() {
        return "unknown error".into();
    }
    // SAFETY: non-NULL, NUL-terminated (above).
    unsafe { CStr::from_ptr(e) }.to_string_lossy().into_owned()
}

fn text(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: Cyrus returns NUL-terminated strings (or NULL, handled above).
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

/// What `zookeeper_init_sasl` was given, copied.
pub struct Params {
    pub service: CString,
    /// The server name the mechanism authenticates (None: the peer's address).
    pub host: Option<CString>,
    pub mechlist: CString,
    /// The application's callback array: it must outlive the handle.
    pub callbacks: *const SaslCallback,
}

/// One handle's SASL client: a new Cyrus connection for every server connection.
pub struct CyrusMechanism {
    cyrus: &'static Cyrus,
    params: Params,
    conn: *mut SaslConn,
}

// SAFETY: the Cyrus connection and the callback array are used by one thread
// at a time (the core's owner, under its lock); Cyrus connections are not
// tied to the thread that made them.
unsafe impl Send for CyrusMechanism {}

impl CyrusMechanism {
    pub fn new(params: Params) -> Result<Self, String> {
        Ok(CyrusMechanism { cyrus: cyrus()?, params, conn: std::ptr::null_mut() })
    }

    fn dispose(&mut self) {
        if !self.conn.is_null() {
            let conn = self.conn;
            // SAFETY: `conn` came from sasl_client_new and is disposed once (then NULL).
            unsafe { (self.cyrus.dispose)(&mut self.conn) };
            self.conn = std::ptr::null_mut();
            forget_secret(conn);
        }
    }

    /// Cyrus's message for `rc`, with the connection's detail.
    fn error(&self, what: &str, rc: c_int) -> String {
        // SAFETY: sasl_errstring takes any code; NULL language list and outlang are allowed.
        let s = text(unsafe { (self.cyrus.errstring)(rc, std::ptr::null(), std::ptr::null_mut()) });
        let d = if self.conn.is_null() {
            String::new()
        } else {
            // SAFETY: `conn` is a live Cyrus connection.
            text(unsafe { (self.cyrus.errdetail)(self.conn) })
        };
        if d.is_empty() || d == s {
            format!("{what}: {s} (SASL rc={rc})")
        } else {
            format!("{what}: {d} (SASL rc={rc})")
        }
    }

    fn new_conn(&mut self, peer: SocketAddr) -> Result<(), String> {
        self.dispose();
        let host = match &self.params.host {
            Some(h) => h.clone(),
            None => CString::new(peer.ip().to_string()).unwrap_or_default(),
        };
        let remote = CString::new(format!("{};{}", peer.ip(), peer.port())).unwrap_or_default();
        let new = |m: &mut Self| {
            let mut conn = std::ptr::null_mut();
            // SAFETY: NUL-terminated strings of ours; the callback array is
            // the application's, valid for the handle's life (documented on
            // zookeeper_init_sasl); `conn` a local out-parameter.
            let rc = unsafe {
                (m.cyrus.client_new)(
                    m.params.service.as_ptr(),
                    host.as_ptr(),
                    std::ptr::null(),
                    remote.as_ptr(),
                    m.params.callbacks,
                    0,
                    &mut conn,
                )
            };
            m.conn = if rc == SASL_OK { conn } else { std::ptr::null_mut() };
            rc
        };
        let mut rc = new(self);
        if rc == SASL_NOTINIT {
            // The upstream client requires the application to have called
            // sasl_client_init; when it did not, do it (default settings;
            // under CYRUS_LOCK, taken by the caller).
            // SAFETY: NULL means no global callbacks; a second call only counts a reference.
            let irc = unsafe { (self.cyrus.client_init)(std::ptr::null()) };
            if irc != SASL_OK {
                return Err(self.error("initialising the SASL library (sasl_client_init)", irc));
            }
            rc = new(self);
        }
        if rc != SASL_OK {
            return Err(self.error("allocating SASL connection state", rc));
        }
        Ok(())
    }
}

impl Drop for CyrusMechanism {
    fn drop(&mut self) {
        let _cyrus = CYRUS_LOCK.lock();
        self.dispose();
    }
}

/// `len` bytes at `p` (Cyrus's output), copied.
fn output(p: *const c_char, len: c_uint) -> Vec<u8> {
    if p.is_null() || len == 0 {
        return Vec::new();
    }
    // SAFETY: Cyrus's output buffer of `len` bytes, valid until the next call on the connection.
    unsafe { std::slice::from_raw_parts(p as *const u8, len as usize) }.to_vec()
}

impl Mechanism for CyrusMechanism {
    fn start(&mut self, peer: SocketAddr) -> Result<Step, String> {
        let _cyrus = CYRUS_LOCK.lock();
        self.new_conn(peer)?;
        let mut out: *const c_char = std::ptr::null();
        let mut outlen: c_uint = 0;
        let mut mech: *const c_char = std::ptr::null();
        let mut interact: *mut c_void = std::ptr::null_mut();
        // SAFETY: a live connection; the mechanism list is ours; the rest are local out-parameters.
        let rc =
            unsafe { (self.cyrus.client_start)(self.conn, self.params.mechlist.as_ptr(), &mut interact, &mut out, &mut outlen, &mut mech) };
        let mech = text(mech);
        match rc {
            SASL_OK | SASL_CONTINUE => {}
            SASL_INTERACT => {
                return Err(format!("starting SASL negotiation: mechanism {mech} needs a callback the application did not give"))
            }
            _ => return Err(self.error("starting SASL negotiation", rc)),
        }
        // DIGEST-MD5 from Cyrus may offer a re-authentication response from
        // its cache; the ZooKeeper server expects the exchange to start with
        // an empty token (the reference drops it too).
        let first = if mech == "DIGEST-MD5" { Vec::new() } else { output(out, outlen) };
        Ok(if rc == SASL_CONTINUE { Step::Continue(first) } else { Step::Complete(Some(first)) })
    }

    fn step(&mut self, challenge: Option<&[u8]>) -> Result<Step, String> {
        let _cyrus = CYRUS_LOCK.lock();
        let c = challenge.unwrap_or_default();
        let mut out: *const c_char = std::ptr::null();
        let mut outlen: c_uint = 0;
        let mut interact: *mut c_void = std::ptr::null_mut();
        // SAFETY: a live connection (start succeeded); `c` is valid for the call; out-parameters local.
        let rc = unsafe {
            (self.cyrus.client_step)(self.conn, c.as_ptr() as *const c_char, c.len() as c_uint, &mut interact, &mut out, &mut outlen)
        };
        match rc {
            SASL_CONTINUE => Ok(Step::Continue(output(out, outlen))),
            SASL_OK if outlen > 0 => Ok(Step::Complete(Some(output(out, outlen)))),
            SASL_OK => Ok(Step::Complete(None)),
            SASL_INTERACT => Err("SASL step: the mechanism needs a callback the application did not give".into()),
            _ => Err(self.error("SASL step", rc)),
        }
    }
}
