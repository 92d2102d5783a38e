"""SASL from Python (init_sasl, init_ssl(..., sasl_options=...)) against
real servers from Debian's package: ctests/fixture/sasl.sh (DIGEST-MD5, in
optional and in require mode) and ctests/fixture/tls.sh with SASL (TLS and
DIGEST-MD5 together). Users: bob/bobsecret, alice/alicesecret.

The three servers start together once for this module, on
$ZK_PY_BASEPORT+21..24. Every test runs on this repository's library (the
autouse fixture `our_library` in conftest.py checks the path of the library
the module loaded; `servers` asserts it again)."""
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest
import zookeeper
from conftest import REPO, wait_connected

SASL = os.path.join(REPO, "ctests", "fixture", "sasl.sh")
TLS = os.path.join(REPO, "ctests", "fixture", "tls.sh")
BOB = {"username": "bob", "password": "bobsecret"}
BOB_ACL = [{"perms": zookeeper.PERM_ALL, "scheme": "sasl", "id": "bob"}]


@pytest.fixture(scope="module")
def servers(our_library):
    assert zookeeper.library_path() == our_library
    base = int(os.environ.get("ZK_PY_BASEPORT", "26810"))
    d = tempfile.mkdtemp(prefix="zk-py-sasl-")
    dirs = {"optional": os.path.join(d, "optional"), "require": os.path.join(d, "require"),
            "tls": os.path.join(d, "tls")}
    starts = {
        "optional": [SASL, "start", dirs["optional"], str(base + 21), "optional"],
        "require": [SASL, "start", dirs["require"], str(base + 22), "require"],
        "tls": [TLS, "start", dirs["tls"], str(base + 23), str(base + 24), "need", "", "sasl"],
    }
    # started together: the JVMs come up in parallel
    procs = {k: subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for k, c in starts.items()}
    outs = {k: p.communicate(timeout=180)[0] for k, p in procs.items()}

    def stop():
        stops = [subprocess.Popen([SASL, "stop", dirs["optional"]]), subprocess.Popen([SASL, "stop", dirs["require"]]),
                 subprocess.Popen([TLS, "stop", dirs["tls"]])]
        for p in stops:
            p.wait(timeout=60)
        shutil.rmtree(d, ignore_errors=True)

    failed = {k: outs[k] for k, p in procs.items() if p.returncode != 0}
    if failed:
        stop()
        pytest.fail(f"servers did not start: {failed}")
    certs = os.path.join(dirs["tls"], "certs")
    yield {
        "optional": f"127.0.0.1:{base + 21}",
        "require": f"127.0.0.1:{base + 22}",
        "tls_plain": f"127.0.0.1:{base + 23}",
        "tls": f"127.0.0.1:{base + 24}",
        "cert": ",".join(os.path.join(certs, f) for f in ("ca.pem", "client.pem", "client.key")),
        "dirs": dirs,
    }
    stop()


class Watcher:
    """Records (type, state) of every event."""

    def __init__(self):
        self.cond = threading.Condition()
        self.events = []

    def __call__(self, h, ty, state, path):
        with self.cond:
            self.events.append((ty, state))
            self.cond.notify_all()

    def wait_state(self, state, timeout=20):
        with self.cond:
            ok = self.cond.wait_for(lambda: (zookeeper.SESSION_EVENT, state) in self.events, timeout)
            assert ok, f"no session event with state {state}: {self.events}"


def open_sasl(hosts, options, **kw):
    w = Watcher()
    h = zookeeper.init_sasl(hosts, options, w, **kw)
    return h, w


def closing(h):
    try:
        zookeeper.close(h)
    except zookeeper.ZooKeeperException:
        pass


@pytest.fixture(scope="module")
def bob_node(servers):
    """/py-sasl-PID with ACL sasl:bob:cdrwa, made by bob on the optional server."""
    h, w = open_sasl(servers["optional"], BOB)
    path = f"/py-sasl-{os.getpid()}"
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert zookeeper.create(h, path, "bob's", BOB_ACL) == path
    finally:
        zookeeper.close(h)
    yield path


def test_bob_connects_creates_and_reads_a_sasl_acl_node(servers, bob_node):
    h, w = open_sasl(servers["optional"], dict(BOB, mechanism="DIGEST-MD5"))
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert zookeeper.state(h) == zookeeper.CONNECTED_STATE
        assert ("sasl", "bob") in zookeeper.whoami(h)
        value, stat = zookeeper.get(h, bob_node)
        assert value == "bob's" and stat["dataLength"] == 5
        stat, acl = zookeeper.get_acl(h, bob_node)
        assert acl == [{"perms": 0x1f, "scheme": "sasl", "id": "bob"}]
        zookeeper.set(h, bob_node, "bob's")
        # authentication comes before CONNECTED: no event before it but CONNECTED
        assert w.events[0] == (zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE), w.events
    finally:
        zookeeper.close(h)


