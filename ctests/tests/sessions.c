/* Session lifecycle against a real server: states, session restore with a
 * clientid, expiry (EXPIRED_SESSION_STATE, ZINVALIDSTATE afterwards), every
 * pending call completed exactly once on close (ZCLOSING), close from a
 * completion, bad init arguments. */
#include "testutil.h"
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

static int completed[2000];
static volatile int ncompleted;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void count_cb(int rc, const char *v, int len, const struct Stat *s, const void *d) {
    int i = (int)(long)d;
    pthread_mutex_lock(&mu);
    completed[i]++;
    if (rc != ZOK && rc != ZCLOSING) {
        fprintf(stderr, "call %d completed with %d\n", i, rc);
        zkt_failures++;
    }
    ncompleted++;
    pthread_mutex_unlock(&mu);
}

static volatile int closed_from_completion;
static void closing_cb(int rc, const struct Stat *s, const void *d) {
    zhandle_t *zh = (zhandle_t *)d;
    closed_from_completion = zookeeper_close(zh) == ZOK ? 1 : -1;
}

static void auth_done(int rc, const void *d) { *(volatile int *)d = rc; }

static volatile int close_result = 1;
static void *close_thread(void *zh) {
    close_result = zookeeper_close((zhandle_t *)zh);
    return 0;
}

