/* Client benchmark over the public C API only: the same binary runs on the
 * reference libzookeeper_mt and on ours (switch LD_LIBRARY_PATH).
 *
 *   zkbench MODE HOSTS [SECONDS]
 *
 * Modes: aget aset acreate_delete (pipelined, window of 1000), sync_get
 * (latency percentiles), mt_sync_get (4 threads, one handle), connect,
 * fanout (5000 watched nodes changed), large (512 KiB values), idle_mem.
 * Prints one line: "RESULT mode=... key=value ...".
 * ZKBENCH_TLS_CERT="CA,cert,key" connects with zookeeper_init_ssl (ours only). */
#define _GNU_SOURCE
#include "testutil.h"
#include "bench_util.h"
#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#define WINDOW 1000
static const char *hosts;
static double seconds = 3.0;

static void quiet_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {}

/* With $ZKBENCH_TLS_CERT (a zookeeper_init_ssl certificate string) every
 * handle, in every mode, is made by zookeeper_init_ssl, looked up at run
 * time (not declared through HAVE_OPENSSL_H and linked) so that the same
 * binary still loads and runs on Debian's reference, which has no TLS. */
static zhandle_t *init_handle(watcher_fn w) {
    const char *cert = getenv("ZKBENCH_TLS_CERT");
    if (cert && *cert) {
        typedef zhandle_t *(*init_ssl_fn)(const char *, const char *, watcher_fn, int, const clientid_t *, void *, int);
        init_ssl_fn f = (init_ssl_fn)dlsym(RTLD_DEFAULT, "zookeeper_init_ssl");
        REQUIRE(f);
        return f(hosts, cert, w, 30000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    }
    return zookeeper_init(hosts, w, 30000, 0, 0, ZOO_NO_LOG_CLIENTENV);
}

static zhandle_t *init_quiet(void) {
    return init_handle(quiet_watcher);
}

static zhandle_t *connect_quiet(void) {
    zhandle_t *zh = init_quiet();
    REQUIRE(zh);
    long long end = zkt_now_ms() + 20000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(1000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    return zh;
}

static void ensure_node(zhandle_t *zh, const char *path, int size) {
    char *v = calloc(1, size ? size : 1);
    memset(v, 'x', size);
    int rc = zoo_create(zh, path, v, size, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0);
    if (rc == ZNODEEXISTS) rc = zoo_set(zh, path, v, size, -1);
    REQUIRE(rc == ZOK);
    free(v);
}

/* ---- pipelined async modes ---- */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long outstanding, completed, errors;

static void done_one(int rc) {
    pthread_mutex_lock(&mu);
    outstanding--;
    completed++;
    if (rc != ZOK) errors++;
    /* wake the submitter when half the window is free (or all is done) */
    if (outstanding == WINDOW / 2 || outstanding == 0) pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}
static void data_cb(int rc, const char *v, int l, const struct Stat *s, const void *d) { done_one(rc); }
static void stat_cb(int rc, const struct Stat *s, const void *d) { done_one(rc); }
static void str_cb(int rc, const char *v, const void *d) { done_one(rc); }
static void void_cb(int rc, const void *d) { done_one(rc); }

static void wait_window(void) {
    pthread_mutex_lock(&mu);
    while (outstanding >= WINDOW) pthread_cond_wait(&cv, &mu);
    outstanding++;
    pthread_mutex_unlock(&mu);
}
static void drain(void) {
    pthread_mutex_lock(&mu);
    while (outstanding > 0) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

static void pipelined(const char *mode) {
    zhandle_t *zh = connect_quiet();
    ensure_node(zh, "/zkbench", 0);
    ensure_node(zh, "/zkbench/node", 100);
    char value[100];
    memset(value, 'y', sizeof value);
    int is_get = !strcmp(mode, "aget"), is_set = !strcmp(mode, "aset");
    /* warm up */
    for (int i = 0; i < 2000; i++) {
        wait_window();
        REQUIRE(zoo_aget(zh, "/zkbench/node", 0, data_cb, 0) == ZOK);
    }
    drain();
    completed = errors = 0;
    double c0 = cpu_us(), t0 = now_us(), end = t0 + seconds * 1e6;
    long seq = 0;
    char path[64];
    while (now_us() < end) {
        for (int k = 0; k < 100; k++) {
            wait_window();
            if (is_get) REQUIRE(zoo_aget(zh, "/zkbench/node", 0, data_cb, 0) == ZOK);
            else if (is_set) REQUIRE(zoo_aset(zh, "/zkbench/node", value, sizeof value, -1, stat_cb, 0) == ZOK);
            else {
                snprintf(path, sizeof path, "/zkbench/cd-%ld", seq / 2);
                if (seq % 2 == 0) REQUIRE(zoo_acreate(zh, path, value, sizeof value, &ZOO_OPEN_ACL_UNSAFE, 0, str_cb, 0) == ZOK);
                else REQUIRE(zoo_adelete(zh, path, -1, void_cb, 0) == ZOK);
                seq++;
            }
        }
    }
    drain();
    double t1 = now_us(), c1 = cpu_us();
    printf("RESULT mode=%s ops_per_s=%.0f cpu_us_per_op=%.2f errors=%ld\n", mode, completed / ((t1 - t0) / 1e6),
           (c1 - c0) / completed, errors);
    zookeeper_close(zh);
}

/* ---- sync latency ---- */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void sync_get(void) {
    zhandle_t *zh = connect_quiet();
    ensure_node(zh, "/zkbench", 0);
    ensure_node(zh, "/zkbench/node", 100);
    char buf[200];
    int n = 0, cap = 200000;
    double *lat = malloc(sizeof(double) * cap);
    for (int i = 0; i < 500; i++) {
        int len = sizeof buf;
        REQUIRE(zoo_get(zh, "/zkbench/node", 0, buf, &len, 0) == ZOK);
    }
    double c0 = cpu_us(), t0 = now_us(), end = t0 + seconds * 1e6;
    while (now_us() < end && n < cap) {
        int len = sizeof buf;
        double a = now_us();
        REQUIRE(zoo_get(zh, "/zkbench/node", 0, buf, &len, 0) == ZOK);
        lat[n++] = now_us() - a;
    }
    double c1 = cpu_us();
    qsort(lat, n, sizeof(double), cmp_double);
    printf("RESULT mode=sync_get calls=%d p50_us=%.1f p99_us=%.1f cpu_us_per_call=%.2f\n", n, lat[n / 2],
           lat[(int)(n * 0.99)], (c1 - c0) / n);
    free(lat);
    zookeeper_close(zh);
}

/* ---- threads sharing one handle ---- */
static zhandle_t *shared;
static volatile int stop_threads;
static long thread_ops[16];

static void *mt_worker(void *arg) {
    long i = (long)arg;
    char buf[200];
    while (!stop_threads) {
        int len = sizeof buf;
        REQUIRE(zoo_get(shared, "/zkbench/node", 0, buf, &len, 0) == ZOK);
        thread_ops[i]++;
    }
    return 0;
}

static void mt_sync_get(void) {
    shared = connect_quiet();
    ensure_node(shared, "/zkbench", 0);
    ensure_node(shared, "/zkbench/node", 100);
    pthread_t t[4];
    double c0 = cpu_us(), t0 = now_us();
    for (long i = 0; i < 4; i++) pthread_create(&t[i], 0, mt_worker, (void *)i);
    usleep((useconds_t)(seconds * 1e6));
    stop_threads = 1;
    for (int i = 0; i < 4; i++) pthread_join(t[i], 0);
    double t1 = now_us(), c1 = cpu_us();
    long total = 0;
    for (int i = 0; i < 4; i++) total += thread_ops[i];
    printf("RESULT mode=mt_sync_get threads=4 ops_per_s=%.0f cpu_us_per_call=%.2f\n", total / ((t1 - t0) / 1e6),
           (c1 - c0) / total);
    zookeeper_close(shared);
}

/* ---- connect latency ---- */
static pthread_mutex_t cmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ccv = PTHREAD_COND_INITIALIZER;
static int connected_flag;
static void connect_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
        pthread_mutex_lock(&cmu);
        connected_flag = 1;
        pthread_cond_signal(&ccv);
        pthread_mutex_unlock(&cmu);
    }
}

static void connect_latency(void) {
    int n = 40;
    double lat[40];
    for (int i = 0; i < n; i++) {
        connected_flag = 0;
        double a = now_us();
        zhandle_t *zh = init_handle(connect_watcher);
        REQUIRE(zh);
        pthread_mutex_lock(&cmu);
        while (!connected_flag) pthread_cond_wait(&ccv, &cmu);
        pthread_mutex_unlock(&cmu);
        lat[i] = now_us() - a;
        zookeeper_close(zh);
    }
    qsort(lat, n, sizeof(double), cmp_double);
    printf("RESULT mode=connect sessions=%d p50_us=%.0f\n", n, lat[n / 2]);
}

/* ---- watch fan-out ---- */
static volatile long events_seen;
static double last_event_us;
static void fan_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_CHANGED_EVENT) {
        __atomic_add_fetch(&events_seen, 1, __ATOMIC_SEQ_CST);
        last_event_us = now_us();
    }
}

