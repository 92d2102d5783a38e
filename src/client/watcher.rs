//! Watchers as the C API gives them (a function and its context) and as
//! the session core keeps them (an opaque `Watcher`): made here, called here.

use libc::{c_char, c_int, c_void};

use super::handle::ZHandle;
use crate::session::watches::Watcher;

/// A C watcher function.
pub type WatcherFn = unsafe extern "C" fn(zh: *mut ZHandle, ty: c_int, state: c_int, path: *const c_char, ctx: *mut c_void);

/// The core's identity of a C watcher and its context.
pub fn of(func: WatcherFn, ctx: *mut c_void) -> Watcher {
    Watcher { func: (func as *const ()).expose_provenance(), ctx: ctx.expose_provenance() }
}

/// Calls the watcher as the C client calls it.
///
/// # Safety
/// `w` was made by `of` (so `w.func` is a `WatcherFn`); `path` is a
/// NUL-terminated string valid for the call; `zh` is the handle the watcher
/// was registered on.
pub unsafe fn call(w: &Watcher, zh: *mut ZHandle, ty: c_int, state: c_int, path: *const c_char) {
    let p = std::ptr::with_exposed_provenance::<()>(w.func);
    // SAFETY: `w.func` is the exposed address of a `WatcherFn` made by `of`
    // (the caller's contract); its provenance was exposed there, and an
    // `Option` of a function pointer takes any address (null would be None).
    let Some(f) = (unsafe { std::mem::transmute::<*const (), Option<WatcherFn>>(p) }) else { return };
    // SAFETY: a watcher registered through the C API, called with the
    // arguments the C API documents (the caller's contract).
    unsafe { f(zh, ty, state, path, std::ptr::with_exposed_provenance_mut::<c_void>(w.ctx)) }
}
