//! The completion thread: runs completions and watchers one at a time, in
//! the order the IO thread received them from the server.

use parking_lot::{Condvar, Mutex};
use std::collections::VecDeque;
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
    /// Several jobs from one read of the socket, in order.
    Batch(Vec<Job>),
    /// Stop after everything queued before.
    Shutdown,
}

/// The queue from the IO thread (and callers) to the completion thread.
/// The completion thread takes everything queued in one go; it is woken
/// only when it waits. Small when idle: no preallocated blocks.
#[derive(Default)]
pub struct JobQueue {
    q: Mutex<VecDeque<Job>>,
    cv: Condvar,
}

impl JobQueue {
    pub fn send(&self, job: Job) -> Result<(), ()> {
        self.q.lock().push_back(job);
        self.cv.notify_one();
        Ok(())
    }

    /// Waits for work and moves all of it into `out`.
    fn take_all(&self, out: &mut VecDeque<Job>) {
        let mut q = self.q.lock();
        while q.is_empty() {
            self.cv.wait(&mut q);
        }
        std::mem::swap(&mut *q, out);
    }
}

fn run_job(zptr: *mut ZHandle, job: Job) {
    match job {
        Job::Complete(cb, rc, reply) => cb(rc, reply),
        Job::Watch(ws, ty, state, path) => {
            for w in ws {
                // SAFETY: a watcher registered through the C API, called as the C client calls it.
                unsafe { (w.func)(zptr, ty, state, path.as_ptr(), w.ctx as *mut libc::c_void) };
            }
        }
        Job::Batch(jobs) => {
            for j in jobs {
                run_job(zptr, j);
            }
        }
        Job::Shutdown => {}
    }
}

pub(crate) fn run(zh: Arc<ZHandle>) {
    let zptr = Arc::as_ptr(&zh) as *mut ZHandle;
    let mut work = VecDeque::new();
    loop {
        zh.jobs.take_all(&mut work);
        while let Some(job) = work.pop_front() {
            if matches!(job, Job::Shutdown) {
                return;
            }
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(zptr, job)));
        }
    }
}
