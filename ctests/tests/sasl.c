/* zookeeper_init_sasl (and zookeeper_init_ssl_sasl) against a real
 * ZooKeeper 3.8 that authenticates with SASL DIGEST-MD5
 * (ctests/fixture/sasl.sh; users bob, alice, super). Each case is a row of
 * the SASL table in shared/tls-sasl/reference.md; where ours differs from
 * the upstream client on purpose (an AUTH_FAILED event, ZAUTHFAILED for the
 * calls waiting, sasl_client_init done for the application), the check is
 * what we do, and docs/deviations.md lists it.
 *
 * $SASL_MODE: optional (the server accepts unauthenticated clients),
 * require (sessionRequireClientSASLAuth=true), restart (optional server that
 * the test restarts: re-authentication on reconnect), tls (a TLS server that
 * also does SASL: zookeeper_init_ssl_sasl).
 * Environment: ZK_SASL_PORT, ZK_SASL_DIR, ZK_SASL_FIXTURE, SASL_LOG; for
 * tls: ZK_TLS_DIR, ZK_TLS_PORT. */
#define _GNU_SOURCE
/* As a program written for the upstream header does. */
#define HAVE_CYRUS_SASL_H 1
#define HAVE_OPENSSL_H 1
#include "testutil.h"
#include <errno.h>
#include <sasl/sasl.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *mode;
static char hostport[128];
static char tmpdir[256];
static FILE *logf;

/* --- ordered record of callbacks ---------------------------------------- */
static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static char order[4096];

static void note(const char *fmt, int v) {
    pthread_mutex_lock(&order_mu);
    size_t n = strlen(order);
    snprintf(order + n, sizeof order - n, n ? " " : "");
    n = strlen(order);
    snprintf(order + n, sizeof order - n, fmt, v);
    pthread_mutex_unlock(&order_mu);
}

typedef struct {
    zkt_recorder rec;
} watch_ctx;

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT) note("event:%d", state);
    zkt_record_watcher(zh, type, state, path, &((watch_ctx *)ctx)->rec);
}

/* An early call's completion: noted in the order of callbacks. */
static void stat_done(int rc, const struct Stat *s, const void *d) {
    note("early:%d", rc);
    zkt_stat_done(rc, s, d);
}

static void watch_states(zhandle_t *zh, int ms, int stop_at, char *out, size_t n) {
    zkt_watch_states(zh, ms, stop_at, -1, out, n);
}
static long log_pos(void) { return zkt_log_pos(logf); }
static int log_count(long from, const char *needle) { return zkt_log_count(logf, getenv("SASL_LOG"), from, needle); }

/* A password file with this content; returns its path. */
static const char *pwfile(const char *name, const char *content, size_t len) {
    static char paths[8][512];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    REQUIRE(f);
    REQUIRE(fwrite(content, 1, len, f) == len);
    fclose(f);
    return p;
}
static const char *pw(const char *user, const char *password) {
    char name[64];
    snprintf(name, sizeof name, "%s.pw", user);
    return pwfile(name, password, strlen(password));
}

/* --- handles -------------------------------------------------------------- */
typedef struct {
    zhandle_t *zh;
    watch_ctx w;
    sasl_callback_t *cbs;
    zoo_sasl_params_t params;
} session;

static const char *tls_certs(void) {
    static char buf[2048];
    const char *d = getenv("ZK_TLS_DIR");
    snprintf(buf, sizeof buf, "%s/certs/ca.pem,%s/certs/client.pem,%s/certs/client.key", d, d, d);
    return buf;
}

/* Starts a SASL session (does not wait). cbs NULL: a plain session. */
static int open_session(session *s, sasl_callback_t *cbs, const char *server_host, const char *mech) {
    memset(s, 0, sizeof *s);
    zkt_recorder_init(&s->w.rec);
    s->cbs = cbs;
    s->params.service = "zookeeper";
    s->params.host = server_host;
    s->params.mechlist = mech;
    s->params.callbacks = cbs;
    if (!cbs)
        s->zh = !strcmp(mode, "tls") ? zookeeper_init_ssl(hostport, tls_certs(), watcher, 10000, 0, &s->w, 0)
                                     : zookeeper_init(hostport, watcher, 10000, 0, &s->w, 0);
    else if (!strcmp(mode, "tls"))
        s->zh = zookeeper_init_ssl_sasl(hostport, tls_certs(), watcher, 10000, 0, &s->w, 0, NULL, &s->params);
    else
        s->zh = zookeeper_init_sasl(hostport, watcher, 10000, 0, &s->w, 0, NULL, &s->params);
    if (!s->zh) { fprintf(stderr, "init returned NULL, errno %d\n", errno); zkt_failures++; return 0; }
    return 1;
}

