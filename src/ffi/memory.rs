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

use crate::proto::errors::{ZBADARGUMENTS, ZOK, ZSYSTEMERROR};

use super::ffi_entry;
use super::ptr::{out_ref, slice_mut_arg};
use super::recordio::{deallocate_Buffer, deallocate_String};
use crate::proto::jute::*;

/// `len` zeroed entries of `T` from `calloc` (NULL when `len` ≤ 0), or
/// ZSYSTEMERROR when memory runs out.
fn calloc_array<T>(len: i32) -> Result<*mut T, i32> {
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

/// Gives `*v` an array of `len` zeroed `String` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_String_vector`.
#[no_mangle]
pub unsafe extern "C" fn allocate_String_vector(v: *mut String_vector, len: i32) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZBADARGUMENTS };
        allocate_into(&mut v.count, &mut v.data, len)
    })
}

/// Frees every entry of `*v` (what each `String` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern "C" fn deallocate_String_vector(v: *mut String_vector) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZOK };
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe { deallocate_from(v.count, &mut v.data, deallocate_String) };
        ZOK
    })
}

/// Gives `*v` an array of `len` zeroed `ACL` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_ACL_vector`.
#[no_mangle]
pub unsafe extern "C" fn allocate_ACL_vector(v: *mut ACL_vector, len: i32) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZBADARGUMENTS };
        allocate_into(&mut v.count, &mut v.data, len)
    })
}

/// Frees every entry of `*v` (what each `ACL` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ACL_vector(v: *mut ACL_vector) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZOK };
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe { deallocate_from(v.count, &mut v.data, deallocate_ACL) };
        ZOK
    })
}

/// Gives `*v` an array of `len` zeroed `Id` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_Id_vector`.
#[no_mangle]
pub unsafe extern "C" fn allocate_Id_vector(v: *mut Id_vector, len: i32) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZBADARGUMENTS };
        allocate_into(&mut v.count, &mut v.data, len)
    })
}

/// Frees every entry of `*v` (what each `Id` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Id_vector(v: *mut Id_vector) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZOK };
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe { deallocate_from(v.count, &mut v.data, deallocate_Id) };
        ZOK
    })
}

/// Gives `*v` an array of `len` zeroed `ClientInfo` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_ClientInfo_vector`.
#[no_mangle]
pub unsafe extern "C" fn allocate_ClientInfo_vector(v: *mut ClientInfo_vector, len: i32) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZBADARGUMENTS };
        allocate_into(&mut v.count, &mut v.data, len)
    })
}

/// Frees every entry of `*v` (what each `ClientInfo` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ClientInfo_vector(v: *mut ClientInfo_vector) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZOK };
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe { deallocate_from(v.count, &mut v.data, deallocate_ClientInfo) };
        ZOK
    })
}

/// Gives `*v` an array of `len` zeroed `Txn` entries from `calloc` (none
/// when `len` ≤ 0): ZOK, ZBADARGUMENTS when `v` is NULL, ZSYSTEMERROR when
/// memory runs out (then `count` is 0 and `data` NULL). The array becomes
/// the record's; release it with `deallocate_Txn_vector`.
#[no_mangle]
pub unsafe extern "C" fn allocate_Txn_vector(v: *mut Txn_vector, len: i32) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZBADARGUMENTS };
        allocate_into(&mut v.count, &mut v.data, len)
    })
}

/// Frees every entry of `*v` (what each `Txn` owns) and the array, and
/// clears `data`; `v` itself stays the caller's. NULL is ignored. Returns ZOK.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Txn_vector(v: *mut Txn_vector) -> i32 {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return ZOK };
        // SAFETY: the record owns `data`: NULL or a malloc'd array of `count` entries.
        unsafe { deallocate_from(v.count, &mut v.data, deallocate_Txn) };
        ZOK
    })
}

/// Frees what an `ACL` owns (`id`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ACL(v: *mut ACL) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Id(&mut v.id);
        }
    })
}

/// Frees what an `AddWatchRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_AddWatchRequest(v: *mut AddWatchRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what an `AuthPacket` owns (`scheme`, `auth`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_AuthPacket(v: *mut AuthPacket) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.scheme);
            deallocate_Buffer(&mut v.auth);
        }
    })
}

/// Frees what a `CheckVersionRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckVersionRequest(v: *mut CheckVersionRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `CheckVersionTxn` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckVersionTxn(v: *mut CheckVersionTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `CheckWatchesRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckWatchesRequest(v: *mut CheckWatchesRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `ClientInfo` owns (`authScheme`, `user`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ClientInfo(v: *mut ClientInfo) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.authScheme);
            deallocate_String(&mut v.user);
        }
    })
}

