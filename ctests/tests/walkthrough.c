/* The seed walkthrough on a 3-node pseudo-cluster: create nodes with
 * ZOO_OPEN_ACL_UNSAFE and flags 0 / SEQUENCE / EPHEMERAL / both, get with a
 * watcher, set, list children, watch events; then the server this client
 * is connected to is killed: the session, its ephemerals and its watches
 * carry over to another server. Prints the event trace and checks it. */
#define _DEFAULT_SOURCE /* usleep under -std=c11 (the aarch64 build) */
#include "testutil.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

static zkt_recorder rec;

static int retry_rc(int rc) { return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT; }

int main(void) {
    zkt_prove_library();
    zkt_recorder_init(&rec);
    zoo_set_debug_level(getenv("ZK_VERBOSE") ? ZOO_LOG_LEVEL_INFO : ZOO_LOG_LEVEL_WARN);
    const char *hosts = zkt_hosts();
    printf("connecting to %s\n", hosts);
    zhandle_t *zh = zookeeper_init(hosts, zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 15000) == 0);
    const clientid_t session = *zoo_client_id(zh);
    printf("connected: session 0x%llx, timeout %d ms\n", (long long)session.client_id, zoo_recv_timeout(zh));

    char root[64], p[256], out[256], buf[256];
    int len;
    struct Stat st;
    snprintf(root, sizeof root, "/walk-%d", (int)getpid());

    /* ZOO_OPEN_ACL_UNSAFE: perms 0x1f, scheme world, id anyone */
    CHECK(ZOO_OPEN_ACL_UNSAFE.count == 1 && ZOO_OPEN_ACL_UNSAFE.data[0].perms == 0x1f &&
          !strcmp(ZOO_OPEN_ACL_UNSAFE.data[0].id.scheme, "world") &&
          !strcmp(ZOO_OPEN_ACL_UNSAFE.data[0].id.id, "anyone"));
    CHECK_RC(zoo_create(zh, root, "hello", 5, &ZOO_OPEN_ACL_UNSAFE, 0, out, sizeof out), ZOK);
    printf("created %s (flags 0)\n", out);
    snprintf(p, sizeof p, "%s/seq-", root);
    CHECK_RC(zoo_create(zh, p, "s", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_SEQUENCE, out, sizeof out), ZOK);
    printf("created %s (ZOO_SEQUENCE)\n", out);
    CHECK(strlen(out) == strlen(p) + 10);
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(zoo_create(zh, p, "e", 1, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, out, sizeof out), ZOK);
    printf("created %s (ZOO_EPHEMERAL)\n", out);
    snprintf(p, sizeof p, "%s/ephseq-", root);
    CHECK_RC(zoo_create(zh, p, "es", 2, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL | ZOO_SEQUENCE, out, sizeof out), ZOK);
    printf("created %s (ZOO_EPHEMERAL|ZOO_SEQUENCE)\n", out);

    len = sizeof buf;
    CHECK_RC(zoo_get(zh, root, 1, buf, &len, &st), ZOK);
    printf("get %s (watch): \"%.*s\" version %d\n", root, len, buf, st.version);
    struct String_vector kids;
    CHECK_RC(zoo_get_children(zh, root, 1, &kids), ZOK);
    printf("children of %s: %d\n", root, kids.count);
    CHECK(kids.count == 3);
    deallocate_String_vector(&kids);

    /* a second client changes things */
    zhandle_t *other = zkt_connect(hosts, 0, 0);
    CHECK_RC(zoo_set(zh, root, "world", 5, -1), ZOK);
    printf("set %s \"world\"\n", root);
    snprintf(p, sizeof p, "%s/child", root);
    CHECK_RC(zoo_create(other, p, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK(zkt_wait_event(&rec, 0, ZOO_CHILD_EVENT, ZOO_CONNECTED_STATE, root, 5000) > 0);

    snprintf(p, sizeof p, "%s/later", root);
    CHECK_RC(zoo_exists(zh, p, 1, 0), ZNONODE);
    CHECK_RC(zoo_create(other, p, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    CHECK(zkt_wait_event(&rec, 0, ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, p, 5000) > 0);
    CHECK_RC(zoo_exists(zh, p, 1, 0), ZOK);
    CHECK_RC(zoo_delete(other, p, -1), ZOK);
    CHECK(zkt_wait_event(&rec, 0, ZOO_DELETED_EVENT, ZOO_CONNECTED_STATE, p, 5000) > 0);

    /* one of the three servers dies: the one we are connected to */
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, root, 1, buf, &len, 0), ZOK);
    int victim = zkt_server_index(zh);
    CHECK(victim >= 1);
    printf("killing server %d (the one this session is on)\n", victim);
    int mark = zkt_count(&rec);
    zkt_fixture("kill", victim);
    int lost = zkt_wait_event(&rec, mark, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 15000);
    CHECK(lost >= 0);
    CHECK(zkt_wait_event(&rec, lost + 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 20000) > lost);
    CHECK(zoo_client_id(zh)->client_id == session.client_id);
    int now_on = zkt_server_index(zh);
    printf("session 0x%llx moved to server %d\n", (long long)zoo_client_id(zh)->client_id, now_on);
    CHECK(now_on >= 1 && now_on != victim);
    /* ephemerals survive, and the watch set before the failure still fires */
    snprintf(p, sizeof p, "%s/eph", root);
    CHECK_RC(zoo_exists(zh, p, 0, 0), ZOK);
    int rc;
    do { rc = zoo_set(other, root, "again", 5, -1); } while (retry_rc(rc));
    CHECK_RC(rc, ZOK);
    CHECK(zkt_wait_event(&rec, lost, ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, root, 10000) > lost);

    zkt_fixture("restart", victim);
    zkt_fixture("wait", victim);

    /* cleanup: the ephemerals go with the session. The close is sent only
     * while connected (a server restart may have sent the session looking
     * for a server again: wait for it), and another server may answer the
     * other handle's read before it has applied the close: allow a moment. */
    do { rc = zoo_delete(other, root, -1); } while (retry_rc(rc));
    CHECK_RC(rc, ZNOTEMPTY);
    long long until = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < until) usleep(10000);
    CHECK_RC(zookeeper_close(zh), ZOK);
    snprintf(p, sizeof p, "%s/eph", root);
    until = zkt_now_ms() + 15000;
    do { rc = zoo_exists(other, p, 0, 0); } while (retry_rc(rc) || (rc == ZOK && zkt_now_ms() < until && (usleep(20000), 1)));
    CHECK_RC(rc, ZNONODE);
    zkt_rmr(other, root);
    zookeeper_close(other);

    /* the event trace, as a user of the walkthrough sees it */
    int n = zkt_count(&rec);
    zkt_trace_event got[ZKT_MAX_EVENTS];
    for (int i = 0; i < n; i++) got[i] = (zkt_trace_event){ rec.ev[i].type, rec.ev[i].state, rec.ev[i].path };
    zkt_failures += zkt_check_walkthrough_trace(root, got, n);
    return zkt_finish("walkthrough");
}
