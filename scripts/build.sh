#!/usr/bin/env bash
# Builds the library (cargo, release) and the C test harness (CMake) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cmake -S ctests -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 >/dev/null