def test_alice_and_a_plain_client_get_noauth(servers, bob_node):
    h, w = open_sasl(servers["optional"], {"username": "alice", "password": b"alicesecret"})
    p = zookeeper.init(servers["optional"])
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert ("sasl", "alice") in zookeeper.whoami(h)
        with pytest.raises(zookeeper.NoAuthException):
            zookeeper.get(h, bob_node)
        with pytest.raises(zookeeper.NoAuthException):
            zookeeper.set(h, bob_node, "alice's")
        wait_connected(p)
        with pytest.raises(zookeeper.NoAuthException):
            zookeeper.get(p, bob_node)
        assert zookeeper.exists(p, bob_node) is not None  # exists needs no permission
    finally:
        zookeeper.close(h)
        zookeeper.close(p)


@pytest.mark.parametrize("options", [{"username": "bob", "password": "wrong"},
                                     # not another user's password: ZooKeeper 3.8's DIGEST-MD5 server
                                     # checks an unknown user against the password of the last
                                     # known user it saw (its callback handler keeps that name)
                                     {"username": "mallory", "password": "mallorysecret"}],
                         ids=["wrong-password", "unknown-user"])
def test_failed_authentication(servers, bob_node, options):
    h, w = open_sasl(servers["optional"], options)
    try:
        # made at once: they wait for the authentication, which fails
        rcs = []
        done = threading.Event()
        waiting = True
        try:
            zookeeper.aget(h, bob_node, None, lambda h_, rc, v, s: (rcs.append(rc), done.set()))
        except zookeeper.InvalidStateException:
            waiting = False  # the failure came first (a loaded machine)
        w.wait_state(zookeeper.AUTH_FAILED_STATE)
        if waiting:
            assert done.wait(10) and rcs == [zookeeper.AUTHFAILED], rcs
        assert zookeeper.state(h) == zookeeper.AUTH_FAILED_STATE
        assert zookeeper.is_unrecoverable(h)
        assert (zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE) not in w.events
        with pytest.raises(zookeeper.InvalidStateException):
            zookeeper.get(h, bob_node)
        with pytest.raises(zookeeper.InvalidStateException):
            zookeeper.exists(h, "/")
    finally:
        assert zookeeper.close(h) == zookeeper.OK


def test_a_blocking_call_during_authentication_gets_authfailed(servers):
    h, w = open_sasl(servers["optional"], {"username": "bob", "password": "wrong"})
    try:
        with pytest.raises((zookeeper.AuthFailedException, zookeeper.InvalidStateException)) as e:
            zookeeper.exists(h, "/")
        w.wait_state(zookeeper.AUTH_FAILED_STATE)
        print("blocking call:", type(e.value).__name__)
    finally:
        zookeeper.close(h)


def test_require_mode(servers):
    h, w = open_sasl(servers["require"], BOB)
    p = zookeeper.init(servers["require"])
    path = f"/py-sasl-require-{os.getpid()}"
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert zookeeper.create(h, path, "x", BOB_ACL, zookeeper.EPHEMERAL) == path
        assert zookeeper.get(h, path)[0] == "x"
        # a client that did not authenticate is refused by the server
        wait_connected(p)
        with pytest.raises(zookeeper.SessionClosedRequireSaslAuthException):
            zookeeper.exists(p, "/")
    finally:
        zookeeper.close(h)
        closing(p)
    # and bob with a wrong password fails there too
    h, w = open_sasl(servers["require"], {"username": "bob", "password": "nope"})
    try:
        w.wait_state(zookeeper.AUTH_FAILED_STATE)
    finally:
        zookeeper.close(h)


def test_tls_and_sasl_together(servers):
    h, w = open_sasl(servers["tls"], BOB, cert=servers["cert"])
    path = f"/py-sasl-tls-{os.getpid()}"
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        ids = zookeeper.whoami(h)
        assert ("sasl", "bob") in ids, ids
        assert any(s == "x509" for s, _ in ids), ids  # the client certificate: over TLS indeed
        assert zookeeper.create(h, path, "tls", BOB_ACL) == path
        assert zookeeper.get_acl(h, path)[1] == BOB_ACL
    finally:
        zookeeper.close(h)
    # the same through init_ssl's keyword, as alice: connected, not allowed
    w = Watcher()
    h = zookeeper.init_ssl(servers["tls"], servers["cert"], w, sasl_options={"username": "alice",
                                                                             "password": "alicesecret"})
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert ("sasl", "alice") in zookeeper.whoami(h)
        with pytest.raises(zookeeper.NoAuthException):
            zookeeper.get(h, path)
    finally:
        zookeeper.close(h)
    h, w = open_sasl(servers["tls"], {"username": "bob", "password": "wrong"}, cert=servers["cert"])
    try:
        w.wait_state(zookeeper.AUTH_FAILED_STATE)
    finally:
        zookeeper.close(h)
    h, w = open_sasl(servers["tls"], BOB, cert=servers["cert"])
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        zookeeper.delete(h, path)
    finally:
        zookeeper.close(h)


