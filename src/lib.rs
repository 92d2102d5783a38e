//! A binary drop-in for Apache ZooKeeper's multi-threaded C client
//! (`libzookeeper_mt.so.2`), written in Rust.
#![allow(clippy::missing_safety_doc)]
#![allow(non_snake_case)]

pub mod client;
pub mod ffi;
pub mod log;
pub mod proto;
