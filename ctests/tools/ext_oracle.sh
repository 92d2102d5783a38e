#!/usr/bin/env bash
# The event streams of persistent and recursive watches: Apache ZooKeeper's
# Java client (the oracle, compiled here with the JDK against the server
# package's jar) and our C library perform the same changes under the same
# watches; their event streams must be identical.
#   ext_oracle.sh EXT_ORACLE_BIN HOSTS
set -euo pipefail
bin=$1; hosts=$2
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
javac -d "$work" -cp /usr/share/java/zookeeper.jar "$here/oracle/WatchOracle.java"
java -cp "/usr/share/java/zookeeper.jar:$work" WatchOracle "$hosts" "/oracle-java-$$" >"$work/java.txt" 2>"$work/java.err" || { cat "$work/java.err"; exit 1; }
"$bin" "$hosts" "/oracle-c-$$" >"$work/c.out"
grep '^library: ' "$work/c.out"   # which library the C side loaded (it checks)
grep -v '^library: ' "$work/c.out" >"$work/c.txt"
echo "Java client: $(wc -l <"$work/java.txt") events; ours: $(wc -l <"$work/c.txt") events"
cat "$work/c.txt"
[ -s "$work/java.txt" ] || { echo "the oracle saw no event"; exit 1; }
diff "$work/java.txt" "$work/c.txt" && echo "identical event streams"
