#!/usr/bin/env bash
# Runs the failover test on our library (it must pass) and on the
# reference (for its connect() figure, measured the same way), and prints
# the connect() calls per server loss of both.
#   failover_compare.sh FAILOVER_BIN OUR_LIBDIR SHIM
set -uo pipefail
bin=$1; ours=$2; shim=$3
ref=/usr/lib/x86_64-linux-gnu
LD_PRELOAD=$shim LD_LIBRARY_PATH=$ours ZK_EXPECT_LIB=$(readlink -f "$ours/libzookeeper_mt.so.2") "$bin" >ours.failover.out 2>ours.failover.err
rc=$?
cat ours.failover.out
LD_PRELOAD=$shim LD_LIBRARY_PATH=$ref ZK_EXPECT_LIB=$ref/libzookeeper_mt.so timeout 300 "$bin" >ref.failover.out 2>ref.failover.err
grep -h 'connect() calls' ref.failover.out | sed 's/^/reference: /' || echo "reference: no figure"
grep -h 'connect() calls' ours.failover.out | sed 's/^/ours:      /'
if [ $rc -ne 0 ]; then grep -v "ZOO_" ours.failover.err | tail -20; fi
exit $rc
