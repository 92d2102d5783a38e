"""The extensions of this library (zookeeper_ext.h) from Python, against the
real ensemble: persistent and recursive watches, whoAmI, getEphemerals,
getAllChildrenNumber, client-side expiry and back-off settings."""
import threading
import time

import pytest
import zookeeper
from conftest import OPEN_ACL, wait_connected


class Events:
    def __init__(self):
        self.lock = threading.Lock()
        self.got = []

    def __call__(self, h, ty, state, path):
        with self.lock:
            self.got.append((ty, path))

    def wait(self, n, timeout=10):
        end = time.time() + timeout
        while time.time() < end:
            with self.lock:
                if len(self.got) >= n:
                    return list(self.got)
            time.sleep(0.01)
        with self.lock:
            return list(self.got)


def test_modes_are_the_protocol_values():
    assert (zookeeper.ADD_WATCH_PERSISTENT, zookeeper.ADD_WATCH_PERSISTENT_RECURSIVE) == (0, 1)


def test_persistent_watch_fires_every_time_until_removed(zk, root):
    p = f"{root}/p"
    zookeeper.create(zk, p, "0", OPEN_ACL)
    ev = Events()
    assert zookeeper.add_watch(zk, p, zookeeper.ADD_WATCH_PERSISTENT, ev) == zookeeper.OK
    for i in range(100):
        zookeeper.set(zk, p, str(i))
    zookeeper.create(zk, f"{p}/kid", "", OPEN_ACL)
    got = ev.wait(101)
    assert got.count((zookeeper.CHANGED_EVENT, p)) == 100
    assert (zookeeper.CHILD_EVENT, p) in got
    with pytest.raises(zookeeper.BadArgumentsException):
        zookeeper.add_watch(zk, p, 9, ev)


def test_recursive_watch_sees_the_subtree(zk, root):
    r = f"{root}/r"
    zookeeper.create(zk, r, "", OPEN_ACL)
    ev = Events()
    zookeeper.add_watch(zk, r, zookeeper.ADD_WATCH_PERSISTENT_RECURSIVE, ev)
    zookeeper.create(zk, f"{r}/a", "", OPEN_ACL)
    zookeeper.create(zk, f"{r}/a/b", "", OPEN_ACL)
    zookeeper.set(zk, f"{r}/a/b", "x")
    zookeeper.delete(zk, f"{r}/a/b")
    assert ev.wait(4) == [(zookeeper.CREATED_EVENT, f"{r}/a"), (zookeeper.CREATED_EVENT, f"{r}/a/b"),
                          (zookeeper.CHANGED_EVENT, f"{r}/a/b"), (zookeeper.DELETED_EVENT, f"{r}/a/b")]


def test_whoami_ephemerals_and_children_number(zk, root):
    zookeeper.add_auth(zk, "digest", "py:secret")
    end = time.time() + 5
    while ("digest", "py") not in zookeeper.whoami(zk) and time.time() < end:
        time.sleep(0.05)
    assert ("digest", "py") in zookeeper.whoami(zk)
    zookeeper.create(zk, f"{root}/e1", "", OPEN_ACL, zookeeper.EPHEMERAL)
    zookeeper.create(zk, f"{root}/e2", "", OPEN_ACL, zookeeper.EPHEMERAL)
    zookeeper.create(zk, f"{root}/plain", "", OPEN_ACL)
    assert sorted(zookeeper.get_ephemerals(zk, f"{root}/e")) == [f"{root}/e1", f"{root}/e2"]
    assert zookeeper.get_all_children_number(zk, root) == 3


def test_session_settings(ensemble):
    h = zookeeper.init(ensemble["hosts"])
    try:
        wait_connected(h)
        assert zookeeper.set_client_expiry(h, True) == zookeeper.OK
        assert zookeeper.set_backoff(h, 10, 500) == zookeeper.OK
        with pytest.raises(zookeeper.BadArgumentsException):
            zookeeper.set_backoff(h, 500, 10)
    finally:
        zookeeper.close(h)
