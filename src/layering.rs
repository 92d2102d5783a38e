//! The layering, checked: the session core (`src/session/`) and the
//! protocol records (`src/proto/`) know nothing of the drivers or of the C
//! surface, and the drivers (`src/client/`) nothing of the C surface's
//! argument checking (`src/ffi/`). The core also makes no call into the
//! operating system or C (`libc`): the drivers do the IO, resolve names and
//! seed its generator. A path into a forbidden module anywhere in a file's
//! code (a `use` line or a qualified path), outside comments, fails.

use std::path::Path;

/// (directory under src/, what its files must not name)
const RULES: &[(&str, &[&str])] = &[
    ("session", &["crate::client", "crate::ffi", "libc::", "extern \"C\""]),
    ("proto", &["crate::client", "crate::ffi", "crate::session"]),
    ("client", &["crate::ffi"]),
];

fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter(|(_, l)| {
        let t = l.trim_start();
        !t.starts_with("//") && !t.starts_with("*") && !t.starts_with("/*")
    })
}

#[test]
fn layers_import_only_downwards() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bad = Vec::new();
    let mut files = 0;
    for (dir, forbidden) in RULES {
        for entry in std::fs::read_dir(src.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for (n, line) in code_lines(&text) {
                // `super::super::x` reaches out of the layer just as `crate::x` does.
                let line = line.replace("super::super::", "crate::");
                for f in *forbidden {
                    if line.contains(f) {
                        bad.push(format!(
                            "src/{dir}/{}:{}: names `{f}`: {}",
                            path.file_name().unwrap().to_string_lossy(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(files >= 20, "only {files} files read: is the layout still src/{{session,proto,client}}?");
    assert!(bad.is_empty(), "layering broken:\n{}", bad.join("\n"));
}

/// The check itself catches what it is for.
#[test]
fn the_check_sees_a_forbidden_path() {
    let sample = "use crate::ffi::consts;\n// crate::ffi in a comment is fine\nfn f() { crate::client::x(); }\n";
    let hits: Vec<usize> =
        code_lines(sample).filter(|(_, l)| l.contains("crate::ffi") || l.contains("crate::client")).map(|(n, _)| n).collect();
    assert_eq!(hits, vec![0, 2]);
}
