#!/usr/bin/env bash
# Installs what building and testing need on a fresh Debian machine:
# the reference C clients, multi- and single-threaded, and their tools (for
# ABI comparison and the side-by-side runs), the real ZooKeeper server, a C
# toolchain and CMake. (libzookeeper-st-dev is not installed: it conflicts
# with libzookeeper-mt-dev, and its headers are the same; its package is
# downloaded into build/, where the `sizes` test finds Debian's
# libzookeeper_st.a.)
# The Rust toolchain (cargo) must already be on PATH.
set -euo pipefail
# TLS tests (ctests/fixture/tls.sh): openssl makes the certificates, keytool
# (in the JRE) the server's truststore; the Netty server factory needs
# netty-codec/resolver (libnetty-java), and slf4j-log4j12 + log4j give its log.
# SASL: the library loads Cyrus SASL (libsasl2-2) at zookeeper_init_sasl; its
# DIGEST-MD5 plugin is in libsasl2-modules; the SASL test programs include
# <sasl/sasl.h> and call sasl_client_init (libsasl2-dev).
pkgs=(zookeeper zookeeper-bin libzookeeper-mt-dev libzookeeper-mt2 libzookeeper-st2 cmake gcc g++ make pkgconf binutils python3 python3-venv python3-dev procps valgrind
      openssl libnetty-java libslf4j-java liblog4j1.2-java
      libsasl2-2 libsasl2-modules libsasl2-dev)
# shellcheck source=ensure-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/ensure-packages.sh"
ensure_packages setup "${pkgs[@]}"
command -v java >/dev/null || { echo "setup: java is missing (the zookeeper package needs a JRE)"; exit 1; }
command -v keytool >/dev/null || { echo "setup: keytool is missing (it comes with the JRE)"; exit 1; }
command -v cargo >/dev/null || { echo "setup: cargo is missing (install Rust with rustup)"; exit 1; }
# Debian's libzookeeper_st.a, for the sizes test (ctests/tools/sizes_test.py)
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! ls build/libzookeeper-st-dev_*.deb >/dev/null 2>&1; then
  mkdir -p build
  (cd build && apt-get download -qq libzookeeper-st-dev 2>/dev/null) ||
    echo "setup: could not download libzookeeper-st-dev (the sizes test will skip Debian's libzookeeper_st.a)"
fi
