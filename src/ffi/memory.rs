//! Allocation and release of jute records, with libc malloc/free so that
//! callers and the reference's conventions agree on who frees what.

use crate::proto::errors::ZSYSTEMERROR;
use libc::c_char;

use crate::proto::jute::*;
use crate::proto::recordio::{deallocate_Buffer, deallocate_String};

/// Allocates `len` zeroed entries (none when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn allocate_String_vector(v: *mut String_vector, len: i32) -> i32 {
    if v.is_null() {
        return -8;
    }
    if len <= 0 {
        (*v).count = 0;
        (*v).data = std::ptr::null_mut();
    } else {
        (*v).count = len;
        (*v).data = libc::calloc(len as usize, std::mem::size_of::<*mut c_char>()) as *mut *mut c_char;
        if (*v).data.is_null() {
            (*v).count = 0;
            return ZSYSTEMERROR;
        }
    }
    0
}

/// Frees every entry and the array; clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_String_vector(v: *mut String_vector) -> i32 {
    if v.is_null() || (*v).data.is_null() {
        return 0;
    }
    let d = (*v).data;
    for i in 0..(*v).count.max(0) as usize {
        deallocate_String(d.add(i));
    }
    libc::free(d as *mut libc::c_void);
    (*v).data = std::ptr::null_mut();
    0
}

/// Allocates `len` zeroed entries (none when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn allocate_ACL_vector(v: *mut ACL_vector, len: i32) -> i32 {
    if v.is_null() {
        return -8;
    }
    if len <= 0 {
        (*v).count = 0;
        (*v).data = std::ptr::null_mut();
    } else {
        (*v).count = len;
        (*v).data = libc::calloc(len as usize, std::mem::size_of::<ACL>()) as *mut ACL;
        if (*v).data.is_null() {
            (*v).count = 0;
            return ZSYSTEMERROR;
        }
    }
    0
}

/// Frees every entry and the array; clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ACL_vector(v: *mut ACL_vector) -> i32 {
    if v.is_null() || (*v).data.is_null() {
        return 0;
    }
    let d = (*v).data;
    for i in 0..(*v).count.max(0) as usize {
        deallocate_ACL(d.add(i));
    }
    libc::free(d as *mut libc::c_void);
    (*v).data = std::ptr::null_mut();
    0
}

/// Allocates `len` zeroed entries (none when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn allocate_Id_vector(v: *mut Id_vector, len: i32) -> i32 {
    if v.is_null() {
        return -8;
    }
    if len <= 0 {
        (*v).count = 0;
        (*v).data = std::ptr::null_mut();
    } else {
        (*v).count = len;
        (*v).data = libc::calloc(len as usize, std::mem::size_of::<Id>()) as *mut Id;
        if (*v).data.is_null() {
            (*v).count = 0;
            return ZSYSTEMERROR;
        }
    }
    0
}

/// Frees every entry and the array; clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Id_vector(v: *mut Id_vector) -> i32 {
    if v.is_null() || (*v).data.is_null() {
        return 0;
    }
    let d = (*v).data;
    for i in 0..(*v).count.max(0) as usize {
        deallocate_Id(d.add(i));
    }
    libc::free(d as *mut libc::c_void);
    (*v).data = std::ptr::null_mut();
    0
}

/// Allocates `len` zeroed entries (none when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn allocate_ClientInfo_vector(v: *mut ClientInfo_vector, len: i32) -> i32 {
    if v.is_null() {
        return -8;
    }
    if len <= 0 {
        (*v).count = 0;
        (*v).data = std::ptr::null_mut();
    } else {
        (*v).count = len;
        (*v).data = libc::calloc(len as usize, std::mem::size_of::<ClientInfo>()) as *mut ClientInfo;
        if (*v).data.is_null() {
            (*v).count = 0;
            return ZSYSTEMERROR;
        }
    }
    0
}

/// Frees every entry and the array; clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ClientInfo_vector(v: *mut ClientInfo_vector) -> i32 {
    if v.is_null() || (*v).data.is_null() {
        return 0;
    }
    let d = (*v).data;
    for i in 0..(*v).count.max(0) as usize {
        deallocate_ClientInfo(d.add(i));
    }
    libc::free(d as *mut libc::c_void);
    (*v).data = std::ptr::null_mut();
    0
}

