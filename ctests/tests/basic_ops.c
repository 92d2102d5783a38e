/* Every data operation, sync and async, against a real server: create in
 * all modes, get/set/exists/children/ACL/delete/sync/multi/auth, buffer
 * truncation, chroot, results the caller frees. */
#include "testutil.h"
#include <unistd.h>

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, rc;
    char str[512];
    struct Stat stat;
    int count;
    int valuelen;
} waiter;

static void w_init(waiter *w) {
    memset(w, 0, sizeof *w);
    pthread_mutex_init(&w->mu, 0);
    pthread_cond_init(&w->cv, 0);
}
static void w_signal(waiter *w, int rc) {
    pthread_mutex_lock(&w->mu);
    w->rc = rc;
    w->done++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}
static int w_wait(waiter *w) {
    pthread_mutex_lock(&w->mu);
    while (!w->done) pthread_cond_wait(&w->cv, &w->mu);
    pthread_mutex_unlock(&w->mu);
    return w->rc;
}
static void string_cb(int rc, const char *v, const void *d) {
    waiter *w = (waiter *)d;
    if (v) snprintf(w->str, sizeof w->str, "%s", v);
    w_signal(w, rc);
}
static void string_stat_cb(int rc, const char *v, const struct Stat *s, const void *d) {
    waiter *w = (waiter *)d;
    if (v) snprintf(w->str, sizeof w->str, "%s", v);
    if (s) w->stat = *s;
    w_signal(w, rc);
}
static void void_cb(int rc, const void *d) { w_signal((waiter *)d, rc); }
static void stat_cb(int rc, const struct Stat *s, const void *d) {
    waiter *w = (waiter *)d;
    if (s) w->stat = *s;
    w_signal(w, rc);
}
static void data_cb(int rc, const char *v, int len, const struct Stat *s, const void *d) {
    waiter *w = (waiter *)d;
    w->valuelen = len;
    if (v && len > 0) snprintf(w->str, sizeof w->str, "%.*s", len, v);
    if (s) w->stat = *s;
    w_signal(w, rc);
}
static void strings_cb(int rc, const struct String_vector *sv, const void *d) {
    waiter *w = (waiter *)d;
    if (sv) w->count = sv->count;
    w_signal(w, rc);
}
static void strings_stat_cb(int rc, const struct String_vector *sv, const struct Stat *s, const void *d) {
    waiter *w = (waiter *)d;
    if (sv) w->count = sv->count;
    if (s) w->stat = *s;
    w_signal(w, rc);
}
static void acl_cb(int rc, struct ACL_vector *acl, struct Stat *s, const void *d) {
    waiter *w = (waiter *)d;
    if (acl) {
        w->count = acl->count;
        if (acl->count) snprintf(w->str, sizeof w->str, "%d:%s:%s", acl->data[0].perms, acl->data[0].id.scheme, acl->data[0].id.id);
    }
    (void)s;
    w_signal(w, rc);
}

