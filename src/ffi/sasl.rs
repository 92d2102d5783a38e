//! SASL at the C surface: `zookeeper_init_sasl` and the callback-array
#![allow(non_camel_case_types)]
//! helpers of the upstream client (3.7+, declared there under
//! `HAVE_CYRUS_SASL_H`), and `zookeeper_init_ssl_sasl` (ours: TLS and SASL
//! on one session). The mechanisms are Cyrus SASL's (`client::cyrus`).

use libc::{c_char, c_int, c_uint, c_ulong, c_void, size_t};
use std::ffi::{CStr, CString};

use super::handle_api::{init_internal, set_errno, tls_settings};
use super::types::*;
use super::*;
use crate::client::cyrus::{self, CyrusMechanism, SaslCallback, SaslConn, SaslSecret};
use crate::client::cyrus::{
    SASL_BADPARAM, SASL_CB_AUTHNAME, SASL_CB_GETREALM, SASL_CB_LIST_END, SASL_CB_PASS, SASL_CB_USER, SASL_FAIL, SASL_OK,
};
use crate::client::handle::clientid_t;
use crate::log::log_callback_fn;
use crate::session::sasl::Mechanism;
use crate::zlog;

/// The SASL service name used when `zoo_sasl_params_t.service` is NULL
/// (the Java client's default).
pub const DEFAULT_SASL_SERVICE: &CStr = c"zookeeper";

/// SASL parameters of `zookeeper_init_sasl` (upstream's layout).
#[repr(C)]
pub struct zoo_sasl_params {
    /// The service name ("zookeeper"; NULL: "zookeeper").
    pub service: *const c_char,
    /// The server's name for the mechanism (DIGEST-MD5 against the Java
    /// server: "zk-sasl-md5"); NULL: the numeric address of the server connected to.
    pub host: *const c_char,
    /// The mechanisms to choose from, e.g. "DIGEST-MD5" (required).
    pub mechlist: *const c_char,
    /// A Cyrus callback array (`sasl_callback_t[]`, ended by SASL_CB_LIST_END),
    /// e.g. from `zoo_sasl_make_basic_callbacks`; it must outlive the handle.
    pub callbacks: *const SaslCallback,
}
pub type zoo_sasl_params_t = zoo_sasl_params;

/// Turns the content of a password file into the password (upstream 3.9):
/// writes at most `buf_size` bytes of it to `buf` and their number to
/// `*passwd_len`; returns SASL_OK (0) or a SASL error code.
pub type zoo_sasl_password_callback_t = Option<
    unsafe extern "C" fn(
        content: *const c_char,
        content_len: size_t,
        context: *mut c_void,
        buf: *mut c_char,
        buf_size: size_t,
        passwd_len: *mut size_t,
    ) -> c_int,
>;

/// Where the password of `zoo_sasl_make_password_callbacks` comes from
/// (upstream's layout): the file, passed through `callback` if not NULL
/// (otherwise its first line). With no file, `callback` is called with
/// content NULL and length 0 (ours: a password that is not in a file).
#[repr(C)]
pub struct zoo_sasl_password {
    pub password_file: *const c_char,
    pub context: *mut c_void,
    pub callback: zoo_sasl_password_callback_t,
}
pub type zoo_sasl_password_t = zoo_sasl_password;

/// The PASS callback's context, inside the block the helpers return.
#[repr(C)]
struct PassContext {
    file: *const c_char,
    callback: zoo_sasl_password_callback_t,
    context: *mut c_void,
}

/// What the helpers return, in one malloc'ed block (one `free` releases
/// it): the callback array, then the PASS context, then the strings.
#[repr(C)]
struct CallbackBlock {
    callbacks: [SaslCallback; 5],
    pass: PassContext,
}

