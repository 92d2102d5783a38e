/* The single-threaded event-loop API in detail (no THREADED; one thread):
 * zookeeper_interest before any connection, zookeeper_process with no
 * events, a request written by the call itself, many pipelined calls
 * completing in order inside zookeeper_process, zookeeper_close with calls
 * in flight, and bad arguments to both. The expected values are those of
 * Debian's libzookeeper_st.so.2 (3.8.0), observed with this program on it
 * (ctest st_basics_on_reference) and recorded in the comments. */
#define _GNU_SOURCE
#include "st_util.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static int session_events, watcher_calls, expired_events;
static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)path;
    stu_callback("watcher");
    watcher_calls++;
    CHECK(ctx == (void *)&session_events);
    if (type == ZOO_SESSION_EVENT) session_events++;
    if (type == ZOO_SESSION_EVENT && state == ZOO_EXPIRED_SESSION_STATE) {
        expired_events++;
        CHECK(stu_in == STU_IN_PROCESS);
    }
    if (getenv("ZK_VERBOSE")) printf("  watcher %s %s in %s\n", zkt_type_name(type), zkt_state_name(state), stu_in_name(stu_in));
}

/* --- completions: each records its call order, rc and where it ran ------- */
#define MAXC 512
typedef struct { int calls, rc, order, in; char value[64]; } slot_t;
static slot_t slots[MAXC];
static int ncompleted;

static slot_t *done(const void *data, int rc, const char *what) {
    stu_callback(what);
    long i = (long)data;
    REQUIRE(i >= 0 && i < MAXC);
    slots[i].calls++;
    slots[i].rc = rc;
    slots[i].in = stu_in;
    slots[i].order = ncompleted++;
    return &slots[i];
}
static void string_done(int rc, const char *value, const void *data) {
    slot_t *s = done(data, rc, "string completion");
    snprintf(s->value, sizeof s->value, "%s", value ? value : "(null)");
}
static void data_done(int rc, const char *value, int len, const struct Stat *st, const void *data) {
    (void)value; (void)len; (void)st;
    done(data, rc, "data completion");
}
static void stat_done(int rc, const struct Stat *st, const void *data) {
    (void)st;
    done(data, rc, "stat completion");
}
static void void_done(int rc, const void *data) { done(data, rc, "void completion"); }
static void strings_done(int rc, const struct String_vector *v, const void *data) {
    (void)v;
    done(data, rc, "strings completion");
}
static void reset_slots(void) {
    memset(slots, 0, sizeof slots);
    ncompleted = 0;
}

static long tv_ms(struct timeval tv) { return tv.tv_sec * 1000L + tv.tv_usec / 1000; }

static int interest(zhandle_t *zh, int *fd, int *ev, struct timeval *tv) {
    stu_in = STU_IN_INTEREST;
    int rc = zookeeper_interest(zh, fd, ev, tv);
    stu_in = STU_IN_NONE;
    return rc;
}
static int process(zhandle_t *zh, int events) {
    stu_in = STU_IN_PROCESS;
    int rc = zookeeper_process(zh, events);
    stu_in = STU_IN_NONE;
    return rc;
}
static zhandle_t *init(void) {
    stu_in = STU_IN_CALL;
    zhandle_t *zh = zookeeper_init(stu_hosts(), watcher, 10000, 0, &session_events, 0);
    stu_in = STU_IN_NONE;
    REQUIRE(zh);
    return zh;
}
static void connect_loop(zhandle_t *zh) {
    stu_loop_add(zh);
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) stu_loop_once(100, -1);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
}
/* Pumps until n completions arrived (or 20 s). */
static void wait_completions(int n) {
    long long end = zkt_now_ms() + 20000;
    while (ncompleted < n && zkt_now_ms() < end) stu_loop_once(100, -1);
    CHECK(ncompleted == n);
}

