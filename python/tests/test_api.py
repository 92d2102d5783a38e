"""zkpython's API on our library, against a real ensemble."""
import threading
import time

import pytest
import zookeeper
from conftest import OPEN_ACL, wait_connected


class Waiter:
    def __init__(self):
        self.ev = threading.Event()
        self.args = None

    def __call__(self, *args):
        self.args = args
        self.ev.set()

    def wait(self, timeout=10):
        assert self.ev.wait(timeout), "callback not called"
        return self.args


def test_constants_have_the_c_values():
    assert (zookeeper.EPHEMERAL, zookeeper.SEQUENCE) == (1, 2)
    assert (zookeeper.PERM_READ, zookeeper.PERM_WRITE, zookeeper.PERM_CREATE, zookeeper.PERM_DELETE,
            zookeeper.PERM_ADMIN, zookeeper.PERM_ALL) == (1, 2, 4, 8, 16, 31)
    assert (zookeeper.CREATED_EVENT, zookeeper.DELETED_EVENT, zookeeper.CHANGED_EVENT, zookeeper.CHILD_EVENT,
            zookeeper.SESSION_EVENT, zookeeper.NOTWATCHING_EVENT) == (1, 2, 3, 4, -1, -2)
    assert (zookeeper.EXPIRED_SESSION_STATE, zookeeper.AUTH_FAILED_STATE, zookeeper.CONNECTING_STATE,
            zookeeper.ASSOCIATING_STATE, zookeeper.CONNECTED_STATE) == (-112, -113, 1, 2, 3)
    assert (zookeeper.LOG_LEVEL_ERROR, zookeeper.LOG_LEVEL_WARN, zookeeper.LOG_LEVEL_INFO,
            zookeeper.LOG_LEVEL_DEBUG) == (1, 2, 3, 4)
    assert (zookeeper.OK, zookeeper.NONODE, zookeeper.NODEEXISTS, zookeeper.BADVERSION, zookeeper.CONNECTIONLOSS,
            zookeeper.SESSIONEXPIRED, zookeeper.INVALIDSTATE) == (0, -101, -110, -103, -4, -112, -9)
    assert zookeeper.__version__ == "3.8.0"
    assert zookeeper.zerror(zookeeper.NONODE) == "no node"


def test_exceptions_share_a_base():
    for name in ["NoNodeException", "NodeExistsException", "BadVersionException", "ConnectionLossException",
                 "SessionExpiredException", "NotEmptyException", "NoAuthException", "InvalidACLException",
                 "BadArgumentsException", "InvalidStateException", "ClosingException", "SystemErrorException",
                 "MarshallingErrorException", "ApiErrorException", "AuthFailedException", "NothingException",
                 "SessionMovedException", "NoChildrenForEphemeralsException", "InvalidCallbackException"]:
        assert issubclass(getattr(zookeeper, name), zookeeper.ZooKeeperException), name


def test_session_calls(zk):
    assert zookeeper.state(zk) == zookeeper.CONNECTED_STATE
    sid, passwd = zookeeper.client_id(zk)
    assert sid != 0 and len(passwd) == 16
    assert zookeeper.recv_timeout(zk) == 10000
    assert zookeeper.is_unrecoverable(zk) is False
    assert ":" in zookeeper.current_server(zk)


def test_sync_operations(zk, root):
    assert zookeeper.create(zk, root + "/p", "hello", OPEN_ACL) == root + "/p"
    seq = zookeeper.create(zk, root + "/s-", "", OPEN_ACL, zookeeper.SEQUENCE)
    assert seq.startswith(root + "/s-") and len(seq) == len(root) + 13
    eph = zookeeper.create(zk, root + "/e", "x", OPEN_ACL, zookeeper.EPHEMERAL)
    es = zookeeper.create(zk, root + "/es-", "x", OPEN_ACL, zookeeper.EPHEMERAL | zookeeper.SEQUENCE)
    assert es.startswith(root + "/es-")
    value, stat = zookeeper.get(zk, root + "/p")
    assert value == "hello" and stat["version"] == 0 and stat["dataLength"] == 5
    assert set(stat) == {"czxid", "mzxid", "ctime", "mtime", "version", "cversion", "aversion",
                         "ephemeralOwner", "dataLength", "numChildren", "pzxid"}
    assert zookeeper.get(zk, root + "/p", None, 3)[0] == "hel"
    assert zookeeper.exists(zk, eph)["ephemeralOwner"] == zookeeper.client_id(zk)[0]
    assert zookeeper.exists(zk, root + "/missing") is None
    assert zookeeper.set(zk, root + "/p", "world") == 0
    assert zookeeper.set2(zk, root + "/p", "again", 1)["version"] == 2
    with pytest.raises(zookeeper.BadVersionException):
        zookeeper.set(zk, root + "/p", "x", 0)
    assert sorted(zookeeper.get_children(zk, root)) == sorted(["p", seq.split("/")[-1], "e", es.split("/")[-1]])
    stat, acl = zookeeper.get_acl(zk, root + "/p")
    assert acl == OPEN_ACL and stat["aversion"] == 0
    assert zookeeper.set_acl(zk, root + "/p", -1, [{"perms": zookeeper.PERM_READ, "scheme": "world", "id": "anyone"}]) == 0
    with pytest.raises(zookeeper.NoAuthException):
        zookeeper.set(zk, root + "/p", "denied")
    with pytest.raises(zookeeper.NodeExistsException):
        zookeeper.create(zk, root + "/p", "", OPEN_ACL)
    with pytest.raises(zookeeper.NoNodeException):
        zookeeper.get(zk, root + "/missing")
    with pytest.raises(zookeeper.NotEmptyException):
        zookeeper.delete(zk, root)
    zookeeper.delete(zk, seq, -1)
    zookeeper.create(zk, root + "/bin", b"\x00\xff", OPEN_ACL)
    assert zookeeper.get(zk, root + "/bin")[0] == b"\x00\xff"
    zookeeper.create(zk, root + "/null", None, OPEN_ACL)
    assert zookeeper.get(zk, root + "/null")[0] is None


