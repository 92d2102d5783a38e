/* Client benchmark of the single-threaded library (libzookeeper_st) over
 * the public C API, built without THREADED: one thread drives the handle
 * from a plain poll() loop as an event loop does (zookeeper_interest ->
 * poll() on the fd, events and timeout it gave -> zookeeper_process with
 * the events that fired). Built twice from this source: zkbench_st on ours
 * and zkbench_st_ref on Debian's libzookeeper_st.so.2; each run proves the
 * library it loaded (dladdr on zookeeper_init, $ZK_EXPECT_LIB) and fails
 * otherwise. zkbench_st also runs on an earlier build of ours: its build
 * path is a RUNPATH, which LD_LIBRARY_PATH overrides.
 *
 *   zkbench_st MODE HOSTS [SECONDS]
 *
 * Modes:
 *   st_aget, st_aset   pipelined zoo_aget / zoo_aset of a 100-byte node, a
 *                      window of 1000 in flight, refilled from the loop
 *                      between turns; ops/s and client CPU per op
 *                      (getrusage: the whole process, i.e. the one thread)
 *   st_get_latency     one zoo_aget at a time, issued from the loop between
 *                      turns (outside any callback, as from a timer):
 *                      p50/p99 from the call to its completion, CPU per
 *                      call; the loop calls zookeeper_interest right before
 *                      each poll(), so that interest comes after the call
 *   st_get_latency_rearm  the same from a loop that re-arms (interest)
 *                      right after zookeeper_process and runs its timers,
 *                      the get among them, before it polls with that
 *                      registration (as libuv/libevent integrations do);
 *                      its poll() waits at most 100 ms (a loop with other
 *                      work to do) unless ZKBENCH_ST_MAX_WAIT_MS says
 *                      otherwise. A library that writes a call made
 *                      outside callbacks only in a later interest or
 *                      process waits for that timeout here.
 *   st_connect         zookeeper_init -> the CONNECTED session event, p50
 *                      of 40 sessions
 *   st_idle_mem        RSS per idle connected session (100 on one loop)
 * Prints one line: "RESULT mode=... key=value ...".
 *
 * ZKBENCH_ST_MAX_WAIT_MS caps the poll() timeout of every turn (default:
 * none, the loop waits as long as zookeeper_interest's tv says, as an event
 * loop with nothing else to do does). */
#define _GNU_SOURCE
#include "st_util.h"
#include "bench_util.h"
#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 1000
#define MAXH 128
static const char *hosts;
static double seconds = 3.0;
static int max_wait_ms = -1;
static long turns;

/* ---- the event loop: handles driven by one poll() ---- */
static zhandle_t *loop_h[MAXH];
static int loop_n;

static void loop_add(zhandle_t *zh) {
    REQUIRE(zh && loop_n < MAXH);
    loop_h[loop_n++] = zh;
}

static void loop_remove(zhandle_t *zh) {
    for (int i = 0; i < loop_n; i++)
        if (loop_h[i] == zh) {
            loop_h[i] = loop_h[--loop_n];
            return;
        }
}

/* The registration of the loop: what zookeeper_interest said for every
 * handle (descriptor, events, timeout), as an event loop keeps it between
 * turns. */
static struct pollfd arm_fds[MAXH];
static int arm_interest[MAXH], arm_n, armed;
static long arm_timeout;

/* zookeeper_interest for every handle; the poll timeout is the shortest tv
 * and max_ms (-1: no limit of ours). Codes other than ZOK and ZNOTHING end
 * the benchmark: nothing should fail here. */
static void arm(int max_ms) {
    long timeout = max_ms;
    if (max_wait_ms >= 0 && (timeout < 0 || timeout > max_wait_ms)) timeout = max_wait_ms;
    arm_n = loop_n;
    for (int i = 0; i < arm_n; i++) {
        int fd = -1;
        struct timeval tv = { 0, 0 };
        arm_interest[i] = 0;
        int rc = zookeeper_interest(loop_h[i], &fd, &arm_interest[i], &tv);
        if (rc != ZOK && rc != ZNOTHING) {
            fprintf(stderr, "zookeeper_interest: %d (%s)\n", rc, zerror(rc));
            exit(1);
        }
        arm_fds[i].fd = fd >= 0 && arm_interest[i] ? fd : -1;
        arm_fds[i].events = (arm_interest[i] & ZOOKEEPER_READ ? POLLIN : 0) | (arm_interest[i] & ZOOKEEPER_WRITE ? POLLOUT : 0);
        arm_fds[i].revents = 0;
        long ms = tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000;
        if (timeout < 0 || ms < timeout) timeout = ms;
    }
    arm_timeout = timeout;
    armed = 1;
}

/* poll() with the registration, then zookeeper_process for every handle
 * with what fired (0 when nothing did, so that the library's timers run). */
