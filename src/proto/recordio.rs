//! The record I/O types of `recordio.h`: buffers and the archive
//! interfaces of the reference's jute code, and the helpers it exports.
#![allow(non_camel_case_types)]

use libc::c_char;

/// A length-prefixed byte buffer.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct buffer {
    pub len: i32,
    pub buff: *mut c_char,
}

/// A deserialisation archive (function table of the reference's jute code).
#[repr(C)]
pub struct iarchive {
    pub start_record: Option<unsafe extern "C" fn(ia: *mut iarchive, tag: *const c_char) -> i32>,
    pub end_record: Option<unsafe extern "C" fn(ia: *mut iarchive, tag: *const c_char) -> i32>,
    pub start_vector: Option<unsafe extern "C" fn(ia: *mut iarchive, tag: *const c_char, count: *mut i32) -> i32>,
    pub end_vector: Option<unsafe extern "C" fn(ia: *mut iarchive, tag: *const c_char) -> i32>,
    pub deserialize_Bool: Option<unsafe extern "C" fn(ia: *mut iarchive, name: *const c_char, v: *mut i32) -> i32>,
    pub deserialize_Int: Option<unsafe extern "C" fn(ia: *mut iarchive, name: *const c_char, v: *mut i32) -> i32>,
    pub deserialize_Long: Option<unsafe extern "C" fn(ia: *mut iarchive, name: *const c_char, v: *mut i64) -> i32>,
    pub deserialize_Buffer: Option<unsafe extern "C" fn(ia: *mut iarchive, name: *const c_char, b: *mut buffer) -> i32>,
    pub deserialize_String: Option<unsafe extern "C" fn(ia: *mut iarchive, name: *const c_char, s: *mut *mut c_char) -> i32>,
    pub r#priv: *mut libc::c_void,
}

/// A serialisation archive (function table of the reference's jute code).
#[repr(C)]
pub struct oarchive {
    pub start_record: Option<unsafe extern "C" fn(oa: *mut oarchive, tag: *const c_char) -> i32>,
    pub end_record: Option<unsafe extern "C" fn(oa: *mut oarchive, tag: *const c_char) -> i32>,
    pub start_vector: Option<unsafe extern "C" fn(oa: *mut oarchive, tag: *const c_char, count: *const i32) -> i32>,
    pub end_vector: Option<unsafe extern "C" fn(oa: *mut oarchive, tag: *const c_char) -> i32>,
    pub serialize_Bool: Option<unsafe extern "C" fn(oa: *mut oarchive, name: *const c_char, v: *const i32) -> i32>,
    pub serialize_Int: Option<unsafe extern "C" fn(oa: *mut oarchive, name: *const c_char, v: *const i32) -> i32>,
    pub serialize_Long: Option<unsafe extern "C" fn(oa: *mut oarchive, name: *const c_char, v: *const i64) -> i32>,
    pub serialize_Buffer: Option<unsafe extern "C" fn(oa: *mut oarchive, name: *const c_char, b: *const buffer) -> i32>,
    pub serialize_String: Option<unsafe extern "C" fn(oa: *mut oarchive, name: *const c_char, s: *mut *mut c_char) -> i32>,
    pub r#priv: *mut libc::c_void,
}
