#!/usr/bin/env bash
# The lifecycle scenarios (scenarios.py) under valgrind's memcheck, on the
# installed module: no invalid access, no definitely lost block. Too slow
# for ./run-tests.sh (about 2 minutes); run by hand:
#
#   python/tests/valgrind.sh [PYTHON]     # PYTHON: a venv's python with the module installed
#
# ZK_PY_VALGRIND_ONLY=NAME runs only that scenario (e.g. sasl).
#
# It starts its own 3-node ensemble on $ZK_PY_BASEPORT+1..3 (default 26910)
# and a SASL DIGEST-MD5 server (ctests/fixture/sasl.sh) on $ZK_PY_BASEPORT+31.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
py=${1:-$repo/build/pyvenv/bin/python}
base=${ZK_PY_BASEPORT:-26910}
dir=$(mktemp -d /tmp/zk-py-valgrind.XXXXXX)
trap '"$repo/ctests/fixture/zk.sh" stop "$dir/zk" >/dev/null 2>&1 || true; "$repo/ctests/fixture/sasl.sh" stop "$dir/sasl" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
"$repo/ctests/fixture/zk.sh" start "$dir/zk" 3 "$base" >/dev/null
"$repo/ctests/fixture/sasl.sh" start "$dir/sasl" $((base + 31)) optional >/dev/null
hosts=$("$repo/ctests/fixture/zk.sh" hosts "$dir/zk")
"$py" -c 'import zookeeper; print("module on", zookeeper.library_path())'
fail=0
# Errors in our code: an access error whose top frames are in the module or
# the library, or a definitely lost block allocated from them. (CPython and
# ld.so have their own reports under memcheck, counted but not ours.)
ours() {
  python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.split(r"^==\d+== \n", text, flags=re.M)
ours = other = 0
mine = re.compile(r"zookeeper_module\.c|libzookeeper_mt|zookeeper_mt::|_zookeeper\.cpython")
# init_sasl's callback block and password copy: freed after close. A leaked
# one is only "possibly lost" (the library keys a map by an address inside
# the block), so any lost block made by these counts.
sasl = re.compile(r"parse_sasl_options|zoo_sasl_make_password_callbacks")
for b in blocks:
    lines = [l.split("== ", 1)[1] if "== " in l else l for l in b.splitlines()]
    frames = [l for l in lines if re.match(r"\s+(at|by) 0x", l)]
    head = next((l for l in lines if l and not l.startswith(" ")), "")
    if not frames or not head:
        continue
    if " lost " in head and any(sasl.search(f) for f in frames):
        hit = True
    elif "definitely lost" in head:
        hit = any(mine.search(f) for f in frames)
    elif "possibly lost" in head or "still reachable" in head or "indirectly lost" in head:
        continue
    else:
        hit = any(mine.search(f) for f in frames[:4])
    if hit:
        ours += 1
        print(b)
    else:
        other += 1
print(f"errors in our code: {ours}; elsewhere (CPython, ld.so): {other}")
sys.exit(1 if ours else 0)
PY
}
run() { # NAME EXPECTED_STATUS SCENARIO_ARGS...
  local name=$1 want=$2; shift 2
  if [ -n "${ZK_PY_VALGRIND_ONLY:-}" ] && [ "$ZK_PY_VALGRIND_ONLY" != "$name" ]; then return 0; fi
  local log="$dir/$name.log" status=0
  # PYTHONMALLOC=malloc: every Python allocation is visible to memcheck
  PYTHONMALLOC=malloc valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible --num-callers=30 \
    --log-file="$log" "$py" "$here/scenarios.py" "$name" "$hosts" "$@" >"$dir/$name.out" 2>&1 || status=$?
  if [ "$status" = "$want" ] && ours "$log" >"$dir/$name.ours"; then
    echo "ok   $name $*: $(tail -1 "$dir/$name.out"); $(tail -1 "$dir/$name.ours")"
  else
    echo "FAIL $name $* (exit $status, expected $want)"; tail -80 "$dir/$name.ours"; tail -5 "$dir/$name.out"; fail=1
  fi
}
run close_in_completion 0 50 100
run exit_in_flight 7 20000 7
run race 0 20 8
hosts=127.0.0.1:$((base + 31)) run sasl 0 10
exit "$fail"
