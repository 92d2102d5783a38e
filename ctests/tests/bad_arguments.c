/* A table of bad arguments: NULL pointers, negative lengths, malformed
 * paths, unknown flags, malformed ACLs and calls on a closed handle. Each
 * gets an error code (or NULL with errno from zookeeper_init), never a
 * crash. */
#include "testutil.h"
#include <errno.h>

static void no_watch(zhandle_t *zh, int t, int s, const char *p, void *c) {}
static void no_data(int rc, const char *v, int l, const struct Stat *s, const void *d) {}

int main(void) {
    zkt_prove_library();
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    zhandle_t *closed = zkt_connect(zkt_hosts(), 0, 0);
    zookeeper_close(closed);
    char buf[64], big[300];
    int len = sizeof buf;
    memset(big, 'a', sizeof big);
    big[0] = '/';
    big[sizeof big - 1] = 0;
    struct ACL bad_acl_entry = { 31, { NULL, NULL } };
    struct ACL_vector bad_acl = { 1, &bad_acl_entry }, empty_acl = { 0, NULL };
    zoo_op_t op;
    zoo_op_result_t res;
    struct {
        const char *what;
        int got, want;
    } table[] = {
        { "create: NULL handle", zoo_create(NULL, "/a", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: NULL path", zoo_create(zh, NULL, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: empty path", zoo_create(zh, "", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: relative path", zoo_create(zh, "a/b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: trailing slash", zoo_create(zh, "/a/", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: empty component", zoo_create(zh, "/a//b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: dot component", zoo_create(zh, "/a/./b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: dotdot component", zoo_create(zh, "/a/../b", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: control character", zoo_create(zh, "/a\x01", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZBADARGUMENTS },
        { "create: NULL path buffer with a length", zoo_create(zh, "/a", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 10), ZBADARGUMENTS },
        { "create: NULL ACL", zoo_create(zh, "/zkt-bad-acl", 0, -1, NULL, 0, 0, 0), ZINVALIDACL },
        { "create: empty ACL", zoo_create(zh, "/zkt-bad-acl", 0, -1, &empty_acl, 0, 0, 0), ZINVALIDACL },
        { "create: ACL with NULL id", zoo_create(zh, "/zkt-bad-acl", 0, -1, &bad_acl, 0, 0, 0), ZINVALIDACL },
        { "create: unknown flags", zoo_create(zh, "/zkt-bad-flags", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 99, 0, 0), ZBADARGUMENTS },
        { "create: TTL mode without a TTL", zoo_create_ttl(zh, "/a", 0, -1, &ZOO_OPEN_ACL_UNSAFE, ZOO_PERSISTENT_WITH_TTL, -1, 0, 0), ZBADARGUMENTS },
        { "create: a 298-byte name is fine", zoo_create(zh, big, 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK },
        { "get: NULL buffer_len", zoo_get(zh, "/", 0, buf, NULL, NULL), ZBADARGUMENTS },
        { "get: NULL path", zoo_get(zh, NULL, 0, buf, &len, NULL), ZBADARGUMENTS },
        { "wget: relative path", zoo_wget(zh, "x", no_watch, 0, buf, &len, NULL), ZBADARGUMENTS },
        { "aget: NULL handle", zoo_aget(NULL, "/", 0, no_data, 0), ZBADARGUMENTS },
        { "set: negative length (null data)", zoo_set(zh, "/zkt-no-such", "x", -1, -1), ZNONODE },
        { "set: NULL path", zoo_set(zh, NULL, "x", 1, -1), ZBADARGUMENTS },
        { "delete: trailing slash", zoo_delete(zh, "/a/", -1), ZBADARGUMENTS },
        { "exists: NULL path", zoo_exists(zh, NULL, 0, NULL), ZBADARGUMENTS },
        { "get_children: empty path", zoo_get_children(zh, "", 0, NULL), ZBADARGUMENTS },
        { "set_acl: NULL ACL", zoo_set_acl(zh, "/", -1, NULL), ZBADARGUMENTS },
        { "get_acl: relative path", zoo_get_acl(zh, "zookeeper", NULL, NULL), ZBADARGUMENTS },
        { "add_auth: NULL scheme", zoo_add_auth(zh, NULL, "x", 1, 0, 0), ZBADARGUMENTS },
        { "async: NULL path", zoo_async(zh, NULL, 0, 0), ZBADARGUMENTS },
        { "multi: negative count", zoo_multi(zh, -1, &op, &res), ZBADARGUMENTS },
        { "multi: NULL ops", zoo_multi(zh, 1, NULL, &res), ZBADARGUMENTS },
        { "remove_watches: bad type (as the reference)", zoo_remove_watches(zh, "/", 7, no_watch, 0, 0), ZNOWATCHER },
        { "remove_watches: none set", zoo_remove_watches(zh, "/", ZWATCHTYPE_ANY, no_watch, 0, 0), ZNOWATCHER },
        { "set_servers: NULL", zoo_set_servers(zh, NULL), ZBADARGUMENTS },
        { "set_servers: malformed", zoo_set_servers(zh, "host:"), ZBADARGUMENTS },
        { "resolution delay: -5", zoo_set_servers_resolution_delay(zh, -5), ZBADARGUMENTS },
        { "closed handle: get", zoo_get(closed, "/", 0, buf, &len, NULL), ZINVALIDSTATE },
        { "closed handle: acreate", zoo_acreate(closed, "/a", 0, -1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZINVALIDSTATE },
        { "closed handle: close", zookeeper_close(closed), ZINVALIDSTATE },
        { "closed handle: is_unrecoverable", is_unrecoverable(closed), ZINVALIDSTATE },
        { "closed handle: state", zoo_state(closed), 0 },
        { "NULL handle: close", zookeeper_close(NULL), ZBADARGUMENTS },
        { "NULL handle: state", zoo_state(NULL), 0 },
    };
    int n = sizeof table / sizeof table[0];
    for (int i = 0; i < n; i++) {
        int ok = table[i].got == table[i].want;
        printf("%-40s -> %5d %s\n", table[i].what, table[i].got, ok ? "" : "  (UNEXPECTED)");
        if (!ok) {
            fprintf(stderr, "%s: got %d (%s), want %d (%s)\n", table[i].what, table[i].got, zerror(table[i].got),
                    table[i].want, zerror(table[i].want));
            zkt_failures++;
        }
    }
    /* pointer results */
    CHECK(zoo_client_id(closed) == NULL);
    CHECK(zoo_get_context(NULL) == NULL);
    CHECK(zoo_get_current_server(closed) == NULL);
    CHECK(zookeeper_get_connected_host(zh, NULL, NULL) == NULL);
    /* bad init arguments: NULL with errno EINVAL */
    const char *hosts[] = { "", ":", "host:", "host:99999", "host:0", "[::1", "[nohost]:1", ",,,", "127.0.0.1:2181/bad/", "a name:1" };
    for (unsigned i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        errno = 0;
        zhandle_t *z = zookeeper_init(hosts[i], 0, 1000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        printf("%-40s -> %s errno=%d\n", hosts[i], z ? "handle" : "NULL", errno);
        CHECK(z == NULL && errno == EINVAL);
        if (z) zookeeper_close(z);
    }
    zkt_rmr(zh, big);
    zookeeper_close(zh);
    return zkt_finish("bad_arguments");
}
