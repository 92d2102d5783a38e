#!/usr/bin/env bash
# Runs the st_states probe on Debian's libzookeeper_st.so.2 and on ours and
# compares what they print, line by line: the codes zookeeper_interest and
# zookeeper_process return and the states after them, in every state.
# With a 1 ms session timeout both time every attempt out inside
# zookeeper_interest (ZOPERATIONTIMEOUT); the reference's caller spins on it,
# ours waits for the back-off between attempts: the idle rounds differ in
# number, not in kind. The per-call callback counts are left out (the
# number of rounds in that phase decides some of them).
#   st_states_parity.sh REF_BINARY OUR_BINARY OUR_LIBDIR
set -euo pipefail
ref=$1 ours=$2 libdir=$3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ZK_EXPECT_LIB=/usr/lib/x86_64-linux-gnu/libzookeeper_st.so.2.0.0 "$ref" >"$out/ref" 2>"$out/ref.err" || { cat "$out/ref" "$out/ref.err" | tail -30; echo "st_states failed on the reference"; exit 1; }
ZK_EXPECT_LIB="$libdir/libzookeeper_st.so.2.0.0" "$ours" >"$out/ours" 2>"$out/ours.err" || { cat "$out/ours" "$out/ours.err" | tail -30; echo "st_states failed on ours"; exit 1; }
grep -q '^library: /usr/lib/x86_64-linux-gnu/libzookeeper_st.so.2.0.0$' "$out/ref"
grep -q "^library: $libdir/libzookeeper_st.so.2.0.0\$" "$out/ours"
strip() { grep -v -e '^library: ' -e '^callbacks: ' "$1"; }
if ! diff <(strip "$out/ref") <(strip "$out/ours"); then
  echo "st_states_parity: ours differs from the reference (< reference, > ours)"
  exit 1
fi
n=$(strip "$out/ours" | wc -l)
echo "st_states_parity: $n lines the same on both libraries"
