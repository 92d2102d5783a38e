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
 * Reference (Debian 3.8.0): ZOPERATIONTIMEOUT after ~2.0 s.
 * Ours before the fix: each byte resets the timer, the call hangs. */
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

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    const char *script = getenv("ZK_FAKE_SERVER");
    REQUIRE(script);
    int pfd[2];
    REQUIRE(pipe(pfd) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    char *args[] = { "python3", (char *)script, "trickle_reply", "0", NULL };
    pid_t pid;
    extern char **environ;
    REQUIRE(posix_spawnp(&pid, "python3", &fa, 0, args, environ) == 0);
    close(pfd[1]);
    FILE *srv = fdopen(pfd[0], "r");
    char line[64];
    int port = 0;
    REQUIRE(fgets(line, sizeof line, srv) && sscanf(line, "ready %d", &port) == 1 && port > 0);
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", port);

    zh = zookeeper_init(hosts, 0, 3000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    long long end = zkt_now_ms() + 10000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(1000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    printf("connected to the trickling server, negotiated timeout %d ms\n", zoo_recv_timeout(zh));
    pthread_t t;
    REQUIRE(pthread_create(&t, 0, caller, 0) == 0);
    end = zkt_now_ms() + 15000;
    while (!__atomic_load_n(&call_done, __ATOMIC_SEQ_CST) && zkt_now_ms() < end) usleep(1000);
    if (!call_done) {
        printf("sync zoo_exists did not return within 15 s: the receive timeout is reset by every byte (hang)\n");
        fflush(stdout);
        kill(pid, SIGKILL);
        waitpid(pid, 0, 0);
        _exit(1); /* the handle is stuck: do not wait on close */
    }
    pthread_join(t, 0);
    printf("sync zoo_exists returned %d (%s) after %lld ms (want ZOPERATIONTIMEOUT after 1.5-3.5 s)\n", call_rc,
           zerror(call_rc), call_ms);
    CHECK_RC(call_rc, ZOPERATIONTIMEOUT);
    CHECK(call_ms >= 1500 && call_ms <= 3500);
    CHECK_RC(zookeeper_close(zh), ZOK);
    kill(pid, SIGKILL);
    waitpid(pid, 0, 0);
    fclose(srv);
    return zkt_finish("defect_recv_timeout");
}
