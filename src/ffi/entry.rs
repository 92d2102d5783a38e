//! The one way into the library: every exported function's whole body
//! runs inside [`ffi_entry!`], which catches a panic before it can unwind
//! into C and returns a value chosen by the function's return type
//! ([`OnPanic`]), in the manner of rustls-ffi's `ffi_panic_boundary!`.
//! Callbacks that C calls into (the SASL callbacks) enter the same way.
//!
//! A test here (`every_export_enters_through_the_macro`) lists every
//! `#[no_mangle]` function of the sources whose body is not this macro alone.

use libc::c_int;

use crate::ffi::codes::ZSYSTEMERROR;

/// The value an exported function returns when its body panicked.
pub(crate) trait OnPanic {
    fn on_panic() -> Self;
}

/// Result codes (and the other `int` results): `ZSYSTEMERROR`.
impl OnPanic for c_int {
    fn on_panic() -> Self {
        ZSYSTEMERROR
    }
}

/// 64-bit integers (`zoo_htonll`): 0.
impl OnPanic for i64 {
    fn on_panic() -> Self {
        0
    }
}

/// Functions without a result: nothing.
impl OnPanic for () {
    fn on_panic() -> Self {}
}

/// Pointer results: NULL.
impl<T> OnPanic for *mut T {
    fn on_panic() -> Self {
        std::ptr::null_mut()
    }
}

/// Pointer results: NULL.
impl<T> OnPanic for *const T {
    fn on_panic() -> Self {
        std::ptr::null()
    }
}

/// Nullable function pointers (`watcher_fn`, `log_callback_fn`): NULL.
impl<T> OnPanic for Option<T> {
    fn on_panic() -> Self {
        None
    }
}

/// Runs an exported function's body, turning a panic into the value
/// [`OnPanic`] gives for its return type, or into the value given first:
///
/// ```ignore
/// pub unsafe extern "C" fn zoo_state(zh: *mut zhandle_t) -> c_int {
///     ffi_entry!(0, { handle(zh).map_or(0, |z| z.state().code()) })
/// }
/// ```
///
/// The body is a closure's: `return` leaves the body (and so the function).
/// The whole body goes inside, pointer conversions included.
macro_rules! ffi_entry {
    ($on_panic:expr, $body:expr) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(v) => v,
            Err(_) => $on_panic,
        }
    };
    ($body:expr) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(v) => v,
            Err(_) => $crate::ffi::entry::OnPanic::on_panic(),
        }
    };
}
pub(crate) use ffi_entry;

#[cfg(test)]
mod tests {
    use super::*;

    fn int_body(fail: bool) -> c_int {
        ffi_entry!({
            if fail {
                panic!("boom");
            }
            7
        })
    }

    #[test]
    fn a_panic_becomes_the_value_of_the_return_type() {
        assert_eq!(int_body(false), 7);
        assert_eq!(int_body(true), ZSYSTEMERROR);
        let p: *mut u8 = ffi_entry!(panic!("boom"));
        assert!(p.is_null());
        let f: Option<fn()> = ffi_entry!(panic!("boom"));
        assert!(f.is_none());
        let given: c_int = ffi_entry!(0, panic!("boom"));
        assert_eq!(given, 0);
    }

    /// The `#[no_mangle]` functions of `file` whose body is anything but
    /// one `ffi_entry!` invocation, as "name (file)".
    fn exports_outside_the_macro(file: &syn::File, name: &str) -> (usize, Vec<String>) {
        fn walk(items: &[syn::Item], name: &str, seen: &mut usize, bad: &mut Vec<String>) {
            for item in items {
                match item {
                    syn::Item::Mod(m) => walk(m.content.as_ref().map_or(&[][..], |c| &c.1[..]), name, seen, bad),
                    syn::Item::Fn(f) if f.attrs.iter().any(|a| a.path().is_ident("no_mangle")) => {
                        *seen += 1;
                        let mac = match &f.block.stmts[..] {
                            [syn::Stmt::Macro(m)] if m.semi_token.is_none() => Some(&m.mac),
                            [syn::Stmt::Expr(syn::Expr::Macro(m), None)] => Some(&m.mac),
                            _ => None,
                        };
                        let inside = mac.and_then(|m| m.path.segments.last()).is_some_and(|s| s.ident == "ffi_entry");
                        if !inside {
                            bad.push(format!("{} ({name})", f.sig.ident));
                        }
                    }
                    _ => {}
                }
            }
        }
        let (mut seen, mut bad) = (0, Vec::new());
        walk(&file.items, name, &mut seen, &mut bad);
        (seen, bad)
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                out.push(p);
            }
        }
    }

    #[test]
    fn every_export_enters_through_the_macro() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src"), &mut files);
        let (mut seen, mut bad) = (0, Vec::new());
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let (n, b) = exports_outside_the_macro(&file, &path.strip_prefix(root).unwrap().display().to_string());
            seen += n;
            bad.extend(b);
        }
        assert!(seen >= 180, "only {seen} exported functions found");
        assert!(bad.is_empty(), "{} of {seen} exported functions do not enter through ffi_entry!:\n{}", bad.len(), bad.join("\n"));
    }

    /// The check itself sees a body outside the macro.
    #[test]
    fn the_check_sees_an_export_outside_the_macro() {
        let sample = r#"
            #[no_mangle]
            pub extern "C" fn inside() -> i32 { ffi_entry!({ 1 }) }
            #[no_mangle]
            pub extern "C" fn half(p: *const i8) -> i32 { let q = p; ffi_entry!({ q.is_null() as i32 }) }
            mod m {
                #[no_mangle]
                pub extern "C" fn bare() {}
            }
            #[no_mangle]
            pub static DATA: i32 = 0;
            extern "C" fn not_exported() {}
        "#;
        let (seen, bad) = exports_outside_the_macro(&syn::parse_file(sample).unwrap(), "sample");
        assert_eq!((seen, bad), (3, vec!["half (sample)".to_string(), "bare (sample)".to_string()]));
    }
}
