//! Handle lifecycle and session-level calls: init and close, state,
//! session id, context, watcher, server list, errors, logging settings.

use libc::{c_char, c_int, c_void, sockaddr, socklen_t, FILE};
use std::ffi::CStr;
use std::sync::atomic::Ordering;

use super::consts::ZOO_ERRORS;
use super::types::*;
use super::*;
use crate::client::handle::{clientid_t, Closed, InitParams, ZHandle};
use crate::log::{self as zklog, log_callback_fn, ZooLogLevel};
use crate::session::hosts;
use crate::session::state::SessionState;
use crate::zlog;

fn uname_field(f: fn(&libc::utsname) -> &[c_char]) -> String {
    // SAFETY: utsname is plain old data; all zeroes is a valid value.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a writable utsname of ours.
    if unsafe { libc::uname(&mut u) } != 0 {
        return String::new();
    }
    let field = f(&u);
    // uname NUL-terminates its fields; read up to the NUL (or the end).
    let bytes: Vec<u8> = field.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn log_env(cb: log_callback_fn) {
    let f = "log_env";
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:zookeeper.version=zookeeper C client 3.8.0");
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:host.name={}", uname_field(|u| &u.nodename));
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:os.name={}", uname_field(|u| &u.sysname));
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:os.arch={}", uname_field(|u| &u.release));
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:os.version={}", uname_field(|u| &u.version));
    let user = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "(null)".into());
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:user.name={}", user);
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:user.home={}", std::env::var("HOME").unwrap_or_default());
    let dir = std::env::current_dir().map(|d| d.display().to_string()).unwrap_or_default();
    zlog!(cb, ZOO_LOG_LEVEL_INFO, f, "Client environment:user.dir={}", dir);
}

pub(crate) fn set_errno(e: c_int) {
    // SAFETY: __errno_location returns this thread's errno, always valid.
    unsafe { *libc::__errno_location() = e };
}

