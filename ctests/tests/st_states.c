/* What zookeeper_interest and zookeeper_process return, and what zoo_state
 * says after each, in every state a single-threaded client goes through,
 * driven by an event loop as bindings drive it (interest -> poll -> process,
 * the poll honouring the interest's descriptor, events and timeout).
 *
 * Built twice (ctest st_states on ours, st_states_on_reference on Debian's
 * libzookeeper_st.so.2); tools/st_states_parity.sh runs both and compares
 * their outputs line by line. The table of these codes in
 * docs/event-loop.md is this program's output on the reference.
 *
 * Each phase prints the distinct loop rounds it saw, in the order they
 * first appeared (how often a round repeats depends on timing; which rounds
 * occur does not):
 *   PHASE: interest=RC/STATE fd ev=R|W|RW -> process(EV)=RC/STATE
 * Servers: a relay child process between the client and the real server
 * (killed for "server killed", stopped for "timed out"/"expired"), a port
 * nothing listens on ("refused"), a listener that never answers
 * ("handshake"). */
#define _GNU_SOURCE
#include "st_util.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *rc_name(int rc) {
    switch (rc) {
    case ZOK: return "ZOK";
    case ZNOTHING: return "ZNOTHING";
    case ZCONNECTIONLOSS: return "ZCONNECTIONLOSS";
    case ZOPERATIONTIMEOUT: return "ZOPERATIONTIMEOUT";
    case ZSESSIONEXPIRED: return "ZSESSIONEXPIRED";
    case ZAUTHFAILED: return "ZAUTHFAILED";
    case ZINVALIDSTATE: return "ZINVALIDSTATE";
    case ZBADARGUMENTS: return "ZBADARGUMENTS";
    case ZCLOSING: return "ZCLOSING";
    case ZSYSTEMERROR: return "ZSYSTEMERROR";
    case ZMARSHALLINGERROR: return "ZMARSHALLINGERROR";
    default: {
        static char b[16];
        snprintf(b, sizeof b, "%d", rc);
        return b;
    }
    }
}
/* zkt_state_name, with the numbers it has no name for (0 between connections). */
static const char *state_name(int s) {
    if (strcmp(zkt_state_name(s), "?")) return zkt_state_name(s);
    static char b[16];
    snprintf(b, sizeof b, "%d", s);
    return b;
}
static const char *ev_name(int ev) {
    return (ev & ZOOKEEPER_READ) && (ev & ZOOKEEPER_WRITE) ? "RW" : (ev & ZOOKEEPER_READ) ? "R" : (ev & ZOOKEEPER_WRITE) ? "W" : "-";
}

/* --- servers: st_util's listener and relay child -------------------------- */
#define listen_on stu_listen
#define port_of stu_port_of
static struct sockaddr_in server_addr; /* the real server (first of ZK_HOSTS) */
static pid_t relay_start(int lst) { return stu_relay_start(lst, &server_addr); }
static void relay_signal(pid_t pid, int sig) { stu_relay_signal(pid, sig); }

/* --- the loop and its record ----------------------------------------------- */
static int watcher_events[16][2], nwatcher_events;
static int last_session_state = -1;
static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)path; (void)ctx;
    stu_callback("watcher");
    if (type == ZOO_SESSION_EVENT) last_session_state = state;
    if (nwatcher_events < 16) {
        watcher_events[nwatcher_events][0] = type;
        watcher_events[nwatcher_events][1] = state;
        nwatcher_events++;
    }
}

#define MAXROUNDS 64
static char seen[MAXROUNDS][160];
static int nseen;
static char idle[MAXROUNDS][160]; /* rounds that change nothing, from every phase */
static int nidle;
static const char *phase_name;
static void phase(const char *name) {
    phase_name = name;
    nseen = 0;
    nwatcher_events = 0;
}
static int add_once(char set[][160], int *n, const char *line) {
    for (int i = 0; i < *n; i++)
        if (!strcmp(set[i], line)) return 0;
    if (*n < MAXROUNDS) snprintf(set[(*n)++], 160, "%s", line);
    return 1;
}
/* A round that changed something is printed under its phase, once; a round
 * that changed nothing (ZOK or ZNOTHING, same state throughout: timers,
 * pings, waiting between connections) depends on timing, not on the state,
 * and is printed once for the whole run, at the end. */
