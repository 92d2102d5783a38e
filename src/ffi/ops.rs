//! The asynchronous data operations (`zoo_a*`). Each checks its
//! arguments as the reference does, queues one request and completes
//! exactly once on the completion thread.

use libc::{c_char, c_int, c_void};
use std::ffi::{CStr, CString};
use std::sync::Arc;

use super::consts::ZooWatcherType;
use super::types::*;
use super::*;
use crate::client::handle::ZHandle;
use crate::ffi::codes::ZNOWATCHER;
use crate::proto::consts::{WATCHERTYPE_ANY, WATCHERTYPE_CHILDREN};
use crate::proto::jute::{ACL_vector, String_vector};
use crate::proto::records::Acl;
use crate::proto::records::{CreateBody, Reply, Request};
use crate::session::state::SessionState;
use crate::session::watches::{WatchOp, WatchReg, Watcher};
use crate::session::{Done, Unwatch};
use crate::zlog;

/// The node holding the ensemble configuration (`ZOO_CONFIG_NODE`).
pub(crate) const CONFIG_NODE: &[u8] = b"/zookeeper/config";
pub(crate) const CONFIG_NODE_C: &std::ffi::CStr = c"/zookeeper/config";

/// What the C surface builds for one call: a request and its watch.
pub(crate) type Built = (Request, Option<WatchReg>);

/// What the reference's DEBUG line says of a request it sends.
#[derive(Clone, Copy)]
pub(crate) enum Sending<'a> {
    /// `Sending request xid=... for path [<path as the caller gave it>] to <server>`.
    Path(Option<&'a CStr>),
    /// `Sending multi request xid=... with <n> subrequests to <server>`.
    Multi(c_int),
    /// `Sending Reconfig request xid=... to <server>`.
    Reconfig,
    /// `Sending request xid=... to <server>` (requests without a path,
    /// which the reference 3.8.0 does not have).
    NoPath,
}

/// Logs a request sent, as the reference does at DEBUG level under the
/// name of its async API function `api` (sync calls name the async
/// function the reference runs for them). Costs one level check otherwise.
pub(crate) fn log_sending(zh: &ZHandle, api: &'static str, sending: Sending, xid: i32) {
    if !crate::log::enabled(crate::log::ZOO_LOG_LEVEL_DEBUG) {
        return;
    }
    let server = zh.published.current_server_string();
    match sending {
        Sending::Path(p) => {
            let path = p.map(|c| c.to_string_lossy()).unwrap_or_default();
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, api, "Sending request xid={:#x} for path [{}] to {}", xid, path, server);
        }
        Sending::Multi(n) => {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, api, "Sending multi request xid={:#x} with {} subrequests to {}", xid, n, server);
        }
        Sending::Reconfig => {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, api, "Sending Reconfig request xid={:#x} to {}", xid, server);
        }
        Sending::NoPath => {
            zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, api, "Sending request xid={:#x} to {}", xid, server);
        }
    }
}

/// Common path of every data operation: handle lookup, argument checks
/// (`build`), state check, then queueing with the completion from `done`;
/// the request sent is logged at DEBUG level as the reference's `api`
/// function logs it. Returns the xid, or the result code of a failed call.
pub(crate) fn submit_xid(
    zhp: *mut zhandle_t,
    api: &'static str,
    sending: Sending,
    build: impl FnOnce(&Arc<ZHandle>) -> Result<Built, c_int>,
    done: impl FnOnce(&Arc<ZHandle>) -> Done,
) -> Result<i32, c_int> {
    if zhp.is_null() {
        return Err(ZBADARGUMENTS);
    }
    let Some(zh) = handle(zhp) else { return Err(ZINVALIDSTATE) };
    let (req, watch) = build(&zh)?;
    if zh.is_unrecoverable() {
        return Err(ZINVALIDSTATE);
    }
    let xid = zh.submit(&req, watch, None, done(&zh)).map_err(c_error)?;
    log_sending(&zh, api, sending, xid);
    Ok(xid)
}

