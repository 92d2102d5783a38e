#!/usr/bin/env bash
# Runs the layout/value dump compiled against the reference headers and
# library, and the same dump compiled against our headers and library, and
# requires identical output.  compare_dumps.sh REF_BIN OURS_BIN OURS_LIBDIR
set -euo pipefail
ldd "$2" | grep -q "$3/libzookeeper_mt.so.2" || { echo "$2 does not load our library"; ldd "$2"; exit 1; }
ldd "$1" | grep -qE "libzookeeper_mt.so.2 => (/usr)?/lib/x86_64-linux-gnu/libzookeeper_mt.so.2" || { echo "$1 does not load the reference"; exit 1; }
"$1" >ref.dump
"$2" >ours.dump
echo "$(wc -l <ref.dump) sizes, offsets and values compared"
diff ref.dump ours.dump && echo "0 differences"
