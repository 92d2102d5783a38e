#!/usr/bin/env python3
"""The classic walkthrough, in Python, on a 3-node pseudo-cluster.

    walkthrough.py HOSTS [ZK_FIXTURE ENSEMBLE_DIR]

Creates nodes with the open ACL and flags 0 / SEQUENCE / EPHEMERAL / both,
gets with a watcher, sets, lists children and prints the watch events as
the C walkthrough does. Given the fixture script and the ensemble dir, it
also kills the server the session is on and shows the session (and its
watches) moving to another server.
"""
import os
import subprocess
import sys
import threading
import time

import zookeeper

OPEN_ACL = [{"perms": 0x1f, "scheme": "world", "id": "anyone"}]
TYPES = {-1: "SESSION", 1: "CREATED", 2: "DELETED", 3: "CHANGED", 4: "CHILD", -2: "NOTWATCHING"}
STATES = {3: "CONNECTED", 1: "CONNECTING", 2: "ASSOCIATING", -112: "EXPIRED", -113: "AUTH_FAILED",
          5: "READONLY", 999: "NOTCONNECTED"}


class Events:
    def __init__(self):
        self.cv = threading.Condition()
        self.list = []

    def watcher(self, handle, type, state, path):
        with self.cv:
            self.list.append((type, state, path))
            self.cv.notify_all()

    def wait(self, type, state, path, start=0, timeout=20):
        end = time.time() + timeout
        with self.cv:
            while True:
                for i in range(start, len(self.list)):
                    if self.list[i] == (type, state, path):
                        return i
                left = end - time.time()
                if left <= 0:
                    raise TimeoutError(f"no event {(type, state, path)} in {self.list[start:]}")
                self.cv.wait(left)


def retry(f, *args):
    while True:
        try:
            return f(*args)
        except (zookeeper.ConnectionLossException, zookeeper.OperationTimeoutException):
            time.sleep(0.05)



def main(hosts, fixture=None, ensemble=None):
    zookeeper.set_debug_level(zookeeper.LOG_LEVEL_WARN)
    print(f"library: {zookeeper.library_path()}")
    ev = Events()
    h = zookeeper.init(hosts, ev.watcher, 10000)
    ev.wait(zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE, "")
    session = zookeeper.client_id(h)[0]
    print(f"connected: session {session:#x}, timeout {zookeeper.recv_timeout(h)} ms")
    root = f"/walk-py-{os.getpid()}"
    print("created", zookeeper.create(h, root, "hello", OPEN_ACL, 0), "(flags 0)")
    print("created", zookeeper.create(h, root + "/seq-", "s", OPEN_ACL, zookeeper.SEQUENCE), "(SEQUENCE)")
    print("created", zookeeper.create(h, root + "/eph", "e", OPEN_ACL, zookeeper.EPHEMERAL), "(EPHEMERAL)")
    print("created", zookeeper.create(h, root + "/ephseq-", "es", OPEN_ACL,
                                      zookeeper.EPHEMERAL | zookeeper.SEQUENCE), "(EPHEMERAL|SEQUENCE)")
    value, stat = zookeeper.get(h, root, ev.watcher)
    print(f"get {root} (watch): {value!r} version {stat['version']}")
    kids = zookeeper.get_children(h, root, ev.watcher)
    print(f"children of {root}: {len(kids)}")

    other = zookeeper.init(hosts)
    while zookeeper.state(other) != zookeeper.CONNECTED_STATE:
        time.sleep(0.01)
    zookeeper.set(h, root, "world")
    print(f"set {root} 'world'")
    zookeeper.create(other, root + "/child", "", OPEN_ACL)
    ev.wait(zookeeper.CHILD_EVENT, zookeeper.CONNECTED_STATE, root)
    later = root + "/later"
    assert zookeeper.exists(h, later, ev.watcher) is None
    zookeeper.create(other, later, "", OPEN_ACL)
    ev.wait(zookeeper.CREATED_EVENT, zookeeper.CONNECTED_STATE, later)
    assert zookeeper.exists(h, later, ev.watcher) is not None
    zookeeper.delete(other, later)
    ev.wait(zookeeper.DELETED_EVENT, zookeeper.CONNECTED_STATE, later)

    if fixture:
        zookeeper.get(h, root, ev.watcher)
        victim = server_index(ensemble, h)
        print(f"killing server {victim} (the one this session is on)")
        mark = len(ev.list)
        subprocess.run([fixture, "kill", ensemble, str(victim)], check=True)
        lost = ev.wait(zookeeper.SESSION_EVENT, zookeeper.CONNECTING_STATE, "", mark)
        ev.wait(zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE, "", lost + 1)
        assert zookeeper.client_id(h)[0] == session
        print(f"session {session:#x} moved to server {server_index(ensemble, h)}")
        assert zookeeper.exists(h, root + "/eph") is not None
        retry(zookeeper.set, other, root, "again")
        ev.wait(zookeeper.CHANGED_EVENT, zookeeper.CONNECTED_STATE, root, lost)
        subprocess.run([fixture, "restart", ensemble, str(victim)], check=True)
        subprocess.run([fixture, "wait", ensemble, str(victim)], check=True)

    # The close is sent only while connected (after the restart the session
    # may be looking for a server again), and another server may answer the
    # other handle before it has applied the close: allow a moment for both.
    until = time.time() + 15
    while zookeeper.state(h) != zookeeper.CONNECTED_STATE and time.time() < until:
        time.sleep(0.01)
    zookeeper.close(h)
    until = time.time() + 15
    while retry(zookeeper.exists, other, root + "/eph") is not None and time.time() < until:
        time.sleep(0.02)
    assert retry(zookeeper.exists, other, root + "/eph") is None
    for child in retry(zookeeper.get_children, other, root):
        retry(zookeeper.delete, other, f"{root}/{child}")
    retry(zookeeper.delete, other, root)
    zookeeper.close(other)
    print(f"event trace ({len(ev.list)} events):")
    for type, state, path in ev.list:
        print(f"event: type={type} ({TYPES.get(type, '?')}) state={state} ({STATES.get(state, '?')}) path={path}")
    return ev.list, root


def server_index(ensemble, handle):
    """The index of the server a handle is connected to, from its port."""
    state = zookeeper.state(handle)
    assert state == zookeeper.CONNECTED_STATE, state
    server = zookeeper.current_server(handle)
    assert server is not None
    port = server.rsplit(":", 1)[1]
    for i in (1, 2, 3):
        with open(os.path.join(ensemble, f"port.{i}")) as f:
            if f.read().strip() == port:
                return i
    raise RuntimeError("unknown server")


if __name__ == "__main__":
    main(*sys.argv[1:4])
