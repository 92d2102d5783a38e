#define _GNU_SOURCE
#include "testutil.h"
#include <sys/wait.h>
#include <spawn.h>
#include <signal.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
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
    if (!want || !*want) {
        if (getenv("ZK_ALLOW_ANY_LIB")) return;
        fprintf(stderr, "set ZK_EXPECT_LIB to the library this test must run on\n");
        exit(1);
    }
    if (!strstr(p, want)) {
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

int zkt_fixture(const char *cmd, int i) {
    char a[16];
    snprintf(a, sizeof a, "%d", i);
    return zkt_fixture_args(cmd, a);
}

int zkt_fixture_args(const char *cmd, const char *args) {
    char c[1024];
    snprintf(c, sizeof c, "%s %s %s %s", getenv("ZK_FIXTURE"), cmd, getenv("ZK_ENSEMBLE_DIR"), args);
    FILE *p = popen(c, "r");
    REQUIRE(p);
    int v = -1;
    if (fscanf(p, "%d", &v) != 1) v = -1;
    while (fgetc(p) != EOF) {}
    REQUIRE(pclose(p) == 0);
    return v;
}

int zkt_finish(const char *name) {
    if (zkt_failures) {
        fprintf(stderr, "%s: FAILED (%d check(s))\n", name, zkt_failures);
        return 1;
    }
    printf("%s: OK\n", name);
    return 0;
}

/* ---- proxy ---- */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#define ZKT_PROXY_MAX 64
struct zkt_proxy {
    int lfd, port, target_port;
    char host[64];
    pthread_mutex_t mu;
    int blocked;
    int pairs[ZKT_PROXY_MAX][2];
};

typedef struct { zkt_proxy *p; int slot; } pump_arg;

int zkt_relay_step(int a, int b, int poll_ms) {
    char buf[65536];
    struct pollfd f[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
    if (poll(f, 2, poll_ms) < 0) return errno == EINTR;
    for (int i = 0; i < 2; i++) {
        if (!f[i].revents) continue;
        ssize_t n = read(f[i].fd, buf, sizeof buf);
        if (n <= 0) return 0;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(f[1 - i].fd, buf + off, n - off);
            if (w <= 0) return 0;
            off += w;
        }
    }
    return 1;
}

static int proxy_blocked(zkt_proxy *p) {
    pthread_mutex_lock(&p->mu);
    int blocked = p->blocked;
    pthread_mutex_unlock(&p->mu);
    return blocked;
}

static void *pump(void *arg) {
    pump_arg *a = arg;
    zkt_proxy *p = a->p;
    int c = p->pairs[a->slot][0], s = p->pairs[a->slot][1];
    free(a);
    while (!proxy_blocked(p) && zkt_relay_step(c, s, 200)) {}
    close(c);
    close(s);
    return 0;
}

static void *acceptor(void *arg) {
    zkt_proxy *p = arg;
    for (;;) {
        int c = accept(p->lfd, 0, 0);
        if (c < 0) continue;
        pthread_mutex_lock(&p->mu);
        int blocked = p->blocked;
        pthread_mutex_unlock(&p->mu);
        if (blocked) { close(c); continue; }
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(p->target_port) };
        inet_pton(AF_INET, p->host, &sa.sin_addr);
        if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) { close(c); close(s); continue; }
        pthread_mutex_lock(&p->mu);
        int slot = -1;
        for (int i = 0; i < ZKT_PROXY_MAX; i++) if (p->pairs[i][0] < 0) { slot = i; break; }
        if (slot >= 0) { p->pairs[slot][0] = c; p->pairs[slot][1] = s; }
        pthread_mutex_unlock(&p->mu);
        if (slot < 0) { close(c); close(s); continue; }
        pump_arg *a = malloc(sizeof *a);
        a->p = p;
        a->slot = slot;
        pthread_t t;
        pthread_create(&t, 0, pump, a);
        pthread_detach(t);
    }
    return 0;
}

