//! Multi requests: the `*_op_init` helpers, `zoo_amulti` and `zoo_multi`,
//! with per-operation results written as the reference writes them.

use libc::{c_char, c_int, c_void};

use super::ops::*;
#[cfg(feature = "threaded")]
use super::sync::wait_for;
use super::types::*;
use super::*;
use crate::session::Done;
use crate::proto::jute::{Stat, ACL_vector};
use crate::proto::errors::{ZMARSHALLINGERROR, ZRUNTIMEINCONSISTENCY, ZUNIMPLEMENTED};
use crate::proto::opcodes::*;
use crate::proto::consts::*;
use crate::proto::records::{CreateBody, MultiOp, MultiResult, Reply, Request};
use crate::zlog;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

/// Prepares a create operation of a multi request.
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
    create_init(op, create_op_type(mode, ZOO_CREATE_OP), path, value, valuelen, acl, mode, path_buffer, path_buffer_len)
}

/// The operation type the reference gives a create of `mode`.
fn create_op_type(mode: c_int, default: c_int) -> c_int {
    match mode {
        4 => ZOO_CREATE_CONTAINER_OP,
        5 | 6 => ZOO_CREATE_TTL_OP,
        _ => default,
    }
}

/// Prepares a create operation whose result also carries the node's Stat.
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
    create_init(op, create_op_type(mode, ZOO_CREATE2_OP), path, value, valuelen, acl, mode, path_buffer, path_buffer_len)
}

#[allow(clippy::too_many_arguments)]
unsafe fn create_init(
    op: *mut zoo_op_t,
    ty: c_int,
    path: *const c_char,
    value: *const c_char,
    valuelen: c_int,
    acl: *const ACL_vector,
    mode: c_int,
    path_buffer: *mut c_char,
    path_buffer_len: c_int,
) {
    if op.is_null() {
        return;
    }
    (*op).r#type = ty;
    (*op).u.create_op = zoo_create_op {
        path,
        data: value,
        datalen: valuelen,
        buf: path_buffer,
        buflen: path_buffer_len,
        acl,
        flags: mode,
        ttl: 0,
    };
}

/// Prepares a delete operation of a multi request.
#[no_mangle]
pub unsafe extern "C" fn zoo_delete_op_init(op: *mut zoo_op_t, path: *const c_char, version: c_int) {
    if op.is_null() {
        return;
    }
    (*op).r#type = ZOO_DELETE_OP;
    (*op).u.delete_op = zoo_delete_op { path, version };
}

/// Prepares a set operation of a multi request.
#[no_mangle]
pub unsafe extern "C" fn zoo_set_op_init(
    op: *mut zoo_op_t,
    path: *const c_char,
    buffer: *const c_char,
    buflen: c_int,
    version: c_int,
    stat: *mut Stat,
) {
    if op.is_null() {
        return;
    }
    (*op).r#type = ZOO_SETDATA_OP;
    (*op).u.set_op = zoo_set_op { path, data: buffer, datalen: buflen, version, stat };
}

/// Prepares a version check of a multi request.
#[no_mangle]
pub unsafe extern "C" fn zoo_check_op_init(op: *mut zoo_op_t, path: *const c_char, version: c_int) {
    if op.is_null() {
        return;
    }
    (*op).r#type = ZOO_CHECK_OP;
    (*op).u.check_op = zoo_check_op { path, version };
}