/// `submit_xid` for calls that return only a result code.
pub(crate) fn submit<B, D>(zhp: *mut zhandle_t, api: &'static str, sending: Sending, build: B, done: D) -> c_int
where
    B: FnOnce(&Arc<ZHandle>) -> Result<Built, c_int>,
    D: FnOnce(&Arc<ZHandle>) -> Done,
{
    submit_xid(zhp, api, sending, build, done).err().unwrap_or(ZOK)
}

pub(crate) fn watcher_of(w: watcher_fn, ctx: *mut c_void) -> Option<Watcher> {
    w.map(|func| crate::client::watcher::of(func, ctx))
}

/// The default watcher, for calls with `watch != 0`.
pub(crate) fn default_watcher(zh: &ZHandle, watch: c_int) -> Option<Watcher> {
    if watch == 0 {
        return None;
    }
    let f = *zh.watcher.lock();
    f.map(|func| crate::client::watcher::of(func, zh.context.load(std::sync::atomic::Ordering::Acquire)))
}

pub(crate) fn reg(op: WatchOp, path: &[u8], w: Option<Watcher>) -> Option<WatchReg> {
    w.map(|watcher| WatchReg { op, path: path.to_vec(), watcher })
}

/// A create request for a C path argument: the path checked
/// (ZBADARGUMENTS), then the mode's opcode and TTL rule
/// ([`CreateBody::new`]; ZBADARGUMENTS when broken).
pub(crate) fn build_create(
    zh: &ZHandle,
    path: Option<&CStr>,
    data: Option<Vec<u8>>,
    acl: Vec<Acl>,
    mode: c_int,
    ttl: i64,
    create2: bool,
) -> Result<CreateBody, c_int> {
    CreateBody::new(server_path(zh, path, mode)?, data, acl, mode, ttl, create2).ok_or(ZBADARGUMENTS)
}

pub(crate) fn cstring(zh: &ZHandle, server_path: &[u8]) -> CString {
    let p = zh.client_path(server_path);
    let end = p.iter().position(|&b| b == 0).unwrap_or(p.len());
    CString::new(&p[..end]).unwrap_or_default()
}

// ---- completion adaptors: Rust reply -> C callback on the completion thread ----

/// The completion `cb` (nothing when NULL) with the caller's `data`: `call`
/// runs it with the result code and the reply.
fn queue<F: Send + 'static>(
    cb: Option<F>,
    data: *const c_void,
    call: impl FnOnce(F, *mut c_void, i32, Option<Reply>) + Send + 'static,
) -> Done {
    let Some(f) = cb else { return Done::Nothing };
    let d = send_ptr(data);
    Done::Queue(c_callback(move |rc, rep| call(f, d.get(), rc, rep)))
}

/// Lends `f` a malloc'd String_vector of `items`, freed when it returns;
/// Err(ZSYSTEMERROR) when memory runs out.
fn lend_strings(items: &[Vec<u8>], f: impl FnOnce(&String_vector)) -> Result<(), c_int> {
    let mut v = string_vector(items)?;
    f(&v);
    // SAFETY: `v` is ours, from string_vector, and `f` is done with it.
    unsafe { memory::deallocate_String_vector(&mut v) };
    Ok(())
}

// SAFETY (every adaptor below): `f` is the caller's completion, called once
// with its own `data` and with pointers valid during the call only.

pub(crate) fn void_done(cb: void_completion_t, data: *const c_void) -> Done {
    // SAFETY: see above.
    queue(cb, data, |f, d, rc, _| unsafe { f(rc, d) })
}

pub(crate) fn stat_done(cb: stat_completion_t, data: *const c_void) -> Done {
    queue(cb, data, |f, d, rc, rep| match rep {
        // SAFETY: see above; `s` lives until it returns.
        Some(Reply::Stat(s)) if rc == ZOK => unsafe { f(ZOK, &s, d) },
        // SAFETY: see above.
        _ => unsafe { f(rc, std::ptr::null(), d) },
    })
}

pub(crate) fn data_done(cb: data_completion_t, data: *const c_void) -> Done {
    queue(cb, data, |f, d, rc, rep| match rep {
        Some(Reply::Data(v, s)) if rc == ZOK => {
            // A node without data: NULL with length -1, as the reference.
            let (p, n) = v.as_ref().map_or((std::ptr::null(), -1), |v| (v.as_ptr() as *const c_char, v.len() as c_int));
            // SAFETY: see above; `v` and `s` live until it returns.
            unsafe { f(ZOK, p, n, &s, d) }
        }
        // SAFETY: see above.
        _ => unsafe { f(rc, std::ptr::null(), 0, std::ptr::null(), d) },
    })
}

