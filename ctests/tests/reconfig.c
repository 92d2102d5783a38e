/* getconfig and reconfig on the 3-node ensemble (reconfigEnabled): the
 * configuration reads sync, async and with a watcher; as the super user
 * (digest super:secret, set up by the fixture) server 3 is removed and
 * added back incrementally; the config watch fires; versions move on. */
#include "testutil.h"
#include <unistd.h>

static volatile int got;
static char async_cfg[4096];
static void cfg_cb(int rc, const char *v, int len, const struct Stat *s, const void *d) {
    if (rc == ZOK && v && len > 0) snprintf(async_cfg, sizeof async_cfg, "%.*s", len, v);
    got = rc == ZOK ? 1 : rc;
}

int main(void) {
    zkt_prove_library();
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    char cfg[4096], cfg2[4096], line3[256] = "";
    int len = sizeof cfg - 1;
    struct Stat st;
    CHECK_RC(zoo_getconfig(zh, 0, cfg, &len, &st), ZOK);
    cfg[len > 0 ? len : 0] = 0;
    printf("config (version %lld):\n%s\n", (long long)st.mzxid, cfg);
    CHECK(strstr(cfg, "server.1=") && strstr(cfg, "server.2=") && strstr(cfg, "server.3=") && strstr(cfg, "version="));
    char *l = strstr(cfg, "server.3=");
    if (l) snprintf(line3, sizeof line3, "%.*s", (int)strcspn(l, "\n"), l);
    /* a joining server needs its client address too */
    if (!strchr(line3, ';')) {
        char f[512];
        int port = 0;
        snprintf(f, sizeof f, "%s/port.3", getenv("ZK_ENSEMBLE_DIR"));
        FILE *fp = fopen(f, "r");
        if (fp) {
            if (fscanf(fp, "%d", &port) != 1) port = 0;
            fclose(fp);
        }
        size_t n = strlen(line3);
        snprintf(line3 + n, sizeof line3 - n, ";127.0.0.1:%d", port);
    }
    CHECK_RC(zoo_agetconfig(zh, 0, cfg_cb, 0), ZOK);
    while (!got) usleep(1000);
    CHECK(got == 1 && !strcmp(async_cfg, cfg));

    /* not allowed without the super user */
    len = sizeof cfg2;
    CHECK_RC(zoo_reconfig(zh, NULL, "3", NULL, -1, cfg2, &len, &st), ZNOAUTH);
    /* bad arguments: a member list together with an incremental change */
    CHECK_RC(zoo_reconfig(zh, "server.4=127.0.0.1:1:2;3", NULL, "server.1=x", -1, cfg2, &len, &st), ZBADARGUMENTS);

    CHECK_RC(zoo_add_auth(zh, "digest", "super:secret", 12, 0, 0), ZOK);
    len = sizeof cfg;
    CHECK_RC(zoo_wgetconfig(zh, zkt_record_watcher, &rec, cfg, &len, &st), ZOK);
    len = sizeof cfg2 - 1;
    int rc = zoo_reconfig(zh, NULL, "3", NULL, -1, cfg2, &len, &st);
    CHECK_RC(rc, ZOK);
    if (rc == ZOK) {
        cfg2[len > 0 ? len : 0] = 0;
        printf("after removing server 3:\n%s\n", cfg2);
        CHECK(!strstr(cfg2, "server.3=") && strstr(cfg2, "server.1="));
        CHECK(zkt_wait_event(&rec, 0, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, ZOO_CONFIG_NODE, 10000) >= 0);
        /* and back */
        len = sizeof cfg2 - 1;
        long long end = zkt_now_ms() + 30000;
        do {
            rc = zoo_reconfig(zh, line3, NULL, NULL, -1, cfg2, &len, &st);
            if (rc != ZOK) usleep(200000);
        } while (rc != ZOK && zkt_now_ms() < end);
        CHECK_RC(rc, ZOK);
        cfg2[len > 0 ? len : 0] = 0;
        printf("after adding it back:\n%s\n", cfg2);
        CHECK(strstr(cfg2, "server.3=") != NULL);
    }
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("reconfig");
}
