//! The completion thread: runs completions and watchers one at a time, in
//! the order the IO thread received them from the server.

use crossbeam_channel::Receiver;
use std::ffi::CString;
use std::sync::Arc;

use super::handle::ZHandle;
use super::watches::Watcher;
use crate::proto::records::Reply;

/// A completion: the result code and, on success, the decoded reply.
pub type Callback = Box<dyn FnOnce(i32, Option<Reply>) + Send>;

/// Work for the completion thread.
pub enum Job {
    /// Run a completion.
    Complete(Callback, i32, Option<Reply>),
    /// Call watchers with `(type, state, path)`.
    Watch(Vec<Watcher>, i32, i32, CString),
    /// Stop after everything queued before.
    Shutdown,
}

pub(crate) fn run(zh: Arc<ZHandle>, rx: Receiver<Job>) {
    let zptr = Arc::as_ptr(&zh) as *mut ZHandle;
    while let Ok(job) = rx.recv() {
        let done = matches!(job, Job::Shutdown);
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match job {
            Job::Complete(cb, rc, reply) => cb(rc, reply),
            Job::Watch(ws, ty, state, path) => {
                for w in ws {
                    // SAFETY: a watcher registered through the C API, called as the C client calls it.
                    unsafe { (w.func)(zptr, ty, state, path.as_ptr(), w.ctx as *mut libc::c_void) };
                }
            }
            Job::Shutdown => {}
        }));
        if done {
            break;
        }
    }
}
