/* A hostile server (ctests/fixture/fake_server.py) sends garbage, truncated
 * frames, negative or huge lengths, the handshake one byte at a time,
 * unknown xids, a ping reply ahead of earlier replies, replies out of
 * order, never finishes the handshake, stalls mid-frame or closes
 * mid-reply. The client never crashes, never hangs, completes every call
 * with an error code the reference uses, and still closes cleanly. */
#include "testutil.h"
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int ncomplete, last_rc;
static void cb(int rc, const struct Stat *s, const void *d) {
    last_rc = rc;
    __atomic_add_fetch(&ncomplete, 1, __ATOMIC_SEQ_CST);
}

typedef struct {
    const char *scenario;
    int serves; /* calls get an answer (ZNONODE) from this server */
} case_t;

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *script = getenv("ZK_FAKE_SERVER");
    REQUIRE(script);
    case_t cases[] = {
        { "garbage", 0 }, { "truncated_handshake", 0 }, { "negative_length", 0 }, { "huge_length", 0 },
        { "slow_handshake", 1 }, { "unknown_xid", 0 }, { "ping_first", 1 }, { "out_of_order", 0 },
        { "silent", 0 }, { "stall_mid_frame", 0 }, { "close_mid_reply", 0 }, { "sane", 1 },
    };
    int port = 29800 + (getpid() % 100);
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++, port++) {
        zkt_fake_server srv;
        zkt_fake_server_start(&srv, script, cases[c].scenario, port);
        char hosts[64];
        snprintf(hosts, sizeof hosts, "127.0.0.1:%d", port);
        long long t0 = zkt_now_ms();
        zhandle_t *zh = zookeeper_init(hosts, 0, 3000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        REQUIRE(zh);
        ncomplete = 0;
        int issued = 0;
        for (int i = 0; i < 5; i++) {
            if (zoo_aexists(zh, "/x", 0, cb, 0) == ZOK) issued++;
        }
        int rc = zoo_exists(zh, "/x", 0, 0); /* sync: must return, not hang */
        long long end = zkt_now_ms() + 15000;
        while (ncomplete < issued && zkt_now_ms() < end) usleep(1000);
        long long took = zkt_now_ms() - t0;
        int allowed = rc == ZCONNECTIONLOSS || rc == ZMARSHALLINGERROR || rc == ZOPERATIONTIMEOUT ||
                      rc == ZRUNTIMEINCONSISTENCY || (cases[c].serves && rc == ZNONODE);
        printf("%-20s sync rc=%d (%s), %d/%d async completed in %lld ms, last rc=%d\n", cases[c].scenario, rc,
               zerror(rc), ncomplete, issued, took, last_rc);
        if (!allowed) {
            fprintf(stderr, "%s: unexpected rc %d\n", cases[c].scenario, rc);
            zkt_failures++;
        }
        if (cases[c].serves) CHECK(rc == ZNONODE && last_rc == ZNONODE);
        CHECK(ncomplete == issued);
        CHECK_RC(zookeeper_close(zh), ZOK);
        zkt_fake_server_stop(&srv);
    }
    return zkt_finish("hostile");
}
