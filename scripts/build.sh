#!/usr/bin/env bash
# Builds the library (cargo, release) and the C test harness (CMake) into build/.
# build/lib gets libzookeeper_mt and the single-threaded libzookeeper_st
# (the same crate without the `threaded` feature), staged by scripts/stage-lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --no-default-features --target-dir target/st
scripts/stage-lib.sh target/st/release zookeeper_st build/lib
cmake -S ctests -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
