#!/usr/bin/env bash
# Runs one of Debian's unmodified reference programs (zookeeper-bin) on a
# given libzookeeper_mt through LD_LIBRARY_PATH, and proves which library
# the dynamic loader initialised.
#   run_tool.sh LIBDIR PROGRAM ARGS...   (stdin passed through)
set -euo pipefail
libdir=$1; shift
dbg=$(mktemp -d)
set +e
LD_LIBRARY_PATH=$libdir LD_DEBUG=libs LD_DEBUG_OUTPUT=$dbg/ld "$@"
rc=$?
set -e
loaded=$(grep -h "calling init: .*libzookeeper_mt" "$dbg"/ld.* | sed "s/.*calling init: //" | head -1 || true)
rm -rf "$dbg"
real=$(readlink -f "$loaded")
want=$(readlink -f "$libdir/libzookeeper_mt.so.2")
if [ "$real" != "$want" ]; then
  echo "run_tool.sh: $1 loaded '$real', expected '$want'" >&2
  exit 97
fi
echo "library: $real" >&2
exit $rc
