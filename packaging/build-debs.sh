#!/usr/bin/env bash
# Builds the Debian packages from this repository, with dpkg-deb:
#   libzookeeper-rs2          libzookeeper_mt.so.2 and libzookeeper_st.so.2
#                             (stripped), a declared replacement for Debian's
#                             libzookeeper-mt2 and libzookeeper-st2
#   libzookeeper-rs-dev       headers, libzookeeper_{mt,st}.so links, static
#                             libraries, pkg-config files, CMake package;
#                             replaces libzookeeper-mt-dev/libzookeeper-st-dev
#   libzookeeper-rs2-dbgsym   the runtime libraries' debug info, by build id
#
#   packaging/build-debs.sh [OUT_DIR]            (default build/deb)
#   ZK_DEB_TARGET=aarch64-unknown-linux-gnu packaging/build-debs.sh   (arm64, cross)
#
# Provides carries the exact version of Debian's packages (zookeeper-bin
# depends on libzookeeper-mt2 (= that version)); it is taken from the
# installed or candidate libzookeeper-mt2, or ZK_DEB_REF_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$(mkdir -p "${1:-build/deb}" && cd "${1:-build/deb}" && pwd)
target=${ZK_DEB_TARGET:-}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
debver="$version+rs1"

if [ -n "$target" ]; then
  case $target in
    aarch64-unknown-linux-gnu) arch=arm64; multiarch=aarch64-linux-gnu ;;
    *) echo "build-debs: unsupported target $target"; exit 1 ;;
  esac
  export OBJCOPY=$multiarch-objcopy
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=${CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER:-aarch64-linux-gnu-gcc}
  export CC_aarch64_unknown_linux_gnu=${CC_aarch64_unknown_linux_gnu:-aarch64-linux-gnu-gcc}
  cargo_target=(--target "$target"); sub="$target/release"
else
  arch=$(dpkg --print-architecture); multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
  cargo_target=(); sub=release
fi
refver=${ZK_DEB_REF_VERSION:-$(dpkg-query -W -f='${Version}' libzookeeper-mt2 2>/dev/null || true)}
[ -n "$refver" ] || refver=$(apt-cache show --no-all-versions libzookeeper-mt2 2>/dev/null | sed -n 's/^Version: //p' | head -1)
[ -n "$refver" ] || { echo "build-debs: cannot tell the version of Debian's libzookeeper-mt2 (set ZK_DEB_REF_VERSION)"; exit 1; }

echo "build-debs: cargo build (libzookeeper_mt, libzookeeper_st) for $arch"
cargo build --release --quiet "${cargo_target[@]}"
cargo build --release --quiet --no-default-features --target-dir target/st "${cargo_target[@]}"
rm -rf "$out/stage" "$out/root" "$out/cmake"
scripts/stage-lib.sh "target/$sub" zookeeper_mt "$out/stage/lib"
scripts/stage-lib.sh "target/st/$sub" zookeeper_st "$out/stage/lib"

cmake -S packaging -B "$out/cmake" -DZK_STAGED_LIBDIR="$out/stage/lib" \
  -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_INSTALL_LIBDIR="lib/$multiarch" >/dev/null
rt="$out/root/libzookeeper-rs2"; dev="$out/root/libzookeeper-rs-dev"; dbg="$out/root/libzookeeper-rs2-dbgsym"
DESTDIR="$rt" cmake --install "$out/cmake" --component runtime >/dev/null
DESTDIR="$dev" cmake --install "$out/cmake" --component dev >/dev/null