BAD = [
    ("not a dict", TypeError, "must be a dict"),
    ({"password": "x"}, TypeError, "needs 'username'"),
    ({"username": "bob"}, TypeError, "needs 'password'"),
    ({"username": "bob", "password": "x", "user": "bob"}, TypeError, "unknown sasl_options key 'user'"),
    ({"username": "bob", "password": 5}, TypeError, "must be str or bytes"),
    ({"username": b"bob", "password": "x"}, TypeError, "'username'] must be str"),
    ({"username": "bob", "password": "x", "mechanism": None}, TypeError, "'mechanism'] must be str"),
    ({"username": "bob", "password": "x", "service": 1}, TypeError, "'service'] must be str"),
    ({"username": "bob", "password": "x", "realm": 1}, TypeError, "'realm'] must be str or None"),
    ({"username": "bob", "password": "x", 1: 2}, TypeError, "keys must be str"),
    ({"username": "", "password": "x"}, ValueError, "'username'] is empty"),
    ({"username": "bob", "password": b""}, ValueError, "'password'] is empty"),
    ({"username": "bob", "password": "x", "mechanism": ""}, ValueError, "'mechanism'] is empty"),
    ({"username": "b\0b", "password": "x"}, ValueError, "NUL"),
    ({"mechanism": "PLAIN", "password": "x"}, TypeError, "no 'username'"),
]


def test_bad_options_raise_before_anything_is_created(servers):
    first = zookeeper.init(servers["optional"])
    zookeeper.close(first)
    for options, exc, text in BAD:
        with pytest.raises(exc, match=text.replace("[", r"\[").replace("]", r"\]")):
            zookeeper.init_sasl(servers["optional"], options)
        with pytest.raises(exc):
            zookeeper.init_ssl(servers["tls"], servers["cert"], sasl_options=options)
    with pytest.raises(TypeError):
        zookeeper.init_sasl(servers["optional"], None)
    with pytest.raises(TypeError):
        zookeeper.init_sasl(servers["optional"], BOB, cert=5)
    # a certificate the library refuses: init fails after the options were
    # accepted (their C copies freed), errno's message
    with pytest.raises(zookeeper.ZooKeeperException, match="No such file"):
        zookeeper.init_sasl(servers["tls"], BOB, cert="/nonexistent/ca.pem")
    # no handle was taken: the next one gets the same number
    again = zookeeper.init(servers["optional"])
    try:
        assert again == first
    finally:
        zookeeper.close(again)


def test_options_defaults_and_overrides(servers, bob_node):
    # host None: the server's address, which the Java DIGEST-MD5 server rejects
    h, w = open_sasl(servers["optional"], dict(BOB, host=None))
    try:
        w.wait_state(zookeeper.AUTH_FAILED_STATE)
    finally:
        zookeeper.close(h)
    # every option given, as the defaults are
    h, w = open_sasl(servers["optional"], dict(BOB, mechanism="digest-md5", service="zookeeper",
                                                   host="zk-sasl-md5", realm=None))
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        assert zookeeper.get(h, bob_node)[0] == "bob's"
    finally:
        zookeeper.close(h)


def test_mechanisms_without_a_user(servers):
    # no user name: no callbacks at all (GSSAPI would use a Kerberos ticket;
    # here no plugin or ticket), and a mechanism nobody has
    for options in ({"mechanism": "GSSAPI"}, {"mechanism": "NO-SUCH-MECH"}):
        h, w = open_sasl(servers["optional"], options)
        try:
            w.wait_state(zookeeper.AUTH_FAILED_STATE)
            with pytest.raises(zookeeper.InvalidStateException):
                zookeeper.exists(h, "/")
        finally:
            zookeeper.close(h)


def test_the_session_authenticates_again_after_a_server_restart(servers, bob_node):
    """The password lives in C memory and is given again at the new
    connection's authentication (the library's IO thread, no Python)."""
    h, w = open_sasl(servers["optional"], BOB, recv_timeout=30000)
    try:
        w.wait_state(zookeeper.CONNECTED_STATE)
        sid = zookeeper.client_id(h)[0]
        subprocess.run([SASL, "restart", servers["dirs"]["optional"]], check=True, capture_output=True)
        end = time.time() + 30
        while True:
            with w.cond:
                n = w.events.count((zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE))
            if n >= 2 or time.time() > end:
                break
            time.sleep(0.05)
        assert n >= 2, w.events
        assert zookeeper.client_id(h)[0] == sid
        assert zookeeper.get(h, bob_node)[0] == "bob's"
    finally:
        zookeeper.close(h)
