#!/usr/bin/env bash
# Runs a command (as root) in a throw-away copy-on-write view of this
# machine's root file system: an overlayfs over / in a private mount
# namespace, its changes kept in a tmpfs that disappears at exit. What the
# command installs or removes with apt never reaches the real system, and
# other users of the machine keep Debian's library while it runs.
# /proc, /sys and /dev are the real ones; the network is shared (loopback).
#   packaging/sandbox.sh COMMAND [ARGS...]     (the current directory is kept)
# For trying packaging/test-debs.sh on a shared machine; CI runs that test
# directly (it restores the machine itself).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "sandbox: needs root"; exit 1; }
[ $# -gt 0 ] || { echo "usage: sandbox.sh COMMAND [ARGS...]"; exit 2; }
if [ "${ZK_SANDBOX_INSIDE:-}" != 1 ]; then
  exec unshare --mount --propagation private env ZK_SANDBOX_INSIDE=1 "$0" "$@"
fi
base=$(mktemp -d /tmp/zk-sandbox.XXXXXX)
mount -t tmpfs -o size=8g zk-sandbox "$base"
mkdir "$base/upper" "$base/work" "$base/root"
mount -t overlay zk-sandbox -o "lowerdir=/,upperdir=$base/upper,workdir=$base/work" "$base/root"
for d in proc sys dev dev/pts dev/shm; do
  mount --rbind "/$d" "$base/root/$d"
done
rc=0
chroot "$base/root" env ZK_SANDBOX=1 bash -c 'cd "$1" && shift && exec "$@"' sandbox "$PWD" "$@" || rc=$?
umount -R -l "$base/root"; umount -l "$base"; rmdir "$base"
exit $rc
