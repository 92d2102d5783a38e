//! The completion thread: runs completions and watchers one at a time, in
//! the order the IO thread received them from the server.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::handle::ZHandle;
pub use crate::session::Job;

/// The queue from the IO thread (and callers) to the completion thread.
/// The completion thread takes everything queued in one go; it is woken
/// only when it waits. Small when idle: no preallocated blocks, and std's
/// futex-based lock and condition variable (parking_lot's would give every
/// completion thread an entry in its process-wide table, ~0.7 KiB each).
#[derive(Default)]
pub struct JobQueue {
    q: Mutex<Queue>,
    cv: Condvar,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// The completion thread waits on `cv`.
    waiting: bool,
}

impl JobQueue {
    /// The queue, locked. Nothing panics while holding it; if something
    /// did, the queue itself is still consistent.
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.q.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn send(&self, job: Job) {
        let mut q = self.lock();
        q.jobs.push_back(job);
        let wake = q.waiting;
        drop(q);
        if wake {
            self.cv.notify_one();
        }
    }

    /// Waits for work and moves all of it into `out`.
    fn take_all(&self, out: &mut VecDeque<Job>) {
        let mut q = self.lock();
        while q.jobs.is_empty() {
            q.waiting = true;
            q = self.cv.wait(q).unwrap_or_else(|e| e.into_inner());
            q.waiting = false;
        }
        std::mem::swap(&mut q.jobs, out);
    }

    /// Moves whatever is queued into `out`, without waiting.
    fn take_now(&self, out: &mut VecDeque<Job>) {
        std::mem::swap(&mut self.lock().jobs, out);
    }
}

/// Runs one job on the calling thread (the completion thread, or in the ST
/// library the thread in `zookeeper_process`/`zookeeper_close`).
pub(crate) fn run_job(zh: &ZHandle, zptr: *mut ZHandle, job: Job) {
    match job {
        Job::Complete(cb, rc, reply) => cb(rc, reply),
        Job::Watch { watchers, ty, state, path, with_default } => {
            let default = if with_default {
                (*zh.watcher.lock()).map(|func| super::watcher::of(func, zh.context.load(std::sync::atomic::Ordering::Acquire)))
            } else {
                None
            };
            // The default watcher first, then each registered one once (as the reference).
            for w in default.iter().chain(watchers.iter().filter(|w| Some(**w) != default)) {
                // SAFETY: every watcher the core holds was made by `watcher::of`
                // from the C API's arguments; `path` lives for the call.
                unsafe { super::watcher::call(w, zptr, ty, state, path.as_ptr()) };
            }
        }
        Job::Batch(jobs) => {
            for j in jobs {
                run_job(zh, zptr, j);
            }
        }
        Job::Shutdown => {}
    }
}

pub(crate) fn run(zh: Arc<ZHandle>) {
    let zptr = Arc::as_ptr(&zh) as *mut ZHandle;
    let mut work = VecDeque::new();
    let mut stopping = false;
    crate::zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, "do_completion", "started completion thread");
    loop {
        if stopping {
            // After the IO thread's last word, only callbacks run here can
            // still queue work (a call made from a completion during close
            // completes with ZCLOSING): run it too, then stop.
            zh.jobs.take_now(&mut work);
            if work.is_empty() {
                crate::zlog!(zh.log_cb(), ZOO_LOG_LEVEL_DEBUG, "do_completion", "completion thread terminated");
                return;
            }
        } else {
            zh.jobs.take_all(&mut work);
        }
        while let Some(job) = work.pop_front() {
            if matches!(job, Job::Shutdown) {
                stopping = true;
                continue;
            }
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_job(&zh, zptr, job)));
        }
    }
}