/// SASL_CB_USER and SASL_CB_AUTHNAME: the user name (the context; NULL:
/// none, as upstream — GSSAPI then takes the Kerberos principal).
unsafe extern "C" fn get_user(context: *mut c_void, id: c_int, result: *mut *const c_char, len: *mut c_uint) -> c_int {
    ffi_entry!(SASL_FAIL, {
        let id = id as c_ulong;
        if result.is_null() || (id != SASL_CB_USER && id != SASL_CB_AUTHNAME) {
            return SASL_BADPARAM;
        }
        let user = context as *const c_char;
        // SAFETY: `result` (checked) and `len` (NULL or valid) are Cyrus's
        // out-parameters; `user` is NULL or a NUL-terminated string of the block.
        unsafe {
            *result = user;
            if !len.is_null() {
                *len = if user.is_null() { 0 } else { libc::strlen(user) as c_uint };
            }
        }
        SASL_OK
    })
}

/// SASL_CB_GETREALM: the realm given, else the first the server offers.
unsafe extern "C" fn get_realm(context: *mut c_void, id: c_int, availrealms: *mut *const c_char, result: *mut *const c_char) -> c_int {
    ffi_entry!(SASL_FAIL, {
        if result.is_null() || id as c_ulong != SASL_CB_GETREALM {
            return SASL_BADPARAM;
        }
        let realm = if !context.is_null() {
            context as *const c_char
        } else if !availrealms.is_null() {
            // SAFETY: Cyrus passes a NULL-terminated array of realms (or NULL, handled).
            unsafe { *availrealms }
        } else {
            std::ptr::null()
        };
        // SAFETY: `result` is Cyrus's out-parameter (checked above).
        unsafe { *result = realm };
        SASL_OK
    })
}

/// The password, from the PASS context's file and/or callback.
///
/// # Safety
/// `pc` is the PASS context of a live block.
unsafe fn read_password(pc: &PassContext) -> Result<Vec<u8>, c_int> {
    // SAFETY: the block's file name is NULL or NUL-terminated (the caller's contract).
    let file = unsafe { ptr::cstr_opt(pc.file) };
    let content = match file {
        Some(f) => match std::fs::read(<std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(f.to_bytes())) {
            Ok(c) => Some(c),
            Err(e) => {
                zlog!(None, ZOO_LOG_LEVEL_ERROR, "zoo_sasl_getsecret", "cannot read the SASL password file {}: {}", f.to_string_lossy(), e);
                return Err(SASL_FAIL);
            }
        },
        None => None,
    };
    match (pc.callback, content) {
        (Some(cb), content) => {
            let (p, n) = content.as_ref().map_or((std::ptr::null(), 0), |c| (c.as_ptr() as *const c_char, c.len()));
            let mut buf = vec![0u8; n.max(1024)];
            let mut len: size_t = 0;
            // SAFETY: the application's callback with its context; `p` is NULL
            // or `n` bytes; `buf` has `buf.len()` writable bytes; `len` is local.
            let rc = unsafe { cb(p, n, pc.context, buf.as_mut_ptr() as *mut c_char, buf.len(), &mut len) };
            if rc != SASL_OK {
                zlog!(None, ZOO_LOG_LEVEL_ERROR, "zoo_sasl_getsecret", "the SASL password callback failed (SASL rc={})", rc);
                return Err(rc);
            }
            buf.truncate(len.min(buf.len()));
            Ok(buf)
        }
        (None, Some(mut c)) => {
            // The first line is the password.
            if let Some(i) = c.iter().position(|&b| b == b'\n') {
                c.truncate(i);
            }
            if c.last() == Some(&b'\r') {
                c.pop();
            }
            Ok(c)
        }
        (None, None) => {
            zlog!(
                None,
                ZOO_LOG_LEVEL_ERROR,
                "zoo_sasl_getsecret",
                "the mechanism asks for a password and none was given (no password file)"
            );
            Err(SASL_FAIL)
        }
    }
}

/// SASL_CB_PASS: the password as a `sasl_secret_t`.
unsafe extern "C" fn get_secret(conn: *mut SaslConn, context: *mut c_void, id: c_int, psecret: *mut *mut SaslSecret) -> c_int {
    ffi_entry!(SASL_FAIL, {
        if psecret.is_null() || context.is_null() || conn.is_null() || id as c_ulong != SASL_CB_PASS {
            return SASL_BADPARAM;
        }
        // SAFETY: the PASS context of a block made by the helpers below,
        // which the application keeps until its handles are closed.
        let pc = unsafe { &*(context as *const PassContext) };
        // SAFETY: as above.
        let mut pw = match unsafe { read_password(pc) } {
            Ok(p) => p,
            Err(rc) => return rc,
        };
        // Cyrus keeps the pointer: it lives with the connection.
        let secret = cyrus::keep_secret(conn, &pw);
        cyrus::wipe(&mut pw);
        // SAFETY: `psecret` is Cyrus's out-parameter (checked above).
        unsafe { *psecret = secret };
        SASL_OK
    })
}

