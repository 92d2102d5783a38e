//! The data symbols and constants of `zookeeper.h`: permissions, create
//! modes, states, event types, the predefined ids and ACLs, error codes.
#![allow(non_upper_case_globals)]

use crate::proto::consts::*;
use crate::proto::jute::{ACL_vector, Id, ACL};
use crate::session::state::SessionState;
use libc::{c_char, c_int};

/// Error codes returned by every call and passed to every completion.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ZOO_ERRORS {
    /// Everything is OK.
    ZOK = 0,
    /// System and server-side errors (never returned itself; codes below are).
    ZSYSTEMERROR = -1,
    /// A runtime inconsistency was found.
    ZRUNTIMEINCONSISTENCY = -2,
    /// A data inconsistency was found.
    ZDATAINCONSISTENCY = -3,
    /// Connection to the server has been lost.
    ZCONNECTIONLOSS = -4,
    /// Error while marshalling or unmarshalling data.
    ZMARSHALLINGERROR = -5,
    /// Operation is unimplemented.
    ZUNIMPLEMENTED = -6,
    /// Operation timeout.
    ZOPERATIONTIMEOUT = -7,
    /// Invalid arguments.
    ZBADARGUMENTS = -8,
    /// Invalid zhandle state.
    ZINVALIDSTATE = -9,
    /// No quorum of the new config is connected and up to date with the leader.
    ZNEWCONFIGNOQUORUM = -13,
    /// Reconfiguration requested while another one is in progress.
    ZRECONFIGINPROGRESS = -14,
    /// SSL connection error.
    ZSSLCONNECTIONERROR = -15,
    /// API errors (never returned itself; codes below are).
    ZAPIERROR = -100,
    /// Node does not exist.
    ZNONODE = -101,
    /// Not authenticated.
    ZNOAUTH = -102,
    /// Version conflict.
    ZBADVERSION = -103,
    /// Ephemeral nodes may not have children.
    ZNOCHILDRENFOREPHEMERALS = -108,
    /// The node already exists.
    ZNODEEXISTS = -110,
    /// The node has children.
    ZNOTEMPTY = -111,
    /// The session has been expired by the server.
    ZSESSIONEXPIRED = -112,
    /// Invalid callback specified.
    ZINVALIDCALLBACK = -113,
    /// Invalid ACL specified.
    ZINVALIDACL = -114,
    /// Client authentication failed.
    ZAUTHFAILED = -115,
    /// ZooKeeper is closing.
    ZCLOSING = -116,
    /// (not error) no server responses to process.
    ZNOTHING = -117,
    /// Session moved to another server, so operation is ignored.
    ZSESSIONMOVED = -118,
    /// State-changing request is passed to read-only server.
    ZNOTREADONLY = -119,
    /// Attempt to create ephemeral node on a local session.
    ZEPHEMERALONLOCALSESSION = -120,
    /// The watcher couldn't be found.
    ZNOWATCHER = -121,
    /// Attempts to perform a reconfiguration operation when it is disabled.
    ZRECONFIGDISABLED = -123,
    /// The session has been closed by server because server requires client to do SASL authentication.
    ZSESSIONCLOSEDREQUIRESASLAUTH = -124,
    /// Operation was throttled and not executed at all.
    ZTHROTTLEDOP = -127,
}

/// Watcher types for `zoo_remove_watches` (a C enum; its enumerators are in the header).
pub type ZooWatcherType = c_int;

/// The node that holds the ensemble configuration.
pub const ZOO_CONFIG_NODE: &str = "/zookeeper/config";
/// `zookeeper_init` flag: allow connecting to read-only servers.
pub const ZOO_READONLY: i32 = 1;
/// `zookeeper_init` flag: do not log the client environment.
pub const ZOO_NO_LOG_CLIENTENV: i32 = 2;

#[no_mangle]
pub static ZOO_PERM_READ: c_int = PERM_READ;
#[no_mangle]
pub static ZOO_PERM_WRITE: c_int = PERM_WRITE;
#[no_mangle]
pub static ZOO_PERM_CREATE: c_int = PERM_CREATE;
#[no_mangle]
pub static ZOO_PERM_DELETE: c_int = PERM_DELETE;
#[no_mangle]
pub static ZOO_PERM_ADMIN: c_int = PERM_ADMIN;
#[no_mangle]
pub static ZOO_PERM_ALL: c_int = PERM_ALL;

/// Interest flags of `zookeeper_interest`.
#[no_mangle]
pub static ZOOKEEPER_WRITE: c_int = INTEREST_WRITE;
#[no_mangle]
pub static ZOOKEEPER_READ: c_int = INTEREST_READ;

