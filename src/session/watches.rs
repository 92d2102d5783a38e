//! The watch registry: which watcher functions wait on which paths, for
//! data, exist and child watches, keyed by server path.

use libc::{c_char, c_int, c_void};
use std::collections::HashMap;

use crate::client::handle::ZHandle;

/// A C watcher function.
pub type WatcherFn = unsafe extern "C" fn(zh: *mut ZHandle, ty: c_int, state: c_int, path: *const c_char, ctx: *mut c_void);

/// A watcher function with its context; two watchers are the same when
/// both function and context are.
#[derive(Clone, Copy, Debug)]
pub struct Watcher {
    pub func: WatcherFn,
    pub ctx: usize,
}

impl PartialEq for Watcher {
    fn eq(&self, o: &Self) -> bool {
        self.func as usize == o.func as usize && self.ctx == o.ctx
    }
}
impl Eq for Watcher {}

/// The kind of watch a read request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchOp {
    Data,
    Exists,
    Child,
}

/// A watch to register when the reply of a read arrives.
#[derive(Clone, Debug)]
pub struct WatchReg {
    pub op: WatchOp,
    pub path: Vec<u8>,
    pub watcher: Watcher,
}

pub use crate::proto::consts::{CHANGED_EVENT, CHILD_EVENT, CREATED_EVENT, DELETED_EVENT, NOTWATCHING_EVENT, SESSION_EVENT};
use crate::proto::consts::{WATCHERTYPE_ANY, WATCHERTYPE_CHILDREN, WATCHERTYPE_DATA};

type Table = HashMap<Vec<u8>, Vec<Watcher>>;

#[derive(Default)]
pub struct WatchRegistry {
    pub data: Table,
    pub exist: Table,
    pub child: Table,
}

fn add(t: &mut Table, path: &[u8], w: Watcher) {
    let v = t.entry(path.to_vec()).or_default();
    if !v.contains(&w) {
        v.push(w);
    }
}

fn take(t: &mut Table, path: &[u8], out: &mut Vec<Watcher>) {
    if let Some(v) = t.remove(path) {
        for w in v {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
}

impl WatchRegistry {
    /// Registers the watch of a completed read, as the reference does:
    /// data and child watches on success, exist watches on success or ZNONODE.
    pub fn activate(&mut self, reg: &WatchReg, rc: i32) {
        match (reg.op, rc) {
            (WatchOp::Data, 0) | (WatchOp::Exists, 0) => add(&mut self.data, &reg.path, reg.watcher),
            (WatchOp::Exists, crate::proto::errors::ZNONODE) => add(&mut self.exist, &reg.path, reg.watcher),
            (WatchOp::Child, 0) => add(&mut self.child, &reg.path, reg.watcher),
            _ => {}
        }
    }

    /// Removes and returns the watchers a node event triggers.
    pub fn trigger(&mut self, ty: i32, path: &[u8]) -> Vec<Watcher> {
        let mut out = Vec::new();
        match ty {
            CREATED_EVENT | CHANGED_EVENT => {
                take(&mut self.data, path, &mut out);
                take(&mut self.exist, path, &mut out);
            }
            CHILD_EVENT => take(&mut self.child, path, &mut out),
            DELETED_EVENT => {
                take(&mut self.data, path, &mut out);
                take(&mut self.exist, path, &mut out);
                take(&mut self.child, path, &mut out);
            }
            _ => {}
        }
        out
    }

    /// Every registered watcher once (without removing), for session
    /// events: linear in the number of watches.
    pub fn all(&self, out: &mut Vec<Watcher>) {
        let mut seen: std::collections::HashSet<(usize, usize)> = out.iter().map(|w| (w.func as usize, w.ctx)).collect();
        for t in [&self.data, &self.exist, &self.child] {
            for v in t.values() {
                for w in v {
                    if seen.insert((w.func as usize, w.ctx)) {
                        out.push(*w);
                    }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.exist.is_empty() && self.child.is_empty()
    }

    /// Whether `path` has a matching watcher (`watcher` None matches any)
    /// for a watcher type (children, data or any).
    pub fn has(&self, path: &[u8], wtype: i32, watcher: Option<Watcher>) -> bool {
        self.tables(wtype).iter().any(|t| {
            t.get(path).is_some_and(|v| v.iter().any(|w| watcher.is_none_or(|x| x == *w)))
        })
    }

    /// Removes matching watchers; returns whether any was removed.
    pub fn remove(&mut self, path: &[u8], wtype: i32, watcher: Option<Watcher>) -> bool {
        let mut removed = false;
        let mut tabs: Vec<&mut Table> = Vec::new();
        if wtype == WATCHERTYPE_CHILDREN || wtype == WATCHERTYPE_ANY {
            tabs.push(&mut self.child);
        }
        if wtype == WATCHERTYPE_DATA || wtype == WATCHERTYPE_ANY {
            tabs.push(&mut self.data);
            tabs.push(&mut self.exist);
        }
        for t in tabs {
            if let Some(v) = t.get_mut(path) {
                let before = v.len();
                v.retain(|w| !watcher.is_none_or(|x| x == *w));
                removed |= v.len() != before;
                if v.is_empty() {
                    t.remove(path);
                }
            }
        }
        removed
    }

    fn tables(&self, wtype: i32) -> Vec<&Table> {
        match wtype {
            WATCHERTYPE_CHILDREN => vec![&self.child],
            WATCHERTYPE_DATA => vec![&self.data, &self.exist],
            _ => vec![&self.child, &self.data, &self.exist],
        }
    }

    /// The paths of each table, for SetWatches.
    pub fn paths(&self) -> (Vec<Vec<u8>>, Vec<Vec<u8>>, Vec<Vec<u8>>) {
        (
            self.data.keys().cloned().collect(),
            self.exist.keys().cloned().collect(),
            self.child.keys().cloned().collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    unsafe extern "C" fn w1(_: *mut ZHandle, _: c_int, _: c_int, _: *const c_char, _: *mut c_void) {}

    #[test]
    fn exist_watch_on_nonode_fires_on_create() {
        let mut r = WatchRegistry::default();
        let w = Watcher { func: w1, ctx: 1 };
        r.activate(&WatchReg { op: WatchOp::Exists, path: b"/a".to_vec(), watcher: w }, -101);
        assert!(r.trigger(CHILD_EVENT, b"/a").is_empty());
        assert_eq!(r.trigger(CREATED_EVENT, b"/a"), vec![w]);
        assert!(r.is_empty());
    }

    #[test]
    fn same_watcher_fires_once() {
        let mut r = WatchRegistry::default();
        let w = Watcher { func: w1, ctx: 1 };
        r.activate(&WatchReg { op: WatchOp::Data, path: b"/a".to_vec(), watcher: w }, 0);
        r.activate(&WatchReg { op: WatchOp::Child, path: b"/a".to_vec(), watcher: w }, 0);
        assert_eq!(r.trigger(DELETED_EVENT, b"/a"), vec![w]);
    }
}
