/* Issue 8, defect "session events with many watchers do not cost O(n^2)".
 *
 * 100,000 distinct watched paths (an exists watch on each of 100,000 missing
 * nodes), each with its own watcher context, so that a session event goes to
 * 100,000 distinct watchers (both libraries deliver a session event once to
 * every distinct watcher/context pair). The connection is cut (a TCP proxy
 * of this test drops it): the time from the cut until every watcher has been
 * called with SESSION/CONNECTING is measured, then again after the proxy
 * lets the client reconnect, until every watcher has seen SESSION/CONNECTED.
 *
 * Bound: every watcher called with SESSION/CONNECTING within 500 ms of the
 * cut (an O(n) collection and delivery of 100,000 watchers takes a few tens
 * of ms); the reconnect part is only checked loosely (10 s), since it also
 * holds the back-off and the SetWatches round trips.
 *
 * Measured on the 2-core test machine (cut -> last CONNECTING):
 *            50,000 watchers   100,000 watchers
 *   ours       630 ms            1,902 ms   (Vec::contains dedup: O(n^2))
 *   reference 1,358 ms           4,998 ms
 * The REFERENCE FAILS this test too: its collectWatchers/add_to_list dedup
 * scans a linked list for every watcher (containsWatcher), also O(n^2), and
 * is ~2.5x slower than ours. The issue asks ours not to be O(n^2); the
 * bound follows the issue, not the reference.
 * $ZK_WATCHERS overrides the count (for measuring). */
#define _GNU_SOURCE
#include "testutil.h"
#include <unistd.h>

static int N = 100000;
static volatile long acked, nconnecting, nconnected, nother;
static volatile long long t_last_connecting, t_last_connected;
static unsigned char *seen; /* per watcher: bit0 CONNECTING, bit1 CONNECTED */

static void stat_cb(int rc, const struct Stat *s, const void *d) { __atomic_add_fetch(&acked, 1, __ATOMIC_SEQ_CST); }

static void w(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    long i = (long)ctx - 1;
    if (type != ZOO_SESSION_EVENT || i < 0 || i >= N) {
        nother++;
        return;
    }
    /* watchers run on one thread (the completion thread) in both libraries */
    if (state == ZOO_CONNECTING_STATE && !(seen[i] & 1)) {
        seen[i] |= 1;
        if (++nconnecting == N) t_last_connecting = zkt_now_ms();
    } else if (state == ZOO_CONNECTED_STATE && !(seen[i] & 2)) {
        seen[i] |= 2;
        if (++nconnected == N) t_last_connected = zkt_now_ms();
    }
}

static volatile int main_state;
static void main_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT) main_state = state;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    if (getenv("ZK_WATCHERS")) N = atoi(getenv("ZK_WATCHERS"));
    seen = calloc((size_t)N, 1);
    const char *hosts = zkt_hosts();
    const char *colon = strrchr(hosts, ':');
    REQUIRE(colon && !strchr(hosts, ','));
    zkt_proxy *proxy = zkt_proxy_start("127.0.0.1", atoi(colon + 1));
    char via[64];
    snprintf(via, sizeof via, "127.0.0.1:%d", zkt_proxy_port(proxy));
    zhandle_t *zh = zookeeper_init(via, main_watcher, 20000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    char root[64], path[128];
    snprintf(root, sizeof root, "/zkt-%d-sew", (int)getpid());
    long long t0 = zkt_now_ms();
    for (int i = 0; i < N; i++) {
        snprintf(path, sizeof path, "%s/%d", root, i);
        CHECK_RC(zoo_awexists(zh, path, w, (void *)(long)(i + 1), stat_cb, 0), ZOK);
        while (i - acked > 2000) usleep(100);
    }
    while (acked < N && zkt_now_ms() < t0 + 60000) usleep(1000);
    REQUIRE(acked == N);
    printf("%d exists watches set in %lld ms\n", N, zkt_now_ms() - t0);

    long long cut = zkt_now_ms();
    zkt_proxy_block(proxy, 1);
    end = cut + 60000;
    while (nconnecting < N && zkt_now_ms() < end) usleep(1000);
    long long d_lost = nconnecting == N ? t_last_connecting - cut : -1;
    printf("connection cut: %ld/%d watchers called with SESSION/CONNECTING, the last %lld ms after the cut\n",
           nconnecting, N, d_lost);
    long long back = zkt_now_ms();
    zkt_proxy_block(proxy, 0);
    end = back + 60000;
    while (nconnected < N && zkt_now_ms() < end) usleep(1000);
    long long d_back = nconnected == N ? t_last_connected - back : -1;
    printf("reconnect: %ld/%d watchers called with SESSION/CONNECTED, the last %lld ms after the proxy reopened "
           "(includes the reconnect and the SetWatches of %d paths)\n", nconnected, N, d_back, N);
    /* Bounds: see the header comment for the measured values. */
    CHECK(nconnecting == N && nconnected == N);
    CHECK(d_lost >= 0 && d_lost <= 500);
    CHECK(d_back >= 0 && d_back <= 10000);
    CHECK(nother == 0);
    zookeeper_close(zh);
    return zkt_finish("defect_session_event_watchers");
}