/// # Safety
/// `host` is NULL or a NUL-terminated string and `clientid` NULL or a
/// valid clientid_t, for the call.
#[allow(clippy::too_many_arguments)] // the C initialisers' parameters, passed through
pub(crate) unsafe fn init_internal(
    host: *const c_char,
    watcher: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
    log_cb: log_callback_fn,
    tls: Option<std::sync::Arc<crate::client::tls::TlsSettings>>,
    sasl: Option<Box<dyn crate::session::sasl::Mechanism>>,
) -> *mut zhandle_t {
    if flags & crate::ffi::consts::ZOO_NO_LOG_CLIENTENV == 0 {
        log_env(log_cb);
    }
    // SAFETY: the caller's contract above.
    let (spec, cid) = unsafe { (ptr::cbytes_opt(host), ptr::in_ref(clientid).copied()) };
    let Some(spec) = spec else {
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    let spec = String::from_utf8_lossy(spec).into_owned();
    zlog!(
        log_cb,
        ZOO_LOG_LEVEL_INFO,
        "zookeeper_init_internal",
        "Initiating client connection, host={} sessionTimeout={} watcher={} sessionId={} sessionPasswd={} context={} flags={}",
        spec,
        recv_timeout,
        zklog::c_ptr(watcher.map(|f| f as *const c_void).unwrap_or(std::ptr::null())),
        zklog::c_hex(cid.map(|c| c.client_id).unwrap_or(0)),
        if cid.is_some_and(|c| c.client_id != 0) { "<hidden>" } else { "<null>" },
        zklog::c_ptr(context),
        flags
    );
    let Some((list, chroot)) = hosts::parse(&spec) else {
        zlog!(log_cb, ZOO_LOG_LEVEL_ERROR, "zookeeper_init_internal", "invalid connect string \"{}\"", spec);
        set_errno(libc::EINVAL);
        return std::ptr::null_mut();
    };
    if let Some(c) = &chroot {
        if !is_valid_path(c.as_bytes(), 0) {
            zlog!(log_cb, ZOO_LOG_LEVEL_ERROR, "zookeeper_init_internal", "invalid chroot \"{}\" in the connect string", c);
            set_errno(libc::EINVAL);
            return std::ptr::null_mut();
        }
    }
    let hosts_spec = match spec.find('/') {
        Some(i) => spec[..i].to_string(),
        None => spec.clone(),
    };
    let params = InitParams {
        hosts: crate::client::resolve::host_list(hosts_spec, list),
        chroot: chroot.map(|c| c.into_bytes()),
        watcher,
        timeout: recv_timeout,
        clientid: cid,
        context,
        read_only: flags & crate::ffi::consts::ZOO_READONLY != 0,
        log_cb,
        tls,
        sasl,
    };
    match ZHandle::start(params) {
        Ok(zh) => register(zh),
        Err(e) => {
            set_errno(e.raw_os_error().unwrap_or(libc::EAGAIN));
            std::ptr::null_mut()
        }
    }
}

/// Creates a handle and starts connecting to the ensemble in `host`
/// ("h1:p1,h2:p2[/chroot]", read as the Java client reads it). Names are
/// resolved off the caller's path (waited for at most 50 ms here): names
/// that do not resolve yet give a handle that keeps trying (CONNECTING).
/// Returns NULL with errno set on failure (EINVAL: `host` cannot be parsed).
///
/// Ownership and threads:
// ownership: host default-watcher context returns-handle
/// - `host`: the caller's NUL-terminated string, read during the call; `clientid`: NULL or the
///   caller's, copied during the call.
/// - `fn_`: the default watcher, run on the completion thread (MT) or on the thread calling
///   `zookeeper_process` (ST); `context` is not read (see `zoo_get_context`).
/// - `context`: not read; returned by `zoo_get_context`.
/// - Returns a handle the caller owns until `zookeeper_close`, or NULL with errno set. MT: starts
///   the IO and completion threads.
#[no_mangle]
pub unsafe extern "C" fn zookeeper_init(
    host: *const c_char,
    fn_: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
) -> *mut zhandle_t {
    ffi_entry!({
        // SAFETY: `host` and `clientid` are valid as documented above.
        unsafe { init_internal(host, fn_, recv_timeout, clientid, context, flags, None, None, None) }
    })
}

/// As `zookeeper_init`, with a log callback for this handle.
///
/// Ownership and threads:
// ownership: host default-watcher context * returns-handle
/// - `host`: the caller's NUL-terminated string, read during the call; `clientid`: NULL or the
///   caller's, copied during the call.
/// - `fn_`: the default watcher, run on the completion thread (MT) or on the thread calling
///   `zookeeper_process` (ST); `context` is not read (see `zoo_get_context`).
/// - `context`: not read; returned by `zoo_get_context`.
/// - `log_callback`: receives this handle's log lines on whichever thread logs them (caller, IO or
///   completion thread); each line is valid during its call only.
/// - Returns a handle the caller owns until `zookeeper_close`, or NULL with errno set. MT: starts
///   the IO and completion threads.
#[no_mangle]
pub unsafe extern "C" fn zookeeper_init2(
    host: *const c_char,
    fn_: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
    log_callback: log_callback_fn,
) -> *mut zhandle_t {
    ffi_entry!({
        // SAFETY: `host` and `clientid` are valid as documented above.
        unsafe { init_internal(host, fn_, recv_timeout, clientid, context, flags, log_callback, None, None) }
    })
}

/// As `zookeeper_init`, over TLS. `cert` is the reference's
/// comma-separated string "CA file,client certificate file,client key
/// file[,key password]" (PEM files; the password decrypts an encrypted
/// PKCS#8 key); "CA file" alone connects without a client certificate
/// (servers with ssl.clientAuth=none or want). The server's chain is verified
/// against the CA and its certificate must name the host (or IP address)
/// of the connect string, unless the environment variable
/// ZOO_SSL_HOSTNAME_VERIFICATION is "false" (or 0, no, off) at this call.
/// Every file is read here: NULL with errno ENOENT (missing file) or EINVAL
/// (anything else wrong), and one log line naming the file and the reason.
/// A failed handshake fails the calls waiting with ZSSLCONNECTIONERROR and
/// is retried as any connection attempt.
///
/// Declared whatever the program defines: the reference declares it only
/// under `#ifdef HAVE_OPENSSL_H` (and then includes `<openssl/ossl_typ.h>`
/// and adds `SSL *` members to `zsock_t`). This header includes no OpenSSL
/// header and its `zsock_t` has no TLS members (TLS is rustls inside the
/// library), so a program written for the reference header, which defines
/// `HAVE_OPENSSL_H` before including it, compiles unchanged, and one that
/// does not define it can call this too. Nothing here needs OpenSSL.
///
/// Ownership and threads:
// ownership: * * returns-handle
/// - `host`, `cert`: the caller's NUL-terminated strings, read during the call (the files `cert`
///   names are read during the call too); `clientid`: NULL or the caller's, copied during the call.
/// - `fn_`, `context`: as `zookeeper_init`.
/// - Returns a handle the caller owns until `zookeeper_close`, or NULL with errno set. MT: starts
///   the IO and completion threads.
#[no_mangle]
pub unsafe extern "C" fn zookeeper_init_ssl(
    host: *const c_char,
    cert: *const c_char,
    fn_: watcher_fn,
    recv_timeout: c_int,
    clientid: *const clientid_t,
    context: *mut c_void,
    flags: c_int,
) -> *mut zhandle_t {
    ffi_entry!({
        // SAFETY: `cert` is NULL or a NUL-terminated string, as documented above.
        let Some(tls) = (unsafe { tls_settings(cert, "zookeeper_init_ssl") }) else { return std::ptr::null_mut() };
        // SAFETY: `host` and `clientid` are valid as documented above.
        unsafe { init_internal(host, fn_, recv_timeout, clientid, context, flags, None, Some(tls), None) }
    })
}

/// Reads the TLS configuration of a certificate string (see
/// `zookeeper_init_ssl`): None after setting errno and logging one line.
///
/// # Safety
/// `cert` is NULL or a NUL-terminated string, for the call.
pub(crate) unsafe fn tls_settings(cert: *const c_char, func: &str) -> Option<std::sync::Arc<crate::client::tls::TlsSettings>> {
    // SAFETY: the caller's contract above.
    let Some(c) = (unsafe { ptr::cbytes_opt(cert) }) else {
        zlog!(None, ZOO_LOG_LEVEL_ERROR, func, "no certificate string (NULL)");
        set_errno(libc::EINVAL);
        return None;
    };
    let c = String::from_utf8_lossy(c).into_owned();
    let settings = match crate::client::tls::load(&c, crate::client::tls::hostname_check_from_env()) {
        Ok(s) => s,
        Err(e) => {
            zlog!(None, ZOO_LOG_LEVEL_ERROR, func, "TLS configuration error: {}", e.msg);
            set_errno(e.errno);
            return None;
        }
    };
    if !settings.verify_hostname {
        zlog!(
            None,
            ZOO_LOG_LEVEL_WARN,
            func,
            "{} is off: server certificates are not checked against the host name",
            crate::client::tls::HOSTNAME_ENV
        );
    }
    Some(std::sync::Arc::new(settings))
}

/// Closes the session and frees the handle. Every pending call completes
/// (ZCLOSING). Safe to call from a watcher or completion of this handle.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - After it returns `zh` is gone. Calls not yet answered complete first with ZCLOSING; from a
///   watcher or completion of this handle it returns without waiting for the completion thread
///   (its own).
#[no_mangle]
pub unsafe extern "C" fn zookeeper_close(zh: *mut zhandle_t) -> c_int {
    ffi_entry!({
        if zh.is_null() {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        match z.close() {
            Closed::Done | Closed::Forked => drop(unregister(zh)),
            Closed::AlreadyClosing | Closed::Deferred => {}
        }
        ZOK
    })
}

/// The session state (ZOO_CONNECTED_STATE...), or ZINVALIDSTATE-like 0 for a bad handle.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_state(zh: *mut zhandle_t) -> c_int {
    ffi_entry!(SessionState::Closed.code(), handle(zh).map_or(SessionState::Closed, |z| z.state()).code())
}

/// The session id and password (valid once connected).
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - Returns storage owned by the handle (NULL for a bad handle), valid until `zookeeper_close`;
///   read it while the handle is open.
#[no_mangle]
pub unsafe extern "C" fn zoo_client_id(zh: *mut zhandle_t) -> *const clientid_t {
    ffi_entry!({ handle(zh).map(|z| &z.published.client_id as *const _ as *const clientid_t).unwrap_or(std::ptr::null()) })
}

/// The negotiated session timeout in milliseconds.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_recv_timeout(zh: *mut zhandle_t) -> c_int {
    ffi_entry!({ handle(zh).map(|z| z.published.timeout()).unwrap_or(-1) })
}