static void fanout(void) {
    int n = 5000;
    zhandle_t *zh = connect_quiet(), *writer = connect_quiet();
    ensure_node(zh, "/zkbench", 0);
    ensure_node(zh, "/zkbench/fan", 0);
    char path[64];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/zkbench/fan/n%d", i);
        wait_window();
        int rc = zoo_acreate(writer, path, "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, str_cb, 0);
        REQUIRE(rc == ZOK);
    }
    drain();
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/zkbench/fan/n%d", i);
        wait_window();
        REQUIRE(zoo_awexists(zh, path, fan_watcher, 0, stat_cb, 0) == ZOK);
    }
    drain();
    /* the changes are made in multi requests of 100 sets, all in flight at
     * once, so that the server commits them quickly and the time measured
     * is the watching client's event path */
    static zoo_op_t ops[50][100];
    static zoo_op_result_t res[50][100];
    static char paths[50][100][32];
    for (int m = 0; m < n / 100; m++)
        for (int k = 0; k < 100; k++) {
            snprintf(paths[m][k], sizeof paths[m][k], "/zkbench/fan/n%d", m * 100 + k);
            zoo_set_op_init(&ops[m][k], paths[m][k], "1", 1, -1, NULL);
        }
    double c0 = cpu_us(), t0 = now_us();
    for (int m = 0; m < n / 100; m++) {
        wait_window();
        REQUIRE(zoo_amulti(writer, 100, ops[m], res[m], void_cb, 0) == ZOK);
    }
    drain();
    while (__atomic_load_n(&events_seen, __ATOMIC_SEQ_CST) < n && now_us() - t0 < 60e6) usleep(200);
    double c1 = cpu_us();
    REQUIRE(events_seen == n);
    printf("RESULT mode=fanout watches=%d all_events_ms=%.1f cpu_us_per_event=%.2f\n", n, (last_event_us - t0) / 1e3,
           (c1 - c0) / n);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/zkbench/fan/n%d", i);
        wait_window();
        REQUIRE(zoo_adelete(writer, path, -1, void_cb, 0) == ZOK);
    }
    drain();
    zookeeper_close(writer);
    zookeeper_close(zh);
}