/// Builds the malloc'ed block of the helpers.
fn make_callbacks(
    user: Option<&CStr>,
    realm: Option<&CStr>,
    file: Option<&CStr>,
    callback: zoo_sasl_password_callback_t,
    context: *mut c_void,
) -> *mut SaslCallback {
    let head = std::mem::size_of::<CallbackBlock>();
    let strs: [Option<&CStr>; 3] = [user, realm, file];
    let total = head + strs.iter().flatten().map(|s| s.to_bytes_with_nul().len()).sum::<usize>();
    // SAFETY: plain allocation; checked for NULL below.
    let block = unsafe { libc::malloc(total) } as *mut CallbackBlock;
    if block.is_null() {
        set_errno(libc::ENOMEM);
        return std::ptr::null_mut();
    }
    // Copies the strings after the head; their addresses in the block.
    let mut at = head;
    let mut place = |s: Option<&CStr>| -> *const c_char {
        let Some(s) = s else { return std::ptr::null() };
        let b = s.to_bytes_with_nul();
        // SAFETY: `total` counted these bytes after the head.
        let dst = unsafe { (block as *mut u8).add(at) };
        // SAFETY: `dst` has room for `b` (above).
        unsafe { std::ptr::copy_nonoverlapping(b.as_ptr(), dst, b.len()) };
        at += b.len();
        dst as *const c_char
    };
    let (u, r, f) = (place(strs[0]), place(strs[1]), place(strs[2]));
    // SAFETY: each C function has the prototype Cyrus expects for its id
    // (sasl/sasl.h); the array's field type is the generic `int (*)(void)`.
    let (getrealm, getuser, getsecret) = unsafe {
        (
            std::mem::transmute::<*const c_void, unsafe extern "C" fn() -> c_int>(get_realm as *const c_void),
            std::mem::transmute::<*const c_void, unsafe extern "C" fn() -> c_int>(get_user as *const c_void),
            std::mem::transmute::<*const c_void, unsafe extern "C" fn() -> c_int>(get_secret as *const c_void),
        )
    };
    // SAFETY: `block` is a fresh allocation of at least `head` bytes, aligned by malloc.
    unsafe {
        let pass = std::ptr::addr_of_mut!((*block).pass);
        pass.write(PassContext { file: f, callback, context });
        std::ptr::addr_of_mut!((*block).callbacks).write([
            SaslCallback { id: SASL_CB_GETREALM, proc_: Some(getrealm), context: r as *mut c_void },
            SaslCallback { id: SASL_CB_USER, proc_: Some(getuser), context: u as *mut c_void },
            SaslCallback { id: SASL_CB_AUTHNAME, proc_: Some(getuser), context: u as *mut c_void },
            SaslCallback { id: SASL_CB_PASS, proc_: Some(getsecret), context: pass as *mut c_void },
            SaslCallback { id: SASL_CB_LIST_END, proc_: None, context: std::ptr::null_mut() },
        ]);
    }
    block as *mut SaslCallback
}