pub(crate) fn strings_done(cb: strings_completion_t, data: *const c_void) -> Done {
    queue(cb, data, |f, d, rc, rep| {
        let lent = match rep {
            // SAFETY: see above; the vector lives until it returns.
            Some(Reply::Children(c, _)) if rc == ZOK => lend_strings(&c, |v| unsafe { f(ZOK, v, d) }),
            _ => Err(rc),
        };
        if let Err(e) = lent {
            // SAFETY: see above.
            unsafe { f(e, std::ptr::null(), d) }
        }
    })
}

pub(crate) fn strings_stat_done(cb: strings_stat_completion_t, data: *const c_void) -> Done {
    queue(cb, data, |f, d, rc, rep| {
        let Some(Reply::Children(c, s)) = rep.filter(|_| rc == ZOK) else {
            // SAFETY: see above.
            return unsafe { f(rc, std::ptr::null(), std::ptr::null(), d) };
        };
        let s = s.unwrap_or_default();
        // SAFETY: see above; the vector and `s` live until it returns.
        if let Err(e) = lend_strings(&c, |v| unsafe { f(ZOK, v, &s, d) }) {
            // SAFETY: see above.
            unsafe { f(e, std::ptr::null(), std::ptr::null(), d) }
        }
    })
}

pub(crate) fn string_done(zh: &Arc<ZHandle>, cb: string_completion_t, data: *const c_void) -> Done {
    let zh = zh.clone();
    queue(cb, data, move |f, d, rc, rep| match rep {
        // SAFETY: see above; the path lives until it returns.
        Some(Reply::Path(p, _)) if rc == ZOK => unsafe { f(ZOK, cstring(&zh, &p).as_ptr(), d) },
        // SAFETY: see above.
        _ => unsafe { f(rc, std::ptr::null(), d) },
    })
}

pub(crate) fn string_stat_done(zh: &Arc<ZHandle>, cb: string_stat_completion_t, data: *const c_void) -> Done {
    let zh = zh.clone();
    queue(cb, data, move |f, d, rc, rep| match rep {
        Some(Reply::Path(p, s)) if rc == ZOK => {
            let (c, s) = (cstring(&zh, &p), s.unwrap_or_default());
            // SAFETY: see above; `c` and `s` live until it returns.
            unsafe { f(ZOK, c.as_ptr(), &s, d) }
        }
        // SAFETY: see above.
        _ => unsafe { f(rc, std::ptr::null(), std::ptr::null(), d) },
    })
}

pub(crate) fn acl_done(cb: acl_completion_t, data: *const c_void) -> Done {
    queue(cb, data, |f, d, rc, rep| {
        let acl = match rep {
            Some(Reply::Acl(a, s)) if rc == ZOK => acl_vector(&a).map(|v| (v, s)),
            _ => Err(rc),
        };
        match acl {
            Ok((mut v, mut s)) => {
                // SAFETY: see above; `v` and `s` live until it returns.
                unsafe { f(ZOK, &mut v, &mut s, d) };
                // SAFETY: `v` is ours, from acl_vector; the completion is done with it.
                unsafe { memory::deallocate_ACL_vector(&mut v) };
            }
            // SAFETY: see above.
            Err(e) => unsafe { f(e, std::ptr::null_mut(), std::ptr::null_mut(), d) },
        }
    })
}

// ---- request builders shared with the sync API ----

pub(crate) fn build_path_watch(zh: &ZHandle, path: Option<&CStr>, w: Option<Watcher>, op: WatchOp) -> Result<Built, c_int> {
    let sp = server_path(zh, path, 0)?;
    let watch = w.is_some();
    // The registration first: it copies the path only when there is a watch.
    let watch_reg = reg(op, &sp, w);
    let req = match op {
        WatchOp::Data => Request::GetData { path: sp, watch },
        WatchOp::Exists => Request::Exists { path: sp, watch },
        WatchOp::Child => Request::GetChildren { path: sp, watch },
        WatchOp::Persistent | WatchOp::PersistentRecursive => return Err(ZBADARGUMENTS),
    };
    Ok((req, watch_reg))
}

pub(crate) fn build_children2(zh: &ZHandle, path: Option<&CStr>, w: Option<Watcher>) -> Result<Built, c_int> {
    let sp = server_path(zh, path, 0)?;
    let watch = w.is_some();
    let watch_reg = reg(WatchOp::Child, &sp, w);
    Ok((Request::GetChildren2 { path: sp, watch }, watch_reg))
}

