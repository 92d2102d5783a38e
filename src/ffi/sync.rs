//! The synchronous API (`#ifdef THREADED`): each call is the async call
//! plus a wait; the IO thread hands the result straight to the waiter.

use libc::{c_char, c_int, c_void};
use parking_lot::{Condvar, Mutex};
use std::sync::Arc;

use super::consts::ZooWatcherType;
use super::ops::*;
use super::types::*;
use super::*;
use crate::proto::jute::{ACL_vector, Stat, String_vector};
use crate::proto::records::{Reply, Request};
use crate::session::Done;

#[derive(Default)]
struct Slot {
    result: Mutex<Option<(i32, Option<Reply>)>>,
    cv: Condvar,
}

/// Runs an async submission with an inline completion and waits for it.
pub(crate) fn wait_for(start: impl FnOnce(Done) -> c_int) -> (c_int, Option<Reply>) {
    let slot = Arc::new(Slot::default());
    let s2 = slot.clone();
    let done = Done::Inline(c_callback(move |rc, rep| {
        *s2.result.lock() = Some((rc, rep));
        s2.cv.notify_one();
    }));
    let rc = start(done);
    if rc != ZOK {
        return (rc, None);
    }
    let mut g = slot.result.lock();
    while g.is_none() {
        slot.cv.wait(&mut g);
    }
    g.take().unwrap()
}

/// A sync call: the async function the reference runs for it (`api`, the
/// name its DEBUG line carries), then a wait for the reply.
fn call(
    zh: *mut zhandle_t,
    api: &'static str,
    sending: Sending,
    build: impl FnOnce(&Arc<crate::client::handle::ZHandle>) -> Result<Built, c_int>,
) -> (c_int, Option<Reply>) {
    wait_for(|done| submit(zh, api, sending, build, move |_| done))
}

/// Copies a created path into the caller's buffer, truncating as the reference.
///
/// # Safety
/// `buf` is NULL or has `buflen` writable bytes for the call.
unsafe fn copy_path(zh: *mut zhandle_t, p: &[u8], buf: *mut c_char, buflen: c_int) {
    if buf.is_null() || buflen <= 0 {
        return;
    }
    let client = match handle(zh) {
        Some(z) => z.client_path(p),
        None => p.to_vec(),
    };
    // SAFETY: the caller's contract above.
    unsafe { ptr::copy_cstr_out(&client, buf, buflen) }
}

/// Writes `s` to the caller's optional Stat.
///
/// # Safety
/// `dst` is NULL or a writable Stat for the call.
unsafe fn put_stat(dst: *mut Stat, s: &Stat) {
    // SAFETY: the caller's contract above.
    if let Some(d) = unsafe { ptr::out_ref(dst) } {
        *d = *s;
    }
}

/// Creates a node; the created path is copied (truncated) into `path_buffer`.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied path-buffer sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's; the created path is written there,
///   truncated and NUL-terminated.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_create(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int, acl: *const ACL_vector,
    mode: c_int, path_buffer: *mut c_char, path_buffer_len: c_int) -> c_int {
    ffi_entry!({
        // SAFETY: the same arguments under the same contract.
        unsafe {
            create_impl(
                zh,
                CreateArgs { path, value, valuelen, acl, mode, ttl: -1 },
                path_buffer,
                path_buffer_len,
                std::ptr::null_mut(),
                false,
            )
        }
    })
}

/// Creates a node with a TTL (TTL modes only).
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied path-buffer sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's; the created path is written there,
///   truncated and NUL-terminated.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_create_ttl(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int,
    acl: *const ACL_vector, mode: c_int, ttl: i64, path_buffer: *mut c_char, path_buffer_len: c_int) -> c_int {
    ffi_entry!({
        // SAFETY: the same arguments under the same contract.
        unsafe {
            create_impl(zh, CreateArgs { path, value, valuelen, acl, mode, ttl }, path_buffer, path_buffer_len, std::ptr::null_mut(), false)
        }
    })
}

/// Creates a node and returns its Stat.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied path-buffer stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's; the created path is written there,
///   truncated and NUL-terminated.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_create2(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int, acl: *const ACL_vector,
    mode: c_int, path_buffer: *mut c_char, path_buffer_len: c_int, stat: *mut Stat) -> c_int {
    ffi_entry!({
        // SAFETY: the same arguments under the same contract.
        unsafe { create_impl(zh, CreateArgs { path, value, valuelen, acl, mode, ttl: -1 }, path_buffer, path_buffer_len, stat, true) }
    })
}

