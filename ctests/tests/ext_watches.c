/* Extensions (zookeeper_ext.h) against the real 3-node ensemble:
 * - a persistent watch keeps firing over 1,000 changes (and child events);
 * - a recursive watch on a subtree receives every create/delete/set under
 *   it across a failover of the server the session is on: none lost, none
 *   duplicated, in the order the changes were made (the server's order);
 * - removal (ZWATCHTYPE_ANY) stops the events;
 * - whoAmI after a digest zoo_add_auth shows the digest identity;
 * - getEphemerals lists exactly the session's ephemerals under a prefix;
 * - getAllChildrenNumber counts a 10,000-node subtree. */
#include "testutil.h"
#include <zookeeper/zookeeper_ext.h>
#include <unistd.h>

static zkt_recorder persist, recur;
static volatile long pending;

static volatile long failed_creates;
static void created(int rc, const char *v, const void *d) {
    if (rc != ZOK) __atomic_add_fetch(&failed_creates, 1, __ATOMIC_SEQ_CST);
    __atomic_sub_fetch(&pending, 1, __ATOMIC_SEQ_CST);
}
static void synced(int rc, const char *v, const void *d) { __atomic_sub_fetch(&pending, 1, __ATOMIC_SEQ_CST); }
static void wait_pending(void) {
    long long end = zkt_now_ms() + 60000;
    while (__atomic_load_n(&pending, __ATOMIC_SEQ_CST) > 0 && zkt_now_ms() < end) usleep(1000);
    CHECK(pending == 0);
}

/* Waits until the recorder holds at least n node events (session events,
 * which persistent watchers also get, not counted). */
static void wait_node_events(zkt_recorder *r, int n, int ms) {
    long long end = zkt_now_ms() + ms;
    for (;;) {
        int got = 0;
        pthread_mutex_lock(&r->mu);
        for (int i = 0; i < r->n; i++) got += r->ev[i].type != ZOO_SESSION_EVENT;
        pthread_mutex_unlock(&r->mu);
        if (got >= n || zkt_now_ms() >= end) return;
        usleep(2000);
    }
}

