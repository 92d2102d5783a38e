"""Builds the `zookeeper` package: the extension `zookeeper._zookeeper` over
the public C API of libzookeeper_mt, and (by default) the library itself.

Which library:
- default: the Rust crate is built with cargo (`cargo build --release`) and
  its `libzookeeper_mt.so` is placed in the package as `libzookeeper_mt.so.2`;
  the extension finds it through the rpath `$ORIGIN`, so the install does not
  depend on the checkout or the build tree. The crate is, in this order:
  `$ZK_CRATE_DIR`; `crate/` beside this file (an sdist carries a copy there);
  the directory above this file (`python/` inside the repository).
- `ZK_LIB_DIR=/some/lib`: link the libzookeeper_mt.so found there (e.g. an
  installed system library) with that directory as rpath; nothing is bundled.
  Headers from `$ZK_INCLUDE_DIR`, else the crate's `include/`, else /usr/include.
"""
import json
import os
import shutil
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))
# what an sdist carries of the crate (into crate/)
CRATE_FILES = ["Cargo.toml", "Cargo.lock", "build.rs", "src", "cbindgen", "include"]


def is_crate(d):
    try:
        with open(os.path.join(d, "Cargo.toml")) as f:
            return 'name = "zookeeper_mt"' in f.read()
    except OSError:
        return False


def find_crate():
    env = os.environ.get("ZK_CRATE_DIR")
    if env:
        if not is_crate(env):
            raise SystemExit(f"ZK_CRATE_DIR={env}: no zookeeper_mt Cargo.toml there")
        return os.path.abspath(env)
    for d in (os.path.join(HERE, "crate"), os.path.dirname(HERE)):
        if is_crate(d):
            return d
    return None


def cargo():
    exe = os.environ.get("CARGO") or shutil.which("cargo")
    if not exe:
        home = os.path.expanduser("~/.cargo/bin/cargo")
        exe = home if os.path.exists(home) else None
    if not exe:
        raise SystemExit("cargo not found: install Rust (rustup) or set ZK_LIB_DIR to an installed libzookeeper_mt")
    return exe


def cargo_build(crate):
    """Builds the crate's cdylib; returns the path of libzookeeper_mt.so."""
    cmd = [cargo(), "build", "--release", "--lib", "--message-format=json-render-diagnostics",
           "--manifest-path", os.path.join(crate, "Cargo.toml")]
    print("building the library:", " ".join(cmd))
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    for line in out.splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") == "compiler-artifact" and "cdylib" in msg["target"]["kind"]:
            for f in msg["filenames"]:
                if f.endswith(".so"):
                    return f
    raise SystemExit("cargo did not report a libzookeeper_mt.so")


class BuildExt(build_ext):
    def finalize_options(self):
        super().finalize_options()
        # pip builds in the source tree (python/build/): never reuse an
        # extension linked for another library choice
        self.force = True

    def build_extensions(self):
        ext = self.extensions[0]
        crate = find_crate()
        libdir = os.environ.get("ZK_LIB_DIR")
        pkgdir = os.path.dirname(self.get_ext_fullpath(ext.name))
        bundled = os.path.join(pkgdir, "libzookeeper_mt.so.2")
        if os.path.exists(bundled):
            os.remove(bundled)
        if libdir:
            libdir = os.path.abspath(libdir)
            if not os.path.exists(os.path.join(libdir, "libzookeeper_mt.so")):
                raise SystemExit(f"ZK_LIB_DIR={libdir}: no libzookeeper_mt.so there")
            include = os.environ.get("ZK_INCLUDE_DIR") or (os.path.join(crate, "include") if crate else "/usr/include")
            ext.library_dirs = [libdir]
            ext.libraries = ["zookeeper_mt"]
            ext.extra_link_args = [f"-Wl,--disable-new-dtags,-rpath,{libdir}"]
        else:
            if not crate:
                raise SystemExit("the zookeeper_mt crate was not found (set ZK_CRATE_DIR, or ZK_LIB_DIR for an installed library)")
            built = cargo_build(crate)
            os.makedirs(pkgdir, exist_ok=True)
            shutil.copyfile(built, bundled)
            include = os.path.join(crate, "include")
            # linked by path: DT_NEEDED is its SONAME, libzookeeper_mt.so.2,
            # found beside the extension (DT_RPATH, before LD_LIBRARY_PATH)
            ext.extra_objects = [bundled]
            ext.extra_link_args = ["-Wl,--disable-new-dtags,-rpath,$ORIGIN"]
        ext.include_dirs = [include]
        super().build_extensions()


class SDist(sdist):
    """An sdist carries the crate in crate/, so it builds on its own."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        crate = find_crate()
        if not crate:
            raise SystemExit("the zookeeper_mt crate was not found: cannot make a self-contained sdist")
        for name in CRATE_FILES:
            src, dst = os.path.join(crate, name), os.path.join(base_dir, "crate", name)
            if os.path.isdir(src):
                shutil.copytree(src, dst)
            else:
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(src, dst)


setup(
    packages=["zookeeper"],
    package_dir={"": "src"},
    package_data={"zookeeper": ["__init__.pyi", "py.typed"]},
    ext_modules=[
        Extension(
            "zookeeper._zookeeper",
            sources=["src/zookeeper_module.c"],
            define_macros=[("THREADED", None)],
            extra_compile_args=["-Wall", "-Werror", "-Wno-unused-parameter"],
        )
    ],
    cmdclass={"build_ext": BuildExt, "sdist": SDist},
)
