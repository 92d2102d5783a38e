#!/usr/bin/env bash
# Runs every defect_* test of ctests/tests on Debian's reference library
# (libzookeeper_mt.so.2 from libzookeeper-mt2), to check that each test
# passes where the reference behaves as the issue says. Needs a standalone
# server:  ZK_HOSTS=127.0.0.1:PORT ctests/tools/defects_on_reference.sh [NAME...]
# Expected on the reference: all pass except defect_close_from_watcher
# (the reference returns ZMARSHALLINGERROR in a few calls) and
# defect_session_event_watchers (the reference's session-event dedup is
# O(n^2) too); see the comments of those tests.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${ZK_HOSTS:?set ZK_HOSTS to a standalone server}"
export ZK_HOSTS ZK_EXPECT_LIB=/usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2
export ZK_FAKE_SERVER=$here/fixture/fake_server.py
export ZK_DEBUGLOG_EXPECTED=$here/expected/debug_log_reference.txt
out=$(mktemp -d)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=($(cd "$here/tests" && ls defect_*.c | sed 's/\.c$//'))
fail=0
for n in "${names[@]}"; do
  "$here/tools/ref_build.sh" "$here/tests/$n.c" "$out/$n" >/dev/null || { echo "$n: BUILD FAILED"; fail=1; continue; }
  if [ "$n" = defect_current_server ]; then
    (cd "$out" && timeout 300 "$here/tools/memcheck.sh" "$out/$n" >"$out/$n.out" 2>&1)
  else
    timeout 300 "$out/$n" >"$out/$n.out" 2>&1
  fi
  rc=$?
  echo "== $n: $([ $rc -eq 0 ] && echo PASS || echo "FAIL (rc $rc)")"
  grep -v "ZOO_" "$out/$n.out" | grep -v "^library:" | tail -6 | sed 's/^/   /'
  [ $rc -eq 0 ] || fail=1
done
rm -rf "$out"
exit $fail
