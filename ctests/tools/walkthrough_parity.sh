#!/usr/bin/env bash
# The same walkthrough binary on the reference library and on ours (switched
# with LD_LIBRARY_PATH): the event traces must be identical.
#   walkthrough_parity.sh WALKTHROUGH_BIN OUR_LIBDIR
set -euo pipefail
bin=$1; ours=$2
ref=/usr/lib/x86_64-linux-gnu
trace() { grep '^event: ' | sed -E 's#/walk-[0-9]+#/walk-PID#'; }
LD_LIBRARY_PATH=$ref ZK_EXPECT_LIB=$ref/libzookeeper_mt.so "$bin" 2>ref.walk.log | tee ref.walk.out | trace >ref.trace
LD_LIBRARY_PATH=$ours ZK_EXPECT_LIB=$(readlink -f "$ours/libzookeeper_mt.so.2") "$bin" 2>ours.walk.log | tee ours.walk.out | trace >ours.trace
grep -q "^library: $ref/libzookeeper_mt.so" ref.walk.out
grep -q "^library: $(readlink -f "$ours/libzookeeper_mt.so.2")" ours.walk.out
echo "reference: $(wc -l <ref.trace) events, ours: $(wc -l <ours.trace) events"
[ -s ref.trace ]
diff -u ref.trace ours.trace && echo "identical event traces"
