#!/usr/bin/env bash
# Runs tests/debug_logging.c (built against ours or the reference) and
# compares its ZOO_DEBUG lines with the reference's, recorded in
# tests/debug_logging.expected:
#   debug_logging_compare.sh BIN EXPECTED LOGNAME
# What varies from run to run is masked: the time/pid/thread prefix, line
# numbers, xids, ports, the test's pid in paths and ping round-trip times.
# Lines come from three threads (caller, IO, completion), so the comparison
# is of (1) the caller's "Sending ..." lines in order and (2) the sorted
# multiset of all lines, with the pings (their number depends on timing)
# counted once. Left out on both sides: the reference's
# get_next_server_in_reconfig lines, which print the internals of its host
# list ("[NEW] count=1 capacity=16 ..."), not anything a program can act on.
# ZK_UPDATE_EXPECTED=1 rewrites EXPECTED (run it on the
# reference only).
set -euo pipefail
bin=$1; expected=$2; name=$3
log=$name.log
"$bin" "$log"
mask() {
  grep -a 'ZOO_DEBUG@' "$1" | sed -E \
    -e 's/^.*:ZOO_DEBUG@/ZOO_DEBUG@/' \
    -e 's/^(ZOO_DEBUG@[^@]*)@[0-9]+: /\1: /' \
    -e 's/xid=(0x[0-9a-f]+|0)/xid=XID/g' \
    -e 's/(127\.0\.0\.1|localhost):[0-9]+/\1:PORT/g' \
    -e 's#/dbglog-[0-9]+#/dbglog-PID#g' \
    -e 's/Got ping response in -?[0-9]+ ms/Got ping response in N ms/'
}
mask "$log" >"$name.masked"
if [ "${ZK_UPDATE_EXPECTED:-}" = 1 ]; then
  cp "$name.masked" "$expected"
  echo "wrote $expected"
fi
pings=$(grep -c 'Got ping response' "$name.masked" || true)
echo "$(wc -l <"$name.masked") DEBUG lines, $pings ping responses"
[ "$pings" -ge 1 ] || { echo "no ping response logged"; exit 1; }
fail=0
sending() { grep -E ': Sending ' "$1" || true; }
if ! diff -u <(sending "$expected") <(sending "$name.masked"); then
  echo "the requests sent differ from the reference's (above)"; fail=1
fi
multiset() { awk '/Got ping response/ { if (p++) next } /@get_next_server_in_reconfig:/ { next } { print }' "$1" | LC_ALL=C sort; }
if ! diff -u <(multiset "$expected") <(multiset "$name.masked"); then
  echo "the DEBUG lines differ from the reference's (above, sorted)"; fail=1
fi
[ $fail = 0 ] && echo "DEBUG lines as the reference's"
exit $fail
