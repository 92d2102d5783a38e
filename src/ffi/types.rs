//! The C types of `zookeeper.h`: the handle, callbacks, multi operations.
#![allow(non_camel_case_types)]

use libc::{c_char, c_int, c_void};

use crate::client::handle::ZHandle;
use crate::proto::jute::{ACL_vector, Stat, String_vector};

/// The ZooKeeper handle, opaque to callers.
pub type zhandle_t = ZHandle;

/// TLS certificate settings (for source compatibility).
#[repr(C)]
pub struct _zcert {
    pub certstr: *mut c_char,
    pub ca: *mut c_char,
    pub cert: *mut c_char,
    pub key: *mut c_char,
    pub passwd: *mut c_char,
}
pub type zcert_t = _zcert;

/// A socket with its TLS settings (for source compatibility).
#[repr(C)]
pub struct _zsock {
    pub sock: c_int,
    pub cert: *mut zcert_t,
}
pub type zsock_t = _zsock;

/// Signature of a watch function.
pub type watcher_fn =
    Option<unsafe extern "C" fn(zh: *mut zhandle_t, r#type: c_int, state: c_int, path: *const c_char, watcherCtx: *mut c_void)>;

/// Completion of calls that return nothing but a result code.
pub type void_completion_t = Option<unsafe extern "C" fn(rc: c_int, data: *const c_void)>;
/// Completion of calls that return a Stat.
pub type stat_completion_t = Option<unsafe extern "C" fn(rc: c_int, stat: *const Stat, data: *const c_void)>;
/// Completion of calls that return node data.
pub type data_completion_t =
    Option<unsafe extern "C" fn(rc: c_int, value: *const c_char, value_len: c_int, stat: *const Stat, data: *const c_void)>;
/// Completion of calls that return a list of strings.
pub type strings_completion_t = Option<unsafe extern "C" fn(rc: c_int, strings: *const String_vector, data: *const c_void)>;
/// Completion of calls that return a string and a Stat.
pub type string_stat_completion_t = Option<unsafe extern "C" fn(rc: c_int, string: *const c_char, stat: *const Stat, data: *const c_void)>;
/// Completion of calls that return a list of strings and a Stat.
pub type strings_stat_completion_t =
    Option<unsafe extern "C" fn(rc: c_int, strings: *const String_vector, stat: *const Stat, data: *const c_void)>;
/// Completion of calls that return a string.
pub type string_completion_t = Option<unsafe extern "C" fn(rc: c_int, value: *const c_char, data: *const c_void)>;
/// Completion of calls that return an ACL.
pub type acl_completion_t = Option<unsafe extern "C" fn(rc: c_int, acl: *mut ACL_vector, stat: *mut Stat, data: *const c_void)>;

/// The create operation of a multi request.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct zoo_create_op {
    pub path: *const c_char,
    pub data: *const c_char,
    pub datalen: c_int,
    pub buf: *mut c_char,
    pub buflen: c_int,
    pub acl: *const ACL_vector,
    pub flags: c_int,
    pub ttl: i64,
}

/// The delete operation of a multi request.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct zoo_delete_op {
    pub path: *const c_char,
    pub version: c_int,
}

/// The set operation of a multi request.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct zoo_set_op {
    pub path: *const c_char,
    pub data: *const c_char,
    pub datalen: c_int,
    pub version: c_int,
    pub stat: *mut Stat,
}

/// The check operation of a multi request.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct zoo_check_op {
    pub path: *const c_char,
    pub version: c_int,
}

/// The operations of a multi request (an anonymous union in C).
#[repr(C)]
#[derive(Copy, Clone)]
pub union zoo_op_union {
    pub create_op: zoo_create_op,
    pub delete_op: zoo_delete_op,
    pub set_op: zoo_set_op,
    pub check_op: zoo_check_op,
}

/// One operation of a multi request (`zoo_op_t`).
#[repr(C)]
#[derive(Copy, Clone)]
pub struct zoo_op {
    pub r#type: c_int,
    pub u: zoo_op_union,
}
pub type zoo_op_t = zoo_op;

/// The result of one operation of a multi request.
#[repr(C)]
pub struct zoo_op_result {
    pub err: c_int,
    pub value: *mut c_char,
    pub valuelen: c_int,
    pub stat: *mut Stat,
}
pub type zoo_op_result_t = zoo_op_result;
