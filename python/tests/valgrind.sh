#!/usr/bin/env bash
# The lifecycle scenarios (scenarios.py) under valgrind's memcheck, on the
# installed module: no invalid access, no definitely lost block. Too slow
# for ./run-tests.sh (about 2 minutes); run by hand:
#
#   python/tests/valgrind.sh [PYTHON]     # PYTHON: a venv's python with the module installed
#
# It starts its own 3-node ensemble on $ZK_PY_BASEPORT+1..3 (default 26910).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=${1:-$repo/build/pyvenv/bin/python}
base=${ZK_PY_BASEPORT:-26910}
dir=$(mktemp -d /tmp/zk-py-valgrind.XXXXXX)
trap '"$repo/ctests/fixture/zk.sh" stop "$dir/zk" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$repo/ctests/fixture/zk.sh" start "$dir/zk" 3 "$base" >/dev/null
hosts=$("$repo/ctests/fixture/zk.sh" hosts "$dir/zk")
"$py" -c 'import zookeeper; print("module on", zookeeper.library_path())'
fail=0
run() { # NAME EXPECTED_STATUS SCENARIO_ARGS...
  local name=$1 want=$2; shift 2
  local log="$dir/$name.log" status=0
  # PYTHONMALLOC=malloc: every Python allocation is visible to memcheck
  PYTHONMALLOC=malloc valgrind --quiet --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30 \
    --log-file="$log" "$py" "$here/scenarios.py" "$name" "$hosts" "$@" >"$dir/$name.out" 2>&1 || status=$?
  if [ "$status" = "$want" ] && ! grep -q "Invalid\|definitely lost" "$log"; then
    echo "ok   $name $*: $(tail -1 "$dir/$name.out")"
  else
    echo "FAIL $name $* (exit $status, expected $want)"; tail -60 "$log"; tail -5 "$dir/$name.out"; fail=1
  fi
}
run close_in_completion 0 50 100
run exit_in_flight 7 20000 7
run race 0 20 8
exit "$fail"
