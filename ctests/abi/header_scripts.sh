#!/usr/bin/env bash
# Checks that bindings' build scripts make of the installed headers, run on
# ours and on the reference's (Debian's libzookeeper-mt-dev): each must give
# the same answer on both.
#   1. the version, read as text: a configure script's
#        grep ZOO_VERSION zookeeper_version.h | awk '{print $3}'
#      and a CMake find module's anchored match of the #define line
#        grep -E '^#define ZOO_VERSION +"' zookeeper_version.h | sed 's/.*"\(.*\)".*/\1/'
#   2. version checks compiled against <zookeeper/zookeeper.h>
#      (AC_COMPILE_IFELSE): `#if ZOO_MAJOR_VERSION >= 3 && ZOO_MINOR_VERSION >= 5`
#      (the 3.8.0 headers define only ZOO_VERSION, so this fails on both:
#      what counts is the same answer), `#ifdef ZOO_VERSION`, and ZOO_VERSION
#      as the preprocessor expands it;
#   3. features detected by grepping zookeeper.h for a function:
#        grep -q 'NAME(' zookeeper.h                    (any line)
#        grep -qE '^ZOOAPI .*[ *]NAME\(' zookeeper.h    (its declaration line)
#      for functions bindings look for (3.5+ calls, TTL, watch removal,
#      reconfig, TLS, SASL), short and long declarations both.
#
#   header_scripts.sh [OURS_DIR [REF_DIR [CC]]]
# OURS_DIR: our include/zookeeper (default: the source tree's, found from
# this file), REF_DIR: /usr/include/zookeeper, CC: cc. Missing reference
# headers fail the test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
ours=${1:-$here/../../include/zookeeper}
ref=${2:-/usr/include/zookeeper}
cc=${3:-cc}
for d in "$ref" "$ours"; do
  for f in zookeeper.h zookeeper_version.h; do
    [ -f "$d/$f" ] || { echo "FAIL: missing $d/$f (the reference: apt-get install libzookeeper-mt-dev)"; exit 2; }
  done
done
ours=$(cd "$ours" && pwd); ref=$(cd "$ref" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# Each side gets a directory whose zookeeper/ is its headers and nothing else,
# so that <zookeeper/...> can only be that side's.
mkdir -p "$work/ours" "$work/ref"
ln -s "$ours" "$work/ours/zookeeper"; ln -s "$ref" "$work/ref/zookeeper"

differences=0
compare() {  # compare WHAT REF_ANSWER OURS_ANSWER
  if [ "$2" == "$3" ]; then
    printf 'same       %s: %s\n' "$1" "$(echo "$2" | paste -sd'|')"
  else
    printf 'DIFFERENT  %s: reference %s, ours %s\n' "$1" "$(echo "$2" | paste -sd'|')" "$(echo "$3" | paste -sd'|')"
    differences=$((differences + 1))
  fi
}
both() {  # both WHAT FUNCTION ARGS...: runs FUNCTION DIR ARGS... for each side
  local what=$1 fn=$2; shift 2
  compare "$what" "$($fn "$ref" "$@")" "$($fn "$ours" "$@")"
}

# 1. the version as text
version_awk() { grep ZOO_VERSION "$1/zookeeper_version.h" | awk '{print $3}'; }
version_cmake() { grep -E '^#define ZOO_VERSION +"' "$1/zookeeper_version.h" | sed 's/.*"\(.*\)".*/\1/'; }
both "grep ZOO_VERSION zookeeper_version.h | awk '{print \$3}'" version_awk
both "grep -E '^#define ZOO_VERSION +\"' zookeeper_version.h | sed" version_cmake

# 2. compiled checks
side_of() { if [ "$1" == "$ref" ]; then echo ref; else echo ours; fi; }
compiles() {  # compiles DIR PROGRAM: "compiles" or "fails" (with THREADED, as -lzookeeper_mt users)
  local inc="$work/$(side_of "$1")" src
  src=$(mktemp --suffix=.c -p "$work")
  printf '%b\n' "$2" >"$src"
  if "$cc" -DTHREADED -I"$inc" -fsyntax-only "$src" 2>/dev/null; then echo compiles; else echo fails; fi
}
expands() {  # expands DIR MACRO: the macro as the preprocessor expands it
  printf '#include <zookeeper/zookeeper.h>\n%s\n' "$2" \
    | "$cc" -DTHREADED -I"$work/$(side_of "$1")" -E -P -x c - | grep -v '^\s*$' | tail -1
}
# <zookeeper/zookeeper.h> and what it includes are this side's headers
for d in "$ref" "$ours"; do
  deps=$(printf '#include <zookeeper/zookeeper.h>\n' \
    | "$cc" -DTHREADED -I"$work/$(side_of "$d")" -M -x c - | tr ' \\' '\n\n' | grep zookeeper | sort -u)
  want=$(for f in proto.h recordio.h zookeeper.h zookeeper.jute.h zookeeper_version.h; do
    echo "$work/$(side_of "$d")/zookeeper/$f"; done)
  [ "$deps" == "$want" ] || { echo "FAIL: the headers included for $d are:"; echo "$deps"; exit 1; }
done
both "#if ZOO_MAJOR_VERSION >= 3 && ZOO_MINOR_VERSION >= 5" compiles \
  '#include <zookeeper/zookeeper.h>\n#if ZOO_MAJOR_VERSION >= 3 && ZOO_MINOR_VERSION >= 5\nint ok;\n#else\n#error zookeeper too old\n#endif'
both "#ifdef ZOO_VERSION" compiles '#include <zookeeper/zookeeper.h>\n#ifndef ZOO_VERSION\n#error no ZOO_VERSION\n#endif\nint ok;'
both "ZOO_VERSION expanded" expands ZOO_VERSION

# 3. features by grepping for functions
found() { if grep -q "$2" "$1/zookeeper.h"; then echo "$3"; else echo "no $3"; fi; }
declared() { if grep -qE "^ZOOAPI .*[ *]$2\(" "$1/zookeeper.h"; then echo "$2"; else echo "no $2"; fi; }
for f in zoo_create2 zoo_acreate2 zoo_create_ttl zoo_acreate2_ttl zoo_remove_watches zoo_aremove_all_watches \
    zoo_set_servers zoo_set_servers_resolution_delay zoo_amulti zoo_getconfig zoo_areconfig zookeeper_init2 \
    zookeeper_get_connected_host zookeeper_init_ssl zookeeper_init_sasl zoo_add_auth zoo_get_children2; do
  both "grep -q '$f(' zookeeper.h" found "$f(" "$f"
  both "grep -qE '^ZOOAPI .*[ *]$f\\(' zookeeper.h" declared "$f"
done

echo "$differences difference(s) ($ours against $ref)"
[ "$differences" -eq 0 ]