pub(crate) fn build_getconfig(w: Option<Watcher>) -> Result<Built, c_int> {
    let watch = w.is_some();
    Ok((Request::GetData { path: CONFIG_NODE.to_vec(), watch }, reg(WatchOp::Data, CONFIG_NODE, w)))
}

pub(crate) fn build_reconfig(joining: Option<&CStr>, leaving: Option<&CStr>, members: Option<&CStr>, version: i64) -> Result<Built, c_int> {
    let j = joining.map(|b| b.to_bytes().to_vec());
    let l = leaving.map(|b| b.to_bytes().to_vec());
    let m = members.map(|b| b.to_bytes().to_vec());
    if m.is_some() && (j.is_some() || l.is_some()) {
        return Err(ZBADARGUMENTS);
    }
    Ok((Request::Reconfig { joining: j, leaving: l, members: m, version }, None))
}

/// Where a read's watch comes from: the handle's default watcher (when
/// `watch` is non-zero), or a watcher of the caller's (none when NULL).
#[derive(Clone, Copy)]
pub(crate) enum WatchArg {
    Default(c_int),
    Own(watcher_fn, *mut c_void),
}

impl WatchArg {
    pub(crate) fn watcher(self, zh: &ZHandle) -> Option<Watcher> {
        match self {
            WatchArg::Default(watch) => default_watcher(zh, watch),
            WatchArg::Own(f, ctx) => watcher_of(f, ctx),
        }
    }
}

/// The reads that may leave a watch.
#[derive(Clone, Copy)]
pub(crate) enum Read {
    Exists,
    Data,
    Children,
    Children2,
}

pub(crate) fn build_read(zh: &ZHandle, path: Option<&CStr>, read: Read, w: Option<Watcher>) -> Result<Built, c_int> {
    match read {
        Read::Exists => build_path_watch(zh, path, w, WatchOp::Exists),
        Read::Data => build_path_watch(zh, path, w, WatchOp::Data),
        Read::Children => build_path_watch(zh, path, w, WatchOp::Child),
        Read::Children2 => build_children2(zh, path, w),
    }
}

/// [`submit`] of a call on a C path argument, converted here for `build`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn submit_on(
    zh: *mut zhandle_t,
    path: *const c_char,
    api: &'static str,
    build: impl FnOnce(&Arc<ZHandle>, Option<&CStr>) -> Result<Built, c_int>,
    done: impl FnOnce(&Arc<ZHandle>) -> Done,
) -> c_int {
    // SAFETY: the caller's contract above.
    let path = unsafe { ptr::cstr_opt(path) };
    submit(zh, api, Sending::Path(path), |z| build(z, path), done)
}

/// A call whose request is made of its checked server path alone, and
/// which leaves no watch.
///
/// # Safety
/// As [`submit_on`].
unsafe fn request_on(
    zh: *mut zhandle_t,
    path: *const c_char,
    api: &'static str,
    request: impl FnOnce(Vec<u8>) -> Request,
    done: impl FnOnce(&Arc<ZHandle>) -> Done,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { submit_on(zh, path, api, |z, p| Ok((request(server_path(z, p, 0)?), None)), done) }
}

/// An async read (exists, get, children): `api` names it in the log.
///
/// # Safety
/// As [`submit_on`].
unsafe fn read(
    zh: *mut zhandle_t,
    path: *const c_char,
    api: &'static str,
    op: Read,
    w: WatchArg,
    done: impl FnOnce(&Arc<ZHandle>) -> Done,
) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { submit_on(zh, path, api, |z, p| build_read(z, p, op, w.watcher(z)), done) }
}

/// The C arguments of a create (all but the handle and the results).
#[derive(Clone, Copy)]
pub(crate) struct CreateArgs {
    pub(crate) path: *const c_char,
    pub(crate) value: *const c_char,
    pub(crate) valuelen: c_int,
    pub(crate) acl: *const ACL_vector,
    pub(crate) mode: c_int,
    pub(crate) ttl: i64,
}

/// The async creates, `create2` those whose completion gets the Stat.
///
/// # Safety
/// The pointers of `a` are NULL or valid for the call (`value` with
/// `valuelen` readable bytes).
unsafe fn acreate(zh: *mut zhandle_t, a: CreateArgs, create2: bool, done: impl FnOnce(&Arc<ZHandle>) -> Done) -> c_int {
    // SAFETY: the caller's contract above.
    let (value, acl) = unsafe { (cdata(a.value, a.valuelen), acls_from_c(a.acl)) };
    let api = if create2 { "zoo_acreate2_ttl" } else { "zoo_acreate_ttl" };
    // SAFETY: as above.
    unsafe { submit_on(zh, a.path, api, |z, p| Ok((Request::Create(build_create(z, p, value, acl, a.mode, a.ttl, create2)?), None)), done) }
}

