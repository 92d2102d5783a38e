//! The C surface: argument checks, conversions between C and Rust values,
//! the registry of live handles and the panic boundary.

#![warn(unsafe_op_in_unsafe_fn)]
mod codes;
pub mod consts;
pub(crate) mod entry;
pub mod ext;
pub mod handle_api;
pub mod memory;
pub mod multi;
pub mod ops;
pub(crate) mod ptr;
pub mod recordio;
pub mod sasl;
#[cfg(feature = "threaded")]
pub mod sync;
pub mod types;

use libc::{c_char, c_int};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::ffi::CStr;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, LazyLock};

use crate::client::handle::ZHandle;
use crate::proto::jute::{ACL_vector, Id, String_vector, ACL};
use crate::proto::records::Acl;

pub(crate) use codes::*;
pub(crate) use entry::ffi_entry;

/// Live handles. A call on a pointer that is not here (closed, or never a
/// handle) gets ZINVALIDSTATE without the pointer being dereferenced.
static HANDLES: LazyLock<RwLock<Registry>> = LazyLock::new(|| RwLock::new(Registry::default()));

type Registry = HashMap<usize, Arc<ZHandle>, BuildHasherDefault<AddressHasher>>;

/// The registry's hash of a handle's address. Its keys are the library's own
/// allocations, never input an application chooses, so std's SipHash (a
/// keyed defence against chosen keys) buys nothing; it was a tenth of the
/// instructions of a `zoo_aget` (`docs/performance.md`). Fibonacci hashing,
/// its high bits folded down: the addresses' low bits are all zero.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b) ^ self.0.rotate_left(8));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 32);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub(crate) fn register(zh: Arc<ZHandle>) -> *mut ZHandle {
    let p = Arc::as_ptr(&zh) as *mut ZHandle;
    HANDLES.write().insert(p as usize, zh);
    p
}

pub(crate) fn unregister(zh: *const ZHandle) -> Option<Arc<ZHandle>> {
    HANDLES.write().remove(&(zh as usize))
}

/// The live handle behind a C pointer.
pub(crate) fn handle(zh: *const ZHandle) -> Option<Arc<ZHandle>> {
    if zh.is_null() {
        return None;
    }
    HANDLES.read().get(&(zh as usize)).cloned()
}

/// A raw pointer carried to the completion thread.
pub(crate) struct SendPtr<T>(pub *mut T);
impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendPtr<T> {}
// SAFETY: the pointer is only passed back to C or written where the caller's
// API contract allows it from the completion thread; Rust never shares it.
unsafe impl<T> Send for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer (a method, so that closures capture the whole wrapper).
    pub fn get(self) -> *mut T {
        self.0
    }
}

/// Wraps a pointer the caller lent us (a completion's `data`, a results
/// array) to carry it to the thread that runs the completion; it is only
/// handed back to the caller or written as the caller's API contract says.
pub(crate) fn send_ptr<T>(p: *const T) -> SendPtr<T> {
    SendPtr(p as *mut T)
}

/// A data argument: a negative length means NULL data; NULL with length 0
/// is empty data, as the reference sends it. (NULL with a positive length,
/// which the reference dereferences, is NULL data.)
///
/// # Safety
/// `p` is NULL or points to at least `len` readable bytes for the call.
pub(crate) unsafe fn cdata(p: *const c_char, len: i32) -> Option<Vec<u8>> {
    if len == 0 {
        Some(Vec::new())
    } else if p.is_null() || len < 0 {
        None
    } else {
        // SAFETY: non-NULL with `len` > 0 readable bytes (the contract above).
        Some(unsafe { ptr::slice_arg(p as *const u8, len) }.to_vec())
    }
}

/// The reference client's path check (`isValidPath`), for a create of
/// `mode` (or 0): see [`crate::session::chroot::is_valid_path`].
pub(crate) fn is_valid_path(path: &[u8], mode: i32) -> bool {
    crate::session::chroot::is_valid_path(path, mode & crate::proto::consts::CREATE_SEQUENTIAL_FLAG != 0)
}

/// A checked server path for a C path argument (for a create of `mode`, or
/// 0): Err(ZBADARGUMENTS) when NULL, relative or invalid (see
/// [`crate::session::chroot::checked_server_path`]).
///
/// `path` comes from [`ptr::cstr_opt`] at the C boundary.
pub(crate) fn server_path(zh: &ZHandle, path: Option<&CStr>, mode: i32) -> Result<Vec<u8>, c_int> {
    let sequential = mode & crate::proto::consts::CREATE_SEQUENTIAL_FLAG != 0;
    zh.checked_server_path(path.ok_or(ZBADARGUMENTS)?.to_bytes(), sequential).ok_or(ZBADARGUMENTS)
}