/* ---- large values ---- */
static void large(void) {
    int size = 512 * 1024;
    zhandle_t *zh = connect_quiet();
    ensure_node(zh, "/zkbench", 0);
    ensure_node(zh, "/zkbench/large", size);
    char *buf = malloc(size);
    int n = 0;
    double c0 = cpu_us(), t0 = now_us(), end = t0 + seconds * 1e6;
    while (now_us() < end) {
        int len = size;
        REQUIRE(zoo_get(zh, "/zkbench/large", 0, buf, &len, 0) == ZOK && len == size);
        n++;
    }
    double t1 = now_us(), c1 = cpu_us();
    printf("RESULT mode=large value_kib=512 gets_per_s=%.1f mib_per_s=%.1f cpu_us_per_get=%.1f\n", n / ((t1 - t0) / 1e6),
           n * 0.5 / ((t1 - t0) / 1e6), (c1 - c0) / n);
    free(buf);
    zookeeper_close(zh);
}

/* ---- memory per idle session ---- */
static void idle_mem(void) {
    int n = 100;
    zhandle_t *z[100];
    zhandle_t *warm = connect_quiet();
    long before = rss_kb();
    for (int i = 0; i < n; i++) z[i] = connect_quiet();
    usleep(500000);
    long after = rss_kb();
    printf("RESULT mode=idle_mem sessions=%d kib_per_session=%.1f\n", n, (after - before) / (double)n);
    fflush(stdout);
    if (getenv("ZKBENCH_HOLD")) sleep(atoi(getenv("ZKBENCH_HOLD")));
    for (int i = 0; i < n; i++) zookeeper_close(z[i]);
    zookeeper_close(warm);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: zkbench aget|aset|acreate_delete|sync_get|mt_sync_get|connect|fanout|large|idle_mem HOSTS [SECONDS]\n");
        return 2;
    }
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *mode = argv[1];
    hosts = argv[2];
    if (argc > 3) seconds = atof(argv[3]);
    if (!strcmp(mode, "aget") || !strcmp(mode, "aset") || !strcmp(mode, "acreate_delete")) pipelined(mode);
    else if (!strcmp(mode, "sync_get")) sync_get();
    else if (!strcmp(mode, "mt_sync_get")) mt_sync_get();
    else if (!strcmp(mode, "connect")) connect_latency();
    else if (!strcmp(mode, "fanout")) fanout();
    else if (!strcmp(mode, "large")) large();
    else if (!strcmp(mode, "idle_mem")) idle_mem();
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    return 0;
}