static int is_retry(int rc) { return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT; }

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);
    zkt_recorder_init(&persist);
    zkt_recorder_init(&recur);
    static zkt_recorder session;
    zkt_recorder_init(&session);
    zhandle_t *zh = zkt_connect(zkt_hosts(), zkt_record_watcher, &session);
    int victim = zkt_server_index(zh);
    REQUIRE(victim >= 1);
    /* the writer stays off the server that will be killed, so that its
     * changes are made exactly once */
    char others[128] = "";
    for (int i = 1; i <= 3; i++)
        if (i != victim)
            snprintf(others + strlen(others), sizeof others - strlen(others), "%s127.0.0.1:%d", *others ? "," : "", zkt_port_of(i));
    zhandle_t *w = zkt_connect(others, 0, 0);
    const char *root = zkt_root("ext");
    char p[256], q[512];
    CHECK_RC(zoo_create(w, root, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);

    /* --- persistent watch: every change, 1,000 of them, plus child events */
    snprintf(p, sizeof p, "%s/p", root);
    CHECK_RC(zoo_create(w, p, "0", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK_RC(zoo_add_watch(zh, p, ZOO_ADD_WATCH_PERSISTENT, zkt_record_watcher, &persist), ZOK);
    CHECK_RC(zoo_add_watch(zh, p, 7, zkt_record_watcher, &persist), ZBADARGUMENTS);
    for (int i = 0; i < 1000; i++) CHECK_RC(zoo_set(w, p, "x", 1, -1), ZOK);
    snprintf(q, sizeof q, "%s/kid", p);
    CHECK_RC(zoo_create(w, q, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    wait_node_events(&persist, 1001, 20000);
    int n = zkt_count(&persist);
    int changed = 0, child = 0;
    for (int i = 0; i < n; i++) {
        if (persist.ev[i].type == ZOO_CHANGED_EVENT && !strcmp(persist.ev[i].path, p)) changed++;
        if (persist.ev[i].type == ZOO_CHILD_EVENT && !strcmp(persist.ev[i].path, p)) child++;
    }
    printf("persistent watch: %d change events for 1000 sets, %d child event(s)\n", changed, child);
    CHECK(changed == 1000 && child == 1);
    /* removal stops it */
    CHECK_RC(zoo_remove_watches(zh, p, ZWATCHTYPE_ANY, zkt_record_watcher, &persist, 0), ZOK);
    CHECK_RC(zoo_set(w, p, "y", 1, -1), ZOK);
    usleep(300000);
    CHECK(zkt_count(&persist) == n);

    /* --- recursive watch across a failover --------------------------------- */
    snprintf(p, sizeof p, "%s/r", root);
    CHECK_RC(zoo_create(w, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK_RC(zoo_add_watch(zh, p, ZOO_ADD_WATCH_PERSISTENT_RECURSIVE, zkt_record_watcher, &recur), ZOK);
    /* the changes, made by the other handle: expected (type, path) in order */
    enum { STEPS = 60 };
    int want_type[STEPS * 3];
    static char want_path[STEPS * 3][512];
    int nw = 0;
    for (int i = 0; i < STEPS; i++) {
        if (i == STEPS / 2) {
            /* the server the watching session is on dies mid-way */
            /* The server the watching session is on dies mid-way. The
             * server does not replay persistent-watch events for changes
             * made while a session is disconnected (SetWatches2 only
             * re-arms them; the Java client sees the same), so the changes
             * go on once the session is back, on another server. */
            printf("killing server %d (the watching session's)\n", victim);
            int mark = zkt_count(&session);
            zkt_fixture("kill", victim);
            REQUIRE(zkt_wait_event(&session, mark, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 30000) >= 0);
        }
        snprintf(q, sizeof q, "%s/n%d", p, i);
        int rc;
        do { rc = zoo_create(w, q, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0); } while (is_retry(rc));
        if (rc == ZNODEEXISTS) rc = ZOK; /* a create retried after a lost answer */
        CHECK_RC(rc, ZOK);
        want_type[nw] = ZOO_CREATED_EVENT; snprintf(want_path[nw++], sizeof want_path[0], "%s", q);
        do { rc = zoo_set(w, q, "d", 1, -1); } while (is_retry(rc));
        CHECK_RC(rc, ZOK);
        want_type[nw] = ZOO_CHANGED_EVENT; snprintf(want_path[nw++], sizeof want_path[0], "%s", q);
        if (i % 2) {
            do { rc = zoo_delete(w, q, -1); } while (is_retry(rc));
            if (rc == ZNONODE) rc = ZOK;
            CHECK_RC(rc, ZOK);
            want_type[nw] = ZOO_DELETED_EVENT; snprintf(want_path[nw++], sizeof want_path[0], "%s", q);
        }
    }
    wait_node_events(&recur, nw, 30000);
    n = zkt_count(&recur);
    /* session events may be interleaved; node events must be exactly the list */
    int k = 0, bad = 0;
    for (int i = 0; i < n; i++) {
        if (recur.ev[i].type == ZOO_SESSION_EVENT) continue;
        if (k >= nw || recur.ev[i].type != want_type[k] || strcmp(recur.ev[i].path, want_path[k])) {
            if (bad++ < 5) fprintf(stderr, "event %d: got %s %s, want %s %s\n", k, zkt_type_name(recur.ev[i].type), recur.ev[i].path,
                                   k < nw ? zkt_type_name(want_type[k]) : "-", k < nw ? want_path[k] : "-");
        }
        k++;
    }
    printf("recursive watch across the failover: %d node events for %d changes, %d out of place; now on server %d\n",
           k, nw, bad, zkt_server_index(zh));
    CHECK(k == nw && bad == 0);
    CHECK(zkt_server_index(zh) != victim);
    zkt_fixture("restart", victim);
    zkt_fixture("wait", victim);

    /* --- whoAmI after a digest auth ------------------------------------------ */
    CHECK_RC(zoo_add_auth(zh, "digest", "ext:secret", 10, 0, 0), ZOK);
    struct ClientInfo_vector ids = { 0, 0 };
    int rc;
    long long end = zkt_now_ms() + 5000;
    int found = 0;
    do {
        rc = zoo_whoami(zh, &ids);
        for (int i = 0; rc == ZOK && i < ids.count; i++)
            if (!strcmp(ids.data[i].authScheme, "digest") && !strcmp(ids.data[i].user, "ext")) found = 1;
        if (rc == ZOK) deallocate_ClientInfo_vector(&ids);
    } while (!found && zkt_now_ms() < end && (usleep(50000), 1));
    CHECK_RC(rc, ZOK);
    printf("whoAmI after digest auth: digest:ext %s\n", found ? "listed" : "MISSING");
    CHECK(found);

    /* --- getEphemerals: exactly this session's, under a prefix -------------- */
    char e1[300], e2[300], other[300];
    snprintf(e1, sizeof e1, "%s/eph-a", root);
    snprintf(e2, sizeof e2, "%s/eph-b", root);
    snprintf(other, sizeof other, "%s/eph-other", root);
    CHECK_RC(zoo_create(zh, e1, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZOK);
    CHECK_RC(zoo_create(zh, e2, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZOK);
    CHECK_RC(zoo_create(w, other, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, 0, 0), ZOK);
    struct String_vector eph = { 0, 0 };
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(zoo_get_ephemerals(zh, p, &eph), ZOK);
    int has_a = 0, has_b = 0;
    for (int i = 0; i < eph.count; i++) {
        if (!strcmp(eph.data[i], e1)) has_a = 1;
        if (!strcmp(eph.data[i], e2)) has_b = 1;
    }
    printf("getEphemerals(%s): %d entries\n", p, eph.count);
    CHECK(eph.count == 2 && has_a && has_b);
    deallocate_String_vector(&eph);

    /* --- getAllChildrenNumber on a 10,000-node subtree ---------------------- */
    snprintf(p, sizeof p, "%s/big", root);
    CHECK_RC(zoo_create(w, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    for (int i = 0; i < 100; i++) {
        snprintf(q, sizeof q, "%s/d%d", p, i);
        __atomic_add_fetch(&pending, 1, __ATOMIC_SEQ_CST);
        CHECK_RC(zoo_acreate(w, q, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, created, 0), ZOK);
    }
    wait_pending();
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 99; j++) {
            snprintf(q, sizeof q, "%s/d%d/f%d", p, i, j);
            __atomic_add_fetch(&pending, 1, __ATOMIC_SEQ_CST);
            CHECK_RC(zoo_acreate(w, q, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, created, 0), ZOK);
        }
    wait_pending();
    printf("creates that failed: %ld\n", failed_creates);
    CHECK(failed_creates == 0);
    /* zh may be on another server than w (after the failover above): it
     * reads what w wrote only once its server caught up (ZooKeeper's sync) */
    __atomic_add_fetch(&pending, 1, __ATOMIC_SEQ_CST);
    CHECK_RC(zoo_async(zh, p, synced, 0), ZOK);
    wait_pending();
    int count = -1;
    CHECK_RC(zoo_get_all_children_number(zh, p, &count), ZOK);
    printf("getAllChildrenNumber(%s): %d\n", p, count);
    CHECK(count == 10000);

    CHECK_RC(zookeeper_close(zh), ZOK);
    zkt_rmr(w, root);
    CHECK_RC(zookeeper_close(w), ZOK);
    return zkt_finish("ext_watches");
}
