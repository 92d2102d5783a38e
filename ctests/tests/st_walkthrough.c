/* The walkthrough (see walkthrough.c) on the single-threaded library: no
 * THREADED, only asynchronous calls, and every handle driven by this
 * program's own poll() loop around zookeeper_interest(zh, &fd, &interest,
 * &tv) and zookeeper_process(zh, events), as the reference documents it.
 * Create nodes with ZOO_OPEN_ACL_UNSAFE and flags 0 / SEQUENCE / EPHEMERAL /
 * both, get with a watcher, set, list children, watch events; then the
 * server this client is connected to is killed: the session, its
 * ephemerals and its watches carry over to another server. Completions and
 * watchers must run on the loop's thread inside a library call, and the
 * process must stay at one thread throughout. Prints the event trace (same
 * format as the multi-threaded walkthrough) and checks it. */
#define _GNU_SOURCE
#include "st_util.h"
#include <unistd.h>

/* --- the default watcher: an event trace ------------------------------- */
typedef struct { int type, state, in; char path[256]; } event_t;
static event_t ev[256];
static int nev;

static void record_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh;
    stu_callback("watcher");
    CHECK(ctx == (void *)ev);
    if (nev < 256) {
        ev[nev].type = type;
        ev[nev].state = state;
        ev[nev].in = stu_in;
        snprintf(ev[nev].path, sizeof ev[nev].path, "%s", path ? path : "(null)");
        nev++;
    }
}

/* the second client's watcher sees its session events only */
static void other_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    (void)zh; (void)path; (void)ctx;
    stu_callback("other's watcher");
    CHECK(type == ZOO_SESSION_EVENT);
    (void)state;
}

static int find_event(int from, int type, int state, const char *path) {
    for (int i = from; i < nev; i++)
        if (ev[i].type == type && ev[i].state == state && (!path || !strcmp(path, ev[i].path))) return i;
    return -1;
}

/* Pumps until the event is recorded at or after `from`; its index or -1. */
static int wait_event(int from, int type, int state, const char *path, int timeout_ms) {
    long long end = zkt_now_ms() + timeout_ms;
    int i;
    while ((i = find_event(from, type, state, path)) < 0 && zkt_now_ms() < end) stu_loop_once(100, -1);
    return i;
}

/* --- asynchronous calls, waited for by pumping the loop ------------------- */
typedef struct {
    int done, rc, len, count;
    char value[256], data[256];
    struct Stat st;
} op_t;

static void op_begin(op_t *op) { memset(op, 0, sizeof *op); }

static void string_done(int rc, const char *value, const void *data) {
    op_t *op = (op_t *)data;
    stu_callback("string completion");
    op->rc = rc;
    snprintf(op->value, sizeof op->value, "%s", value ? value : "");
    op->done++;
}
static void data_done(int rc, const char *value, int len, const struct Stat *st, const void *data) {
    op_t *op = (op_t *)data;
    stu_callback("data completion");
    op->rc = rc;
    op->len = len;
    if (rc == ZOK && value && len > 0) memcpy(op->data, value, len < 255 ? len : 255);
    if (st) op->st = *st;
    op->done++;
}
static void stat_done(int rc, const struct Stat *st, const void *data) {
    op_t *op = (op_t *)data;
    stu_callback("stat completion");
    op->rc = rc;
    if (st) op->st = *st;
    op->done++;
}
static void void_done(int rc, const void *data) {
    op_t *op = (op_t *)data;
    stu_callback("void completion");
    op->rc = rc;
    op->done++;
}
static void strings_done(int rc, const struct String_vector *v, const void *data) {
    op_t *op = (op_t *)data;
    stu_callback("strings completion");
    op->rc = rc;
    op->count = rc == ZOK && v ? v->count : -1;
    op->value[0] = 0;
    for (int i = 0; rc == ZOK && v && i < v->count; i++) {
        size_t l = strlen(op->value);
        snprintf(op->value + l, sizeof op->value - l, "%s%s", i ? "," : "", v->data[i]);
    }
    op->done++;
}

/* Waits for the completion (exactly one call); its rc. */
static int finish(op_t *op, int call_rc) {
    if (call_rc != ZOK) return call_rc;
    REQUIRE(stu_wait_flag(&op->done, 30000));
    CHECK(op->done == 1);
    return op->rc;
}

