"""Builds the `zookeeper` extension against this repository's headers
(include/zookeeper/) and links it to our libzookeeper_mt (build/lib, or
$ZK_LIB_DIR), with an rpath so that it loads ours and not another copy."""
import os

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
repo = os.environ.get("ZK_REPO", os.path.dirname(here))
include = os.path.join(repo, "include")
libdir = os.environ.get("ZK_LIB_DIR", os.path.join(repo, "build", "lib"))
if not os.path.exists(os.path.join(libdir, "libzookeeper_mt.so")):
    raise SystemExit(f"libzookeeper_mt.so not found in {libdir}: build the library first (scripts/build.sh) or set ZK_LIB_DIR")

setup(
    ext_modules=[
        Extension(
            "zookeeper",
            sources=[os.path.join("src", "zookeeper_module.c")],
            include_dirs=[include],
            library_dirs=[libdir],
            libraries=["zookeeper_mt"],
            runtime_library_dirs=[libdir],
            define_macros=[("THREADED", None)],
            extra_compile_args=["-Wall", "-Werror", "-Wno-unused-parameter"],
        )
    ],
)
