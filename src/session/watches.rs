//! The watch registry: which watcher functions wait on which paths, for
//! data, exist and child watches, keyed by server path.

use std::collections::HashMap;
use std::hash::{BuildHasher, DefaultHasher, RandomState};
use std::sync::LazyLock;

/// An application's watcher as the core sees it: an opaque identity the
/// driver made (in this library the C function and its context pointer, as
/// integers: `client::watcher`). The core stores, compares and hands them
/// back; it never calls one. Two watchers are the same when both parts are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Watcher {
    pub func: usize,
    pub ctx: usize,
}

/// The kind of watch a read request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchOp {
    Data,
    Exists,
    Child,
    /// `addWatch` mode 0: every change of the node and of its children
    /// list, until removed.
    Persistent,
    /// `addWatch` mode 1: every create, delete and data change at or below
    /// the node, until removed.
    PersistentRecursive,
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
use crate::proto::errors::Error;

type Table = HashMap<Vec<u8>, Vec<Watcher>, ProcessKeys>;

pub struct WatchRegistry {
    pub data: Table,
    pub exist: Table,
    pub child: Table,
    pub persistent: Table,
    pub recursive: Table,
}

impl Default for WatchRegistry {
    fn default() -> Self {
        // The keys are drawn here, on the thread making the session, not
        // deep in an IO thread's first event (a page more of its stack).
        LazyLock::force(&KEYS);
        WatchRegistry {
            data: Table::default(),
            exist: Table::default(),
            child: Table::default(),
            persistent: Table::default(),
            recursive: Table::default(),
        }
    }
}

/// The watch tables' hash keys: std's random ones (the defence against
/// paths chosen to collide), drawn once per process and shared by every
/// table, instead of 16 bytes of keys in each of a session's five tables.
#[derive(Clone, Copy, Default)]
pub struct ProcessKeys;

static KEYS: LazyLock<RandomState> = LazyLock::new(RandomState::new);

impl BuildHasher for ProcessKeys {
    type Hasher = DefaultHasher;

    fn build_hasher(&self) -> DefaultHasher {
        KEYS.build_hasher()
    }
}

/// The protocol's `addWatch` modes.
pub const ADD_WATCH_MODE_PERSISTENT: i32 = 0;
pub const ADD_WATCH_MODE_PERSISTENT_RECURSIVE: i32 = 1;

/// `path` and each of its ancestors ("/a/b/c", "/a/b", "/a", "/").
fn self_and_ancestors(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut cur = Some(path);
    std::iter::from_fn(move || {
        let p = cur?;
        cur = match p.iter().rposition(|&c| c == b'/') {
            _ if p == b"/" || p.is_empty() => None,
            Some(0) => Some(&b"/"[..]),
            Some(i) => Some(&p[..i]),
            None => None,
        };
        Some(p)
    })
}

