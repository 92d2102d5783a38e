//! Multi requests: the `*_op_init` helpers, `zoo_amulti` and `zoo_multi`,
//! with per-operation results written as the reference writes them.

use libc::{c_char, c_int, c_void};

use super::ops::*;
#[cfg(feature = "threaded")]
use super::sync::wait_for;
use super::types::*;
use super::*;
use crate::ffi::codes::{ZMARSHALLINGERROR, ZRUNTIMEINCONSISTENCY, ZUNIMPLEMENTED};
use crate::proto::consts::*;
use crate::proto::jute::{ACL_vector, Stat};
use crate::proto::opcodes::*;
use crate::proto::records::{create_opcode, CreateBody, MultiOp, MultiResult, Reply, Request};
use crate::session::Done;
use crate::zlog;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// Prepares a create operation of a multi request.
///
/// Ownership and threads:
// ownership: op path-stored value-stored acl-stored path-buffer-stored
/// - `op`: NULL (ignored) or the caller's, filled; the pointers given are stored, not copied, and
///   must stay valid until the multi call that uses `op` returns.
/// - `path`: the caller's NUL-terminated string, stored in `op` (not copied): read by the multi call
///   that uses `op`, so it stays valid until that call returns.
/// - `value`: `valuelen` bytes of the caller's, stored in `op` (not copied): read by the multi call
///   that uses `op`, so they stay valid until that call returns (NULL with 0 is empty data, a
///   negative length NULL data).
/// - `acl`: the caller's vector, stored in `op` (not copied): read by the multi call that uses `op`,
///   so it stays valid until that call returns.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's, stored in `op`: when the operation
///   succeeds, the multi call writes the created path there, truncated and NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn zoo_create_op_init(
    op: *mut zoo_op_t,
    path: *const c_char,
    value: *const c_char,
    valuelen: c_int,
    acl: *const ACL_vector,
    mode: c_int,
    path_buffer: *mut c_char,
    path_buffer_len: c_int,
) {
    ffi_entry!({
        // SAFETY: `op` is NULL or a writable zoo_op_t for the call (the contract above).
        let Some(op) = (unsafe { ptr::out_ref(op) }) else { return };
        create_init(op, create_opcode(mode, false), path, value, valuelen, acl, mode, path_buffer, path_buffer_len)
    })
}

/// Prepares a create operation whose result also carries the node's Stat.
///
/// Ownership and threads:
// ownership: op path-stored value-stored acl-stored path-buffer-stored
/// - `op`: NULL (ignored) or the caller's, filled; the pointers given are stored, not copied, and
///   must stay valid until the multi call that uses `op` returns.
/// - `path`: the caller's NUL-terminated string, stored in `op` (not copied): read by the multi call
///   that uses `op`, so it stays valid until that call returns.
/// - `value`: `valuelen` bytes of the caller's, stored in `op` (not copied): read by the multi call
///   that uses `op`, so they stay valid until that call returns (NULL with 0 is empty data, a
///   negative length NULL data).
/// - `acl`: the caller's vector, stored in `op` (not copied): read by the multi call that uses `op`,
///   so it stays valid until that call returns.
/// - `path_buffer`: `path_buffer_len` bytes of the caller's, stored in `op`: when the operation
///   succeeds, the multi call writes the created path there, truncated and NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn zoo_create2_op_init(
    op: *mut zoo_op_t,
    path: *const c_char,
    value: *const c_char,
    valuelen: c_int,
    acl: *const ACL_vector,
    mode: c_int,
    path_buffer: *mut c_char,
    path_buffer_len: c_int,
) {
    ffi_entry!({
        // SAFETY: `op` is NULL or a writable zoo_op_t for the call (the contract above).
        let Some(op) = (unsafe { ptr::out_ref(op) }) else { return };
        create_init(op, create_opcode(mode, true), path, value, valuelen, acl, mode, path_buffer, path_buffer_len)
    })
}

