#!/usr/bin/env bash
# Builds ctests/consumer against an installed library both ways — the CMake
# package (find_package(ZooKeeper CONFIG)) and pkg-config — runs the programs
# against a real server and checks which library file each one loaded.
#   consumer_test.sh WORK_DIR PREFIX EXPECTED_LIBDIR
# PREFIX is the install prefix (/usr for the Debian -dev package: then no
# search hints are given, the system's default paths must find it).
# EXPECTED_LIBDIR is where libzookeeper_mt.so.2.0.0 must be loaded from.
# Needs ZK_HOSTS. ZK_EXPECT_BUILD_ID, if set, must be the loaded file's build id.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$1; prefix=$2; libdir=$3
hints=()
if [ "$prefix" != /usr ]; then
  hints=(-DCMAKE_PREFIX_PATH="$prefix")
  export PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null)/pkgconfig"
fi
check_lib() { # output-file variant
  local f
  f=$(sed -n 's/^library: //p' "$1")
  [ "$f" = "$libdir/libzookeeper_$2.so.2.0.0" ] || { echo "loaded $f, expected $libdir/libzookeeper_$2.so.2.0.0"; exit 1; }
  if [ -n "${ZK_EXPECT_BUILD_ID:-}" ] && [ "$2" = mt ]; then
    readelf -n "$f" | grep "Build ID: $ZK_EXPECT_BUILD_ID" >/dev/null || { echo "$f is not the library we built"; exit 1; }
  fi
}
for mode in config pkgconfig; do
  b="$work/consumer-$mode"
  rm -rf "$b"
  cmake -S "$here/../consumer" -B "$b" -DZK_FIND=$mode "${hints[@]}" >"$b.configure.log" 2>&1 ||
    { cat "$b.configure.log"; exit 1; }
  grep -E "ZooKeeper|zookeeper_mt" "$b.configure.log" | sed "s/^/$mode: /"
  cmake --build "$b" >"$b.build.log" 2>&1 || { cat "$b.build.log"; exit 1; }
  for prog in consumer_mt consumer_mt_static; do
    [ -x "$b/$prog" ] || continue
    "$b/$prog" >"$b/$prog.out" 2>"$b/$prog.err" || { cat "$b/$prog.out" "$b/$prog.err"; exit 1; }
    grep -q "^create/get/delete: ok" "$b/$prog.out"
    grep -q "ZOO_WARN@main@[0-9]*: consumer: rc 0" "$b/$prog.err" || { echo "$prog: no log line"; cat "$b/$prog.err"; exit 1; }
    if [ $prog = consumer_mt ]; then
      check_lib "$b/$prog.out" mt
      readelf -d "$b/$prog" | grep "NEEDED.*libzookeeper_mt.so.2" >/dev/null
    else
      ! readelf -d "$b/$prog" | grep "NEEDED.*libzookeeper" >/dev/null || { echo "$prog is not static"; exit 1; }
    fi
    echo "$mode: $prog ok ($(sed -n 's/^library: //p' "$b/$prog.out"))"
  done
  if [ -x "$b/consumer_st" ]; then
    "$b/consumer_st" >"$b/consumer_st.out"
    check_lib "$b/consumer_st.out" st
    readelf -d "$b/consumer_st" | grep "NEEDED.*libzookeeper_st.so.2" >/dev/null
    echo "$mode: consumer_st ok (linked libzookeeper_st.so.2)"
  fi
done