static void wait_and_process(void) {
    turns++;
    int r = poll(arm_fds, arm_n, (int)arm_timeout);
    if (r < 0 && errno != EINTR) {
        perror("poll");
        exit(1);
    }
    armed = 0;
    for (int i = 0; i < arm_n; i++) {
        short re = r > 0 ? arm_fds[i].revents : 0;
        int events = 0;
        if ((re & (POLLIN | POLLHUP | POLLERR)) && (arm_interest[i] & ZOOKEEPER_READ)) events |= ZOOKEEPER_READ;
        if ((re & (POLLOUT | POLLHUP | POLLERR)) && (arm_interest[i] & ZOOKEEPER_WRITE)) events |= ZOOKEEPER_WRITE;
        int rc = zookeeper_process(loop_h[i], events);
        if (rc != ZOK && rc != ZNOTHING) {
            fprintf(stderr, "zookeeper_process(%d): %d (%s)\n", events, rc, zerror(rc));
            exit(1);
        }
    }
}

/* One turn as a loop that asks zookeeper_interest right before it polls:
 * a call made between turns is seen by that interest. */
static void turn(int max_ms) {
    arm(max_ms);
    wait_and_process();
}

/* One turn as a loop that re-arms right after zookeeper_process (as
 * libuv/libevent integrations update their poll handle and timer there)
 * and runs its timers before it polls again: a call made between turns
 * (from a timer) comes after the interest that the poll uses. */
static void turn_rearm(int max_ms) {
    if (!armed) arm(max_ms);
    wait_and_process();
    arm(max_ms);
}

/* Turns until *flag is set (at most 20 s). */
static void wait_flag(const volatile int *flag) {
    double end = now_us() + 20e6;
    while (!*flag) {
        REQUIRE(now_us() < end);
        turn(100);
    }
}

/* ---- sessions ---- */
static int connected_count;
static void count_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) {
        connected_count++;
        if (ctx) *(int *)ctx = 1;
    }
}