/// Fills a create op; the pointers are stored, not read (the caller keeps
/// them valid until the multi call that uses the op).
#[allow(clippy::too_many_arguments)]
fn create_init(
    op: &mut zoo_op_t,
    ty: c_int,
    path: *const c_char,
    value: *const c_char,
    valuelen: c_int,
    acl: *const ACL_vector,
    mode: c_int,
    path_buffer: *mut c_char,
    path_buffer_len: c_int,
) {
    op.r#type = ty;
    op.u.create_op =
        zoo_create_op { path, data: value, datalen: valuelen, buf: path_buffer, buflen: path_buffer_len, acl, flags: mode, ttl: 0 };
}

/// Prepares a delete operation of a multi request.
///
/// Ownership and threads:
// ownership: op path-stored
/// - `op`: NULL (ignored) or the caller's, filled; the pointers given are stored, not copied, and
///   must stay valid until the multi call that uses `op` returns.
/// - `path`: the caller's NUL-terminated string, stored in `op` (not copied): read by the multi call
///   that uses `op`, so it stays valid until that call returns.
#[no_mangle]
pub unsafe extern "C" fn zoo_delete_op_init(op: *mut zoo_op_t, path: *const c_char, version: c_int) {
    ffi_entry!({
        // SAFETY: `op` is NULL or a writable zoo_op_t for the call (the contract above).
        let Some(op) = (unsafe { ptr::out_ref(op) }) else { return };
        op.r#type = ZOO_DELETE_OP;
        op.u.delete_op = zoo_delete_op { path, version };
    })
}

/// Prepares a set operation of a multi request.
///
/// Ownership and threads:
// ownership: op path-stored buffer-stored stat-stored
/// - `op`: NULL (ignored) or the caller's, filled; the pointers given are stored, not copied, and
///   must stay valid until the multi call that uses `op` returns.
/// - `path`: the caller's NUL-terminated string, stored in `op` (not copied): read by the multi call
///   that uses `op`, so it stays valid until that call returns.
/// - `buffer`: `buflen` bytes of the caller's, stored in `op` (not copied): read by the multi call
///   that uses `op`, so they stay valid until that call returns (NULL with 0 is empty data, a
///   negative length NULL data).
/// - `stat`: NULL or the caller's, stored in `op`: when the operation succeeds, the multi call writes
///   the node's Stat there.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_op_init(
    op: *mut zoo_op_t,
    path: *const c_char,
    buffer: *const c_char,
    buflen: c_int,
    version: c_int,
    stat: *mut Stat,
) {
    ffi_entry!({
        // SAFETY: `op` is NULL or a writable zoo_op_t for the call (the contract above).
        let Some(op) = (unsafe { ptr::out_ref(op) }) else { return };
        op.r#type = ZOO_SETDATA_OP;
        op.u.set_op = zoo_set_op { path, data: buffer, datalen: buflen, version, stat };
    })
}

/// Prepares a version check of a multi request.
///
/// Ownership and threads:
// ownership: op path-stored
/// - `op`: NULL (ignored) or the caller's, filled; the pointers given are stored, not copied, and
///   must stay valid until the multi call that uses `op` returns.
/// - `path`: the caller's NUL-terminated string, stored in `op` (not copied): read by the multi call
///   that uses `op`, so it stays valid until that call returns.
#[no_mangle]
pub unsafe extern "C" fn zoo_check_op_init(op: *mut zoo_op_t, path: *const c_char, version: c_int) {
    ffi_entry!({
        // SAFETY: `op` is NULL or a writable zoo_op_t for the call (the contract above).
        let Some(op) = (unsafe { ptr::out_ref(op) }) else { return };
        op.r#type = ZOO_CHECK_OP;
        op.u.check_op = zoo_check_op { path, version };
    })
}

