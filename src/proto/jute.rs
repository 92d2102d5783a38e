//! The jute records of `zookeeper.jute`, laid out exactly as the reference
//! C client's `zookeeper.jute.h` declares them.
#![allow(non_camel_case_types, non_snake_case)]

use libc::c_char;

pub use super::recordio::buffer;

/// An identity: authentication scheme and id.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct Id {
    pub scheme: *mut c_char,
    pub id: *mut c_char,
}

/// An access control entry: permissions granted to an identity.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct ACL {
    pub perms: i32,
    pub id: Id,
}

/// The metadata of a znode.
#[repr(C)]
#[derive(Copy, Clone, Default, Debug, PartialEq, Eq)]
pub struct Stat {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeralOwner: i64,
    pub dataLength: i32,
    pub numChildren: i32,
    pub pzxid: i64,
}

#[repr(C)]
pub struct StatPersisted {
    pub czxid: i64,
    pub mzxid: i64,
    pub ctime: i64,
    pub mtime: i64,
    pub version: i32,
    pub cversion: i32,
    pub aversion: i32,
    pub ephemeralOwner: i64,
    pub pzxid: i64,
}

#[repr(C)]
pub struct ClientInfo {
    pub authScheme: *mut c_char,
    pub user: *mut c_char,
}

#[repr(C)]
pub struct ConnectRequest {
    pub protocolVersion: i32,
    pub lastZxidSeen: i64,
    pub timeOut: i32,
    pub sessionId: i64,
    pub passwd: buffer,
}

#[repr(C)]
pub struct ConnectResponse {
    pub protocolVersion: i32,
    pub timeOut: i32,
    pub sessionId: i64,
    pub passwd: buffer,
}

/// A vector of C strings; release with `deallocate_String_vector`.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct String_vector {
    pub count: i32,
    pub data: *mut *mut c_char,
}

#[repr(C)]
pub struct SetWatches {
    pub relativeZxid: i64,
    pub dataWatches: String_vector,
    pub existWatches: String_vector,
    pub childWatches: String_vector,
}

#[repr(C)]
pub struct SetWatches2 {
    pub relativeZxid: i64,
    pub dataWatches: String_vector,
    pub existWatches: String_vector,
    pub childWatches: String_vector,
    pub persistentWatches: String_vector,
    pub persistentRecursiveWatches: String_vector,
}

#[repr(C)]
pub struct RequestHeader {
    pub xid: i32,
    pub r#type: i32,
}

#[repr(C)]
pub struct MultiHeader {
    pub r#type: i32,
    pub done: i32,
    pub err: i32,
}

#[repr(C)]
pub struct AuthPacket {
    pub r#type: i32,
    pub scheme: *mut c_char,
    pub auth: buffer,
}

#[repr(C)]
pub struct ReplyHeader {
    pub xid: i32,
    pub zxid: i64,
    pub err: i32,
}

#[repr(C)]
pub struct GetDataRequest {
    pub path: *mut c_char,
    pub watch: i32,
}

#[repr(C)]
pub struct SetDataRequest {
    pub path: *mut c_char,
    pub data: buffer,
    pub version: i32,
}

#[repr(C)]
pub struct ReconfigRequest {
    pub joiningServers: *mut c_char,
    pub leavingServers: *mut c_char,
    pub newMembers: *mut c_char,
    pub curConfigId: i64,
}

#[repr(C)]
pub struct SetDataResponse {
    pub stat: Stat,
}

#[repr(C)]
pub struct GetSASLRequest {
    pub token: buffer,
}

#[repr(C)]
pub struct SetSASLRequest {
    pub token: buffer,
}

#[repr(C)]
pub struct SetSASLResponse {
    pub token: buffer,
}

/// A vector of ACL entries; release with `deallocate_ACL_vector`.
#[repr(C)]
#[derive(Copy, Clone)]
pub struct ACL_vector {
    pub count: i32,
    pub data: *mut ACL,
}

#[repr(C)]
pub struct CreateRequest {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub flags: i32,
}

#[repr(C)]
pub struct CreateTTLRequest {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub flags: i32,
    pub ttl: i64,
}

#[repr(C)]
pub struct DeleteRequest {
    pub path: *mut c_char,
    pub version: i32,
}

#[repr(C)]
pub struct GetChildrenRequest {
    pub path: *mut c_char,
    pub watch: i32,
}

