#!/usr/bin/env bash
# Builds the library (cargo, release) and the C test harness (CMake) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
# The single-threaded libzookeeper_st: the same crate without the `threaded`
# feature, in a target directory of its own, staged beside the MT library.
cargo build --release --quiet --no-default-features --target-dir target/st
mkdir -p build/lib
cp -f target/st/release/libzookeeper_mt.so build/lib/libzookeeper_st.so.2.0.0
cp -f target/st/release/libzookeeper_mt.a build/lib/libzookeeper_st.a
ln -sf libzookeeper_st.so.2.0.0 build/lib/libzookeeper_st.so.2
ln -sf libzookeeper_st.so.2 build/lib/libzookeeper_st.so
cmake -S ctests -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
