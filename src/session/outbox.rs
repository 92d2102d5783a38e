//! The session core's queue: callers encode their requests here (on their
//! own thread, under one short lock), and the core takes everything queued
//! in one swap. Also the types a request carries until its reply, and the
//! work handed back to whoever delivers completions and watch events.

use std::collections::VecDeque;
use std::ffi::CString;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use super::watches::{WatchReg, Watcher};
use crate::proto::errors::Error;
use crate::proto::records::{Expect, Reply, Request};

/// A completion: the result code and, on success, the decoded reply.
pub type Callback = Box<dyn FnOnce(Result<(), Error>, Option<Reply>) + Send>;

/// How a result reaches its caller.
pub enum Done {
    /// Delivered in order with the other completions and watch events (the
    /// completion thread of the MT library, `zookeeper_process` in ST).
    Queue(Callback),
    /// Called by the core as soon as the reply is decoded (a sync caller
    /// waiting on a condition variable; it must not block).
    Inline(Callback),
    /// Nobody is waiting.
    Nothing,
}

/// Watchers to remove once the server agreed (`zoo_remove_watches`).
pub struct Unwatch {
    pub path: Vec<u8>,
    pub wtype: i32,
    pub watcher: Option<Watcher>,
}

/// A request queued or sent and not yet answered.
pub struct Pending {
    pub xid: i32,
    pub expect: Expect,
    /// The watch the reply registers.
    pub watch: Option<WatchReg>,
    /// The watchers the reply removes.
    pub unwatch: Option<Unwatch>,
    pub done: Done,
    /// The CloseSession request.
    pub close: bool,
}

/// Work for whoever delivers results, in the order the core produced it.
pub enum Job {
    /// Run a completion.
    Complete(Callback, Result<(), Error>, Option<Reply>),
    /// Call watchers with `(type, state, path)`. `with_default`: the
    /// handle's default watcher is called first (session events).
    Watch { watchers: Vec<Watcher>, ty: i32, state: i32, path: CString, with_default: bool },
    /// Several jobs, in order (one hand-over per read of the socket).
    Batch(Vec<Job>),
    /// The session is over: stop after everything queued before.
    Shutdown,
}

/// The session's xid sequence, shared by the callers' queue and the core
/// (which takes xids of it for requests of its own: SASL, CloseSession).
#[derive(Debug)]
pub struct Xids(AtomicI32);

impl Default for Xids {
    fn default() -> Self {
        Xids(AtomicI32::new(1))
    }
}

impl Xids {
    /// The next xid: positive, wrapping before the reserved negative ones.
    pub fn next(&self) -> i32 {
        // Callers take xids under the outbox lock and the core under its
        // own: the atomic keeps the one sequence without a shared lock.
        let wrap = |x: i32| Some(if x >= i32::MAX - 1 { 1 } else { x + 1 });
        match self.0.fetch_update(Ordering::Relaxed, Ordering::Relaxed, wrap) {
            Ok(x) | Err(x) => x,
        }
    }
}

/// Requests encoded by callers and not yet taken by the core.
#[derive(Default)]
pub struct Outbox {
    /// Complete frames, in xid order.
    pub buf: Vec<u8>,
    /// One entry per frame of `buf`.
    pub entries: VecDeque<Pending>,
    /// None until needed (queues that only hold frames take no xids).
    xids: Option<Arc<Xids>>,
}

impl Outbox {
    /// An empty queue taking its xids from `xids`.
    pub fn with_xids(xids: Arc<Xids>) -> Self {
        Outbox { buf: Vec::new(), entries: VecDeque::new(), xids: Some(xids) }
    }

    /// The next xid of the session's sequence.
    pub fn alloc_xid(&mut self) -> i32 {
        self.xids.get_or_insert_with(Arc::default).next()
    }

    /// Encodes `req` as the next frame; its reply goes to `done`.
    pub fn push(&mut self, req: &Request, watch: Option<WatchReg>, unwatch: Option<Unwatch>, done: Done) -> i32 {
        let xid = self.alloc_xid();
        req.encode_frame(xid, &mut self.buf);
        self.entries.push_back(Pending { xid, expect: req.expect(), watch, unwatch, done, close: false });
        xid
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves everything queued in `other` behind what is here.
    pub fn append(&mut self, other: &mut Outbox) {
        if self.buf.is_empty() {
            std::mem::swap(&mut self.buf, &mut other.buf);
        } else {
            self.buf.extend_from_slice(&other.buf);
            other.buf.clear();
        }
        self.entries.append(&mut other.entries);
    }
}
