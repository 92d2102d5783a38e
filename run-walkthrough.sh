#!/usr/bin/env bash
# The main job: set everything up, build the library, start a local 3-node
# ZooKeeper pseudo-cluster (one zoo.cfg, data dir and myid per instance),
# and run the walkthrough on our libzookeeper_mt: create nodes with
# ZOO_OPEN_ACL_UNSAFE and flags 0 / SEQUENCE / EPHEMERAL / both, get with a
# watcher, set, list children, watch events, and one server killed midway.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
scripts/build.sh
dir=$(mktemp -d /tmp/zk-walkthrough.XXXXXX)
trap 'ctests/fixture/zk.sh stop "$dir"; rm -rf "$dir"' EXIT
echo "starting a 3-node ZooKeeper pseudo-cluster in $dir"
ctests/fixture/zk.sh start "$dir" 3 24810
for i in 1 2 3; do echo "  server.$i: $(sed -n 's/^clientPort=//p' "$dir/zoo.$i.cfg") (data $dir/data.$i, myid $(cat "$dir/data.$i/myid"))"; done
ZK_HOSTS=$(ctests/fixture/zk.sh hosts "$dir") \
ZK_FIXTURE=$PWD/ctests/fixture/zk.sh ZK_ENSEMBLE_DIR=$dir \
ZK_EXPECT_LIB=$PWD/build/lib/libzookeeper_mt.so.2 \
  build/walkthrough
