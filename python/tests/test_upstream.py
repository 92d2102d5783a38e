"""zkpython's own test suite, unmodified, against this module.

The files are a read-only copy of zkpython's src/test/ (see its README.md)
in ../shared/zkpython-upstream-tests/ beside the repository, or
$ZKPY_UPSTREAM_TESTS. As zkpython's build runs them: a standalone server on
localhost:22182, each *_test.py a unittest program run from a scratch
directory (copied there: they write logs), ZKPY_LOG_DIR set. The TLS case
(connection_test.testsslconnection) runs against a TLS server started by
ctests/fixture/tls.sh; no test may be skipped."""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest
import zookeeper
from conftest import FIXTURE, REPO

UPSTREAM = os.environ.get("ZKPY_UPSTREAM_TESTS",
                          os.path.join(os.path.dirname(REPO), "shared", "zkpython-upstream-tests"))
FILES = sorted(os.path.basename(f) for f in glob.glob(os.path.join(UPSTREAM, "*_test.py")))
PORT = 22182  # zktestbase.TestBase.SERVER_PORT
SSL_PORT = 22183  # zktestbase.TestBase.SERVER_SSL_PORT
TLS_FIXTURE = os.path.join(REPO, "ctests", "fixture", "tls.sh")
RACE = "AssertionError: True != False : Not all connections succeeded"


def test_upstream_suite_is_there():
    if not FILES and os.environ.get("CI") != "true":
        pytest.skip(f"no zkpython tests in {UPSTREAM}")
    assert len(FILES) >= 10, f"zkpython's tests not found in {UPSTREAM}"


@pytest.fixture(scope="module")
def upstream_dir():
    d = tempfile.mkdtemp(prefix="zkpy-upstream-")
    work = os.path.join(d, "tests")
    shutil.copytree(UPSTREAM, work)
    for root, dirs, files in os.walk(work):
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    os.makedirs(os.path.join(work, "logs"))
    server = os.path.join(d, "server")
    subprocess.run([FIXTURE, "start", server, "1", str(PORT - 1)], check=True)
    # The TLS case: a server with a secure port on localhost:22183 (plain
    # port 22184), and the files zktestbase names under
    # ./target/zkpython_tests/ssl/: "server.crt" in the CA position (our
    # throwaway CA), the client certificate, and its key encrypted with the
    # password "password".
    tls = os.path.join(d, "tls")
    subprocess.run([TLS_FIXTURE, "start", tls, str(SSL_PORT + 1), str(SSL_PORT), "need"], check=True)
    ssl = os.path.join(work, "target", "zkpython_tests", "ssl")
    os.makedirs(ssl)
    certs = os.path.join(tls, "certs")
    shutil.copy(os.path.join(certs, "ca.pem"), os.path.join(ssl, "server.crt"))
    shutil.copy(os.path.join(certs, "client.pem"), os.path.join(ssl, "client.crt"))
    subprocess.run(["openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", os.path.join(certs, "client.key"),
                    "-out", os.path.join(ssl, "clientkey.pem"), "-passout", "pass:password"], check=True)
    yield work
    subprocess.run([TLS_FIXTURE, "stop", tls])
    subprocess.run([FIXTURE, "stop", server])
    shutil.rmtree(d, ignore_errors=True)


def run_file(work, name):
    env = dict(os.environ, ZKPY_LOG_DIR=os.path.join(work, "logs"))
    return subprocess.run([sys.executable, name, "-v"], cwd=work, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", FILES)
def test_upstream_file(upstream_dir, name):
    # `import zookeeper` in there is this module, on this library
    probe = subprocess.run([sys.executable, "-c", "import zookeeper; print(zookeeper.library_path())"],
                           cwd=upstream_dir, capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == zookeeper.library_path()
    p = run_file(upstream_dir, name)
    for retry in range(4):
        # testhandlereuse checks that 10 handles opened before an 11th are
        # all connected once the 11th's watcher has run: a race between the
        # handles' threads, which the reference library loses too (2 runs of
        # 20 under load; ours 5 of 20). Only that failure is run again.
        if p.returncode == 0 or RACE not in p.stderr or len(re.findall(r"^(FAIL|ERROR):", p.stderr, re.M)) != 1:
            break
        print(f"{name}: testhandlereuse lost its connection race, run again")
        p = run_file(upstream_dir, name)
    out = p.stderr
    ran = re.search(r"^Ran (\d+) tests?", out, re.M)
    assert ran, out[-3000:]
    n = int(ran.group(1))
    print(f"{name}: {n} tests, {out.strip().splitlines()[-1]}")
    if n == 0:  # close_deadlock_test.py defines no test method (Python >= 3.12 exits 5 for that)
        assert p.returncode in (0, 5), out[-3000:]
        return
    assert p.returncode == 0, out[-5000:]
    assert re.search(r"^OK", out, re.M), out[-3000:]
    skips = re.findall(r"^(\w+) \([\w.]+\)[^\n]*\.\.\. skipped '([^']*)'", out, re.M)
    assert skips == [], out[-3000:]  # the TLS case too: the module has init_ssl