/// A Cyrus callback array for `zoo_sasl_params_t.callbacks` that answers
/// the user name (`user`, as user and authentication name), the realm
/// (`realm`; NULL: the one the server offers) and the password: the first
/// line of the file `password_file` (read at each authentication).
///
/// Ownership and threads:
// ownership: * * *
/// - `user`, `realm`, `password_file`: the caller's NUL-terminated strings or NULL (no user name:
///   Cyrus asks the mechanism, e.g. GSSAPI's principal; no realm; no password), copied during
///   the call.
/// - Returns one block from libc `malloc` that the caller releases with `free` once every handle
///   using it is closed; NULL with errno ENOMEM.
/// - The callbacks run on the thread that authenticates: the IO thread (MT) or the thread calling
///   `zookeeper_process` (ST).
#[no_mangle]
pub unsafe extern "C" fn zoo_sasl_make_basic_callbacks(
    user: *const c_char,
    realm: *const c_char,
    password_file: *const c_char,
) -> *mut SaslCallback {
    ffi_entry!({
        // SAFETY: NULL or NUL-terminated strings, as documented above.
        let (u, r, f) = unsafe { (ptr::cstr_opt(user), ptr::cstr_opt(realm), ptr::cstr_opt(password_file)) };
        make_callbacks(u, r, f, None, std::ptr::null_mut())
    })
}

/// As `zoo_sasl_make_basic_callbacks`, the password described by
/// `password`: its file's content passed through its callback (if any,
/// else the first line). Ours beyond upstream: with no file and a callback,
/// the callback is called with content NULL and length 0 and gives the
/// password itself.
///
/// Ownership and threads:
// ownership: * * *
/// - `user`, `realm`: as `zoo_sasl_make_basic_callbacks`; `password`: NULL (no password) or the
///   caller's, read during the call (its file name copied; its callback and context kept and
///   used at each authentication, so the context must outlive the handles).
/// - Returns one malloc'ed block to `free` after the handles are closed; NULL with errno set.
/// - The password callback runs on the IO thread (MT) or the thread calling `zookeeper_process` (ST).
#[no_mangle]
pub unsafe extern "C" fn zoo_sasl_make_password_callbacks(
    user: *const c_char,
    realm: *const c_char,
    password: *mut zoo_sasl_password_t,
) -> *mut SaslCallback {
    ffi_entry!({
        // SAFETY: NULL or valid, as documented above.
        let (u, r, pw) = unsafe { (ptr::cstr_opt(user), ptr::cstr_opt(realm), ptr::in_ref(password)) };
        let (file, cb, ctx) = match pw {
            // SAFETY: the file name is NULL or NUL-terminated, as documented.
            Some(p) => (unsafe { ptr::cstr_opt(p.password_file) }, p.callback, p.context),
            None => (None, None, std::ptr::null_mut()),
        };
        make_callbacks(u, r, file, cb, ctx)
    })
}

/// The mechanism of a SASL handle: Ok(None) without parameters (no SASL,
/// as upstream), Err after setting errno and logging why.
///
/// # Safety
/// `p` is NULL or valid as documented on `zookeeper_init_sasl`.
unsafe fn mechanism(p: *const zoo_sasl_params_t, log_cb: log_callback_fn, func: &str) -> Result<Option<Box<dyn Mechanism>>, ()> {
    // SAFETY: the caller's contract.
    let Some(p) = (unsafe { ptr::in_ref(p) }) else { return Ok(None) };
    // SAFETY: NULL or NUL-terminated strings (the caller's contract).
    let (service, host, mechlist) = unsafe { (ptr::cstr_opt(p.service), ptr::cstr_opt(p.host), ptr::cstr_opt(p.mechlist)) };
    let Some(mechlist) = mechlist else {
        zlog!(log_cb, ZOO_LOG_LEVEL_ERROR, func, "no SASL mechanism list (zoo_sasl_params_t.mechlist is NULL)");
        set_errno(libc::EINVAL);
        return Err(());
    };
    let params = cyrus::Params {
        service: CString::from(service.unwrap_or(DEFAULT_SASL_SERVICE)),
        host: host.map(CString::from),
        mechlist: CString::from(mechlist),
        callbacks: p.callbacks,
    };
    match CyrusMechanism::new(params) {
        Ok(m) => Ok(Some(Box::new(m))),
        Err(e) => {
            zlog!(
                log_cb,
                ZOO_LOG_LEVEL_ERROR,
                func,
                "SASL is not available: {} (install libsasl2-2 and the libsasl2-modules of the mechanism)",
                e
            );
            set_errno(libc::ELIBACC);
            Err(())
        }
    }
}

