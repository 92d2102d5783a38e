/* Issue 8, defect "logging at DEBUG level as the reference".
 *
 * With zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG) and zoo_set_log_stream(file),
 * this program runs a fixed walk through the API (sync and async calls of
 * every kind, a watch that fires, an idle period with a ping, close) and
 * writes a marker line "=== step" into the same stream after each step. The
 * log is then normalized (see normalize(): timestamp/pid/thread prefix and
 * source line numbers dropped, hex numbers -> 0xX, ports -> PORT, ping times
 * -> N, the test's root path -> /ROOT; the client-environment lines are
 * dropped) and compared, step by step, with the reference's normalized log in
 * ctests/expected/debug_log_reference.txt: within each step the same lines
 * (any order, same count) must appear. "Got ping response" lines are
 * compared apart (at least one in the idle step, none missing their format).
 * A line of the expected file written "? LINE" is optional: allowed, not
 * required (used for the reference's host-list internals,
 * get_next_server_in_reconfig "[OLD] count=0 capacity=0 ...").
 * Besides DEBUG lines, the INFO lines of these steps are compared too (the
 * reference's "sessionId=0 ... context=(nil)", "Authentication scheme digest
 * succeeded", finalize_session_establishment, the blank line after the close
 * messages).
 *
 * Regenerate the expected file on the reference:
 *   ctests/tools/ref_build.sh ctests/tests/defect_debug_log.c
 *   ZK_DEBUGLOG_WRITE=ctests/expected/debug_log_reference.txt ZK_HOSTS=... \
 *     ZK_EXPECT_LIB=/usr/lib/x86_64-linux-gnu/libzookeeper_mt.so.2 /tmp/ref_defect_debug_log
 * (then mark the get_next_server_in_reconfig lines optional again with "? ")
 *
 * The reference's formats (3.8.0), "FUNC: message" (see the expected file):
 *   request sent:  zoo_awget / zoo_awexists / zoo_aset / zoo_acreate_ttl /
 *                  zoo_adelete / zoo_awget_children_ / zoo_awget_children2_ /
 *                  zoo_aget_acl / zoo_aset_acl / zoo_async:
 *                    "Sending request xid=0x%08x for path [%s] to %s"
 *                  zoo_amulti: "Sending multi request xid=0x%08x with %d subrequests to %s"
 *   sync reply:    process_sync_completion:
 *                    "Processing sync_completion with type=%d xid=0x%08x rc=%d"
 *   async reply:   zookeeper_process: "Queueing asynchronous response", then
 *                  deserialize_response: "Calling COMPLETION_%s for xid=0x%08x failed=%d rc=%d"
 *                  (for COMPLETION_STRING: "failed=%d, rc=%d", with a comma)
 *   watch event:   zookeeper_process: "Processing WATCHER_EVENT" ... and
 *                  process_completions: "Calling a watcher for node [%s], type = %d event=%s"
 *   ping:          zookeeper_process: "Got ping response in %d ms"
 *   close:         do_io: "IO thread terminated", do_completion: "completion thread terminated"
 *   threads:       start_threads: "starting threads...", do_io: "started IO thread",
 *                  do_completion: "started completion thread"
 * (the exact list is the expected file; this comment is a summary).
 *
 * Reference: passes (it is the source of the expected file).
 * Ours before the fix: no DEBUG line at all. */
#define _GNU_SOURCE
#include "testutil.h"
#include <ctype.h>
#include <unistd.h>

static FILE *logf_;
static char root[128];
static volatile int acount;

static void mark(const char *step) {
    fprintf(logf_, "=== %s\n", step);
    fflush(logf_);
}

static void wait_async(int want) {
    long long end = zkt_now_ms() + 10000;
    while (__atomic_load_n(&acount, __ATOMIC_SEQ_CST) < want && zkt_now_ms() < end) usleep(1000);
    usleep(20 * 1000); /* lines logged right after the completion returns */
}
#define BUMP __atomic_add_fetch(&acount, 1, __ATOMIC_SEQ_CST)
static void str_cb(int rc, const char *v, const void *d) { BUMP; }
static void data_cb(int rc, const char *v, int l, const struct Stat *s, const void *d) { BUMP; }
static void stat_cb(int rc, const struct Stat *s, const void *d) { BUMP; }
static void void_cb(int rc, const void *d) { BUMP; }
static void strings_cb(int rc, const struct String_vector *sv, const void *d) { BUMP; }
static void strings_stat_cb(int rc, const struct String_vector *sv, const struct Stat *s, const void *d) { BUMP; }
static void acl_cb(int rc, struct ACL_vector *a, struct Stat *s, const void *d) { BUMP; }
static volatile int wfired;
static void node_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type != ZOO_SESSION_EVENT) __atomic_add_fetch(&wfired, 1, __ATOMIC_SEQ_CST);
}