static void close_session(session *s) {
    if (s->zh) CHECK_RC(zookeeper_close(s->zh), ZOK);
    s->zh = NULL;
    free(s->cbs); /* after close, as documented */
}

static int connected(session *s) {
    return zkt_wait_event(&s->w.rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 15000) >= 0;
}

static sasl_callback_t *basic(const char *user, const char *password) {
    return zoo_sasl_make_basic_callbacks(user, NULL, pw(user, password));
}

static char node[128];
static struct ACL bob_acl_entry = {0x1f /* ZOO_PERM_ALL */, {"sasl", "bob"}};
static struct ACL_vector bob_acl = {1, &bob_acl_entry};

/* --- cases ----------------------------------------------------------------- */

/* sasl-ok: ASSOCIATING during SASL (no other state), one CONNECTED event
 * only after it, an early call completes after that event; the node with
 * ACL sasl:bob:cdrwa is bob's. */
static void ok_bob(const char *name) {
    session s;
    order[0] = 0;
    long long t0 = zkt_now_ms();
    if (!open_session(&s, basic("bob", "bobsecret"), "zk-sasl-md5", "DIGEST-MD5")) return;
    zkt_result early;
    zkt_result_init(&early);
    CHECK_RC(zoo_aexists(s.zh, "/", 0, stat_done, &early), ZOK);
    char seq[256];
    watch_states(s.zh, 15000, ZOO_CONNECTED_STATE, seq, sizeof seq);
    CHECK(connected(&s));
    CHECK_RC(zkt_wait_result(&early, 5000), ZOK);
    usleep(300 * 1000);
    printf("%-28s states: %s; callbacks: %s (%lld ms)\n", name, seq, order, zkt_now_ms() - t0);
    /* Only these states, in this order (a sample may miss one); over TLS,
     * SSL_CONNECTING (7) comes before ASSOCIATING. */
    if (!strcmp(mode, "tls")) {
        char kept[256] = "", *save = NULL;
        for (char *t = strtok_r(seq, " ", &save); t; t = strtok_r(NULL, " ", &save))
            if (strcmp(t, "7")) snprintf(kept + strlen(kept), sizeof kept - strlen(kept), "%s%s", *kept ? " " : "", t);
        snprintf(seq, sizeof seq, "%s", kept);
    }
    const char *allowed[] = {"999 1 2 3", "999 2 3", "1 2 3", "2 3", "999 1 3", "1 3", "999 3", "3"};
    int good = 0;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) good |= !strcmp(seq, allowed[i]);
    CHECK(good);
    CHECK(!strcmp(order, "event:3 early:0"));
    CHECK(zkt_count(&s.w.rec) == 1);
    snprintf(node, sizeof node, "/%s-%d", name, (int)getpid());
    CHECK_RC(zoo_create(s.zh, node, "bob's", 5, &bob_acl, 0, 0, 0), ZOK);
    char buf[64];
    int len = sizeof buf;
    CHECK_RC(zoo_get(s.zh, node, 0, buf, &len, 0), ZOK);
    CHECK(len == 5 && !memcmp(buf, "bob's", 5));
    struct ACL_vector acl;
    struct Stat st;
    CHECK_RC(zoo_get_acl(s.zh, node, &acl, &st), ZOK);
    CHECK(acl.count == 1 && !strcmp(acl.data[0].id.scheme, "sasl") && !strcmp(acl.data[0].id.id, "bob") &&
          acl.data[0].perms == 0x1f);
    if (acl.count) printf("%-28s getACL: %s:%s perms=%#x\n", name, acl.data[0].id.scheme, acl.data[0].id.id, acl.data[0].perms);
    deallocate_ACL_vector(&acl);
    close_session(&s);
}

