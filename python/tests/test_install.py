"""The package installs on its own: a wheel built from a copy of the
repository (pip runs cargo for the library) works in a fresh virtualenv
after the copy is deleted; ZK_LIB_DIR builds against an installed library
instead (Debian's reference libzookeeper_mt here)."""
import glob
import os
import shutil
import subprocess
import sys

import pytest
from conftest import REPO

EXAMPLES = os.path.join(REPO, "python", "examples")
SKIP = {".git", "target", "build", "__pycache__", "artifacts", "coverage", "corpus"}


def copy_repo(dst):
    def ignore(d, names):
        return [n for n in names if n in SKIP or n.endswith(".egg-info")]
    shutil.copytree(REPO, dst, ignore=ignore, symlinks=True)


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, **kw)
    assert p.returncode == 0, f"{cmd}: exit {p.returncode}\n{p.stdout[-3000:]}\n{p.stderr[-5000:]}"
    return p


def fresh_venv(d):
    run([sys.executable, "-m", "venv", d])
    return os.path.join(d, "bin", "python")


def test_wheel_from_a_deleted_copy_runs_the_walkthrough(ensemble, tmp_path):
    src = tmp_path / "repo"
    copy_repo(src)
    # cargo's output stays outside the copy, in a directory kept between runs
    # (the crate's dependencies are compiled once)
    env = dict(os.environ, CARGO_TARGET_DIR=os.path.join(REPO, "target", "py-wheel-test"))
    env.pop("ZK_LIB_DIR", None)
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "wheels"),
         str(src / "python")], env=env)
    shutil.rmtree(src)
    wheels = glob.glob(str(tmp_path / "wheels" / "*.whl"))
    assert len(wheels) == 1, wheels
    py = fresh_venv(str(tmp_path / "venv"))
    run([py, "-m", "pip", "install", "-q", "--no-deps", "--no-index", wheels[0]])
    where = tmp_path / "run"
    where.mkdir()
    shutil.copy(os.path.join(EXAMPLES, "walkthrough.py"), where)
    probe = run([py, "-I", "-c", "import zookeeper, sys; print(zookeeper.library_path()); print(zookeeper.__file__)"],
                cwd=str(where))
    lib, mod = probe.stdout.split()
    site = os.path.dirname(os.path.dirname(mod))
    assert lib == os.path.join(site, "zookeeper", "libzookeeper_mt.so.2"), probe.stdout
    assert site.startswith(str(tmp_path / "venv")), probe.stdout
    p = run([py, "-I", "walkthrough.py", ensemble["hosts"]], cwd=str(where))
    print(p.stdout[-1500:])
    for line in ["event: type=-1 (SESSION) state=3 (CONNECTED) path=",
                 "event: type=3 (CHANGED) state=3 (CONNECTED)", "event: type=4 (CHILD) state=3 (CONNECTED)",
                 "event: type=1 (CREATED) state=3 (CONNECTED)", "event: type=2 (DELETED) state=3 (CONNECTED)"]:
        assert line in p.stdout, p.stdout


REFERENCE = "/usr/lib/x86_64-linux-gnu"


@pytest.mark.skipif(not os.path.exists(os.path.join(REFERENCE, "libzookeeper_mt.so")),
                    reason="Debian's libzookeeper-mt-dev is not installed")
def test_zk_lib_dir_selects_an_installed_library(ensemble, tmp_path):
    py = fresh_venv(str(tmp_path / "venv"))
    env = dict(os.environ, ZK_LIB_DIR=REFERENCE)
    run([py, "-m", "pip", "install", "-q", os.path.join(REPO, "python")], env=env)
    code = ("import zookeeper, time\n"
            "print(zookeeper.library_path())\n"
            f"h = zookeeper.init({ensemble['hosts']!r})\n"
            "end = time.time() + 15\n"
            "while zookeeper.state(h) != zookeeper.CONNECTED_STATE and time.time() < end: time.sleep(0.01)\n"
            "print(zookeeper.get_children(h, '/')[:1])\n"
            "zookeeper.close(h)\n"
            # no TLS or SASL in the reference: the module loads, these raise
            "for f, a in ((zookeeper.init_ssl, ('ca.pem',)), (zookeeper.init_sasl, ({'username': 'u', 'password': 'p'},)),\n"
            "             (zookeeper.init_sasl, ({'username': 'u', 'password': 'p'}, None, 10000, None, 'ca.pem'))):\n"
            "    try: f(" + repr(ensemble['hosts']) + ", *a)\n"
            "    except zookeeper.UnimplementedException: print('unimplemented:', f.__name__)\n")
    p = run([py, "-I", "-c", code], cwd=str(tmp_path))
    lib = p.stdout.splitlines()[0]
    assert os.path.dirname(lib) == REFERENCE and "libzookeeper_mt.so.2" in lib, p.stdout
    assert p.stdout.splitlines()[-3:] == ["unimplemented: init_ssl"] + ["unimplemented: init_sasl"] * 2, p.stdout
    site = run([py, "-I", "-c", "import zookeeper, os; print(os.listdir(os.path.dirname(zookeeper.__file__)))"],
               cwd=str(tmp_path)).stdout
    assert "libzookeeper_mt.so.2" not in site, site
