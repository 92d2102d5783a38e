//! Watchers as the C API gives them (a function and its context) and as
//! the session core keeps them (an opaque `Watcher`): made here, called here.

use libc::{c_char, c_int, c_void};

use super::handle::ZHandle;
use crate::session::watches::Watcher;

/// A C watcher function.
pub type WatcherFn = unsafe extern "C" fn(zh: *mut ZHandle, ty: c_int, state: c_int, path: *const c_char, ctx: *mut c_void);

/// The core's identity of a C watcher and its context.
pub fn of(func: WatcherFn, ctx: *mut c_void) -> Watcher {
    Watcher { func: func as usize, ctx: ctx as usize }
}

/// Calls the watcher as the C client calls it.
///
/// # Safety
/// `w` was made by `of` (so `w.func` is a `WatcherFn`); `path` is a
/// NUL-terminated string valid for the call; `zh` is the handle the watcher
/// was registered on.
pub unsafe fn call(w: &Watcher, zh: *mut ZHandle, ty: c_int, state: c_int, path: *const c_char) {
    // SAFETY: `w.func` holds a `WatcherFn` converted to an integer by `of`
    // (the caller's contract); a function pointer survives the round trip.
    let f: WatcherFn = unsafe { std::mem::transmute::<usize, WatcherFn>(w.func) };
    // SAFETY: a watcher registered through the C API, called with the
    // arguments the C API documents (the caller's contract).
    unsafe { f(zh, ty, state, path, w.ctx as *mut c_void) }
}
