#!/usr/bin/env bash
# Runs every test: rustfmt and clippy (scripts/lint.sh), Rust unit tests (codec, records, hosts, watch registry,
# header freshness), then the C tests through ctest against real ZooKeeper
# servers (standalone and a 3-node ensemble), the ABI comparisons with the
# reference library, Debian's cli_mt and load_gen on our library, and the
# Python module's pytest suite against a 3-node ensemble.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/lint.sh
cargo test --release
scripts/build.sh
ctest --test-dir build --output-on-failure
# The Python module: installed from ./python into a fresh venv (pip runs
# cargo; the library is bundled in the package), then its tests under
# PYTHONMALLOC=debug, zkpython's own suite (../shared/zkpython-upstream-tests)
# included. ZK_PY_RACE_SECONDS sets the close/init race's duration (30 s).
rm -rf build/pyvenv
python3 -m venv build/pyvenv
build/pyvenv/bin/pip install -q ./python pytest mypy
(cd python && PYTHONMALLOC=debug ../build/pyvenv/bin/python -m pytest -q -p no:cacheprovider -rs tests)
