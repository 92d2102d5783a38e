/* Built against an installed ZooKeeper C client (see CMakeLists.txt).
 * Prints the file that provides zookeeper_init; with THREADED (the _mt
 * library) it also creates, reads and deletes a node on $ZK_HOSTS and logs a
 * line through the LOG_* macros (the variadic log_message). */
#define _GNU_SOURCE
#include <zookeeper/zookeeper.h>
#include <zookeeper/zookeeper_log.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    Dl_info info;
    char real[PATH_MAX];
    if (!dladdr((void *)&zookeeper_init, &info) || !info.dli_fname) return 2;
    printf("library: %s\n", realpath(info.dli_fname, real) ? real : info.dli_fname);
    printf("version: %s\n", ZOO_VERSION);
#ifdef THREADED
    const char *hosts = getenv("ZK_HOSTS");
    if (!hosts) return 2;
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    zhandle_t *zh = zookeeper_init(hosts, NULL, 10000, NULL, NULL, 0);
    if (!zh) return 3;
    for (int i = 0; i < 1000 && zoo_state(zh) != ZOO_CONNECTED_STATE; i++) usleep(10000);
    char path[64], created[64], buf[32];
    int len = sizeof buf;
    snprintf(path, sizeof path, "/consumer-%d", (int)getpid());
    int rc = zoo_create(zh, path, "hi", 2, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, created, sizeof created);
    if (rc == ZOK) rc = zoo_get(zh, path, 0, buf, &len, NULL);
    if (rc == ZOK && (len != 2 || memcmp(buf, "hi", 2) != 0)) rc = -1000;
    if (rc == ZOK) rc = zoo_delete(zh, path, -1);
    LOG_WARN(LOGCALLBACK(zh), "consumer: %s %d", "rc", rc);
    zookeeper_close(zh);
    printf("create/get/delete: %s\n", rc == ZOK ? "ok" : zerror(rc));
    return rc == ZOK ? 0 : 1;
#else
    printf("single-threaded: %s\n", zerror(ZOK));
    return 0;
#endif
}
