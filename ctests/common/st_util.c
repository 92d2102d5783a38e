#define _GNU_SOURCE
#include "st_util.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/wait.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int stu_failures = 0;
int stu_in = STU_IN_NONE;
int stu_callbacks[5];
int stu_max_threads = 0;
int stu_loop_errors = 0;
int stu_last_error = ZOK;
long stu_loop_rounds = 0;
static pthread_t loop_thread;

static const char *lib_of(void *sym, char *real, size_t n) {
    Dl_info info;
    if (!dladdr(sym, &info) || !info.dli_fname) return 0;
    if (realpath(info.dli_fname, real)) return real;
    snprintf(real, n, "%s", info.dli_fname);
    return real;
}

void stu_prove_library(void) {
    loop_thread = pthread_self();
    char a[4096], b[4096];
    const char *init = lib_of((void *)&zookeeper_init, a, sizeof a);
    const char *proc = lib_of((void *)&zookeeper_process, b, sizeof b);
    if (!init || !proc) {
        fprintf(stderr, "cannot tell which library provides zookeeper_init/zookeeper_process\n");
        exit(1);
    }
    printf("library: %s\n", init);
    if (strcmp(init, proc)) {
        fprintf(stderr, "zookeeper_init comes from %s but zookeeper_process from %s\n", init, proc);
        exit(1);
    }
    const char *want = getenv("ZK_EXPECT_LIB");
    if (!want || !*want) {
        fprintf(stderr, "set ZK_EXPECT_LIB to the library this test must run on\n");
        exit(1);
    }
    if (!strstr(init, want)) {
        fprintf(stderr, "loaded %s, expected a library under %s\n", init, want);
        exit(1);
    }
    FILE *maps = fopen("/proc/self/maps", "r");
    REQUIRE(maps);
    char line[4096];
    while (fgets(line, sizeof line, maps)) {
        if (strstr(line, "libzookeeper_mt")) {
            fprintf(stderr, "the multi-threaded library is mapped: %s", line);
            exit(1);
        }
    }
    fclose(maps);
    stu_max_threads = stu_threads();
    printf("threads at start: %d\n", stu_max_threads);
    REQUIRE(stu_max_threads == 1);
    fflush(stdout);
}

/* Whether thread `tid` of this process is the library's resolver thread
 * (named "zk-resolve"): the one thread the ST library starts, only while
 * names are being resolved (see docs/servers-that-move.md). */
static int is_resolver_thread(const char *tid) {
    char path[300], comm[32] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", tid);
    FILE *f = fopen(path, "r");
    if (!f) return 0; /* gone meanwhile */
    if (!fgets(comm, sizeof comm, f)) comm[0] = 0;
    fclose(f);
    return strncmp(comm, "zk-resolve", 10) == 0;
}

static int count_threads(int resolvers) {
    DIR *d = opendir("/proc/self/task");
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && is_resolver_thread(e->d_name) == resolvers) n++;
    closedir(d);
    return n;
}

int stu_threads(void) {
    return count_threads(0);
}

int stu_resolver_threads(void) {
    return count_threads(1);
}

static void note_threads(const char *where) {
    int n = stu_threads();
    if (n > stu_max_threads) stu_max_threads = n;
    if (n != 1) {
        fprintf(stderr, "%s: the process has %d threads, want 1\n", where, n);
        stu_failures++;
    }
}

void stu_callback(const char *what) {
    if (!pthread_equal(pthread_self(), loop_thread)) {
        fprintf(stderr, "%s: runs on another thread than the loop's\n", what);
        stu_failures++;
    }
    if (stu_in == STU_IN_NONE) {
        fprintf(stderr, "%s: runs outside any library call of the loop thread\n", what);
        stu_failures++;
    }
    stu_callbacks[stu_in]++;
    note_threads(what);
}

const char *stu_in_name(int in) {
    static const char *n[] = { "none", "zookeeper_interest", "zookeeper_process", "zookeeper_close", "an API call" };
    return in >= 0 && in < 5 ? n[in] : "?";
}

const char *stu_hosts(void) {
    const char *h = getenv("ZK_HOSTS");
    REQUIRE(h && *h);
    return h;
}

/* ---- the loop ---- */
#define MAXH 8
static zhandle_t *handles[MAXH];
static int nhandles;

void stu_loop_add(zhandle_t *zh) {
    REQUIRE(zh);
    for (int i = 0; i < nhandles; i++)
        if (handles[i] == zh) return;
    REQUIRE(nhandles < MAXH);
    handles[nhandles++] = zh;
}

