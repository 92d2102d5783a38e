#!/usr/bin/env bash
# Runs the layout/value dump compiled against the reference headers and
# library, and the same dump compiled against our headers and library, and
# requires identical output.
#   compare_dumps.sh REF_BIN OURS_BIN OURS_LIBDIR [SONAME]
# SONAME (default libzookeeper_mt.so.2) is the library both must load.
set -euo pipefail
lib=${4:-libzookeeper_mt.so.2}
tag=${lib%%.so*}
ldd "$2" | grep "$lib => $3/$lib" >/dev/null || { echo "$2 does not load our library"; ldd "$2"; exit 1; }
ldd "$1" | grep -E "$lib => (/usr)?/lib/x86_64-linux-gnu/$lib" >/dev/null || { echo "$1 does not load the reference"; ldd "$1"; exit 1; }
"$1" >"$tag.ref.dump"
"$2" >"$tag.ours.dump"
echo "$(wc -l <"$tag.ref.dump") sizes, offsets and values compared"
diff "$tag.ref.dump" "$tag.ours.dump" && echo "0 differences"
