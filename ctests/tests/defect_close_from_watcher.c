/* Issue 8, defect "a call made from a watcher while zookeeper_close is in
 * progress returns ZCLOSING (or succeeds), never ZINVALIDSTATE".
 *
 * The loop (as the C client's cppunit testHangingClient): per round,
 * connect, set a child watch on a node, create a child, delete it, close.
 * The child watcher calls sync zoo_wget_children again each time it fires,
 * so the watch set by the create's event fires on the delete, often while
 * zookeeper_close is running in the main thread. 400 rounds; the return codes
 * of the calls made from the watcher are counted: each must be ZOK or
 * ZCLOSING.
 *
 * Reference (Debian 3.8.0): no ZINVALIDSTATE, but the reference itself FAILS
 * this test: of 736 calls, 365 ZOK, 347 ZCLOSING and 24 ZMARSHALLINGERROR
 * (a race in the reference: its closing check passes, then adding the
 * completion fails because close began, and the async call maps that failure
 * to ZMARSHALLINGERROR). The issue and the cppunit test ask for ZOK or
 * ZCLOSING, so this test is strict; on the reference it fails only by the
 * ZMARSHALLINGERROR count.
 * Ours before the fix: 481 calls, 429 ZOK, 52 ZINVALIDSTATE, no ZCLOSING.
 * (Note: the reference calls the watcher ~1.8 times per round, ours ~1.2:
 * ours drops more of the delete's events at close.) */
#define _GNU_SOURCE
#include "testutil.h"
#include <unistd.h>

static char parent[128];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int rc_count[256]; /* by -rc */
static int ncalls, nduring_close;
static volatile int closing;

static void child_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type != ZOO_CHILD_EVENT) return;
    int during = closing;
    struct String_vector v = { 0, 0 };
    int rc = zoo_wget_children(zh, parent, child_watcher, ctx, &v);
    if (rc == ZOK) deallocate_String_vector(&v);
    pthread_mutex_lock(&mu);
    ncalls++;
    if (during) nduring_close++;
    if (rc <= 0 && rc > -256) rc_count[-rc]++;
    pthread_mutex_unlock(&mu);
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *hosts = zkt_hosts();
    snprintf(parent, sizeof parent, "%s", zkt_root("cfw"));
    zhandle_t *admin = zkt_connect(hosts, 0, 0);
    CHECK_RC(zoo_create(admin, parent, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    char child[160];
    snprintf(child, sizeof child, "%s/c", parent);
    int rounds = 400;
    long long t0 = zkt_now_ms();
    for (int r = 0; r < rounds; r++) {
        closing = 0;
        zhandle_t *zh = zkt_connect(hosts, 0, 0);
        struct String_vector v;
        CHECK_RC(zoo_wget_children(zh, parent, child_watcher, 0, &v), ZOK);
        deallocate_String_vector(&v);
        CHECK_RC(zoo_create(zh, child, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
        CHECK_RC(zoo_delete(zh, child, -1), ZOK);
        closing = 1;
        CHECK_RC(zookeeper_close(zh), ZOK);
    }
    long long took = zkt_now_ms() - t0;
    printf("%d rounds in %lld ms; %d zoo_wget_children calls from the child watcher (%d of them while closing):",
           rounds, took, ncalls, nduring_close);
    int bad = 0;
    for (int i = 0; i < 256; i++) {
        if (!rc_count[i]) continue;
        printf(" [%d x %d %s]", rc_count[i], -i, zerror(-i));
        if (-i != ZOK && -i != ZCLOSING) bad += rc_count[i];
    }
    printf("\n%d calls returned something other than ZOK/ZCLOSING (want 0; ZINVALIDSTATE: %d)\n", bad,
           rc_count[-ZINVALIDSTATE]);
    CHECK(bad == 0);
    CHECK(ncalls >= rounds); /* the create's event fires in every round */
    zkt_rmr(admin, parent);
    CHECK_RC(zookeeper_close(admin), ZOK);
    return zkt_finish("defect_close_from_watcher");
}