/// Creates a node with a TTL and returns its Stat.
///
/// Ownership and threads:
// ownership: zh-call path value-copied acl-copied path-buffer stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `value`: `valuelen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `acl`: the caller's vector, copied during the call.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's; the created path is written there,
///   truncated and NUL-terminated.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
// The parameter list as the C header writes it: the four creates share it
// (it is the ABI, which cbindgen reads from here), so it is kept compact.
#[rustfmt::skip]
pub unsafe extern "C" fn zoo_create2_ttl(zh: *mut zhandle_t, path: *const c_char, value: *const c_char, valuelen: c_int,
    acl: *const ACL_vector, mode: c_int, ttl: i64, path_buffer: *mut c_char, path_buffer_len: c_int, stat: *mut Stat) -> c_int {
    ffi_entry!({
        // SAFETY: the same arguments under the same contract.
        unsafe { create_impl(zh, CreateArgs { path, value, valuelen, acl, mode, ttl }, path_buffer, path_buffer_len, stat, true) }
    })
}

/// The sync creates.
///
/// # Safety
/// As `zoo_create2_ttl`: the pointers of `a` and the others are NULL or
/// valid for the call, `path_buffer` with `path_buffer_len` writable bytes.
unsafe fn create_impl(
    zh: *mut zhandle_t,
    a: CreateArgs,
    path_buffer: *mut c_char,
    path_buffer_len: c_int,
    stat: *mut Stat,
    create2: bool,
) -> c_int {
    if path_buffer.is_null() && path_buffer_len > 0 {
        return ZBADARGUMENTS;
    }
    // SAFETY: the pointer arguments are NULL or valid for the call (the exported functions' contract).
    let (path, value, acl) = unsafe { (ptr::cstr_opt(a.path), cdata(a.value, a.valuelen), acls_from_c(a.acl)) };
    let api = if create2 { "zoo_acreate2_ttl" } else { "zoo_acreate_ttl" };
    let build = |z: &Arc<crate::client::handle::ZHandle>| build_create(z, path, value, acl, a.mode, a.ttl, create2);
    let (rc, rep) = call(zh, api, Sending::Path(path), |z| Ok((Request::Create(build(z)?), None)));
    if let (ZOK, Some(Reply::Path(p, s))) = (rc, rep) {
        // SAFETY: `path_buffer` has `path_buffer_len` bytes and `stat` is
        // NULL or writable, for the call (the exported functions' contract).
        unsafe {
            copy_path(zh, &p, path_buffer, path_buffer_len);
            if let Some(s) = s {
                put_stat(stat, &s);
            }
        }
    }
    rc
}

/// Deletes a node (`version` -1 matches any version).
///
/// Ownership and threads:
// ownership: zh-call path sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_delete(zh: *mut zhandle_t, path: *const c_char, version: c_int) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let path = unsafe { ptr::cstr_opt(path) };

        call(zh, "zoo_adelete", Sending::Path(path), |z| Ok((Request::Delete { path: server_path(z, path, 0)?, version }, None))).0
    })
}

/// `zoo_exists`, `zoo_wexists`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string and `stat` NULL or writable, for the call.
unsafe fn exists_impl(zh: *mut zhandle_t, path: *const c_char, w: WatchArg, stat: *mut Stat) -> c_int {
    // SAFETY: the caller's contract above.
    let path = unsafe { ptr::cstr_opt(path) };
    let (rc, rep) = call(zh, "zoo_awexists", Sending::Path(path), |z| build_read(z, path, Read::Exists, w.watcher(z)));
    if let (ZOK, Some(Reply::Stat(s))) = (rc, rep) {
        // SAFETY: the caller's contract above.
        unsafe { put_stat(stat, &s) };
    }
    rc
}

/// Checks whether a node exists; `watch` sets the default watcher.
///
/// Ownership and threads:
// ownership: zh-call path watch stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_exists(zh: *mut zhandle_t, path: *const c_char, watch: c_int, stat: *mut Stat) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { exists_impl(zh, path, WatchArg::Default(watch), stat) }
    })
}

/// Checks whether a node exists, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_wexists(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { exists_impl(zh, path, WatchArg::Own(watcher, watcherCtx), stat) }
    })
}

