"""Lifetimes of handles and callback contexts: close from a completion,
exit with calls in flight, close/init races, failed watched reads. The
crash cases run in their own interpreter (scenarios.py), with the
environment of this one (PYTHONMALLOC=debug in ./run-tests.sh)."""
import gc
import json
import os
import subprocess
import sys
import threading
import time

import pytest
import zookeeper
from conftest import OPEN_ACL, wait_connected

HERE = os.path.dirname(os.path.abspath(__file__))


def scenario(*args, timeout=300):
    p = subprocess.run([sys.executable, os.path.join(HERE, "scenarios.py"), *map(str, args)],
                       capture_output=True, text=True, timeout=timeout)
    return p


def figures(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-3000:]}"
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_close_from_a_completion_with_calls_queued(ensemble):
    """1,000 rounds: 100 agets queued, the first completion closes the
    handle; every completion runs exactly once, nothing crashes."""
    f = figures(scenario("close_in_completion", ensemble["hosts"], 1000, 100))
    print(f)
    assert f["completions"] == 100_000
    assert set(f["rcs"]) <= {str(zookeeper.OK), str(zookeeper.CLOSING)}


@pytest.mark.parametrize("status", [0, 7])
def test_exit_with_100000_calls_in_flight(ensemble, status):
    """No close, 100,000 calls in flight, then exit: the process ends with
    its own status (no SIGABRT from a callback taking the GIL while the
    interpreter goes away) and nothing is printed on stderr."""
    t0 = time.time()
    p = scenario("exit_in_flight", ensemble["hosts"], 100_000, status, timeout=120)
    elapsed = time.time() - t0
    print(p.stdout.strip(), f"{elapsed:.1f} s")
    assert p.returncode == status, f"exit {p.returncode}\nstderr: {p.stderr[-3000:]}"
    assert "Fatal" not in p.stderr and "Traceback" not in p.stderr, p.stderr[-3000:]
    assert json.loads(p.stdout.strip().splitlines()[-1])["issued"] == 100_000


def test_close_and_init_racing_from_8_threads(ensemble):
    """8 threads open and close handles (watchers, async reads, a blocking
    watched read racing the close) for ZK_PY_RACE_SECONDS (30 s by default):
    no handle number is handed out twice, every callback is called with its
    own handle, no crash."""
    seconds = int(os.environ.get("ZK_PY_RACE_SECONDS", "30"))
    f = figures(scenario("race", ensemble["hosts"], seconds, 8, timeout=seconds + 120))
    print(f)
    assert f["cycles"] > 8 and f["blocking_races"] > 0


def refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


def refcounts_settle(objs, before, timeout=10):
    """The refcounts, once they are back to `before` (or after `timeout`)."""
    end = time.time() + timeout
    while True:
        gc.collect()
        now = refcounts(objs)
        if now == before or time.time() > end:
            return now
        time.sleep(0.01)


def test_failed_watched_reads_keep_no_reference(zk, root):
    """10,000 watched reads that fail (NONODE): the watchers are released
    with the failure, async or blocking, with or without a completion."""
    watcher = lambda *a: None  # noqa: E731
    done = threading.Semaphore(0)
    rcs = []

    def completion(h, rc, *rest):
        rcs.append(rc)
        done.release()

    objs = [watcher, completion]
    before = refcounts(objs)
    missing = root + "/missing"
    for i in range(2500):
        zookeeper.aget(zk, missing, watcher, completion)
        zookeeper.aget_children(zk, missing, watcher, completion)
        zookeeper.aget(zk, missing, watcher)  # no completion: released all the same
    for i in range(5000):
        assert done.acquire(timeout=30)
    for i in range(1250):
        with pytest.raises(zookeeper.NoNodeException):
            zookeeper.get(zk, missing, watcher)
        with pytest.raises(zookeeper.NoNodeException):
            zookeeper.get_children(zk, missing, watcher)
    zookeeper.sync(zk, "/", completion)  # after every aget above
    assert done.acquire(timeout=30)
    after = refcounts_settle(objs, before)
    print(f"refcounts before {before}, after {after}, 10,000 failed watched reads")
    assert after == before
    assert rcs[:-1] == [zookeeper.NONODE] * 5000


def test_watchers_are_released_when_they_fire_or_at_close(ensemble, zk, root):
    """A watch that fires releases its watcher; exist watches on missing
    nodes (set by the reference too) are released at close."""
    h = zookeeper.init(ensemble["hosts"])
    wait_connected(h)
    fired = threading.Semaphore(0)
    watcher = lambda *a: fired.release()  # noqa: E731
    before = refcounts([watcher])[0]
    zookeeper.create(zk, root + "/n", "", OPEN_ACL)
    for i in range(100):
        zookeeper.get(h, root + "/n", watcher)
        zookeeper.aget(h, root + "/n", watcher)
    zookeeper.sync(h, "/")
    zookeeper.get(h, root + "/n")  # a round trip after the aget replies
    zookeeper.set(zk, root + "/n", "changed")
    for i in range(200):
        assert fired.acquire(timeout=10)
    assert refcounts_settle([watcher], [before]) == [before]
    for i in range(100):
        assert zookeeper.exists(h, root + f"/later{i}", watcher) is None
    assert refcounts([watcher])[0] == before + 100
    zookeeper.close(h)
    assert refcounts_settle([watcher], [before]) == [before]


