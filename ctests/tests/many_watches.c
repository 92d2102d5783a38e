/* 100,000 watches on long paths (about 21 MB of paths, twenty times the
 * server's jute.maxbuffer) survive a reconnect: they are re-registered in
 * several SetWatches requests, and fire afterwards. */
#include "testutil.h"
#include <unistd.h>

#define N 100000
static volatile long acked;
static void stat_cb(int rc, const struct Stat *s, const void *d) { __atomic_add_fetch(&acked, 1, __ATOMIC_SEQ_CST); }

int main(void) {
    zkt_prove_library();
    const char *hosts = zkt_hosts();
    const char *colon = strrchr(hosts, ':');
    zkt_proxy *proxy = zkt_proxy_start("127.0.0.1", atoi(colon + 1));
    char via[64];
    snprintf(via, sizeof via, "127.0.0.1:%d", zkt_proxy_port(proxy));
    static zkt_recorder rec, fired;
    zkt_recorder_init(&rec);
    zkt_recorder_init(&fired);
    zhandle_t *zh = zookeeper_init(via, zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    zhandle_t *other = zkt_connect(hosts, 0, 0);
    char root[64], pad[201], path[512];
    snprintf(root, sizeof root, "/zkt-%d-many", (int)getpid());
    memset(pad, 'p', 200);
    pad[200] = 0;
    CHECK_RC(zoo_create(other, root, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "%s/%s-%d", root, pad, i);
        CHECK_RC(zoo_awexists(zh, path, zkt_record_watcher, &fired, stat_cb, 0), ZOK);
        while (i - acked > 2000) usleep(100);
    }
    while (acked < N) usleep(1000);

    /* cut the connection, let it come back */
    int mark = zkt_count(&rec);
    zkt_proxy_block(proxy, 1);
    int lost = zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 10000);
    CHECK(lost >= 0);
    zkt_proxy_block(proxy, 0);
    int back = zkt_wait_event(&rec, lost + 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 20000);
    CHECK(back > lost);
    /* the session stays up (an oversized SetWatches would make the server drop it) */
    usleep(1500000);
    CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(zkt_count(&rec) == back + 1);
    /* watches set before the reconnect fire after it: first, middle and last */
    int idx[3] = { 0, N / 2, N - 1 };
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%s-%d", root, pad, idx[k]);
        CHECK_RC(zoo_create(other, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
        CHECK(zkt_wait_event(&fired, 0, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, path, 10000) >= 0);
    }
    zookeeper_close(zh);
    zkt_rmr(other, root);
    zookeeper_close(other);
    return zkt_finish("many_watches");
}
