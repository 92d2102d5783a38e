#!/usr/bin/env bash
# The install/replace/remove test of the Debian packages. It changes this
# machine (root, apt) and puts it back as it found it, also when it fails:
#  1. builds the packages (packaging/build-debs.sh), records which of Debian's
#     zookeeper C client packages are installed (and their library's build
#     id), and downloads their .debs so that going back needs no network;
#  2. `apt-get install ./*.deb`: Debian's libzookeeper-mt2 (and -st2, -dev)
#     are replaced, zookeeper-bin stays installed;
#  3. Debian's unmodified cli_mt and load_gen run against a real server, and
#     /proc/PID/maps shows that each mapped our library file (owned by our
#     package, with our build id);
#  4. ctests/consumer builds against the installed -dev package with
#     pkg-config and with find_package, and runs;
#  5. going back: `apt-get install` of Debian's packages removes ours; then
#     Debian's library is the one cli_mt maps, and it works (also for the
#     consumer built in 4).
#   packaging/test-debs.sh [PORT_BASE]    server on 127.0.0.1:PORT_BASE+1 (default 25810)
# On a shared machine: packaging/sandbox.sh packaging/test-debs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
base=${1:-25810}
hosts=127.0.0.1:$((base + 1))
work=$repo/build/deb-test
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
libpath=/usr/lib/$ma/libzookeeper_mt.so.2.0.0
cli=/usr/lib/zookeeper/bin/cli_mt
lg=/usr/lib/zookeeper/bin/load_gen
ours=(libzookeeper-rs2 libzookeeper-rs-dev libzookeeper-rs2-dbgsym)
theirs=(libzookeeper-mt2 libzookeeper-st2 libzookeeper-mt-dev libzookeeper-st-dev)
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "test-debs: needs root (it installs packages)"; exit 1; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep "install ok installed" >/dev/null; }
version() { dpkg-query -W -f='${Version}' "$1"; }
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p'; }
apt_q() { apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends "$@" >>"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; return 1; }; }

rm -rf "$work"; mkdir -p "$work"
packaging/build-debs.sh "$work/debs" 2>"$work/build-debs.log" || { cat "$work/build-debs.log"; exit 1; }
ls "$work"/debs/libzookeeper-rs2_*.deb >/dev/null
our_id=$(build_id "$work/debs/stage/lib/libzookeeper_mt.so.2.0.0")

# --- 1. the machine as we found it -----------------------------------------
installed zookeeper-bin || { echo "test-debs: zookeeper-bin must be installed (scripts/setup.sh)"; exit 1; }
for p in "${ours[@]}"; do ! installed "$p" || { echo "test-debs: $p is already installed"; exit 1; }; done
keep=()
for p in "${theirs[@]}"; do installed "$p" && keep+=("$p=$(version "$p")"); done
installed libzookeeper-mt2 || { echo "test-debs: libzookeeper-mt2 must be installed"; exit 1; }
their_id=$(build_id "$(readlink -f "/usr/lib/$ma/libzookeeper_mt.so.2")")
echo "test-debs: Debian's packages installed: ${keep[*]} (libzookeeper_mt build id $their_id; ours $our_id)"
apt_q install --reinstall --download-only "${keep[@]}"

restore() {
  local rc=$?
  set +e
  [ -n "${fixture:-}" ] && ctests/fixture/zk.sh stop "$work/zk" >/dev/null 2>&1
  local any=0
  for p in "${ours[@]}"; do installed "$p" && any=1; done
  if [ $any = 1 ]; then
    echo "test-debs: restoring Debian's packages"
    apt-get install -y -q --no-install-recommends --allow-downgrades "${keep[@]}" >>"$work/apt.log" 2>&1
    for p in "${ours[@]}"; do installed "$p" && apt-get purge -y -q "$p" >>"$work/apt.log" 2>&1; done
  fi
  for p in "${ours[@]}"; do installed "$p" && { echo "test-debs: could not remove $p"; rc=1; }; done
  for k in "${keep[@]}"; do
    [ "$(version "${k%%=*}" 2>/dev/null)" = "${k#*=}" ] && installed "${k%%=*}" || { echo "test-debs: ${k%%=*} is not back"; rc=1; }
  done
  installed zookeeper-bin || { echo "test-debs: zookeeper-bin is gone"; rc=1; }
  [ $rc = 0 ] && echo "test-debs: ok" || echo "test-debs: FAILED (the machine's zookeeper packages: $(dpkg -l | awk '/zookeeper/ {print $2"="$3}' | tr '\n' ' '))"
  exit $rc
}
trap restore EXIT
trap 'exit 130' INT TERM HUP

# A process's mapping of libzookeeper_mt: the file (by path and inode) must be
# $libpath as installed now, owned by package $1, with build id $2.
check_maps() { # pkg build-id pid what
  local line path inode
  line=$(grep "libzookeeper_mt" "/proc/$3/maps" | head -1 || true)
  [ -n "$line" ] || { echo "$4: libzookeeper_mt is not mapped"; return 1; }
  path=$(echo "$line" | awk '{print $6}'); inode=$(echo "$line" | awk '{print $5}')
  [ "$path" = "$libpath" ] || { echo "$4: maps $path"; return 1; }
  [ "$inode" = "$(stat -c %i "$libpath")" ] || { echo "$4: mapped inode $inode is not the installed file"; return 1; }
  dpkg -S "$libpath" | grep "^$1:" >/dev/null || { echo "$4: $libpath belongs to $(dpkg -S "$libpath")"; return 1; }
  [ "$(build_id "$libpath")" = "$2" ] || { echo "$4: build id $(build_id "$libpath"), expected $2"; return 1; }
  echo "$4 (pid $3) maps $path inode $inode from $1, build id $2"
}

# cli_mt: a short session through a fifo, its maps read while it runs.
run_cli() { # pkg build-id
  local fifo=$work/cli.in node=/deb-test-$$ pid i
  rm -f "$fifo"; mkfifo "$fifo"
  timeout 60 "$cli" "$hosts" <"$fifo" >"$work/cli.out" 2>&1 &
  pid=$!
  exec 3>"$fifo"
  for i in $(seq 100); do grep -q "CONNECTED_STATE" "$work/cli.out" && break; sleep 0.1; done
  check_maps "$1" "$2" "$(pgrep -P "$pid")" cli_mt
  printf 'create %s\n' "$node" >&3; sleep 0.5
  printf 'set %s hello-deb\n' "$node" >&3; sleep 0.5
  printf 'get %s\n' "$node" >&3; sleep 0.5
  printf 'delete %s\n' "$node" >&3; sleep 0.5
  printf 'quit\n' >&3; exec 3>&-
  wait "$pid"
  grep -q "hello-deb" "$work/cli.out" || { cat "$work/cli.out"; echo "cli_mt: no data back"; return 1; }
  echo "cli_mt: create/set/get/delete ok"
}

# --- 2. install ours --------------------------------------------------------
fixture=1
ctests/fixture/zk.sh start "$work/zk" 1 "$base" >/dev/null
apt_q install "$work"/debs/libzookeeper-rs2_*.deb "$work"/debs/libzookeeper-rs-dev_*.deb "$work"/debs/libzookeeper-rs2-dbgsym_*.deb
for p in "${ours[@]}"; do installed "$p" || { echo "$p not installed"; exit 1; }; done
for p in "${theirs[@]}"; do ! installed "$p" || { echo "$p is still installed"; exit 1; }; done
installed zookeeper-bin || { echo "zookeeper-bin was removed"; exit 1; }
echo "test-debs: installed ${ours[*]}; zookeeper-bin $(version zookeeper-bin) stays"
[ -e "/usr/lib/debug/.build-id/${our_id:0:2}/${our_id:2}.debug" ]

# --- 3. Debian's programs on ours -------------------------------------------
run_cli libzookeeper-rs2 "$our_id"
timeout -s INT 6 "$lg" "$hosts" /deb-lg-$$ 50 >"$work/lg.out" 2>"$work/lg.log" &
pid=$!
sleep 2
check_maps libzookeeper-rs2 "$our_id" "$(pgrep -P "$pid")" load_gen
wait "$pid" || true
cycles=$(grep -c "Starting the delete cycle" "$work/lg.log" || true)
! grep -E "Failed to|Invalid read" "$work/lg.log" || exit 1
[ "$cycles" -ge 1 ] || { tail "$work/lg.log"; echo "load_gen: no cycle"; exit 1; }
timeout 60 "$lg" "$hosts" /deb-lg-$$ clean >/dev/null 2>"$work/lg-clean.log"
grep -q "Successfully deleted a subtree" "$work/lg-clean.log"
echo "load_gen: $cycles create/write/read/delete cycles, clean ok"

# --- 4. programs built against the installed -dev package -------------------
ZK_HOSTS=$hosts ZK_EXPECT_BUILD_ID=$our_id ctests/tools/consumer_test.sh "$work" /usr "/usr/lib/$ma"

# --- 5. back to Debian's library --------------------------------------------
apt_q install --allow-downgrades "${keep[@]}"
for p in "${ours[@]}"; do installed "$p" && apt_q purge "$p"; done
for p in "${ours[@]}"; do ! installed "$p" || { echo "$p still installed"; exit 1; }; done
echo "test-debs: Debian's packages are back: $(for k in "${keep[@]}"; do printf '%s ' "${k%%=*}=$(version "${k%%=*}")"; done)"
run_cli libzookeeper-mt2 "$their_id"
ZK_HOSTS=$hosts "$work/consumer-config/consumer_mt" >"$work/consumer-back.out" 2>&1 || { cat "$work/consumer-back.out"; exit 1; }
grep -q "^library: $libpath" "$work/consumer-back.out"
grep -q "^create/get/delete: ok" "$work/consumer-back.out"
echo "consumer built against our -dev package: runs on Debian's library"
