//! The functions `recordio.h` declares beside its types (in
//! `src/proto/recordio.rs`): a string's and a buffer's deallocators and
//! `zoo_htonll`.

use libc::c_char;

use super::ffi_entry;
use super::ptr::out_ref;
use crate::proto::recordio::buffer;

/// Frees a string and clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_String(s: *mut *mut c_char) {
    ffi_entry!({
        // SAFETY: `s` is NULL or points to the caller's string pointer (NULL or malloc'd), valid for the call.
        if let Some(s) = unsafe { out_ref(s) } {
            if !s.is_null() {
                // SAFETY: the string came from malloc and nothing uses it after this.
                unsafe { libc::free(*s as *mut libc::c_void) };
                *s = std::ptr::null_mut();
            }
        }
    })
}

/// Frees a buffer's bytes and clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Buffer(b: *mut buffer) {
    ffi_entry!({
        // SAFETY: `b` is NULL or the caller's buffer (bytes NULL or malloc'd), valid for the call.
        if let Some(b) = unsafe { out_ref(b) } {
            if !b.buff.is_null() {
                // SAFETY: the bytes came from malloc and nothing uses them after this.
                unsafe { libc::free(b.buff as *mut libc::c_void) };
                b.buff = std::ptr::null_mut();
            }
        }
    })
}

/// Converts a 64-bit integer to network byte order.
#[no_mangle]
pub extern "C" fn zoo_htonll(v: i64) -> i64 {
    ffi_entry!(v.to_be())
}