/// As `zookeeper_init2`, with SASL authentication: on every connection,
/// after the server accepted the session and before the session counts as
/// connected, the client authenticates with a mechanism of
/// `sasl_params->mechlist` through Cyrus SASL (libsasl2, loaded at the first
/// call). Until it succeeds the state stays ZOO_ASSOCIATING_STATE and
/// calls made meanwhile wait; then the CONNECTED event comes and they are
/// sent. If it fails (wrong password, unknown user, mechanism unavailable),
/// the state becomes ZOO_AUTH_FAILED_STATE, watchers get that session event,
/// calls waiting complete with ZAUTHFAILED and later calls return
/// ZINVALIDSTATE. If the application did not call `sasl_client_init`,
/// the library does (with no global callbacks).
///
/// Declared whatever the program defines (the upstream header declares it
/// under `#ifdef HAVE_CYRUS_SASL_H` and then includes `<sasl/sasl.h>`, as
/// this one does): the Cyrus array appears as `struct sasl_callback`, which
/// is `sasl_callback_t`.
///
/// Ownership and threads:
// ownership: * * *
/// - `host`: the caller's NUL-terminated string, read during the call; `clientid`: NULL or the
///   caller's, copied during the call; `fn_`, `context`, `log_callback`: as `zookeeper_init2`.
/// - `sasl_params`: NULL (no SASL: a plain session, as upstream) or the caller's, read during the
///   call (strings copied); its `callbacks` array is kept and must stay valid until
///   `zookeeper_close` returns. The Cyrus callbacks run on the IO thread (MT) or the thread calling
///   `zookeeper_process` (ST), while the handle's session state is locked: they must not call
///   this handle's API (`zoo_add_auth`, `zookeeper_close`...), which would wait for that lock.
/// - Returns a handle the caller owns until `zookeeper_close`, or NULL with errno set (EINVAL: no
///   mechanism list; ELIBACC: libsasl2 cannot be loaded).
#[no_mangle]
pub unsafe extern "C" fn zookeeper_init_sasl(
    host: *const c_char,
    fn_: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
    log_callback: log_callback_fn,
    sasl_params: *mut zoo_sasl_params_t,
) -> *mut zhandle_t {
    ffi_entry!({
        // SAFETY: `sasl_params` is NULL or valid, as documented above.
        let Ok(m) = (unsafe { mechanism(sasl_params, log_callback, "zookeeper_init_sasl") }) else { return std::ptr::null_mut() };
        // SAFETY: `host` and `clientid` are valid as documented above.
        unsafe { init_internal(host, fn_, recv_timeout, clientid, context, flags, log_callback, None, m) }
    })
}

/// Ours, beyond upstream (which cannot combine them): a session over TLS
/// (`cert` as `zookeeper_init_ssl`) that also authenticates with SASL
/// (`sasl_params` as `zookeeper_init_sasl`) on every connection, after the
/// TLS handshake and the session handshake.
///
/// Ownership and threads: as `zookeeper_init_ssl` for `cert` (its files are read during the call)
/// and as `zookeeper_init_sasl` for everything else (`sasl_params` NULL: TLS only). Returns NULL
/// with errno set on a bad certificate string or file (ENOENT, EINVAL) or bad SASL parameters
/// (EINVAL, ELIBACC).
#[no_mangle]
pub unsafe extern "C" fn zookeeper_init_ssl_sasl(
    host: *const c_char,
    cert: *const c_char,
    fn_: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
    log_callback: log_callback_fn,
    sasl_params: *mut zoo_sasl_params_t,
) -> *mut zhandle_t {
    ffi_entry!({
        // SAFETY: `cert` is NULL or NUL-terminated, as documented above.
        let Some(tls) = (unsafe { tls_settings(cert, "zookeeper_init_ssl_sasl") }) else { return std::ptr::null_mut() };
        // SAFETY: `sasl_params` is NULL or valid, as documented above.
        let Ok(m) = (unsafe { mechanism(sasl_params, log_callback, "zookeeper_init_ssl_sasl") }) else { return std::ptr::null_mut() };
        // SAFETY: `host` and `clientid` are valid as documented above.
        unsafe { init_internal(host, fn_, recv_timeout, clientid, context, flags, log_callback, Some(tls), m) }
    })
}
