//! The ZooKeeper client protocol: jute records (C layout), the codec and
//! the request/reply bodies.
pub mod codec;
pub mod consts;
pub mod errors;
pub mod jute;
pub mod opcodes;
pub mod recordio;
pub mod records;
