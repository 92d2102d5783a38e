#!/usr/bin/env bash
# The habits CI checks: rustfmt (rustfmt.toml), and clippy with every
# warning an error and every `unsafe` block carrying its SAFETY comment,
# for both libraries (the MT default features and the ST build without them).
set -euo pipefail
cd "$(dirname "$0")/.."
for c in rustfmt clippy; do
  if ! cargo "${c/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$c"
  fi
done
cargo fmt --check
lints=(-D warnings -W clippy::undocumented_unsafe_blocks)
cargo clippy --quiet --release --all-targets -- "${lints[@]}"
cargo clippy --quiet --release --all-targets --no-default-features --target-dir target/st -- "${lints[@]}"
echo "lint: rustfmt and clippy clean (MT and ST)"