# debug info, found by gdb & co. through the build id
ids=()
for v in mt st; do
  so="$out/stage/lib/libzookeeper_$v.so.2.0.0"
  id=$(readelf -n "$so" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
  [ -n "$id" ] || { echo "build-debs: $so has no build id"; exit 1; }
  mkdir -p "$dbg/usr/lib/debug/.build-id/${id:0:2}"
  install -m 0644 "$out/stage/lib/.debug/libzookeeper_$v.so.2.0.0.debug" "$dbg/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug"
  ids+=("$id")
done

# Depends of the runtime package
if [ -z "$target" ] && command -v dpkg-shlibdeps >/dev/null; then
  tmp=$(mktemp -d); mkdir -p "$tmp/debian"
  printf 'Source: zookeeper-rs\n\nPackage: libzookeeper-rs2\nArchitecture: any\n' >"$tmp/debian/control"
  rtdeps=$(cd "$tmp" && dpkg-shlibdeps -O "$rt"/usr/lib/"$multiarch"/libzookeeper_*.so.2.0.0 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
  rm -rf "$tmp"
else
  glibc=$(for f in "$rt"/usr/lib/"$multiarch"/libzookeeper_*.so.2.0.0; do $multiarch-objdump -T "$f"; done |
          grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
  rtdeps="libc6 (>= $glibc), libgcc-s1 (>= 4.2)"
fi

for p in libzookeeper-rs2 libzookeeper-rs-dev libzookeeper-rs2-dbgsym; do
  d="$out/root/$p"
  mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$p"
  cat >"$d/usr/share/doc/$p/copyright" <<C
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zookeeper-rs (a Rust drop-in for Apache ZooKeeper's C client)
License: Apache-2.0

Files: *
License: Apache-2.0
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in /usr/share/common-licenses/Apache-2.0.
C
done

cat >"$rt/DEBIAN/control" <<C
Package: libzookeeper-rs2
Source: zookeeper-rs
Version: $debver
Architecture: $arch
Multi-Arch: same
Section: libs
Priority: optional
Maintainer: zookeeper-rs maintainers <root@localhost>
Depends: $rtdeps
Suggests: libsasl2-2, libsasl2-modules
Provides: libzookeeper-mt2 (= $refver), libzookeeper-st2 (= $refver)
Conflicts: libzookeeper-mt2, libzookeeper-st2
Replaces: libzookeeper-mt2, libzookeeper-st2
Description: ZooKeeper C client libraries, a Rust drop-in replacement
 libzookeeper_mt.so.2 (multi-threaded) and libzookeeper_st.so.2
 (single-threaded) with the ABI of Apache ZooKeeper's $version C client,
 written in Rust. It replaces Debian's libzookeeper-mt2 and libzookeeper-st2:
 programs linked against those (such as zookeeper-bin) run on it unchanged.
 .
 TLS (zookeeper_init_ssl) is built in; SASL (zookeeper_init_sasl) loads
 Cyrus SASL (libsasl2-2 and the mechanisms' plugins) when first used.
C
cat >"$rt/DEBIAN/shlibs" <<C
libzookeeper_mt 2 libzookeeper-mt2
libzookeeper_st 2 libzookeeper-st2
C
echo "activate-noawait ldconfig" >"$rt/DEBIAN/triggers"

cat >"$dev/DEBIAN/control" <<C
Package: libzookeeper-rs-dev
Source: zookeeper-rs
Version: $debver
Architecture: $arch
Multi-Arch: same
Section: libdevel
Priority: optional
Maintainer: zookeeper-rs maintainers <root@localhost>
Depends: libzookeeper-rs2 (= $debver)
Provides: libzookeeper-mt-dev (= $refver), libzookeeper-st-dev (= $refver)
Conflicts: libzookeeper-mt-dev, libzookeeper-st-dev
Replaces: libzookeeper-mt-dev, libzookeeper-st-dev
Description: ZooKeeper C client libraries, a Rust drop-in (development files)
 Headers (<zookeeper/zookeeper.h>), libzookeeper_mt.so and libzookeeper_st.so,
 the static libraries, pkg-config files (zookeeper_mt, zookeeper_st) and the
 CMake package ZooKeeper (targets ZooKeeper::zookeeper_mt, ZooKeeper::zookeeper_st).
C

cat >"$dbg/DEBIAN/control" <<C
Package: libzookeeper-rs2-dbgsym
Source: zookeeper-rs
Version: $debver
Architecture: $arch
Multi-Arch: same
Section: debug
Priority: optional
Maintainer: zookeeper-rs maintainers <root@localhost>
Depends: libzookeeper-rs2 (= $debver)
Auto-Built-Package: debug-symbols
Build-Ids: ${ids[*]}
Description: debug symbols for libzookeeper-rs2
C

rm -f "$out"/*.deb
for p in libzookeeper-rs2 libzookeeper-rs-dev libzookeeper-rs2-dbgsym; do
  d="$out/root/$p"
  (cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
  size=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
  sed -i "/^Priority:/a Installed-Size: $size" "$d/DEBIAN/control"
  dpkg-deb --root-owner-group -Zxz --build "$d" "$out/${p}_${debver}_$arch.deb" >/dev/null
done
echo "build-debs: $(cd "$out" && ls -1 ./*.deb | tr '\n' ' ')"
echo "build-debs: runtime library $(stat -c %s "$rt/usr/lib/$multiarch/libzookeeper_mt.so.2.0.0") bytes stripped (libzookeeper_mt.so.2.0.0)"