/* ---- normalization ---- */
static void replace_all(char *s, size_t cap, const char *from, const char *to) {
    char out[4096];
    size_t o = 0, fl = strlen(from), tl = strlen(to);
    for (char *p = s; *p;) {
        if (fl && !strncmp(p, from, fl)) {
            if (o + tl < sizeof out) { memcpy(out + o, to, tl); o += tl; }
            p += fl;
        } else if (o + 1 < sizeof out) out[o++] = *p++;
        else p++;
    }
    out[o] = 0;
    snprintf(s, cap, "%s", out);
}

/* Returns 0 for a line to drop, else writes the normalized line to out. */
static int normalize(const char *line, char *out, size_t cap) {
    char s[4096];
    snprintf(s, sizeof s, "%s", line);
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
    if (!strncmp(s, "=== ", 4)) { snprintf(out, cap, "%s", s); return 1; }
    const char *z = strstr(s, ":ZOO_");
    const char *msg = z ? z + 1 : s; /* drop "date time,ms:pid(0xtid):" */
    if (strstr(msg, "@log_env@")) return 0;
    char t[4096];
    size_t o = 0;
    /* ZOO_LEVEL@func@LINE: -> ZOO_LEVEL@func: */
    const char *at1 = z ? strchr(msg, '@') : 0;
    const char *at2 = at1 ? strchr(at1 + 1, '@') : 0;
    const char *colon = at2 ? strchr(at2, ':') : 0;
    if (at2 && colon) {
        o = (size_t)(at2 - msg);
        memcpy(t, msg, o);
        o += (size_t)snprintf(t + o, sizeof t - o, "%s", colon);
    } else o = (size_t)snprintf(t, sizeof t, "%s", msg);
    t[o] = 0;
    replace_all(t, sizeof t, root, "/ROOT");
    /* 0x<hex> -> 0xX; 127.0.0.1:<port> -> 127.0.0.1:PORT; "in <n> ms" -> "in N ms" */
    char u[4096];
    size_t k = 0;
    for (size_t i = 0; t[i] && k + 16 < sizeof u;) {
        if (t[i] == '0' && t[i + 1] == 'x' && isxdigit((unsigned char)t[i + 2])) {
            k += (size_t)snprintf(u + k, sizeof u - k, "0xX");
            i += 2;
            while (isxdigit((unsigned char)t[i])) i++;
        } else if (!strncmp(t + i, "127.0.0.1:", 10) && isdigit((unsigned char)t[i + 10])) {
            k += (size_t)snprintf(u + k, sizeof u - k, "127.0.0.1:PORT");
            i += 10;
            while (isdigit((unsigned char)t[i])) i++;
        } else if (!strncmp(t + i, "response in ", 12) && (isdigit((unsigned char)t[i + 12]) || t[i + 12] == '-')) {
            k += (size_t)snprintf(u + k, sizeof u - k, "response in N");
            i += 12;
            if (t[i] == '-') i++;
            while (isdigit((unsigned char)t[i])) i++;
        } else u[k++] = t[i++];
    }
    u[k] = 0;
    snprintf(out, cap, "%s", u);
    return 1;
}

/* ---- a normalized log: lines grouped by step ---- */
#define MAXL 4000
typedef struct { char *line[MAXL]; int step[MAXL]; int n; char *steps[64]; int nsteps; } nlog;

static void nlog_add(nlog *g, const char *l) {
    if (!strncmp(l, "=== ", 4)) {
        if (g->nsteps < 64) g->steps[g->nsteps++] = strdup(l + 4);
        return;
    }
    if (g->n < MAXL) { g->line[g->n] = strdup(l); g->step[g->n] = g->nsteps; g->n++; }
}

static int is_ping(const char *l) { return strstr(l, "Got ping response") != 0; }