fn collect(t: &Table, path: &[u8], out: &mut Vec<Watcher>) {
    if let Some(v) = t.get(path) {
        for w in v {
            if !out.contains(w) {
                out.push(*w);
            }
        }
    }
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
    pub fn activate(&mut self, reg: &WatchReg, rc: Result<(), Error>) {
        match (reg.op, rc) {
            (WatchOp::Data, Ok(())) | (WatchOp::Exists, Ok(())) => add(&mut self.data, &reg.path, reg.watcher),
            (WatchOp::Exists, Err(Error::NoNode)) => add(&mut self.exist, &reg.path, reg.watcher),
            (WatchOp::Child, Ok(())) => add(&mut self.child, &reg.path, reg.watcher),
            (WatchOp::Persistent, Ok(())) => add(&mut self.persistent, &reg.path, reg.watcher),
            (WatchOp::PersistentRecursive, Ok(())) => add(&mut self.recursive, &reg.path, reg.watcher),
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
        // Persistent watches stay: on the node for every event type, and
        // recursive ones on the node or an ancestor for all but child events.
        if !self.persistent.is_empty() {
            collect(&self.persistent, path, &mut out);
        }
        if !self.recursive.is_empty() && ty != CHILD_EVENT {
            for p in self_and_ancestors(path) {
                collect(&self.recursive, p, &mut out);
            }
        }
        out
    }

    /// Every registered watcher once (without removing), for session
    /// events: linear in the number of watches.
    pub fn all(&self, out: &mut Vec<Watcher>) {
        // Fixed hash keys: the keys are the application's own pointers, and
        // std's random ones would be drawn (getrandom) on the IO thread at
        // its first session event, a call chain deep enough to touch one
        // more page of that thread's stack in every session.
        type Fixed = std::hash::BuildHasherDefault<std::collections::hash_map::DefaultHasher>;
        let mut seen: std::collections::HashSet<(usize, usize), Fixed> = out.iter().map(|w| (w.func, w.ctx)).collect();
        for t in [&self.data, &self.exist, &self.child, &self.persistent, &self.recursive] {
            for v in t.values() {
                for w in v {
                    if seen.insert((w.func, w.ctx)) {
                        out.push(*w);
                    }
                }
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty() && self.exist.is_empty() && self.child.is_empty() && !self.has_persistent()
    }

    /// Whether persistent watches exist (they need SetWatches2 after a reconnect).
    pub fn has_persistent(&self) -> bool {
        !self.persistent.is_empty() || !self.recursive.is_empty()
    }

    /// Whether `path` has a matching watcher (`watcher` None matches any)
    /// for a watcher type (children, data or any).
    pub fn has(&self, path: &[u8], wtype: i32, watcher: Option<Watcher>) -> bool {
        self.tables(wtype).iter().any(|t| t.get(path).is_some_and(|v| v.iter().any(|w| watcher.is_none_or(|x| x == *w))))
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
        if wtype == WATCHERTYPE_ANY {
            tabs.push(&mut self.persistent);
            tabs.push(&mut self.recursive);
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
            _ => vec![&self.child, &self.data, &self.exist, &self.persistent, &self.recursive],
        }
    }

    /// The paths of each table, for SetWatches.
    pub fn paths(&self) -> [Vec<Vec<u8>>; 3] {
        [self.data.keys().cloned().collect(), self.exist.keys().cloned().collect(), self.child.keys().cloned().collect()]
    }

    /// The paths of the persistent and persistent-recursive watches.
    pub fn persistent_paths(&self) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        (self.persistent.keys().cloned().collect(), self.recursive.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W1: usize = 0x1000;

    #[test]
    fn exist_watch_on_nonode_fires_on_create() {
        let mut r = WatchRegistry::default();
        let w = Watcher { func: W1, ctx: 1 };
        r.activate(&WatchReg { op: WatchOp::Exists, path: b"/a".to_vec(), watcher: w }, Err(Error::NoNode));
        assert!(r.trigger(CHILD_EVENT, b"/a").is_empty());
        assert_eq!(r.trigger(CREATED_EVENT, b"/a"), vec![w]);
        assert!(r.is_empty());
    }

    #[test]
    fn persistent_watches_stay_and_recursive_ones_see_descendants() {
        let mut r = WatchRegistry::default();
        let p = Watcher { func: W1, ctx: 1 };
        let q = Watcher { func: W1, ctx: 2 };
        r.activate(&WatchReg { op: WatchOp::Persistent, path: b"/a".to_vec(), watcher: p }, Ok(()));
        r.activate(&WatchReg { op: WatchOp::PersistentRecursive, path: b"/a".to_vec(), watcher: q }, Ok(()));
        assert_eq!(r.trigger(CHANGED_EVENT, b"/a"), vec![p, q]);
        assert_eq!(r.trigger(CHILD_EVENT, b"/a"), vec![p], "no child events for recursive watches");
        assert_eq!(r.trigger(CREATED_EVENT, b"/a/b/c"), vec![q]);
        assert_eq!(r.trigger(DELETED_EVENT, b"/a"), vec![p, q], "still there after a delete");
        assert!(r.trigger(CREATED_EVENT, b"/ab").is_empty(), "a sibling with the same prefix is not below");
        assert!(r.remove(b"/a", WATCHERTYPE_ANY, Some(q)));
        assert!(r.trigger(CREATED_EVENT, b"/a/x").is_empty());
        let mut root = WatchRegistry::default();
        root.activate(&WatchReg { op: WatchOp::PersistentRecursive, path: b"/".to_vec(), watcher: q }, Ok(()));
        assert_eq!(root.trigger(CREATED_EVENT, b"/x/y"), vec![q]);
    }

    #[test]
    fn same_watcher_fires_once() {
        let mut r = WatchRegistry::default();
        let w = Watcher { func: W1, ctx: 1 };
        r.activate(&WatchReg { op: WatchOp::Data, path: b"/a".to_vec(), watcher: w }, Ok(()));
        r.activate(&WatchReg { op: WatchOp::Child, path: b"/a".to_vec(), watcher: w }, Ok(()));
        assert_eq!(r.trigger(DELETED_EVENT, b"/a"), vec![w]);
    }
}