/* One async call of kind k (0..5) with slot i; returns the call's rc. */
static int call_kind(zhandle_t *zh, int k, long i, const char *root) {
    char p[128];
    void *d = (void *)i;
    switch (k) {
    case 0: snprintf(p, sizeof p, "%s/n-", root);
            return zoo_acreate(zh, p, "v", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, string_done, d);
    case 1: return zoo_aexists(zh, root, 0, stat_done, d);
    case 2: return zoo_aget(zh, root, 0, data_done, d);
    case 3: return zoo_aset(zh, root, "w", 1, -1, stat_done, d);
    case 4: return zoo_aget_children(zh, root, 0, strings_done, d);
    default: snprintf(p, sizeof p, "%s/none", root);
             return zoo_adelete(zh, p, -1, void_done, d);
    }
}
/* The rc each kind gets from the server in these tests. */
static int kind_rc(int k) { return k == 5 ? ZNONODE : ZOK; }

/* A call made from inside a completion: completes later, in order. */
static void reentrant_done(int rc, const struct Stat *st, const void *data) {
    (void)st;
    done(data, rc, "re-entrant completion");
}
static zhandle_t *reentrant_zh;
static void issue_from_completion(int rc, const struct Stat *st, const void *data) {
    (void)st;
    done(data, rc, "completion issuing a call");
    CHECK_RC(zoo_aexists(reentrant_zh, "/", 0, reentrant_done, (void *)(long)(MAXC - 1)), ZOK);
}