/// The ensemble configuration, read (`zoo_agetconfig`, `zoo_awgetconfig`).
fn getconfig(zh: *mut zhandle_t, w: WatchArg, completion: data_completion_t, data: *const c_void) -> c_int {
    submit(zh, "zoo_awgetconfig", Sending::Path(Some(CONFIG_NODE_C)), |z| build_getconfig(w.watcher(z)), |_| data_done(completion, data))
}

// ---- the exported async API ----

/// Creates a node asynchronously.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_acreate(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int, acl: *const ACL_vector,
    mode: c_int, completion: string_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { acreate(zh, CreateArgs { path, value, valuelen, acl, mode, ttl: -1 }, false, |z| string_done(z, completion, data)) }
    })
}

/// Creates a node asynchronously, with a TTL for the TTL modes.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_acreate_ttl(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int,
    acl: *const ACL_vector, mode: c_int, ttl: i64, completion: string_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { acreate(zh, CreateArgs { path, value, valuelen, acl, mode, ttl }, false, |z| string_done(z, completion, data)) }
    })
}

/// Creates a node asynchronously; the completion also gets its Stat.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_acreate2(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int,
    acl: *const ACL_vector, mode: c_int, completion: string_stat_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { acreate(zh, CreateArgs { path, value, valuelen, acl, mode, ttl: -1 }, true, |z| string_stat_done(z, completion, data)) }
    })
}

/// Creates a node asynchronously with a TTL; the completion also gets its Stat.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_acreate2_ttl(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int,
    acl: *const ACL_vector, mode: c_int, ttl: i64, completion: string_stat_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { acreate(zh, CreateArgs { path, value, valuelen, acl, mode, ttl }, true, |z| string_stat_done(z, completion, data)) }
    })
}

/// Deletes a node asynchronously (`version` -1 matches any version).
///
/// Ownership and threads:
// ownership: zh-call path completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_adelete(
    zh: *mut zhandle_t,
    path: *const c_char,
    version: c_int,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { request_on(zh, path, "zoo_adelete", |path| Request::Delete { path, version }, |_| void_done(completion, data)) }
    })
}

/// Checks whether a node exists; `watch` sets the default watcher.
///
/// Ownership and threads:
// ownership: zh-call path watch completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aexists(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    completion: stat_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { read(zh, path, "zoo_awexists", Read::Exists, WatchArg::Default(watch), |_| stat_done(completion, data)) }
    })
}

/// Checks whether a node exists, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awexists(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: stat_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { read(zh, path, "zoo_awexists", Read::Exists, WatchArg::Own(watcher, watcherCtx), |_| stat_done(completion, data)) }
    })
}

/// Gets a node's data; `watch` sets the default watcher.
///
/// Ownership and threads:
// ownership: zh-call path watch completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aget(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    completion: data_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { read(zh, path, "zoo_awget", Read::Data, WatchArg::Default(watch), |_| data_done(completion, data)) }
    })
}

/// Gets a node's data, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awget(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: data_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { read(zh, path, "zoo_awget", Read::Data, WatchArg::Own(watcher, watcherCtx), |_| data_done(completion, data)) }
    })
}

/// Gets the last committed ensemble configuration.
///
/// Ownership and threads:
// ownership: zh-call watch completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_agetconfig(zh: *mut zhandle_t, watch: c_int, completion: data_completion_t, data: *const c_void) -> c_int {
    ffi_entry!(getconfig(zh, WatchArg::Default(watch), completion, data))
}

/// Gets the ensemble configuration, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awgetconfig(
    zh: *mut zhandle_t,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: data_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!(getconfig(zh, WatchArg::Own(watcher, watcherCtx), completion, data))
}

