#!/usr/bin/env bash
# Node's `zookeeper` package from npm (an addon that bundles the C client,
# links libzookeeper_st.a statically and drives it from libuv through
# zookeeper_interest/zookeeper_process) as a consumer of our library.
#
#   node_test.sh build VARIANT        fetch the package, install its
#                                     dependencies, build its addon
#   node_test.sh unit VARIANT         its own suites: npm test,
#   node_test.sh components VARIANT   npm run build-components + test-components,
#   node_test.sh integration VARIANT  npm run test-integration (a fresh server)
#   node_test.sh scenario VARIANT     ours, through the binding (scenario.js)
#
# VARIANT `ours`: the addon built with the package's own unchanged build
# files against our ST archive and headers, placed where its build looks
# for them: deps/zookeeper-client-c/include and generated/ (headers),
# deps/zookeeper-client-c/.libs/libzookeeper_st.a (binding.gyp links it by
# path), and its "already built" marker build/zk/lib/libzookeeper_st.la
# (scripts/env.js), so that scripts/prepublish.js does not unpack the
# bundled client over them and scripts/build.js (a gyp action) does not
# configure and make it. The package's `install` script cannot be run as a
# whole for this: it ends in `node-gyp-build`, i.e. `node-gyp rebuild`,
# whose `clean` deletes build/ and the marker with it before build.js
# runs, which then looks for ./configure. So its two halves are run as
# they are: `node scripts/prepublish.js`, then `node-gyp configure build`
# (rebuild without the clean), in npm's script environment.
# VARIANT `reference`: the same package built by its own `install` script,
# with the C client it bundles (3.8.2), for comparison.
#
# Environment (set by ctests/CMakeLists.txt): NODE_WORK (work directory,
# under build/), ZK_REPO, ZK_LIBDIR (our staged libraries), ZK_FIXTURE,
# ZK_NODE_BASE (first port; each variant uses 30 from there).
# Nothing is skipped: a failed install, build or suite fails the test.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
step=$1; variant=$2
PKG=zookeeper@7.3.0
# ava 8.0.2 and later need a cbor2 the registry here does not have
AVA=ava@8.0.1
: "${NODE_WORK:?}" "${ZK_REPO:?}" "${ZK_LIBDIR:?}" "${ZK_FIXTURE:?}" "${ZK_NODE_BASE:?}"
case $variant in
ours) base=$ZK_NODE_BASE ;;
reference) base=$((ZK_NODE_BASE + 30)) ;;
*) echo "node_test: unknown variant $variant" >&2; exit 2 ;;
esac
W=$NODE_WORK/$variant
Z=$W/zookeeper
ADDON=$Z/build/Release/zookeeper.node
export npm_config_nodedir=/usr npm_config_build_from_source=true \
  npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
say() { echo "node_test[$variant $step]: $*"; }
fail() { say "FAIL: $*"; exit 1; }
# run LOG CMD...: runs CMD with its output in LOG; on failure shows the log's end
run() {
  local log=$1; shift
  if ! "$@" >"$log" 2>&1; then
    grep -v "EBADENGINE" "$log" | tail -40
    fail "$* (log: $log)"
  fi
}

nm_has() { nm "$ADDON" | grep -E "$1" >/dev/null; }

