//! The only places where raw pointers from C become Rust references or
//! slices. Each helper states what it requires of the C caller; the C
//! surface calls these instead of dereferencing pointers itself, so that
//! the unsafe contract of every exported function reduces to "each pointer
//! argument is NULL or valid as its documentation says".

use libc::{c_char, c_int};
use std::ffi::CStr;

use crate::ffi::codes::ZBADARGUMENTS;

/// A required C string argument: `Err(ZBADARGUMENTS)` when NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a` (the duration of the call, for arguments).
pub(crate) unsafe fn cstr_arg<'a>(p: *const c_char) -> Result<&'a CStr, c_int> {
    // SAFETY: the caller's contract above.
    unsafe { cstr_opt(p) }.ok_or(ZBADARGUMENTS)
}

/// An optional C string argument: `None` when NULL.
///
/// # Safety
/// As [`cstr_arg`].
pub(crate) unsafe fn cstr_opt<'a>(p: *const c_char) -> Option<&'a CStr> {
    if p.is_null() {
        None
    } else {
        // SAFETY: non-NULL, and NUL-terminated and live for 'a by the contract.
        Some(unsafe { CStr::from_ptr(p) })
    }
}

/// The bytes of an optional C string argument, without the NUL.
///
/// # Safety
/// As [`cstr_arg`].
pub(crate) unsafe fn cbytes_opt<'a>(p: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: the caller's contract above.
    unsafe { cstr_opt(p) }.map(CStr::to_bytes)
}

/// An optional out-parameter: `None` when NULL.
///
/// # Safety
/// `p` is NULL or points to a writable, aligned `T` that nothing else
/// accesses for `'a`.
pub(crate) unsafe fn out_ref<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: the caller's contract above (`as_mut` checks NULL).
    unsafe { p.as_mut() }
}

/// An optional input structure: `None` when NULL.
///
/// # Safety
/// `p` is NULL or points to an initialised, aligned `T` not written by
/// anyone else for `'a`.
pub(crate) unsafe fn in_ref<'a, T>(p: *const T) -> Option<&'a T> {
    // SAFETY: the caller's contract above (`as_ref` checks NULL).
    unsafe { p.as_ref() }
}

/// A C array argument of `len` elements; NULL or a length ≤ 0 read as empty.
///
/// # Safety
/// When `p` is non-NULL and `len > 0`, `p` points to `len` initialised,
/// aligned `T`s not written by anyone else for `'a`.
pub(crate) unsafe fn slice_arg<'a, T>(p: *const T, len: i32) -> &'a [T] {
    if p.is_null() || len <= 0 {
        &[]
    } else {
        // SAFETY: non-NULL with len > 0 elements by the contract.
        unsafe { std::slice::from_raw_parts(p, len as usize) }
    }
}

/// A writable C array argument of `len` elements; NULL or a length ≤ 0
/// read as empty.
///
/// # Safety
/// When `p` is non-NULL and `len > 0`, `p` points to `len` writable,
/// aligned `T`s that nothing else accesses for `'a`.
pub(crate) unsafe fn slice_mut_arg<'a, T>(p: *mut T, len: i32) -> &'a mut [T] {
    if p.is_null() || len <= 0 {
        &mut []
    } else {
        // SAFETY: non-NULL with len > 0 writable elements by the contract.
        unsafe { std::slice::from_raw_parts_mut(p, len as usize) }
    }
}

/// Copies `src` into the C buffer `buf` of `cap` bytes as a NUL-terminated
/// string, truncated to `cap - 1` bytes; nothing when `buf` is NULL or
/// `cap` ≤ 0.
///
/// # Safety
/// As [`slice_mut_arg`] for `(buf, cap)`.
pub(crate) unsafe fn copy_cstr_out(src: &[u8], buf: *mut c_char, cap: i32) {
    // SAFETY: the caller's contract above.
    let dst = unsafe { slice_mut_arg(buf as *mut u8, cap) };
    if let Some((last, body)) = dst.split_last_mut() {
        let n = src.len().min(body.len());
        body[..n].copy_from_slice(&src[..n]);
        if n < body.len() {
            body[n] = 0;
        } else {
            *last = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_arguments() {
        // SAFETY: NULL pointers are never dereferenced by the helpers.
        unsafe {
            assert_eq!(cstr_arg(std::ptr::null()), Err(ZBADARGUMENTS));
            assert!(cstr_opt(std::ptr::null()).is_none());
            assert!(out_ref::<i32>(std::ptr::null_mut()).is_none());
            assert!(slice_arg::<u8>(std::ptr::null(), 5).is_empty());
        }
    }

    #[test]
    fn copy_truncates_and_terminates() {
        let mut b = [b'x' as c_char; 4];
        // SAFETY: `b` has 4 writable bytes.
        unsafe { copy_cstr_out(b"abcdef", b.as_mut_ptr(), 4) };
        assert_eq!(b.map(|c| c as u8), *b"abc\0");
        let mut b = [b'x' as c_char; 8];
        // SAFETY: `b` has 8 writable bytes.
        unsafe { copy_cstr_out(b"ab", b.as_mut_ptr(), 8) };
        assert_eq!(&b.map(|c| c as u8)[..3], b"ab\0");
    }
}
