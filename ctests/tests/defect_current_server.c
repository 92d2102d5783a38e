/* Issue 8, defect "zoo_get_current_server returns storage that stays valid".
 *
 * The reference returns a static buffer: a pointer a caller keeps stays
 * readable across reconnects. The handle is connected through a TCP proxy of
 * this test; the test keeps the pointer, cuts the proxy (every connection
 * attempt is refused) for ~2 s so that the client makes several connection
 * attempts, lets it reconnect, and reads the kept pointer again. Run under
 * valgrind memcheck (ctest defect_current_server): reading storage the
 * library freed is an invalid read there; without valgrind the test still
 * compares the text.
 *
 * Reference (Debian 3.8.0): valgrind clean, text unchanged.
 * Ours before the fix: the IO thread frees the string on every connection
 * attempt: "Invalid read" under valgrind. */
#define _GNU_SOURCE
#include "testutil.h"
#include <unistd.h>

static volatile int nconnected;
static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) __atomic_add_fetch(&nconnected, 1, __ATOMIC_SEQ_CST);
}

static int wait_connected(zhandle_t *zh, int n, int ms) {
    long long end = zkt_now_ms() + ms;
    while ((zoo_state(zh) != ZOO_CONNECTED_STATE || nconnected < n) && zkt_now_ms() < end) usleep(10000);
    return zoo_state(zh) == ZOO_CONNECTED_STATE && nconnected >= n;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *h = zkt_hosts();
    const char *c = strrchr(h, ':');
    REQUIRE(c && !strchr(h, ','));
    zkt_proxy *px = zkt_proxy_start("127.0.0.1", atoi(c + 1));
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", zkt_proxy_port(px));
    zhandle_t *zh = zookeeper_init(hosts, watcher, 20000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    REQUIRE(wait_connected(zh, 1, 30000));
    const char *kept = zoo_get_current_server(zh);
    REQUIRE(kept);
    char copy[256];
    snprintf(copy, sizeof copy, "%s", kept);
    printf("current server: [%s] (pointer %p)\n", copy, (void *)kept);
    int cycles = 3;
    for (int i = 0; i < cycles; i++) {
        zkt_proxy_block(px, 1); /* connection lost; attempts refused */
        usleep(2000 * 1000);
        zkt_proxy_block(px, 0);
        REQUIRE(wait_connected(zh, i + 2, 30000));
        const char *now = zoo_get_current_server(zh);
        /* the read of the kept pointer is what valgrind checks */
        int same = strcmp(kept, copy) == 0;
        printf("after cut %d: connected %d times; kept pointer reads [%.60s] (%s); current [%s] at %p\n", i + 1,
               nconnected, kept, same ? "unchanged" : "CHANGED", now ? now : "(null)", (void *)now);
        CHECK(same);
    }
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("defect_current_server");
}
