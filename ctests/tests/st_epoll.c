/* The ST library under an epoll loop that keeps its own registration per
 * descriptor, as libuv does for bindings (Node's `zookeeper`): after every
 * zookeeper_interest the loop ADDs a new descriptor (after DELeting the one
 * it had), MODifies the events of the same descriptor, or DELetes when
 * there is none; then epoll_wait and zookeeper_process with what fired.
 * A relay in front of the real server drops the connection 200 times; the
 * session reconnects every time. A registration must never silently point
 * at another socket: no DEL of a closed descriptor (EBADF), no ADD of one
 * already registered (EEXIST), no MOD of one whose registration vanished
 * (ENOENT: the kernel drops a registration when its socket closes, so the
 * same number now names a new, unregistered socket), and no reconnect
 * missed. The reference fails this (a new socket gets the number of the
 * one closed in zookeeper_process); run it with ZK_EXPECT_LIB pointing at
 * Debian's library to see. */
#define _GNU_SOURCE
#include "st_util.h"
#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <unistd.h>

static int connected, sessions_lost;
static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)path; (void)ctx;
    stu_callback("watcher");
    if (type != ZOO_SESSION_EVENT) return;
    if (state == ZOO_CONNECTED_STATE) connected++;
    if (state < 0) sessions_lost++;
}

static int ep, reg_fd = -1, reg_events = -1;
static int errors_ebadf, errors_eexist, errors_enoent, same_number;

static void ctl(int op, int fd, int events) {
    struct epoll_event e = { .events = (uint32_t)events, .data.fd = fd };
    if (epoll_ctl(ep, op, fd, &e) == 0) return;
    const char *name = op == EPOLL_CTL_ADD ? "ADD" : op == EPOLL_CTL_MOD ? "MOD" : "DEL";
    fprintf(stderr, "epoll_ctl %s fd %d: %s\n", name, fd, strerror(errno));
    if (errno == EBADF) errors_ebadf++;
    else if (errno == EEXIST) errors_eexist++;
    else if (errno == ENOENT) errors_enoent++;
    else stu_failures++;
}

static int let_go = -1; /* the descriptor the loop last let go of */

/* One round, as libuv drives a poll handle and a timer. */
static void round_once(zhandle_t *zh) {
    int fd = -1, interest = 0;
    struct timeval tv = { 0, 0 };
    stu_in = STU_IN_INTEREST;
    int rc = zookeeper_interest(zh, &fd, &interest, &tv);
    stu_in = STU_IN_NONE;
    int events = ((interest & ZOOKEEPER_READ) ? EPOLLIN : 0) | ((interest & ZOOKEEPER_WRITE) ? EPOLLOUT : 0);
    if (rc != ZOK) fd = -1; /* a binding stops watching on an error */
    if (fd != reg_fd) {
        if (reg_fd >= 0) {
            ctl(EPOLL_CTL_DEL, reg_fd, 0);
            let_go = reg_fd;
        }
        if (fd >= 0) {
            if (fd == let_go) same_number++;
            ctl(EPOLL_CTL_ADD, fd, events);
        }
        reg_fd = fd;
        reg_events = events;
    } else if (fd >= 0 && events != reg_events) {
        ctl(EPOLL_CTL_MOD, fd, events);
        reg_events = events;
    }
    long ms = tv.tv_sec * 1000L + tv.tv_usec / 1000;
    if (ms > 1000) ms = 1000;
    struct epoll_event got[4];
    int n = epoll_wait(ep, got, 4, (int)ms);
    int zev = 0;
    for (int i = 0; i < n; i++) {
        if (got[i].data.fd != reg_fd) {
            fprintf(stderr, "an event for fd %d, registered is %d\n", got[i].data.fd, reg_fd);
            stu_failures++;
            continue;
        }
        if (got[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) zev |= ZOOKEEPER_READ;
        if (got[i].events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) zev |= ZOOKEEPER_WRITE;
    }
    stu_in = STU_IN_PROCESS;
    zookeeper_process(zh, zev);
    stu_in = STU_IN_NONE;
}

int main(void) {
    stu_prove_library();
    zoo_set_debug_level(getenv("ZK_VERBOSE") ? ZOO_LOG_LEVEL_DEBUG : ZOO_LOG_LEVEL_ERROR);
    zoo_set_log_stream(fopen("/dev/null", "w"));
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_in server;
    stu_server_addr(&server);
    int lst = stu_listen(0);
    pid_t relay = stu_relay_start(lst, &server); /* before any handle: it inherits no client socket */
    ep = epoll_create1(EPOLL_CLOEXEC);
    REQUIRE(ep >= 0);
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", stu_port_of(lst));
    zhandle_t *zh = zookeeper_init(hosts, watcher, 10000, 0, 0, 0);
    REQUIRE(zh);
    const int rounds = getenv("ZK_EPOLL_RECONNECTS") ? atoi(getenv("ZK_EPOLL_RECONNECTS")) : 200;
    long long t0 = zkt_now_ms();
    int done = 0;
    for (int i = 0; i <= rounds; i++) {
        long long end = zkt_now_ms() + 10000;
        while (connected <= i && zkt_now_ms() < end && !sessions_lost) round_once(zh);
        if (connected <= i) {
            fprintf(stderr, "reconnect %d did not happen (%d connected events)\n", i, connected);
            stu_failures++;
            break;
        }
        done = i;
        if (i < rounds) stu_relay_signal(relay, SIGUSR1); /* drop the connection */
    }
    long long ms = zkt_now_ms() - t0;
    printf("reconnects: %d in %lld ms; a new socket with the number just let go of: %d times\n", done, ms, same_number);
    printf("epoll_ctl errors: EBADF %d, EEXIST %d, ENOENT %d\n", errors_ebadf, errors_eexist, errors_enoent);
    CHECK(done == rounds);
    CHECK(errors_ebadf == 0 && errors_eexist == 0 && errors_enoent == 0);
    CHECK(sessions_lost == 0);
    CHECK(same_number == 0);
    /* The session survived every reconnect: a request still works. */
    stu_in = STU_IN_CLOSE;
    zookeeper_close(zh);
    stu_in = STU_IN_NONE;
    stu_relay_signal(relay, SIGKILL);
    return stu_finish("st_epoll");
}
