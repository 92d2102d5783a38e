/* Quorum loss longer than the session timeout, on the 3-node ensemble:
 * two servers (the leader among them) are down for 10 s against a 4 s
 * session. ZooKeeper's new leader renews the sessions it finds, so the
 * session is not expired: the client reports CONNECTING, then CONNECTED
 * with the same session when the quorum returns (the reference behaves the
 * same; checked by hand with the same program). Every call made meanwhile
 * completes (ZCONNECTIONLOSS) and nothing hangs. */
#include "testutil.h"
#include <dlfcn.h>
#include <unistd.h>

static volatile long done;
static void cb(int rc, const struct Stat *s, const void *d) { __atomic_add_fetch(&done, 1, __ATOMIC_SEQ_CST); }

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    zhandle_t *zh = zookeeper_init(zkt_hosts(), zkt_record_watcher, 4000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    int64_t session = zoo_client_id(zh)->client_id;
    /* connect() calls are counted when the connect_counter shim is preloaded */
    long (*connects)(void) = (long (*)(void))dlsym(RTLD_DEFAULT, "zkt_connect_count");
    long c0 = connects ? connects() : 0;
    int leader = zkt_fixture("leader", 0), other = leader % 3 + 1;
    zkt_fixture("kill", leader);
    zkt_fixture("kill", other);
    long issued = 0;
    long long t0 = zkt_now_ms();
    while (zkt_now_ms() - t0 < 10000) {
        if (zoo_aexists(zh, "/", 0, cb, 0) == ZOK) issued++;
        usleep(20000);
    }
    char buf[8];
    int len = sizeof buf;
    int rc = zoo_get(zh, "/", 0, buf, &len, 0);
    CHECK(rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT);
    zkt_fixture("restart", leader);
    zkt_fixture("restart", other);
    int back = zkt_wait_event(&rec, 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 60000);
    CHECK(back > 1);
    if (connects) {
        /* Two servers lost, no quorum for 10 s: the back-off must hold
         * however long the outage lasts (at most 25 connect() per lost server). */
        long n = connects() - c0;
        printf("connect() calls from the quorum loss to the reconnect: %ld (%.1f per lost server)\n", n, n / 2.0);
        CHECK(n <= 50);
    }
    CHECK(zkt_wait_event(&rec, 1, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 1) < 0);
    CHECK(zoo_client_id(zh)->client_id == session);
    printf("after a 10 s quorum loss (4 s session): %s, same session; %ld calls made meanwhile, %ld completed\n",
           zoo_state(zh) == ZOO_CONNECTED_STATE ? "connected" : "not connected", issued, done);
    long long end = zkt_now_ms() + 10000;
    while (done < issued && zkt_now_ms() < end) usleep(10000);
    CHECK(done == issued);
    zkt_fixture("wait", leader);
    zkt_fixture("wait", other);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("quorum_loss");
}