prove_ours() {
  local ref_st a=$Z/deps/zookeeper-client-c/.libs/libzookeeper_st.a h
  cmp "$a" "$ZK_LIBDIR/libzookeeper_st.a" || fail "the archive in deps/ is not ours"
  grep -F "$Z/deps/zookeeper-client-c/.libs/libzookeeper_st.a" "$Z/build/zookeeper.target.mk" >/dev/null ||
    fail "binding.gyp's link line does not name deps/zookeeper-client-c/.libs/libzookeeper_st.a"
  for h in zookeeper.h proto.h recordio.h zookeeper_log.h zookeeper_version.h; do
    cmp "$Z/deps/zookeeper-client-c/include/$h" "$ZK_REPO/include/zookeeper/$h" || fail "$h is not ours"
  done
  [ ! -e "$Z/deps/zookeeper-client-c/src" ] || fail "the bundled C client was unpacked"
  # defined in the addon, not imported
  for s in zookeeper_init zookeeper_interest zookeeper_process zoo_acreate; do
    nm_has " T $s\$" || fail "$s is not defined in the addon"
  done
  ! readelf -d "$ADDON" | grep -i "NEEDED.*zookeeper" || fail "the addon needs a shared libzookeeper"
  # only in ours: an extension function Debian's library does not have, the
  # Rust runtime, our sources' names
  ref_st=/usr/lib/$(gcc -print-multiarch)/libzookeeper_st.so.2
  if [ -e "$ref_st" ]; then
    ! nm -D "$ref_st" | grep -w zoo_set_backoff >/dev/null || fail "Debian's library has zoo_set_backoff too"
  fi
  nm_has " T zoo_set_backoff\$" || fail "zoo_set_backoff (ours only) is not in the addon"
  # (the slimmed archive keeps only the API's symbol names: the Rust
  # standard library shows in the paths of its panic locations)
  strings -a "$ADDON" | grep -E "^/rustc/[0-9a-f]+/library/std/src/" >/dev/null || fail "no Rust runtime in the addon"
  strings -a "$ADDON" | grep -x "src/session/mod.rs" >/dev/null || fail "no trace of our sources in the addon"
  # none of the reference C client's internal functions
  for s in flush_send_queue adaptor_init api_prolog deserialize_response queue_session_event; do
    ! nm_has " [Tt] $s\$" || fail "the addon has the reference's $s"
  done
  # Debian's static library (libzookeeper-st-dev) is not what got linked
  local deb=/usr/lib/$(gcc -print-multiarch)/libzookeeper_st.a
  if [ -e "$deb" ]; then
    ! cmp -s "$deb" "$a" || fail "the linked archive is Debian's $deb"
    say "Debian's $deb is installed, and differs from the linked archive"
  else
    say "Debian's libzookeeper_st.a is not installed (libzookeeper-st-dev)"
  fi
  say "the addon links our library: $(nm "$ADDON" | grep -c ' T zoo') zoo_* functions defined, zoo_set_backoff and the Rust runtime in it, no reference internals, no shared libzookeeper needed"
}

prove_reference() {
  nm_has " T zookeeper_interest\$" || fail "zookeeper_interest is not defined in the addon"
  nm_has " [Tt] flush_send_queue\$" || fail "the reference's flush_send_queue is not in the addon"
  ! nm_has "zoo_set_backoff|rust_begin_unwind" || fail "the reference addon has our symbols"
  ! strings -a "$ADDON" | grep -E "/library/std/src/|^src/session/mod.rs$" >/dev/null || fail "the reference addon has Rust code"
  say "the addon links the bundled C client: $(strings -a "$ADDON" | grep -o 'zookeeper C client [0-9.]*' | head -1)"
}

