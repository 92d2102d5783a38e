#!/usr/bin/env bash
# The single-threaded walkthrough built on the reference library and on ours:
# the event traces must be identical.
#   st_walkthrough_parity.sh REF_BIN OURS_BIN OUR_LIBDIR
set -euo pipefail
refbin=$1; oursbin=$2; ours=$3
ref=/usr/lib/x86_64-linux-gnu
trace() { grep '^event: ' | sed -E 's#/walk-st-[0-9]+#/walk-st-PID#'; }
ZK_EXPECT_LIB=$ref/libzookeeper_st.so.2 "$refbin" 2>st.ref.walk.log | tee st.ref.walk.out | trace >st.ref.trace
status=0
ZK_EXPECT_LIB=$(readlink -f "$ours/libzookeeper_st.so.2") "$oursbin" 2>st.ours.walk.log | tee st.ours.walk.out | trace >st.ours.trace || status=$?
grep -q "^library: $ref/libzookeeper_st.so" st.ref.walk.out
grep -q "^library: $(readlink -f "$ours/libzookeeper_st.so.2")" st.ours.walk.out || { echo "ours did not load $ours/libzookeeper_st.so.2"; cat st.ours.walk.log; exit 1; }
echo "reference: $(wc -l <st.ref.trace) events, ours: $(wc -l <st.ours.trace) events"
[ -s st.ref.trace ]
diff -u st.ref.trace st.ours.trace && echo "identical event traces"
[ $status -eq 0 ] || { echo "but ours failed:"; tail -20 st.ours.walk.log; exit 1; }