static void record(const char *line, int changed) {
    if (!changed) {
        add_once(idle, &nidle, line);
        return;
    }
    if (add_once(seen, &nseen, line)) printf("%s: %s\n", phase_name, line);
    fflush(stdout);
}
static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }
static void print_idle(void) {
    qsort(idle, nidle, sizeof idle[0], cmp_str);
    for (int i = 0; i < nidle; i++) printf("any phase: %s\n", idle[i]);
}
static void session_events(void) {
    for (int i = 0; i < nwatcher_events; i++)
        if (watcher_events[i][0] == ZOO_SESSION_EVENT) printf("%s: session event %s\n", phase_name, state_name(watcher_events[i][1]));
    nwatcher_events = 0;
}

static zhandle_t *cur; /* the handle the loop drives (NULL once closed) */
static int timed_out_flag, associating_flag;
static int closed_in_callback;

/* One loop round as an event loop makes it. Returns the process code. */
static int round_once(int max_ms) {
    int fd = -1, ev = 0;
    struct timeval tv = { 0, 0 };
    int before = zoo_state(cur);
    stu_in = STU_IN_INTEREST;
    int irc = zookeeper_interest(cur, &fd, &ev, &tv);
    stu_in = STU_IN_NONE;
    int ist = zoo_state(cur);
    long ms = tv.tv_sec * 1000L + tv.tv_usec / 1000;
    if (ms > max_ms) ms = max_ms;
    if (ms < 0) ms = 0;
    struct pollfd p = { .fd = fd, .events = (short)(((ev & ZOOKEEPER_READ) ? POLLIN : 0) | ((ev & ZOOKEEPER_WRITE) ? POLLOUT : 0)) };
    /* No events asked for: the loop stops watching the descriptor (as
     * libuv bindings do) and only waits for the timeout. */
    int n = poll(&p, fd >= 0 && ev ? 1 : 0, (int)ms);
    int events = 0;
    if (n > 0) {
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) events |= ZOOKEEPER_READ;
        if (p.revents & (POLLOUT | POLLHUP | POLLERR)) events |= ZOOKEEPER_WRITE;
    }
    stu_in = STU_IN_PROCESS;
    int prc = zookeeper_process(cur, events);
    stu_in = STU_IN_NONE;
    if (irc == ZOPERATIONTIMEOUT) timed_out_flag = 1;
    if (!closed_in_callback && zoo_state(cur) == ZOO_ASSOCIATING_STATE) associating_flag = 1;
    char line[160];
    int changed = 1;
    if (closed_in_callback) {
        snprintf(line, sizeof line, "interest=%s/%s %s ev=%s -> process(%s)=%s (handle closed in a callback)", rc_name(irc),
                 state_name(ist), fd >= 0 ? "fd" : "nofd", ev_name(ev), ev_name(events), rc_name(prc));
        cur = 0;
    } else {
        snprintf(line, sizeof line, "interest=%s/%s %s ev=%s -> process(%s)=%s/%s", rc_name(irc), state_name(ist), fd >= 0 ? "fd" : "nofd",
                 ev_name(ev), ev_name(events), rc_name(prc), state_name(zoo_state(cur)));
        changed = !(irc == ZOK && (prc == ZOK || prc == ZNOTHING || prc == ZINVALIDSTATE) && ist == before && zoo_state(cur) == ist);
    }
    record(line, changed);
    return prc;
}
/* Rounds until *flag is set (or ms pass), then `after` ms more. */
static void run_until(const int *flag, int ms, int after) {
    long long end = zkt_now_ms() + ms;
    while (cur && !(flag && *flag) && zkt_now_ms() < end) round_once((int)(end - zkt_now_ms()));
    end = zkt_now_ms() + after;
    while (cur && zkt_now_ms() < end) round_once((int)(end - zkt_now_ms()));
}
static int is_connected_flag, is_ended_flag;
static void watch_state(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    watcher(zh, type, state, path, ctx);
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE) is_connected_flag = 1;
    if (type == ZOO_SESSION_EVENT && state < 0) is_ended_flag = 1;
}
static zhandle_t *start(int port, int timeout) {
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", port);
    is_connected_flag = is_ended_flag = 0;
    cur = zookeeper_init(hosts, watch_state, timeout, 0, 0, 0);
    REQUIRE(cur);
    printf("%s: after init: state=%s\n", phase_name, state_name(zoo_state(cur)));
    return cur;
}
static void finish_handle(void) {
    if (!cur) return;
    stu_in = STU_IN_CLOSE;
    int rc = zookeeper_close(cur);
    stu_in = STU_IN_NONE;
    printf("%s: zookeeper_close=%s\n", phase_name, rc_name(rc));
    cur = 0;
}