/// Create modes.
#[no_mangle]
pub static ZOO_PERSISTENT: c_int = CREATE_PERSISTENT;
#[no_mangle]
pub static ZOO_EPHEMERAL: c_int = CREATE_EPHEMERAL;
#[no_mangle]
pub static ZOO_PERSISTENT_SEQUENTIAL: c_int = CREATE_PERSISTENT_SEQUENTIAL;
#[no_mangle]
pub static ZOO_EPHEMERAL_SEQUENTIAL: c_int = CREATE_EPHEMERAL_SEQUENTIAL;
#[no_mangle]
pub static ZOO_CONTAINER: c_int = CREATE_CONTAINER;
#[no_mangle]
pub static ZOO_PERSISTENT_WITH_TTL: c_int = CREATE_PERSISTENT_WITH_TTL;
#[no_mangle]
pub static ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL: c_int = CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL;
#[no_mangle]
pub static ZOO_SEQUENCE: c_int = CREATE_SEQUENTIAL_FLAG;

/// Session states.
#[no_mangle]
pub static ZOO_EXPIRED_SESSION_STATE: c_int = SessionState::ExpiredSession as c_int;
#[no_mangle]
pub static ZOO_AUTH_FAILED_STATE: c_int = SessionState::AuthFailed as c_int;
#[no_mangle]
pub static ZOO_CONNECTING_STATE: c_int = SessionState::Connecting as c_int;
#[no_mangle]
pub static ZOO_ASSOCIATING_STATE: c_int = SessionState::Associating as c_int;
#[no_mangle]
pub static ZOO_CONNECTED_STATE: c_int = SessionState::Connected as c_int;
#[no_mangle]
pub static ZOO_READONLY_STATE: c_int = SessionState::ReadOnly as c_int;
#[no_mangle]
pub static ZOO_SSL_CONNECTING_STATE: c_int = SessionState::SslConnecting as c_int;
#[no_mangle]
pub static ZOO_NOTCONNECTED_STATE: c_int = SessionState::NotConnected as c_int;

/// Watch event types.
#[no_mangle]
pub static ZOO_CREATED_EVENT: c_int = CREATED_EVENT;
#[no_mangle]
pub static ZOO_DELETED_EVENT: c_int = DELETED_EVENT;
#[no_mangle]
pub static ZOO_CHANGED_EVENT: c_int = CHANGED_EVENT;
#[no_mangle]
pub static ZOO_CHILD_EVENT: c_int = CHILD_EVENT;
#[no_mangle]
pub static ZOO_SESSION_EVENT: c_int = SESSION_EVENT;
#[no_mangle]
pub static ZOO_NOTWATCHING_EVENT: c_int = NOTWATCHING_EVENT;

const WORLD: *mut c_char = c"world".as_ptr() as *mut c_char;
const ANYONE: *mut c_char = c"anyone".as_ptr() as *mut c_char;
const AUTH: *mut c_char = c"auth".as_ptr() as *mut c_char;
const EMPTY: *mut c_char = c"".as_ptr() as *mut c_char;

/// This Id represents anyone.
#[no_mangle]
pub static mut ZOO_ANYONE_ID_UNSAFE: Id = Id { scheme: WORLD, id: ANYONE };
/// This Id is only usable to set ACLs: the authenticated ids of the caller.
#[no_mangle]
pub static mut ZOO_AUTH_IDS: Id = Id { scheme: AUTH, id: EMPTY };

static mut OPEN_ACL: [ACL; 1] = [ACL { perms: PERM_ALL, id: Id { scheme: WORLD, id: ANYONE } }];
static mut READ_ACL: [ACL; 1] = [ACL { perms: PERM_READ, id: Id { scheme: WORLD, id: ANYONE } }];
static mut CREATOR_ACL: [ACL; 1] = [ACL { perms: PERM_ALL, id: Id { scheme: AUTH, id: EMPTY } }];

/// A completely open ACL.
#[no_mangle]
pub static mut ZOO_OPEN_ACL_UNSAFE: ACL_vector = ACL_vector { count: 1, data: &raw mut OPEN_ACL as *mut ACL };
/// A completely open ACL, read only.
#[no_mangle]
pub static mut ZOO_READ_ACL_UNSAFE: ACL_vector = ACL_vector { count: 1, data: &raw mut READ_ACL as *mut ACL };
/// All permissions to the creator only.
#[no_mangle]
pub static mut ZOO_CREATOR_ALL_ACL: ACL_vector = ACL_vector { count: 1, data: &raw mut CREATOR_ACL as *mut ACL };