int main(void) {
    stu_prove_library();
    zoo_set_debug_level(getenv("ZK_VERBOSE") ? ZOO_LOG_LEVEL_DEBUG : ZOO_LOG_LEVEL_ERROR);
    char root[64];
    snprintf(root, sizeof root, "/st-basics-%d", (int)getpid());
    int fd, ev;
    struct timeval tv;

    /* --- 1. bad arguments ------------------------------------------------
     * Reference: zookeeper_interest with any NULL argument and
     * zookeeper_process(NULL, ...) return ZBADARGUMENTS (-8) and leave the
     * outputs untouched; a handle given NULL outputs makes no connection
     * attempt (state stays ZOO_NOTCONNECTED_STATE, 999). */
    fd = 77; ev = 77; tv.tv_sec = 77; tv.tv_usec = 77;
    CHECK_RC(zookeeper_interest(NULL, &fd, &ev, &tv), ZBADARGUMENTS);
    CHECK(fd == 77 && ev == 77 && tv.tv_sec == 77 && tv.tv_usec == 77);
    CHECK_RC(zookeeper_process(NULL, 0), ZBADARGUMENTS);
    CHECK_RC(zookeeper_process(NULL, ZOOKEEPER_READ | ZOOKEEPER_WRITE), ZBADARGUMENTS);
    /* the event bits: ZOOKEEPER_WRITE is 1, ZOOKEEPER_READ is 2 */
    CHECK(ZOOKEEPER_WRITE == 1 && ZOOKEEPER_READ == 2);

    zhandle_t *zh = init();
    CHECK(stu_threads() == 1);
    /* Reference: zookeeper_init does not connect in the ST library: the
     * state is ZOO_NOTCONNECTED_STATE (999) until the first interest. */
    CHECK_RC(zoo_state(zh), ZOO_NOTCONNECTED_STATE);
    CHECK_RC(interest(zh, NULL, &ev, &tv), ZBADARGUMENTS);
    CHECK_RC(interest(zh, &fd, NULL, &tv), ZBADARGUMENTS);
    CHECK_RC(interest(zh, &fd, &ev, NULL), ZBADARGUMENTS);
    CHECK_RC(zoo_state(zh), ZOO_NOTCONNECTED_STATE);

    /* --- 2. before any connection -----------------------------------------
     * Reference: zookeeper_process before the first zookeeper_interest (no
     * socket yet) returns ZINVALIDSTATE (-9), whatever the events. */
    CHECK_RC(process(zh, 0), ZINVALIDSTATE);
    CHECK_RC(process(zh, ZOOKEEPER_READ | ZOOKEEPER_WRITE), ZINVALIDSTATE);
    CHECK_RC(zoo_state(zh), ZOO_NOTCONNECTED_STATE);
    /* Reference: a call made before the first interest is accepted (ZOK) and
     * queued; it completes with ZOK once the session is established. */
    reset_slots();
    CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, (void *)1L), ZOK);
    CHECK(ncompleted == 0);

    /* Reference: the first zookeeper_interest starts a non-blocking connect:
     * ZOK, fd a non-blocking TCP socket, interest ZOOKEEPER_READ |
     * ZOOKEEPER_WRITE (3), tv 3.333000 s (a third of the 10000 ms timeout),
     * state ZOO_CONNECTING_STATE (1). A second call gives the same. */
    fd = -1; ev = 0; tv.tv_sec = tv.tv_usec = 0;
    CHECK_RC(interest(zh, &fd, &ev, &tv), ZOK);
    printf("first interest: fd=%d interest=%d tv=%ld.%06ld state=%d\n", fd, ev, (long)tv.tv_sec, (long)tv.tv_usec, zoo_state(zh));
    REQUIRE(fd >= 0);
    struct stat sb;
    CHECK(fstat(fd, &sb) == 0 && S_ISSOCK(sb.st_mode));
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK(ev == (ZOOKEEPER_READ | ZOOKEEPER_WRITE));
    CHECK(tv_ms(tv) >= 3320 && tv_ms(tv) <= 3333);
    CHECK_RC(zoo_state(zh), ZOO_CONNECTING_STATE);
    int fd2 = -1, ev2 = 0;
    struct timeval tv2;
    CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZOK);
    CHECK(fd2 == fd && ev2 == ev && tv_ms(tv2) <= tv_ms(tv) && tv_ms(tv2) >= 3300);
    /* Reference: process with no events while connecting: ZOK, nothing
     * happens. */
    CHECK_RC(process(zh, 0), ZOK);
    CHECK_RC(zoo_state(zh), ZOO_CONNECTING_STATE);
    CHECK(session_events == 0 && ncompleted == 0);

    /* --- 3. the handshake, driven by hand ------------------------------------
     * Reference: process(ZOOKEEPER_WRITE) once the socket is writable sends
     * the connect request: state ZOO_ASSOCIATING_STATE (2), interest
     * ZOOKEEPER_READ; process(ZOOKEEPER_READ) with the answer: state
     * ZOO_CONNECTED_STATE (3), the session watcher called inside it. The
     * queued call is then sent, and completes in a later process. */
    int seen_associating = 0;
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) {
        int irc = interest(zh, &fd2, &ev2, &tv2);
        if (irc != ZOK || fd2 != fd) {
            fprintf(stderr, "handshake: zookeeper_interest returned %d, fd %d (want ZOK, fd %d)\n", irc, fd2, fd);
            stu_failures++;
            break;
        }
        struct pollfd p = { fd2, (short)((ev2 & ZOOKEEPER_READ ? POLLIN : 0) | (ev2 & ZOOKEEPER_WRITE ? POLLOUT : 0)), 0 };
        int n = poll(&p, 1, (int)tv_ms(tv2));
        int events = n > 0 ? ((p.revents & (POLLIN | POLLHUP | POLLERR) ? ZOOKEEPER_READ : 0) |
                              (p.revents & (POLLOUT | POLLERR) ? ZOOKEEPER_WRITE : 0)) & ev2 : 0;
        int rc = process(zh, events);
        if (rc != ZOK && rc != ZNOTHING) {
            fprintf(stderr, "handshake: zookeeper_process(%d) returned %d (%s)\n", events, rc, zerror(rc));
            stu_failures++;
            break;
        }
        if (zoo_state(zh) == ZOO_ASSOCIATING_STATE && !seen_associating++) {
            CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZOK);
            CHECK(ev2 == ZOOKEEPER_READ);
        }
    }
    if (zoo_state(zh) != ZOO_CONNECTED_STATE) connect_loop(zh);  /* the loop's way, to go on */
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(seen_associating > 0);
    CHECK(session_events == 1);
    CHECK(stu_callbacks[STU_IN_PROCESS] >= 1 && stu_callbacks[STU_IN_NONE] == 0);
    stu_loop_add(zh);
    wait_completions(1);
    CHECK(slots[1].calls == 1 && slots[1].rc == ZOK && slots[1].in == STU_IN_PROCESS);

    /* --- 4. connected and idle --------------------------------------------------
     * Reference: interest ZOOKEEPER_READ only, tv the time to the next ping
     * (at most a third of the timeout: 3.333 s); process with no events:
     * ZOK; process(ZOOKEEPER_READ) with nothing to read: ZNOTHING (-117);
     * process(ZOOKEEPER_WRITE) with nothing to write: ZOK. */
    CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZOK);
    printf("connected, idle: fd=%d interest=%d tv=%ld.%06ld\n", fd2, ev2, (long)tv2.tv_sec, (long)tv2.tv_usec);
    CHECK(fd2 == fd && ev2 == ZOOKEEPER_READ && tv_ms(tv2) > 2000 && tv_ms(tv2) <= 3333);
    CHECK_RC(process(zh, 0), ZOK);
    CHECK_RC(process(zh, ZOOKEEPER_READ), ZNOTHING);
    CHECK_RC(process(zh, ZOOKEEPER_WRITE), ZOK);
    /* Reference: bits other than READ/WRITE are ignored: 0x100 gives ZOK,
     * -1 (READ among them, nothing to read) ZNOTHING. */
    CHECK_RC(process(zh, 0x100), ZOK);
    CHECK_RC(process(zh, -1), ZNOTHING);
    /* An idle second of the loop: poll() sleeps until tv (no busy loop from
     * a zero tv or a write interest with nothing to write). Reference: 1-2
     * rounds. */
    long rounds = stu_loop_rounds;
    stu_pump(1000);
    printf("an idle second took %ld loop round(s)\n", stu_loop_rounds - rounds);
    CHECK(stu_loop_rounds - rounds <= 20);

    /* --- 5. a call writes its request itself ----------------------------------
     * Reference: zoo_aexists sends the request before it returns (interest
     * stays ZOOKEEPER_READ, and the reply becomes readable without any
     * zookeeper_process(ZOOKEEPER_WRITE)); the completion runs only inside
     * zookeeper_process, which returns ZOK. */
    reset_slots();
    stu_in = STU_IN_CALL;
    CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, (void *)2L), ZOK);
    stu_in = STU_IN_NONE;
    CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZOK);
    CHECK(ev2 == ZOOKEEPER_READ);
    struct pollfd pr = { fd, POLLIN, 0 };
    CHECK(poll(&pr, 1, 5000) == 1 && (pr.revents & POLLIN));
    CHECK(ncompleted == 0);
    CHECK_RC(process(zh, ZOOKEEPER_READ), ZOK);
    CHECK(ncompleted == 1 && slots[2].calls == 1 && slots[2].rc == ZOK && slots[2].in == STU_IN_PROCESS);

    /* --- 6. pipelined calls ---------------------------------------------------------
     * Reference: 300 calls of six kinds made back to back all complete, in
     * the order they were made, each exactly once, inside zookeeper_process
     * (the reference handles one reply per zookeeper_process call); a call
     * made from inside a completion completes after them. */
    reset_slots();
    reentrant_zh = zh;
    stu_in = STU_IN_CALL;
    int made = 0;
    CHECK_RC(zoo_acreate(zh, root, "r", 1, &ZOO_OPEN_ACL_UNSAFE, 0, string_done, (void *)0L), ZOK);
    made++;
    const int N = 300;
    for (long i = 1; i <= N; i++) {
        int rc = call_kind(zh, (int)(i % 6), i, root);
        CHECK_RC(rc, ZOK);
        if (rc == ZOK) made++;
    }
    CHECK_RC(zoo_aexists(zh, "/", 0, issue_from_completion, (void *)(long)(N + 1)), ZOK);
    made++;
    stu_in = STU_IN_NONE;
    CHECK(ncompleted == 0);
    long long t0 = zkt_now_ms();
    wait_completions(made + 1);
    printf("%d pipelined calls completed in %lld ms\n", made + 1, zkt_now_ms() - t0);
    CHECK(slots[0].calls == 1 && slots[0].rc == ZOK && slots[0].order == 0 && !strcmp(slots[0].value, root));
    char prev[64] = "";
    for (long i = 1; i <= N; i++) {
        int k = (int)(i % 6);
        if (slots[i].calls != 1 || slots[i].rc != kind_rc(k) || slots[i].order != i || slots[i].in != STU_IN_PROCESS) {
            fprintf(stderr, "call %ld (kind %d): %d completion(s), rc %d, order %d, in %s\n", i, k, slots[i].calls,
                    slots[i].rc, slots[i].order, stu_in_name(slots[i].in));
            stu_failures++;
        }
        if (k == 0) {  /* sequence numbers increase in call order */
            CHECK(strncmp(slots[i].value, root, strlen(root)) == 0 && strcmp(slots[i].value, prev) > 0);
            snprintf(prev, sizeof prev, "%s", slots[i].value);
        }
    }
    CHECK(slots[N + 1].calls == 1 && slots[N + 1].order == N + 1);
    CHECK(slots[MAXC - 1].calls == 1 && slots[MAXC - 1].rc == ZOK && slots[MAXC - 1].order == N + 2 &&
          slots[MAXC - 1].in == STU_IN_PROCESS);

    /* --- 7. zookeeper_close with calls in flight --------------------------------
     * Reference: 12 calls made and not yet answered (nothing processed) are
     * each completed exactly once, with ZCLOSING (-116), inside
     * zookeeper_close, in call order; close returns ZOK and the watcher is
     * not called. */
    reset_slots();
    int wc = watcher_calls;
    stu_in = STU_IN_CALL;
    for (long i = 0; i < 12; i++) CHECK_RC(call_kind(zh, (int)(i % 6), i, root), ZOK);
    stu_in = STU_IN_NONE;
    CHECK_RC(stu_close(zh), ZOK);
    CHECK(watcher_calls == wc);
    CHECK(ncompleted == 12);
    for (long i = 0; i < 12; i++) {
        if (slots[i].calls != 1 || slots[i].rc != ZCLOSING || slots[i].order != i || slots[i].in != STU_IN_CLOSE) {
            fprintf(stderr, "close, call %ld: %d completion(s), rc %d, order %d, in %s\n", i, slots[i].calls, slots[i].rc,
                    slots[i].order, stu_in_name(slots[i].in));
            stu_failures++;
        }
    }

    /* Reference: with some replies already read and delivered, the calls
     * still unanswered at close get ZCLOSING, each exactly once, in order. */
    zh = init();
    connect_loop(zh);
    reset_slots();
    for (long i = 0; i < 5; i++) CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, (void *)i), ZOK);
    pr.fd = -1;
    CHECK_RC(interest(zh, &pr.fd, &ev2, &tv2), ZOK);
    pr.events = POLLIN;
    CHECK(poll(&pr, 1, 5000) == 1);
    CHECK_RC(process(zh, ZOOKEEPER_READ), ZOK);
    int before_close = ncompleted;
    CHECK(before_close >= 1);
    for (long i = 5; i < 8; i++) CHECK_RC(zoo_aexists(zh, "/", 0, stat_done, (void *)i), ZOK);
    CHECK_RC(stu_close(zh), ZOK);
    CHECK(ncompleted == 8);
    for (long i = 0; i < 8; i++) {
        int want = i < before_close ? ZOK : ZCLOSING;
        if (slots[i].calls != 1 || slots[i].rc != want || slots[i].order != i) {
            fprintf(stderr, "close after %d replies, call %ld: %d completion(s), rc %d (want %d), order %d\n", before_close, i,
                    slots[i].calls, slots[i].rc, want, slots[i].order);
            stu_failures++;
        }
    }
    printf("close after %d of 8 replies delivered: the other %d got ZCLOSING\n", before_close, 8 - before_close);

    /* Reference: calls made before the first interest, then close: ZCLOSING. */
    zh = init();
    reset_slots();
    CHECK_RC(zoo_aget(zh, "/", 0, data_done, (void *)0L), ZOK);
    CHECK_RC(zoo_acreate(zh, "/st-never", "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, string_done, (void *)1L), ZOK);
    CHECK_RC(stu_close(zh), ZOK);
    CHECK(ncompleted == 2 && slots[0].calls == 1 && slots[0].rc == ZCLOSING && slots[1].calls == 1 &&
          slots[1].rc == ZCLOSING && slots[1].order == 1 && slots[0].in == STU_IN_CLOSE);

    /* Reference: calls made while connecting (after the first interest), then
     * close: ZCLOSING. */
    zh = init();
    reset_slots();
    CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZOK);
    CHECK_RC(zoo_state(zh), ZOO_CONNECTING_STATE);
    CHECK_RC(zoo_aget(zh, "/", 0, data_done, (void *)0L), ZOK);
    CHECK_RC(zoo_aget_children(zh, "/", 0, strings_done, (void *)1L), ZOK);
    CHECK_RC(stu_close(zh), ZOK);
    CHECK(ncompleted == 2 && slots[0].calls == 1 && slots[0].rc == ZCLOSING && slots[1].calls == 1 &&
          slots[1].rc == ZCLOSING && slots[1].order == 1 && slots[0].in == STU_IN_CLOSE);

    /* --- 8. an expired session -------------------------------------------------
     * A made-up session id: the server answers the handshake with an expired
     * session. Reference: that zookeeper_process returns ZSESSIONEXPIRED
     * (-112) and calls the watcher with (SESSION, EXPIRED) inside it, the
     * state is ZOO_EXPIRED_SESSION_STATE (-112); from
     * then on zookeeper_interest and zookeeper_process return ZINVALIDSTATE,
     * an async call returns ZINVALIDSTATE without calling its completion,
     * and close returns ZOK. */
    printf("interest/process errors seen by the loop: %d\n", stu_loop_errors);
    CHECK(stu_loop_errors == 0);
    {
        clientid_t bogus = { 0x7eadbeef12345LL, "0123456789abcde" };
        int expired_before = expired_events;
        stu_in = STU_IN_CALL;
        zh = zookeeper_init(stu_hosts(), watcher, 10000, &bogus, &session_events, 0);
        stu_in = STU_IN_NONE;
        REQUIRE(zh);
        stu_loop_add(zh);
        end = zkt_now_ms() + 15000;
        while (zoo_state(zh) != ZOO_EXPIRED_SESSION_STATE && zkt_now_ms() < end) stu_loop_once(100, -1);
        CHECK_RC(zoo_state(zh), ZOO_EXPIRED_SESSION_STATE);
        CHECK(expired_events == expired_before + 1);
        CHECK(stu_loop_errors == 1);
        CHECK_RC(stu_last_error, ZSESSIONEXPIRED);
        stu_loop_remove(zh);
        CHECK_RC(interest(zh, &fd2, &ev2, &tv2), ZINVALIDSTATE);
        CHECK_RC(process(zh, 0), ZINVALIDSTATE);
        CHECK_RC(process(zh, ZOOKEEPER_READ), ZINVALIDSTATE);
        reset_slots();
        CHECK_RC(zoo_aget(zh, "/", 0, data_done, (void *)0L), ZINVALIDSTATE);
        CHECK_RC(stu_close(zh), ZOK);
        CHECK(ncompleted == 0);
    }

    /* cleanup: the ephemerals went with the first session */
    zh = init();
    connect_loop(zh);
    /* The first session's ephemerals go when the server has processed its
     * close; the reference's ST close may return without its close having
     * reached the server, and then they go when the session expires (10 s). */
    long long gone_by = zkt_now_ms() + 15000;
    do {
        reset_slots();
        CHECK_RC(zoo_adelete(zh, root, -1, void_done, (void *)0L), ZOK);
        wait_completions(1);
    } while (slots[0].rc == ZNOTEMPTY && zkt_now_ms() < gone_by);
    CHECK(slots[0].rc == ZOK);
    CHECK_RC(stu_close(zh), ZOK);
    return stu_finish("st_basics");
}
