//! Extensions beyond the reference C API (declared in
//! `zookeeper/zookeeper_ext.h`): persistent and recursive watches (server
//! 3.6+), whoAmI (3.7+), getEphemerals and getAllChildrenNumber (3.6+),
//! client-side session expiry and back-off settings. A server that does not
//! know a request rejects it: the call completes with the error the
//! server sends (`ZUNIMPLEMENTED` where it says so) or, if the server drops
//! the connection instead, `ZCONNECTIONLOSS`.
//!
//! Callbacks run where every completion runs: on the handle's completion
//! thread (MT), or in `zookeeper_process` on the caller's thread (ST).
#![allow(non_camel_case_types)]

use libc::{c_char, c_int, c_void};
use std::ffi::CStr;
use std::sync::Arc;

use super::ops::{submit, void_done, watcher_of, Built, Sending};
use super::types::*;
use super::*;
use crate::client::handle::ZHandle;
use crate::proto::jute::{ClientInfo, ClientInfo_vector};
use crate::proto::records::{Reply, Request};
use crate::session::watches::{WatchOp, WatchReg, ADD_WATCH_MODE_PERSISTENT, ADD_WATCH_MODE_PERSISTENT_RECURSIVE};
use crate::session::Done;

/// `zoo_aadd_watch` mode: every change of the node and of its children list.
pub const ZOO_ADD_WATCH_PERSISTENT: c_int = 0;
/// `zoo_aadd_watch` mode: every create, delete and data change at or below the node.
pub const ZOO_ADD_WATCH_PERSISTENT_RECURSIVE: c_int = 1;
// The C names are the protocol's modes (defined once in the session core).
const _: () = assert!(ZOO_ADD_WATCH_PERSISTENT == ADD_WATCH_MODE_PERSISTENT);
const _: () = assert!(ZOO_ADD_WATCH_PERSISTENT_RECURSIVE == ADD_WATCH_MODE_PERSISTENT_RECURSIVE);

/// Completion of `zoo_awhoami`: the identities (scheme and id pairs),
/// valid during the call only.
pub type whoami_completion_t = Option<unsafe extern "C" fn(rc: c_int, identities: *const ClientInfo_vector, data: *const c_void)>;
/// Completion of `zoo_aget_all_children_number`: the number of nodes below the path.
pub type count_completion_t = Option<unsafe extern "C" fn(rc: c_int, count: c_int, data: *const c_void)>;

fn build_add_watch(zh: &ZHandle, path: Option<&CStr>, mode: c_int, w: Option<crate::session::watches::Watcher>) -> Result<Built, c_int> {
    let op = match mode {
        ADD_WATCH_MODE_PERSISTENT => WatchOp::Persistent,
        ADD_WATCH_MODE_PERSISTENT_RECURSIVE => WatchOp::PersistentRecursive,
        _ => return Err(ZBADARGUMENTS),
    };
    let Some(watcher) = w else { return Err(ZBADARGUMENTS) };
    let sp = server_path(zh, path, 0)?;
    Ok((Request::AddWatch { path: sp.clone(), mode }, Some(WatchReg { op, path: sp, watcher })))
}

/// Adds a persistent (`ZOO_ADD_WATCH_PERSISTENT`) or persistent-recursive
/// (`ZOO_ADD_WATCH_PERSISTENT_RECURSIVE`) watch on `path` (server 3.6+).
/// The watcher (with `watcherCtx`, both the caller's and kept until the
/// watch is removed with `zoo_remove_watches`/`zoo_remove_all_watches` and
/// type `ZWATCHTYPE_ANY`, or the handle closes) is called for every event
/// the server sends for the watch, in server order with the one-shot
/// watches; the watch is set again after a reconnect (SetWatches2).
/// `completion` gets the server's answer. Returns ZOK when queued.
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
pub unsafe extern "C" fn zoo_aadd_watch(
    zh: *mut zhandle_t,
    path: *const c_char,
    mode: c_int,
    watcher: watcher_fn,
    watcherCtx: *mut c_void,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or the caller's NUL-terminated string, valid for the call.
        let path = unsafe { ptr::cstr_opt(path) };
        submit(
            zh,
            "zoo_aadd_watch",
            Sending::Path(path),
            |z| build_add_watch(z, path, mode, watcher_of(watcher, watcherCtx)),
            |_| void_done(completion, data),
        )
    })
}