/// Allocates `len` zeroed entries (none when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn allocate_Txn_vector(v: *mut Txn_vector, len: i32) -> i32 {
    if v.is_null() {
        return -8;
    }
    if len <= 0 {
        (*v).count = 0;
        (*v).data = std::ptr::null_mut();
    } else {
        (*v).count = len;
        (*v).data = libc::calloc(len as usize, std::mem::size_of::<Txn>()) as *mut Txn;
        if (*v).data.is_null() {
            (*v).count = 0;
            return ZSYSTEMERROR;
        }
    }
    0
}

/// Frees every entry and the array; clears the pointer.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Txn_vector(v: *mut Txn_vector) -> i32 {
    if v.is_null() || (*v).data.is_null() {
        return 0;
    }
    let d = (*v).data;
    for i in 0..(*v).count.max(0) as usize {
        deallocate_Txn(d.add(i));
    }
    libc::free(d as *mut libc::c_void);
    (*v).data = std::ptr::null_mut();
    0
}

/// Frees what a `ACL` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ACL(v: *mut ACL) {
    if v.is_null() {
        return;
    }
    deallocate_Id(&mut (*v).id);
}

/// Frees what a `AddWatchRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_AddWatchRequest(v: *mut AddWatchRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `AuthPacket` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_AuthPacket(v: *mut AuthPacket) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).scheme);
    deallocate_Buffer(&mut (*v).auth);
}

/// Frees what a `CheckVersionRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckVersionRequest(v: *mut CheckVersionRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `CheckVersionTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckVersionTxn(v: *mut CheckVersionTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `CheckWatchesRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CheckWatchesRequest(v: *mut CheckWatchesRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `ClientInfo` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ClientInfo(v: *mut ClientInfo) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).authScheme);
    deallocate_String(&mut (*v).user);
}

/// Frees what a `CloseSessionTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CloseSessionTxn(v: *mut CloseSessionTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).paths2Delete);
}

/// Frees what a `ConnectRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ConnectRequest(v: *mut ConnectRequest) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).passwd);
}

/// Frees what a `ConnectResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ConnectResponse(v: *mut ConnectResponse) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).passwd);
}

/// Frees what a `Create2Response` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Create2Response(v: *mut Create2Response) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `CreateContainerTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateContainerTxn(v: *mut CreateContainerTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `CreateRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateRequest(v: *mut CreateRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `CreateResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateResponse(v: *mut CreateResponse) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `CreateSessionTxn` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateSessionTxn(_v: *mut CreateSessionTxn) {}

/// Frees what a `CreateTTLRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTTLRequest(v: *mut CreateTTLRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `CreateTTLTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTTLTxn(v: *mut CreateTTLTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `CreateTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTxn(v: *mut CreateTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `CreateTxnV0` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_CreateTxnV0(v: *mut CreateTxnV0) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `DeleteRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_DeleteRequest(v: *mut DeleteRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `DeleteTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_DeleteTxn(v: *mut DeleteTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `ErrorResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ErrorResponse(_v: *mut ErrorResponse) {}

/// A `ErrorTxn` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ErrorTxn(_v: *mut ErrorTxn) {}

/// Frees what a `ExistsRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ExistsRequest(v: *mut ExistsRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `ExistsResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ExistsResponse(_v: *mut ExistsResponse) {}

/// A `FileHeader` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_FileHeader(_v: *mut FileHeader) {}

/// Frees what a `GetACLRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetACLRequest(v: *mut GetACLRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `GetACLResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetACLResponse(v: *mut GetACLResponse) {
    if v.is_null() {
        return;
    }
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `GetAllChildrenNumberRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetAllChildrenNumberRequest(v: *mut GetAllChildrenNumberRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `GetAllChildrenNumberResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetAllChildrenNumberResponse(_v: *mut GetAllChildrenNumberResponse) {}

/// Frees what a `GetChildren2Request` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildren2Request(v: *mut GetChildren2Request) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `GetChildren2Response` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildren2Response(v: *mut GetChildren2Response) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).children);
}

/// Frees what a `GetChildrenRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildrenRequest(v: *mut GetChildrenRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `GetChildrenResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetChildrenResponse(v: *mut GetChildrenResponse) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).children);
}

/// Frees what a `GetDataRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetDataRequest(v: *mut GetDataRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `GetDataResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetDataResponse(v: *mut GetDataResponse) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).data);
}

/// Frees what a `GetEphemeralsRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetEphemeralsRequest(v: *mut GetEphemeralsRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).prefixPath);
}

/// Frees what a `GetEphemeralsResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetEphemeralsResponse(v: *mut GetEphemeralsResponse) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).ephemerals);
}

/// Frees what a `GetMaxChildrenRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetMaxChildrenRequest(v: *mut GetMaxChildrenRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `GetMaxChildrenResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetMaxChildrenResponse(_v: *mut GetMaxChildrenResponse) {}