/// The context given to `zookeeper_init` or `zoo_set_context`.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - Returns the caller's pointer as given; any thread.
#[no_mangle]
pub unsafe extern "C" fn zoo_get_context(zh: *mut zhandle_t) -> *const c_void {
    ffi_entry!({ handle(zh).map(|z| z.context.load(Ordering::Acquire) as *const c_void).unwrap_or(std::ptr::null()) })
}

/// Replaces the handle's context.
///
/// Ownership and threads:
// ownership: zh-handle context
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `context`: not read; returned by `zoo_get_context`.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_context(zh: *mut zhandle_t, context: *mut c_void) {
    ffi_entry!({
        if let Some(z) = handle(zh) {
            z.context.store(context, Ordering::Release)
        }
    })
}

/// Replaces the default watcher; returns the previous one.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `newFn`: the new default watcher, run on the completion thread (MT) or in `zookeeper_process`
///   (ST).
#[no_mangle]
pub unsafe extern "C" fn zoo_set_watcher(zh: *mut zhandle_t, newFn: watcher_fn) -> watcher_fn {
    ffi_entry!({ handle(zh).and_then(|z| std::mem::replace(&mut *z.watcher.lock(), newFn)) })
}

/// Copies the address of the connected server into `addr`; NULL when not connected.
///
/// Ownership and threads:
// ownership: zh-handle * *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `addr`, `addr_len`: the caller's; `*addr_len` bytes at `addr` are writable, and `*addr_len`
///   becomes the address length.
/// - Returns `addr`, or NULL when not connected or the buffer is too small.
#[no_mangle]
pub unsafe extern "C" fn zookeeper_get_connected_host(zh: *mut zhandle_t, addr: *mut sockaddr, addr_len: *mut socklen_t) -> *mut sockaddr {
    ffi_entry!({
        let Some(z) = handle(zh) else { return std::ptr::null_mut() };
        // SAFETY: `addr_len` is NULL or a valid socklen_t for the call (the contract above).
        let Some(cap) = (unsafe { ptr::out_ref(addr_len) }) else { return std::ptr::null_mut() };
        if addr.is_null() {
            return std::ptr::null_mut();
        }
        let Some(a) = z.published.connected() else { return std::ptr::null_mut() };
        let (ss, len) = crate::client::socket::to_sockaddr(&a);
        if *cap < len {
            return std::ptr::null_mut();
        }
        // SAFETY: sockaddr_storage is plain bytes; `len` ≤ its size.
        let src = unsafe { std::slice::from_raw_parts(&ss as *const _ as *const u8, len as usize) };
        // SAFETY: `addr` has `*addr_len` ≥ `len` writable bytes (the contract above).
        unsafe { ptr::slice_mut_arg(addr as *mut u8, len as i32) }.copy_from_slice(src);
        *cap = len;
        addr
    })
}

