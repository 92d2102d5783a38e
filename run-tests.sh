#!/usr/bin/env bash
# Runs every test: Rust unit tests (codec, records, hosts, watch registry,
# header freshness), then the C tests through ctest against real ZooKeeper
# servers (standalone and a 3-node ensemble), the ABI comparisons with the
# reference library, Debian's cli_mt and load_gen on our library, and the
# Python module's pytest suite against a 3-node ensemble.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
cargo test --release
scripts/build.sh
ctest --test-dir build --output-on-failure
python3 -m venv build/pyvenv
build/pyvenv/bin/pip install -q ./python pytest
(cd python && ../build/pyvenv/bin/python -m pytest -q -p no:cacheprovider tests)
