#!/usr/bin/env bash
# Builds the libraries (cargo, release: libzookeeper_mt, and libzookeeper_st
# without the `threaded` feature) and the C test harness (CMake) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
# libzookeeper_st: the same crate without threads (staged by CMake into build/lib)
cargo build --release --quiet --no-default-features --target-dir target/st
cmake -S ctests -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
