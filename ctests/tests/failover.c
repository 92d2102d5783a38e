/* Fault test on the 3-node ensemble: under about 1,000 async calls per
 * second, the server the client is on, the leader and a follower are
 * killed in turn (and restarted). Checked: the same session id, ephemerals
 * kept, a watch set before each failure fires after it, every async call
 * completed exactly once, and the number of connect() calls per server loss
 * (counted by the connect_counter shim loaded with LD_PRELOAD). */
#define _GNU_SOURCE
#include "testutil.h"
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <unistd.h>

#define MAXCALLS 200000
static unsigned char done_count[MAXCALLS];
static volatile long issued, completed_total, lost_calls;
static volatile int stop_load;
static zhandle_t *zh;
static char node[128];

static void done_cb(int rc, const struct Stat *s, const void *d) {
    long i = (long)d;
    __atomic_add_fetch(&done_count[i], 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&completed_total, 1, __ATOMIC_SEQ_CST);
    if (rc == ZCONNECTIONLOSS) __atomic_add_fetch(&lost_calls, 1, __ATOMIC_SEQ_CST);
}

static void *load(void *arg) {
    while (!stop_load && issued < MAXCALLS) {
        long i = issued;
        int rc = zoo_aexists(zh, node, 0, done_cb, (void *)i);
        if (rc == ZOK) issued++;
        usleep(1000); /* about 1,000 calls per second */
    }
    return 0;
}

int main(void) {
    zkt_prove_library();
    long (*connects)(void) = (long (*)(void))dlsym(RTLD_DEFAULT, "zkt_connect_count");
    REQUIRE(connects); /* run with LD_PRELOAD=libconnect_counter.so */
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    static zkt_recorder rec, w;
    zkt_recorder_init(&rec);
    zkt_recorder_init(&w);
    zh = zookeeper_init(zkt_hosts(), zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 15000) == 0);
    long c0 = connects();
    int64_t session = zoo_client_id(zh)->client_id;
    snprintf(node, sizeof node, "/zkt-%d-failover", (int)getpid());
    char eph[160];
    snprintf(eph, sizeof eph, "%s-eph", node);
    CHECK_RC(zoo_create(zh, node, "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK_RC(zoo_create(zh, eph, "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZOK);
    pthread_t lt;
    pthread_create(&lt, 0, load, 0);

    const char *kinds[4] = { "connected", "leader", "follower", "connected" };
    int losses = 0;
    for (int k = 0; k < 4; k++) {
        int on = zkt_server_index(zh), leader = zkt_fixture("leader", 0), victim;
        if (!strcmp(kinds[k], "connected")) victim = on;
        else if (!strcmp(kinds[k], "leader")) victim = leader;
        else victim = (leader % 3) + 1;
        REQUIRE(victim >= 1);
        /* a watch set before the failure */
        char buf[16];
        int len = sizeof buf;
        CHECK_RC(zoo_wget(zh, node, zkt_record_watcher, &w, buf, &len, 0), ZOK);
        int mark = zkt_count(&rec), wmark = zkt_count(&w);
        printf("round %d: killing server %d (%s; client on %d, leader %d)\n", k + 1, victim, kinds[k], on, leader);
        fflush(stdout);
        zkt_fixture("kill", victim);
        long before = connects();
        long long t_kill = zkt_now_ms();
        int lost = zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", victim == on || victim == leader ? 15000 : 2000);
        if (lost >= 0) {
            losses++;
            CHECK(zkt_wait_event(&rec, lost + 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 30000) > lost);
            long long took = zkt_now_ms() - t_kill;
            long n = connects() - before;
            printf("  reconnected in %lld ms with %ld connect() calls (%.1f per second)\n", took, n,
                   took > 0 ? n * 1000.0 / took : 0.0);
        }
        /* wait until the ensemble serves again, then check the session */
        int rc;
        long long end = zkt_now_ms() + 30000;
        do {
            rc = zoo_set(zh, node, "x", 1, -1);
            if (rc != ZOK) usleep(20000);
        } while (rc != ZOK && zkt_now_ms() < end);
        CHECK_RC(rc, ZOK);
        CHECK(zoo_client_id(zh)->client_id == session);
        CHECK_RC(zoo_exists(zh, eph, 0, 0), ZOK);
        CHECK(zkt_wait_event(&w, wmark, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, node, 10000) >= wmark);
        zkt_fixture("restart", victim);
        zkt_fixture("wait", victim);
    }
    stop_load = 1;
    pthread_join(lt, 0);
    long long end = zkt_now_ms() + 30000;
    while (completed_total < issued && zkt_now_ms() < end) usleep(10000);
    long twice = 0, never = 0;
    for (long i = 0; i < issued; i++) {
        if (done_count[i] == 0) never++;
        if (done_count[i] > 1) twice++;
    }
    long cn = connects() - c0;
    printf("async calls: %ld issued, %ld completed, %ld lost (never completed), %ld duplicated, %ld with ZCONNECTIONLOSS\n",
           issued, completed_total, never, twice, lost_calls);
    printf("connection losses: %d; connect() calls after the first connection: %ld (%.1f per loss)\n", losses, cn,
           losses ? (double)cn / losses : 0.0);
    CHECK(never == 0 && twice == 0);
    CHECK(losses >= 2);
    CHECK(cn <= 25L * (losses ? losses : 1));
    CHECK_RC(zoo_delete(zh, node, -1), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("failover");
}
