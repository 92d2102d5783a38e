#!/usr/bin/env bash
# The static libraries as bindings that vendor the C client use them: linked
# by path into a shared object (-shared -fPIC, no --gc-sections, like a Node
# addon) and into a program, and beside another Rust static library (its own
# std), each run against the server (ctests/tools/size_consumer.c: create,
# get, delete; the stack unwinds from a completion through the library).
# Also checks what is in each archive: one object, no debug info or LLVM
# bitcode, and no global symbol but the API (the shared library's exports).
#   static_archive_test.sh REPO LIBDIR CC      (ZK_HOSTS: the server)
set -euo pipefail
repo=$1; lib=$2; cc=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$repo/ctests/tools/size_consumer.c
cat >"$tmp/driver.c" <<'C'
int zkc_run(const char *hosts);
int main(int argc, char **argv) { return zkc_run(argv[1]) == 0 ? 0 : 1; }
C
cat >"$tmp/other.rs" <<'R'
// Another Rust library in the same program: its own std, panics, threads.
#[no_mangle]
pub extern "C" fn other_rust(n: i32) -> i32 {
    let r = std::panic::catch_unwind(|| {
        if n < 0 {
            panic!("a panic caught in the other library");
        }
        std::thread::spawn(move || format!("{}", n * 2)).join().unwrap().parse::<i32>().unwrap()
    });
    r.unwrap_or(-1)
}
R
cat >"$tmp/two.c" <<'C'
#include <stdio.h>
int other_rust(int n);
int zkc_run(const char *hosts);
int main(int argc, char **argv) {
    int a = other_rust(21), b = other_rust(-1), rc = zkc_run(argv[1]);
    printf("other_rust(21)=%d other_rust(-1)=%d zkc_run=%d\n", a, b, rc);
    return a == 42 && b == -1 && rc == 0 ? 0 : 1;
}
C
rustc=$(command -v rustc || true)
[ -n "$rustc" ] && "$rustc" --edition 2021 -O --crate-type staticlib "$tmp/other.rs" -o "$tmp/libother.a"

for v in st mt; do
  a=$lib/libzookeeper_$v.a
  members=$(ar t "$a")
  [ "$members" = "zookeeper_$v.o" ] || { echo "$a: members $members, want zookeeper_$v.o"; exit 1; }
  if readelf -S -W "$a" | grep -E '\.(debug_|llvmbc|llvmcmd)'; then echo "$a: debug info or bitcode left"; exit 1; fi
  nm -D --defined-only "$lib/libzookeeper_$v.so.2" | awk 'NF == 3 {print $3}' | sort -u >"$tmp/api"
  nm "$a" | awk 'NF == 3 && $2 ~ /[A-TV-Z]/ {print $3}' | sort -u >"$tmp/globals"
  diff "$tmp/api" "$tmp/globals" >/dev/null || { echo "$a: global symbols other than the API:"; diff "$tmp/api" "$tmp/globals" | head; exit 1; }
  flags=(-O2 -Wall -Wextra -Wno-unused-parameter -Werror -I"$repo/include")
  [ $v = mt ] && flags+=(-DZKC_MT -DTHREADED)
  "$cc" "${flags[@]}" -DZKC_SHARED -shared -fPIC "$src" "$a" -o "$tmp/libzkc_$v.so"
  "$cc" "$tmp/driver.c" -L"$tmp" -lzkc_$v -Wl,-rpath,"$tmp" -o "$tmp/driver_$v"
  "$cc" "${flags[@]}" "$src" "$a" -lpthread -ldl -lm -o "$tmp/zkc_$v"
  if nm -D "$tmp/libzkc_$v.so" | grep -E ' [TDRB] ' | awk '{print $3}' | grep -vxF -f "$tmp/api" | grep -vx zkc_run; then
    echo "libzkc_$v.so exports more than the API and its own function"; exit 1
  fi
  "$tmp/driver_$v" "$ZK_HOSTS" || { echo "$v: the shared object linked with $a failed"; exit 1; }
  "$tmp/zkc_$v" "$ZK_HOSTS" >/dev/null || { echo "$v: the program linked with $a failed"; exit 1; }
  echo "$v: $a in a shared object ($(stat -c %s "$tmp/libzkc_$v.so") B) and a program ($(stat -c %s "$tmp/zkc_$v") B): ok"
  if [ -n "$rustc" ]; then
    "$cc" "${flags[@]}" -DZKC_SHARED -c "$src" -o "$tmp/zkc_$v.o"
    "$cc" "$tmp/two.c" "$tmp/zkc_$v.o" "$a" "$tmp/libother.a" -lpthread -ldl -lm -o "$tmp/two_$v"
    "$tmp/two_$v" "$ZK_HOSTS" 2>"$tmp/two.err" || { cat "$tmp/two.err"; echo "$v: beside another Rust library: failed"; exit 1; }
    echo "$v: beside another Rust static library (its own std): ok"
  fi
done
[ -n "$rustc" ] || echo "no rustc: the other Rust library was not tried"
echo "static archives: ok"
