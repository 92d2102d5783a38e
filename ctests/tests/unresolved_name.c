/* A name that never resolves (issue 17, point 1), MT: the handle keeps
 * trying with the back-off, never in a busy loop. Over 5 s: the interposer
 * is asked a bounded number of times (about once per round; bound 5 s /
 * 200 ms + 2), the process uses little CPU (getrusage), the log has a line
 * per round at most, and async calls made meanwhile each complete exactly
 * once, with ZCONNECTIONLOSS, within 2/3 of the session timeout + 1 s.
 * With ZKT_REFERENCE (Debian's library): zookeeper_init returns NULL with
 * ENOENT, there is nothing more to ask. */
#include "testutil.h"
#include "fake_names.h"
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#define TIMEOUT_MS 4000
#define WINDOW_MS 5000
#define CALLS 8

static struct {
    int done, rc;
    long long issued, at;
} call[CALLS];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void exists_done(int rc, const struct Stat *s, const void *d) {
    long i = (long)d;
    pthread_mutex_lock(&mu);
    call[i].done++;
    call[i].rc = rc;
    call[i].at = zkt_now_ms();
    pthread_mutex_unlock(&mu);
}

static long long cpu_ms(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

int main(void) {
    zkt_prove_library();
    zkt_names_init("unresolved_name");
    const char *log_path = "unresolved_name.zoo.log";
    FILE *logf = fopen(log_path, "w+");
    REQUIRE(logf);
    zoo_set_log_stream(logf);
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    char spec[64];
    snprintf(spec, sizeof spec, "never.zk.test:%d", zkt_port_of(1));
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    long long t0 = zkt_now_ms(), c0 = cpu_ms();
    errno = 0;
    zhandle_t *zh = zookeeper_init(spec, zkt_record_watcher, TIMEOUT_MS, 0, &rec, ZOO_NO_LOG_CLIENTENV);
    int e = errno;
    printf("zookeeper_init(\"%s\"): %s, errno=%d (%s)\n", spec, zh ? "a handle" : "NULL", e, strerror(e));
#ifdef ZKT_REFERENCE
    CHECK(!zh && e == ENOENT);
    if (zh) zookeeper_close(zh);
#else
    REQUIRE(zh);
    /* a call every WINDOW_MS / CALLS, each timed from its issue */
    for (int i = 0; i < CALLS; i++) {
        long long at = t0 + (long long)i * WINDOW_MS / CALLS;
        while (zkt_now_ms() < at) usleep(5000);
        pthread_mutex_lock(&mu);
        call[i].issued = zkt_now_ms();
        pthread_mutex_unlock(&mu);
        CHECK_RC(zoo_aexists(zh, "/", 0, exists_done, (void *)(long)i), ZOK);
    }
    while (zkt_now_ms() < t0 + WINDOW_MS) usleep(5000);
    long long cpu = cpu_ms() - c0, wall = zkt_now_ms() - t0;
    int asked = zkt_names_calls("never.zk.test", t0), bound = WINDOW_MS / 200 + 2;
    int lines = zkt_log_count(logf, log_path, 0, "never.zk.test");
    printf("%lld ms: never.zk.test asked %d times (bound %d), %d log lines naming it, CPU %lld ms\n", wall, asked,
           bound, lines, cpu);
    CHECK(asked >= 2 && asked <= bound);
    CHECK(lines >= 1 && lines <= bound);
    CHECK(cpu <= 300);
    CHECK(zoo_state(zh) == ZOO_CONNECTING_STATE);

    /* every call answered once, ZCONNECTIONLOSS, within 2/3 of the timeout + 1 s */
    int limit = TIMEOUT_MS * 2 / 3 + 1000;
    long long end = zkt_now_ms() + limit + 1000;
    for (;;) {
        int all = 1;
        pthread_mutex_lock(&mu);
        for (int i = 0; i < CALLS; i++) all &= call[i].done > 0;
        pthread_mutex_unlock(&mu);
        if (all || zkt_now_ms() > end) break;
        usleep(10000);
    }
    usleep(500000); /* a second completion would show now */
    pthread_mutex_lock(&mu);
    for (int i = 0; i < CALLS; i++) {
        long long waited = call[i].done ? call[i].at - call[i].issued : -1;
        printf("call %d: %d completion(s), rc=%d (%s), after %lld ms (limit %d)\n", i, call[i].done, call[i].rc,
               call[i].done ? zerror(call[i].rc) : "-", waited, limit);
        CHECK(call[i].done == 1);
        CHECK(call[i].rc == ZCONNECTIONLOSS);
        CHECK(waited >= 0 && waited <= limit);
    }
    pthread_mutex_unlock(&mu);
    long long c1 = zkt_now_ms();
    CHECK_RC(zookeeper_close(zh), ZOK);
    printf("zookeeper_close: %lld ms\n", zkt_now_ms() - c1);
#endif
    zoo_set_log_stream(0);
    return zkt_finish("unresolved_name");
}