/// ZINVALIDSTATE when the session expired or authentication failed, else ZOK.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn is_unrecoverable(zh: *mut zhandle_t) -> c_int {
    ffi_entry!(
        ZINVALIDSTATE,
        match handle(zh) {
            Some(z) if !z.is_unrecoverable() => ZOK,
            _ => ZINVALIDSTATE,
        }
    )
}

/// The reference's texts of the result codes.
const ERROR_TEXTS: &[(ZOO_ERRORS, &CStr)] = &[
    (ZOO_ERRORS::ZOK, c"ok"),
    (ZOO_ERRORS::ZSYSTEMERROR, c"system error"),
    (ZOO_ERRORS::ZRUNTIMEINCONSISTENCY, c"run time inconsistency"),
    (ZOO_ERRORS::ZDATAINCONSISTENCY, c"data inconsistency"),
    (ZOO_ERRORS::ZCONNECTIONLOSS, c"connection loss"),
    (ZOO_ERRORS::ZMARSHALLINGERROR, c"marshalling error"),
    (ZOO_ERRORS::ZUNIMPLEMENTED, c"unimplemented"),
    (ZOO_ERRORS::ZOPERATIONTIMEOUT, c"operation timeout"),
    (ZOO_ERRORS::ZBADARGUMENTS, c"bad arguments"),
    (ZOO_ERRORS::ZINVALIDSTATE, c"invalid zhandle state"),
    (ZOO_ERRORS::ZNEWCONFIGNOQUORUM, c"no quorum of new config is connected and up-to-date with the leader of last committed config - try invoking reconfiguration after new servers are connected and synced"),
    (ZOO_ERRORS::ZRECONFIGINPROGRESS, c"Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)"),
    // The reference has no text for it ("unknown error").
    (ZOO_ERRORS::ZSSLCONNECTIONERROR, c"SSL connection error"),
    (ZOO_ERRORS::ZAPIERROR, c"api error"),
    (ZOO_ERRORS::ZNONODE, c"no node"),
    (ZOO_ERRORS::ZNOAUTH, c"not authenticated"),
    (ZOO_ERRORS::ZBADVERSION, c"bad version"),
    (ZOO_ERRORS::ZNOCHILDRENFOREPHEMERALS, c"no children for ephemerals"),
    (ZOO_ERRORS::ZNODEEXISTS, c"node exists"),
    (ZOO_ERRORS::ZNOTEMPTY, c"not empty"),
    (ZOO_ERRORS::ZSESSIONEXPIRED, c"session expired"),
    (ZOO_ERRORS::ZINVALIDCALLBACK, c"invalid callback"),
    (ZOO_ERRORS::ZINVALIDACL, c"invalid acl"),
    (ZOO_ERRORS::ZAUTHFAILED, c"authentication failed"),
    (ZOO_ERRORS::ZCLOSING, c"zookeeper is closing"),
    (ZOO_ERRORS::ZNOTHING, c"(not error) no server responses to process"),
    (ZOO_ERRORS::ZSESSIONMOVED, c"session moved to another server, so operation is ignored"),
    (ZOO_ERRORS::ZNOTREADONLY, c"state-changing request is passed to read-only server"),
    (ZOO_ERRORS::ZEPHEMERALONLOCALSESSION, c"attempt to create ephemeral node on a local session"),
    (ZOO_ERRORS::ZNOWATCHER, c"the watcher couldn't be found"),
    (ZOO_ERRORS::ZRECONFIGDISABLED, c"attempts to perform a reconfiguration operation when reconfiguration feature is disable"),
    (ZOO_ERRORS::ZSESSIONCLOSEDREQUIRESASLAUTH, c"session closed by server because client is required to do SASL authentication"),
    (ZOO_ERRORS::ZTHROTTLEDOP, c"Operation was throttled due to high load"),
];