/// Frees what a `CloseSessionTxn` owns (`paths2Delete`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CloseSessionTxn(v: *mut CloseSessionTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.paths2Delete);
        }
    })
}

/// Frees what a `ConnectRequest` owns (`passwd`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ConnectRequest(v: *mut ConnectRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.passwd);
        }
    })
}

/// Frees what a `ConnectResponse` owns (`passwd`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ConnectResponse(v: *mut ConnectResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.passwd);
        }
    })
}

/// Frees what a `Create2Response` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Create2Response(v: *mut Create2Response) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `CreateContainerTxn` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateContainerTxn(v: *mut CreateContainerTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `CreateRequest` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateRequest(v: *mut CreateRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `CreateResponse` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateResponse(v: *mut CreateResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// A `CreateSessionTxn` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_CreateSessionTxn(_v: *mut CreateSessionTxn) {
    ffi_entry!({})
}

/// Frees what a `CreateTTLRequest` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTTLRequest(v: *mut CreateTTLRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `CreateTTLTxn` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTTLTxn(v: *mut CreateTTLTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `CreateTxn` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTxn(v: *mut CreateTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `CreateTxnV0` owns (`path`, `data`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTxnV0(v: *mut CreateTxnV0) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `DeleteRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_DeleteRequest(v: *mut DeleteRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `DeleteTxn` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_DeleteTxn(v: *mut DeleteTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// An `ErrorResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_ErrorResponse(_v: *mut ErrorResponse) {
    ffi_entry!({})
}

/// An `ErrorTxn` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_ErrorTxn(_v: *mut ErrorTxn) {
    ffi_entry!({})
}

/// Frees what an `ExistsRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ExistsRequest(v: *mut ExistsRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// An `ExistsResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_ExistsResponse(_v: *mut ExistsResponse) {
    ffi_entry!({})
}

/// A `FileHeader` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_FileHeader(_v: *mut FileHeader) {
    ffi_entry!({})
}

/// Frees what a `GetACLRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetACLRequest(v: *mut GetACLRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `GetACLResponse` owns (`acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetACLResponse(v: *mut GetACLResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `GetAllChildrenNumberRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetAllChildrenNumberRequest(v: *mut GetAllChildrenNumberRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// A `GetAllChildrenNumberResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_GetAllChildrenNumberResponse(_v: *mut GetAllChildrenNumberResponse) {
    ffi_entry!({})
}

/// Frees what a `GetChildren2Request` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildren2Request(v: *mut GetChildren2Request) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `GetChildren2Response` owns (`children`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildren2Response(v: *mut GetChildren2Response) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.children);
        }
    })
}

/// Frees what a `GetChildrenRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildrenRequest(v: *mut GetChildrenRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `GetChildrenResponse` owns (`children`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildrenResponse(v: *mut GetChildrenResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.children);
        }
    })
}

/// Frees what a `GetDataRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetDataRequest(v: *mut GetDataRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `GetDataResponse` owns (`data`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetDataResponse(v: *mut GetDataResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.data);
        }
    })
}

/// Frees what a `GetEphemeralsRequest` owns (`prefixPath`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetEphemeralsRequest(v: *mut GetEphemeralsRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.prefixPath);
        }
    })
}

/// Frees what a `GetEphemeralsResponse` owns (`ephemerals`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetEphemeralsResponse(v: *mut GetEphemeralsResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.ephemerals);
        }
    })
}

/// Frees what a `GetMaxChildrenRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetMaxChildrenRequest(v: *mut GetMaxChildrenRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// A `GetMaxChildrenResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_GetMaxChildrenResponse(_v: *mut GetMaxChildrenResponse) {
    ffi_entry!({})
}

/// Frees what a `GetSASLRequest` owns (`token`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetSASLRequest(v: *mut GetSASLRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.token);
        }
    })
}

/// Frees what an `Id` owns (`scheme`, `id`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Id(v: *mut Id) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.scheme);
            deallocate_String(&mut v.id);
        }
    })
}

/// A `LearnerInfo` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_LearnerInfo(_v: *mut LearnerInfo) {
    ffi_entry!({})
}

/// A `MultiHeader` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_MultiHeader(_v: *mut MultiHeader) {
    ffi_entry!({})
}

/// Frees what a `MultiTxn` owns (`txns`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_MultiTxn(v: *mut MultiTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Txn_vector(&mut v.txns);
        }
    })
}

/// Frees what a `QuorumAuthPacket` owns (`token`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_QuorumAuthPacket(v: *mut QuorumAuthPacket) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.token);
        }
    })
}

