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

    /// The generated sources (build.rs: the jute records and their
    /// deallocators from src/proto/zookeeper.jute, the ownership lists from
    /// src/ffi/ownership.txt) are what the generators give now.
    #[test]
    fn checked_in_generated_sources_are_current() {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, out)
                } else {
                    out.push(p)
                }
            }
        }
        let gen = std::path::Path::new(env!("OUT_DIR")).join("generated");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&gen, &mut files);
        assert!(files.len() >= 3, "only {} generated files", files.len());
        let mut stale = Vec::new();
        for g in files {
            let rel = g.strip_prefix(&gen).unwrap();
            if std::fs::read_to_string(&g).unwrap() != std::fs::read_to_string(root.join(rel)).unwrap_or_default() {
                stale.push(rel.display().to_string());
            }
        }
        assert!(stale.is_empty(), "stale (run `ZK_UPDATE_GENERATED=1 cargo build`): {}", stale.join(", "));
    }
}