static int completions;
static void void_done(int rc, const void *data) {
    stu_callback("void completion");
    completions++;
    printf("%s: completion rc=%s\n", phase_name, rc_name(rc));
}
static void data_close(int rc, const char *v, int len, const struct Stat *st, const void *data) {
    (void)v; (void)len; (void)st; (void)data;
    stu_callback("data completion");
    printf("%s: completion rc=%s, zookeeper_close from it\n", phase_name, rc_name(rc));
    int crc = zookeeper_close(cur);
    printf("%s: zookeeper_close from a completion returned %s\n", phase_name, rc_name(crc));
    closed_in_callback = 1;
}
static void data_done(int rc, const char *v, int len, const struct Stat *st, const void *data) {
    (void)v; (void)len; (void)st;
    stu_callback("data completion");
    completions++;
    if (data) printf("%s: completion rc=%s\n", phase_name, rc_name(rc));
}

/* The log prefix as the library writes it, digits folded ("N"). */
static void log_prefix_shape(void) {
    char path[] = "/tmp/st_states_logXXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w+");
    REQUIRE(f);
    zoo_set_log_stream(f);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    zhandle_t *zh = zookeeper_init("127.0.0.1:1", 0, 3000, 0, 0, 0);
    REQUIRE(zh);
    zookeeper_close(zh);
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zoo_set_log_stream(stderr);
    fflush(f);
    rewind(f);
    char line[1024] = "";
    REQUIRE(fgets(line, sizeof line, f));
    fclose(f);
    unlink(path);
    char shape[1024];
    size_t k = 0;
    for (size_t i = 0; line[i] && line[i] != '@' && k < sizeof shape - 2; i++) {
        if (line[i] >= '0' && line[i] <= '9') {
            if (k == 0 || shape[k - 1] != 'N') shape[k++] = 'N';
        } else if (line[i] == 'x' && k && shape[k - 1] == 'N' && line[i + 1]) {
            /* 0x<hex>: fold the hex digits too */
            shape[k++] = 'x';
            while ((line[i + 1] >= '0' && line[i + 1] <= '9') || (line[i + 1] >= 'a' && line[i + 1] <= 'f')) i++;
            shape[k++] = 'H';
        } else {
            shape[k++] = line[i];
        }
    }
    shape[k] = 0;
    printf("log prefix: %s@\n", shape);
}

