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

/// Create modes (`ZOO_PERSISTENT` ...), the flags of a create request.
pub const CREATE_PERSISTENT: i32 = 0;
pub const CREATE_EPHEMERAL: i32 = 1;
pub const CREATE_PERSISTENT_SEQUENTIAL: i32 = 2;
pub const CREATE_EPHEMERAL_SEQUENTIAL: i32 = 3;
pub const CREATE_CONTAINER: i32 = 4;
pub const CREATE_PERSISTENT_WITH_TTL: i32 = 5;
pub const CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL: i32 = 6;

/// The sequential bit of the create modes (`ZOO_SEQUENCE`).
pub const CREATE_SEQUENTIAL_FLAG: i32 = 1 << 1;

/// ACL permission bits (`ZOO_PERM_*`).
pub const PERM_READ: i32 = 1 << 0;
pub const PERM_WRITE: i32 = 1 << 1;
pub const PERM_CREATE: i32 = 1 << 2;
pub const PERM_DELETE: i32 = 1 << 3;
pub const PERM_ADMIN: i32 = 1 << 4;
pub const PERM_ALL: i32 = PERM_READ | PERM_WRITE | PERM_CREATE | PERM_DELETE | PERM_ADMIN;

/// Whether a create mode is one of the TTL modes.
pub fn is_ttl_mode(mode: i32) -> bool {
    mode == CREATE_PERSISTENT_WITH_TTL || mode == CREATE_PERSISTENT_SEQUENTIAL_WITH_TTL
}

/// The reference's completion kinds (`COMPLETION_*` of its adaptor), which
/// its DEBUG lines print by number (`Processing sync_completion with
/// type=N`) or by name (`Calling COMPLETION_DATA for xid=...`).
pub const COMPLETION_WATCH: i32 = -1;
pub const COMPLETION_VOID: i32 = 0;
pub const COMPLETION_STAT: i32 = 1;
pub const COMPLETION_DATA: i32 = 2;
pub const COMPLETION_STRINGLIST: i32 = 3;
pub const COMPLETION_STRINGLIST_STAT: i32 = 4;
pub const COMPLETION_ACLLIST: i32 = 5;
pub const COMPLETION_STRING: i32 = 6;
pub const COMPLETION_MULTI: i32 = 7;
pub const COMPLETION_STRING_STAT: i32 = 8;

/// The name of a completion kind, as in the reference's DEBUG lines.
pub fn completion_name(kind: i32) -> &'static str {
    match kind {
        COMPLETION_VOID => "COMPLETION_VOID",
        COMPLETION_STAT => "COMPLETION_STAT",
        COMPLETION_DATA => "COMPLETION_DATA",
        COMPLETION_STRINGLIST => "COMPLETION_STRINGLIST",
        COMPLETION_STRINGLIST_STAT => "COMPLETION_STRINGLIST_STAT",
        COMPLETION_ACLLIST => "COMPLETION_ACLLIST",
        COMPLETION_STRING => "COMPLETION_STRING",
        COMPLETION_MULTI => "COMPLETION_MULTI",
        COMPLETION_STRING_STAT => "COMPLETION_STRING_STAT",
        _ => "COMPLETION_WATCH",
    }
}

/// The name of an event type, as the reference logs it.
pub fn event_name(ty: i32) -> &'static str {
    match ty {
        CREATED_EVENT => "ZOO_CREATED_EVENT",
        DELETED_EVENT => "ZOO_DELETED_EVENT",
        CHANGED_EVENT => "ZOO_CHANGED_EVENT",
        CHILD_EVENT => "ZOO_CHILD_EVENT",
        SESSION_EVENT => "ZOO_SESSION_EVENT",
        NOTWATCHING_EVENT => "ZOO_NOTWATCHING_EVENT",
        _ => "INVALID_EVENT",
    }
}