/// The text of an error code.
///
/// Ownership and threads:
// ownership: *
/// - Returns a static string; never freed.
#[no_mangle]
pub extern "C" fn zerror(c: c_int) -> *const c_char {
    ffi_entry!({
        if c > 0 {
            // SAFETY: strerror accepts any errno value and returns a static string.
            return unsafe { libc::strerror(c) }.cast_const();
        }
        ERROR_TEXTS.iter().find(|(e, _)| *e as c_int == c).map_or(c"unknown error", |(_, t)| t).as_ptr()
    })
}

/// Sets the library's log level.
#[no_mangle]
pub extern "C" fn zoo_set_debug_level(logLevel: ZooLogLevel) {
    ffi_entry!({
        if logLevel == 0 {
            // As the reference: level 0 disables logging (nothing is ≤ 0).
            zklog::set_level(0);
            return;
        }
        zklog::set_level(logLevel.clamp(zklog::ZOO_LOG_LEVEL_ERROR, zklog::ZOO_LOG_LEVEL_DEBUG));
    })
}

/// Sets the stream log lines go to (NULL: stderr).
///
/// Ownership and threads:
// ownership: *
/// - `logStream`: NULL (stderr) or the caller's open FILE, used for every later line until
///   replaced: it must stay open until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_log_stream(logStream: *mut FILE) {
    ffi_entry!({ zklog::set_stream(logStream) })
}

