//! Protocol values used by the session core, each defined once: the
//! reserved xids, session states, event types and watcher types. The C
//! surface exports the same values as the reference's `ZOO_*` symbols.

/// Xid of a watch notification sent by the server.
pub const WATCHER_EVENT_XID: i32 = -1;
/// Xid of a ping and its reply.
pub const PING_XID: i32 = -2;
/// Xid of an auth packet and its reply.
pub const AUTH_XID: i32 = -4;
/// Xid of a SetWatches packet and its reply.
pub const SET_WATCHES_XID: i32 = -8;

/// Session states (`ZOO_*_STATE`).
pub const EXPIRED_SESSION_STATE: i32 = -112;
pub const AUTH_FAILED_STATE: i32 = -113;
pub const CLOSED_STATE: i32 = 0;
pub const CONNECTING_STATE: i32 = 1;
pub const ASSOCIATING_STATE: i32 = 2;
pub const CONNECTED_STATE: i32 = 3;
pub const READONLY_STATE: i32 = 5;
pub const SSL_CONNECTING_STATE: i32 = 7;
pub const NOTCONNECTED_STATE: i32 = 999;

/// Event types (`ZOO_*_EVENT`).
pub const CREATED_EVENT: i32 = 1;
pub const DELETED_EVENT: i32 = 2;
pub const CHANGED_EVENT: i32 = 3;
pub const CHILD_EVENT: i32 = 4;
pub const SESSION_EVENT: i32 = -1;
pub const NOTWATCHING_EVENT: i32 = -2;

/// Watcher types of watch removal (`ZooWatcherType`).
pub const WATCHERTYPE_CHILDREN: i32 = 1;
pub const WATCHERTYPE_DATA: i32 = 2;
pub const WATCHERTYPE_ANY: i32 = 3;

/// `zookeeper_interest` bits.
pub const INTEREST_WRITE: i32 = 1 << 0;
pub const INTEREST_READ: i32 = 1 << 1;