/// Copies data into the caller's buffer, truncating; `*buffer_len` becomes
/// the number of bytes copied (-1 for a node without data).
///
/// # Safety
/// `buffer_len` is a valid int; `buffer` NULL or `*buffer_len` writable
/// bytes; `stat` NULL or a writable Stat; all for the call.
unsafe fn data_result(rc: c_int, rep: Option<Reply>, buffer: *mut c_char, buffer_len: *mut c_int, stat: *mut Stat) -> c_int {
    if rc != ZOK {
        return rc;
    }
    // SAFETY: the caller's contract above (checked non-NULL by get_impl).
    let Some(len) = (unsafe { ptr::out_ref(buffer_len) }) else { return rc };
    if let Some(Reply::Data(d, s)) = rep {
        match d {
            None => *len = -1,
            Some(d) => {
                // SAFETY: `buffer` is NULL or has `*len` writable bytes (the contract above).
                let dst = unsafe { ptr::slice_mut_arg(buffer as *mut u8, *len) };
                let n = d.len().min(dst.len());
                dst[..n].copy_from_slice(&d[..n]);
                *len = n as c_int;
            }
        }
        // SAFETY: the caller's contract above.
        unsafe { put_stat(stat, &s) };
    }
    rc
}

/// # Safety
/// `buffer_len` is NULL or a valid int, `buffer` NULL or `*buffer_len`
/// writable bytes, `stat` NULL or writable; all for the call.
unsafe fn get_impl(
    zh: *mut zhandle_t,
    api: &'static str,
    sending: Sending,
    build: impl FnOnce(&Arc<crate::client::handle::ZHandle>) -> Result<Built, c_int>,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    // SAFETY: `buffer_len` is NULL or a valid int for the call (the exported functions' contract).
    let want = unsafe { ptr::in_ref(buffer_len) }.copied();
    if want.is_none() || (buffer.is_null() && want > Some(0)) {
        return ZBADARGUMENTS;
    }
    let (rc, rep) = call(zh, api, sending, build);
    // SAFETY: the out-parameters are valid as the exported functions document.
    unsafe { data_result(rc, rep, buffer, buffer_len, stat) }
}

/// `zoo_get`, `zoo_wget`.
///
/// # Safety
/// As [`get_impl`], and `path` NULL or a NUL-terminated string valid for the call.
unsafe fn get_data(
    zh: *mut zhandle_t,
    path: *const c_char,
    w: WatchArg,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    // SAFETY: the caller's contract above.
    let path = unsafe { ptr::cstr_opt(path) };
    let build = |z: &Arc<crate::client::handle::ZHandle>| build_read(z, path, Read::Data, w.watcher(z));
    // SAFETY: the caller's contract above.
    unsafe { get_impl(zh, "zoo_awget", Sending::Path(path), build, buffer, buffer_len, stat) }
}

/// `zoo_getconfig`, `zoo_wgetconfig`.
///
/// # Safety
/// As [`get_impl`].
unsafe fn get_config(zh: *mut zhandle_t, w: WatchArg, buffer: *mut c_char, buffer_len: *mut c_int, stat: *mut Stat) -> c_int {
    let build = |z: &Arc<crate::client::handle::ZHandle>| build_getconfig(w.watcher(z));
    // SAFETY: the caller's contract above.
    unsafe { get_impl(zh, "zoo_awgetconfig", Sending::Path(Some(CONFIG_NODE_C)), build, buffer, buffer_len, stat) }
}

/// Gets a node's data into `buffer` (truncated to `*buffer_len`).
///
/// Ownership and threads:
// ownership: zh-call path watch buffer-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `buffer`, `buffer_len`: the caller's; up to `*buffer_len` bytes of the data are copied and
///   `*buffer_len` becomes the number copied (-1: the node has no data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_get(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { get_data(zh, path, WatchArg::Default(watch), buffer, buffer_len, stat) }
    })
}

/// Gets a node's data, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher buffer-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `buffer`, `buffer_len`: the caller's; up to `*buffer_len` bytes of the data are copied and
///   `*buffer_len` becomes the number copied (-1: the node has no data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_wget(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { get_data(zh, path, WatchArg::Own(watcher, watcherCtx), buffer, buffer_len, stat) }
    })
}

/// Gets the last committed ensemble configuration.
///
/// Ownership and threads:
// ownership: zh-call watch buffer-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `buffer`, `buffer_len`: the caller's; up to `*buffer_len` bytes of the data are copied and
///   `*buffer_len` becomes the number copied (-1: the node has no data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_getconfig(
    zh: *mut zhandle_t,
    watch: c_int,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { get_config(zh, WatchArg::Default(watch), buffer, buffer_len, stat) }
    })
}