void stu_loop_remove(zhandle_t *zh) {
    for (int i = 0; i < nhandles; i++) {
        if (handles[i] == zh) {
            handles[i] = handles[--nhandles];
            return;
        }
    }
}

long long stu_longest_call_ms;
int stu_longest_call_in;

static void note_call(int in, long long t0) {
    long long d = zkt_now_ms() - t0;
    if (d > stu_longest_call_ms) {
        stu_longest_call_ms = d;
        stu_longest_call_in = in;
    }
}

int stu_loop_once(int max_ms, int extra_fd) {
    struct pollfd fds[MAXH + 1];
    int interest[MAXH];
    int n = nhandles;
    zhandle_t *hs[MAXH];
    memcpy(hs, handles, sizeof hs);
    int timeout = max_ms;
    stu_loop_rounds++;
    for (int i = 0; i < n; i++) {
        int fd = -1;
        struct timeval tv = { 0, 0 };
        interest[i] = 0;
        stu_in = STU_IN_INTEREST;
        long long t0 = zkt_now_ms();
        int rc = zookeeper_interest(hs[i], &fd, &interest[i], &tv);
        note_call(STU_IN_INTEREST, t0);
        stu_in = STU_IN_NONE;
        if (rc != ZOK) {
            stu_loop_errors++;
            stu_last_error = rc;
            if (getenv("ZK_VERBOSE")) fprintf(stderr, "zookeeper_interest: %d (%s)\n", rc, zerror(rc));
        }
        fds[i].fd = fd;  /* poll() ignores a negative fd */
        fds[i].events = (interest[i] & ZOOKEEPER_READ ? POLLIN : 0) | (interest[i] & ZOOKEEPER_WRITE ? POLLOUT : 0);
        fds[i].revents = 0;
        if (fd < 0 || !fds[i].events) fds[i].fd = -1;
        long ms = tv.tv_sec * 1000L + (tv.tv_usec + 999) / 1000;
        if (ms < timeout) timeout = (int)ms;
    }
    fds[n].fd = extra_fd;
    fds[n].events = POLLIN;
    fds[n].revents = 0;
    if (timeout < 0) timeout = 0;
    int r = poll(fds, n + 1, timeout);
    if (r < 0 && errno != EINTR) {
        perror("poll");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        short re = r > 0 ? fds[i].revents : 0;
        int events = 0;
        if ((re & (POLLIN | POLLHUP | POLLERR)) && (interest[i] & ZOOKEEPER_READ)) events |= ZOOKEEPER_READ;
        if ((re & (POLLOUT | POLLHUP | POLLERR)) && (interest[i] & ZOOKEEPER_WRITE)) events |= ZOOKEEPER_WRITE;
        stu_in = STU_IN_PROCESS;
        long long t0 = zkt_now_ms();
        int rc = zookeeper_process(hs[i], events);
        note_call(STU_IN_PROCESS, t0);
        stu_in = STU_IN_NONE;
        if (rc != ZOK && rc != ZNOTHING) {
            stu_loop_errors++;
            stu_last_error = rc;
            if (getenv("ZK_VERBOSE")) fprintf(stderr, "zookeeper_process(%d): %d (%s)\n", events, rc, zerror(rc));
        }
    }
    note_threads("event loop");
    return r > 0 && (fds[n].revents & (POLLIN | POLLHUP | POLLERR));
}

int stu_wait_flag(const int *flag, int timeout_ms) {
    long long end = zkt_now_ms() + timeout_ms;
    while (!*flag) {
        long long left = end - zkt_now_ms();
        if (left <= 0) break;
        stu_loop_once(left > 100 ? 100 : (int)left, -1);
    }
    return *flag;
}

void stu_pump(int ms) {
    long long end = zkt_now_ms() + ms;
    for (long long left; (left = end - zkt_now_ms()) > 0;) stu_loop_once((int)left, -1);
}

int stu_close(zhandle_t *zh) {
    stu_loop_remove(zh);
    stu_in = STU_IN_CLOSE;
    int rc = zookeeper_close(zh);
    stu_in = STU_IN_NONE;
    return rc;
}

/* ---- the ensemble fixture ---- */

int stu_fixture(const char *cmd, int i) {
    char a[16];
    snprintf(a, sizeof a, "%d", i);
    return stu_fixture_args(cmd, a);
}