def test_auth(zk, root):
    w = Waiter()
    assert zookeeper.add_auth(zk, "digest", "user:pw", w) == 0
    assert w.wait()[1] == zookeeper.OK
    zookeeper.create(zk, root + "/mine", "m", [{"perms": 31, "scheme": "auth", "id": ""}])
    assert zookeeper.get_acl(zk, root + "/mine")[1][0]["scheme"] == "digest"


def test_async_operations(zk, root):
    w = Waiter()
    assert zookeeper.acreate(zk, root + "/a", "av", OPEN_ACL, 0, w) == 0
    assert w.wait() == (zk, zookeeper.OK, root + "/a")
    w = Waiter()
    zookeeper.aget(zk, root + "/a", None, w)
    h, rc, value, stat = w.wait()
    assert (h, rc, value, stat["version"]) == (zk, 0, "av", 0)
    w = Waiter()
    zookeeper.aset(zk, root + "/a", "bv", 0, w)
    assert w.wait()[2]["version"] == 1
    w = Waiter()
    zookeeper.aexists(zk, root + "/nope", None, w)
    assert w.wait() == (zk, zookeeper.NONODE, None)
    w = Waiter()
    zookeeper.aget_children(zk, root, None, w)
    assert w.wait() == (zk, 0, ["a"])
    w = Waiter()
    zookeeper.aget_acl(zk, root + "/a", w)
    h, rc, acl, stat = w.wait()
    assert rc == 0 and acl == OPEN_ACL and stat["aversion"] == 0
    w = Waiter()
    zookeeper.aset_acl(zk, root + "/a", -1, OPEN_ACL, w)
    assert w.wait() == (zk, 0)
    w = Waiter()
    getattr(zookeeper, "async")(zk, root, w)
    assert w.wait() == (zk, 0, root)
    w = Waiter()
    zookeeper.sync(zk, root, w)
    assert w.wait()[1] == 0
    w = Waiter()
    zookeeper.adelete(zk, root + "/a", -1, w)
    assert w.wait() == (zk, 0)
    assert zookeeper.aget(zk, root) == 0  # no completion is fine


def test_watchers(ensemble, root, zk):
    events = []
    cv = threading.Condition()

    def watcher(h, type, state, path):
        with cv:
            events.append((h, type, state, path))
            cv.notify_all()

    def wait_for(n):
        with cv:
            assert cv.wait_for(lambda: len(events) >= n, 10), events

    h = zookeeper.init(ensemble["hosts"], watcher)
    wait_for(1)
    assert events[0] == (h, zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE, "")
    zookeeper.create(zk, root + "/n", "0", OPEN_ACL)
    zookeeper.get(h, root + "/n", watcher)
    zookeeper.set(zk, root + "/n", "1")
    wait_for(2)
    assert events[1] == (h, zookeeper.CHANGED_EVENT, zookeeper.CONNECTED_STATE, root + "/n")
    zookeeper.get_children(h, root, watcher)
    zookeeper.create(zk, root + "/m", "", OPEN_ACL)
    wait_for(3)
    assert events[2] == (h, zookeeper.CHILD_EVENT, zookeeper.CONNECTED_STATE, root)
    assert zookeeper.exists(h, root + "/later", watcher) is None
    zookeeper.create(zk, root + "/later", "", OPEN_ACL)
    wait_for(4)
    assert events[3] == (h, zookeeper.CREATED_EVENT, zookeeper.CONNECTED_STATE, root + "/later")
    w = Waiter()
    zookeeper.aget(h, root + "/later", watcher, w)
    w.wait()
    zookeeper.delete(zk, root + "/later")
    wait_for(5)
    assert events[4] == (h, zookeeper.DELETED_EVENT, zookeeper.CONNECTED_STATE, root + "/later")
    other = []
    zookeeper.set_watcher(h, lambda *a: other.append(a))
    zookeeper.close(h)


