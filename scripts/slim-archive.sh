#!/usr/bin/env bash
# Makes the static library a C program or shared object links: what cargo's
# staticlib holds (every object of every crate, with debug info and LLVM
# bitcode: 75 MB) reduced to one relocatable object holding only the code
# and data the API reaches, whose only global symbols are the API's.
#   slim-archive.sh CARGO.a CARGO.so OUT.a [MAP]
# CARGO.so is the shared library of the same build: its exported dynamic
# symbols are the API (the roots, and the symbols that stay global). MAP,
# if given, receives the map of the link (scripts/size-breakdown.py slim).
# OBJCOPY (default objcopy) may name a cross objcopy (aarch64-linux-gnu-objcopy):
# ld, nm and ar are then taken with the same prefix (LD overrides ld).
#
#  1. objcopy: no debug info, no LLVM bitcode (.llvmbc/.llvmcmd), and the
#     C function zk_log_message_c takes the name log_message (stable Rust
#     cannot define a variadic function: the Rust `log_message` only puts
#     the name in the shared library's export list, see build.rs).
#  2. ld -r --gc-sections, rooted at the API: one object, only the sections
#     reachable from an exported function or datum (the shared library is
#     linked with --gc-sections too). Section groups are dissolved so
#     that nothing in the object is merged with another object's copy.
#  3. objcopy --keep-global-symbols: every other symbol becomes local, so
#     that Rust's and std's symbols cannot clash with another Rust library
#     (or a second copy of this one) in the same program.
#  4. scripts/slim-object.py: relocations made section-relative and the
#     local symbols' names dropped, short section names (see there); then
#     objcopy --strip-unneeded drops the symbols nothing refers to.
# Checks: every API symbol defined and global, no other global definition,
# and nothing undefined that the shared library does not take from its own
# dependencies (libc, libgcc_s) or a program's startup files provide.
set -euo pipefail
in=$1; so=$2; out=$3; map=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
objcopy=${OBJCOPY:-objcopy}
prefix=
case $objcopy in *-objcopy) prefix=${objcopy%objcopy} ;; esac
ld=${LD:-${prefix}ld}; nm=${prefix}nm; ar=${prefix}ar
# the object is named after the library (SONAME libzookeeper_st.so.2: zookeeper_st.o)
name=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[lib\(.*\)\.so\..*\]/\1/p')
[ -n "$name" ] || { echo "slim-archive: $so has no SONAME"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$nm" -D --defined-only "$so" | awk 'NF == 3 {print $3}' | sort -u >"$tmp/api"
[ -s "$tmp/api" ] || { echo "slim-archive: no exported symbols in $so"; exit 1; }

"$objcopy" --strip-debug --remove-section=.llvmbc --remove-section=.llvmcmd \
  --redefine-sym log_message=zk_log_message_unused --redefine-sym zk_log_message_c=log_message \
  "$in" "$tmp/in.a" 2> >(grep -v "plugin" >&2 || true)
sed 's/^/--require-defined=/' "$tmp/api" >"$tmp/roots"
"$ld" -r --gc-sections --force-group-allocation @"$tmp/roots" ${map:+-Map="$map"} "$tmp/in.a" -o "$tmp/gc.o"
"$objcopy" --keep-global-symbols="$tmp/api" --remove-section=.comment "$tmp/gc.o" "$tmp/local.o"
python3 "$here/slim-object.py" "$tmp/local.o" "$tmp/short.o" >"$tmp/slim.log"
"$objcopy" --strip-unneeded "$tmp/short.o" "$tmp/$name.o"

"$nm" "$tmp/$name.o" | awk 'NF == 3 && $2 ~ /[A-TV-Z]/ {print $3}' | sort -u >"$tmp/globals"
if ! cmp -s "$tmp/globals" "$tmp/api"; then
  echo "slim-archive: the global symbols of $name.o are not the API of $so:"
  diff "$tmp/api" "$tmp/globals" | head -20
  exit 1
fi
# what the object needs from outside: what the shared library imports, and
# what the link of a program or shared object provides
{ "$nm" -D --undefined-only "$so" | awk '{print $NF}' | sed 's/@.*//'
  printf '%s\n' _GLOBAL_OFFSET_TABLE_ __dso_handle __tls_get_addr; } | sort -u >"$tmp/provided"
"$nm" -u "$tmp/$name.o" | awk '{print $NF}' | sort -u >"$tmp/needed"
extra=$(comm -23 "$tmp/needed" "$tmp/provided")
[ -z "$extra" ] || { echo "slim-archive: $name.o needs symbols the shared library does not import:"; echo "$extra"; exit 1; }
readelf -S -W "$tmp/$name.o" | grep '\.note\.GNU-stack' >/dev/null || { echo "slim-archive: no .note.GNU-stack"; exit 1; }

rm -f "$tmp/out.a"
(cd "$tmp" && "$ar" rcsD out.a "$name.o")
mv -f "$tmp/out.a" "$out"