/* Another identity sees bob's node as its ACL says. */
static void other_user(const char *name, sasl_callback_t *cbs, int want_get) {
    session s;
    if (!open_session(&s, cbs, "zk-sasl-md5", "DIGEST-MD5")) return;
    CHECK(connected(&s));
    char buf[64];
    int len = sizeof buf;
    int rc = zoo_get(s.zh, node, 0, buf, &len, 0);
    printf("%-28s get of bob's node: %d\n", name, rc);
    CHECK_RC(rc, want_get);
    close_session(&s);
}

/* A plain session on an optional server: ZNOAUTH on bob's node. */
static void unauthenticated(void) {
    session s;
    if (!open_session(&s, NULL, NULL, NULL)) return;
    CHECK(connected(&s));
    char buf[64];
    int len = sizeof buf;
    struct Stat st;
    struct ACL_vector acl;
    int g = zoo_get(s.zh, node, 0, buf, &len, 0), set = zoo_set(s.zh, node, "x", 1, -1);
    int ex = zoo_exists(s.zh, node, 0, &st), ga = zoo_get_acl(s.zh, node, &acl, &st);
    printf("%-28s get %d set %d exists %d getACL %d\n", "unauthenticated", g, set, ex, ga);
    CHECK_RC(g, ZNOAUTH);
    CHECK_RC(set, ZNOAUTH);
    CHECK_RC(ex, ZOK);
    CHECK_RC(ga, ZNOAUTH);
    /* sasl-optional-plain-client: open-ACL nodes work as usual. */
    char open_node[160];
    snprintf(open_node, sizeof open_node, "%s-open", node);
    CHECK_RC(zoo_create(s.zh, open_node, "o", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK_RC(zoo_set(s.zh, open_node, "p", 1, -1), ZOK);
    CHECK_RC(zoo_delete(s.zh, open_node, -1), ZOK);
    close_session(&s);
}

/* Authentication fails: the AUTH_FAILED session event (ours), the early
 * call completes with ZAUTHFAILED (ours), later calls ZINVALIDSTATE, one
 * ERROR line saying why, close prompt. */
static void expect_auth_failed(const char *name, sasl_callback_t *cbs, const char *server_host, const char *mech) {
    session s;
    long pos = log_pos();
    long long t0 = zkt_now_ms();
    if (!open_session(&s, cbs, server_host, mech)) return;
    zkt_result early;
    zkt_result_init(&early);
    CHECK_RC(zoo_aexists(s.zh, "/", 0, stat_done, &early), ZOK);
    int ev = zkt_wait_event(&s.w.rec, 0, ZOO_SESSION_EVENT, ZOO_AUTH_FAILED_STATE, NULL, 10000);
    long long took = zkt_now_ms() - t0;
    CHECK(ev >= 0);
    CHECK(zoo_state(s.zh) == ZOO_AUTH_FAILED_STATE);
    CHECK_RC(zkt_wait_result(&early, 2000), ZAUTHFAILED);
    char buf[16];
    int len = sizeof buf;
    CHECK_RC(zoo_get(s.zh, "/", 0, buf, &len, 0), ZINVALIDSTATE);
    zkt_result late;
    zkt_result_init(&late);
    CHECK_RC(zoo_aexists(s.zh, "/", 0, stat_done, &late), ZINVALIDSTATE);
    CHECK(zkt_count(&s.w.rec) == 1); /* no CONNECTED event before it */
    int lines = log_count(pos, "SASL authentication with server");
    printf("%-28s AUTH_FAILED event after %lld ms, early rc %d, %d error line(s)\n", name, took, early.rc, lines);
    CHECK(lines == 1);
    long long c0 = zkt_now_ms();
    close_session(&s);
    CHECK(zkt_now_ms() - c0 < 1000);
}

/* Many handles authenticating at once (Cyrus is called from their IO
 * threads; the first ones also initialise it when the application did
 * not): every one connects, and closing them all is clean. */
static void storm(const char *name, int n) {
    session *s = calloc(n, sizeof *s); /* each holds an event recorder: too big for the stack */
    REQUIRE(s);
    sasl_callback_t *shared = basic("bob", "bobsecret"); /* one block for all of them */
    long long t0 = zkt_now_ms();
    for (int i = 0; i < n; i++) open_session(&s[i], shared, "zk-sasl-md5", "DIGEST-MD5");
    int ok = 0;
    for (int i = 0; i < n; i++) ok += s[i].zh && connected(&s[i]);
    printf("%-28s %d of %d handles authenticated at once (%lld ms)\n", name, ok, n, zkt_now_ms() - t0);
    CHECK(ok == n);
    for (int i = 0; i < n; i++) {
        s[i].cbs = NULL;
        close_session(&s[i]);
    }
    free(shared);
    free(s);
}

/* Upstream 3.9's password callback: content -> password. */
static int shift_back(const char *content, size_t content_len, void *context, char *buf, size_t buf_size, size_t *passwd_len) {
    int by = *(int *)context;
    if (content_len > buf_size) return SASL_FAIL;
    for (size_t i = 0; i < content_len; i++) buf[i] = content[i] + by;
    *passwd_len = content_len;
    return SASL_OK;
}
/* Ours: no file, the callback gives the password. */
static int from_memory(const char *content, size_t content_len, void *context, char *buf, size_t buf_size, size_t *passwd_len) {
    const char *p = context;
    if (content || content_len) return SASL_FAIL;
    size_t n = strlen(p);
    if (n > buf_size) return SASL_FAIL;
    memcpy(buf, p, n);
    *passwd_len = n;
    return SASL_OK;
}

static void password_forms(void) {
    /* The first line of the file. */
    other_user("password-file-first-line", zoo_sasl_make_basic_callbacks("bob", NULL, pwfile("bob.lines", "bobsecret\nabc\nxyz", 17)), ZOK);
    /* Through the callback: each byte one less in the file (upstream's test). */
    static int one = 1;
    char enc[] = "bobsecret";
    for (char *c = enc; *c; c++) (*c)--;
    zoo_sasl_password_t p1 = {pwfile("bob.enc", enc, strlen(enc)), &one, shift_back};
    other_user("password-callback", zoo_sasl_make_password_callbacks("bob", NULL, &p1), ZOK);
    /* No file: the callback gives it. */
    zoo_sasl_password_t p2 = {NULL, (void *)"bobsecret", from_memory};
    other_user("password-without-file", zoo_sasl_make_password_callbacks("bob", NULL, &p2), ZOK);
}

static void bad_parameters(void) {
    long pos = log_pos();
    /* NULL parameters: no SASL, a plain session (upstream's header says so). */
    session s;
    memset(&s, 0, sizeof s);
    zkt_recorder_init(&s.w.rec);
    s.zh = zookeeper_init_sasl(hostport, watcher, 10000, 0, &s.w, 0, NULL, NULL);
    CHECK(s.zh != NULL);
    if (s.zh) {
        CHECK(connected(&s));
        char buf[8];
        int len = sizeof buf;
        CHECK_RC(zoo_get(s.zh, node, 0, buf, &len, 0), ZNOAUTH);
        close_session(&s);
    }
    zoo_sasl_params_t p = {"zookeeper", "zk-sasl-md5", NULL, NULL};
    errno = 0;
    CHECK(zookeeper_init_sasl(hostport, NULL, 10000, 0, 0, 0, NULL, &p) == NULL);
    CHECK(errno == EINVAL);
    CHECK(log_count(pos, "zookeeper_init_sasl") == 1);
    /* No user name is allowed (upstream: "or NULL"): Cyrus gets none. */
    sasl_callback_t *nouser = zoo_sasl_make_basic_callbacks(NULL, NULL, NULL);
    CHECK(nouser != NULL);
    free(nouser);
    /* The combined initialiser checks the certificate string too. */
    errno = 0;
    zoo_sasl_params_t q = {"zookeeper", "zk-sasl-md5", "DIGEST-MD5", NULL};
    CHECK(zookeeper_init_ssl_sasl(hostport, "/nonexistent/ca.pem", NULL, 10000, 0, 0, 0, NULL, &q) == NULL);
    CHECK(errno == ENOENT);
    printf("%-28s NULL parameters: a plain session; no mechanism list or a missing CA file: NULL with EINVAL/ENOENT and one log line\n", "bad-parameters");
}

/* Nothing listens: as a plain session, calls fail with ZCONNECTIONLOSS. */
static void no_server(void) {
    session s;
    memset(&s, 0, sizeof s);
    zkt_recorder_init(&s.w.rec);
    s.cbs = basic("bob", "bobsecret");
    zoo_sasl_params_t p = {"zookeeper", "zk-sasl-md5", "DIGEST-MD5", s.cbs};
    s.zh = zookeeper_init_sasl("127.0.0.1:1", watcher, 10000, 0, &s.w, 0, NULL, &p);
    REQUIRE(s.zh);
    zkt_result r;
    zkt_result_init(&r);
    CHECK_RC(zoo_aexists(s.zh, "/", 0, stat_done, &r), ZOK);
    int rc = zkt_wait_result(&r, 5000);
    printf("%-28s early rc %d, state %d\n", "sasl-no-server", rc, zoo_state(s.zh));
    CHECK_RC(rc, ZCONNECTIONLOSS);
    CHECK(zkt_count(&s.w.rec) == 0);
    close_session(&s);
}

/* require: a plain client's requests are refused with -124 and the server
 * closes the connection: the client reconnects (CONNECTING, CONNECTED, same
 * session) and the next request is refused again (or lost with the
 * connection it raced). */
static void require_plain_client(void) {
    session s;
    order[0] = 0;
    if (!open_session(&s, NULL, NULL, NULL)) return;
    CHECK(connected(&s));
    int64_t sid = zoo_client_id(s.zh)->client_id;
    struct Stat st;
    int rc = zoo_exists(s.zh, "/", 0, &st);
    CHECK_RC(rc, ZSESSIONCLOSEDREQUIRESASLAUTH);
    int lost = zkt_wait_event(&s.w.rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, NULL, 10000);
    int back = lost >= 0 ? zkt_wait_event(&s.w.rec, lost, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 10000) : -1;
    CHECK(lost >= 0 && back > lost);
    int rc2 = zoo_exists(s.zh, "/", 0, &st);
    CHECK(rc2 == ZSESSIONCLOSEDREQUIRESASLAUTH || rc2 == ZCONNECTIONLOSS);
    printf("%-28s requests: %d then %d; session events: %s; same session %d\n", "require-plain-client", rc, rc2, order,
           zoo_client_id(s.zh)->client_id == sid);
    CHECK(zoo_client_id(s.zh)->client_id == sid);
    close_session(&s);
}

/* A session closed while it authenticates: prompt, every call completes. */
static void close_during_sasl(void) {
    session s;
    if (!open_session(&s, basic("bob", "bobsecret"), "zk-sasl-md5", "DIGEST-MD5")) return;
    zkt_result r;
    zkt_result_init(&r);
    CHECK_RC(zoo_aexists(s.zh, "/", 0, stat_done, &r), ZOK);
    long long end = zkt_now_ms() + 5000;
    while (zoo_state(s.zh) != ZOO_ASSOCIATING_STATE && zoo_state(s.zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(200);
    int at = zoo_state(s.zh);
    long long c0 = zkt_now_ms();
    close_session(&s);
    long long took = zkt_now_ms() - c0;
    printf("%-28s closed in state %d after %lld ms; pending call rc %d\n", "close-during-sasl", at, took, r.rc);
    CHECK(took < 1000);
    CHECK(r.done && (r.rc == ZCLOSING || r.rc == ZOK));
}

/* restart: the server restarts; the same session authenticates again, the
 * CONNECTED event comes after that, bob's node is readable again. */
static void reconnect(void) {
    session s;
    order[0] = 0;
    if (!open_session(&s, basic("bob", "bobsecret"), "zk-sasl-md5", "DIGEST-MD5")) return;
    REQUIRE(connected(&s));
    snprintf(node, sizeof node, "/sasl-restart-%d", (int)getpid());
    CHECK_RC(zoo_create(s.zh, node, "b", 1, &bob_acl, 0, 0, 0), ZOK);
    int64_t sid = zoo_client_id(s.zh)->client_id;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s restart %s", getenv("ZK_SASL_FIXTURE"), getenv("ZK_SASL_DIR"));
    REQUIRE(system(cmd) == 0);
    int lost = zkt_wait_event(&s.w.rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, NULL, 20000);
    int back = lost >= 0 ? zkt_wait_event(&s.w.rec, lost, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 30000) : -1;
    CHECK(lost >= 0 && back > lost);
    char buf[8];
    int len = sizeof buf;
    CHECK_RC(zoo_get(s.zh, node, 0, buf, &len, 0), ZOK);
    CHECK(zoo_client_id(s.zh)->client_id == sid);
    printf("%-28s session events: %s; same session %d\n", "sasl-reconnect", order, zoo_client_id(s.zh)->client_id == sid);
    CHECK(!strcmp(order, "event:3 event:1 event:3"));
    CHECK_RC(zoo_delete(s.zh, node, -1), ZOK);
    close_session(&s);
}

int main(void) {
    zkt_prove_library();
    mode = getenv("SASL_MODE");
    REQUIRE(mode);
    logf = fopen(getenv("SASL_LOG"), "a");
    REQUIRE(logf);
    zoo_set_log_stream(logf);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/zkt-sasl-%d", (int)getpid());
    REQUIRE(mkdir(tmpdir, 0700) == 0);
    if (!strcmp(mode, "tls")) snprintf(hostport, sizeof hostport, "127.0.0.1:%s", getenv("ZK_TLS_PORT"));
    else snprintf(hostport, sizeof hostport, "127.0.0.1:%s", getenv("ZK_SASL_PORT"));

    if (!strcmp(mode, "optional")) {
        /* sasl-no-sasl-client-init, first: the upstream client fails
         * (AUTH_FAILED); ours initialises Cyrus for the application, also
         * when many handles start at once. */
        storm("sasl-no-sasl-client-init", 16);
    }
    CHECK_RC(sasl_client_init(NULL), SASL_OK);
    if (!strcmp(mode, "optional")) {
        ok_bob("sasl-ok");
        other_user("sasl-ok-alice", basic("alice", "alicesecret"), ZNOAUTH);
        other_user("sasl-super", basic("super", "supersecret"), ZOK);
        unauthenticated();
        password_forms();
        storm("sasl-16-at-once", 16);
        expect_auth_failed("sasl-wrong-password", basic("bob", "wrong"), "zk-sasl-md5", "DIGEST-MD5");
        expect_auth_failed("sasl-unknown-user", basic("mallory", "x"), "zk-sasl-md5", "DIGEST-MD5");
        expect_auth_failed("sasl-wrong-server-host", basic("bob", "bobsecret"), "zk.example.com", "DIGEST-MD5");
        expect_auth_failed("sasl-null-host", basic("bob", "bobsecret"), NULL, "DIGEST-MD5");
        expect_auth_failed("sasl-mech-unavailable", basic("bob", "bobsecret"), "zk-sasl-md5", "NO-SUCH-MECH");
        expect_auth_failed("sasl-missing-password-file", zoo_sasl_make_basic_callbacks("bob", NULL, "/nonexistent/pw"),
                           "zk-sasl-md5", "DIGEST-MD5");
        bad_parameters();
        no_server();
        close_during_sasl();
    } else if (!strcmp(mode, "require")) {
        ok_bob("sasl-require-ok");
        require_plain_client();
        expect_auth_failed("sasl-require-wrong-password", basic("bob", "wrong"), "zk-sasl-md5", "DIGEST-MD5");
    } else if (!strcmp(mode, "restart")) {
        reconnect();
    } else if (!strcmp(mode, "tls")) {
        ok_bob("tls-sasl-ok");
        unauthenticated(); /* over TLS, without SASL */
        expect_auth_failed("tls-sasl-wrong-password", basic("bob", "wrong"), "zk-sasl-md5", "DIGEST-MD5");
    } else {
        REQUIRE(!"unknown SASL_MODE");
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return zkt_finish("sasl");
}