/// The stream set with `zoo_set_log_stream` (NULL when none was set).
///
/// Ownership and threads:
// ownership: *
/// - Returns the caller's FILE as given (not owned by the library).
#[no_mangle]
pub extern "C" fn zoo_get_log_stream() -> *mut FILE {
    ffi_entry!({ zklog::stream() })
}

/// The handle's log callback.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_get_log_callback(zh: *const zhandle_t) -> log_callback_fn {
    ffi_entry!({ handle(zh).and_then(|z| z.log_cb()) })
}

/// Sets the handle's log callback (NULL: the log stream).
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `callback`: receives this handle's log lines on whichever thread logs them; each line is
///   valid during its call only.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_log_callback(zh: *mut zhandle_t, callback: log_callback_fn) {
    ffi_entry!({
        if let Some(z) = handle(zh) {
            *z.log_cb.lock() = callback
        }
    })
}

/// Connect to servers in the listed order (1) or shuffled (0, the default).
#[no_mangle]
pub extern "C" fn zoo_deterministic_conn_order(yesOrNo: c_int) {
    ffi_entry!({
        hosts::DETERMINISTIC.store(yesOrNo != 0, Ordering::Relaxed);
    })
}

/// Replaces the server list; reconnects when the current server left it.
/// Names are resolved off the caller's path: until they resolve, the
/// session keeps the addresses it has. ZBADARGUMENTS: `hosts` cannot be parsed.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `hosts`: the caller's NUL-terminated string, read during the call.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_servers(zh: *mut zhandle_t, hosts: *const c_char) -> c_int {
    ffi_entry!({
        if zh.is_null() || hosts.is_null() {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        // SAFETY: `hosts` is a NUL-terminated string valid for the call (the contract above).
        let spec = String::from_utf8_lossy(unsafe { ptr::cbytes_opt(hosts) }.unwrap_or_default()).into_owned();
        let Some((list, _)) = hosts::parse(&spec) else { return ZBADARGUMENTS };
        let hosts_spec = spec.split('/').next().unwrap_or_default().to_string();
        z.with_core(|c| c.set_servers(crate::client::resolve::host_list(hosts_spec, list)));
        ZOK
    })
}

/// Sets how long resolved host names are reused (ms; -1 never re-resolve
/// while an address is known). The default, 0, resolves the names again
/// at the start of every round of connection attempts after a failed one
/// (the back-off paces the rounds, so at most one resolution per round).
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_servers_resolution_delay(zh: *mut zhandle_t, delay_ms: c_int) -> c_int {
    ffi_entry!({
        if zh.is_null() || delay_ms < -1 {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        let d = if delay_ms < 0 { None } else { Some(std::time::Duration::from_millis(delay_ms as u64)) };
        z.with_core(|c| c.hosts.resolve_delay = d);
        ZOK
    })
}

/// Moves to the next server of the list for the next connection attempt.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_cycle_next_server(zh: *mut zhandle_t) {
    ffi_entry!({
        if let Some(z) = handle(zh) {
            z.with_core(|c| c.hosts.advance());
        }
    })
}

/// "host:port" of the server in use (or being tried).
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - Returns storage owned by the handle (NULL for a bad handle), valid until `zookeeper_close`;
///   any thread.
#[no_mangle]
pub unsafe extern "C" fn zoo_get_current_server(zh: *mut zhandle_t) -> *const c_char {
    ffi_entry!({
        match handle(zh) {
            // Storage of the handle that stays valid as long as the handle.
            Some(z) => z.published.current_server(),
            None => std::ptr::null(),
        }
    })
}

