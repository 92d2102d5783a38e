/* Read-only mode on a 3-node ensemble whose servers may serve read-only
 * (readonlymode.enabled, local sessions): with two servers down, a client
 * that allows it (ZOO_READONLY) connects to the remaining server in
 * ZOO_READONLY_STATE, reads, gets ZNOTREADONLY on writes; a client that
 * does not allow it stays unconnected. When the quorum is back, the
 * read-only client moves to a read-write server by itself. */
#include "testutil.h"
#include <unistd.h>

static char *mode_of(int i, char *buf, size_t n) {
    char c[1024];
    snprintf(c, sizeof c, "%s mode %s %d", getenv("ZK_FIXTURE"), getenv("ZK_ENSEMBLE_DIR"), i);
    FILE *p = popen(c, "r");
    buf[0] = 0;
    if (p) {
        if (!fgets(buf, n, p)) buf[0] = 0;
        pclose(p);
    }
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    zhandle_t *w = zkt_connect(zkt_hosts(), 0, 0);
    char node[64], buf[64], m[64];
    snprintf(node, sizeof node, "/zkt-%d-ro", (int)getpid());
    CHECK_RC(zoo_create(w, node, "v", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    zookeeper_close(w);

    zkt_fixture("kill", 2);
    zkt_fixture("kill", 3);
    long long end = zkt_now_ms() + 30000;
    while (strcmp(mode_of(1, m, sizeof m), "read-only") && zkt_now_ms() < end) usleep(100000);
    printf("server 1 mode: %s\n", m);
    CHECK(!strcmp(m, "read-only"));

    static zkt_recorder rec, rec2;
    zkt_recorder_init(&rec);
    zkt_recorder_init(&rec2);
    zhandle_t *ro = zookeeper_init(zkt_hosts(), zkt_record_watcher, 10000, 0, &rec, ZOO_READONLY);
    zhandle_t *rw = zookeeper_init(zkt_hosts(), zkt_record_watcher, 10000, 0, &rec2, 0);
    REQUIRE(ro && rw);
    CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_READONLY_STATE, "", 20000) == 0);
    CHECK(zoo_state(ro) == ZOO_READONLY_STATE);
    int len = sizeof buf;
    CHECK_RC(zoo_get(ro, node, 0, buf, &len, 0), ZOK);
    CHECK(len == 1 && buf[0] == 'v');
    CHECK_RC(zoo_set(ro, node, "x", 1, -1), ZNOTREADONLY);
    CHECK(zoo_state(rw) != ZOO_CONNECTED_STATE && zoo_state(rw) != ZOO_READONLY_STATE);

    /* the quorum comes back: the read-only client finds a read-write server */
    int mark = zkt_count(&rec);
    zkt_fixture("restart", 2);
    zkt_fixture("restart", 3);
    zkt_fixture("wait", 2);
    zkt_fixture("wait", 3);
    zkt_fixture("wait", 1);
    long long t0 = zkt_now_ms();
    int back = zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 90000);
    CHECK(back >= mark);
    printf("read-only client moved to a read-write server %lld ms after the quorum returned\n", zkt_now_ms() - t0);
    CHECK(zoo_state(ro) == ZOO_CONNECTED_STATE);
    CHECK_RC(zoo_set(ro, node, "x", 1, -1), ZOK);
    CHECK(zkt_wait_event(&rec2, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 30000) >= 0);
    CHECK_RC(zoo_delete(rw, node, -1), ZOK);
    zookeeper_close(ro);
    zookeeper_close(rw);
    return zkt_finish("readonly");
}