/// A malloc'd NUL-terminated copy (up to the first NUL of `s`), freed by
/// its new owner with `free`; NULL when memory runs out.
pub(crate) fn malloc_cstr(s: &[u8]) -> *mut c_char {
    let s = match s.iter().position(|&b| b == 0) {
        Some(i) => &s[..i],
        None => s,
    };
    let Ok(cap) = i32::try_from(s.len() + 1) else { return std::ptr::null_mut() };
    // SAFETY: malloc may be called with any size.
    let p = unsafe { libc::malloc(s.len() + 1) } as *mut c_char;
    // SAFETY: `p` is NULL (nothing is written) or `cap` fresh bytes of ours.
    unsafe { ptr::copy_cstr_out(s, p, cap) };
    p
}

/// A malloc'd String_vector, released by `deallocate_String_vector`;
/// Err(ZSYSTEMERROR) when memory runs out (nothing is left allocated).
pub(crate) fn string_vector(items: &[Vec<u8>]) -> Result<String_vector, c_int> {
    let mut v = String_vector { count: 0, data: std::ptr::null_mut() };
    let len = i32::try_from(items.len()).map_err(|_| ZSYSTEMERROR)?;
    // SAFETY: `v` is a local record.
    if unsafe { memory::allocate_String_vector(&mut v, len) } != ZOK {
        return Err(ZSYSTEMERROR);
    }
    // SAFETY: the allocator gave `v.data` `v.count` zeroed entries, ours alone.
    let entries = unsafe { ptr::slice_mut_arg(v.data, v.count) };
    for (e, s) in entries.iter_mut().zip(items) {
        *e = malloc_cstr(s);
        if e.is_null() {
            // SAFETY: every entry is NULL or malloc'd; the array is v's.
            unsafe { memory::deallocate_String_vector(&mut v) };
            return Err(ZSYSTEMERROR);
        }
    }
    Ok(v)
}

/// A malloc'd ACL_vector, released by `deallocate_ACL_vector`;
/// Err(ZSYSTEMERROR) when memory runs out (nothing is left allocated).
pub(crate) fn acl_vector(items: &[Acl]) -> Result<ACL_vector, c_int> {
    let mut v = ACL_vector { count: 0, data: std::ptr::null_mut() };
    let len = i32::try_from(items.len()).map_err(|_| ZSYSTEMERROR)?;
    // SAFETY: `v` is a local record.
    if unsafe { memory::allocate_ACL_vector(&mut v, len) } != ZOK {
        return Err(ZSYSTEMERROR);
    }
    // SAFETY: the allocator gave `v.data` `v.count` zeroed entries, ours alone.
    let entries = unsafe { ptr::slice_mut_arg(v.data, v.count) };
    for (e, a) in entries.iter_mut().zip(items) {
        let (scheme, id) = (malloc_cstr(&a.scheme), malloc_cstr(&a.id));
        *e = ACL { perms: a.perms, id: Id { scheme, id } };
        if scheme.is_null() || id.is_null() {
            // SAFETY: every string is NULL or malloc'd; the array is v's.
            unsafe { memory::deallocate_ACL_vector(&mut v) };
            return Err(ZSYSTEMERROR);
        }
    }
    Ok(v)
}

/// The entries of a C ACL vector (NULL reads as empty).
///
/// # Safety
/// `v` is NULL or a vector valid for the call: `data` NULL or `count`
/// entries whose strings are NULL or NUL-terminated.
pub(crate) unsafe fn acls_from_c(v: *const ACL_vector) -> Vec<Acl> {
    // SAFETY: the caller's contract above.
    let Some(v) = (unsafe { ptr::in_ref(v) }) else { return Vec::new() };
    // SAFETY: `data` is NULL or holds `count` entries (the contract above).
    let entries = unsafe { ptr::slice_arg(v.data, v.count) };
    entries
        .iter()
        .map(|a| {
            // SAFETY: each string is NULL or NUL-terminated (the contract above).
            let (scheme, id) = unsafe { (ptr::cbytes_opt(a.id.scheme), ptr::cbytes_opt(a.id.id)) };
            Acl { perms: a.perms, scheme: scheme.unwrap_or_default().to_vec(), id: id.unwrap_or_default().to_vec() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_valid_path;

    #[test]
    fn the_sequential_flag_of_a_mode_is_the_path_check_s() {
        assert!(!is_valid_path(b"/a/", 0));
        assert!(is_valid_path(b"/a/", crate::proto::consts::CREATE_SEQUENTIAL_FLAG));
    }

    #[test]
    fn null_data_of_length_zero_is_empty() {
        // SAFETY: NULL pointers are never read; the slice outlives the call.
        unsafe {
            assert_eq!(super::cdata(std::ptr::null(), 0), Some(Vec::new()));
            assert_eq!(super::cdata(std::ptr::null(), -1), None);
            assert_eq!(super::cdata(std::ptr::null(), 3), None);
            assert_eq!(super::cdata(b"ab".as_ptr() as *const libc::c_char, 2), Some(b"ab".to_vec()));
        }
    }
}
