/* zookeeper_init_ssl in the single-threaded library: the TLS handshake runs
 * inside zookeeper_interest/zookeeper_process on the caller's thread
 * (SSL_CONNECTING while it runs), then a session as usual; large replies
 * (many TLS records, decrypted bytes waiting in the library) all arrive; a
 * handshake failure completes a call with ZSSLCONNECTIONERROR. Against the
 * ssl.clientAuth=need server of ctests/fixture/tls.sh ($ZK_TLS_DIR, $ZK_TLS_PORT). */
#include "st_util.h"
#include <stdint.h>
#include <unistd.h>

static int created, got_ok, got_bad, deleted, early_rc = 999, bad_rc = 999;
static char *big;
#define BIG (300 * 1024)
#define GETS 40

static void str_done(int rc, const char *v, const void *d) { stu_callback("create"); CHECK_RC(rc, ZOK); created = 1; }
static void data_done(int rc, const char *v, int len, const struct Stat *s, const void *d) {
    stu_callback("get");
    if (rc == ZOK && len == BIG && !memcmp(v, big, BIG)) got_ok++; else got_bad++;
}
static void void_done(int rc, const void *d) { stu_callback("delete"); CHECK_RC(rc, ZOK); deleted = 1; }
static void stat_done(int rc, const struct Stat *s, const void *d) { stu_callback("exists"); *(int *)d = rc; }

int main(void) {
    stu_prove_library();
    const char *dir = getenv("ZK_TLS_DIR"), *port = getenv("ZK_TLS_PORT");
    REQUIRE(dir && port);
    char hosts[64], cert[3072], bad[3072];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%s", port);
    snprintf(cert, sizeof cert, "%s/certs/ca.pem,%s/certs/client.pem,%s/certs/client.key", dir, dir, dir);
    snprintf(bad, sizeof bad, "%s/certs/other-ca.pem,%s/certs/client.pem,%s/certs/client.key", dir, dir, dir);
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);

    zhandle_t *zh = zookeeper_init_ssl(hosts, cert, 0, 10000, 0, 0, 0);
    REQUIRE(zh);
    stu_loop_add(zh);
    CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, &early_rc), ZOK);
    int seen7 = 0;
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) {
        stu_loop_once(20, -1);
        if (zoo_state(zh) == 7) seen7 = 1;
    }
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(seen7);
    stu_pump(200);
    CHECK_RC(early_rc, ZOK);

    big = malloc(BIG);
    for (int i = 0; i < BIG; i++) big[i] = (char)(i * 7 + 3);
    char path[64];
    snprintf(path, sizeof path, "/st-tls-%d", (int)getpid());
    CHECK_RC(zoo_acreate(zh, path, big, BIG, &ZOO_OPEN_ACL_UNSAFE, 0, str_done, 0), ZOK);
    stu_wait_flag(&created, 10000);
    CHECK(created);
    for (int i = 0; i < GETS; i++) CHECK_RC(zoo_aget(zh, path, 0, data_done, 0), ZOK);
    end = zkt_now_ms() + 20000;
    while (got_ok + got_bad < GETS && zkt_now_ms() < end) stu_loop_once(50, -1);
    printf("%d gets of %d bytes over TLS: %d right, %d wrong\n", GETS, BIG, got_ok, got_bad);
    CHECK(got_ok == GETS);
    CHECK_RC(zoo_adelete(zh, path, -1, void_done, 0), ZOK);
    stu_wait_flag(&deleted, 10000);
    CHECK(deleted);

    /* a CA that does not verify the server */
    zhandle_t *zb = zookeeper_init_ssl(hosts, bad, 0, 10000, 0, 0, 0);
    REQUIRE(zb);
    stu_loop_add(zb);
    CHECK_RC(zoo_aexists(zb, "/", 0, stat_done, &bad_rc), ZOK);
    end = zkt_now_ms() + 5000;
    while (bad_rc == 999 && zkt_now_ms() < end) stu_loop_once(20, -1);
    printf("wrong CA: early call rc=%d\n", bad_rc);
    CHECK_RC(bad_rc, ZSSLCONNECTIONERROR);
    CHECK_RC(stu_close(zb), ZOK);
    CHECK_RC(stu_close(zh), ZOK);
    free(big);
    return stu_finish("st_tls");
}