/// Gets the ensemble configuration, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call watcher buffer-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `buffer`, `buffer_len`: the caller's; up to `*buffer_len` bytes of the data are copied and
///   `*buffer_len` becomes the number copied (-1: the node has no data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_wgetconfig(
    zh: *mut zhandle_t,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { get_config(zh, WatchArg::Own(watcher, watcherCtx), buffer, buffer_len, stat) }
    })
}

/// Reconfigures the ensemble; the new configuration is copied into `buffer`.
///
/// Ownership and threads:
// ownership: zh-call reconfig-servers buffer-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `joining`, `leaving`, `members`: NULL or the caller's NUL-terminated strings, read during the
///   call.
/// - `buffer`, `buffer_len`: the caller's; up to `*buffer_len` bytes of the data are copied and
///   `*buffer_len` becomes the number copied (-1: the node has no data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_reconfig(
    zh: *mut zhandle_t,
    joining: *const c_char,
    leaving: *const c_char,
    members: *const c_char,
    version: i64,
    buffer: *mut c_char,
    buffer_len: *mut c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let (joining, leaving, members) = unsafe { (ptr::cstr_opt(joining), ptr::cstr_opt(leaving), ptr::cstr_opt(members)) };
        // SAFETY: the out-parameters are NULL or valid for the call, as documented above.
        unsafe {
            get_impl(
                zh,
                "zoo_areconfig",
                Sending::Reconfig,
                |_| build_reconfig(joining, leaving, members, version),
                buffer,
                buffer_len,
                stat,
            )
        }
    })
}

/// Sets a node's data (`version` -1 matches any version).
///
/// Ownership and threads:
// ownership: zh-call path buffer-copied sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `buffer`: `buflen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_set(zh: *mut zhandle_t, path: *const c_char, buffer: *const c_char, buflen: c_int, version: c_int) -> c_int {
    ffi_entry!({
        // SAFETY: the same arguments under the same contract; no Stat is written.
        unsafe { zoo_set2(zh, path, buffer, buflen, version, std::ptr::null_mut()) }
    })
}

/// Sets a node's data and returns its new Stat.
///
/// Ownership and threads:
// ownership: zh-call path buffer-copied stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `buffer`: `buflen` bytes of the caller's, copied during the call (NULL with 0 is empty data,
///   a negative length NULL data).
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_set2(
    zh: *mut zhandle_t,
    path: *const c_char,
    buffer: *const c_char,
    buflen: c_int,
    version: c_int,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let (path, buffer) = unsafe { (ptr::cstr_opt(path), cdata(buffer, buflen)) };

        let (rc, rep) = call(zh, "zoo_aset", Sending::Path(path), |z| {
            Ok((Request::SetData { path: server_path(z, path, 0)?, data: buffer, version }, None))
        });
        if let (ZOK, Some(Reply::Stat(s))) = (rc, rep) {
            // SAFETY: `stat` is NULL or writable for the call (the contract above).
            unsafe { put_stat(stat, &s) };
        }
        rc
    })
}

/// The sync children calls (`read`: with the Stat or not).
///
/// # Safety
/// `path` is NULL or a NUL-terminated string, and `strings` and `stat` NULL
/// or writable, for the call.
unsafe fn children_impl(
    zh: *mut zhandle_t,
    path: *const c_char,
    read: Read,
    w: WatchArg,
    strings: *mut String_vector,
    stat: *mut Stat,
) -> c_int {
    // SAFETY: the caller's contract above.
    let path = unsafe { ptr::cstr_opt(path) };
    let api = if matches!(read, Read::Children2) { "zoo_awget_children2_" } else { "zoo_awget_children_" };
    let build = |z: &Arc<crate::client::handle::ZHandle>| build_read(z, path, read, w.watcher(z));
    let (rc, rep) = call(zh, api, Sending::Path(path), build);
    if let (ZOK, Some(Reply::Children(c, s))) = (rc, rep) {
        // SAFETY: the caller's contract above.
        if let Some(out) = unsafe { ptr::out_ref(strings) } {
            match string_vector(&c) {
                Ok(v) => *out = v,
                Err(e) => return e,
            }
        }
        if let Some(s) = s {
            // SAFETY: the caller's contract above.
            unsafe { put_stat(stat, &s) };
        }
    }
    rc
}

/// Lists a node's children; free the result with `deallocate_String_vector`.
///
/// Ownership and threads:
// ownership: zh-call path watch strings-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `strings`: the caller's, filled on success with malloc'd memory the caller frees with
///   `deallocate_String_vector`.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_get_children(zh: *mut zhandle_t, path: *const c_char, watch: c_int, strings: *mut String_vector) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { children_impl(zh, path, Read::Children, WatchArg::Default(watch), strings, std::ptr::null_mut()) }
    })
}