int main(void) {
    zkt_prove_library();
    char path[256], tmpl[] = "/tmp/defect_debug_log.XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    logf_ = fdopen(fd, "w+");
    REQUIRE(logf_);
    snprintf(root, sizeof root, "%s", zkt_root("dbglog"));
    zoo_set_log_stream(logf_);
    zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG);

    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    usleep(100 * 1000);
    mark("connect");
    char buf[256];
    int len;
    struct Stat st;
    struct String_vector sv;
    struct ACL_vector acl;
    CHECK_RC(zoo_create(zh, root, "v", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZOK); mark("create");
    len = sizeof buf; CHECK_RC(zoo_get(zh, root, 0, buf, &len, &st), ZOK); mark("get");
    len = sizeof buf; CHECK_RC(zoo_wget(zh, root, 0, 0, buf, &len, &st), ZOK); mark("wget");
    CHECK_RC(zoo_exists(zh, root, 0, &st), ZOK); mark("exists");
    CHECK_RC(zoo_wexists(zh, root, 0, 0, &st), ZOK); mark("wexists");
    CHECK_RC(zoo_set(zh, root, "w", 1, -1), ZOK); mark("set");
    CHECK_RC(zoo_get_children(zh, root, 0, &sv), ZOK); deallocate_String_vector(&sv); mark("get_children");
    CHECK_RC(zoo_get_children2(zh, root, 0, &sv, &st), ZOK); deallocate_String_vector(&sv); mark("get_children2");
    CHECK_RC(zoo_wget_children(zh, root, 0, 0, &sv), ZOK); deallocate_String_vector(&sv); mark("wget_children");
    CHECK_RC(zoo_get_acl(zh, root, &acl, &st), ZOK); deallocate_ACL_vector(&acl); mark("get_acl");
    CHECK_RC(zoo_set_acl(zh, root, -1, &ZOO_OPEN_ACL_UNSAFE), ZOK); mark("set_acl");
    snprintf(path, sizeof path, "%s/m", root);
    zoo_op_t ops[2];
    zoo_op_result_t res[2];
    zoo_create_op_init(&ops[0], path, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0);
    zoo_delete_op_init(&ops[1], path, -1);
    CHECK_RC(zoo_multi(zh, 2, ops, res), ZOK); mark("multi");
    CHECK_RC(zoo_exists(zh, path, 0, &st), ZNONODE); mark("exists_nonode");

    int a = 0;
    CHECK_RC(zoo_async(zh, root, str_cb, 0), ZOK); wait_async(++a); mark("async_sync");
    snprintf(path, sizeof path, "%s/a", root);
    CHECK_RC(zoo_acreate(zh, path, "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, str_cb, 0), ZOK); wait_async(++a); mark("acreate");
    CHECK_RC(zoo_aget(zh, path, 0, data_cb, 0), ZOK); wait_async(++a); mark("aget");
    CHECK_RC(zoo_aexists(zh, path, 0, stat_cb, 0), ZOK); wait_async(++a); mark("aexists");
    CHECK_RC(zoo_aset(zh, path, "y", 1, -1, stat_cb, 0), ZOK); wait_async(++a); mark("aset");
    CHECK_RC(zoo_aget_children(zh, root, 0, strings_cb, 0), ZOK); wait_async(++a); mark("aget_children");
    CHECK_RC(zoo_aget_children2(zh, root, 0, strings_stat_cb, 0), ZOK); wait_async(++a); mark("aget_children2");
    CHECK_RC(zoo_aget_acl(zh, path, acl_cb, 0), ZOK); wait_async(++a); mark("aget_acl");
    CHECK_RC(zoo_aset_acl(zh, path, -1, &ZOO_OPEN_ACL_UNSAFE, void_cb, 0), ZOK); wait_async(++a); mark("aset_acl");
    CHECK_RC(zoo_adelete(zh, path, -1, void_cb, 0), ZOK); wait_async(++a); mark("adelete");
    CHECK_RC(zoo_aexists(zh, path, 0, stat_cb, 0), ZOK); wait_async(++a); mark("aexists_nonode");
    zoo_create_op_init(&ops[0], path, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0);
    zoo_delete_op_init(&ops[1], path, -1);
    CHECK_RC(zoo_amulti(zh, 2, ops, res, void_cb, 0), ZOK); wait_async(++a); mark("amulti");
    CHECK_RC(zoo_add_auth(zh, "digest", "user:pass", 9, void_cb, 0), ZOK); wait_async(++a); mark("add_auth");

    /* a watch that fires: exists watch on a missing node, then create it */
    snprintf(path, sizeof path, "%s/w", root);
    CHECK_RC(zoo_wexists(zh, path, node_watcher, 0, &st), ZNONODE);
    CHECK_RC(zoo_create(zh, path, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    long long end = zkt_now_ms() + 5000;
    while (!wfired && zkt_now_ms() < end) usleep(1000);
    usleep(20 * 1000);
    CHECK(wfired == 1);
    mark("watch_fires");
    CHECK_RC(zoo_delete(zh, path, -1), ZOK);
    CHECK_RC(zoo_delete(zh, root, -1), ZOK);
    mark("cleanup");
    sleep(5); /* idle: pings every timeout/3 = 3.3 s */
    mark("idle");
    CHECK_RC(zookeeper_close(zh), ZOK);
    mark("close");
    zoo_set_log_stream(stderr);
    fflush(logf_);

    /* normalize ours */
    static nlog got, want;
    rewind(logf_);
    char line[4096], norm[4096];
    while (fgets(line, sizeof line, logf_))
        if (normalize(line, norm, sizeof norm)) nlog_add(&got, norm);
    fclose(logf_);
    unlink(tmpl);

    const char *wr = getenv("ZK_DEBUGLOG_WRITE");
    if (wr) { /* write the expected file (run on the reference) */
        FILE *o = fopen(wr, "w");
        REQUIRE(o);
        int s = 0;
        for (int i = 0; i <= got.n; i++) {
            while (s < got.nsteps && (i == got.n || got.step[i] > s)) fprintf(o, "=== %s\n", got.steps[s++]);
            if (i < got.n) fprintf(o, "%s\n", got.line[i]);
        }
        fclose(o);
        printf("wrote %d normalized lines in %d steps to %s\n", got.n, got.nsteps, wr);
        return zkt_finish("defect_debug_log");
    }

    const char *exp = getenv("ZK_DEBUGLOG_EXPECTED");
    REQUIRE(exp);
    FILE *e = fopen(exp, "r");
    REQUIRE(e);
    while (fgets(line, sizeof line, e)) {
        size_t n = strlen(line);
        while (n && line[n - 1] == '\n') line[--n] = 0;
        nlog_add(&want, line);
    }
    fclose(e);
    REQUIRE(got.nsteps == want.nsteps);
    int missing = 0, extra = 0, debug_got = 0, pings_got = 0, pings_idle = 0;
    for (int i = 0; i < got.n; i++) {
        if (strstr(got.line[i], "ZOO_DEBUG@")) debug_got++;
        if (is_ping(got.line[i])) {
            pings_got++;
            if (strcmp(got.line[i], "ZOO_DEBUG@zookeeper_process: Got ping response in N ms")) {
                printf("  bad ping line: %s\n", got.line[i]);
                extra++;
            }
        }
    }
    for (int s = 0; s < want.nsteps; s++) {
        /* multiset compare of step s (lines before marker s), pings apart */
        char used[MAXL] = { 0 };
        for (int i = 0; i < want.n; i++) {
            if (want.step[i] != s || is_ping(want.line[i]) || want.line[i][0] == '?') continue;
            int found = 0;
            for (int j = 0; j < got.n; j++) {
                if (got.step[j] != s || used[j] || strcmp(got.line[j], want.line[i])) continue;
                used[j] = 1;
                found = 1;
                break;
            }
            if (!found) {
                printf("  [%s] missing: %s\n", want.steps[s], want.line[i]);
                missing++;
            }
        }
        for (int j = 0; j < got.n; j++) {
            if (got.step[j] != s || used[j] || is_ping(got.line[j])) continue;
            int optional = 0; /* "? line" in the expected file: allowed, not required */
            for (int i = 0; i < want.n && !optional; i++)
                optional = want.step[i] == s && want.line[i][0] == '?' && !strcmp(want.line[i] + 2, got.line[j]);
            if (optional) continue;
            printf("  [%s] extra:   %s\n", got.steps[s], got.line[j]);
            extra++;
        }
    }
    /* the ping of the idle step */
    for (int i = 0; i < got.n; i++)
        if (is_ping(got.line[i]) && got.step[i] < got.nsteps && !strcmp(got.steps[got.step[i]], "idle")) pings_idle++;
    printf("%d DEBUG lines written; vs the reference: %d lines missing, %d extra; %d ping line(s) (%d while idle)\n",
           debug_got, missing, extra, pings_got, pings_idle);
    CHECK(missing == 0);
    CHECK(extra == 0);
    CHECK(pings_idle >= 1);
    return zkt_finish("defect_debug_log");
}
