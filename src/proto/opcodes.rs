//! Request opcodes of the ZooKeeper wire protocol (`proto.h`).

pub const ZOO_NOTIFY_OP: i32 = 0;
pub const ZOO_CREATE_OP: i32 = 1;
pub const ZOO_DELETE_OP: i32 = 2;
pub const ZOO_EXISTS_OP: i32 = 3;
pub const ZOO_GETDATA_OP: i32 = 4;
pub const ZOO_SETDATA_OP: i32 = 5;
pub const ZOO_GETACL_OP: i32 = 6;
pub const ZOO_SETACL_OP: i32 = 7;
pub const ZOO_GETCHILDREN_OP: i32 = 8;
pub const ZOO_SYNC_OP: i32 = 9;
pub const ZOO_PING_OP: i32 = 11;
pub const ZOO_GETCHILDREN2_OP: i32 = 12;
pub const ZOO_CHECK_OP: i32 = 13;
pub const ZOO_MULTI_OP: i32 = 14;
pub const ZOO_CREATE2_OP: i32 = 15;
pub const ZOO_RECONFIG_OP: i32 = 16;
pub const ZOO_CHECK_WATCHES: i32 = 17;
pub const ZOO_REMOVE_WATCHES: i32 = 18;
pub const ZOO_CREATE_CONTAINER_OP: i32 = 19;
pub const ZOO_DELETE_CONTAINER_OP: i32 = 20;
pub const ZOO_CREATE_TTL_OP: i32 = 21;
pub const ZOO_CLOSE_OP: i32 = -11;
pub const ZOO_SETAUTH_OP: i32 = 100;
pub const ZOO_SETWATCHES_OP: i32 = 101;
pub const ZOO_SASL_OP: i32 = 102;