/// Reconfigures the ensemble (incremental or with a new member list).
///
/// Ownership and threads:
// ownership: zh-call reconfig-servers * data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `joining`, `leaving`, `members`: NULL or the caller's NUL-terminated strings, read during the
///   call.
/// - `dc`: when the call returns ZOK, called exactly once, in reply order, on the completion
///   thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it receives are
///   the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_areconfig(
    zh: *mut zhandle_t,
    joining: *const c_char,
    leaving: *const c_char,
    members: *const c_char,
    version: i64,
    dc: data_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let (joining, leaving, members) = unsafe { (ptr::cstr_opt(joining), ptr::cstr_opt(leaving), ptr::cstr_opt(members)) };
        submit(zh, "zoo_areconfig", Sending::Reconfig, |_| build_reconfig(joining, leaving, members, version), |_| data_done(dc, data))
    })
}

/// Sets a node's data (`version` -1 matches any version).
///
/// Ownership and threads:
// ownership: zh-call path buffer-copied completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `buffer`: `buflen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aset(
    zh: *mut zhandle_t,
    path: *const c_char,
    buffer: *const c_char,
    buflen: c_int,
    version: c_int,
    completion: stat_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let data_ = unsafe { cdata(buffer, buflen) };
        // SAFETY: as above.
        unsafe { request_on(zh, path, "zoo_aset", |path| Request::SetData { path, data: data_, version }, |_| stat_done(completion, data)) }
    })
}

/// Lists a node's children; `watch` sets the default watcher.
///
/// Ownership and threads:
// ownership: zh-call path watch completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aget_children(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    completion: strings_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { read(zh, path, "zoo_awget_children_", Read::Children, WatchArg::Default(watch), |_| strings_done(completion, data)) }
    })
}

/// Lists a node's children, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awget_children(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: strings_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe {
            read(zh, path, "zoo_awget_children_", Read::Children, WatchArg::Own(watcher, watcherCtx), |_| strings_done(completion, data))
        }
    })
}

/// Lists a node's children with the node's Stat; `watch` sets the default watcher.
///
/// Ownership and threads:
// ownership: zh-call path watch completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aget_children2(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    completion: strings_stat_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe {
            read(zh, path, "zoo_awget_children2_", Read::Children2, WatchArg::Default(watch), |_| strings_stat_done(completion, data))
        }
    })
}

/// Lists a node's children with the node's Stat, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awget_children2(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: strings_stat_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe {
            read(zh, path, "zoo_awget_children2_", Read::Children2, WatchArg::Own(watcher, watcherCtx), |_| {
                strings_stat_done(completion, data)
            })
        }
    })
}

/// Flushes the leader channel: later reads see everything committed before.
///
/// Ownership and threads:
// ownership: zh-call path completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_async(zh: *mut zhandle_t, path: *const c_char, completion: string_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { request_on(zh, path, "zoo_async", |path| Request::Sync { path }, |z| string_done(z, completion, data)) }
    })
}

/// Gets a node's ACL.
///
/// Ownership and threads:
// ownership: zh-call path completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aget_acl(zh: *mut zhandle_t, path: *const c_char, completion: acl_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { request_on(zh, path, "zoo_aget_acl", |path| Request::GetAcl { path }, |_| acl_done(completion, data)) }
    })
}

/// Sets a node's ACL.
///
/// Ownership and threads:
// ownership: zh-call path * completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `acl`: the caller's vector, copied during the call (NULL: ZBADARGUMENTS).
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aset_acl(
    zh: *mut zhandle_t,
    path: *const c_char,
    version: c_int,
    acl: *mut ACL_vector,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let acl = unsafe { (!acl.is_null()).then(|| acls_from_c(acl)) };
        // SAFETY: as above.
        unsafe {
            submit_on(
                zh,
                path,
                "zoo_aset_acl",
                |z, p| Ok((Request::SetAcl { acl: acl.ok_or(ZBADARGUMENTS)?, path: server_path(z, p, 0)?, version }, None)),
                |_| void_done(completion, data),
            )
        }
    })
}

