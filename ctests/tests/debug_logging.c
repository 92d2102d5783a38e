/* DEBUG logging as the reference: with zoo_set_debug_level(DEBUG) and
 * zoo_set_log_stream, one fixed sequence of calls (sync and async API,
 * watches, multi, ACLs, auth, idle seconds for pings, close) writes its log
 * to the file named by argv[1]. tools/debug_logging_compare.sh extracts the
 * ZOO_DEBUG lines, masks what varies (times, xids, ports, session ids, line
 * numbers) and compares them with tests/debug_logging.expected, which is what
 * Debian's reference library printed for this program.
 *
 * Built twice: against our library (ctest debug_logging) and against the
 * reference's library and headers (debug_logging_on_reference, ZKT_REFERENCE),
 * so that the expected file stays the reference's. */
#include "testutil.h"
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done;

static void wait_done(int want) {
    pthread_mutex_lock(&mu);
    long long end = zkt_now_ms() + 10000;
    while (done < want && zkt_now_ms() < end) {
        pthread_mutex_unlock(&mu);
        usleep(1000);
        pthread_mutex_lock(&mu);
    }
    pthread_mutex_unlock(&mu);
    CHECK(done >= want);
}

static void mark_done(void) {
    pthread_mutex_lock(&mu);
    done++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void data_cb(int rc, const char *value, int len, const struct Stat *st, const void *d) {
    CHECK(rc == ZOK);
    mark_done();
}

static void string_cb(int rc, const char *value, const void *d) {
    CHECK(rc == ZOK);
    mark_done();
}

static void void_cb(int rc, const void *d) {
    CHECK(rc == ZOK);
    mark_done();
}

static void stat_cb(int rc, const struct Stat *st, const void *d) { mark_done(); }
static void strings_cb(int rc, const struct String_vector *sv, const void *d) { CHECK(rc == ZOK); mark_done(); }
static void strings_stat_cb(int rc, const struct String_vector *sv, const struct Stat *st, const void *d) {
    CHECK(rc == ZOK);
    mark_done();
}
static void string_stat_cb(int rc, const char *v, const struct Stat *st, const void *d) { CHECK(rc == ZOK); mark_done(); }
static void acl_cb(int rc, struct ACL_vector *acl, struct Stat *st, const void *d) { CHECK(rc == ZOK); mark_done(); }
static void multi_cb(int rc, const void *d) { mark_done(); }

static zkt_recorder rec;

int main(int argc, char **argv) {
    zkt_prove_library();
    REQUIRE(argc == 2);
    FILE *log = fopen(argv[1], "w");
    REQUIRE(log);
    zoo_set_log_stream(log);
    zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG);
    zkt_recorder_init(&rec);

    zhandle_t *zh = zookeeper_init(zkt_hosts(), zkt_record_watcher, 6000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 10000) >= 0);

    char root[128], path[160], buf[256];
    snprintf(root, sizeof root, "/dbglog-%d", (int)getpid());
    snprintf(path, sizeof path, "%s/n", root);
    struct Stat st;
    struct String_vector sv;
    struct ACL_vector acl;
    int len;

    CHECK_RC(zoo_create(zh, root, "r", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZOK);
    CHECK_RC(zoo_create(zh, path, "v1", 2, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZOK);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, path, 0, buf, &len, &st), ZOK);
    len = sizeof buf;
    CHECK_RC(zoo_wget(zh, path, zkt_record_watcher, &rec, buf, &len, &st), ZOK);
    CHECK_RC(zoo_exists(zh, path, 0, &st), ZOK);
    CHECK_RC(zoo_wexists(zh, path, zkt_record_watcher, &rec, &st), ZOK);
    int from = zkt_count(&rec);
    CHECK_RC(zoo_set(zh, path, "v2", 2, -1), ZOK);
    /* the data watch fires (once for both watchers of the same path) */
    CHECK(zkt_wait_event(&rec, from, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, path, 10000) >= 0);
    usleep(200000);
    CHECK_RC(zoo_get_children(zh, root, 0, &sv), ZOK);
    deallocate_String_vector(&sv);
    CHECK_RC(zoo_get_children2(zh, root, 0, &sv, &st), ZOK);
    deallocate_String_vector(&sv);

    zoo_op_t ops[3];
    zoo_op_result_t results[3];
    char mpath[160], mbuf[160];
    snprintf(mpath, sizeof mpath, "%s/m", root);
    zoo_create_op_init(&ops[0], mpath, "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, mbuf, sizeof mbuf);
    zoo_set_op_init(&ops[1], mpath, "m2", 2, -1, 0);
    zoo_delete_op_init(&ops[2], mpath, -1);
    CHECK_RC(zoo_multi(zh, 3, ops, results), ZOK);

    /* the async API directly, and zoo_async (sync) */
    done = 0;
    CHECK_RC(zoo_aget(zh, path, 0, data_cb, 0), ZOK);
    wait_done(1);
    CHECK_RC(zoo_async(zh, path, string_cb, 0), ZOK);
    wait_done(2);

    CHECK_RC(zoo_get_acl(zh, path, &acl, &st), ZOK);
    deallocate_ACL_vector(&acl);
    CHECK_RC(zoo_set_acl(zh, path, -1, &ZOO_OPEN_ACL_UNSAFE), ZOK);
    CHECK_RC(zoo_add_auth(zh, "digest", "user:pass", 9, void_cb, 0), ZOK);
    wait_done(3);

    /* more of the API: each sync call and its async twin */
    char p2[160];
    snprintf(p2, sizeof p2, "%s/c2", root);
    CHECK_RC(zoo_create2(zh, p2, "x", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, buf, sizeof buf, &st), ZOK);
    CHECK_RC(zoo_set2(zh, p2, "y", 1, -1, &st), ZOK);
    CHECK_RC(zoo_wget_children(zh, root, zkt_record_watcher, &rec, &sv), ZOK);
    deallocate_String_vector(&sv);
    CHECK_RC(zoo_wget_children2(zh, root, zkt_record_watcher, &rec, &sv, &st), ZOK);
    deallocate_String_vector(&sv);
    CHECK_RC(zoo_remove_watches(zh, root, ZWATCHTYPE_CHILD, zkt_record_watcher, &rec, 0), ZOK);
    done = 0;
    snprintf(p2, sizeof p2, "%s/a2", root);
    CHECK_RC(zoo_acreate(zh, p2, "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, string_cb, 0), ZOK);
    wait_done(1);
    snprintf(p2, sizeof p2, "%s/a3", root);
    CHECK_RC(zoo_acreate2(zh, p2, "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, string_stat_cb, 0), ZOK);
    wait_done(2);
    CHECK_RC(zoo_aexists(zh, p2, 0, stat_cb, 0), ZOK);
    wait_done(3);
    CHECK_RC(zoo_awexists(zh, p2, zkt_record_watcher, &rec, stat_cb, 0), ZOK);
    wait_done(4);
    CHECK_RC(zoo_aset(zh, p2, "z", 1, -1, stat_cb, 0), ZOK);
    wait_done(5);
    CHECK_RC(zoo_aget_children(zh, root, 0, strings_cb, 0), ZOK);
    wait_done(6);
    CHECK_RC(zoo_awget_children(zh, root, zkt_record_watcher, &rec, strings_cb, 0), ZOK);
    wait_done(7);
    CHECK_RC(zoo_aget_children2(zh, root, 0, strings_stat_cb, 0), ZOK);
    wait_done(8);
    CHECK_RC(zoo_aget_acl(zh, p2, acl_cb, 0), ZOK);
    wait_done(9);
    CHECK_RC(zoo_aset_acl(zh, p2, -1, &ZOO_OPEN_ACL_UNSAFE, void_cb, 0), ZOK);
    wait_done(10);
    zoo_op_t aops[2];
    zoo_op_result_t ares[2];
    zoo_check_op_init(&aops[0], p2, -1);
    zoo_delete_op_init(&aops[1], p2, -1);
    CHECK_RC(zoo_amulti(zh, 2, aops, ares, multi_cb, 0), ZOK);
    wait_done(11);
    CHECK_RC(zoo_adelete(zh, mpath, -1, multi_cb, 0), ZOK); /* no such node */
    wait_done(12);
    /* a multi that fails: both ops answered as errors */
    char mp2[160];
    snprintf(mp2, sizeof mp2, "%s/none", root);
    zoo_create_op_init(&ops[0], mpath, "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, mbuf, sizeof mbuf);
    zoo_delete_op_init(&ops[1], mp2, -1);
    CHECK_RC(zoo_multi(zh, 2, ops, results), ZNONODE);
    CHECK_RC(zoo_amulti(zh, 2, ops, results, multi_cb, 0), ZOK);
    wait_done(13);
    CHECK_RC(zoo_exists(zh, mp2, 0, &st), ZNONODE);
    snprintf(p2, sizeof p2, "%s/a2", root);
    CHECK_RC(zoo_delete(zh, p2, -1), ZOK);
    snprintf(p2, sizeof p2, "%s/c2", root);
    CHECK_RC(zoo_delete(zh, p2, -1), ZOK);
    CHECK_RC(zoo_delete(zh, path, -1), ZOK);
    CHECK_RC(zoo_delete(zh, root, -1), ZOK);

    /* idle: pings every third of the session timeout */
    sleep(5);

    CHECK_RC(zookeeper_close(zh), ZOK);
    zoo_set_log_stream(0);
    fclose(log);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    return zkt_finish("debug_logging");
}