/// Frees what a `QuorumPacket` owns (`data`, `authinfo`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_QuorumPacket(v: *mut QuorumPacket) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.data);
            deallocate_Id_vector(&mut v.authinfo);
        }
    })
}

/// Frees what a `ReconfigRequest` owns (`joiningServers`, `leavingServers`, `newMembers`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ReconfigRequest(v: *mut ReconfigRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.joiningServers);
            deallocate_String(&mut v.leavingServers);
            deallocate_String(&mut v.newMembers);
        }
    })
}

/// Frees what a `RemoveWatchesRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_RemoveWatchesRequest(v: *mut RemoveWatchesRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// A `ReplyHeader` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_ReplyHeader(_v: *mut ReplyHeader) {
    ffi_entry!({})
}

/// A `RequestHeader` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_RequestHeader(_v: *mut RequestHeader) {
    ffi_entry!({})
}

/// Frees what a `SetACLRequest` owns (`path`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetACLRequest(v: *mut SetACLRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// A `SetACLResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_SetACLResponse(_v: *mut SetACLResponse) {
    ffi_entry!({})
}

/// Frees what a `SetACLTxn` owns (`path`, `acl`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetACLTxn(v: *mut SetACLTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_ACL_vector(&mut v.acl);
        }
    })
}

/// Frees what a `SetDataRequest` owns (`path`, `data`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetDataRequest(v: *mut SetDataRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
        }
    })
}

/// A `SetDataResponse` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_SetDataResponse(_v: *mut SetDataResponse) {
    ffi_entry!({})
}

/// Frees what a `SetDataTxn` owns (`path`, `data`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetDataTxn(v: *mut SetDataTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
            deallocate_Buffer(&mut v.data);
        }
    })
}

/// Frees what a `SetMaxChildrenRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetMaxChildrenRequest(v: *mut SetMaxChildrenRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `SetMaxChildrenTxn` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetMaxChildrenTxn(v: *mut SetMaxChildrenTxn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `SetSASLRequest` owns (`token`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetSASLRequest(v: *mut SetSASLRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.token);
        }
    })
}

/// Frees what a `SetSASLResponse` owns (`token`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetSASLResponse(v: *mut SetSASLResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.token);
        }
    })
}

/// Frees what a `SetWatches` owns (`dataWatches`, `existWatches`, `childWatches`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetWatches(v: *mut SetWatches) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.dataWatches);
            deallocate_String_vector(&mut v.existWatches);
            deallocate_String_vector(&mut v.childWatches);
        }
    })
}

/// Frees what a `SetWatches2` owns (`dataWatches`, `existWatches`, `childWatches`, `persistentWatches`, `persistentRecursiveWatches`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetWatches2(v: *mut SetWatches2) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String_vector(&mut v.dataWatches);
            deallocate_String_vector(&mut v.existWatches);
            deallocate_String_vector(&mut v.childWatches);
            deallocate_String_vector(&mut v.persistentWatches);
            deallocate_String_vector(&mut v.persistentRecursiveWatches);
        }
    })
}

/// A `Stat` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_Stat(_v: *mut Stat) {
    ffi_entry!({})
}

/// A `StatPersisted` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_StatPersisted(_v: *mut StatPersisted) {
    ffi_entry!({})
}

/// Frees what a `SyncRequest` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SyncRequest(v: *mut SyncRequest) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `SyncResponse` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SyncResponse(v: *mut SyncResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `Txn` owns (`data`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Txn(v: *mut Txn) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_Buffer(&mut v.data);
        }
    })
}

/// A `TxnDigest` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_TxnDigest(_v: *mut TxnDigest) {
    ffi_entry!({})
}

/// A `TxnHeader` owns nothing: nothing is freed (any pointer, NULL included).
#[no_mangle]
pub extern "C" fn deallocate_TxnHeader(_v: *mut TxnHeader) {
    ffi_entry!({})
}

/// Frees what a `WatcherEvent` owns (`path`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_WatcherEvent(v: *mut WatcherEvent) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_String(&mut v.path);
        }
    })
}

/// Frees what a `WhoAmIResponse` owns (`clientInfo`); the record itself
/// stays the caller's. NULL is ignored.
#[no_mangle]
pub unsafe extern "C" fn deallocate_WhoAmIResponse(v: *mut WhoAmIResponse) {
    ffi_entry!({
        // SAFETY: `v` is NULL or a record of the caller's, valid for the call.
        let Some(v) = (unsafe { out_ref(v) }) else { return };
        // SAFETY: each field is NULL or malloc'd memory the record owns.
        unsafe {
            deallocate_ClientInfo_vector(&mut v.clientInfo);
        }
    })
}
