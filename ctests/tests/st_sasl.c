/* zookeeper_init_sasl in the single-threaded library: the SASL exchange
 * (Cyrus SASL's callbacks included) runs inside zookeeper_interest/
 * zookeeper_process on the caller's thread; the state stays ASSOCIATING
 * until it ends, then the CONNECTED event, then the call made before it.
 * A wrong password ends in AUTH_FAILED (event, ZAUTHFAILED for the call
 * waiting). Against the optional SASL server of ctests/fixture/sasl.sh
 * ($ZK_SASL_PORT). Built without HAVE_CYRUS_SASL_H and without libsasl2:
 * the header declares what SASL needs without <sasl/sasl.h>. */
#include "st_util.h"
#include <unistd.h>

static int early_rc = 999, created_rc = 999, get_rc = 999;
static int events[16], nevents;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    stu_callback("watcher");
    if (type == ZOO_SESSION_EVENT && nevents < 16) events[nevents++] = state;
}
static void stat_done(int rc, const struct Stat *s, const void *d) {
    stu_callback("exists");
    /* After the CONNECTED event (or the AUTH_FAILED one). */
    CHECK(nevents == 1);
    *(int *)d = rc;
}
static void str_done(int rc, const char *v, const void *d) { stu_callback("create"); created_rc = rc; }
static void data_done(int rc, const char *v, int len, const struct Stat *s, const void *d) { stu_callback("get"); get_rc = rc; }

static const char *pwfile(const char *pw) {
    static char path[2][256];
    static int k;
    char *p = path[k++ % 2];
    snprintf(p, 256, "/tmp/st-sasl-%d-%d.pw", (int)getpid(), k);
    FILE *f = fopen(p, "w");
    REQUIRE(f);
    fputs(pw, f);
    fclose(f);
    return p;
}

int main(void) {
    stu_prove_library();
    const char *port = getenv("ZK_SASL_PORT");
    REQUIRE(port);
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%s", port);
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);

    const char *good = pwfile("bobsecret"), *bad = pwfile("wrong");
    struct sasl_callback *cbs = zoo_sasl_make_basic_callbacks("bob", NULL, good);
    REQUIRE(cbs);
    zoo_sasl_params_t params = {"zookeeper", "zk-sasl-md5", "DIGEST-MD5", cbs};
    zhandle_t *zh = zookeeper_init_sasl(hosts, watcher, 10000, 0, 0, 0, NULL, &params);
    REQUIRE(zh);
    stu_loop_add(zh);
    CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, &early_rc), ZOK);
    int other = 0, seen2 = 0;
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) {
        stu_loop_once(20, -1);
        int s = zoo_state(zh);
        if (s == ZOO_ASSOCIATING_STATE) seen2 = 1;
        else if (s != 999 && s != ZOO_CONNECTING_STATE && s != ZOO_CONNECTED_STATE) other = s;
    }
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(seen2 && !other);
    stu_pump(200);
    CHECK(nevents == 1 && events[0] == ZOO_CONNECTED_STATE);
    CHECK_RC(early_rc, ZOK);
    struct ACL bob = {0x1f, {"sasl", "bob"}};
    struct ACL_vector acl = {1, &bob};
    char path[64];
    snprintf(path, sizeof path, "/st-sasl-%d", (int)getpid());
    CHECK_RC(zoo_acreate(zh, path, "b", 1, &acl, ZOO_EPHEMERAL, str_done, 0), ZOK);
    stu_pump(500);
    CHECK_RC(created_rc, ZOK);
    CHECK_RC(zoo_aget(zh, path, 0, data_done, 0), ZOK);
    stu_pump(500);
    CHECK_RC(get_rc, ZOK);
    printf("bob over SASL: early exists %d, create %d, get %d (ACL sasl:bob)\n", early_rc, created_rc, get_rc);
    CHECK_RC(stu_close(zh), ZOK);
    free(cbs);

    /* wrong password */
    nevents = 0;
    early_rc = 999;
    struct sasl_callback *cbs2 = zoo_sasl_make_basic_callbacks("bob", NULL, bad);
    zoo_sasl_params_t p2 = {"zookeeper", "zk-sasl-md5", "DIGEST-MD5", cbs2};
    zhandle_t *zb = zookeeper_init_sasl(hosts, watcher, 10000, 0, 0, 0, NULL, &p2);
    REQUIRE(zb);
    stu_loop_add(zb);
    CHECK_RC(zoo_aexists(zb, "/", 0, stat_done, &early_rc), ZOK);
    end = zkt_now_ms() + 10000;
    while (early_rc == 999 && zkt_now_ms() < end) stu_loop_once(20, -1);
    printf("wrong password: state %d, events %d (first %d), early call rc %d\n", zoo_state(zb), nevents, events[0], early_rc);
    CHECK(zoo_state(zb) == ZOO_AUTH_FAILED_STATE);
    CHECK(nevents == 1 && events[0] == ZOO_AUTH_FAILED_STATE);
    CHECK_RC(early_rc, ZAUTHFAILED);
    CHECK_RC(stu_close(zb), ZOK);
    free(cbs2);
    unlink(good);
    unlink(bad);
    return stu_finish("st_sasl");
}
