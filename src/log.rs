//! Logging as the reference client does it: `logLevel`, a global stream,
//! per-handle callbacks and the line format
//! `YYYY-mm-dd HH:MM:SS,mmm:PID(0xTID):ZOO_LEVEL@function@line: message`
//! (`PID:` without the thread id in the single-threaded library).
//!
//! Lines are written on whichever thread logs (a caller, the IO thread,
//! the completion thread); a line is formatted only when its level is on.
#![warn(unsafe_op_in_unsafe_fn)]

use libc::{c_char, c_int, c_void, FILE};
use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, Ordering};

/// Log levels of the C client (a C enum; its enumerators are in the header).
pub type ZooLogLevel = c_int;
pub const ZOO_LOG_LEVEL_ERROR: ZooLogLevel = 1;
pub const ZOO_LOG_LEVEL_WARN: ZooLogLevel = 2;
pub const ZOO_LOG_LEVEL_INFO: ZooLogLevel = 3;
pub const ZOO_LOG_LEVEL_DEBUG: ZooLogLevel = 4;

#[allow(non_camel_case_types)]
/// Receives each formatted log line (without a trailing newline).
pub type log_callback_fn = Option<unsafe extern "C" fn(message: *const c_char)>;

/// The current log level; the `LOG_*` macros of `zookeeper_log.h` read it.
/// Owned by the library; programs may read it (and, as with the
/// reference, write it) from any thread.
#[no_mangle]
pub static mut logLevel: ZooLogLevel = ZOO_LOG_LEVEL_INFO;

static LOG_STREAM: AtomicPtr<FILE> = AtomicPtr::new(std::ptr::null_mut());

pub fn level() -> i32 {
    // SAFETY: a plain int read; C programs may write it at any time, as with the reference.
    unsafe { std::ptr::read_volatile(std::ptr::addr_of!(logLevel)) }
}

pub fn set_level(l: ZooLogLevel) {
    // SAFETY: a plain int write, as the reference's; readers tolerate any value.
    unsafe { std::ptr::write_volatile(std::ptr::addr_of_mut!(logLevel), l) }
}

pub fn set_stream(f: *mut FILE) {
    LOG_STREAM.store(f, Ordering::Release);
}

pub fn stream() -> *mut FILE {
    LOG_STREAM.load(Ordering::Acquire)
}

pub fn enabled(lvl: ZooLogLevel) -> bool {
    level() >= lvl
}

extern "C" {
    static mut stderr: *mut FILE;
}

fn level_name(l: c_int) -> &'static str {
    match l {
        ZOO_LOG_LEVEL_ERROR => "ZOO_ERROR",
        ZOO_LOG_LEVEL_WARN => "ZOO_WARN",
        ZOO_LOG_LEVEL_INFO => "ZOO_INFO",
        ZOO_LOG_LEVEL_DEBUG => "ZOO_DEBUG",
        _ => "ZOO_INVALID",
    }
}

fn prefix(lvl: c_int, func: &str, line: c_int) -> String {
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: tm is plain old data; all zeroes is a valid value.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let mut ts = [0u8; 64];
    // SAFETY: every pointer is to a local of the right type; strftime
    // writes at most ts.len() bytes and NUL-terminates within them.
    unsafe {
        libc::gettimeofday(&mut tv, std::ptr::null_mut());
        libc::localtime_r(&tv.tv_sec, &mut tm);
        libc::strftime(ts.as_mut_ptr() as *mut c_char, ts.len(), c"%Y-%m-%d %H:%M:%S".as_ptr(), &tm);
    }
    let tslen = ts.iter().position(|&b| b == 0).unwrap_or(0);
    let ts = String::from_utf8_lossy(&ts[..tslen]);
    let ms = tv.tv_usec / 1000;
    let pid = std::process::id();
    if cfg!(feature = "threaded") {
        // SAFETY: pthread_self has no preconditions.
        let tid = unsafe { libc::pthread_self() } as u64;
        format!("{ts},{ms:03}:{pid}(0x{tid:x}):{}@{func}@{line}: ", level_name(lvl))
    } else {
        // The reference's single-threaded library writes no thread id.
        format!("{ts},{ms:03}:{pid}:{}@{func}@{line}: ", level_name(lvl))
    }
}

/// An integer as C's `%#llx` prints it: `0` for zero, else `0x…`.
pub fn c_hex(v: i64) -> String {
    if v == 0 {
        "0".to_string()
    } else {
        format!("{:#x}", v)
    }
}

