/* Extensions (zookeeper_ext.h): client-side session expiry and back-off
 * settings, against a real standalone server reached through in-process
 * proxies that can cut the client off (connect() counted by the
 * connect_counter shim, preloaded by ctest).
 * - Expiry on: cut off from every server, the session is declared expired
 *   within the session timeout (plus one tick) of the last contact; calls
 *   then fail and the handle is unrecoverable.
 * - Expiry on, one of two servers still reachable: no expiry.
 * - Expiry off (the default, as the reference): still CONNECTING after
 *   twice the timeout.
 * - zoo_set_backoff changes the connect() rate while no server answers. */
#include "testutil.h"
#include <zookeeper/zookeeper_ext.h>
#include <dlfcn.h>
#include <unistd.h>

#define TIMEOUT 3000

static int server_port(void) {
    const char *h = zkt_hosts();
    const char *c = strrchr(h, ':');
    REQUIRE(c);
    return atoi(c + 1);
}

static zhandle_t *connect_via(zkt_proxy **px, int n, zkt_recorder *rec, int expiry) {
    char hosts[256] = "";
    for (int i = 0; i < n; i++)
        snprintf(hosts + strlen(hosts), sizeof hosts - strlen(hosts), "%s127.0.0.1:%d", i ? "," : "", zkt_proxy_port(px[i]));
    zhandle_t *zh = zookeeper_init(hosts, zkt_record_watcher, TIMEOUT, 0, rec, 0);
    REQUIRE(zh);
    if (expiry) CHECK_RC(zoo_set_client_expiry(zh, 1), ZOK);
    REQUIRE(zkt_wait_event(rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) >= 0);
    return zh;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    long (*connects)(void) = (long (*)(void))dlsym(RTLD_DEFAULT, "zkt_connect_count");
    REQUIRE(connects); /* run with LD_PRELOAD=libconnect_counter.so */
    int port = server_port();
    CHECK_RC(zoo_set_client_expiry(0, 1), ZBADARGUMENTS);

    /* 1. every server unreachable: expired within timeout + a tick */
    {
        static zkt_recorder rec;
        zkt_recorder_init(&rec);
        zkt_proxy *px[1] = { zkt_proxy_start("127.0.0.1", port) };
        zhandle_t *zh = connect_via(px, 1, &rec, 1);
        long long cut = zkt_now_ms();
        zkt_proxy_block(px[0], 1);
        int i = zkt_wait_event(&rec, 1, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 2 * TIMEOUT);
        long long after = zkt_now_ms() - cut;
        printf("cut off from every server: expired after %lld ms (session timeout %d ms)\n", after, TIMEOUT);
        CHECK(i > 0);
        CHECK(after >= TIMEOUT - 100 && after <= TIMEOUT + 600);
        CHECK(is_unrecoverable(zh) == ZINVALIDSTATE);
        CHECK_RC(zoo_exists(zh, "/", 0, 0), ZINVALIDSTATE);
        CHECK_RC(zookeeper_close(zh), ZOK);
        zkt_proxy_block(px[0], 0);
    }
    /* 2. one of two servers still reachable: never expired */
    {
        static zkt_recorder rec;
        zkt_recorder_init(&rec);
        zkt_proxy *px[2] = { zkt_proxy_start("127.0.0.1", port), zkt_proxy_start("127.0.0.1", port) };
        zhandle_t *zh = connect_via(px, 2, &rec, 1);
        for (int round = 0; round < 3; round++) {
            zkt_proxy_block(px[round % 2], 1);
            usleep(TIMEOUT * 1000 / 2);
            zkt_proxy_block(px[round % 2], 0);
        }
        usleep(TIMEOUT * 1000);
        CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 1) < 0);
        CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
        printf("servers cut off in turn for %d ms: still %s, not expired\n", 3 * TIMEOUT / 2, zkt_state_name(zoo_state(zh)));
        CHECK_RC(zookeeper_close(zh), ZOK);
    }
    /* 3. expiry off (default, as the reference): still connecting after
     * twice the timeout; the expiry is learnt from the server once it is
     * reachable again */
    {
        static zkt_recorder rec;
        zkt_recorder_init(&rec);
        zkt_proxy *px[1] = { zkt_proxy_start("127.0.0.1", port) };
        zhandle_t *zh = connect_via(px, 1, &rec, 0);
        zkt_proxy_block(px[0], 1);
        usleep(2 * TIMEOUT * 1000);
        CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 1) < 0);
        CHECK(zoo_state(zh) == ZOO_CONNECTING_STATE);
        printf("expiry off: %s after %d ms cut off\n", zkt_state_name(zoo_state(zh)), 2 * TIMEOUT);
        zkt_proxy_block(px[0], 0);
        CHECK(zkt_wait_event(&rec, 1, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 10000) > 0);
        CHECK_RC(zookeeper_close(zh), ZOK);
    }
    /* 4. back-off settings change the connect() rate */
    {
        long rate[2];
        int settings[2][2] = { { 5, 5 }, { 1000, 1000 } };
        for (int s = 0; s < 2; s++) {
            static zkt_recorder rec;
            zkt_recorder_init(&rec);
            zkt_proxy *px[1] = { zkt_proxy_start("127.0.0.1", port) };
            zhandle_t *zh = connect_via(px, 1, &rec, 0);
            CHECK_RC(zoo_set_backoff(zh, settings[s][0], settings[s][1]), ZOK);
            zkt_proxy_block(px[0], 1);
            long c0 = connects();
            usleep(2000 * 1000);
            rate[s] = connects() - c0;
            zkt_proxy_block(px[0], 0);
            CHECK_RC(zookeeper_close(zh), ZOK);
        }
        printf("connect() calls in 2 s with no server answering: back-off 5 ms: %ld, 1000 ms: %ld\n", rate[0], rate[1]);
        CHECK(rate[1] <= 4);
        CHECK(rate[0] >= 10 * rate[1] && rate[0] >= 20);
        CHECK_RC(zoo_set_backoff(0, 1, 1), ZBADARGUMENTS);
    }
    return zkt_finish("ext_session");
}