def test_bad_arguments_raise(zk):
    with pytest.raises(TypeError):
        zookeeper.create(zk, None, "", OPEN_ACL)
    with pytest.raises(TypeError):
        zookeeper.get(zk, 42)
    with pytest.raises(TypeError):
        zookeeper.get("not a handle", "/")
    with pytest.raises(TypeError):
        zookeeper.get(zk, "/", "not callable")
    with pytest.raises(TypeError):
        zookeeper.aget(zk, "/", None, 3)
    with pytest.raises(TypeError):
        zookeeper.init(None)
    with pytest.raises(zookeeper.BadArgumentsException):
        zookeeper.create(zk, "relative", "", OPEN_ACL)
    with pytest.raises(zookeeper.BadArgumentsException):
        zookeeper.get(zk, "/trailing/")
    with pytest.raises(zookeeper.InvalidACLException):
        zookeeper.create(zk, "/x", "", "not a list")
    with pytest.raises(zookeeper.InvalidACLException):
        zookeeper.create(zk, "/x", "", [{"perms": 1}])
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.state(123456)
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.get(-1, "/")
    with pytest.raises(ValueError):
        zookeeper.get(zk, "/", None, -5)
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.init("")
    h = zookeeper.init(zookeeper.current_server(zk))
    zookeeper.close(h)
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.get(h, "/")
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.close(h)


def test_exception_in_callback_is_reported_and_harmless(zk, root, monkeypatch):
    import sys
    seen = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    zookeeper.acreate(zk, root + "/boom", "", OPEN_ACL, 0, lambda *a: 1 / 0)
    w = Waiter()
    zookeeper.aget(zk, root + "/boom", None, w)
    assert w.wait()[1] == 0  # the completion thread carries on
    assert any(isinstance(e, ZeroDivisionError) for e in seen)


def test_close_from_inside_own_watcher(ensemble, zk, root):
    done = threading.Event()
    result = []

    def watcher(h, type, state, path):
        if type == zookeeper.CHANGED_EVENT:
            result.append(zookeeper.close(h))
            done.set()

    h = zookeeper.init(ensemble["hosts"])
    wait_connected(h)
    zookeeper.create(zk, root + "/c", "", OPEN_ACL)
    zookeeper.get(h, root + "/c", watcher)
    zookeeper.set(zk, root + "/c", "x")
    assert done.wait(10)
    assert result == [zookeeper.OK]
    with pytest.raises(zookeeper.ZooKeeperException):
        zookeeper.state(h)


def test_threads_and_gil(ensemble, zk, root):
    """Blocking calls release the GIL; callbacks from several threads' calls all arrive."""
    zookeeper.create(zk, root + "/t", "v", OPEN_ACL)
    stop = threading.Event()
    ticks = [0]

    def spinner():
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0)

    s = threading.Thread(target=spinner)
    s.start()
    results = []
    lock = threading.Lock()

    def worker(n):
        for i in range(200):
            zookeeper.get(zk, root + "/t")
        done = threading.Semaphore(0)

        def cb(h, rc, value, stat):
            with lock:
                results.append(rc)
            done.release()
        for i in range(200):
            zookeeper.aget(zk, root + "/t", None, cb)
        for i in range(200):
            assert done.acquire(timeout=10)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    t0 = ticks[0]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    s.join()
    assert results == [0] * 800
    assert ticks[0] - t0 > 100  # the spinner ran while the workers blocked


def test_no_reference_leaks(zk, root):
    import resource
    zookeeper.create(zk, root + "/leak", "x" * 100, OPEN_ACL)
    sem = threading.Semaphore(500)

    def cb(h, rc, value, stat):
        sem.release()

    def run(n):
        for i in range(n):
            sem.acquire()
            zookeeper.aget(zk, root + "/leak", None, cb)
            if i % 10 == 0:
                zookeeper.get(zk, root + "/leak")
                zookeeper.exists(zk, root + "/nope")
        for i in range(500):
            sem.acquire()
        for i in range(500):
            sem.release()

    def rss_kb():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize() // 1024

    run(20000)
    before = rss_kb()
    run(100000)
    after = rss_kb()
    assert after - before < 4096, f"RSS grew by {after - before} KiB over 100,000 operations"
