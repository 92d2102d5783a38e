/* A read-only TLS session finds a read-write server again (issue 17, 6a).
 *
 * Against ctests/fixture/tls_readonly.sh: three servers reachable over TLS
 * only (secureClientPort, no plain port), server 1 partitioned from 2 and 3
 * so that it serves read-only all the time (it never rejoins the quorum, so
 * it never drops its clients: the only way back to a read-write server is
 * the client's "isro" probe). Servers 2 and 3 are killed; two clients with
 * ZOO_READONLY connect to server 1 over TLS and get ZOO_READONLY_STATE:
 *   A trusts every server's CA (both-ca.pem);
 *   B trusts only server 1's CA (ca.pem): servers 2 and 3 are untrusted.
 * Servers 2 and 3 start again and form the quorum. Then:
 *   A moves to server 2 or 3 (ZOO_CONNECTED_STATE, writes work) within one
 *     probe interval after the quorum is back: the interval doubles from
 *     200 ms at each probe, so it is at most the time A spent read-only
 *     before the quorum returned plus 200 ms; the bound checked adds the
 *     probe's own limit (200 ms) and 2 s for the reconnect;
 *   B probes servers 2 and 3 over TLS, the certificate check fails
 *     (UnknownIssuer, logged), and B stays on server 1, read-only: an
 *     untrusted server is never taken as read-write.
 * With the probe over plain TCP (the library before issue 17) A never
 * moves: the secure ports do not answer a plain "isro".
 *
 * Environment: ZK_FIXTURE (tls_readonly.sh), ZK_ENSEMBLE_DIR, TLS_LOG. */
#include "probe_log.h"
#include "testutil.h"
#include <unistd.h>

typedef struct {
    pthread_mutex_t mu;
    zkt_probe_log p;
} capture;

static capture cap_a = { .mu = PTHREAD_MUTEX_INITIALIZER }, cap_b = { .mu = PTHREAD_MUTEX_INITIALIZER };
static FILE *logf;

static void take(capture *c, const char *who, const char *m) {
    pthread_mutex_lock(&c->mu);
    if (logf) fprintf(logf, "%s: %s\n", who, m);
    zkt_probe_log_take(&c->p, m);
    pthread_mutex_unlock(&c->mu);
}
static void log_a(const char *m) { take(&cap_a, "A", m); }
static void log_b(const char *m) { take(&cap_b, "B", m); }

static int get(capture *c, const int *field) {
    pthread_mutex_lock(&c->mu);
    int v = *field;
    pthread_mutex_unlock(&c->mu);
    return v;
}

static int seen_state(zkt_recorder *r, int state) {
    pthread_mutex_lock(&r->mu);
    int n = 0;
    for (int i = 0; i < r->n; i++) n += r->ev[i].type == ZOO_SESSION_EVENT && r->ev[i].state == state;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* When A's session first reached ZOO_CONNECTED_STATE (0: not yet). */
static pthread_mutex_t moved_mu = PTHREAD_MUTEX_INITIALIZER;
static long long a_connected_at;

static void watcher_a(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
        pthread_mutex_lock(&moved_mu);
        if (!a_connected_at) a_connected_at = zkt_now_ms();
        pthread_mutex_unlock(&moved_mu);
    }
    zkt_record_watcher(zh, type, state, path, ctx);
}