static int st_create(zhandle_t *zh, const char *path, const char *v, int vlen, int flags, op_t *op) {
    op_begin(op);
    return finish(op, zoo_acreate(zh, path, v, vlen, &ZOO_OPEN_ACL_UNSAFE, flags, string_done, op));
}
static int st_get(zhandle_t *zh, const char *path, int watch, op_t *op) {
    op_begin(op);
    return finish(op, zoo_aget(zh, path, watch, data_done, op));
}
static int st_set(zhandle_t *zh, const char *path, const char *v, int vlen, op_t *op) {
    op_begin(op);
    return finish(op, zoo_aset(zh, path, v, vlen, -1, stat_done, op));
}
static int st_exists(zhandle_t *zh, const char *path, int watch, op_t *op) {
    op_begin(op);
    return finish(op, zoo_aexists(zh, path, watch, stat_done, op));
}
static int st_delete(zhandle_t *zh, const char *path, op_t *op) {
    op_begin(op);
    return finish(op, zoo_adelete(zh, path, -1, void_done, op));
}
static int st_children(zhandle_t *zh, const char *path, int watch, op_t *op) {
    op_begin(op);
    return finish(op, zoo_aget_children(zh, path, watch, strings_done, op));
}

static int retry_rc(int rc) { return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT; }

/* Removes a subtree with the asynchronous calls (best effort). */
static void st_rmr(zhandle_t *zh, const char *path) {
    op_t op;
    int rc;
    do { rc = st_children(zh, path, 0, &op); } while (retry_rc(rc));
    if (rc == ZOK && op.count > 0) {
        char list[256], *save = 0;
        snprintf(list, sizeof list, "%s", op.value);
        for (char *k = strtok_r(list, ",", &save); k; k = strtok_r(0, ",", &save)) {
            char child[512];
            snprintf(child, sizeof child, "%s/%s", path, k);
            st_rmr(zh, child);
        }
    }
    do { rc = st_delete(zh, path, &op); } while (retry_rc(rc));
}

static zhandle_t *st_connect(const char *hosts, watcher_fn w, void *ctx) {
    stu_in = STU_IN_CALL;
    zhandle_t *zh = zookeeper_init(hosts, w, 10000, 0, ctx, 0);
    stu_in = STU_IN_NONE;
    REQUIRE(zh);
    stu_loop_add(zh);
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) stu_loop_once(100, -1);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    return zh;
}