/// Converts the C operations; sets up each result as the reference does.
/// As in the reference, an op type it does not send (a TTL create among
/// them) is ZUNIMPLEMENTED at once, and an invalid path in any op makes the
/// whole call ZMARSHALLINGERROR; nothing is sent either way.
unsafe fn build_ops(
    zh: &crate::client::handle::ZHandle,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
) -> Result<Vec<MultiOp>, i32> {
    if count < 0 || (count > 0 && (ops.is_null() || results.is_null())) {
        return Err(ZBADARGUMENTS);
    }
    let mut v = Vec::with_capacity(count as usize);
    let mut bad_path = false;
    for i in 0..count as usize {
        let op = &*ops.add(i);
        let res = &mut *results.add(i);
        res.err = 0;
        res.value = std::ptr::null_mut();
        res.valuelen = 0;
        res.stat = std::ptr::null_mut();
        let built = match op.r#type {
            ZOO_CREATE_OP | ZOO_CREATE2_OP | ZOO_CREATE_CONTAINER_OP => {
                let c = op.u.create_op;
                res.value = c.buf;
                res.valuelen = c.buflen;
                server_path(zh, c.path, c.flags).map(|path| {
                    MultiOp::Create(CreateBody {
                        opcode: op.r#type,
                        path,
                        data: cdata(c.data, c.datalen),
                        acl: acls_from_c(c.acl),
                        flags: c.flags,
                        ttl: -1,
                    })
                })
            }
            ZOO_DELETE_OP => {
                let d = op.u.delete_op;
                server_path(zh, d.path, 0).map(|path| MultiOp::Delete { path, version: d.version })
            }
            ZOO_SETDATA_OP => {
                let s = op.u.set_op;
                res.stat = s.stat;
                server_path(zh, s.path, 0).map(|path| MultiOp::SetData { path, data: cdata(s.data, s.datalen), version: s.version })
            }
            ZOO_CHECK_OP => {
                let c = op.u.check_op;
                server_path(zh, c.path, 0).map(|path| MultiOp::Check { path, version: c.version })
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
unsafe fn write_results(
    zh: &crate::client::handle::ZHandle,
    count: usize,
    results: SendPtr<zoo_op_result_t>,
    rc: i32,
    rep: Option<Reply>,
) -> i32 {
    let res = |i: usize| &mut *results.get().add(i);
    let Some(Reply::Multi(rs)) = rep else {
        for i in 0..count {
            res(i).err = rc;
        }
        return rc;
    };
    let mut first = 0;
    for (i, r) in rs.iter().enumerate().take(count) {
        let out = res(i);
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
                    let p = zh.client_path(path);
                    let n = (p.len() + 1).min(out.valuelen as usize);
                    std::ptr::copy_nonoverlapping(p.as_ptr(), out.value as *mut u8, n - 1);
                    *out.value.add(n - 1) = 0;
                }
                if let (Some(s), false) = (stat, out.stat.is_null()) {
                    *out.stat = *s;
                }
            }
            MultiResult::SetData(s) => {
                out.err = 0;
                if !out.stat.is_null() {
                    *out.stat = *s;
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
        |z| Ok((Request::Multi(build_ops(z, count, ops, results)?), None)),
        move |z| {
            let z = z.clone();
            let cb: crate::session::Callback = Box::new(move |rc, rep| {
                if let Some(k) = &kinds {
                    log_sub_results(&z, xid_seen.load(Ordering::Acquire), k, rep.as_ref());
                }
                let rc = write_results(&z, count as usize, res, rc, rep);
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
        zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, "deserialize_response", "Calling {} for xid={:#x} failed={}{} rc={}",
            completion_name(*kind), xid, failed, comma, rc);
    }
}

/// Runs several operations atomically; `results` gets one entry per op.
#[no_mangle]
pub unsafe extern "C" fn zoo_amulti(
    zh: *mut zhandle_t,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
    completion: void_completion_t,
    data: *const c_void,
) -> c_int {
    let d = send_ptr(data);
    multi_submit(
        zh,
        count,
        ops,
        results,
        move |rc| {
            if let Some(f) = completion {
                f(rc, d.get())
            }
        },
        false,
    )
}

/// Runs several operations atomically and waits for the outcome.
#[cfg(feature = "threaded")]
#[no_mangle]
pub unsafe extern "C" fn zoo_multi(
    zh: *mut zhandle_t,
    count: c_int,
    ops: *const zoo_op_t,
    results: *mut zoo_op_result_t,
) -> c_int {
    guard(ZSYSTEMERROR, || {
        wait_for(|done| {
            let Done::Inline(cb) = done else { unreachable!() };
            multi_submit(zh, count, ops, results, move |rc| cb(rc, None), true)
        })
        .0
    })
}