static zkt_proxy *proxy_start(const char *host, int port, int v6) {
    zkt_proxy *p = calloc(1, sizeof *p);
    snprintf(p->host, sizeof p->host, "%s", host);
    p->target_port = port;
    pthread_mutex_init(&p->mu, 0);
    for (int i = 0; i < ZKT_PROXY_MAX; i++) p->pairs[i][0] = p->pairs[i][1] = -1;
    if (v6) {
        p->lfd = socket(AF_INET6, SOCK_STREAM, 0);
        struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = 0 };
        inet_pton(AF_INET6, "::1", &sa.sin6_addr);
        REQUIRE(bind(p->lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
        socklen_t l = sizeof sa;
        getsockname(p->lfd, (struct sockaddr *)&sa, &l);
        p->port = ntohs(sa.sin6_port);
    } else {
        p->lfd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = 0 };
        inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
        REQUIRE(bind(p->lfd, (struct sockaddr *)&sa, sizeof sa) == 0);
        socklen_t l = sizeof sa;
        getsockname(p->lfd, (struct sockaddr *)&sa, &l);
        p->port = ntohs(sa.sin_port);
    }
    REQUIRE(listen(p->lfd, 64) == 0);
    pthread_t t;
    pthread_create(&t, 0, acceptor, p);
    pthread_detach(t);
    return p;
}

zkt_proxy *zkt_proxy_start(const char *host, int port) { return proxy_start(host, port, 0); }
zkt_proxy *zkt_proxy_start6(const char *host, int port) { return proxy_start(host, port, 1); }

int zkt_proxy_port(zkt_proxy *p) { return p->port; }

void zkt_proxy_block(zkt_proxy *p, int blocked) {
    pthread_mutex_lock(&p->mu);
    p->blocked = blocked;
    if (blocked) {
        for (int i = 0; i < ZKT_PROXY_MAX; i++) {
            if (p->pairs[i][0] >= 0) {
                shutdown(p->pairs[i][0], SHUT_RDWR);
                shutdown(p->pairs[i][1], SHUT_RDWR);
                p->pairs[i][0] = p->pairs[i][1] = -1;
            }
        }
    }
    pthread_mutex_unlock(&p->mu);
}

/* --- one async call's result ---------------------------------------- */
void zkt_result_init(zkt_result *r) {
    pthread_mutex_init(&r->mu, 0);
    r->done = 0;
    r->rc = 999;
    r->at = 0;
}

void zkt_result_set(zkt_result *r, int rc) {
    pthread_mutex_lock(&r->mu);
    r->done = 1;
    r->rc = rc;
    r->at = zkt_now_ms();
    pthread_mutex_unlock(&r->mu);
}

void zkt_stat_done(int rc, const struct Stat *s, const void *data) {
    (void)s;
    zkt_result_set((zkt_result *)data, rc);
}

int zkt_wait_result(zkt_result *r, int ms) {
    long long end = zkt_now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        int d = r->done, rc = r->rc;
        pthread_mutex_unlock(&r->mu);
        if (d) return rc;
        if (zkt_now_ms() >= end) return 999;
        usleep(2000);
    }
}

int zkt_watch_states(zhandle_t *zh, int ms, int stop_at, int count_state, char *out, size_t n) {
    int last = -12345, entered = 0;
    size_t off = 0;
    out[0] = 0;
    long long end = zkt_now_ms() + ms;
    while (zkt_now_ms() < end) {
        int s = zoo_state(zh);
        if (s != last) {
            off += snprintf(out + off, off < n ? n - off : 0, "%s%d", off ? " " : "", s);
            if (s == count_state) entered++;
            last = s;
            if (s == stop_at) break;
        }
        usleep(300);
    }
    return entered;
}

int zkt_log_count(FILE *f, const char *path, long from, const char *needle) {
    fflush(f);
    FILE *in = fopen(path, "r");
    if (!in) return -1;
    fseek(in, from, SEEK_SET);
    char line[4096];
    int k = 0;
    while (fgets(line, sizeof line, in)) if (strstr(line, needle)) k++;
    fclose(in);
    return k;
}

long zkt_log_pos(FILE *f) {
    fflush(f);
    return ftell(f);
}

/* --- the scripted server ---------------------------------------------- */
void zkt_fake_server_start(zkt_fake_server *f, const char *script, const char *scenario, int port) {
    int pfd[2];
    REQUIRE(pipe(pfd) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pfd[0]);
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    char *args[] = { "python3", (char *)script, (char *)scenario, portstr, NULL };
    pid_t pid;
    extern char **environ;
    REQUIRE(posix_spawnp(&pid, "python3", &fa, 0, args, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    close(pfd[1]);
    f->pid = pid;
    f->out = fdopen(pfd[0], "r");
    REQUIRE(f->out);
    char line[64];
    f->port = 0;
    REQUIRE(fgets(line, sizeof line, f->out) && sscanf(line, "ready %d", &f->port) == 1 && f->port > 0);
}

void zkt_fake_server_stop(zkt_fake_server *f) {
    kill(f->pid, SIGKILL);
    waitpid(f->pid, 0, 0);
    fclose(f->out);
}
