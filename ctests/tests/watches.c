/* Watches against a real server: default and per-call watchers, data,
 * exist and child watches, one-shot semantics, the event arriving before
 * the completion of a later read, session events to every watcher,
 * zoo_set_watcher, watch removal, close from inside a watcher. */
#include "testutil.h"
#include <unistd.h>

static zkt_recorder def, mine, other;

typedef struct {
    zkt_recorder *rec;
    int events_seen_at_completion;
    int done;
} order_probe;

static void probe_cb(int rc, const char *v, int len, const struct Stat *s, const void *d) {
    order_probe *p = (order_probe *)d;
    p->events_seen_at_completion = zkt_count(p->rec);
    __atomic_store_n(&p->done, 1, __ATOMIC_SEQ_CST);
}

static zhandle_t *closing_zh;
static volatile int close_rc = 1, closed_in_watcher = 0;
static void closing_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_CHANGED_EVENT) {
        close_rc = zookeeper_close(zh);
        closed_in_watcher = 1;
    }
}

static void void_done(int rc, const void *d) { *(int *)d = rc == 0 ? 1 : rc; }

int main(void) {
    zkt_prove_library();
    zkt_recorder_init(&def);
    zkt_recorder_init(&mine);
    zkt_recorder_init(&other);
    zhandle_t *zh = zookeeper_init(zkt_hosts(), zkt_record_watcher, 10000, 0, &def, 0);
    REQUIRE(zh);
    /* the first event is SESSION/CONNECTED with an empty path */
    CHECK(zkt_wait_event(&def, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    CHECK(zoo_get_context(zh) == &def);
    zhandle_t *w2 = zkt_connect(zkt_hosts(), 0, 0);

    const char *root = zkt_root("watch");
    char p[256], buf[64];
    int len;
    CHECK_RC(zoo_create(zh, root, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    snprintf(p, sizeof p, "%s/n", root);

    /* exist watch on a missing node fires CREATED (default watcher) */
    CHECK_RC(zoo_exists(zh, p, 1, 0), ZNONODE);
    int mark = zkt_count(&def);
    CHECK_RC(zoo_create(w2, p, "v0", 2, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK(zkt_wait_event(&def, mark, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, p, 5000) >= 0);

    /* data watch with a watcher of our own fires CHANGED once */
    len = sizeof buf;
    CHECK_RC(zoo_wget(zh, p, zkt_record_watcher, &mine, buf, &len, 0), ZOK);
    CHECK_RC(zoo_set(w2, p, "v1", 2, -1), ZOK);
    CHECK(zkt_wait_event(&mine, 0, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, p, 5000) == 0);
    CHECK_RC(zoo_set(w2, p, "v2", 2, -1), ZOK);
    usleep(300000);
    CHECK(zkt_count(&mine) == 1); /* one-shot */

    /* the watch event is delivered before the completion of a read that saw the change */
    len = sizeof buf;
    CHECK_RC(zoo_wget(zh, p, zkt_record_watcher, &other, buf, &len, 0), ZOK);
    CHECK_RC(zoo_set(w2, p, "v3", 2, -1), ZOK);
    order_probe probe = { &other, -1, 0 };
    CHECK_RC(zoo_aget(zh, p, 0, probe_cb, &probe), ZOK);
    while (!__atomic_load_n(&probe.done, __ATOMIC_SEQ_CST)) usleep(1000);
    CHECK(probe.events_seen_at_completion == 1);

    /* child watch: CHILD on the parent; DELETED fires data + child watches */
    struct String_vector kids;
    int cmark = zkt_count(&mine);
    CHECK_RC(zoo_wget_children(zh, root, zkt_record_watcher, &mine, &kids), ZOK);
    deallocate_String_vector(&kids);
    len = sizeof buf;
    CHECK_RC(zoo_wget(zh, p, zkt_record_watcher, &mine, buf, &len, 0), ZOK);
    CHECK_RC(zoo_delete(w2, p, -1), ZOK);
    CHECK(zkt_wait_event(&mine, cmark, ZOO_DELETED_EVENT, ZOO_CONNECTED_STATE, p, 5000) >= 0);
    CHECK(zkt_wait_event(&mine, cmark, ZOO_CHILD_EVENT, ZOO_CONNECTED_STATE, root, 5000) >= 0);

    /* the same watcher+context on data and exists of one path fires once */
    int before = zkt_count(&other);
    CHECK_RC(zoo_wexists(zh, p, zkt_record_watcher, &other, 0), ZNONODE);
    CHECK_RC(zoo_wexists(zh, p, zkt_record_watcher, &other, 0), ZNONODE);
    CHECK_RC(zoo_create(w2, p, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK(zkt_wait_event(&other, before, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, p, 5000) >= 0);
    usleep(200000);
    CHECK(zkt_count(&other) == before + 1);

    /* zoo_set_watcher swaps the default watcher */
    watcher_fn old = zoo_set_watcher(zh, zkt_record_watcher);
    CHECK(old == zkt_record_watcher);

    /* watch removal: local bookkeeping, ZNOWATCHER when there is none */
    len = sizeof buf;
    CHECK_RC(zoo_wget(zh, p, zkt_record_watcher, &other, buf, &len, 0), ZOK);
    CHECK_RC(zoo_remove_watches(zh, p, ZWATCHTYPE_DATA, zkt_record_watcher, &mine, 0), ZNOWATCHER);
    CHECK_RC(zoo_remove_watches(zh, p, ZWATCHTYPE_DATA, zkt_record_watcher, &other, 0), ZOK);
    CHECK_RC(zoo_remove_watches(zh, p, ZWATCHTYPE_DATA, zkt_record_watcher, &other, 0), ZNOWATCHER);
    before = zkt_count(&other);
    CHECK_RC(zoo_set(w2, p, "x", 1, -1), ZOK);
    usleep(300000);
    CHECK(zkt_count(&other) == before);
    CHECK_RC(zoo_wget_children(zh, p, zkt_record_watcher, &other, &kids), ZOK);
    deallocate_String_vector(&kids);
    int removed = 0;
    void_completion_t vc = void_done;
    CHECK_RC(zoo_aremove_all_watches(zh, p, ZWATCHTYPE_ANY, 1, (void_completion_t *)vc, &removed), ZOK);
    long long end = zkt_now_ms() + 5000;
    while (!removed && zkt_now_ms() < end) usleep(1000);
    CHECK(removed == 1);
    /* Removed locally only: the server still has the child watch, and a
     * removal of all watchers goes to it (as the reference), which agrees. */
    CHECK_RC(zoo_remove_all_watches(zh, p, ZWATCHTYPE_CHILD, 0), ZOK);
    CHECK_RC(zoo_remove_all_watches(zh, p, ZWATCHTYPE_CHILD, 0), ZNOWATCHER);
    CHECK_RC(zoo_remove_watches(zh, "bad", ZWATCHTYPE_DATA, 0, 0, 0), ZBADARGUMENTS);

    /* zookeeper_close from inside a watcher of the same handle */
    closing_zh = zookeeper_init(zkt_hosts(), closing_watcher, 10000, 0, 0, 0);
    REQUIRE(closing_zh);
    end = zkt_now_ms() + 10000;
    while (zoo_state(closing_zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(5000);
    CHECK_RC(zoo_wexists(closing_zh, p, closing_watcher, 0, 0), ZOK);
    CHECK_RC(zoo_set(w2, p, "y", 1, -1), ZOK);
    end = zkt_now_ms() + 10000;
    while (!closed_in_watcher && zkt_now_ms() < end) usleep(5000);
    CHECK(closed_in_watcher && close_rc == ZOK);
    CHECK_RC(zoo_state(closing_zh) == 0 ? ZOK : 1, ZOK);

    zkt_rmr(zh, root);
    zookeeper_close(w2);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("watches");
}