/// Single-threaded event-loop API; the multi-threaded library drives the
/// The single-threaded API: which descriptor the application must watch,
/// for which events (`ZOOKEEPER_READ`/`ZOOKEEPER_WRITE`) and for how long
/// at most (`tv`). Starts a connection when one is due. In the MT library
/// the IO thread owns the socket, so this reports no descriptor (-1).
/// Pointers are the caller's and only written during the call.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - `fd`, `interest`, `tv`: the caller's, written during the call.
#[no_mangle]
pub unsafe extern "C" fn zookeeper_interest(zh: *mut zhandle_t, fd: *mut c_int, interest: *mut c_int, tv: *mut libc::timeval) -> c_int {
    ffi_entry!({
        if zh.is_null() || fd.is_null() || interest.is_null() || tv.is_null() {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        if z.is_unrecoverable() {
            if !crate::client::handle::THREADED {
                crate::client::st::ended(&z);
            }
            return ZINVALIDSTATE;
        }
        let (rc, f, ev, wait) = if crate::client::handle::THREADED {
            (ZOK, -1, 0, std::time::Duration::from_secs(1))
        } else {
            let (rc, i, closed) = crate::client::st::interest(&z);
            if closed {
                unregister(zh);
            }
            (c_code(rc), i.fd, i.events, i.wait)
        };
        // SAFETY: the three out-parameters are valid for the call (checked
        // non-NULL above; their validity is the caller's contract).
        let (Some(fd), Some(interest), Some(tv)) = (unsafe { (ptr::out_ref(fd), ptr::out_ref(interest), ptr::out_ref(tv)) }) else {
            return ZBADARGUMENTS;
        };
        *fd = f;
        *interest = ev;
        tv.tv_sec = wait.as_secs() as libc::time_t;
        tv.tv_usec = wait.subsec_micros() as libc::suseconds_t;
        rc
    })
}

/// The single-threaded API: performs the IO that `events` allow, then runs
/// the completions and watchers that became ready, on the calling thread.
/// Returns ZOK, ZNOTHING when asked to read and nothing was there,
/// ZCONNECTIONLOSS or the session's end code when that happened during the
/// call, ZINVALIDSTATE without a connection under way (as the reference).
/// In the MT library the IO thread does this work, and this returns ZNOTHING.
///
/// Ownership and threads:
// ownership: zh-handle *
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
/// - Completions and watchers run on the calling thread, inside this call (ST).
#[no_mangle]
pub unsafe extern "C" fn zookeeper_process(zh: *mut zhandle_t, events: c_int) -> c_int {
    ffi_entry!({
        if zh.is_null() {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        if z.is_unrecoverable() {
            if !crate::client::handle::THREADED {
                crate::client::st::ended(&z);
            }
            return ZINVALIDSTATE;
        }
        if crate::client::handle::THREADED {
            return ZNOTHING;
        }
        let (rc, closed) = crate::client::st::process(&z, events);
        if closed {
            unregister(zh);
        }
        c_code(rc)
    })
}

/// Locks the handle's auth list.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_lock_auth(zh: *mut zhandle_t) -> c_int {
    ffi_entry!({
        match handle(zh) {
            Some(z) => {
                std::mem::forget(z.auth_lock.lock());
                ZOK
            }
            None => ZBADARGUMENTS,
        }
    })
}

/// Unlocks the handle's auth list.
///
/// Ownership and threads:
// ownership: zh-handle
/// - `zh`: a handle from `zookeeper_init`; a NULL, closed or unknown handle is refused (see the
///   result) and never dereferenced. Any thread, callbacks of this handle included.
#[no_mangle]
pub unsafe extern "C" fn zoo_unlock_auth(zh: *mut zhandle_t) -> c_int {
    ffi_entry!({
        match handle(zh) {
            Some(z) => {
                if z.auth_lock.is_locked() {
                    // SAFETY: pairs with the guard forgotten by zoo_lock_auth.
                    unsafe { z.auth_lock.force_unlock() };
                }
                ZOK
            }
            None => ZBADARGUMENTS,
        }
    })
}
