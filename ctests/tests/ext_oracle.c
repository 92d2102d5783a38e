/* The C side of the event-stream oracle (ctests/oracle/WatchOracle.java):
 * the same watches and the same sequence of changes with our library; each
 * event printed as "WATCH TYPE PATH" (path relative to ROOT).
 *   ext_oracle HOSTS ROOT */
#include "testutil.h"
#include <zookeeper/zookeeper_ext.h>
#include <unistd.h>

static const char *root;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char out[64][256];
static int nout;

static void recorder(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT) return;
    pthread_mutex_lock(&mu);
    if (nout < 64) snprintf(out[nout++], sizeof out[0], "%s %d %s", (const char *)ctx, type, path + strlen(root));
    pthread_mutex_unlock(&mu);
}

static void op(int rc) { if (rc != ZOK) { fprintf(stderr, "ext_oracle: call failed: %s\n", zerror(rc)); exit(1); } }

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    root = argv[2];
    zhandle_t *zh = zkt_connect(argv[1], 0, 0);
    char p[512], r[512], q[512];
    snprintf(p, sizeof p, "%s/p", root);
    snprintf(r, sizeof r, "%s/r", root);
    op(zoo_create(zh, root, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_create(zh, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_create(zh, r, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_add_watch(zh, p, ZOO_ADD_WATCH_PERSISTENT, recorder, "persistent"));
    op(zoo_add_watch(zh, r, ZOO_ADD_WATCH_PERSISTENT_RECURSIVE, recorder, "recursive"));
    for (int i = 0; i < 3; i++) { char v[8]; snprintf(v, sizeof v, "v%d", i); op(zoo_set(zh, p, v, (int)strlen(v), -1)); }
#define PATH(fmt) (snprintf(q, sizeof q, fmt, root), q)
    op(zoo_create(zh, PATH("%s/p/c"), "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_set(zh, PATH("%s/p/c"), "x", 1, -1));
    op(zoo_delete(zh, PATH("%s/p/c"), -1));
    op(zoo_create(zh, PATH("%s/r/a"), "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_create(zh, PATH("%s/r/a/b"), "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_set(zh, PATH("%s/r/a/b"), "y", 1, -1));
    op(zoo_set(zh, PATH("%s/r/a"), "z", 1, -1));
    op(zoo_set(zh, r, "w", 1, -1));
    op(zoo_create(zh, PATH("%s/r/e"), "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0));
    op(zoo_delete(zh, PATH("%s/r/a/b"), -1));
    op(zoo_delete(zh, PATH("%s/r/a"), -1));
    op(zoo_delete(zh, PATH("%s/r/e"), -1));
    op(zoo_delete(zh, p, -1));
    op(zoo_create(zh, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0));
    op(zoo_delete(zh, p, -1));
    op(zoo_delete(zh, r, -1));
    usleep(500000);
    zookeeper_close(zh);
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nout; i++) printf("%s\n", out[i]);
    pthread_mutex_unlock(&mu);
    return 0;
}
