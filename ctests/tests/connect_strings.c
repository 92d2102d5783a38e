/* Connect strings as the Java client reads them (issue 17, point 4), on top
 * of everything the reference accepts: spaces around entries, an entry
 * listed twice kept once, [v6]:port, a bare host name with its port, and a
 * chroot after them; each connects to the real server and reads "/". The
 * strings the reference rejects (measured on Debian's 3.8.0,
 * docs/deviations.md) are marked. Malformed strings stay NULL with
 * EINVAL (bad_arguments). */
#include "testutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

static int try(const char *spec, int expect_v6) {
    zhandle_t *zh = zookeeper_init(spec, 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    if (!zh) {
        printf("%-50s -> NULL errno=%d\n", spec, errno);
        return 0;
    }
    long long end = zkt_now_ms() + 8000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
    struct Stat st;
    int rc = zoo_exists(zh, "/", 0, &st);
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int v6 = 0;
    if (zookeeper_get_connected_host(zh, (struct sockaddr *)&ss, &len)) v6 = ss.ss_family == AF_INET6;
    printf("%-50s -> exists(/) rc=%d over %s\n", spec, rc, v6 ? "IPv6" : "IPv4");
    zookeeper_close(zh);
    return rc == ZOK && (expect_v6 < 0 || v6 == expect_v6);
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    const char *h = zkt_hosts(); /* 127.0.0.1:PORT */
    const char *colon = strrchr(h, ':');
    REQUIRE(colon);
    int port = atoi(colon + 1);
    char s[256];
    /* the reference: NULL with EINVAL (spaces) */
    snprintf(s, sizeof s, " 127.0.0.1:%d , 127.0.0.1:%d ", port, port);
    CHECK(try(s, 0));
    snprintf(s, sizeof s, "127.0.0.1:%d,127.0.0.1:%d/", port, port);
    CHECK(try(s, 0));
    snprintf(s, sizeof s, "localhost:%d", port);
    CHECK(try(s, -1)); /* localhost: either family */
    /* the reference: NULL with ENOENT. The server listens on 127.0.0.1
     * only: a proxy on [::1] forwards to it. */
    zkt_proxy *p6 = zkt_proxy_start6("127.0.0.1", port);
    REQUIRE(p6);
    snprintf(s, sizeof s, "[::1]:%d", zkt_proxy_port(p6));
    CHECK(try(s, 1));
    snprintf(s, sizeof s, "[::1]:%d, 127.0.0.1:%d/", zkt_proxy_port(p6), port);
    CHECK(try(s, -1));
    return zkt_finish("connect_strings");
}