#[repr(C)]
pub struct GetAllChildrenNumberRequest {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct GetChildren2Request {
    pub path: *mut c_char,
    pub watch: i32,
}

#[repr(C)]
pub struct CheckVersionRequest {
    pub path: *mut c_char,
    pub version: i32,
}

#[repr(C)]
pub struct GetMaxChildrenRequest {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct GetMaxChildrenResponse {
    pub max: i32,
}

#[repr(C)]
pub struct SetMaxChildrenRequest {
    pub path: *mut c_char,
    pub max: i32,
}

#[repr(C)]
pub struct SyncRequest {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct SyncResponse {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct GetACLRequest {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct SetACLRequest {
    pub path: *mut c_char,
    pub acl: ACL_vector,
    pub version: i32,
}

#[repr(C)]
pub struct SetACLResponse {
    pub stat: Stat,
}

#[repr(C)]
pub struct AddWatchRequest {
    pub path: *mut c_char,
    pub mode: i32,
}

#[repr(C)]
pub struct WatcherEvent {
    pub r#type: i32,
    pub state: i32,
    pub path: *mut c_char,
}

#[repr(C)]
pub struct ErrorResponse {
    pub err: i32,
}

#[repr(C)]
pub struct CreateResponse {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct Create2Response {
    pub path: *mut c_char,
    pub stat: Stat,
}

#[repr(C)]
pub struct ExistsRequest {
    pub path: *mut c_char,
    pub watch: i32,
}

#[repr(C)]
pub struct ExistsResponse {
    pub stat: Stat,
}

#[repr(C)]
pub struct GetDataResponse {
    pub data: buffer,
    pub stat: Stat,
}

#[repr(C)]
pub struct GetChildrenResponse {
    pub children: String_vector,
}

#[repr(C)]
pub struct GetAllChildrenNumberResponse {
    pub totalNumber: i32,
}

#[repr(C)]
pub struct GetChildren2Response {
    pub children: String_vector,
    pub stat: Stat,
}

#[repr(C)]
pub struct GetACLResponse {
    pub acl: ACL_vector,
    pub stat: Stat,
}

#[repr(C)]
pub struct CheckWatchesRequest {
    pub path: *mut c_char,
    pub r#type: i32,
}

#[repr(C)]
pub struct RemoveWatchesRequest {
    pub path: *mut c_char,
    pub r#type: i32,
}

#[repr(C)]
pub struct GetEphemeralsRequest {
    pub prefixPath: *mut c_char,
}

#[repr(C)]
pub struct GetEphemeralsResponse {
    pub ephemerals: String_vector,
}

#[repr(C)]
pub struct ClientInfo_vector {
    pub count: i32,
    pub data: *mut ClientInfo,
}

#[repr(C)]
pub struct WhoAmIResponse {
    pub clientInfo: ClientInfo_vector,
}

#[repr(C)]
pub struct LearnerInfo {
    pub serverid: i64,
    pub protocolVersion: i32,
    pub configVersion: i64,
}

#[repr(C)]
pub struct Id_vector {
    pub count: i32,
    pub data: *mut Id,
}

#[repr(C)]
pub struct QuorumPacket {
    pub r#type: i32,
    pub zxid: i64,
    pub data: buffer,
    pub authinfo: Id_vector,
}

#[repr(C)]
pub struct QuorumAuthPacket {
    pub magic: i64,
    pub status: i32,
    pub token: buffer,
}

#[repr(C)]
pub struct FileHeader {
    pub magic: i32,
    pub version: i32,
    pub dbid: i64,
}

#[repr(C)]
pub struct TxnDigest {
    pub version: i32,
    pub treeDigest: i64,
}

#[repr(C)]
pub struct TxnHeader {
    pub clientId: i64,
    pub cxid: i32,
    pub zxid: i64,
    pub time: i64,
    pub r#type: i32,
}

#[repr(C)]
pub struct CreateTxnV0 {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub ephemeral: i32,
}

#[repr(C)]
pub struct CreateTxn {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub ephemeral: i32,
    pub parentCVersion: i32,
}

#[repr(C)]
pub struct CreateTTLTxn {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub parentCVersion: i32,
    pub ttl: i64,
}

#[repr(C)]
pub struct CreateContainerTxn {
    pub path: *mut c_char,
    pub data: buffer,
    pub acl: ACL_vector,
    pub parentCVersion: i32,
}

#[repr(C)]
pub struct DeleteTxn {
    pub path: *mut c_char,
}

#[repr(C)]
pub struct SetDataTxn {
    pub path: *mut c_char,
    pub data: buffer,
    pub version: i32,
}

#[repr(C)]
pub struct CheckVersionTxn {
    pub path: *mut c_char,
    pub version: i32,
}

#[repr(C)]
pub struct SetACLTxn {
    pub path: *mut c_char,
    pub acl: ACL_vector,
    pub version: i32,
}

#[repr(C)]
pub struct SetMaxChildrenTxn {
    pub path: *mut c_char,
    pub max: i32,
}

#[repr(C)]
pub struct CreateSessionTxn {
    pub timeOut: i32,
}

#[repr(C)]
pub struct CloseSessionTxn {
    pub paths2Delete: String_vector,
}

#[repr(C)]
pub struct ErrorTxn {
    pub err: i32,
}

#[repr(C)]
pub struct Txn {
    pub r#type: i32,
    pub data: buffer,
}

#[repr(C)]
pub struct Txn_vector {
    pub count: i32,
    pub data: *mut Txn,
}

#[repr(C)]
pub struct MultiTxn {
    pub txns: Txn_vector,
}
