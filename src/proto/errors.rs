//! Result codes of the protocol and the C API, as plain integers for the
//! library's own use (the C enum `ZOO_ERRORS` is in `ffi::consts`).

pub const ZOK: i32 = 0;
pub const ZSYSTEMERROR: i32 = -1;
pub const ZRUNTIMEINCONSISTENCY: i32 = -2;
pub const ZCONNECTIONLOSS: i32 = -4;
pub const ZMARSHALLINGERROR: i32 = -5;
pub const ZUNIMPLEMENTED: i32 = -6;
pub const ZOPERATIONTIMEOUT: i32 = -7;
pub const ZBADARGUMENTS: i32 = -8;
pub const ZSSLCONNECTIONERROR: i32 = -15;
pub const ZINVALIDSTATE: i32 = -9;
pub const ZNONODE: i32 = -101;
pub const ZSESSIONEXPIRED: i32 = -112;
pub const ZAUTHFAILED: i32 = -115;
pub const ZCLOSING: i32 = -116;
pub const ZSESSIONCLOSEDREQUIRESASLAUTH: i32 = -124;
pub const ZNOWATCHER: i32 = -121;
pub const ZNOTHING: i32 = -117;