/// Converts the C operations; sets up each result as the reference does.
/// As in the reference, an op type it does not send (a TTL create among
/// them) is ZUNIMPLEMENTED at once, and an invalid path in any op makes the
/// whole call ZMARSHALLINGERROR; nothing is sent either way.
///
/// # Safety
/// `ops` and `results` are NULL or hold `count` entries, for the call.
unsafe fn build_ops(
    zh: &crate::client::handle::ZHandle,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
) -> Result<Vec<MultiOp>, c_int> {
    if count < 0 || (count > 0 && (ops.is_null() || results.is_null())) {
        return Err(ZBADARGUMENTS);
    }
    let mut v = Vec::with_capacity(count as usize);
    let mut bad_path = false;
    // SAFETY: `ops` and `results` hold `count` entries (checked non-NULL
    // above; their size is the caller's contract).
    let (ops, results) = unsafe { (ptr::slice_arg(ops, count), ptr::slice_mut_arg(results, count)) };
    for (op, res) in ops.iter().zip(results.iter_mut()) {
        res.err = 0;
        res.value = std::ptr::null_mut();
        res.valuelen = 0;
        res.stat = std::ptr::null_mut();
        let built = match op.r#type {
            ZOO_CREATE_OP | ZOO_CREATE2_OP | ZOO_CREATE_CONTAINER_OP => {
                // SAFETY: the type field says which member of the union is set.
                let c = unsafe { op.u.create_op };
                // SAFETY: the op's pointers are NULL or valid for the call (zoo_*_op_init's contract).
                let (path, data, acl) = unsafe { (ptr::cstr_opt(c.path), cdata(c.data, c.datalen), acls_from_c(c.acl)) };
                res.value = c.buf;
                res.valuelen = c.buflen;
                server_path(zh, path, c.flags)
                    .map(|path| MultiOp::Create(CreateBody { opcode: op.r#type, path, data, acl, flags: c.flags, ttl: -1 }))
            }
            ZOO_DELETE_OP => {
                // SAFETY: the type field says which member of the union is set.
                let d = unsafe { op.u.delete_op };
                // SAFETY: the op's path is NULL or valid for the call.
                server_path(zh, unsafe { ptr::cstr_opt(d.path) }, 0).map(|path| MultiOp::Delete { path, version: d.version })
            }
            ZOO_SETDATA_OP => {
                // SAFETY: the type field says which member of the union is set.
                let s = unsafe { op.u.set_op };
                res.stat = s.stat;
                // SAFETY: the op's pointers are NULL or valid for the call.
                let (path, data) = unsafe { (ptr::cstr_opt(s.path), cdata(s.data, s.datalen)) };
                server_path(zh, path, 0).map(|path| MultiOp::SetData { path, data, version: s.version })
            }
            ZOO_CHECK_OP => {
                // SAFETY: the type field says which member of the union is set.
                let c = unsafe { op.u.check_op };
                // SAFETY: the op's path is NULL or valid for the call.
                server_path(zh, unsafe { ptr::cstr_opt(c.path) }, 0).map(|path| MultiOp::Check { path, version: c.version })
            }
            _ => return Err(ZUNIMPLEMENTED),
        };
        match built {
            Ok(o) => v.push(o),
            Err(_) => bad_path = true,
        }
    }
    if bad_path {
        return Err(ZMARSHALLINGERROR);
    }
    Ok(v)
}

/// Writes the per-operation results; returns the multi's result code.
///
/// # Safety
/// `results` holds `count` entries the caller keeps valid (and untouched)
/// until the completion; their `value` (with `valuelen`) and `stat`
/// pointers are NULL or writable, as `zoo_*_op_init` recorded them.
unsafe fn write_results(
    zh: &crate::client::handle::ZHandle,
    count: c_int,
    results: SendPtr<zoo_op_result_t>,
    rc: i32,
    rep: Option<Reply>,
) -> i32 {
    // SAFETY: the caller's contract above.
    let res = unsafe { ptr::slice_mut_arg(results.get(), count) };
    let Some(Reply::Multi(rs)) = rep else {
        for out in res.iter_mut() {
            out.err = rc;
        }
        return rc;
    };
    let mut first = 0;
    for (out, r) in res.iter_mut().zip(rs.iter()) {
        match r {
            MultiResult::Error(e) => {
                out.err = *e;
                if first == 0 && *e != 0 && *e != ZRUNTIMEINCONSISTENCY {
                    first = *e;
                }
                out.stat = std::ptr::null_mut();
                // A create op of a failed multi has no path.
                out.value = std::ptr::null_mut();
            }
            MultiResult::Create { path, stat } => {
                out.err = 0;
                // A buffer of length <= 0 stays the value, untouched.
                if !out.value.is_null() && out.valuelen > 0 {
                    // SAFETY: `value` has `valuelen` writable bytes (the contract above).
                    unsafe { ptr::copy_cstr_out(&zh.client_path(path), out.value, out.valuelen) };
                }
                // SAFETY: `stat` is NULL or writable (the contract above).
                if let (Some(s), Some(dst)) = (stat, unsafe { ptr::out_ref(out.stat) }) {
                    *dst = *s;
                }
            }
            MultiResult::SetData(s) => {
                out.err = 0;
                // SAFETY: `stat` is NULL or writable (the contract above).
                if let Some(dst) = unsafe { ptr::out_ref(out.stat) } {
                    *dst = *s;
                }
            }
            MultiResult::Delete | MultiResult::Check => out.err = 0,
        }
    }
    if first != 0 {
        first
    } else {
        rc
    }
}

/// Queues a multi request; `finish` gets the multi's result code once the
/// results are written.
///
/// # Safety
/// `ops` holds `count` ops valid for the call; `results` holds `count`
/// entries the caller keeps valid until the completion (`zoo_amulti`'s
/// contract).
unsafe fn multi_submit(
    zhp: *mut zhandle_t,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
    finish: impl FnOnce(i32) + Send + 'static,
    inline: bool,
) -> c_int {
    let res = send_ptr(results);
    // For the DEBUG lines of the sub-results (the reference logs one per
    // operation, with the kind of its completion): prepared only when
    // DEBUG is on; the xid is known once the request is queued.
    let kinds: Option<Vec<i32>> = if crate::log::enabled(crate::log::ZOO_LOG_LEVEL_DEBUG) && count > 0 && !ops.is_null() {
        // SAFETY: ops has count entries (the caller's contract of zoo_amulti).
        Some(unsafe { ptr::slice_arg(ops, count) }.iter().map(|o| sub_completion_kind(o.r#type)).collect())
    } else {
        None
    };
    let xid_cell = Arc::new(AtomicI32::new(0));
    let xid_seen = xid_cell.clone();
    let r = submit_xid(
        zhp,
        "zoo_amulti",
        Sending::Multi(count),
        // SAFETY: the caller's contract above.
        |z| Ok((Request::Multi(unsafe { build_ops(z, count, ops, results) }?), None)),
        move |z| {
            let z = z.clone();
            let cb: crate::session::Callback = c_callback(move |rc, rep| {
                if let Some(k) = &kinds {
                    log_sub_results(&z, xid_seen.load(Ordering::Acquire), k, rep.as_ref());
                }
                // SAFETY: `results` is still the caller's array (the contract above).
                let rc = unsafe { write_results(&z, count, res, rc, rep) };
                finish(rc)
            });
            if inline {
                Done::Inline(cb)
            } else {
                Done::Queue(cb)
            }
        },
    );
    match r {
        Ok(xid) => {
            xid_cell.store(xid, Ordering::Release);
            ZOK
        }
        Err(rc) => rc,
    }
}

/// The reference's completion kind of one operation of a multi request.
fn sub_completion_kind(op_type: c_int) -> i32 {
    match op_type {
        ZOO_CREATE_OP | ZOO_CREATE_CONTAINER_OP | ZOO_CREATE_TTL_OP => COMPLETION_STRING,
        ZOO_CREATE2_OP => COMPLETION_STRING_STAT,
        ZOO_SETDATA_OP => COMPLETION_STAT,
        _ => COMPLETION_VOID,
    }
}

/// One DEBUG line per operation result, as the reference's
/// `deserialize_response` writes them (on the thread that runs the
/// completion: the IO thread for `zoo_multi`, the completion thread for
/// `zoo_amulti`). `xid` is the one the submitting thread recorded; should
/// the reply beat that store, the line shows 0.
fn log_sub_results(zh: &crate::client::handle::ZHandle, xid: i32, kinds: &[i32], rep: Option<&Reply>) {
    let Some(Reply::Multi(rs)) = rep else { return };
    for (kind, r) in kinds.iter().zip(rs) {
        let (failed, rc) = match r {
            MultiResult::Error(e) => (1, *e),
            _ => (0, 0),
        };
        let comma = if *kind == COMPLETION_STRING || *kind == COMPLETION_STRING_STAT { "," } else { "" };
        zlog!(
            zh.log_cb(),
            ZOO_LOG_LEVEL_DEBUG,
            "deserialize_response",
            "Calling {} for xid={:#x} failed={}{} rc={}",
            completion_name(*kind),
            xid,
            failed,
            comma,
            rc
        );
    }
}

/// Runs several operations atomically; `results` gets one entry per op.
///
/// Ownership and threads:
// ownership: zh-call ops results completion data
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `ops`: `count` operations prepared with `zoo_*_op_init`; the pointers they hold are read
///   during the call.
/// - `results`: `count` entries of the caller's that stay valid and untouched until the completion
///   has run; each op's path buffer and Stat pointer are written then.
/// - `completion`: when the call returns ZOK, called exactly once, in reply order, on the
///   completion thread (MT) or on the thread calling `zookeeper_process` (ST); the pointers it
///   receives are the library's and valid only during the call.
/// - `data`: not read; passed back to the completion, so the caller keeps what it points to alive
///   until then.
#[no_mangle]
pub unsafe extern "C" fn zoo_amulti(
    zh: *mut zhandle_t,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    ffi_entry!({
        let d = send_ptr(data);
        let finish = move |rc| {
            if let Some(f) = completion {
                // SAFETY: the caller's completion, called once with its own `data`.
                unsafe { f(rc, d.get()) }
            }
        };
        // SAFETY: `ops` and `results` are valid as documented above.
        unsafe { multi_submit(zh, count, ops, results, finish, false) }
    })
}

/// Runs several operations atomically and waits for the outcome.
///
/// Ownership and threads:
// ownership: zh-call ops results sync
/// - `zh`: a handle from `zookeeper_init`; NULL gives ZBADARGUMENTS and a closed or unknown handle
///   ZINVALIDSTATE (it is never dereferenced).
/// - `ops`: `count` operations prepared with `zoo_*_op_init`; the pointers they hold are read
///   during the call.
/// - `results`: `count` entries of the caller's that stay valid and untouched until the completion
///   has run; each op's path buffer and Stat pointer are written then.
/// - Sync: the calling thread waits until the IO thread has the reply, which it hands over
///   directly (so this may be called from a watcher or a completion); every out-parameter is
///   written before it returns.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_multi(zh: *mut zhandle_t, count: c_int, ops: *const zoo_op_t, results: *mut zoo_op_result_t) -> c_int {
    ffi_entry!({
        wait_for(|done| {
            let Done::Inline(cb) = done else { unreachable!() };
            // SAFETY: `ops` and `results` are valid as documented above; this
            // thread waits for the completion, so `results` outlives it.
            unsafe { multi_submit(zh, count, ops, results, move |rc| cb(from_c(rc), None), true) }
        })
        .0
    })
}
