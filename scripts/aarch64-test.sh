#!/usr/bin/env bash
# aarch64: cross-builds the library for aarch64-unknown-linux-gnu with
# Debian's cross toolchain and runs, under qemu-user on this (x86-64)
# machine, the crate's unit tests and the C tests basic_ops and walkthrough
# (cross-compiled) against real ZooKeeper servers on loopback.
#   scripts/aarch64-test.sh [PORT_BASE]   standalone server on PORT_BASE+1,
#                                         ensemble on PORT_BASE+1001..1003 (default 26810)
# Installs what it needs: gcc-aarch64-linux-gnu, libc6-dev-arm64-cross
# (the arm64 loader and libc for qemu), qemu-user, and the Rust target.
# No ~/.cargo/config change: linker and runner are given through the
# CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_* environment variables.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
base=${1:-26810}
T=aarch64-unknown-linux-gnu
sysroot=/usr/aarch64-linux-gnu
out=$repo/build-aarch64

pkgs=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user)
# shellcheck source=ensure-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/ensure-packages.sh"
ensure_packages aarch64 "${pkgs[@]}"
rustup target list --installed | grep -x "$T" >/dev/null || rustup target add "$T"

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L $sysroot"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
export QEMU_LD_PREFIX=$sysroot

echo "aarch64: cargo test --target $T (under qemu-aarch64)"
mkdir -p "$out"
cargo test --release --target "$T" >"$out/cargo-test.log" 2>&1 || { tail -40 "$out/cargo-test.log"; echo "aarch64: cargo test failed"; exit 1; }
grep -E "^test result" "$out/cargo-test.log"

echo "aarch64: library and C tests"
cargo build --release --quiet --target "$T"
rm -rf "$out/lib" "$out"/zk-*; mkdir -p "$out/lib"
OBJCOPY=aarch64-linux-gnu-objcopy scripts/stage-lib.sh "target/$T/release" zookeeper_mt "$out/lib"
lib=$out/lib/libzookeeper_mt.so.2.0.0
readelf -h "$lib" | grep "Machine:.*AArch64" >/dev/null || { echo "aarch64: $lib is not an AArch64 library"; exit 1; }
nm -D --defined-only "$lib" | grep " T log_message$" >/dev/null
for t in basic_ops walkthrough; do
  aarch64-linux-gnu-gcc -std=c11 -O1 -g -Wall -Wextra -Wno-unused-parameter -Werror -DTHREADED \
    -I include -I ctests/common ctests/tests/$t.c ctests/common/testutil.c ctests/common/zkcommon.c \
    -L "$out/lib" -lzookeeper_mt -lpthread -ldl -Wl,-rpath,"$out/lib" -o "$out/$t"
done
# the variadic log_message through the LOG_* macros, on aarch64
cat >"$out/logline.c" <<'C'
#include <zookeeper/zookeeper.h>
#include <zookeeper/zookeeper_log.h>
int main(void) {
    LOG_WARN(LOGSTREAM, "aarch64 %s %d %.2f %ld %c", "text", 42, 1.5, 1234567890123L, 'z');
    return 0;
}
C
aarch64-linux-gnu-gcc -DTHREADED -I include "$out/logline.c" -L "$out/lib" -lzookeeper_mt -Wl,-rpath,"$out/lib" -o "$out/logline"

fx=ctests/fixture/zk.sh
trap '$fx stop "$out/zk-standalone" >/dev/null 2>&1 || true; $fx stop "$out/zk-ensemble" >/dev/null 2>&1 || true' EXIT
$fx start "$out/zk-standalone" 1 "$base" >/dev/null
$fx start "$out/zk-ensemble" 3 $((base + 1000)) >/dev/null

qemu-aarch64 -L $sysroot "$out/logline" 2>"$out/logline.err"
grep -q "ZOO_WARN@main@[0-9]*: aarch64 text 42 1.50 1234567890123 z$" "$out/logline.err" ||
  { cat "$out/logline.err"; echo "aarch64: log_message line wrong"; exit 1; }
echo "aarch64: log_message ok"
export ZK_EXPECT_LIB=$lib ZK_FIXTURE=$repo/$fx
ZK_HOSTS=$($fx hosts "$out/zk-standalone") ZK_STANDALONE_DIR=$out/zk-standalone \
  timeout 180 qemu-aarch64 -L $sysroot "$out/basic_ops" >"$out/basic_ops.log" 2>&1 ||
  { tail -30 "$out/basic_ops.log"; echo "aarch64: basic_ops FAILED"; exit 1; }
grep "^library: " "$out/basic_ops.log"
echo "aarch64: basic_ops passed"
ZK_HOSTS=$($fx hosts "$out/zk-ensemble") ZK_ENSEMBLE_DIR=$out/zk-ensemble \
  timeout 300 qemu-aarch64 -L $sysroot "$out/walkthrough" >"$out/walkthrough.log" 2>&1 ||
  { tail -30 "$out/walkthrough.log"; echo "aarch64: walkthrough FAILED"; exit 1; }
grep -m 20 "^event: " "$out/walkthrough.log"
echo "aarch64: walkthrough passed"
echo "aarch64: ok (unit tests, log_message, basic_ops, walkthrough under qemu-aarch64)"
