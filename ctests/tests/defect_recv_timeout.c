/* Issue 8, defect "the receive timeout counts whole frames, not bytes".
 *
 * The scripted server (ctests/fixture/fake_server.py trickle_reply; a real
 * server cannot do this) completes the handshake with a 3 s session timeout,
 * then answers the first request with a frame that never ends: its length,
 * then one byte every 400 ms. The client's receive timeout (2/3 of the
 * session timeout) runs from the last complete frame, so a sync call must
 * return ZOPERATIONTIMEOUT after ~2 s. The sync call runs on a thread; if it
 * has not returned after 15 s the test reports a hang and fails (bounded).
 *
 * A control case first: stall_mid_frame (7 bytes of a reply, then nothing;
 * 4 s session): ZOPERATIONTIMEOUT after ~2.7 s.
 *
 * Reference (Debian 3.8.0): stall_mid_frame ZOPERATIONTIMEOUT after 2,668 ms;
 * trickle_reply ZOPERATIONTIMEOUT after 2,000 ms.
 * Ours before the fix: stall_mid_frame ZCONNECTIONLOSS after ~2.7 s (ours
 * maps a receive timeout to ZCONNECTIONLOSS; the reference reports
 * ZOPERATIONTIMEOUT), trickle_reply hangs (each byte resets the timer). */
#define _GNU_SOURCE
#include "testutil.h"
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

static zhandle_t *zh;
static volatile int call_rc = 1, call_done;
static volatile long long call_ms;

static void *caller(void *arg) {
    long long t0 = zkt_now_ms();
    int rc = zoo_exists(zh, "/x", 0, 0);
    call_ms = zkt_now_ms() - t0;
    call_rc = rc;
    __atomic_store_n(&call_done, 1, __ATOMIC_SEQ_CST);
    return 0;
}

/* Runs one scenario of the scripted server; returns 0 when the sync call
 * returned ZOPERATIONTIMEOUT in time. */
static int run_case(const char *scenario, const char *script) {
    zkt_fake_server srv;
    zkt_fake_server_start(&srv, script, scenario, 0);
    int port = srv.port;
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", port);

    zh = zookeeper_init(hosts, 0, 3000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    long long end = zkt_now_ms() + 10000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(1000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    int t = zoo_recv_timeout(zh);
    call_done = 0;
    pthread_t th;
    REQUIRE(pthread_create(&th, 0, caller, 0) == 0);
    end = zkt_now_ms() + 15000;
    while (!__atomic_load_n(&call_done, __ATOMIC_SEQ_CST) && zkt_now_ms() < end) usleep(1000);
    if (!call_done) {
        printf("%-16s negotiated timeout %d ms: sync zoo_exists did not return within 15 s (hang: the receive "
               "timeout is reset by every byte)\n", scenario, t);
        fflush(stdout);
        kill(srv.pid, SIGKILL);
        waitpid(srv.pid, 0, 0);
        _exit(1); /* the handle is stuck: do not wait on close */
    }
    pthread_join(th, 0);
    long long lo = t * 2 / 3 - 500, hi = t * 2 / 3 + 1000;
    printf("%-16s negotiated timeout %d ms: sync zoo_exists returned %d (%s) after %lld ms (want "
           "ZOPERATIONTIMEOUT after %lld-%lld ms)\n", scenario, t, call_rc, zerror(call_rc), call_ms, lo, hi);
    int bad = 0;
    if (call_rc != ZOPERATIONTIMEOUT) bad++;
    if (call_ms < lo || call_ms > hi) bad++;
    CHECK_RC(zookeeper_close(zh), ZOK);
    zkt_fake_server_stop(&srv);
    return bad;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    const char *script = getenv("ZK_FAKE_SERVER");
    REQUIRE(script);
    /* control: a reply that stops after 7 bytes (no byte afterwards) */
    zkt_failures += run_case("stall_mid_frame", script);
    /* the defect: a reply that keeps trickling one byte every 400 ms */
    zkt_failures += run_case("trickle_reply", script);
    return zkt_finish("defect_recv_timeout");
}