def test_close_releases_completions_and_watchers(ensemble):
    h = zookeeper.init(ensemble["hosts"], lambda *a: None)
    wait_connected(h)
    cb = lambda *a: None  # noqa: E731
    before = refcounts([cb])[0]
    for i in range(1000):
        zookeeper.aget(h, "/", cb, cb)
    zookeeper.close(h)
    assert refcounts_settle([cb], [before]) == [before]


def test_handle_numbers_are_reused_as_zkpython(ensemble):
    """The lowest free number, as soon as close has returned."""
    hs = [zookeeper.init(ensemble["hosts"]) for i in range(6)]
    assert len(set(hs)) == 6
    zookeeper.close(hs[2])
    zookeeper.close(hs[4])
    h2 = zookeeper.init(ensemble["hosts"])
    h4 = zookeeper.init(ensemble["hosts"])
    assert (h2, h4) == (hs[2], hs[4])
    for h in hs:
        zookeeper.close(h)


def test_close_from_a_completion_keeps_the_number_until_released(ensemble):
    """A handle closed from its own completion is closed for the caller at
    once; its number is handed out again only after the library is done."""
    h = zookeeper.init(ensemble["hosts"])
    wait_connected(h)
    closed = threading.Event()
    results = []

    def completion(handle, rc, *rest):
        results.append(rc)
        if len(results) == 1:
            results.append(zookeeper.close(handle))
            with pytest.raises(zookeeper.ZooKeeperException):
                zookeeper.state(handle)
            closed.set()

    for i in range(50):
        zookeeper.aget(h, "/", None, completion)
    assert closed.wait(10)
    end = time.time() + 10
    while len(results) < 51 and time.time() < end:
        time.sleep(0.01)
    assert len(results) == 51 and results[1] == zookeeper.OK
    end = time.time() + 10
    while True:  # reused once the deferred close is collected
        h2 = zookeeper.init(ensemble["hosts"])
        zookeeper.close(h2)
        if h2 == h or time.time() > end:
            break
        time.sleep(0.05)
    assert h2 == h


def test_client_id_password_forms(ensemble, zk, root):
    """A password given to init comes back as given (zkpython returns the
    str); the server's password is 16 bytes and resumes the session."""
    h1 = zookeeper.init(ensemble["hosts"])
    wait_connected(h1)
    sid, pw = zookeeper.client_id(h1)
    assert isinstance(pw, bytes) and len(pw) == 16
    zookeeper.create(h1, root + "/eph", "", OPEN_ACL, zookeeper.EPHEMERAL)
    # the server accepts the password back (a wrong one expires the session)
    h2 = zookeeper.init(ensemble["hosts"], None, 10000, (sid, pw))
    wait_connected(h2)
    assert zookeeper.client_id(h2) == (sid, pw)
    wrong = bytes([pw[0] ^ 1]) + pw[1:]
    h3 = zookeeper.init(ensemble["hosts"], None, 10000, (sid, wrong))
    end = time.time() + 15
    while zookeeper.state(h3) != zookeeper.EXPIRED_SESSION_STATE and time.time() < end:
        time.sleep(0.01)
    assert zookeeper.state(h3) == zookeeper.EXPIRED_SESSION_STATE
    zookeeper.close(h3)
    zookeeper.close(h2)  # ends the session: its ephemeral node goes
    zookeeper.close(h1)
    assert zookeeper.exists(zk, root + "/eph") is None
    events = []
    h = zookeeper.init(ensemble["hosts"], lambda *a: events.append(a), 10000, (123456, "mypassword"))
    end = time.time() + 15
    while not events and time.time() < end:
        time.sleep(0.01)
    assert zookeeper.client_id(h) == (123456, "mypassword")
    assert events[0][2] == zookeeper.EXPIRED_SESSION_STATE
    zookeeper.close(h)
    with pytest.raises(TypeError):
        zookeeper.init(ensemble["hosts"], None, 10000, (1, 2))


def test_reopen_from_the_expiry_watcher(ensemble):
    """The usual recovery: on EXPIRED, close the handle and open a new one,
    both from inside the watcher; the old number is free again afterwards."""
    done = threading.Event()
    new = []

    def connected(h, type, state, path):
        if state == zookeeper.CONNECTED_STATE:
            done.set()

    def watcher(h, type, state, path):
        if state == zookeeper.EXPIRED_SESSION_STATE:
            assert zookeeper.close(h) == zookeeper.OK
            new.append(zookeeper.init(ensemble["hosts"], connected))

    old = zookeeper.init(ensemble["hosts"], watcher, 10000, (123456, "x"))  # no such session: expires
    assert done.wait(15)
    assert new[0] != old and zookeeper.state(new[0]) == zookeeper.CONNECTED_STATE
    end = time.time() + 10
    while True:
        h = zookeeper.init(ensemble["hosts"])
        zookeeper.close(h)
        if h == old or time.time() > end:
            break
        time.sleep(0.05)
    assert h == old
    zookeeper.close(new[0])
