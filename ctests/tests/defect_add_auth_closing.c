/* Issue 8, defect "zoo_add_auth after close completes with ZCLOSING".
 *
 * The well-defined C scenario: a handle cannot be used after zookeeper_close
 * returns (it is freed), so "after close" means from a callback that runs
 * while zookeeper_close is in progress (close waits for the completion
 * thread). Per round: connect, an async exists whose completion first waits
 * until the main thread has entered zookeeper_close (+100 ms: close is then
 * blocked on this very callback), then calls zoo_add_auth with a completion.
 * As the reference, zoo_add_auth must return ZOK and its completion be
 * called once, with ZCLOSING, before zookeeper_close returns. 20 rounds.
 *
 * Reference (Debian 3.8.0): 20/20 rounds: returns ZOK, completion ZCLOSING.
 * Ours before the fix: 20/20 return ZINVALIDSTATE, completion never called. */
#define _GNU_SOURCE
#include "testutil.h"
#include <unistd.h>

static volatile int closing, auth_called, auth_cb_rc, add_rc, exists_rc;
static zhandle_t *zh;

static void auth_cb(int rc, const void *d) {
    auth_cb_rc = rc;
    __atomic_add_fetch(&auth_called, 1, __ATOMIC_SEQ_CST);
}

static void exists_cb(int rc, const struct Stat *s, const void *d) {
    exists_rc = rc;
    long long end = zkt_now_ms() + 5000;
    while (!closing && zkt_now_ms() < end) usleep(1000);
    usleep(100 * 1000); /* the main thread is inside zookeeper_close now */
    add_rc = zoo_add_auth(zh, "digest", "user:pass", 9, auth_cb, 0);
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    int rounds = 20, good = 0;
    int hist_add[256] = { 0 }, hist_cb[256] = { 0 }, no_cb = 0;
    for (int r = 0; r < rounds; r++) {
        closing = 0;
        auth_called = 0;
        auth_cb_rc = 1;
        add_rc = 1;
        zh = zkt_connect(zkt_hosts(), 0, 0);
        CHECK_RC(zoo_aexists(zh, "/", 0, exists_cb, 0), ZOK);
        closing = 1;
        CHECK_RC(zookeeper_close(zh), ZOK);
        int called = auth_called;
        if (add_rc <= 0 && add_rc > -256) hist_add[-add_rc]++;
        if (called == 1 && auth_cb_rc <= 0 && auth_cb_rc > -256) hist_cb[-auth_cb_rc]++;
        if (!called) no_cb++;
        int ok = add_rc == ZOK && called == 1 && auth_cb_rc == ZCLOSING;
        if (ok) good++;
        else if (r < 3)
            printf("  round %d: exists rc %d, zoo_add_auth returned %d (%s), its completion called %d time(s) (rc %d)\n", r,
                   exists_rc, add_rc, zerror(add_rc), called, called ? auth_cb_rc : 0);
    }
    printf("%d rounds: zoo_add_auth during close returned", rounds);
    for (int i = 0; i < 256; i++)
        if (hist_add[i]) printf(" [%d x %d %s]", hist_add[i], -i, zerror(-i));
    printf("; its completion was called with");
    for (int i = 0; i < 256; i++)
        if (hist_cb[i]) printf(" [%d x %d %s]", hist_cb[i], -i, zerror(-i));
    printf(" and not called %d times\n", no_cb);
    printf("%d/%d rounds as the reference (ZOK returned, the completion called once with ZCLOSING)\n",
           good, rounds);
    CHECK(good == rounds);
    return zkt_finish("defect_add_auth_closing");
}
