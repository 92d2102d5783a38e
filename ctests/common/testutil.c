#define _GNU_SOURCE
#include "testutil.h"
#include <dlfcn.h>
#include <time.h>
#include <unistd.h>

int zkt_failures = 0;

void zkt_prove_library(void) {
    Dl_info info;
    if (!dladdr((void *)&zookeeper_init, &info) || !info.dli_fname) {
        fprintf(stderr, "cannot tell which library provides zookeeper_init\n");
        exit(1);
    }
    char real[4096];
    const char *p = realpath(info.dli_fname, real) ? real : info.dli_fname;
    printf("library: %s\n", p);
    const char *want = getenv("ZK_EXPECT_LIB");
    if (want && *want && !strstr(p, want)) {
        fprintf(stderr, "loaded %s, expected a library under %s\n", p, want);
        exit(1);
    }
    fflush(stdout);
}

const char *zkt_hosts(void) {
    const char *h = getenv("ZK_HOSTS");
    REQUIRE(h && *h);
    return h;
}

const char *zkt_root(const char *name) {
    static char buf[128];
    snprintf(buf, sizeof buf, "/zkt-%d-%s", (int)getpid(), name);
    return buf;
}

long long zkt_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void connect_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)type; (void)state; (void)path; (void)ctx;
}

zhandle_t *zkt_connect(const char *hosts, watcher_fn w, void *ctx) {
    zhandle_t *zh = zookeeper_init(hosts, w ? w : connect_watcher, 10000, 0, ctx, 0);
    REQUIRE(zh);
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    return zh;
}

void zkt_rmr(zhandle_t *zh, const char *path) {
    struct String_vector kids;
    if (zoo_get_children(zh, path, 0, &kids) == ZOK) {
        for (int i = 0; i < kids.count; i++) {
            char child[1024];
            snprintf(child, sizeof child, "%s/%s", strcmp(path, "/") ? path : "", kids.data[i]);
            zkt_rmr(zh, child);
        }
        deallocate_String_vector(&kids);
    }
    zoo_delete(zh, path, -1);
}

void zkt_recorder_init(zkt_recorder *r) {
    pthread_mutex_init(&r->mu, 0);
    pthread_cond_init(&r->cv, 0);
    r->n = 0;
}

void zkt_record_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh;
    zkt_recorder *r = ctx;
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    if (r->n < ZKT_MAX_EVENTS) {
        zkt_event *e = &r->ev[r->n++];
        e->type = type;
        e->state = state;
        e->ctx = ctx;
        snprintf(e->path, sizeof e->path, "%s", path ? path : "(null)");
    }
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

int zkt_wait_event(zkt_recorder *r, int from, int type, int state, const char *path, int timeout_ms) {
    long long end = zkt_now_ms() + timeout_ms;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        for (int i = from; i < r->n; i++) {
            zkt_event *e = &r->ev[i];
            if (e->type == type && e->state == state && (!path || !strcmp(path, e->path))) {
                pthread_mutex_unlock(&r->mu);
                return i;
            }
        }
        long long left = end - zkt_now_ms();
        if (left <= 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (left % 1000) * 1000000;
        ts.tv_sec += left / 1000 + ts.tv_nsec / 1000000000;
        ts.tv_nsec %= 1000000000;
        pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    }
    pthread_mutex_unlock(&r->mu);
    return -1;
}

int zkt_count(zkt_recorder *r) {
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

const char *zkt_type_name(int t) {
    if (t == ZOO_CREATED_EVENT) return "CREATED";
    if (t == ZOO_DELETED_EVENT) return "DELETED";
    if (t == ZOO_CHANGED_EVENT) return "CHANGED";
    if (t == ZOO_CHILD_EVENT) return "CHILD";
    if (t == ZOO_SESSION_EVENT) return "SESSION";
    if (t == ZOO_NOTWATCHING_EVENT) return "NOTWATCHING";
    return "?";
}

const char *zkt_state_name(int s) {
    if (s == ZOO_CONNECTED_STATE) return "CONNECTED";
    if (s == ZOO_CONNECTING_STATE) return "CONNECTING";
    if (s == ZOO_ASSOCIATING_STATE) return "ASSOCIATING";
    if (s == ZOO_EXPIRED_SESSION_STATE) return "EXPIRED";
    if (s == ZOO_AUTH_FAILED_STATE) return "AUTH_FAILED";
    if (s == ZOO_READONLY_STATE) return "READONLY";
    if (s == ZOO_NOTCONNECTED_STATE) return "NOTCONNECTED";
    return "?";
}

int zkt_finish(const char *name) {
    if (zkt_failures) {
        fprintf(stderr, "%s: FAILED (%d check(s))\n", name, zkt_failures);
        return 1;
    }
    printf("%s: OK\n", name);
    return 0;
}