int stu_fixture_args(const char *cmd, const char *args) {
    char c[1024];
    const char *fx = getenv("ZK_FIXTURE"), *dir = getenv("ZK_ENSEMBLE_DIR");
    REQUIRE(fx && dir);
    snprintf(c, sizeof c, "%s %s %s %s", fx, cmd, dir, args);
    FILE *p = popen(c, "r");
    REQUIRE(p);
    int fd = fileno(p);
    char out[4096];
    size_t got = 0;
    long long end = zkt_now_ms() + 120000;
    for (;;) {
        REQUIRE(zkt_now_ms() < end);
        if (!stu_loop_once(100, fd)) continue;
        ssize_t r = read(fd, out + got, sizeof out - 1 - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
        if (got == sizeof out - 1) got = 0;  /* only the start matters */
    }
    out[got] = 0;
    REQUIRE(pclose(p) == 0);
    int v = -1;
    if (sscanf(out, "%d", &v) != 1) v = -1;
    return v;
}

int stu_listen(int port) {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    REQUIRE(s >= 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
    REQUIRE(listen(s, 16) == 0);
    return s;
}

int stu_port_of(int s) {
    struct sockaddr_in a;
    socklen_t l = sizeof a;
    REQUIRE(getsockname(s, (struct sockaddr *)&a, &l) == 0);
    return ntohs(a.sin_port);
}

void stu_server_addr(struct sockaddr_in *out) {
    char host[256];
    snprintf(host, sizeof host, "%s", stu_hosts());
    char *comma = strchr(host, ',');
    if (comma) *comma = 0;
    char *colon = strchr(host, ':');
    REQUIRE(colon);
    *colon = 0;
    *out = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
    REQUIRE(inet_pton(AF_INET, host, &out->sin_addr) == 1);
}

static volatile sig_atomic_t relay_drop;
static void relay_on_usr1(int sig) { (void)sig; relay_drop = 1; }

pid_t stu_relay_start(int lst, const struct sockaddr_in *server) {
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid) return pid;
    /* Nothing of the parent's: a copy of a client socket kept here would
     * keep its connection (and its epoll registrations) alive. */
    for (int fd = 3; fd < 4096; fd++)
        if (fd != lst) close(fd);
    struct sigaction sa = { .sa_handler = relay_on_usr1 };
    sigaction(SIGUSR1, &sa, 0);
    enum { MAXP = 8 };
    int a[MAXP], b[MAXP], n = 0;
    for (;;) {
        if (relay_drop) {
            relay_drop = 0;
            for (int i = 0; i < n; i++) close(a[i]), close(b[i]);
            n = 0;
        }
        struct pollfd p[1 + 2 * MAXP];
        p[0] = (struct pollfd){ .fd = lst, .events = POLLIN };
        for (int i = 0; i < n; i++) {
            p[1 + 2 * i] = (struct pollfd){ .fd = a[i], .events = POLLIN };
            p[2 + 2 * i] = (struct pollfd){ .fd = b[i], .events = POLLIN };
        }
        if (poll(p, 1 + 2 * n, -1) < 0) continue;
        if ((p[0].revents & POLLIN) && n < MAXP) {
            int c = accept(lst, 0, 0);
            int s = socket(AF_INET, SOCK_STREAM, 0);
            if (c >= 0 && s >= 0 && connect(s, (const struct sockaddr *)server, sizeof *server) == 0) {
                int one = 1;
                setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                a[n] = c, b[n] = s, n++;
            } else {
                if (c >= 0) close(c);
                if (s >= 0) close(s);
            }
            continue;
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 2; k++) {
                struct pollfd *q = &p[1 + 2 * i + k];
                if (!q->revents) continue;
                char buf[65536];
                ssize_t r = read(q->fd, buf, sizeof buf);
                int to = k ? a[i] : b[i];
                if (r <= 0 || write(to, buf, r) != r) {
                    close(a[i]);
                    close(b[i]);
                    a[i] = a[n - 1], b[i] = b[n - 1], n--;
                    goto next;
                }
            }
        }
    next:;
    }
}

void stu_relay_signal(pid_t pid, int sig) {
    REQUIRE(kill(pid, sig) == 0);
    if (sig == SIGKILL) waitpid(pid, 0, 0);
}

int stu_finish(const char *name) {
    printf("callbacks: %d in zookeeper_process, %d in zookeeper_interest, %d in zookeeper_close, %d in API calls, %d outside; "
           "at most %d thread(s)\n",
           stu_callbacks[STU_IN_PROCESS], stu_callbacks[STU_IN_INTEREST], stu_callbacks[STU_IN_CLOSE],
           stu_callbacks[STU_IN_CALL], stu_callbacks[STU_IN_NONE], stu_max_threads);
    if (stu_failures) {
        fprintf(stderr, "%s: FAILED (%d check(s))\n", name, stu_failures);
        return 1;
    }
    printf("%s: OK\n", name);
    return 0;
}