/// The identities the server knows the session by (server 3.7+): each
/// `ClientInfo` has `authScheme` and `user`.
///
/// Ownership and threads:
// ownership: zh-call completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_awhoami(zh: *mut zhandle_t, completion: whoami_completion_t, data: *const c_void) -> c_int {
    ffi_entry!({ submit(zh, "zoo_awhoami", Sending::NoPath, |_| Ok((Request::WhoAmI, None)), |_| whoami_done(completion, data)) })
}

/// The session's ephemeral nodes whose paths start with `prefix` (server 3.6+):
/// full paths (chroot removed), valid during the call only.
///
/// Ownership and threads:
// ownership: zh-call * completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `prefix`: the caller's NUL-terminated string, read during the call only.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_aget_ephemerals(
    zh: *mut zhandle_t,
    prefix: *const c_char,
    completion: strings_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: `prefix` is NULL or the caller's NUL-terminated string, valid for the call.
        let prefix = unsafe { ptr::cstr_opt(prefix) };
        submit(zh, "zoo_aget_ephemerals", Sending::Path(prefix), |z| build_ephemerals(z, prefix), |z| ephemerals_done(z, completion, data))
    })
}

/// The number of nodes below `path` (server 3.6+).
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
pub unsafe extern "C" fn zoo_aget_all_children_number(
    zh: *mut zhandle_t,
    path: *const c_char,
    completion: count_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        // SAFETY: `path` is NULL or the caller's NUL-terminated string, valid for the call.
        let path = unsafe { ptr::cstr_opt(path) };
        submit(
            zh,
            "zoo_aget_all_children_number",
            Sending::Path(path),
            |z| Ok((Request::GetAllChildrenNumber { path: server_path(z, path, 0)? }, None)),
            |_| count_done(completion, data),
        )
    })
}

fn build_ephemerals(zh: &ZHandle, prefix: Option<&CStr>) -> Result<Built, c_int> {
    let p = prefix.ok_or(ZBADARGUMENTS)?.to_bytes();
    if p.first() != Some(&b'/') {
        return Err(ZBADARGUMENTS);
    }
    Ok((Request::GetEphemerals { prefix: zh.server_path(p) }, None))
}

fn client_paths(zh: &ZHandle, paths: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    paths.into_iter().map(|p| zh.client_path(&p)).collect()
}

fn ephemerals_done(zh: &Arc<ZHandle>, cb: strings_completion_t, data: *const c_void) -> Done {
    let Some(f) = cb else { return Done::Nothing };
    let d = send_ptr(data);
    let zh = zh.clone();
    Done::Queue(c_callback(move |rc, rep| match rep {
        Some(Reply::Children(c, _)) if rc == ZOK => match string_vector(&client_paths(&zh, c)) {
            Ok(mut v) => {
                // SAFETY: the C completion with a vector valid during the call.
                unsafe { f(ZOK, &v, d.get()) };
                // SAFETY: v was allocated by string_vector.
                unsafe { memory::deallocate_String_vector(&mut v) };
            }
            // SAFETY: the C completion, called once.
            Err(e) => unsafe { f(e, std::ptr::null(), d.get()) },
        },
        // SAFETY: the C completion, called once.
        _ => unsafe { f(rc, std::ptr::null(), d.get()) },
    }))
}

fn count_done(cb: count_completion_t, data: *const c_void) -> Done {
    let Some(f) = cb else { return Done::Nothing };
    let d = send_ptr(data);
    Done::Queue(c_callback(move |rc, rep| {
        let n = match rep {
            Some(Reply::Number(n)) if rc == ZOK => n,
            _ => -1,
        };
        // SAFETY: the C completion, called once.
        unsafe { f(rc, n, d.get()) }
    }))
}