/// A pointer as glibc's `%p` prints it: `(nil)` for NULL, else `0x…`.
pub fn c_ptr(p: *const c_void) -> String {
    if p.is_null() {
        "(nil)".to_string()
    } else {
        format!("{:p}", p)
    }
}

/// Writes one finished line to the callback or the log stream.
pub fn emit(cb: log_callback_fn, line_text: &[u8]) {
    let mut z = Vec::with_capacity(line_text.len() + 2);
    z.extend_from_slice(line_text);
    match cb {
        Some(f) => {
            z.push(0);
            // SAFETY: the program's callback, given a NUL-terminated line
            // valid for the call.
            unsafe { f(z.as_ptr() as *const c_char) }
        }
        None => {
            z.push(b'\n');
            let mut s = stream();
            if s.is_null() {
                // SAFETY: libc's stderr, read once; never written by us.
                s = unsafe { stderr };
            }
            // SAFETY: `s` is the program's open FILE (zoo_set_log_stream's
            // contract) or stderr; the bytes are ours.
            unsafe {
                libc::fwrite(z.as_ptr() as *const c_void, 1, z.len(), s);
                libc::fflush(s);
            }
        }
    }
}

/// Logs a message produced inside the library.
pub fn log(target: impl Into<LogTarget>, lvl: ZooLogLevel, func: &str, line: u32, msg: &str) {
    if !enabled(lvl) {
        return;
    }
    let mut s = prefix(lvl, func, line as c_int);
    s.push_str(msg);
    emit(target.into().0, s.as_bytes());
}

/// Where a handle's lines go (its log callback, or the log stream), as the
/// session core holds it: opaque there, set by the driver.
#[derive(Clone, Copy, Default)]
pub struct LogTarget(log_callback_fn);

impl From<log_callback_fn> for LogTarget {
    fn from(cb: log_callback_fn) -> Self {
        LogTarget(cb)
    }
}

#[macro_export]
macro_rules! zlog {
    ($cb:expr, $lvl:ident, $func:expr, $($arg:tt)*) => {
        if $crate::log::enabled($crate::log::$lvl) {
            $crate::log::log($cb, $crate::log::$lvl, $func, line!(), &format!($($arg)*));
        }
    };
}

/// Called by `zk_log_message_c` (src/log_message.c) with the message it
/// formatted from `log_message`'s arguments: adds the prefix and writes the
/// line. Hidden from the library's exports by the C declaration's visibility.
#[no_mangle]
pub unsafe extern "C" fn zk_rs_log_formatted(
    cb: log_callback_fn,
    lvl: c_int,
    line: c_int,
    func: *const c_char,
    msg: *const c_char,
    len: usize,
) {
    crate::ffi::ffi_entry!({
        // SAFETY: `func` is NULL or the caller's NUL-terminated function name.
        let func = if func.is_null() { "" } else { unsafe { CStr::from_ptr(func) }.to_str().unwrap_or("") };
        let mut out = prefix(lvl, func, line).into_bytes();
        if !msg.is_null() {
            // SAFETY: the C side passes `len` bytes it has just formatted into `msg`.
            out.extend_from_slice(unsafe { std::slice::from_raw_parts(msg as *const u8, len) });
        }
        emit(cb, &out);
    })
}

extern "C" {
    /// `void zk_log_message_c(log_callback_fn, ZooLogLevel, int line, const char *func, const char *format, ...)`
    /// in src/log_message.c: formats with `vsnprintf` and calls `zk_rs_log_formatted`.
    fn zk_log_message_c();
}

/// Keeps the C object in every link (the shared library's `log_message` is an alias of it).
#[used]
static LOG_MESSAGE_C: unsafe extern "C" fn() = zk_log_message_c;

/// `void log_message(log_callback_fn, ZooLogLevel, int line, const char *func, const char *format, ...)`.
///
/// Ownership and threads: `func` (NULL or NUL-terminated) and `format` (a
/// printf format matching the arguments) are the caller's, read during the
/// call; the line goes to the callback (if not NULL) or the log stream, on
/// the calling thread, and is valid only during the callback's call.
///
/// Stable Rust cannot define a variadic function: the implementation is
/// `zk_log_message_c` in C. This definition only puts the name `log_message`
/// into the list of symbols rustc exports from the shared library; build.rs
/// links the shared library with `--defsym=log_message=zk_log_message_c`, so
/// the exported `log_message` is the C function and this body is never
/// reached there. In the static library, scripts/stage-lib.sh renames the
/// two symbols the same way (`objcopy --redefine-sym`).
#[no_mangle]
pub unsafe extern "C" fn log_message() {
    crate::ffi::ffi_entry!({})
}
