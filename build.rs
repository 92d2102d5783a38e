//! Generates the public headers with cbindgen, sets the SONAME, compiles
//! the C part of `log_message` (src/log_message.c) and has the linker write
//! a map of the shared library.
//!
//! The headers are written to `$OUT_DIR/include/zookeeper/`; with
//! `ZK_UPDATE_HEADERS=1` they are also copied to `include/zookeeper/`,
//! where they are checked in (a test fails when the two differ).
//!
//! Before the headers, the generated sources: the jute records
//! (`src/proto/jute.rs`) and their allocate/deallocate functions
//! (`src/ffi/memory/records.rs`) from the record table
//! `src/proto/zookeeper.jute` (codegen/jute.rs), and the ownership lists of
//! the exported functions' documentation in `src/ffi/*.rs` from
//! `src/ffi/ownership.txt` (codegen/ownership.rs). They are written to
//! `$OUT_DIR/generated/`; with `ZK_UPDATE_GENERATED=1` also over the
//! checked-in files (and the headers updated after them); a test fails when
//! the two differ.

use std::path::{Path, PathBuf};

#[path = "codegen/jute.rs"]
mod jute;
#[path = "codegen/ownership.rs"]
mod ownership;

struct Header {
    file: &'static str,
    config: &'static str,
    sources: &'static [&'static str],
}

const HEADERS: &[Header] = &[
    Header { file: "proto.h", config: "proto.toml", sources: &["src/proto/opcodes.rs"] },
    Header { file: "zookeeper_version.h", config: "version.toml", sources: &["src/version.rs"] },
    Header { file: "recordio.h", config: "recordio.toml", sources: &["src/proto/recordio.rs", "src/ffi/recordio.rs"] },
    Header { file: "zookeeper.jute.h", config: "jute.toml", sources: &["src/proto/jute.rs", "src/ffi/memory/records.rs"] },
    Header {
        file: "zookeeper.h",
        config: "zookeeper.toml",
        sources: &[
            "src/ffi/consts.rs",
            "src/ffi/types.rs",
            "src/client/handle.rs",
            "src/log.rs",
            "src/ffi/handle_api.rs",
            "src/ffi/ops.rs",
            "src/ffi/multi.rs",
            "src/ffi/sync.rs",
            "src/ffi/sasl.rs",
        ],
    },
    Header { file: "zookeeper_log.h", config: "log.toml", sources: &["src/log.rs"] },
    Header { file: "zookeeper_ext.h", config: "ext.toml", sources: &["src/ffi/ext.rs"] },
];

fn main() {
    if std::env::var_os("CARGO_FEATURE_THREADED").is_some() {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzookeeper_mt.so.2");
    } else {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libzookeeper_st.so.2");
    }
    // log_message is variadic: C formats it (any target), Rust writes it.
    // The exported `log_message` becomes the C function (see src/log.rs).
    cc::Build::new().file("src/log_message.c").warnings(true).compile("zk_log_message");
    println!("cargo:rustc-cdylib-link-arg=-Wl,--defsym=log_message=zk_log_message_c");
    // The link map of the shared library: which crate each loaded byte
    // comes from (scripts/size-breakdown.py so, docs/size.md).
    let out_dir = std::env::var("OUT_DIR").unwrap();
    println!("cargo:rustc-cdylib-link-arg=-Wl,-Map={out_dir}/libzookeeper.map");
    println!("cargo:rerun-if-changed=cbindgen");
    println!("cargo:rerun-if-changed=codegen");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-env-changed=ZK_UPDATE_HEADERS");
    println!("cargo:rerun-if-env-changed=ZK_UPDATE_GENERATED");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let update_generated = std::env::var("ZK_UPDATE_GENERATED").is_ok_and(|v| v == "1");
    let generated = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("generated");
    for (file, text) in generate(&root) {
        let path = generated.join(&file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(&text[..]) {
            std::fs::write(&path, &text).unwrap();
        }
        if update_generated {
            copy_if_changed(&path, &root.join(&file));
        }
    }
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("include/zookeeper");
    std::fs::create_dir_all(&out).unwrap();
    let update = update_generated || std::env::var("ZK_UPDATE_HEADERS").is_ok_and(|v| v == "1");
    for h in HEADERS {
        let config = cbindgen::Config::from_file(root.join("cbindgen").join(h.config)).unwrap_or_else(|e| panic!("{}: {e}", h.config));
        let mut b = cbindgen::Builder::new().with_config(config);
        for s in h.sources {
            b = b.with_src(root.join(s));
        }
        let bindings = b.generate().unwrap_or_else(|e| panic!("{}: {e}", h.file));
        let mut text = Vec::new();
        bindings.write(&mut text);
        let text = join_fn_prefix(&String::from_utf8(text).unwrap(), "ZOOAPI");
        let path = out.join(h.file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(&text[..]) {
            std::fs::write(&path, &text).unwrap();
        }
        if update {
            copy_if_changed(&path, &root.join("include/zookeeper").join(h.file));
        }
    }
}

/// The generated sources, as (path under the crate, text).
fn generate(root: &Path) -> Vec<(String, String)> {
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    let table = jute::parse(&read("src/proto/zookeeper.jute")).unwrap_or_else(|e| panic!("{e}"));
    let mut files = vec![
        ("src/proto/jute.rs".to_string(), jute::records_rs(&table)),
        ("src/ffi/memory/records.rs".to_string(), jute::memory_rs(&table)),
    ];
    let paragraphs = ownership::parse_table(&read("src/ffi/ownership.txt")).unwrap_or_else(|e| panic!("src/ffi/ownership.txt: {e}"));
    let mut ffi: Vec<String> = std::fs::read_dir(root.join("src/ffi"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".rs"))
        .map(|f| format!("src/ffi/{f}"))
        .collect();
    ffi.sort();
    let mut used = std::collections::BTreeSet::new();
    for f in ffi {
        let text = read(&f);
        used.extend(ownership::keys_used(&text).map(str::to_string));
        files.push((f.clone(), ownership::render(&f, &text, &paragraphs).unwrap_or_else(|e| panic!("{e}"))));
    }
    if let Some(k) = paragraphs.keys().find(|k| !used.contains(*k)) {
        panic!("src/ffi/ownership.txt: [{k}] is used by no function");
    }
    files
}

/// cbindgen writes a declaration too long for one line with the function
/// prefix alone on the line before it (`ZOOAPI` / `int zoo_acreate(zhandle_t *zh,`
/// / aligned parameters). The reference writes `ZOOAPI int zoo_acreate(zhandle_t *zh, ...`
/// and build scripts grep the headers for declarations, so the prefix is
/// joined to the line after it and the aligned parameters shifted by as much.
fn join_fn_prefix(text: &str, prefix: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut shift = String::new();
    let mut lines = text.split_inclusive('\n');
    while let Some(line) = lines.next() {
        if line.trim_end() == prefix {
            if let Some(next) = lines.next() {
                out.push_str(prefix);
                out.push(' ');
                out.push_str(next);
                if !next.trim_end().ends_with(';') {
                    shift = " ".repeat(prefix.len() + 1);
                }
                continue;
            }
        }
        if !shift.is_empty() {
            out.push_str(&shift);
            if line.trim_end().ends_with(';') {
                shift.clear();
            }
        }
        out.push_str(line);
    }
    out
}

fn copy_if_changed(from: &Path, to: &Path) {
    let new = std::fs::read(from).unwrap();
    if std::fs::read(to).ok().as_deref() != Some(&new[..]) {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, new).unwrap();
    }
}
