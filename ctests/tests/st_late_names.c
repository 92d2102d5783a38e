/* Late names (issue 17, point 1) in the ST library, from st_util's poll()
 * loop: zookeeper_init before the names resolve gives a handle in
 * ZOO_CONNECTING_STATE; the loop keeps it trying (every loop round returns
 * at once, the process stays at one thread) and it connects
 * once the names exist. With ZKT_REFERENCE (Debian's libzookeeper_st):
 * NULL with ENOENT. */
#include "st_util.h"
#include "fake_names.h"
#include <errno.h>
#include <unistd.h>

#define TIMEOUT_MS 4000
#define MAX_DELAY_MS (TIMEOUT_MS / 3 < 200 ? 200 : TIMEOUT_MS / 3 > 4000 ? 4000 : TIMEOUT_MS / 3)

static int connected, other_events;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    stu_callback("watcher");
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) connected++;
    else other_events++;
}

static int exists_rc = 999;
static void exists_done(int rc, const struct Stat *s, const void *d) {
    stu_callback("exists completion");
    exists_rc = rc;
}

int main(void) {
    stu_prove_library();
    zkt_names_init("st_late_names");
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    char spec[256], a[3][64];
    zkt_names_ensemble(spec, sizeof spec, a);
    long long t0 = zkt_now_ms();
    errno = 0;
    zhandle_t *zh = zookeeper_init(spec, watcher, TIMEOUT_MS, 0, 0, ZOO_NO_LOG_CLIENTENV);
    int e = errno;
    printf("zookeeper_init(\"%s\") before the names exist: %s, errno=%d (%s), %lld ms\n", spec,
           zh ? "a handle" : "NULL", e, strerror(e), zkt_now_ms() - t0);
#ifdef ZKT_REFERENCE
    CHECK(!zh && e == ENOENT);
    if (zh) zookeeper_close(zh);
#else
    REQUIRE(zh);
    /* CONNECTING, or NOTCONNECTED until the first loop round (as the
     * reference reports a new handle); after every round CONNECTING, or 0
     * between rounds (the ST state table, the reference's) */
    int s0 = zoo_state(zh);
    printf("state before the first round: %d (%s)\n", s0, zkt_state_name(s0));
    CHECK(s0 == ZOO_CONNECTING_STATE || s0 == ZOO_NOTCONNECTED_STATE);
    stu_loop_add(zh);
    /* 2 s of loop without names: never connected, the names asked again,
     * no loop round held up */
    long rounds = stu_loop_rounds, slowest = 0;
    int not_connecting = 0, last = -1;
    for (long long end = zkt_now_ms() + 2000; zkt_now_ms() < end;) {
        long long r0 = zkt_now_ms();
        stu_loop_once(50, -1);
        long long took = zkt_now_ms() - r0;
        if (took > slowest) slowest = (long)took;
        last = zoo_state(zh);
        if (last != ZOO_CONNECTING_STATE && last != 0) not_connecting++;
    }
    int asked = zkt_names_calls("zk1.zk.test", t0);
    printf("2 s without names: %ld loop rounds (slowest %ld ms, poll included), %d in a state other than "
           "CONNECTING or 0 (last %d), zk1.zk.test asked %d times\n", stu_loop_rounds - rounds, slowest,
           not_connecting, last, asked);
    CHECK(not_connecting == 0 && connected == 0 && other_events == 0);
    CHECK(slowest <= 150);
    CHECK(asked >= 2 && asked <= 2000 / 200 + 2);

    zkt_names_give_ensemble(a);
    long long named = zkt_now_ms();
    stu_wait_flag(&connected, 15000);
    long long took = zkt_now_ms() - named;
    printf("connected %lld ms after the names were added (bound: the longest back-off %d ms + 1 s)\n", took,
           MAX_DELAY_MS);
    CHECK(connected == 1);
    CHECK(took <= MAX_DELAY_MS + 1000);
    CHECK(zkt_server_index(zh) >= 1);
    stu_in = STU_IN_CALL;
    CHECK_RC(zoo_aexists(zh, "/", 0, exists_done, 0), ZOK);
    stu_in = STU_IN_NONE;
    long long w = zkt_now_ms();
    while (exists_rc == 999 && zkt_now_ms() - w < 5000) stu_loop_once(100, -1);
    CHECK_RC(exists_rc, ZOK);
    CHECK_RC(stu_close(zh), ZOK);
#endif
    return stu_finish("st_late_names");
}
