/* A process that already holds 1,100 open files connects normally (no
 * select()), then 32 threads share one handle with mixed sync and async
 * calls for $ZK_STRESS_SECONDS (default 10): no deadlock, every call
 * answered exactly once. */
#include "testutil.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#define THREADS 32
static zhandle_t *zh;
static volatile int stop;
static long sync_calls[THREADS], async_issued[THREADS];
static long async_done;
static char node[64];

static void cb(int rc, const struct Stat *s, const void *d) {
    if (rc != ZOK) {
        fprintf(stderr, "async call failed: %d\n", rc);
        __atomic_add_fetch(&zkt_failures, 1, __ATOMIC_SEQ_CST);
    }
    __atomic_add_fetch(&async_done, 1, __ATOMIC_SEQ_CST);
}

static void *worker(void *arg) {
    long t = (long)arg;
    char buf[64], child[96];
    while (!stop) {
        int len = sizeof buf, rc;
        switch ((sync_calls[t] + t) % 4) {
        case 0: rc = zoo_get(zh, node, 0, buf, &len, 0); break;
        case 1: rc = zoo_set(zh, node, "v", 1, -1); break;
        case 2:
            snprintf(child, sizeof child, "%s/t%ld-", node, t);
            rc = zoo_create(zh, child, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, 0, 0);
            break;
        default: rc = zoo_exists(zh, node, 1, 0); break;
        }
        if (rc != ZOK) {
            fprintf(stderr, "sync call failed: %d\n", rc);
            __atomic_add_fetch(&zkt_failures, 1, __ATOMIC_SEQ_CST);
        }
        sync_calls[t]++;
        if (zoo_aexists(zh, node, 0, cb, 0) == ZOK) async_issued[t]++;
    }
    return 0;
}

int main(void) {
    zkt_prove_library();
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2048 && rl.rlim_max >= 2048) {
        rl.rlim_cur = 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int held = 0;
    for (int i = 0; i < 1100; i++)
        if (open("/dev/null", O_RDONLY) >= 0) held++;
    printf("holding %d extra open files\n", held);
    REQUIRE(held == 1100);
    zh = zkt_connect(zkt_hosts(), 0, 0);
    snprintf(node, sizeof node, "/zkt-%d-stress", (int)getpid());
    CHECK_RC(zoo_create(zh, node, "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    const char *s = getenv("ZK_STRESS_SECONDS");
    int seconds = s ? atoi(s) : 10;
    pthread_t th[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&th[i], 0, worker, (void *)i);
    sleep(seconds);
    stop = 1;
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], 0);
    long total_sync = 0, total_async = 0;
    for (int i = 0; i < THREADS; i++) {
        total_sync += sync_calls[i];
        total_async += async_issued[i];
    }
    long long end = zkt_now_ms() + 20000;
    while (async_done < total_async && zkt_now_ms() < end) usleep(1000);
    printf("%d threads, %d s: %ld sync calls, %ld async calls, %ld async completions\n", THREADS, seconds,
           total_sync, total_async, async_done);
    CHECK(async_done == total_async);
    CHECK(total_sync > THREADS);
    /* the children are ephemeral: they go with the session */
    CHECK_RC(zookeeper_close(zh), ZOK);
    zh = zkt_connect(zkt_hosts(), 0, 0);
    CHECK_RC(zoo_delete(zh, node, -1), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("stress");
}
