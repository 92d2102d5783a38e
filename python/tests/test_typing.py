"""The type stubs (zookeeper/__init__.pyi): stubtest compares them with the
runtime module (every function, its signature, every constant and
exception); mypy accepts correct use (--strict) and the walkthrough, and
reports each wrong call of typing/bad.py on its line. help() shows the
signatures."""
import inspect
import os
import re
import subprocess
import sys
import tempfile

import pytest
import zookeeper

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "typing")
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")

try:
    import mypy  # noqa: F401
except ImportError:
    if os.environ.get("CI") == "true":
        raise
    pytest.skip("mypy is not installed (pip install mypy)", allow_module_level=True)


def mypy_run(*args):
    cache = tempfile.mkdtemp(prefix="mypy-cache-")
    return subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", cache, *args],
                          cwd=HERE, capture_output=True, text=True, timeout=300)


def test_stubtest_finds_the_stubs_equal_to_the_module():
    p = subprocess.run([sys.executable, "-m", "mypy.stubtest", "zookeeper",
                        "--allowlist", os.path.join(HERE, "stubtest_allowlist.txt")],
                       cwd=HERE, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_accepts_correct_use():
    p = mypy_run("--strict", "good.py")
    assert p.returncode == 0, p.stdout + p.stderr
    p = mypy_run("--check-untyped-defs", os.path.join(EXAMPLES, "walkthrough.py"))
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_reports_wrong_calls():
    p = mypy_run("bad.py")
    with open(os.path.join(HERE, "bad.py")) as f:
        want = {i for i, line in enumerate(f, 1) if line.rstrip().endswith("# E")}
    got = {int(m) for m in re.findall(r"^bad\.py:(\d+): error", p.stdout, re.M)}
    assert got == want, p.stdout


def test_help_shows_signatures():
    assert str(inspect.signature(zookeeper.get)) == "(handle, path, watcher=None, bufferlen=1048576, /)"
    assert str(inspect.signature(zookeeper.init)) == "(host, watcher=None, recv_timeout=10000, client_id=None)"
    assert str(inspect.signature(zookeeper.init_sasl)) == \
        "(host, sasl_options, watcher=None, recv_timeout=10000, client_id=None, cert=None)"
    names = [n for n in dir(zookeeper) if callable(getattr(zookeeper, n)) and not n.startswith("_")
             and not isinstance(getattr(zookeeper, n), type)]
    assert len(names) == 42  # zkpython's API with init_ssl and this module's additions (36, init_sasl among them), and the 6 extensions
    for n in names:
        fn = getattr(zookeeper, n)
        inspect.signature(fn)  # every function has one
        assert fn.__doc__ and fn.__doc__.strip(), n
    import pydoc
    text = pydoc.render_doc(zookeeper.create, renderer=pydoc.plaintext)
    assert "create(handle, path, value, acl, flags=0, /)" in text
