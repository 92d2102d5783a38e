/* tls_readonly.c in the single-threaded library: a read-only TLS session
 * finds a read-write server again by its "isro" probe over TLS, which runs
 * on the caller's thread inside zookeeper_interest, bounded by the probe
 * limit (200 ms: the longest interest/process call is measured and
 * checked); a session that does not trust servers 2 and 3 stays read-only.
 * Same fixture and scenario as tls_readonly.c (see there), driven from one
 * poll() loop (st_util), the fixture commands run while the loop serves. */
#include "probe_log.h"
#include "st_util.h"
#include <unistd.h>

typedef struct {
    const char *who;
    zkt_probe_log p;
    int readonly_events, connected_events;
    long long connected_at; /* when the first ZOO_CONNECTED_STATE came */
} capture;

static capture cap_a = { .who = "A" }, cap_b = { .who = "B" };
static FILE *logf;

static void take(capture *c, const char *m) {
    if (logf) fprintf(logf, "%s: %s\n", c->who, m);
    zkt_probe_log_take(&c->p, m);
}
static void log_a(const char *m) { take(&cap_a, m); }
static void log_b(const char *m) { take(&cap_b, m); }

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    stu_callback("watcher");
    capture *c = ctx;
    if (type != ZOO_SESSION_EVENT) return;
    if (state == ZOO_READONLY_STATE) c->readonly_events++;
    if (state == ZOO_CONNECTED_STATE && !c->connected_events++) c->connected_at = zkt_now_ms();
}

static int created = 999;
static void create_done(int rc, const char *v, const void *d) { stu_callback("create"); created = rc; }

int main(void) {
    stu_prove_library();
    const char *dir = getenv("ZK_ENSEMBLE_DIR");
    REQUIRE(dir && getenv("ZK_FIXTURE"));
    if (getenv("TLS_LOG")) logf = fopen(getenv("TLS_LOG"), "w");
    if (logf) setvbuf(logf, 0, _IOLBF, 0);
    char hosts[128], cert_a[3072], cert_b[3072];
    snprintf(hosts, sizeof hosts, "localhost:%d,localhost:%d,localhost:%d", zkt_port_of(1), zkt_port_of(2), zkt_port_of(3));
    snprintf(cert_a, sizeof cert_a, "%s/certs/both-ca.pem,%s/certs/client.pem,%s/certs/client.key", dir, dir, dir);
    snprintf(cert_b, sizeof cert_b, "%s/certs/ca.pem,%s/certs/client.pem,%s/certs/client.key", dir, dir, dir);
    zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG);
    if (logf) zoo_set_log_stream(logf);

    for (int i = 1; i <= 3; i++) stu_fixture("wait", i);
    stu_fixture("kill", 2);
    stu_fixture("kill", 3);
    zhandle_t *a = zookeeper_init_ssl(hosts, cert_a, watcher, 10000, 0, &cap_a, ZOO_READONLY);
    zhandle_t *b = zookeeper_init_ssl(hosts, cert_b, watcher, 10000, 0, &cap_b, ZOO_READONLY);
    REQUIRE(a && b);
    zoo_set_log_callback(a, log_a);
    zoo_set_log_callback(b, log_b);
    stu_loop_add(a);
    stu_loop_add(b);
    long long end = zkt_now_ms() + 20000, t_ro = 0, t_ro_b = 0;
    while ((!t_ro || !t_ro_b) && zkt_now_ms() < end) {
        stu_loop_once(20, -1);
        if (!t_ro && cap_a.readonly_events) t_ro = zkt_now_ms();
        if (!t_ro_b && cap_b.readonly_events) t_ro_b = zkt_now_ms();
    }
    REQUIRE(t_ro && t_ro_b);
    printf("A and B read-only on server %d and %d over TLS\n", zkt_server_index(a), zkt_server_index(b));
    CHECK(zkt_server_index(a) == 1 && zkt_server_index(b) == 1);

    long long t_restart = zkt_now_ms();
    stu_fixture("restart", 2);
    stu_fixture("restart", 3);
    stu_fixture("wait", 2);
    stu_fixture("wait", 3);
    long long t_quorum = zkt_now_ms();
    int untrusted_at_quorum = cap_b.p.untrusted;
    long long bound = (t_quorum - t_ro) + 200 + 200 + 2000;
    printf("quorum back %lld ms after the restart began, %lld ms after A became read-only; bound for the move: %lld ms\n",
           t_quorum - t_restart, t_quorum - t_ro, bound);
    end = t_quorum + bound;
    while (!cap_a.connected_events && zkt_now_ms() < end) stu_loop_once(20, -1);
    long long t_moved = cap_a.connected_at;
    CHECK(cap_a.connected_events == 1);
    /* (negative: the move came before the fixture, polling, saw the quorum) */
    if (cap_a.connected_events)
        printf("A moved to server %d (read-write) %lld ms after the quorum was seen back (%lld ms after the restart began)\n",
               zkt_server_index(a), t_moved - t_quorum, t_moved - t_restart);
    else
        printf("A did not move within %lld ms (state %d)\n", bound, zoo_state(a));
    CHECK(zoo_state(a) == ZOO_CONNECTED_STATE);
    int ia = zkt_server_index(a);
    CHECK(ia == 2 || ia == 3);
    CHECK(cap_a.p.found_rw == 1 && cap_a.p.rw_answers == 1);
    printf("A: %d probes, the \"rw\" answer over TLS in %d ms, longest probe %d ms (limit 200)\n",
           cap_a.p.probes, cap_a.p.last_rw_ms, cap_a.p.max_probe_ms);
    CHECK(cap_a.p.max_probe_ms <= 300); /* the limit, and scheduling slack */
    char node[64];
    snprintf(node, sizeof node, "/st-tls-ro-%d", (int)getpid());
    CHECK_RC(zoo_acreate(a, node, "v", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, create_done, 0), ZOK);
    end = zkt_now_ms() + 5000;
    while (created == 999 && zkt_now_ms() < end) stu_loop_once(20, -1);
    CHECK_RC(created, ZOK);

    long long bound_b = (t_quorum - t_ro_b) + 200 + 200 + 2000;
    end = t_quorum + bound_b;
    while (cap_b.p.untrusted == untrusted_at_quorum && zkt_now_ms() < end) stu_loop_once(20, -1);
    printf("B: %d probes, %d failed on the certificate (UnknownIssuer), %d after the quorum was back (%lld ms after it); state %d on server %d\n",
           cap_b.p.probes, cap_b.p.untrusted, cap_b.p.untrusted - untrusted_at_quorum, zkt_now_ms() - t_quorum, zoo_state(b),
           zkt_server_index(b));
    CHECK(cap_b.p.untrusted > untrusted_at_quorum);
    stu_pump(300);
    CHECK(zoo_state(b) == ZOO_READONLY_STATE);
    CHECK(zkt_server_index(b) == 1);
    CHECK(cap_b.connected_events == 0 && cap_b.p.found_rw == 0 && cap_b.p.rw_answers == 0);
    printf("longest library call on the loop's thread: %lld ms (%s); probes: A %d ms, B %d ms at most\n",
           stu_longest_call_ms, stu_in_name(stu_longest_call_in), cap_a.p.max_probe_ms, cap_b.p.max_probe_ms);
    CHECK(cap_b.p.max_probe_ms <= 300);
    CHECK(stu_longest_call_ms <= 400); /* one probe (200 ms), and slack */

    CHECK_RC(stu_close(a), ZOK);
    CHECK_RC(stu_close(b), ZOK);
    return stu_finish("st_tls_readonly");
}
