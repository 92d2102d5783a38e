#!/usr/bin/env bash
# Debian's unmodified cli_mt, driven by a scripted session, on the
# reference library and on ours: the outputs must be the same once session
# ids, zxids, timestamps and timings are masked.
#   cli_mt_test.sh OUR_LIBDIR HOSTS
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ourlib=$1; hosts=$2
cli=/usr/lib/zookeeper/bin/cli_mt
reflib=/usr/lib/x86_64-linux-gnu

run() { # libdir outfile
  (sleep 1; while read -r line; do echo "$line"; sleep 0.25; done <"$here/cli_session.txt"; echo quit) |
    "$here/run_tool.sh" "$1" timeout 60 "$cli" "$hosts" >"$2.raw" 2>&1
  grep -q "^library: $(readlink -f "$1/libzookeeper_mt.so.2")" "$2.raw"
  grep -v -e "ZOO_[A-Z]*@" -e "^library: " "$2.raw" | sed -E -e 's/0x[0-9a-f]+/0xID/g' -e 's/time = [0-9]+ msec/time = T msec/' \
         -e 's/(czxid|mzxid|pzxid)=[0-9a-f]+/\1=Z/g' -e '/^\s*(ctime|mtime) ?=/d' >"$2"
}
cleanup() { "$here/run_tool.sh" "$1" timeout 30 /usr/lib/zookeeper/bin/load_gen "$hosts" /clitest clean >/dev/null 2>&1 || true; }

cleanup "$reflib"
run "$reflib" ref.out
cleanup "$reflib"
run "$ourlib" ours.out
cleanup "$ourlib"
echo "reference: $(wc -l <ref.out) lines, ours: $(wc -l <ours.out) lines"
grep -q "hello" ours.out
diff -u ref.out ours.out && echo "cli_mt: identical output"
