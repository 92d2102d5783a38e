//! Logging as the reference client does it: `logLevel`, a global stream,
//! per-handle callbacks and the line format
//! `YYYY-mm-dd HH:MM:SS,mmm:PID(0xTID):ZOO_LEVEL@function@line: message`.

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
#[no_mangle]
pub static mut logLevel: ZooLogLevel = ZOO_LOG_LEVEL_INFO;

static LOG_STREAM: AtomicPtr<FILE> = AtomicPtr::new(std::ptr::null_mut());

pub fn level() -> i32 {
    // SAFETY: a plain int read; C programs may write it at any time, as with the reference.
    unsafe { std::ptr::read_volatile(std::ptr::addr_of!(logLevel)) }
}

pub fn set_level(l: ZooLogLevel) {
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
        1 => "ZOO_ERROR",
        2 => "ZOO_WARN",
        3 => "ZOO_INFO",
        4 => "ZOO_DEBUG",
        _ => "ZOO_INVALID",
    }
}

fn prefix(lvl: c_int, func: &str, line: c_int) -> String {
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let mut ts = [0u8; 64];
    unsafe {
        libc::gettimeofday(&mut tv, std::ptr::null_mut());
        libc::localtime_r(&tv.tv_sec, &mut tm);
        libc::strftime(ts.as_mut_ptr() as *mut c_char, ts.len(), c"%Y-%m-%d %H:%M:%S".as_ptr(), &tm);
    }
    let tslen = ts.iter().position(|&b| b == 0).unwrap_or(0);
    format!(
        "{},{:03}:{}(0x{:x}):{}@{}@{}: ",
        String::from_utf8_lossy(&ts[..tslen]),
        tv.tv_usec / 1000,
        std::process::id(),
        unsafe { libc::pthread_self() } as u64,
        level_name(lvl),
        func,
        line
    )
}

/// Writes one finished line to the callback or the log stream.
pub fn emit(cb: log_callback_fn, line_text: &[u8]) {
    let mut z = Vec::with_capacity(line_text.len() + 2);
    z.extend_from_slice(line_text);
    match cb {
        Some(f) => {
            z.push(0);
            unsafe { f(z.as_ptr() as *const c_char) }
        }
        None => {
            z.push(b'\n');
            let mut s = stream();
            if s.is_null() {
                s = unsafe { stderr };
            }
            unsafe {
                libc::fwrite(z.as_ptr() as *const c_void, 1, z.len(), s);
                libc::fflush(s);
            }
        }
    }
}

/// Logs a message produced inside the library.
pub fn log(cb: log_callback_fn, lvl: ZooLogLevel, func: &str, line: u32, msg: &str) {
    if !enabled(lvl) {
        return;
    }
    let mut s = prefix(lvl, func, line as c_int);
    s.push_str(msg);
    emit(cb, s.as_bytes());
}

#[macro_export]
macro_rules! zlog {
    ($cb:expr, $lvl:ident, $func:expr, $($arg:tt)*) => {
        if $crate::log::enabled($crate::log::$lvl) {
            $crate::log::log($cb, $crate::log::$lvl, $func, line!(), &format!($($arg)*));
        }
    };
}

extern "C" {
    fn vsnprintf(s: *mut c_char, n: usize, fmt: *const c_char, ap: *mut c_void) -> c_int;
}

/// The body of `log_message`: `ap` points at an x86-64 `va_list`.
unsafe extern "C" fn vlog_message(
    cb: log_callback_fn,
    lvl: c_int,
    line: c_int,
    func: *const c_char,
    fmt: *const c_char,
    ap: *mut c_void,
) {
    let r = std::panic::catch_unwind(|| {
        if fmt.is_null() {
            return;
        }
        let func = if func.is_null() { "" } else { CStr::from_ptr(func).to_str().unwrap_or("") };
        let mut out = prefix(lvl, func, line).into_bytes();
        // va_list is a 24-byte record on x86-64: copy it so we can format twice.
        let mut copy = [0u8; 24];
        std::ptr::copy_nonoverlapping(ap as *const u8, copy.as_mut_ptr(), 24);
        let mut buf = vec![0u8; 1024];
        let n = vsnprintf(buf.as_mut_ptr() as *mut c_char, buf.len(), fmt, ap);
        if n < 0 {
            return;
        }
        if n as usize >= buf.len() {
            buf = vec![0u8; n as usize + 1];
            vsnprintf(buf.as_mut_ptr() as *mut c_char, buf.len(), fmt, copy.as_mut_ptr() as *mut c_void);
        }
        out.extend_from_slice(&buf[..n as usize]);
        emit(cb, &out);
    });
    let _ = r;
}

/// `void log_message(log_callback_fn, ZooLogLevel, int line, const char *func, const char *format, ...)`:
/// builds a `va_list` from the variadic arguments and hands it to `vlog_message`.
#[cfg(target_arch = "x86_64")]
#[unsafe(naked)]
#[no_mangle]
pub unsafe extern "C" fn log_message() {
    core::arch::naked_asm!(
        "push rbp",
        "mov rbp, rsp",
        "sub rsp, 208",
        "mov [rsp], rdi",
        "mov [rsp+8], rsi",
        "mov [rsp+16], rdx",
        "mov [rsp+24], rcx",
        "mov [rsp+32], r8",
        "mov [rsp+40], r9",
        "test al, al",
        "je 2f",
        "movaps [rsp+48], xmm0",
        "movaps [rsp+64], xmm1",
        "movaps [rsp+80], xmm2",
        "movaps [rsp+96], xmm3",
        "movaps [rsp+112], xmm4",
        "movaps [rsp+128], xmm5",
        "movaps [rsp+144], xmm6",
        "movaps [rsp+160], xmm7",
        "2:",
        "mov dword ptr [rsp+176], 40",
        "mov dword ptr [rsp+180], 48",
        "lea rax, [rbp+16]",
        "mov [rsp+184], rax",
        "mov [rsp+192], rsp",
        "lea r9, [rsp+176]",
        "call {inner}",
        "leave",
        "ret",
        inner = sym vlog_message,
    )
}
