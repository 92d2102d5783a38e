"""Servers that move (issue 17) through the Python module: zookeeper.init
with a name that does not resolve yet returns a handle in CONNECTING_STATE
and connects once the name exists. The name comes from the tests'
getaddrinfo interposer (ctests/common/fake_resolver.c, built here), loaded
with LD_PRELOAD into a child interpreter, which proves it is loaded and
prints its figures as one line of JSON."""
import json
import os
import subprocess
import sys

import zookeeper
from conftest import REPO

SESSION_TIMEOUT_MS = 4000
# the longest wait between connection rounds: a third of the session timeout, 200 ms..4 s
MAX_DELAY_S = min(max(SESSION_TIMEOUT_MS / 3, 200), 4000) / 1000

CHILD = r'''
import ctypes, json, os, sys, threading, time
import zookeeper

calls = ctypes.CDLL(None).zkt_fake_resolver_calls  # AttributeError: the interposer is not loaded
calls.restype = ctypes.c_long
hosts_file, port, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
events, cv = [], threading.Condition()


def watcher(h, type_, state, path):
    with cv:
        events.append((type_, state, time.monotonic()))
        cv.notify_all()


def is_connected(e):
    return e[0] == zookeeper.SESSION_EVENT and e[1] == zookeeper.CONNECTED_STATE


zookeeper.set_debug_level(zookeeper.LOG_LEVEL_ERROR)
t0 = time.monotonic()
h = zookeeper.init(f"late.zk.test:{port}", watcher, timeout)
init_s = time.monotonic() - t0
states = [zookeeper.state(h)]  # the distinct states in 2 s without the name
while time.monotonic() < t0 + 2:
    s = zookeeper.state(h)
    if s != states[-1]:
        states.append(s)
    time.sleep(0.005)
asked = calls()
with open(hosts_file + ".tmp", "w") as f:
    f.write("late.zk.test 127.0.0.1\n")
os.replace(hosts_file + ".tmp", hosts_file)
named = time.monotonic()
with cv:
    cv.wait_for(lambda: any(map(is_connected, events)), timeout=15)
    connected = [e[2] for e in events if is_connected(e)]
exists = zookeeper.exists(h, "/") is not None if connected else None
zookeeper.close(h)
print(json.dumps({"library": zookeeper.library_path(), "init_s": init_s, "states": states,
                  "asked_before_named": asked,
                  "connected_after_s": connected[0] - named if connected else None,
                  "exists": exists, "events": [e[:2] for e in events]}))
'''


def test_init_with_a_late_name(ensemble, tmp_path):
    so = tmp_path / "libfake_resolver.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(so),
                    os.path.join(REPO, "ctests", "common", "fake_resolver.c"), "-ldl"], check=True)
    hosts = tmp_path / "names"
    hosts.write_text("# no name yet\n")
    port = int(ensemble["hosts"].split(",")[0].rsplit(":", 1)[1])  # server 1, on 127.0.0.1
    env = dict(os.environ, LD_PRELOAD=str(so), ZK_FAKE_HOSTS=str(hosts), ZK_FAKE_LOG=str(tmp_path / "calls.log"))
    p = subprocess.run([sys.executable, "-c", CHILD, str(hosts), str(port), str(SESSION_TIMEOUT_MS)],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, f"exit {p.returncode}\nstdout: {p.stdout[-2000:]}\nstderr: {p.stderr[-3000:]}"
    f = json.loads(p.stdout.strip().splitlines()[-1])
    print(f)
    assert f["library"] == zookeeper.library_path()
    # CONNECTING at once, or NOTCONNECTED until the first attempt (as the
    # reference reports a handle before its IO thread's first round)
    assert f["states"] in ([zookeeper.CONNECTING_STATE], [zookeeper.NOTCONNECTED_STATE, zookeeper.CONNECTING_STATE])
    assert f["init_s"] < 0.1
    assert f["asked_before_named"] >= 2  # it kept trying
    assert f["connected_after_s"] is not None and f["connected_after_s"] <= MAX_DELAY_S + 1
    assert f["events"][0] == [zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE]
    assert f["exists"] is True