int main(void) {
    zkt_prove_library();
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

    /* server 1 read-only, 2 and 3 read-write (as the fixture started them,
     * or as an earlier test left them) */
    for (int i = 1; i <= 3; i++) zkt_fixture("wait", i);
    zkt_fixture("kill", 2);
    zkt_fixture("kill", 3);
    static zkt_recorder ra, rb;
    zkt_recorder_init(&ra);
    zkt_recorder_init(&rb);
    zhandle_t *a = zookeeper_init_ssl(hosts, cert_a, watcher_a, 10000, 0, &ra, ZOO_READONLY);
    zhandle_t *b = zookeeper_init_ssl(hosts, cert_b, zkt_record_watcher, 10000, 0, &rb, ZOO_READONLY);
    REQUIRE(a && b);
    zoo_set_log_callback(a, log_a);
    zoo_set_log_callback(b, log_b);
    REQUIRE(zkt_wait_event(&ra, 0, ZOO_SESSION_EVENT, ZOO_READONLY_STATE, "", 20000) >= 0);
    long long t_ro = zkt_now_ms();
    REQUIRE(zkt_wait_event(&rb, 0, ZOO_SESSION_EVENT, ZOO_READONLY_STATE, "", 20000) >= 0);
    long long t_ro_b = zkt_now_ms();
    printf("A and B read-only on server %d and %d over TLS\n", zkt_server_index(a), zkt_server_index(b));
    CHECK(zkt_server_index(a) == 1 && zkt_server_index(b) == 1);
    struct Stat st;
    CHECK_RC(zoo_exists(a, "/", 0, &st), ZOK);
    char node[64];
    snprintf(node, sizeof node, "/tls-ro-%d", (int)getpid());
    CHECK_RC(zoo_create(a, node, "v", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZNOTREADONLY);

    /* the quorum comes back */
    long long t_restart = zkt_now_ms();
    zkt_fixture("restart", 2);
    zkt_fixture("restart", 3);
    zkt_fixture("wait", 2);
    zkt_fixture("wait", 3);
    long long t_quorum = zkt_now_ms();
    int untrusted_at_quorum = get(&cap_b, &cap_b.p.untrusted);
    long long ro_for = t_quorum - t_ro;
    long long bound = ro_for + 200 + 200 + 2000;
    printf("quorum back %lld ms after the restart began, %lld ms after A became read-only; bound for the move: %lld ms\n",
           t_quorum - t_restart, ro_for, bound);
    int moved = zkt_wait_event(&ra, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", (int)bound);
    CHECK(moved >= 0);
    pthread_mutex_lock(&moved_mu);
    long long t_moved = a_connected_at;
    pthread_mutex_unlock(&moved_mu);
    /* (negative: the move came before the fixture, polling, saw the quorum) */
    if (moved >= 0)
        printf("A moved to server %d (read-write) %lld ms after the quorum was seen back (%lld ms after the restart began)\n",
               zkt_server_index(a), t_moved - t_quorum, t_moved - t_restart);
    else
        printf("A did not move within %lld ms (state %d)\n", bound, zoo_state(a));
    CHECK(zoo_state(a) == ZOO_CONNECTED_STATE);
    int ia = zkt_server_index(a);
    CHECK(ia == 2 || ia == 3);
    CHECK(get(&cap_a, &cap_a.p.found_rw) == 1);
    CHECK(get(&cap_a, &cap_a.p.rw_answers) == 1);
    printf("A: %d probes, the \"rw\" answer over TLS in %d ms, longest probe %d ms (limit 200)\n",
           get(&cap_a, &cap_a.p.probes), get(&cap_a, &cap_a.p.last_rw_ms), get(&cap_a, &cap_a.p.max_probe_ms));
    CHECK(get(&cap_a, &cap_a.p.max_probe_ms) <= 300); /* the limit, and scheduling slack */
    CHECK_RC(zoo_create(a, node, "v", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZOK);

    /* B: its probes of servers 2 and 3 fail the certificate check */
    long long bound_b = (t_quorum - t_ro_b) + 200 + 200 + 2000, end = t_quorum + bound_b;
    while (get(&cap_b, &cap_b.p.untrusted) == untrusted_at_quorum && zkt_now_ms() < end) usleep(20000);
    int probed = get(&cap_b, &cap_b.p.untrusted) > untrusted_at_quorum;
    printf("B: %d probes, %d failed on the certificate (UnknownIssuer), %d after the quorum was back (%lld ms after it); state %d on server %d\n",
           get(&cap_b, &cap_b.p.probes), get(&cap_b, &cap_b.p.untrusted), get(&cap_b, &cap_b.p.untrusted) - untrusted_at_quorum,
           zkt_now_ms() - t_quorum, zoo_state(b), zkt_server_index(b));
    CHECK(probed);
    usleep(300000); /* a move would have begun by now */
    CHECK(zoo_state(b) == ZOO_READONLY_STATE);
    CHECK(zkt_server_index(b) == 1);
    CHECK(seen_state(&rb, ZOO_CONNECTED_STATE) == 0);
    CHECK(get(&cap_b, &cap_b.p.found_rw) == 0);
    CHECK(get(&cap_b, &cap_b.p.rw_answers) == 0);
    printf("B: longest probe %d ms\n", get(&cap_b, &cap_b.p.max_probe_ms));
    CHECK(get(&cap_b, &cap_b.p.max_probe_ms) <= 300);

    zookeeper_close(a);
    zookeeper_close(b);
    return zkt_finish("tls_readonly");
}
