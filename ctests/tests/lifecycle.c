/* $ZK_CYCLES (default 1,000) init/close cycles, every other one connected
 * first; then close with 10,000 calls in flight: each completes exactly
 * once. Run plain and under memcheck (no leak, no invalid access). */
#include "testutil.h"
#include <unistd.h>

#define INFLIGHT 10000
static unsigned char seen[INFLIGHT];
static volatile long done;
static void cb(int rc, const struct Stat *s, const void *d) {
    seen[(long)d]++;
    __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST);
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *c = getenv("ZK_CYCLES");
    int cycles = c ? atoi(c) : 1000;
    long long t0 = zkt_now_ms();
    for (int i = 0; i < cycles; i++) {
        zhandle_t *zh = zookeeper_init(zkt_hosts(), 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        REQUIRE(zh);
        if (i % 2) {
            long long end = zkt_now_ms() + 10000;
            while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(500);
            CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
        }
        CHECK_RC(zookeeper_close(zh), ZOK);
    }
    printf("%d init/close cycles in %lld ms\n", cycles, zkt_now_ms() - t0);
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    for (long i = 0; i < INFLIGHT; i++) CHECK_RC(zoo_aexists(zh, "/", 0, cb, (void *)i), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);
    long once = 0;
    for (long i = 0; i < INFLIGHT; i++) once += seen[i] == 1;
    printf("close with %d calls in flight: %ld completed exactly once\n", INFLIGHT, once);
    CHECK(done == INFLIGHT && once == INFLIGHT);
    return zkt_finish("lifecycle");
}