int main(void) {
    zkt_prove_library();
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    const char *root = zkt_root("ops");
    char path[256], buf[512];
    int len;
    struct Stat st;

    /* sync create in every mode */
    CHECK_RC(zoo_create(zh, root, "r", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZOK);
    CHECK(!strcmp(buf, root));
    snprintf(path, sizeof path, "%s/p", root);
    CHECK_RC(zoo_create(zh, path, "hello", 5, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT, buf, sizeof buf), ZOK);
    CHECK_RC(zoo_create(zh, path, "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZNODEEXISTS);
    snprintf(path, sizeof path, "%s/s-", root);
    CHECK_RC(zoo_create(zh, path, "", 0, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, buf, sizeof buf), ZOK);
    CHECK(strlen(buf) == strlen(path) + 10 && !strncmp(buf, path, strlen(path)));
    snprintf(path, sizeof path, "%s/e", root);
    CHECK_RC(zoo_create2(zh, path, "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, buf, sizeof buf, &st), ZOK);
    CHECK(st.ephemeralOwner == zoo_client_id(zh)->client_id);
    CHECK(st.dataLength == 1);
    snprintf(path, sizeof path, "%s/es-", root);
    CHECK_RC(zoo_create(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, buf, sizeof buf), ZOK);
    CHECK(!strncmp(buf, path, strlen(path)));
    /* path truncation: the created path is cut to the buffer, NUL-terminated */
    char small[6];
    snprintf(path, sizeof path, "%s/trunc", root);
    CHECK_RC(zoo_create(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, small, sizeof small), ZOK);
    CHECK(!strncmp(small, root, 5) && small[5] == 0);
    /* container and TTL */
    snprintf(path, sizeof path, "%s/cont", root);
    CHECK_RC(zoo_create(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_CONTAINER, buf, sizeof buf), ZOK);
    snprintf(path, sizeof path, "%s/ttl", root);
    CHECK_RC(zoo_create_ttl(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_WITH_TTL, 60000, buf, sizeof buf), ZOK);
    CHECK_RC(zoo_create_ttl(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_WITH_TTL, 0, buf, sizeof buf), ZBADARGUMENTS);
    snprintf(path, sizeof path, "%s/ttls-", root);
    CHECK_RC(zoo_create2_ttl(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_SEQUENTIAL_WITH_TTL, 60000, buf, sizeof buf, &st), ZOK);
    CHECK(st.czxid > 0);

    /* get, with truncation and null data */
    snprintf(path, sizeof path, "%s/p", root);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, path, 0, buf, &len, &st), ZOK);
    CHECK(len == 5 && !memcmp(buf, "hello", 5));
    CHECK(st.dataLength == 5 && st.version == 0);
    char three[3];
    len = sizeof three;
    CHECK_RC(zoo_get(zh, path, 0, three, &len, &st), ZOK);
    CHECK(len == 3 && !memcmp(three, "hel", 3));
    CHECK(st.dataLength == 5);
    snprintf(path, sizeof path, "%s/trunc", root);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, path, 0, buf, &len, &st), ZOK);
    CHECK(len == -1);
    CHECK_RC(zoo_get(zh, "/no/such/node", 0, buf, &len, &st), ZNONODE);

    /* set / set2 with versions */
    snprintf(path, sizeof path, "%s/p", root);
    CHECK_RC(zoo_set(zh, path, "world", 5, 0), ZOK);
    CHECK_RC(zoo_set(zh, path, "x", 1, 0), ZBADVERSION);
    CHECK_RC(zoo_set2(zh, path, "again", 5, -1, &st), ZOK);
    CHECK(st.version == 2);

    /* exists */
    CHECK_RC(zoo_exists(zh, path, 0, &st), ZOK);
    CHECK(st.version == 2);
    CHECK_RC(zoo_exists(zh, "/no/such/node", 0, &st), ZNONODE);

    /* children */
    struct String_vector kids;
    CHECK_RC(zoo_get_children(zh, root, 0, &kids), ZOK);
    CHECK(kids.count == 8);
    deallocate_String_vector(&kids);
    CHECK(kids.data == NULL);
    CHECK_RC(zoo_get_children2(zh, root, 0, &kids, &st), ZOK);
    CHECK(kids.count == 8 && st.numChildren == 8);
    deallocate_String_vector(&kids);

    /* ACL */
    struct ACL_vector acl;
    CHECK_RC(zoo_get_acl(zh, path, &acl, &st), ZOK);
    CHECK(acl.count == 1 && acl.data[0].perms == ZOO_PERM_ALL && !strcmp(acl.data[0].id.scheme, "world") &&
          !strcmp(acl.data[0].id.id, "anyone"));
    deallocate_ACL_vector(&acl);
    CHECK_RC(zoo_set_acl(zh, path, -1, &ZOO_READ_ACL_UNSAFE), ZOK);
    CHECK_RC(zoo_set(zh, path, "no", 2, -1), ZNOAUTH);
    CHECK_RC(zoo_get_acl(zh, path, &acl, &st), ZOK);
    CHECK(acl.count == 1 && acl.data[0].perms == ZOO_PERM_READ);
    CHECK(st.aversion == 1);
    deallocate_ACL_vector(&acl);

    /* digest auth and CREATOR_ALL_ACL */
    waiter w;
    w_init(&w);
    CHECK_RC(zoo_add_auth(zh, "digest", "user:secret", 11, void_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    snprintf(path, sizeof path, "%s/mine", root);
    CHECK_RC(zoo_create(zh, path, "m", 1, &ZOO_CREATOR_ALL_ACL, 0, 0, 0), ZOK);
    CHECK_RC(zoo_get_acl(zh, path, &acl, &st), ZOK);
    CHECK(acl.count == 1 && !strcmp(acl.data[0].id.scheme, "digest"));
    deallocate_ACL_vector(&acl);
    zhandle_t *other = zkt_connect(zkt_hosts(), 0, 0);
    len = sizeof buf;
    CHECK_RC(zoo_get(other, path, 0, buf, &len, 0), ZNOAUTH);
    zookeeper_close(other);

    /* async variants */
    snprintf(path, sizeof path, "%s/a", root);
    w_init(&w);
    CHECK_RC(zoo_acreate(zh, path, "av", 2, &ZOO_OPEN_ACL_UNSAFE, 0, string_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strcmp(w.str, path));
    snprintf(path, sizeof path, "%s/a2", root);
    w_init(&w);
    CHECK_RC(zoo_acreate2(zh, path, "av", 2, &ZOO_OPEN_ACL_UNSAFE, 0, string_stat_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strcmp(w.str, path) && w.stat.dataLength == 2);
    w_init(&w);
    CHECK_RC(zoo_aget(zh, path, 0, data_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(w.valuelen == 2 && !strcmp(w.str, "av"));
    w_init(&w);
    CHECK_RC(zoo_aset(zh, path, "bv", 2, 0, stat_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(w.stat.version == 1);
    w_init(&w);
    CHECK_RC(zoo_aexists(zh, path, 0, stat_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    w_init(&w);
    CHECK_RC(zoo_aexists(zh, "/no/such", 0, stat_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZNONODE);
    w_init(&w);
    CHECK_RC(zoo_aget_children(zh, root, 0, strings_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(w.count == 11);
    w_init(&w);
    CHECK_RC(zoo_aget_children2(zh, root, 0, strings_stat_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(w.count == 11 && w.stat.numChildren == 11);
    w_init(&w);
    CHECK_RC(zoo_aget_acl(zh, path, acl_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strcmp(w.str, "31:world:anyone"));
    w_init(&w);
    CHECK_RC(zoo_aset_acl(zh, path, -1, &ZOO_OPEN_ACL_UNSAFE, void_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    w_init(&w);
    CHECK_RC(zoo_async(zh, path, string_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strcmp(w.str, path));
    w_init(&w);
    CHECK_RC(zoo_adelete(zh, path, 5, void_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZBADVERSION);
    w_init(&w);
    CHECK_RC(zoo_adelete(zh, path, -1, void_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    /* a NULL completion is allowed */
    CHECK_RC(zoo_aget(zh, root, 0, NULL, NULL), ZOK);

    /* multi: success */
    zoo_op_t ops[4];
    zoo_op_result_t res[4];
    char p1[256], p2[256], out1[256];
    struct Stat setst;
    snprintf(p1, sizeof p1, "%s/m1", root);
    snprintf(p2, sizeof p2, "%s/p", root);
    zoo_create_op_init(&ops[0], p1, "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, out1, sizeof out1);
    zoo_check_op_init(&ops[1], root, -1);
    snprintf(path, sizeof path, "%s/a", root);
    zoo_delete_op_init(&ops[2], path, -1);
    snprintf(buf, sizeof buf, "%s/trunc", root);
    zoo_set_op_init(&ops[3], buf, "set", 3, -1, &setst);
    CHECK_RC(zoo_multi(zh, 4, ops, res), ZOK);
    CHECK(res[0].err == ZOK && !strcmp(out1, p1) && res[0].value == out1);
    CHECK(res[1].err == ZOK && res[2].err == ZOK && res[3].err == ZOK);
    CHECK(setst.dataLength == 3 && res[3].stat == &setst);
    /* multi: failure in the middle, nothing applied */
    snprintf(p1, sizeof p1, "%s/m2", root);
    zoo_create_op_init(&ops[0], p1, "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, out1, sizeof out1);
    zoo_delete_op_init(&ops[1], "/no/such/node", -1);
    CHECK_RC(zoo_multi(zh, 2, ops, res), ZNONODE);
    CHECK(res[0].err == ZOK && res[1].err == ZNONODE);
    CHECK_RC(zoo_exists(zh, p1, 0, 0), ZNONODE);
    /* async multi */
    w_init(&w);
    zoo_create_op_init(&ops[0], p1, "m", 1, &ZOO_OPEN_ACL_UNSAFE, 0, out1, sizeof out1);
    CHECK_RC(zoo_amulti(zh, 1, ops, res, void_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strcmp(out1, p1));
    /* multi with an invalid path is refused before sending (ZMARSHALLINGERROR, as the reference) */
    zoo_delete_op_init(&ops[0], "bad", -1);
    CHECK_RC(zoo_multi(zh, 1, ops, res), ZMARSHALLINGERROR);

    /* argument checks */
    CHECK_RC(zoo_create(zh, "relative", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_create(zh, "/trailing/", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_create(zh, "/a//b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_create(zh, "/a/./b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_create(zh, NULL, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_create(NULL, "/x", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_get(zh, "/", 0, buf, NULL, 0), ZBADARGUMENTS);
    CHECK_RC(zoo_get_children(zh, "/", 0, NULL), ZOK); /* allowed: the result is dropped */
    CHECK_RC(zoo_aget(zh, "", 0, data_cb, &w), ZBADARGUMENTS);

    /* chroot: paths in and out are relative to it */
    char chroot_hosts[512];
    snprintf(chroot_hosts, sizeof chroot_hosts, "%s%s", zkt_hosts(), root);
    zhandle_t *ch = zkt_connect(chroot_hosts, 0, 0);
    CHECK_RC(zoo_create(ch, "/inchroot", "c", 1, &ZOO_OPEN_ACL_UNSAFE, 0, buf, sizeof buf), ZOK);
    CHECK(!strcmp(buf, "/inchroot"));
    snprintf(path, sizeof path, "%s/inchroot", root);
    CHECK_RC(zoo_exists(zh, path, 0, 0), ZOK);
    CHECK_RC(zoo_get_children(ch, "/", 0, &kids), ZOK);
    CHECK(kids.count == 12);
    deallocate_String_vector(&kids);
    w_init(&w);
    CHECK_RC(zoo_acreate(ch, "/seq-", 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, string_cb, &w), ZOK);
    CHECK_RC(w_wait(&w), ZOK);
    CHECK(!strncmp(w.str, "/seq-", 5));
    /* watch paths inside the chroot: the event names the client path */
    static zkt_recorder crec;
    zkt_recorder_init(&crec);
    CHECK_RC(zoo_wexists(ch, "/watched", zkt_record_watcher, &crec, 0), ZNONODE);
    snprintf(path, sizeof path, "%s/watched", root);
    CHECK_RC(zoo_create(zh, path, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK(zkt_wait_event(&crec, 0, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, "/watched", 5000) == 0);

    /* multi results inside the chroot */
    zoo_create_op_init(&ops[0], "/m-in-chroot", "c", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, out1, sizeof out1);
    CHECK_RC(zoo_multi(ch, 1, ops, res), ZOK);
    CHECK(!strncmp(out1, "/m-in-chroot", 12) && strlen(out1) == 22);
    zookeeper_close(ch);

    /* cleanup and close; calls on the closed handle fail cleanly */
    zkt_rmr(zh, root);
    CHECK_RC(zoo_exists(zh, root, 0, 0), ZNONODE);
    CHECK_RC(zookeeper_close(zh), ZOK);
    CHECK_RC(zoo_exists(zh, root, 0, 0), ZINVALIDSTATE);
    CHECK_RC(zookeeper_close(zh), ZINVALIDSTATE);
    return zkt_finish("basic_ops");
}