static zhandle_t *connect_one(void) {
    int flag = 0;
    zhandle_t *zh = zookeeper_init(hosts, count_watcher, 30000, 0, &flag, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    loop_add(zh);
    wait_flag(&flag);
    zoo_set_context(zh, 0); /* it pointed at this frame */
    return zh;
}

static void close_one(zhandle_t *zh) {
    loop_remove(zh);
    zookeeper_close(zh);
}

/* ---- completions ---- */
static long outstanding, completed, errors;
static int last_rc, op_done;
static double done_at;

static void done_one(int rc) {
    outstanding--;
    completed++;
    last_rc = rc;
    op_done = 1;
    if (rc != ZOK) errors++;
}
static void data_cb(int rc, const char *v, int l, const struct Stat *s, const void *d) { done_one(rc); }
static void stat_cb(int rc, const struct Stat *s, const void *d) { done_one(rc); }
static void str_cb(int rc, const char *v, const void *d) { done_one(rc); }
static void lat_cb(int rc, const char *v, int l, const struct Stat *s, const void *d) {
    done_at = now_us();
    done_one(rc);
}

static void drain(void) {
    double end = now_us() + 60e6;
    while (outstanding > 0) {
        REQUIRE(now_us() < end);
        turn(100);
    }
}

/* One call and its completion, through the loop. */
static int call_wait(int rc_call) {
    REQUIRE(rc_call == ZOK);
    outstanding++;
    op_done = 0;
    wait_flag(&op_done);
    return last_rc;
}

static void ensure_node(zhandle_t *zh, const char *path, int size) {
    char *v = calloc(1, size ? size : 1);
    memset(v, 'x', size);
    long e = errors;
    int rc = call_wait(zoo_acreate(zh, path, v, size, &ZOO_OPEN_ACL_UNSAFE, 0, str_cb, 0));
    if (rc == ZNODEEXISTS) rc = call_wait(zoo_aset(zh, path, v, size, -1, stat_cb, 0));
    REQUIRE(rc == ZOK);
    errors = e;
    free(v);
}

static zhandle_t *setup(void) {
    zhandle_t *zh = connect_one();
    ensure_node(zh, "/zkbench", 0);
    ensure_node(zh, "/zkbench/node", 100);
    return zh;
}

/* ---- pipelined modes ---- */
static void pipelined(const char *mode) {
    zhandle_t *zh = setup();
    char value[100];
    memset(value, 'y', sizeof value);
    int is_get = !strcmp(mode, "st_aget");
    /* warm up: 2000 gets, as zkbench */
    for (int issued = 0; issued < 2000 || outstanding > 0;) {
        while (outstanding < WINDOW && issued < 2000) {
            REQUIRE(zoo_aget(zh, "/zkbench/node", 0, data_cb, 0) == ZOK);
            outstanding++, issued++;
        }
        turn(100);
    }
    completed = errors = 0;
    turns = 0;
    double c0 = cpu_us(), t0 = now_us(), end = t0 + seconds * 1e6;
    while (now_us() < end) {
        /* the window is refilled between turns, outside any callback */
        while (outstanding < WINDOW) {
            if (is_get) REQUIRE(zoo_aget(zh, "/zkbench/node", 0, data_cb, 0) == ZOK);
            else REQUIRE(zoo_aset(zh, "/zkbench/node", value, sizeof value, -1, stat_cb, 0) == ZOK);
            outstanding++;
        }
        turn(100);
    }
    drain();
    double t1 = now_us(), c1 = cpu_us();
    printf("RESULT mode=%s ops_per_s=%.0f cpu_us_per_op=%.2f ops_per_turn=%.1f errors=%ld\n", mode,
           completed / ((t1 - t0) / 1e6), (c1 - c0) / completed, completed / (double)turns, errors);
    close_one(zh);
}

/* ---- one get at a time ---- */
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void get_latency(int rearm) {
    zhandle_t *zh = setup();
    int n = 0, cap = 200000;
    double *lat = malloc(sizeof(double) * cap);
    for (int i = 0; i < 500; i++) call_wait(zoo_aget(zh, "/zkbench/node", 0, data_cb, 0));
    completed = errors = 0;
    turns = 0;
    double c0 = cpu_us(), t0 = now_us(), end = t0 + seconds * 1e6;
    /* at least 20 calls, however long each takes (a library that writes a
     * request only at a later turn waits for the loop's timeout) */
    while ((now_us() < end || n < 20) && n < cap) {
        double a = now_us();
        REQUIRE(zoo_aget(zh, "/zkbench/node", 0, lat_cb, 0) == ZOK);
        outstanding++;
        op_done = 0;
        double lim = a + 60e6;
        while (!op_done) {
            REQUIRE(now_us() < lim);
            if (rearm) turn_rearm(-1);
            else turn(-1);
        }
        lat[n++] = done_at - a;
    }
    double c1 = cpu_us();
    qsort(lat, n, sizeof(double), cmp_double);
    printf("RESULT mode=%s calls=%d p50_us=%.1f p99_us=%.1f cpu_us_per_call=%.2f turns_per_call=%.2f max_wait_ms=%d errors=%ld\n",
           rearm ? "st_get_latency_rearm" : "st_get_latency", n, lat[n / 2], lat[(int)(n * 0.99)], (c1 - c0) / n, turns / (double)n, max_wait_ms, errors);
    free(lat);
    close_one(zh);
}

/* ---- connect latency ---- */
static void connect_latency(void) {
    int n = 40;
    double lat[40];
    for (int i = 0; i < n; i++) {
        int flag = 0;
        double a = now_us();
        zhandle_t *zh = zookeeper_init(hosts, count_watcher, 30000, 0, &flag, ZOO_NO_LOG_CLIENTENV);
        REQUIRE(zh);
        loop_add(zh);
        double lim = a + 20e6;
        while (!flag) {
            REQUIRE(now_us() < lim);
            turn(-1);
        }
        lat[i] = now_us() - a;
        zoo_set_context(zh, 0);
        close_one(zh);
    }
    qsort(lat, n, sizeof(double), cmp_double);
    printf("RESULT mode=st_connect sessions=%d p50_us=%.0f\n", n, lat[n / 2]);
}

/* ---- memory per idle session ---- */
static void idle_mem(void) {
    int n = 100;
    zhandle_t *z[100];
    zhandle_t *warm = connect_one();
    long before = rss_kb();
    connected_count = 0;
    for (int i = 0; i < n; i++) {
        z[i] = zookeeper_init(hosts, count_watcher, 30000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        REQUIRE(z[i]);
        loop_add(z[i]);
    }
    double lim = now_us() + 30e6;
    while (connected_count < n) {
        REQUIRE(now_us() < lim);
        turn(100);
    }
    for (double e = now_us() + 500e3; now_us() < e;) turn(100);
    long after = rss_kb();
    printf("RESULT mode=st_idle_mem sessions=%d kib_per_session=%.1f\n", n, (after - before) / (double)n);
    fflush(stdout);
    for (int i = 0; i < n; i++) close_one(z[i]);
    close_one(warm);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: zkbench_st st_aget|st_aset|st_get_latency|st_get_latency_rearm|st_connect|st_idle_mem HOSTS [SECONDS]\n");
        return 2;
    }
    /* prints "library: PATH"; exits unless it is $ZK_EXPECT_LIB, the MT
     * library is not mapped and the process has one thread */
    stu_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *mode = argv[1];
    hosts = argv[2];
    if (argc > 3) seconds = atof(argv[3]);
    const char *w = getenv("ZKBENCH_ST_MAX_WAIT_MS");
    if (w && *w) max_wait_ms = atoi(w);
    if (!strcmp(mode, "st_aget") || !strcmp(mode, "st_aset")) pipelined(mode);
    else if (!strcmp(mode, "st_get_latency")) get_latency(0);
    else if (!strcmp(mode, "st_get_latency_rearm")) {
        /* a loop with other work every 100 ms, unless told otherwise */
        if (!(w && *w)) max_wait_ms = 100;
        get_latency(1);
    }
    else if (!strcmp(mode, "st_connect")) connect_latency();
    else if (!strcmp(mode, "st_idle_mem")) idle_mem();
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    int t = stu_threads();
    if (t != 1) {
        fprintf(stderr, "the process has %d threads, want 1\n", t);
        return 1;
    }
    return 0;
}
