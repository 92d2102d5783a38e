// Our headers compile as C++ too (extern "C" guards, no C-only constructs).
#include <zookeeper/zookeeper.h>
#include <zookeeper/zookeeper_log.h>
#include <zookeeper/proto.h>
#include <zookeeper/recordio.h>
#include <zookeeper/zookeeper_version.h>
#include <cstdio>

static void watcher(zhandle_t *, int, int, const char *, void *) {}

int main() {
    zoo_op_t op;
    zoo_create_op_init(&op, "/x", "v", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0);
    watcher_fn w = watcher;
    std::printf("%s %d %d %s\n", ZOO_VERSION, op.create_op.flags, ZOK, w ? "ok" : "");
    return 0;
}
