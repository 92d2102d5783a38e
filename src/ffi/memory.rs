//! Allocation and release of jute records, with libc malloc/free so that
//! callers and the reference's conventions agree on who frees what.
//!
//! Ownership, for every function here: the record pointed to by `v` is the
//! caller's (on its stack or wherever it likes) and must stay valid for the
//! call; the memory its fields point to (strings, buffers, arrays) is owned
//! by the record: NULL or from `malloc`/`calloc`, filled by this library
//! (results of calls) or by the caller. `allocate_*` give a record a fresh
//! array; `deallocate_*` free what the record owns, clear the freed
//! pointers where the reference does, and never free `v` itself. Any thread
//! may call them, but not while another thread uses the same record.

//!
//! The functions themselves are generated (`records`, from
//! `src/proto/zookeeper.jute`); what they share is here.

use crate::ffi::codes::{ZOK, ZSYSTEMERROR};

use super::ptr::slice_mut_arg;

mod records;
pub use records::*;

/// `len` zeroed entries of `T` from `calloc` (NULL when `len` ≤ 0), or
/// ZSYSTEMERROR when memory runs out.
fn calloc_array<T>(len: i32) -> Result<*mut T, libc::c_int> {
    if len <= 0 {
        return Ok(std::ptr::null_mut());
    }
    // SAFETY: calloc may be called with any sizes; it checks the product.
    let p = unsafe { libc::calloc(len as usize, std::mem::size_of::<T>()) } as *mut T;
    if p.is_null() {
        Err(ZSYSTEMERROR)
    } else {
        Ok(p)
    }
}

/// Gives a vector record `len` zeroed entries: `(count, data)` are set to
/// `(len, array)`, or to `(0, NULL)` when `len` ≤ 0 or memory runs out.
fn allocate_into<T>(count: &mut i32, data: &mut *mut T, len: i32) -> i32 {
    match calloc_array::<T>(len) {
        Ok(p) => {
            *count = if p.is_null() { 0 } else { len };
            *data = p;
            ZOK
        }
        Err(rc) => {
            *count = 0;
            *data = std::ptr::null_mut();
            rc
        }
    }
}

/// Frees each of the `count` entries of `data` with `free_entry`, then the
/// array, and clears `data`.
///
/// # Safety
/// `data` is NULL or a malloc'd array of at least `count` entries owned by
/// the record, each valid for `free_entry`.
unsafe fn deallocate_from<T>(count: i32, data: &mut *mut T, free_entry: unsafe extern "C" fn(*mut T)) {
    if data.is_null() {
        return;
    }
    // SAFETY: `data` holds `count` entries (the contract above).
    for e in unsafe { slice_mut_arg(*data, count) } {
        // SAFETY: each entry is a record `free_entry` accepts (the contract above).
        unsafe { free_entry(e) };
    }
    // SAFETY: the array came from malloc/calloc and is not used after this.
    unsafe { libc::free(*data as *mut libc::c_void) };
    *data = std::ptr::null_mut();
}
