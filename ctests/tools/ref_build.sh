#!/usr/bin/env bash
# Builds a C test of ctests/ against Debian's reference library (the "spec")
# and runs it, so that the same test source can be checked on both libraries:
#
#   ctests/tools/ref_build.sh ctests/tests/defect_x.c [OUT]   -> OUT (default /tmp/ref_<name>)
#   ZK_HOSTS=127.0.0.1:2181 ZK_EXPECT_LIB=/usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2 OUT
#
# The program proves at run time (testutil) that it loaded the reference.
set -euo pipefail
src=$1
here=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-/tmp/ref_$(basename "$src" .c)}
cc -DTHREADED -O2 -g -Wall -I/usr/include -I"$here/common" -o "$out" \
  "$src" "$here/common/testutil.c" "$here/common/zkcommon.c" /usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2 -lpthread -ldl -lm
echo "$out"
