#!/usr/bin/env bash
# User-space instructions per completed get of `zkbench_st st_aget`, counted
# by callgrind inside zoo_aget, zookeeper_interest and zookeeper_process only
# (so the machine's load does not enter), for each directory of builds given
# (each holding libzookeeper_st.so.2), against one standalone server it starts.
#   callgrind_st_aget.sh BUILD DIR...
set -euo pipefail
build=$1; shift
here=$(cd "$(dirname "$0")" && pwd)
fixture=$here/../fixture/zk.sh
port=${ZK_CG_PORT:-27980}
d=$(mktemp -d /tmp/zk-cg-XXXX)
"$fixture" start "$d" 1 "$port" >/dev/null
trap '"$fixture" stop "$d" >/dev/null' EXIT
for lib in "$@"; do
  out=$(LD_LIBRARY_PATH=$lib ZK_EXPECT_LIB=$(realpath "$lib/libzookeeper_st.so.2") valgrind --tool=callgrind \
        --callgrind-out-file=/dev/null --collect-atstart=no --toggle-collect=zookeeper_process \
        --toggle-collect=zookeeper_interest --toggle-collect=zoo_aget "$build/zkbench_st" st_aget "127.0.0.1:$((port + 1))" 4 2>&1)
  ops=$(grep -oP 'ops_per_s=\K[0-9.]+' <<<"$out"); turn=$(grep -oP 'ops_per_turn=\K[0-9.]+' <<<"$out")
  ir=$(grep -oP 'Collected : \K[0-9]+' <<<"$out")
  python3 -c "print('%-28s gets %7d  per turn %s  instructions per get %.0f' % ('$lib', $ops * 4, '$turn', $ir / ($ops * 4)))"
done