/// Adds authentication credentials for the session; they are re-sent on
/// every reconnect.
///
/// Ownership and threads:
// ownership: zh-call * completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `scheme`: a NUL-terminated string (NULL: ZBADARGUMENTS) and `cert`: `certLen` bytes, both
///   copied during the call.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_add_auth(
    zh: *mut zhandle_t,
    scheme: *const c_char,
    cert: *const c_char,
    certLen: c_int,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        if zh.is_null() {
            return ZBADARGUMENTS;
        }
        // SAFETY: `scheme` is NULL or a NUL-terminated string valid for the call (the contract above).
        let scheme = match unsafe { ptr::cstr_arg(scheme) } {
            Ok(s) => s.to_bytes().to_vec(),
            Err(rc) => return rc,
        };
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        if z.is_unrecoverable() || z.state() == SessionState::Closed {
            return ZINVALIDSTATE;
        }
        // SAFETY: `cert` is NULL or `certLen` readable bytes for the call (the contract above).
        let cred = if cert.is_null() || certLen <= 0 { Some(Vec::new()) } else { unsafe { cdata(cert, certLen) } };
        let done: Option<crate::session::Callback> = completion.map(|f| {
            let d = send_ptr(data);
            // SAFETY: the caller's completion, called once with its own `data`.
            c_callback(move |rc, _| unsafe { f(rc, d.get()) })
        });
        z.with_core(|c| c.add_auth(scheme, cred, done, std::time::Instant::now()));
        ZOK
    })
}

/// Shared by the async and sync watch removal calls.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string valid for the call.
pub(crate) unsafe fn remove_watches(
    zhp: *mut zhandle_t,
    path: *const c_char,
    wtype: c_int,
    watcher: Option<Watcher>,
    local: c_int,
    all: bool,
    done: impl FnOnce(&Arc<ZHandle>) -> Done,
) -> c_int {
    if zhp.is_null() {
        return ZBADARGUMENTS;
    }
    let Some(zh) = handle(zhp) else { return ZINVALIDSTATE };
    // SAFETY: `path` is NULL or valid for the call (this function's contract).
    let path = unsafe { ptr::cstr_opt(path) };
    let sp = match server_path(&zh, path, 0) {
        Ok(p) => p,
        Err(rc) => return rc,
    };
    if local == 0 && zh.is_unrecoverable() {
        return ZINVALIDSTATE;
    }
    // As the reference: no watcher is ever of an unknown type.
    if !(WATCHERTYPE_CHILDREN..=WATCHERTYPE_ANY).contains(&wtype) {
        return ZNOWATCHER;
    }
    // A removal of one watcher needs it registered here; a removal of
    // all watchers (no watcher given) is checked by the server, unless local.
    let d = done(&zh);
    let queued = zh.with_core(|core| core.unwatch(&sp, wtype, watcher, local != 0, d));
    let d = match queued {
        Err(_) => return ZNOWATCHER,
        Ok(None) => return ZOK,
        Ok(Some(d)) => d,
    };
    // Removed here once the server agreed, in order with other replies.
    let req = Request::RemoveWatches { path: sp.clone(), wtype, check: !all && watcher.is_some() };
    match zh.submit(&req, None, Some(Unwatch { path: sp, wtype, watcher }), d) {
        Ok(xid) => {
            log_sending(&zh, "aremove_watches", Sending::Path(path), xid);
            ZOK
        }
        Err(e) => c_error(e),
    }
}

/// The completion of a watch removal. The header declares it as
/// `void_completion_t *`, but the reference calls that pointer as the
/// function itself; so do we.
fn removal_done(completion: *mut void_completion_t, data: *const c_void) -> impl FnOnce(&Arc<ZHandle>) -> Done {
    // SAFETY: a data pointer and an `Option` of a function pointer have the
    // same size; NULL becomes `None`; calling it is what the caller asked for.
    #[allow(clippy::crosspointer_transmute)]
    // SAFETY: as above.
    let cb = unsafe { std::mem::transmute::<*mut void_completion_t, void_completion_t>(completion) };
    move |_| void_done(cb, data)
}

/// Removes a watcher of a node (locally only when `local` and there is no connection).
///
/// Ownership and threads:
// ownership: zh-call path watcher completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aremove_watches(
    zh: *mut zhandle_t,
    path: *const c_char,
    wtype: ZooWatcherType,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    local: c_int,
    completion: *mut void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or valid for the call (the contract above).
        unsafe { remove_watches(zh, path, wtype, watcher_of(watcher, watcherCtx), local, false, removal_done(completion, data)) }
    })
}

/// Removes every watcher of a node of the given type.
///
/// Ownership and threads:
// ownership: zh-call path completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aremove_all_watches(
    zh: *mut zhandle_t,
    path: *const c_char,
    wtype: ZooWatcherType,
    local: c_int,
    completion: *mut void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or valid for the call (the contract above).
        unsafe { remove_watches(zh, path, wtype, None, local, true, removal_done(completion, data)) }
    })
}