build() {
  # the C toolchain and Python for node-gyp, and Node.js with npm (this kind
  # of machine has them; elsewhere Debian's packages)
  # shellcheck source=../../scripts/ensure-packages.sh
  . "$ZK_REPO/scripts/ensure-packages.sh"
  ensure_packages node_test g++ make python3 binutils
  if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    ensure_packages node_test nodejs npm node-gyp libnode-dev
  fi
  [ -e /usr/include/node/node.h ] || ensure_packages node_test libnode-dev
  [ -e /usr/include/node/node.h ] || fail "no Node.js headers in /usr/include/node (npm_config_nodedir=/usr)"
  say "node $(node --version), npm $(npm --version)"
  rm -rf "$W"
  mkdir -p "$W"
  run "$W/pack.log" npm pack "$PKG" --pack-destination "$W"
  tar xzf "$W"/zookeeper-*.tgz -C "$W" 2>/dev/null
  mv "$W/package" "$Z"
  # its dependencies and devDependencies (ava pinned), package.json untouched
  (cd "$Z" && run "$W/npm-install.log" npm install --ignore-scripts --no-save --no-package-lock "$AVA")
  tar xzOf "$W"/zookeeper-*.tgz package/package.json 2>/dev/null | cmp - "$Z/package.json" || fail "package.json was changed"
  [ -e "$Z/node_modules/ava/package.json" ] || fail "ava is not installed"
  if [ "$variant" = ours ]; then
    local c=$Z/deps/zookeeper-client-c i=$ZK_REPO/include/zookeeper
    [ -e "$ZK_LIBDIR/libzookeeper_st.a" ] || fail "$ZK_LIBDIR/libzookeeper_st.a is missing (scripts/build.sh)"
    mkdir -p "$c/include" "$c/generated" "$c/.libs" "$Z/build/zk/lib"
    cp "$i/zookeeper.h" "$i/proto.h" "$i/recordio.h" "$i/zookeeper_log.h" "$i/zookeeper_version.h" "$i/zookeeper_ext.h" "$c/include/"
    cp "$i/zookeeper.jute.h" "$c/generated/"
    cp "$ZK_LIBDIR/libzookeeper_st.a" "$c/.libs/"
    echo "# libzookeeper_st from $ZK_LIBDIR (ctests/node/node_test.sh)" >"$Z/build/zk/lib/libzookeeper_st.la"
    (cd "$Z" && run "$W/addon-build.log" npm exec -c 'node scripts/prepublish.js && node-gyp configure build')
    [ "$(grep -c "Zookeeper has already been built" "$W/addon-build.log")" = 2 ] ||
      fail "prepublish.js and build.js did not both take the placed library as built"
    [ -e "$ADDON" ] || fail "no addon was built"
    prove_ours
  else
    (cd "$Z" && run "$W/addon-build.log" npm run install)
    [ -e "$ADDON" ] || fail "no addon was built"
    prove_reference
  fi
  say "addon built: $ADDON"
}

# ava SUITE LOG CMD...: runs one of the package's suites; its counts
ava_suite() {
  local suite=$1 log=$2; shift 2
  local rc=0
  (cd "$Z" && "$@") >"$log" 2>&1 || rc=$?
  grep -E "^ +(✔|✘)" "$log" || true
  local passed failed other
  passed=$(sed -nE 's/^ +([0-9]+) tests? passed.*/\1/p' "$log" | tail -1)
  failed=$(sed -nE 's/^ +([0-9]+) tests? failed.*/\1/p' "$log" | tail -1)
  other=$(grep -E "^ +[0-9]+ (tests? skipped|tests? todo|known failures?|uncaught exceptions?|unhandled rejections?|tests? remained pending)" "$log" || true)
  say "$suite: ${passed:-0} passed, ${failed:-0} failed${other:+ ($(echo $other))}"
  if [ "$rc" != 0 ] || [ -z "$passed" ] || [ -n "$failed" ] || [ -n "$other" ]; then
    grep -v "EBADENGINE" "$log" | grep -vE "^ +✔" | tail -60
    fail "$suite (exit $rc; log: $log)"
  fi
}

server() { # DIR BASE: a fresh standalone server, stopped when this script exits
  "$ZK_FIXTURE" start "$1" 1 "$2" || fail "no server on port $(($2 + 1))"
  trap '"$ZK_FIXTURE" stop "'"$1"'" || true' EXIT
}

[ "$step" = build ] || [ -e "$ADDON" ] || fail "no addon (node_build_$variant failed or did not run)"
case $step in
build) build ;;
unit) ava_suite unit "$W/unit.log" npm test ;;
components)
  (cd "$Z" && run "$W/components-build.log" npm run build-components)
  ava_suite components "$W/components.log" npm run test-components
  ;;
integration)
  server "$W/zk-integration" "$base"
  ava_suite integration "$W/integration.log" npm run test-integration -- "127.0.0.1:$((base + 1))"
  ;;
scenario)
  server "$W/zk-scenario" $((base + 10))
  "$ZK_FIXTURE" stop "$W/zk-late" 2>/dev/null || true
  ZK_FIXTURE=$ZK_FIXTURE node "$here/scenario.js" "$Z" "127.0.0.1:$((base + 11))" "$W/zk-late" $((base + 20)) 2>"$W/scenario.stderr" ||
    { grep -E "too many|returned an error" "$W/scenario.stderr" | sort | uniq -c | head; fail "scenario (stderr: $W/scenario.stderr)"; }
  ;;
*) echo "usage: node_test.sh build|unit|components|integration|scenario ours|reference" >&2; exit 2 ;;
esac