int main(void) {
    stu_prove_library();
    zoo_set_debug_level(getenv("ZK_VERBOSE") ? ZOO_LOG_LEVEL_DEBUG : ZOO_LOG_LEVEL_ERROR);
    signal(SIGPIPE, SIG_IGN);
    stu_server_addr(&server_addr);

    log_prefix_shape();

    /* Before any interest: process has no connection to work on. */
    phase("init");
    int lst = listen_on(0), rport = port_of(lst);
    pid_t relay = relay_start(lst);
    start(rport, 3000);
    stu_in = STU_IN_PROCESS;
    int rc = zookeeper_process(cur, 0);
    stu_in = STU_IN_NONE;
    printf("init: process(-) before any interest=%s/%s\n", rc_name(rc), state_name(zoo_state(cur)));
    phase("connecting");
    round_once(0);
    phase("handshake to connected");
    run_until(&is_connected_flag, 5000, 0);
    session_events();
    phase("connected");
    run_until(0, 2500, 0);
    /* A request made outside any callback (as from a timer of the loop) is
     * written by the call itself: its answer reaches the socket before the
     * loop calls zookeeper_interest or zookeeper_process again. */
    phase("request");
    {
        int fd = -1, ev = 0;
        struct timeval tv;
        CHECK_RC(zookeeper_interest(cur, &fd, &ev, &tv), ZOK);
        REQUIRE(fd >= 0);
        long long t0 = zkt_now_ms();
        CHECK_RC(zoo_aget(cur, "/", 0, data_done, &completions), ZOK);
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int n = poll(&p, 1, 50);
        long long ms = zkt_now_ms() - t0;
        printf("request: made outside callbacks, answered on the socket within 50 ms without a loop turn: %s\n", n == 1 ? "yes" : "no");
        fprintf(stderr, "request: answer readable after %lld ms\n", ms);
        CHECK(n == 1);
    }
    run_until(&completions, 2000, 0);
    phase("server killed");
    relay_signal(relay, SIGKILL);
    associating_flag = 0;
    run_until(&associating_flag, 3000, 0);
    session_events();
    phase("server back");
    relay = relay_start(lst);
    run_until(&is_connected_flag, 6000, 200);
    is_connected_flag = 0;
    session_events();
    phase("timed out");
    timed_out_flag = associating_flag = 0;
    relay_signal(relay, SIGSTOP);
    run_until(&timed_out_flag, 4000, 0);
    session_events();
    phase("reconnect after time-out");
    run_until(&associating_flag, 4000, 0);
    finish_handle();
    relay_signal(relay, SIGKILL);
    relay = relay_start(lst);

    /* Expiry: a second handle takes the session over and closes it; the
     * first then finds its connection closed and the session gone. */
    phase("expired");
    zhandle_t *first = start(rport, 3000);
    run_until(&is_connected_flag, 5000, 0);
    const clientid_t *id = zoo_client_id(first);
    char hosts[64];
    snprintf(hosts, sizeof hosts, "127.0.0.1:%d", rport);
    phase("second handle");
    is_connected_flag = 0;
    cur = zookeeper_init(hosts, watch_state, 3000, id, 0, 0);
    REQUIRE(cur);
    run_until(&is_connected_flag, 5000, 0);
    finish_handle();
    phase("expired");
    cur = first;
    is_connected_flag = is_ended_flag = 0;
    run_until(&is_ended_flag, 6000, 300);
    session_events();
    phase("after expiry");
    CHECK_RC(zoo_aget(cur, "/", 0, data_done, &completions), ZINVALIDSTATE);
    finish_handle();

    phase("auth failed");
    start(rport, 3000);
    run_until(&is_connected_flag, 5000, 0);
    nwatcher_events = 0;
    CHECK_RC(zoo_add_auth(cur, "nosuchscheme", "x", 1, void_done, 0), ZOK);
    run_until(&is_ended_flag, 3000, 500);
    session_events();
    finish_handle();

    phase("closing");
    start(rport, 3000);
    run_until(&is_connected_flag, 5000, 0);
    CHECK_RC(zoo_aget(cur, "/", 0, data_close, 0), ZOK);
    CHECK_RC(zoo_aget(cur, "/", 0, data_done, (void *)1), ZOK);
    run_until(&closed_in_callback, 3000, 0);
    closed_in_callback = 0;
    phase("close with calls in flight");
    start(rport, 3000);
    run_until(&is_connected_flag, 5000, 0);
    CHECK_RC(zoo_aget(cur, "/", 0, data_done, (void *)1), ZOK);
    finish_handle();

    phase("1 ms session timeout");
    start(rport, 1);
    run_until(&is_ended_flag, 3000, 300);
    session_events();
    finish_handle();

    relay_signal(relay, SIGKILL);
    close(lst);

    phase("refused");
    int dead = listen_on(0), dport = port_of(dead);
    close(dead);
    start(dport, 3000);
    run_until(0, 1500, 0);
    finish_handle();

    phase("handshake unanswered");
    int mute = listen_on(0);
    start(port_of(mute), 3000);
    run_until(0, 3000, 0);
    finish_handle();
    close(mute);

    print_idle();
    return stu_finish("st_states");
}
