/* A name with several addresses, one dead (issue 17, point 5), MT:
 * zkm.zk.test maps to 127.0.0.99 (nothing listens there: refused) and to
 * server 2's address. The client connects to the live one; with
 * zoo_deterministic_conn_order(1) and the dead address first, it tries the
 * dead one first (connect() calls counted by connect_counter, also
 * preloaded) and still connects within 1 s. The reference does the same
 * (built with ZKT_REFERENCE, the same expectations). */
#define _GNU_SOURCE
#include "testutil.h"
#include "fake_names.h"
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static long (*connects)(void);

static void connect_once(const char *spec, const char *want, int deterministic) {
    zoo_deterministic_conn_order(deterministic);
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    long c0 = connects();
    long long t0 = zkt_now_ms();
    zhandle_t *zh = zookeeper_init(spec, zkt_record_watcher, 10000, 0, &rec, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    int ev = zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000);
    long long took = zkt_now_ms() - t0;
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    char on[64] = "-";
    if (zookeeper_get_connected_host(zh, (struct sockaddr *)&sa, &len) && sa.sin_family == AF_INET)
        inet_ntop(AF_INET, &sa.sin_addr, on, sizeof on);
    long n = connects() - c0;
    printf("%s order: connected=%s in %lld ms to %s, %ld connect() call(s)\n", deterministic ? "deterministic" : "random",
           ev >= 0 ? "yes" : "no", took, on, n);
    CHECK(ev >= 0);
    CHECK(!strcmp(on, want));
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZOK);
    if (deterministic) {
        CHECK(n >= 2); /* the dead address was tried, first */
        CHECK(took <= 1000);
    }
    CHECK_RC(zookeeper_close(zh), ZOK);
}

int main(void) {
    zkt_prove_library();
    connects = (long (*)(void))dlsym(RTLD_DEFAULT, "zkt_connect_count");
    REQUIRE(connects); /* LD_PRELOAD has libconnect_counter.so too */
    zkt_names_init("several_addresses");
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    char live[64], spec[64];
    zkt_addr_of(2, live, sizeof live);
    snprintf(spec, sizeof spec, "zkm.zk.test:%d", zkt_port_of(2));
    zkt_names_set("zkm.zk.test 127.0.0.99 %s\n", live);
    connect_once(spec, live, 0);
    connect_once(spec, live, 1);
    zoo_deterministic_conn_order(0);
    return zkt_finish("several_addresses");
}