/// Lists a node's children, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher strings-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `strings`: the caller's, filled on success with malloc'd memory the caller frees with
///   `deallocate_String_vector`.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_wget_children(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    strings: *mut String_vector,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { children_impl(zh, path, Read::Children, WatchArg::Own(watcher, watcherCtx), strings, std::ptr::null_mut()) }
    })
}

/// Lists a node's children and returns the node's Stat.
///
/// Ownership and threads:
// ownership: zh-call path watch strings-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watch`: non-zero sets a watch for the handle's default watcher.
/// - `strings`: the caller's, filled on success with malloc'd memory the caller frees with
///   `deallocate_String_vector`.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_get_children2(
    zh: *mut zhandle_t,
    path: *const c_char,
    watch: c_int,
    strings: *mut String_vector,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { children_impl(zh, path, Read::Children2, WatchArg::Default(watch), strings, stat) }
    })
}

/// Lists a node's children with its Stat, with a watcher of the caller's.
///
/// Ownership and threads:
// ownership: zh-call path watcher strings-out stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - `strings`: the caller's, filled on success with malloc'd memory the caller frees with
///   `deallocate_String_vector`.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_wget_children2(
    zh: *mut zhandle_t,
    path: *const c_char,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    strings: *mut String_vector,
    stat: *mut Stat,
) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        unsafe { children_impl(zh, path, Read::Children2, WatchArg::Own(watcher, watcherCtx), strings, stat) }
    })
}

/// Gets a node's ACL; free it with `deallocate_ACL_vector`.
///
/// Ownership and threads:
// ownership: zh-call path * stat-out sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `acl`: the caller's, filled on success with malloc'd memory the caller frees with
///   `deallocate_ACL_vector`.
/// - `stat`: NULL or the caller's, written on success.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_get_acl(zh: *mut zhandle_t, path: *const c_char, acl: *mut ACL_vector, stat: *mut Stat) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let path = unsafe { ptr::cstr_opt(path) };

        let (rc, rep) = call(zh, "zoo_aget_acl", Sending::Path(path), |z| Ok((Request::GetAcl { path: server_path(z, path, 0)? }, None)));
        if let (ZOK, Some(Reply::Acl(a, s))) = (rc, rep) {
            // SAFETY: `acl` and `stat` are NULL or writable for the call (the contract above).
            if let Some(out) = unsafe { ptr::out_ref(acl) } {
                match acl_vector(&a) {
                    Ok(v) => *out = v,
                    Err(e) => return e,
                }
            }
            // SAFETY: as above.
            unsafe { put_stat(stat, &s) };
        }
        rc
    })
}

/// Sets a node's ACL.
///
/// Ownership and threads:
// ownership: zh-call path acl-copied sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `acl`: the caller's vector, copied during the call.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_set_acl(zh: *mut zhandle_t, path: *const c_char, version: c_int, acl: *const ACL_vector) -> c_int {
    ffi_entry!({
        // SAFETY: the pointer arguments are NULL or valid for the call, as documented above.
        let (path, acl) = unsafe { (ptr::cstr_opt(path), (!acl.is_null()).then(|| acls_from_c(acl))) };

        call(zh, "zoo_aset_acl", Sending::Path(path), |z| {
            let acl = acl.ok_or(ZBADARGUMENTS)?;
            Ok((Request::SetAcl { path: server_path(z, path, 0)?, acl, version }, None))
        })
        .0
    })
}

/// Removes a watcher of a node.
///
/// Ownership and threads:
// ownership: zh-call path watcher sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - `watcher`, `watcherCtx`: the watch's function, run at most once for it on the same thread as
///   completions; `watcherCtx` is not read and must stay valid until the watcher runs or is
///   removed.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_remove_watches(
    zh: *mut zhandle_t,
    path: *const c_char,
    wtype: ZooWatcherType,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    local: c_int,
) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or valid for the call (the contract above).
        wait_for(|done| unsafe { remove_watches(zh, path, wtype, watcher_of(watcher, watcherCtx), local, false, move |_| done) }).0
    })
}

/// Removes every watcher of a node of the given type.
///
/// Ownership and threads:
// ownership: zh-call path sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `path`: the caller's NUL-terminated string, read during the call only.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_remove_all_watches(zh: *mut zhandle_t, path: *const c_char, wtype: ZooWatcherType, local: c_int) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or valid for the call (the contract above).
        wait_for(|done| unsafe { remove_watches(zh, path, wtype, None, local, true, move |_| done) }).0
    })
}
