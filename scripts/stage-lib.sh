#!/usr/bin/env bash
# Stages one library variant built by cargo into LIBDIR the way it is
# installed: stripped, its debug info split out, with its SONAME links.
#   stage-lib.sh CARGO_OUT_DIR NAME LIBDIR
# CARGO_OUT_DIR holds cargo's libzookeeper_mt.so/.a (the crate's file names,
# whichever variant was built); NAME is zookeeper_mt or zookeeper_st.
# Produces in LIBDIR:
#   libNAME.so.2.0.0   stripped (--strip-unneeded), with a .gnu_debuglink
#   libNAME.so.2, libNAME.so   the SONAME and development links
#   .debug/libNAME.so.2.0.0.debug   its debug info (same build id)
#   libNAME.a          one object: what the API reaches, no debug info, only
#                      the API's symbols global (scripts/slim-archive.sh)
# Files are replaced only when their content changed, so that programs
# linked against them are not relinked on every build.
# OBJCOPY (default objcopy) may name a cross objcopy.
set -euo pipefail
src=$1; name=$2; libdir=$3
objcopy=${OBJCOPY:-objcopy}
so=lib$name.so.2.0.0
mkdir -p "$libdir/.debug"
tmp=$(mktemp -d "$libdir/.stage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

readelf -n "$src/libzookeeper_mt.so" | grep "Build ID" >/dev/null || { echo "stage-lib: $src/libzookeeper_mt.so has no build id"; exit 1; }
"$objcopy" --only-keep-debug --compress-debug-sections=zlib "$src/libzookeeper_mt.so" "$tmp/$so.debug"
"$objcopy" --strip-unneeded --remove-section=.comment "$src/libzookeeper_mt.so" "$tmp/$so"
(cd "$tmp" && "$objcopy" --add-gnu-debuglink="$so.debug" "$so")
chmod 0644 "$tmp/$so.debug"; chmod 0755 "$tmp/$so"
# The static library: one object with only what the API reaches, no debug
# info, only the API's symbols global (scripts/slim-archive.sh); there
# `log_message` becomes the C function (src/log.rs, build.rs).
"$(dirname "$0")/slim-archive.sh" "$src/libzookeeper_mt.a" "$src/libzookeeper_mt.so" "$tmp/lib$name.a"
chmod 0644 "$tmp/lib$name.a"

put() { cmp -s "$tmp/$1" "$2/$1" || mv -f "$tmp/$1" "$2/$1"; }
put "$so" "$libdir"
put "$so.debug" "$libdir/.debug"
put "lib$name.a" "$libdir"
ln -sfn "$so" "$libdir/lib$name.so.2"
ln -sfn "lib$name.so.2" "$libdir/lib$name.so"