int main(void) {
    zkt_prove_library();
    const char *hosts = zkt_hosts();

    /* bad init arguments: NULL with errno EINVAL (a name that does not
     * resolve, such as "no-port" (port 2181), is no bad argument: it gives a
     * handle that keeps trying, see late_names) */
    const char *bad[] = { "", ":", "host:", "127.0.0.1:99999", "[::1", ",,,", "127.0.0.1:2181/bad/" };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        zhandle_t *z = zookeeper_init(bad[i], 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        if (z) {
            fprintf(stderr, "zookeeper_init(\"%s\") should fail\n", bad[i]);
            zkt_failures++;
            zookeeper_close(z);
        } else {
            CHECK(errno == EINVAL);
        }
    }
    errno = 0;
    CHECK(zookeeper_init(NULL, 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV) == NULL && errno == EINVAL);

    /* states: connecting, then connected; a null or closed handle */
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    zhandle_t *zh = zookeeper_init(hosts, zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    int s0 = zoo_state(zh);
    CHECK(s0 == ZOO_NOTCONNECTED_STATE || s0 == ZOO_CONNECTING_STATE || s0 == ZOO_ASSOCIATING_STATE ||
          s0 == ZOO_CONNECTED_STATE);
    CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(is_unrecoverable(zh) == ZOK);
    CHECK(zoo_recv_timeout(zh) == 10000);
    CHECK(zoo_state(NULL) == 0);
    const char *cur = zoo_get_current_server(zh);
    CHECK(cur && strstr(hosts, cur));
    CHECK(zoo_client_id(zh)->client_id != 0);
    CHECK_RC(zookeeper_close(zh), ZOK);

    /* session restore and expiry: a client reaches the server through a proxy
     * the test can cut; while it is cut off, a second handle takes over the
     * session with its clientid and closes it; when the first reconnects the
     * server tells it the session expired. */
    const char *colon = strrchr(hosts, ':');
    zkt_proxy *proxy = zkt_proxy_start("127.0.0.1", atoi(colon + 1));
    char via[64];
    snprintf(via, sizeof via, "127.0.0.1:%d", zkt_proxy_port(proxy));
    zkt_recorder_init(&rec);
    zh = zookeeper_init(via, zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    clientid_t cid = *zoo_client_id(zh);
    CHECK(cid.client_id != 0);
    int mark = zkt_count(&rec);
    zkt_proxy_block(proxy, 1);
    CHECK(zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 10000) >= mark);
    static zkt_recorder rec2;
    zkt_recorder_init(&rec2);
    zhandle_t *zh2 = zookeeper_init(hosts, zkt_record_watcher, 10000, &cid, &rec2, 0);
    REQUIRE(zh2);
    CHECK(zkt_wait_event(&rec2, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    CHECK(zoo_client_id(zh2)->client_id == cid.client_id);
    CHECK(!memcmp(zoo_client_id(zh2)->passwd, cid.passwd, 16));
    CHECK_RC(zookeeper_close(zh2), ZOK);
    mark = zkt_count(&rec);
    zkt_proxy_block(proxy, 0);
    CHECK(zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 20000) >= mark);
    CHECK(zoo_state(zh) == ZOO_EXPIRED_SESSION_STATE);
    CHECK(is_unrecoverable(zh) == ZINVALIDSTATE);
    char buf[16];
    int len = sizeof buf;
    CHECK_RC(zoo_get(zh, "/", 0, buf, &len, 0), ZINVALIDSTATE);
    CHECK_RC(zoo_aexists(zh, "/", 0, 0, 0), ZINVALIDSTATE);
    CHECK_RC(zookeeper_close(zh), ZOK);

    /* close with 2000 calls in flight: each completes exactly once */
    zh = zkt_connect(hosts, 0, 0);
    for (int i = 0; i < 2000; i++) CHECK_RC(zoo_aget(zh, "/", 0, count_cb, (void *)(long)i), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);
    CHECK(ncompleted == 2000);
    for (int i = 0; i < 2000; i++) CHECK(completed[i] == 1);

    /* zookeeper_close from inside a completion of the same handle */
    zh = zkt_connect(hosts, 0, 0);
    CHECK_RC(zoo_aexists(zh, "/", 0, closing_cb, zh), ZOK);
    long long end = zkt_now_ms() + 10000;
    while (!closed_from_completion && zkt_now_ms() < end) usleep(1000);
    CHECK(closed_from_completion == 1);
    CHECK_RC(zoo_aexists(zh, "/", 0, 0, 0), ZINVALIDSTATE);

    /* expiry by time: the client is cut off (quorum up) for longer than its
     * 4 s session timeout; the server expires the session and says so when
     * the client comes back */
    static zkt_recorder trec;
    zkt_recorder_init(&trec);
    zh = zookeeper_init(via, zkt_record_watcher, 4000, 0, &trec, 0);
    REQUIRE(zh);
    CHECK(zkt_wait_event(&trec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    CHECK(zoo_recv_timeout(zh) == 4000);
    zkt_proxy_block(proxy, 1);
    CHECK(zkt_wait_event(&trec, 1, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 10000) >= 1);
    sleep(7);
    zkt_proxy_block(proxy, 0);
    CHECK(zkt_wait_event(&trec, 1, ZOO_SESSION_EVENT, ZOO_EXPIRED_SESSION_STATE, "", 15000) >= 1);
    CHECK(zoo_state(zh) == ZOO_EXPIRED_SESSION_STATE);
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZINVALIDSTATE);
    CHECK_RC(zookeeper_close(zh), ZOK);

    /* auth failure: an unknown scheme; AUTH_FAILED to the watcher, the
     * completion gets ZAUTHFAILED, later calls ZINVALIDSTATE */
    static zkt_recorder arec;
    zkt_recorder_init(&arec);
    zh = zookeeper_init(hosts, zkt_record_watcher, 10000, 0, &arec, 0);
    REQUIRE(zh);
    CHECK(zkt_wait_event(&arec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    static volatile int auth_rc = 1;
    CHECK_RC(zoo_add_auth(zh, "no-such-scheme", "x", 1, auth_done, (const void *)&auth_rc), ZOK);
    CHECK(zkt_wait_event(&arec, 1, ZOO_SESSION_EVENT, ZOO_AUTH_FAILED_STATE, "", 10000) >= 1);
    long long aend = zkt_now_ms() + 5000;
    while (auth_rc == 1 && zkt_now_ms() < aend) usleep(1000);
    CHECK(auth_rc == ZAUTHFAILED);
    CHECK(zoo_state(zh) == ZOO_AUTH_FAILED_STATE);
    CHECK(is_unrecoverable(zh) == ZINVALIDSTATE);
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZINVALIDSTATE);
    CHECK_RC(zookeeper_close(zh), ZOK);

    /* close from another thread while the handle is reconnecting */
    zh = zookeeper_init(via, 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    aend = zkt_now_ms() + 10000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < aend) usleep(1000);
    zkt_proxy_block(proxy, 1);
    usleep(300000);
    pthread_t closer;
    long long t0 = zkt_now_ms();
    pthread_create(&closer, 0, close_thread, zh);
    pthread_join(closer, 0);
    printf("closed while reconnecting in %lld ms\n", zkt_now_ms() - t0);
    CHECK(close_result == ZOK && zkt_now_ms() - t0 < 5000);
    zkt_proxy_block(proxy, 0);

    /* IPv6: "[::1]:port" (a proxy on ::1 in front of the server), and a chroot after it */
    zkt_proxy *p6 = zkt_proxy_start6("127.0.0.1", atoi(colon + 1));
    char v6[64];
    snprintf(v6, sizeof v6, "[::1]:%d/", zkt_proxy_port(p6));
    zh = zkt_connect(v6, 0, 0);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    CHECK(zookeeper_get_connected_host(zh, (struct sockaddr *)&ss, &sl) != NULL);
    CHECK(ss.ss_family == AF_INET6);
    CHECK(!strncmp(zoo_get_current_server(zh), "[::1]:", 6));
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);

    /* many handles opened and closed */
    for (int i = 0; i < 50; i++) {
        zhandle_t *z = zookeeper_init(hosts, 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        REQUIRE(z);
        if (i % 2) {
            end = zkt_now_ms() + 10000;
            while (zoo_state(z) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(1000);
        }
        CHECK_RC(zookeeper_close(z), ZOK);
    }
    return zkt_finish("sessions");
}