/// A malloc'd ClientInfo_vector, released by `deallocate_ClientInfo_vector`.
fn identities_vector(ids: &[(Vec<u8>, Vec<u8>)]) -> Result<ClientInfo_vector, c_int> {
    let mut v = ClientInfo_vector { count: 0, data: std::ptr::null_mut() };
    let len = i32::try_from(ids.len()).map_err(|_| ZSYSTEMERROR)?;
    // SAFETY: `v` is a local record.
    if unsafe { memory::allocate_ClientInfo_vector(&mut v, len) } != ZOK {
        return Err(ZSYSTEMERROR);
    }
    // SAFETY: the allocator gave `v.data` `v.count` zeroed entries, ours alone.
    let entries = unsafe { ptr::slice_mut_arg(v.data, v.count) };
    for (e, (scheme, user)) in entries.iter_mut().zip(ids) {
        let (a, u) = (malloc_cstr(scheme), malloc_cstr(user));
        *e = ClientInfo { authScheme: a, user: u };
        if a.is_null() || u.is_null() {
            // SAFETY: every string is NULL or malloc'd; the array is v's.
            unsafe { memory::deallocate_ClientInfo_vector(&mut v) };
            return Err(ZSYSTEMERROR);
        }
    }
    Ok(v)
}

fn whoami_done(cb: whoami_completion_t, data: *const c_void) -> Done {
    let Some(f) = cb else { return Done::Nothing };
    let d = send_ptr(data);
    Done::Queue(c_callback(move |rc, rep| match rep {
        Some(Reply::Identities(ids)) if rc == ZOK => match identities_vector(&ids) {
            Ok(mut v) => {
                // SAFETY: the C completion with a vector valid during the call.
                unsafe { f(ZOK, &v, d.get()) };
                // SAFETY: v was allocated by identities_vector.
                unsafe { memory::deallocate_ClientInfo_vector(&mut v) };
            }
            // SAFETY: the C completion, called once.
            Err(e) => unsafe { f(e, std::ptr::null(), d.get()) },
        },
        // SAFETY: the C completion, called once.
        _ => unsafe { f(rc, std::ptr::null(), d.get()) },
    }))
}