int main(void) {
    stu_prove_library();
    zoo_set_debug_level(getenv("ZK_VERBOSE") ? ZOO_LOG_LEVEL_INFO : ZOO_LOG_LEVEL_WARN);
    const char *hosts = stu_hosts();
    printf("connecting to %s\n", hosts);
    zhandle_t *zh = st_connect(hosts, record_watcher, ev);
    REQUIRE(wait_event(0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 15000) == 0);
    /* the session event came from inside zookeeper_process */
    CHECK(ev[0].in == STU_IN_PROCESS);
    const clientid_t session = *zoo_client_id(zh);
    printf("connected: session 0x%llx, timeout %d ms\n", (long long)session.client_id, zoo_recv_timeout(zh));

    char root[64], p[256];
    op_t op;
    snprintf(root, sizeof root, "/walk-st-%d", (int)getpid());

    /* ZOO_OPEN_ACL_UNSAFE: perms 0x1f, scheme world, id anyone */
    CHECK(ZOO_OPEN_ACL_UNSAFE.count == 1 && ZOO_OPEN_ACL_UNSAFE.data[0].perms == 0x1f &&
          !strcmp(ZOO_OPEN_ACL_UNSAFE.data[0].id.scheme, "world") &&
          !strcmp(ZOO_OPEN_ACL_UNSAFE.data[0].id.id, "anyone"));
    CHECK_RC(st_create(zh, root, "hello", 5, 0, &op), ZOK);
    printf("created %s (flags 0)\n", op.value);
    CHECK(!strcmp(op.value, root));
    snprintf(p, sizeof p, "%s/seq-", root);
    CHECK_RC(st_create(zh, p, "s", 1, ZOO_SEQUENCE, &op), ZOK);
    printf("created %s (ZOO_SEQUENCE)\n", op.value);
    CHECK(strlen(op.value) == strlen(p) + 10 && !strncmp(op.value, p, strlen(p)));
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(st_create(zh, p, "e", 1, ZOO_EPHEMERAL, &op), ZOK);
    printf("created %s (ZOO_EPHEMERAL)\n", op.value);
    snprintf(p, sizeof p, "%s/ephseq-", root);
    CHECK_RC(st_create(zh, p, "es", 2, ZOO_EPHEMERAL | ZOO_SEQUENCE, &op), ZOK);
    printf("created %s (ZOO_EPHEMERAL|ZOO_SEQUENCE)\n", op.value);
    CHECK(strlen(op.value) == strlen(p) + 10);

    CHECK_RC(st_get(zh, root, 1, &op), ZOK);
    printf("get %s (watch): \"%.*s\" version %d\n", root, op.len, op.data, op.st.version);
    CHECK(op.len == 5 && !memcmp(op.data, "hello", 5) && op.st.version == 0);
    CHECK_RC(st_children(zh, root, 1, &op), ZOK);
    printf("children of %s: %d\n", root, op.count);
    CHECK(op.count == 3);
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(st_exists(zh, p, 0, &op), ZOK);
    CHECK(op.st.ephemeralOwner == session.client_id);

    /* a second client, on the same loop, changes things */
    zhandle_t *other = st_connect(hosts, other_watcher, 0);
    CHECK_RC(st_set(zh, root, "world", 5, &op), ZOK);
    printf("set %s \"world\" -> version %d\n", root, op.st.version);
    CHECK(op.st.version == 1);
    CHECK(wait_event(0, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, root, 5000) > 0);
    snprintf(p, sizeof p, "%s/child", root);
    CHECK_RC(st_create(other, p, 0, -1, 0, &op), ZOK);
    CHECK(wait_event(0, ZOO_CHILD_EVENT, ZOO_CONNECTED_STATE, root, 5000) > 0);

    snprintf(p, sizeof p, "%s/later", root);
    CHECK_RC(st_exists(zh, p, 1, &op), ZNONODE);
    CHECK_RC(st_create(other, p, 0, -1, 0, &op), ZOK);
    CHECK(wait_event(0, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, p, 5000) > 0);
    CHECK_RC(st_exists(zh, p, 1, &op), ZOK);
    CHECK_RC(st_delete(other, p, &op), ZOK);
    CHECK(wait_event(0, ZOO_DELETED_EVENT, ZOO_CONNECTED_STATE, p, 5000) > 0);

    /* one of the three servers dies: the one we are connected to */
    CHECK_RC(st_get(zh, root, 1, &op), ZOK);
    int victim = zkt_server_index(zh);
    CHECK(victim >= 1);
    printf("killing server %d (the one this session is on)\n", victim);
    int mark = nev;
    stu_fixture("kill", victim);
    int lost = wait_event(mark, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 15000);
    CHECK(lost >= 0);
    int back = wait_event(lost + 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 20000);
    CHECK(back > lost);
    CHECK(zoo_client_id(zh)->client_id == session.client_id);
    int now_on = zkt_server_index(zh);
    printf("session 0x%llx moved to server %d\n", (long long)zoo_client_id(zh)->client_id, now_on);
    CHECK(now_on >= 1 && now_on != victim);
    /* ephemerals survive, and the watch set before the failure still fires */
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(st_exists(zh, p, 0, &op), ZOK);
    int rc;
    do { rc = st_set(other, root, "again", 5, &op); } while (retry_rc(rc));
    CHECK_RC(rc, ZOK);
    CHECK(wait_event(lost, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, root, 10000) > lost);

    stu_fixture("restart", victim);
    stu_fixture("wait", victim);

    /* cleanup: the ephemerals go with the session */
    do { rc = st_delete(other, root, &op); } while (retry_rc(rc));
    CHECK_RC(rc, ZNOTEMPTY);
    CHECK_RC(stu_close(zh), ZOK);
    snprintf(p, sizeof p, "%s/eph", root);
    /* The server removes the ephemerals when it processes the close; the
     * reference's ST close may return before that, so allow it a moment. */
    long long gone_by = zkt_now_ms() + 15000; /* or when the session expires (10 s) */
    do { rc = st_exists(other, p, 0, &op); } while (retry_rc(rc) || (rc == ZOK && zkt_now_ms() < gone_by));
    CHECK_RC(rc, ZNONODE);
    st_rmr(other, root);
    do { rc = st_exists(other, root, 0, &op); } while (retry_rc(rc));
    CHECK_RC(rc, ZNONODE);
    CHECK_RC(stu_close(other), ZOK);

    /* the event trace, as a user of the walkthrough sees it */
    zkt_trace_event got[256];
    for (int i = 0; i < nev; i++) got[i] = (zkt_trace_event){ ev[i].type, ev[i].state, ev[i].path };
    stu_failures += zkt_check_walkthrough_trace(root, got, nev);
    for (int i = 0; i < nev; i++) {
        if (ev[i].in != STU_IN_PROCESS) {
            fprintf(stderr, "event %d delivered in %s, want zookeeper_process\n", i, stu_in_name(ev[i].in));
            stu_failures++;
        }
    }
    /* every completion and watcher ran inside zookeeper_process */
    CHECK(stu_callbacks[STU_IN_PROCESS] > 0);
    CHECK(stu_callbacks[STU_IN_NONE] == 0);
    printf("interest/process errors seen by the loop (connection losses): %d\n", stu_loop_errors);
    return stu_finish("st_walkthrough");
}