/// Frees what a `GetSASLRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_GetSASLRequest(v: *mut GetSASLRequest) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).token);
}

/// Frees what a `Id` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Id(v: *mut Id) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).scheme);
    deallocate_String(&mut (*v).id);
}

/// A `LearnerInfo` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_LearnerInfo(_v: *mut LearnerInfo) {}

/// A `MultiHeader` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_MultiHeader(_v: *mut MultiHeader) {}

/// Frees what a `MultiTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_MultiTxn(v: *mut MultiTxn) {
    if v.is_null() {
        return;
    }
    deallocate_Txn_vector(&mut (*v).txns);
}

/// Frees what a `QuorumAuthPacket` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_QuorumAuthPacket(v: *mut QuorumAuthPacket) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).token);
}

/// Frees what a `QuorumPacket` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_QuorumPacket(v: *mut QuorumPacket) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).data);
    deallocate_Id_vector(&mut (*v).authinfo);
}

/// Frees what a `ReconfigRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ReconfigRequest(v: *mut ReconfigRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).joiningServers);
    deallocate_String(&mut (*v).leavingServers);
    deallocate_String(&mut (*v).newMembers);
}

/// Frees what a `RemoveWatchesRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_RemoveWatchesRequest(v: *mut RemoveWatchesRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// A `ReplyHeader` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_ReplyHeader(_v: *mut ReplyHeader) {}

/// A `RequestHeader` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_RequestHeader(_v: *mut RequestHeader) {}

/// Frees what a `SetACLRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetACLRequest(v: *mut SetACLRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// A `SetACLResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetACLResponse(_v: *mut SetACLResponse) {}

/// Frees what a `SetACLTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetACLTxn(v: *mut SetACLTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_ACL_vector(&mut (*v).acl);
}

/// Frees what a `SetDataRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetDataRequest(v: *mut SetDataRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
}

/// A `SetDataResponse` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetDataResponse(_v: *mut SetDataResponse) {}

/// Frees what a `SetDataTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetDataTxn(v: *mut SetDataTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
    deallocate_Buffer(&mut (*v).data);
}

/// Frees what a `SetMaxChildrenRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetMaxChildrenRequest(v: *mut SetMaxChildrenRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `SetMaxChildrenTxn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetMaxChildrenTxn(v: *mut SetMaxChildrenTxn) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `SetSASLRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetSASLRequest(v: *mut SetSASLRequest) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).token);
}

/// Frees what a `SetSASLResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetSASLResponse(v: *mut SetSASLResponse) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).token);
}

/// Frees what a `SetWatches` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetWatches(v: *mut SetWatches) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).dataWatches);
    deallocate_String_vector(&mut (*v).existWatches);
    deallocate_String_vector(&mut (*v).childWatches);
}

/// Frees what a `SetWatches2` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SetWatches2(v: *mut SetWatches2) {
    if v.is_null() {
        return;
    }
    deallocate_String_vector(&mut (*v).dataWatches);
    deallocate_String_vector(&mut (*v).existWatches);
    deallocate_String_vector(&mut (*v).childWatches);
    deallocate_String_vector(&mut (*v).persistentWatches);
    deallocate_String_vector(&mut (*v).persistentRecursiveWatches);
}

/// A `Stat` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Stat(_v: *mut Stat) {}

/// A `StatPersisted` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_StatPersisted(_v: *mut StatPersisted) {}

/// Frees what a `SyncRequest` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SyncRequest(v: *mut SyncRequest) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `SyncResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_SyncResponse(v: *mut SyncResponse) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `Txn` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_Txn(v: *mut Txn) {
    if v.is_null() {
        return;
    }
    deallocate_Buffer(&mut (*v).data);
}

/// A `TxnDigest` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_TxnDigest(_v: *mut TxnDigest) {}

/// A `TxnHeader` owns nothing: nothing to free.
#[no_mangle]
pub unsafe extern "C" fn deallocate_TxnHeader(_v: *mut TxnHeader) {}

/// Frees what a `WatcherEvent` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_WatcherEvent(v: *mut WatcherEvent) {
    if v.is_null() {
        return;
    }
    deallocate_String(&mut (*v).path);
}

/// Frees what a `WhoAmIResponse` owns.
#[no_mangle]
pub unsafe extern "C" fn deallocate_WhoAmIResponse(v: *mut WhoAmIResponse) {
    if v.is_null() {
        return;
    }
    deallocate_ClientInfo_vector(&mut (*v).clientInfo);
}
