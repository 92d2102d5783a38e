"""Programs that crashed the interpreter before the module tied callback
contexts to the library's last use of them. test_lifecycle.py runs each in
its own interpreter (a crash is then a failed test, not a dead pytest).

    scenarios.py close_in_completion HOSTS ROUNDS CALLS
    scenarios.py exit_in_flight HOSTS CALLS STATUS
    scenarios.py race HOSTS SECONDS THREADS
    scenarios.py sasl HOSTS ROUNDS          (HOSTS: a DIGEST-MD5 server, ctests/fixture/sasl.sh)

Each prints one line of figures (JSON) when it gets to the end.
"""
import json
import random
import sys
import threading
import time

import zookeeper


def connect(hosts, watcher=None, timeout=15):
    h = zookeeper.init(hosts, watcher) if watcher else zookeeper.init(hosts)
    end = time.time() + timeout
    while zookeeper.state(h) != zookeeper.CONNECTED_STATE:
        if time.time() > end:
            raise SystemExit(f"handle {h}: not connected")
        time.sleep(0.002)
    return h


def close_in_completion(hosts, rounds, calls):
    """In each round, `calls` agets are queued and the first completion
    closes the handle: every completion still runs exactly once."""
    t0 = time.time()
    rcs = {}
    for r in range(rounds):
        h = connect(hosts, lambda *a: None)
        lock = threading.Lock()
        done = threading.Event()
        issued = threading.Event()
        got = []

        def completion(handle, rc, value, stat):
            with lock:
                got.append(rc)
                n = len(got)
            assert handle == h, (handle, h)
            if n == 1:
                issued.wait()  # every call queued or in flight
                assert zookeeper.close(handle) == zookeeper.OK
            if n == calls:
                done.set()

        for i in range(calls):
            zookeeper.aget(h, "/", None, completion)
        issued.set()
        if not done.wait(30):
            raise SystemExit(f"round {r}: {len(got)} of {calls} completions")
        time.sleep(0.001)
        if len(got) != calls:
            raise SystemExit(f"round {r}: {len(got)} completions for {calls} calls")
        for rc in got:
            rcs[rc] = rcs.get(rc, 0) + 1
    print(json.dumps({"rounds": rounds, "completions": sum(rcs.values()), "rcs": rcs,
                      "seconds": round(time.time() - t0, 1)}))


def exit_in_flight(hosts, calls, status):
    """Exits with `calls` asynchronous calls in flight and no close."""
    h = connect(hosts, lambda *a: None)
    n = [0]

    def completion(handle, rc, value, stat):
        n[0] += 1

    zookeeper.create(h, f"/exit-{id(n)}", "x" * 100, [{"perms": 31, "scheme": "world", "id": "anyone"}],
                     zookeeper.EPHEMERAL)
    for i in range(calls):
        zookeeper.aget(h, f"/exit-{id(n)}", None, completion)
    print(json.dumps({"issued": calls, "completed_before_exit": n[0]}), flush=True)
    sys.exit(status)


