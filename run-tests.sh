#!/usr/bin/env bash
# Runs every test: Rust unit tests (codec, records, hosts, watch registry,
# header freshness), then the C tests through ctest against real ZooKeeper
# servers (standalone and a 3-node ensemble), the ABI comparisons with the
# reference library, and Debian's cli_mt and load_gen on our library.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
cargo test --release
scripts/build.sh
ctest --test-dir build --output-on-failure
