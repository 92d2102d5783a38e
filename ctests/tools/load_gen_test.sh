#!/usr/bin/env bash
# Debian's unmodified load_gen on our library: create/write/read/delete
# cycles of async calls for a few seconds (it loops forever; we stop it),
# then its 'clean' mode. No failed call, no invalid read, and its LOG_*
# lines come out through our variadic log_message.
#   load_gen_test.sh OUR_LIBDIR HOSTS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ourlib=$1; hosts=$2
lg=/usr/lib/zookeeper/bin/load_gen
path=/loadgen-$$
set +e
"$here/run_tool.sh" "$ourlib" timeout -s INT 5 "$lg" "$hosts" "$path" 200 >lg.out 2>lg.log
rc=$?
set -e
grep -q "library: $(readlink -f "$ourlib/libzookeeper_mt.so.2")" lg.log
[ $rc -eq 124 ] || [ $rc -eq 130 ] || { echo "load_gen ended with $rc"; tail lg.log; exit 1; }
cycles=$(grep -c "Starting the delete cycle for path $path" lg.log || true)
echo "load_gen: $cycles full create/write/read/delete cycles of 200 nodes in 5 s"
[ "$cycles" -ge 3 ]
grep -q "ZOO_INFO@doCreateNodes@[0-9]*: Created $path/0" lg.log
if grep -E "Failed to|Invalid read" lg.log; then exit 1; fi
"$here/run_tool.sh" "$ourlib" timeout 60 "$lg" "$hosts" "$path" clean >clean.out 2>clean.log
grep -q "Successfully deleted a subtree starting at $path" clean.log
echo "load_gen clean: ok"
