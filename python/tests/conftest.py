"""Fixtures: a real 3-node ZooKeeper ensemble on loopback (the repository's
ctests/fixture/zk.sh, Debian's zookeeper package), started once per run."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "ctests", "fixture", "zk.sh")
sys.path.insert(0, os.path.join(REPO, "python", "examples"))

import zookeeper  # noqa: E402

OPEN_ACL = [{"perms": 0x1f, "scheme": "world", "id": "anyone"}]


def pytest_report_header(config):
    return f"zookeeper module on {zookeeper.library_path()}"


@pytest.fixture(scope="session", autouse=True)
def our_library():
    """Every test runs on this repository's libzookeeper_mt, not another one."""
    path = zookeeper.library_path()
    # the library bundled in the installed package, unless built with ZK_LIB_DIR
    pkg = os.path.dirname(os.path.realpath(zookeeper.__file__))
    want = os.path.realpath(os.environ["ZK_LIB_DIR"]) if os.environ.get("ZK_LIB_DIR") else pkg
    assert path and os.path.dirname(path) == want, f"zookeeper module loaded {path}, expected a library in {want}"
    for tree in ("target", os.path.join("build", "lib")):
        assert not path.startswith(os.path.join(REPO, tree) + os.sep), f"the module runs on the build tree's {path}"
    zookeeper.set_debug_level(zookeeper.LOG_LEVEL_WARN)
    return path


@pytest.fixture(scope="session")
def ensemble():
    d = tempfile.mkdtemp(prefix="zk-py-")
    base = int(os.environ.get("ZK_PY_BASEPORT", "26810"))
    subprocess.run([FIXTURE, "start", d, "3", str(base)], check=True)
    hosts = subprocess.run([FIXTURE, "hosts", d], check=True, capture_output=True, text=True).stdout.strip()
    yield {"dir": d, "hosts": hosts, "fixture": FIXTURE}
    subprocess.run([FIXTURE, "stop", d])
    shutil.rmtree(d, ignore_errors=True)


def wait_connected(h, timeout=15):
    end = time.time() + timeout
    while zookeeper.state(h) != zookeeper.CONNECTED_STATE:
        assert time.time() < end, "not connected"
        time.sleep(0.01)


@pytest.fixture
def zk(ensemble):
    h = zookeeper.init(ensemble["hosts"])
    wait_connected(h)
    yield h
    try:
        zookeeper.close(h)
    except zookeeper.ZooKeeperException:
        pass


@pytest.fixture
def root(zk, request):
    path = f"/py-{os.getpid()}-{request.node.name}"
    zookeeper.create(zk, path, "", OPEN_ACL)
    yield path
    rmr(zk, path)


def rmr(h, path):
    try:
        for c in zookeeper.get_children(h, path):
            rmr(h, f"{path}/{c}")
        zookeeper.delete(h, path)
    except zookeeper.NoNodeException:
        pass
