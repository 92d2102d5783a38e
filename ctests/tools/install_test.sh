#!/usr/bin/env bash
# cmake --install into a staging prefix, then build a small client against
# the installed headers and library only, run it, and check it loaded the
# installed library and talked to the server.
#   install_test.sh BUILD_DIR CC
set -euo pipefail
build=$1; cc=$2
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cmake --install "$build" --prefix "$stage" >/dev/null
for f in lib/libzookeeper_mt.so lib/libzookeeper_mt.so.2 lib/libzookeeper_mt.so.2.0.0 lib/libzookeeper_mt.a \
         include/zookeeper/zookeeper.h include/zookeeper/zookeeper.jute.h include/zookeeper/recordio.h \
         include/zookeeper/proto.h include/zookeeper/zookeeper_log.h include/zookeeper/zookeeper_version.h \
         lib/pkgconfig/zookeeper_mt.pc lib/cmake/ZooKeeper/ZooKeeperConfig.cmake lib/cmake/ZooKeeper/ZooKeeperConfigVersion.cmake; do
  [ -e "$stage/$f" ] || { echo "not installed: $f"; exit 1; }
done
[ "$(readlink "$stage/lib/libzookeeper_mt.so.2")" = libzookeeper_mt.so.2.0.0 ]
cat >"$stage/client.c" <<'C'
#include <zookeeper/zookeeper.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(void) {
    zhandle_t *zh = zookeeper_init(getenv("ZK_HOSTS"), 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    for (int i = 0; i < 500 && zoo_state(zh) != ZOO_CONNECTED_STATE; i++) usleep(10000);
    struct String_vector v;
    int rc = zoo_get_children(zh, "/", 0, &v);
    printf("rc=%d children=%d version=%s\n", rc, rc == ZOK ? v.count : -1, ZOO_VERSION);
    if (rc == ZOK) deallocate_String_vector(&v);
    zookeeper_close(zh);
    return rc;
}
C
"$cc" -DTHREADED -I"$stage/include" "$stage/client.c" -L"$stage/lib" -lzookeeper_mt -Wl,-rpath,"$stage/lib" -o "$stage/client"
readelf -d "$stage/client" | grep "NEEDED.*libzookeeper_mt.so.2" >/dev/null
ldd "$stage/client" | grep "$stage/lib/libzookeeper_mt.so.2" >/dev/null
"$stage/client"
# the static library links too
"$cc" -DTHREADED -I"$stage/include" "$stage/client.c" "$stage/lib/libzookeeper_mt.a" -lpthread -ldl -lm -o "$stage/client_static"
ZK_HOSTS=$ZK_HOSTS "$stage/client_static" | grep "rc=0" >/dev/null
echo "install: ok (shared and static)"