def race(hosts, seconds, nthreads):
    """Threads open and close handles as fast as they can, with watchers,
    async reads and a blocking watched read racing each close."""
    end = time.time() + seconds
    lock = threading.Lock()
    open_handles = set()
    stats = {"cycles": 0, "blocking_races": 0, "max_handle": 0}
    errors = []

    def worker(seed):
        try:
            cycles(seed)
        except Exception as e:  # a failure of this thread fails the run
            errors.append(repr(e))

    def cycles(seed):
        rnd = random.Random(seed)
        while time.time() < end and not errors:
            mine = []
            if rnd.random() < 0.5:  # with a session watcher or without
                h = zookeeper.init(hosts, lambda handle, *a: mine.append(handle))
            else:
                h = zookeeper.init(hosts)
            with lock:
                if h in open_handles:
                    errors.append(f"handle {h} handed out twice")
                open_handles.add(h)
                stats["max_handle"] = max(stats["max_handle"], h)
            racer = None
            if rnd.random() < 0.5:
                t_end = time.time() + 1
                while zookeeper.state(h) != zookeeper.CONNECTED_STATE and time.time() < t_end:
                    time.sleep(0.001)
                for i in range(rnd.randrange(5)):
                    zookeeper.aget(h, "/", lambda handle, *a: mine.append(handle), lambda handle, *a: mine.append(handle))
                    zookeeper.aget(h, "/no-such-node", lambda handle, *a: mine.append(handle), None)
            if rnd.random() < 0.3:
                def blocking():
                    try:
                        while True:
                            zookeeper.get(h, "/", lambda handle, *a: mine.append(handle))
                    except zookeeper.ZooKeeperException:
                        pass
                racer = threading.Thread(target=blocking)
                racer.start()
                time.sleep(rnd.random() * 0.005)
            with lock:
                open_handles.discard(h)
            zookeeper.close(h)
            if racer:
                racer.join(30)
                with lock:
                    stats["blocking_races"] += 1
            if any(x != h for x in mine):
                errors.append(f"a callback of handle {h} was called with {set(mine)}")
            with lock:
                stats["cycles"] += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(nthreads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("; ".join(errors[:5]))
    print(json.dumps(stats))


def sasl(hosts, rounds):
    """SASL handles in every way they end (valgrind.sh: the library's
    callback block and the module's password copy freed once each): bob
    connected and closed, a wrong password (AUTH_FAILED) closed, bob closed
    from his own watcher (the deferred close), an init the library refuses
    (a missing certificate file), bad options; and one left open at exit."""
    bob = {"username": "bob", "password": "bobsecret"}
    t0 = time.time()
    counts = {"connected": 0, "auth_failed": 0, "closed_in_watcher": 0, "init_failed": 0, "bad_options": 0}

    def wait(cond, what, timeout=20):
        end = time.time() + timeout
        while not cond():
            if time.time() > end:
                raise SystemExit(f"{what}: timed out")
            time.sleep(0.002)

    for r in range(rounds):
        h = zookeeper.init_sasl(hosts, bob)
        wait(lambda: zookeeper.state(h) == zookeeper.CONNECTED_STATE, "bob")
        zookeeper.get_children(h, "/")
        zookeeper.close(h)
        counts["connected"] += 1
        h = zookeeper.init_sasl(hosts, {"username": "bob", "password": b"wrong", "realm": "zk-sasl-md5"})
        wait(lambda: zookeeper.state(h) == zookeeper.AUTH_FAILED_STATE, "wrong password")
        zookeeper.close(h)
        counts["auth_failed"] += 1
        closed = threading.Event()

        def closer(handle, ty, state, path):
            if state == zookeeper.CONNECTED_STATE:
                zookeeper.close(handle)
                closed.set()

        zookeeper.init_sasl(hosts, bob, closer)
        if not closed.wait(20):
            raise SystemExit("closed in watcher: timed out")
        counts["closed_in_watcher"] += 1
        try:
            zookeeper.init_sasl(hosts, bob, cert="/nonexistent/ca.pem")
        except zookeeper.ZooKeeperException:
            counts["init_failed"] += 1
        try:
            zookeeper.init_sasl(hosts, {"username": "bob", "password": "x", "mechanism": ""})
        except ValueError:
            counts["bad_options"] += 1
    h = zookeeper.init_sasl(hosts, bob)  # closed by the module at exit
    wait(lambda: zookeeper.state(h) == zookeeper.CONNECTED_STATE, "bob at exit")
    counts["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(counts))


if __name__ == "__main__":
    zookeeper.set_debug_level(zookeeper.LOG_LEVEL_ERROR)
    cmd, hosts, args = sys.argv[1], sys.argv[2], [int(a) for a in sys.argv[3:]]
    {"close_in_completion": close_in_completion, "exit_in_flight": exit_in_flight, "race": race,
     "sasl": sasl}[cmd](hosts, *args)
