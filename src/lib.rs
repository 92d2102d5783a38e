//! A binary drop-in for Apache ZooKeeper's multi-threaded C client
//! (`libzookeeper_mt.so.2`), written in Rust.
#![allow(clippy::missing_safety_doc)]
#![allow(non_snake_case)]

pub mod client;
pub mod ffi;
#[cfg(test)]
mod layering;
pub mod log;
pub mod proto;
pub mod session;
pub mod version;

#[cfg(test)]
mod header_tests {
    /// The headers in `include/zookeeper/` are what cbindgen generates now.
    #[test]
    fn checked_in_headers_are_current() {
        let gen = std::path::Path::new(env!("OUT_DIR")).join("include/zookeeper");
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("include/zookeeper");
        for f in ["zookeeper.h", "zookeeper.jute.h", "recordio.h", "proto.h", "zookeeper_log.h", "zookeeper_version.h", "zookeeper_ext.h"] {
            let a = std::fs::read_to_string(gen.join(f)).unwrap();
            let b = std::fs::read_to_string(src.join(f)).unwrap_or_default();
            assert!(a == b, "include/zookeeper/{f} is stale: run `ZK_UPDATE_HEADERS=1 cargo build`");
        }
    }
}