/// Client-side session expiry (off by default, as the reference): with
/// `enable` non-zero, once no server was reached for the negotiated session
/// timeout after the last contact, the session is declared expired
/// (`ZOO_EXPIRED_SESSION_STATE` to the watchers, pending calls
/// `ZSESSIONEXPIRED`, the handle unrecoverable), as the Java client does.
///
/// Ownership and threads:
// ownership: zh-call
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
#[no_mangle]
pub unsafe extern "C" fn zoo_set_client_expiry(zh: *mut zhandle_t, enable: c_int) -> c_int {
    ffi_entry!({
        if zh.is_null() {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        z.with_core(|c| c.client_expiry = enable != 0);
        ZOK
    })
}

/// Pacing of connection rounds once every server failed: the first delay
/// and the longest, in milliseconds (defaults: 50 ms, and a third of the
/// session timeout between 200 ms and 4 s). ZBADARGUMENTS unless
/// 0 < initial_ms <= max_ms.
///
/// Ownership and threads:
// ownership: zh-call
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
#[no_mangle]
pub unsafe extern "C" fn zoo_set_backoff(zh: *mut zhandle_t, initial_ms: c_int, max_ms: c_int) -> c_int {
    ffi_entry!({
        if zh.is_null() || initial_ms <= 0 || max_ms < initial_ms {
            return ZBADARGUMENTS;
        }
        let Some(z) = handle(zh) else { return ZINVALIDSTATE };
        let ms = |v: c_int| std::time::Duration::from_millis(v as u64);
        z.with_core(|c| c.set_backoff(ms(initial_ms), ms(max_ms)));
        ZOK
    })
}

#[cfg(feature = "threaded")]
mod sync_api {
    use super::*;
    use crate::ffi::sync::wait_for;
    use crate::proto::jute::String_vector;

    /// Sync `zoo_aadd_watch`.
    ///
    /// Ownership and threads:
    // ownership: as-async sync
    /// - The arguments: as for the async call the first line names.
    /// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
    ///   directly (so this may be called from a watcher or a completion); every out-parameter is
    ///   written before it returns.
    #[no_mangle]
    pub unsafe extern "C" fn zoo_add_watch(
        zh: *mut zhandle_t,
        path: *const c_char,
        mode: c_int,
        watcher: watcher_fn,
        watcherCtx: *mut c_void,
    ) -> c_int {
        ffi_entry!({
            // SAFETY: `path` is NULL or the caller's NUL-terminated string, valid for the call.
            let path = unsafe { ptr::cstr_opt(path) };

            wait_for(|done| {
                submit(
                    zh,
                    "zoo_aadd_watch",
                    Sending::Path(path),
                    |z| build_add_watch(z, path, mode, watcher_of(watcher, watcherCtx)),
                    move |_| done,
                )
            })
            .0
        })
    }

    /// Sync `zoo_awhoami`: `identities` is filled (free it with
    /// `deallocate_ClientInfo_vector`).
    ///
    /// Ownership and threads:
    // ownership: as-async sync
    /// - The arguments: as for the async call the first line names.
    /// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
    ///   directly (so this may be called from a watcher or a completion); every out-parameter is
    ///   written before it returns.
    #[no_mangle]
    pub unsafe extern "C" fn zoo_whoami(zh: *mut zhandle_t, identities: *mut ClientInfo_vector) -> c_int {
        ffi_entry!({
            // SAFETY: `identities` is NULL or the caller's, writable for the call.
            let Some(out) = (unsafe { ptr::out_ref(identities) }) else { return ZBADARGUMENTS };
            let (rc, rep) = wait_for(|done| submit(zh, "zoo_awhoami", Sending::NoPath, |_| Ok((Request::WhoAmI, None)), move |_| done));
            if let (ZOK, Some(Reply::Identities(ids))) = (rc, rep) {
                match identities_vector(&ids) {
                    Ok(v) => *out = v,
                    Err(e) => return e,
                }
            }
            rc
        })
    }

    /// Sync `zoo_aget_ephemerals`: `ephemerals` is filled (free it with
    /// `deallocate_String_vector`).
    ///
    /// Ownership and threads:
    // ownership: as-async sync
    /// - The arguments: as for the async call the first line names.
    /// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
    ///   directly (so this may be called from a watcher or a completion); every out-parameter is
    ///   written before it returns.
    #[no_mangle]
    pub unsafe extern "C" fn zoo_get_ephemerals(zh: *mut zhandle_t, prefix: *const c_char, ephemerals: *mut String_vector) -> c_int {
        ffi_entry!({
            // SAFETY: `ephemerals` is NULL or the caller's, writable for the call.
            let Some(out) = (unsafe { ptr::out_ref(ephemerals) }) else { return ZBADARGUMENTS };
            let Some(z) = handle(zh) else { return if zh.is_null() { ZBADARGUMENTS } else { ZINVALIDSTATE } };
            // SAFETY: `prefix` is NULL or the caller's NUL-terminated string, valid for the call.
            let prefix = unsafe { ptr::cstr_opt(prefix) };
            let (rc, rep) =
                wait_for(|done| submit(zh, "zoo_aget_ephemerals", Sending::Path(prefix), |z| build_ephemerals(z, prefix), move |_| done));
            if let (ZOK, Some(Reply::Children(c, _))) = (rc, rep) {
                match string_vector(&client_paths(&z, c)) {
                    Ok(v) => *out = v,
                    Err(e) => return e,
                }
            }
            rc
        })
    }

    /// Sync `zoo_aget_all_children_number`.
    ///
    /// Ownership and threads:
    // ownership: as-async sync
    /// - The arguments: as for the async call the first line names.
    /// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
    ///   directly (so this may be called from a watcher or a completion); every out-parameter is
    ///   written before it returns.
    #[no_mangle]
    pub unsafe extern "C" fn zoo_get_all_children_number(zh: *mut zhandle_t, path: *const c_char, count: *mut c_int) -> c_int {
        ffi_entry!({
            // SAFETY: `count` is NULL or the caller's, writable for the call.
            let Some(out) = (unsafe { ptr::out_ref(count) }) else { return ZBADARGUMENTS };
            // SAFETY: `path` is NULL or the caller's NUL-terminated string, valid for the call.
            let path = unsafe { ptr::cstr_opt(path) };
            let (rc, rep) = wait_for(|done| {
                submit(
                    zh,
                    "zoo_aget_all_children_number",
                    Sending::Path(path),
                    |z| Ok((Request::GetAllChildrenNumber { path: server_path(z, path, 0)? }, None)),
                    move |_| done,
                )
            });
            if let (ZOK, Some(Reply::Number(n))) = (rc, rep) {
                *out = n;
            }
            rc
        })
    }
}
