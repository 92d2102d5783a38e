/* zookeeper_init_ssl against a real ZooKeeper 3.8 with a secureClientPort
 * (ctests/fixture/tls.sh), one program per server mode ($TLS_MODE: need =
 * ssl.clientAuth=need over TLS 1.2, want, none, tls13 = need over TLS 1.3
 * only). Each case is a row of the reference table in
 * shared/tls-sasl/reference.md; where the reference client crashes, hangs,
 * spins or skips the host name check, the check here is what we do instead.
 *
 * Environment: ZK_TLS_DIR (the fixture's dir, certificates in certs/),
 * ZK_TLS_PORT (TLS port), ZK_PLAIN_PORT (the same server's plain port). */
#define _GNU_SOURCE
/* As a program written for the reference header does (its declaration of
 * zookeeper_init_ssl is under this macro); ours needs no OpenSSL header. */
#define HAVE_OPENSSL_H 1
#include "testutil.h"
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *mode, *dir;
static int tls_port, plain_port;
static char certs[1024];
static FILE *logf;

/* "ca,cert,key[,pass]" from names in the certificate dir ("" = field left out). */
static const char *cs(const char *ca, const char *cert, const char *key, const char *pass) {
    static char buf[4][2048];
    static int k;
    char *b = buf[k++ % 4];
    int n = snprintf(b, 2048, "%s/%s", certs, ca);
    if (cert && *cert) n += snprintf(b + n, 2048 - n, ",%s/%s", certs, cert);
    if (key && *key) n += snprintf(b + n, 2048 - n, ",%s/%s", certs, key);
    if (pass) snprintf(b + n, 2048 - n, ",%s", pass);
    return b;
}

static const char *host(const char *ip, int port) {
    static char buf[4][128];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, 128, "%s:%d", ip, port);
    return b;
}

/* The states a handle goes through, e.g. "999 7 2 3"; *sslc: how often SSL_CONNECTING began. */
static void watch_states(zhandle_t *zh, int ms, int stop_at, char *out, size_t n, int *sslc) {
    *sslc = zkt_watch_states(zh, ms, stop_at, 7, out, n);
}

static double cpu_seconds(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Log lines containing `needle` written since offset `from` of the log file. */
static int log_count(long from, const char *needle) { return zkt_log_count(logf, getenv("TLS_LOG"), from, needle); }
static long log_pos(void) { return zkt_log_pos(logf); }

/* --- the cases ----------------------------------------------------------- */

/* A good configuration: SSL_CONNECTING then ASSOCIATING then CONNECTED; an
 * early call completes after the handshake; CRUD works. */
static void expect_ok(const char *name, const char *hosts, const char *cert) {
    zkt_recorder rec;
    zkt_recorder_init(&rec);
    long long t0 = zkt_now_ms();
    zhandle_t *zh = zookeeper_init_ssl(hosts, cert, zkt_record_watcher, 10000, 0, &rec, 0);
    if (!zh) { fprintf(stderr, "%s: init_ssl NULL errno=%d\n", name, errno); zkt_failures++; return; }
    zkt_result early;
    zkt_result_init(&early);
    CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &early), ZOK);
    char seq[256];
    int sslc;
    watch_states(zh, 15000, ZOO_CONNECTED_STATE, seq, sizeof seq, &sslc);
    printf("%-34s states: %s (%lld ms)\n", name, seq, zkt_now_ms() - t0);
    CHECK(strstr(seq, "7 2 3") != NULL || strstr(seq, "7 3") != NULL);
    CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, NULL, 5000) == 0);
    CHECK_RC(zkt_wait_result(&early, 5000), ZOK);
    char path[256], buf[64];
    snprintf(path, sizeof path, "/tls-%d-%s", (int)getpid(), name);
    CHECK_RC(zoo_create(zh, path, "v1", 2, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    int len = sizeof buf;
    CHECK_RC(zoo_get(zh, path, 0, buf, &len, 0), ZOK);
    CHECK(len == 2 && !memcmp(buf, "v1", 2));
    CHECK_RC(zoo_set(zh, path, "v22", 3, -1), ZOK);
    len = sizeof buf;
    CHECK_RC(zoo_get(zh, path, 0, buf, &len, 0), ZOK);
    CHECK(len == 3 && !memcmp(buf, "v22", 3));
    CHECK_RC(zoo_delete(zh, path, -1), ZOK);
    CHECK(zkt_count(&rec) == 1);
    CHECK_RC(zookeeper_close(zh), ZOK);
}

/* A handshake that fails: no watcher event, the early call fails with
 * ZSSLCONNECTIONERROR at the first attempt, so does a later one; attempts
 * repeat with the back-off (no busy loop: bounded count, log lines and CPU);
 * close is prompt. `want_rc` is what calls fail with. */
static void expect_fail(const char *name, const char *hosts, const char *cert, int want_rc, const char *log_needle) {
    zkt_recorder rec;
    zkt_recorder_init(&rec);
    long pos = log_pos();
    double cpu0 = cpu_seconds();
    long long t0 = zkt_now_ms();
    /* DEBUG: the library logs each connection attempt ("[zk] connect()"),
     * which is what the bounds below count (sampled states miss some). */
    zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG);
    zhandle_t *zh = zookeeper_init_ssl(hosts, cert, zkt_record_watcher, 10000, 0, &rec, 0);
    if (!zh) { fprintf(stderr, "%s: init_ssl NULL errno=%d\n", name, errno); zkt_failures++; zoo_set_debug_level(ZOO_LOG_LEVEL_INFO); return; }
    zkt_result early, late;
    zkt_result_init(&early);
    zkt_result_init(&late);
    CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &early), ZOK);
    char seq[1024];
    int sslc;
    watch_states(zh, 2000, -12345, seq, sizeof seq, &sslc);
    int rc = zkt_wait_result(&early, 100);
    CHECK_RC(rc, want_rc);
    long long first = early.at - t0;
    CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &late), ZOK);
    CHECK_RC(zkt_wait_result(&late, 5000), want_rc);
    double cpu = cpu_seconds() - cpu0;
    int errs = log_count(pos, "zk retcode=");
    int attempts = log_count(pos, "[zk] connect()");
    int reason = log_needle ? log_count(pos, log_needle) : 1;
    printf("%-34s early rc=%d after %lld ms, %d attempts (%d seen SSL_CONNECTING), %d error lines, cpu %.2f s; states: %.60s\n",
           name, rc, first, attempts, sslc, errs, cpu, seq);
    CHECK(first < 3000);
    CHECK(sslc >= 1);            /* the state is reported while the handshake runs */
    CHECK(attempts >= 2);        /* it retries */
    CHECK(attempts <= 25);       /* with the back-off, not in a loop */
    /* one error line per failed attempt (the last one may still be under way) */
    CHECK(errs >= attempts - 1 && errs <= attempts);
    CHECK(reason >= 1);
    CHECK(cpu < 1.5);
    CHECK(zkt_count(&rec) == 0); /* never connected: no watcher event */
    CHECK(zoo_state(zh) != ZOO_CONNECTED_STATE);
    long long c0 = zkt_now_ms();
    CHECK_RC(zookeeper_close(zh), ZOK);
    CHECK(zkt_now_ms() - c0 < 1000);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
}

/* A configuration error: NULL, errno, one log line naming the file. */
static void expect_config_error(const char *name, const char *cert, int want_errno, const char *file) {
    long pos = log_pos();
    errno = 0;
    zhandle_t *zh = zookeeper_init_ssl(host("127.0.0.1", tls_port), cert, 0, 10000, 0, 0, 0);
    int e = errno;
    int lines = log_count(pos, "zookeeper_init_ssl");
    int naming = file ? log_count(pos, file) : 1;
    printf("%-34s NULL=%d errno=%d (%s), %d log line(s)\n", name, zh == NULL, e, strerror(e), lines);
    CHECK(zh == NULL);
    CHECK(e == want_errno);
    CHECK(lines == 1);
    CHECK(naming == 1);
    if (zh) zookeeper_close(zh);
}

/* A server that accepts TCP and never answers: the attempt times out with
 * the connect deadline (2/3 of the timeout) and close returns at once. */
static void silent_server(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    REQUIRE(bind(s, (struct sockaddr *)&a, sizeof a) == 0 && listen(s, 16) == 0);
    socklen_t l = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &l);
    const char *h = host("127.0.0.1", ntohs(a.sin_port));
    zhandle_t *zh = zookeeper_init_ssl(h, cs("ca.pem", "client.pem", "client.key", 0), 0, 3000, 0, 0, 0);
    REQUIRE(zh);
    zkt_result early;
    zkt_result_init(&early);
    long long t0 = zkt_now_ms();
    CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &early), ZOK);
    char seq[256];
    int sslc;
    watch_states(zh, 500, -12345, seq, sizeof seq, &sslc);
    CHECK(zoo_state(zh) == 7);
    int rc = zkt_wait_result(&early, 4000);
    printf("%-34s early rc=%d after %lld ms (timeout 3000: deadline 2000); states %s\n", "tls-silent-server", rc, zkt_now_ms() - t0, seq);
    CHECK_RC(rc, ZCONNECTIONLOSS);
    /* close while the next handshake hangs */
    long long end = zkt_now_ms() + 3000;
    while (zoo_state(zh) != 7 && zkt_now_ms() < end) usleep(1000);
    CHECK(zoo_state(zh) == 7);
    long long c0 = zkt_now_ms();
    CHECK_RC(zookeeper_close(zh), ZOK);
    long long took = zkt_now_ms() - c0;
    printf("%-34s zookeeper_close during the handshake took %lld ms\n", "tls-silent-server-close", took);
    CHECK(took < 500);
    close(s);
}

/* fd >= 1024 (the reference's select() overflows and crashes). */
static void fd_over_1024(void) {
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < 2048) {
        rl.rlim_cur = rl.rlim_max < 2048 ? rl.rlim_max : 2048;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    REQUIRE(rl.rlim_cur >= 1200);
    int fds[1100], n = 0;
    int base = open("/dev/null", O_RDONLY);
    while (n < 1100) {
        int f = dup(base);
        if (f < 0) break;
        fds[n++] = f;
    }
    int probe = dup(base);
    printf("%-34s next descriptor %d\n", "tls-fd-over-1024", probe);
    CHECK(probe >= 1024);
    close(probe);
    expect_ok("tls-fd-over-1024", host("127.0.0.1", tls_port), cs("ca.pem", "client.pem", "client.key", 0));
    for (int i = 0; i < n; i++) close(fds[i]);
    close(base);
}

/* The x509 identity of the client certificate in an ACL. */
static void x509_acl(void) {
    zhandle_t *zh = zookeeper_init_ssl(host("127.0.0.1", tls_port), cs("ca.pem", "client.pem", "client.key", 0), 0, 10000, 0, 0, 0);
    REQUIRE(zh);
    long long end = zkt_now_ms() + 15000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(5000);
    REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
    char path[128];
    snprintf(path, sizeof path, "/tls-x509-%d", (int)getpid());
    CHECK_RC(zoo_create(zh, path, "x", 1, &ZOO_CREATOR_ALL_ACL, 0, 0, 0), ZOK);
    struct ACL_vector acl;
    struct Stat st;
    CHECK_RC(zoo_get_acl(zh, path, &acl, &st), ZOK);
    int found = 0;
    for (int i = 0; i < acl.count; i++) {
        printf("%-34s acl[%d] = %s:%s perms=%#x\n", "tls-x509-acl", i, acl.data[i].id.scheme, acl.data[i].id.id, acl.data[i].perms);
        if (!strcmp(acl.data[i].id.scheme, "x509") && strstr(acl.data[i].id.id, "CN=zk-client") && acl.data[i].perms == ZOO_PERM_ALL)
            found = 1;
    }
    CHECK(found);
    deallocate_ACL_vector(&acl);
    /* A plain client (no certificate, "ip" identity) may not read it. */
    zhandle_t *plain = zkt_connect(host("127.0.0.1", plain_port), 0, 0);
    char buf[8];
    int len = sizeof buf;
    CHECK_RC(zoo_get(plain, path, 0, buf, &len, 0), ZNOAUTH);
    zookeeper_close(plain);
    CHECK_RC(zoo_delete(zh, path, -1), ZOK);
    zookeeper_close(zh);
}

int main(void) {
    zkt_prove_library();
    mode = getenv("TLS_MODE");
    dir = getenv("ZK_TLS_DIR");
    REQUIRE(mode && dir && getenv("ZK_TLS_PORT") && getenv("ZK_PLAIN_PORT") && getenv("TLS_LOG"));
    tls_port = atoi(getenv("ZK_TLS_PORT"));
    plain_port = atoi(getenv("ZK_PLAIN_PORT"));
    snprintf(certs, sizeof certs, "%s/certs", dir);
    logf = fopen(getenv("TLS_LOG"), "w");
    REQUIRE(logf);
    zoo_set_log_stream(logf);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    unsetenv("ZOO_SSL_HOSTNAME_VERIFICATION");

    /* (host() and cs() return rotating static buffers: keep copies) */
    char *tls = strdup(host("127.0.0.1", tls_port));
    char *good = strdup(cs("ca.pem", "client.pem", "client.key", 0));

    if (!strcmp(mode, "need")) {
        CHECK(!strcmp(zerror(ZSSLCONNECTIONERROR), "SSL connection error"));
        expect_ok("tls-ok", tls, cs("ca.pem", "client.pem", "client.key", "password"));
        expect_ok("tls-ok-localhost", host("localhost", tls_port), good);
        expect_ok("tls-ok-3-fields", tls, good);
        expect_ok("tls-ok-encrypted-key", tls, cs("ca.pem", "client.pem", "client-enc.key", "clientpass"));
        /* Host name check (the reference has none): 127.0.0.2 is not in the certificate. */
        expect_fail("tls-127.0.0.2-hostcheck", host("127.0.0.2", tls_port), good, ZSSLCONNECTIONERROR, "not valid for name");
        setenv("ZOO_SSL_HOSTNAME_VERIFICATION", "false", 1);
        expect_ok("tls-127.0.0.2-hostcheck-off", host("127.0.0.2", tls_port), good);
        /* ... the chain is still verified with the check off */
        expect_fail("tls-wrong-ca-hostcheck-off", tls, cs("other-ca.pem", "client.pem", "client.key", 0), ZSSLCONNECTIONERROR, "UnknownIssuer");
        unsetenv("ZOO_SSL_HOSTNAME_VERIFICATION");
        expect_fail("tls-wrong-ca", tls, cs("other-ca.pem", "client.pem", "client.key", 0), ZSSLCONNECTIONERROR, "UnknownIssuer");
        expect_fail("tls-server-cert-as-ca", tls, cs("server.pem", "client.pem", "client.key", 0), ZSSLCONNECTIONERROR, "UnknownIssuer");
        expect_fail("tls-untrusted-client-cert", tls, cs("ca.pem", "other-client.pem", "other-client.key", 0), ZSSLCONNECTIONERROR, "TLS");
        expect_fail("tls-ca-only-need", tls, cs("ca.pem", 0, 0, 0), ZSSLCONNECTIONERROR, "TLS");
        expect_fail("tls-to-plain-port", host("127.0.0.1", plain_port), good, ZSSLCONNECTIONERROR, "TLS handshake failed");
        {   /* plain client on the TLS port: connection loss, as the reference */
            zhandle_t *zh = zookeeper_init(tls, 0, 10000, 0, 0, 0);
            zkt_result r;
            zkt_result_init(&r);
            CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &r), ZOK);
            int rc = zkt_wait_result(&r, 8000);
            printf("%-34s early rc=%d\n", "plain-to-tls-port", rc);
            CHECK_RC(rc, ZCONNECTIONLOSS);
            zookeeper_close(zh);
        }
        {   /* nothing listening: connection loss */
            int s = socket(AF_INET, SOCK_STREAM, 0);
            struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
            bind(s, (struct sockaddr *)&a, sizeof a);
            socklen_t l = sizeof a;
            getsockname(s, (struct sockaddr *)&a, &l);
            close(s); /* the port is free now: connections are refused */
            zhandle_t *zh = zookeeper_init_ssl(host("127.0.0.1", ntohs(a.sin_port)), good, 0, 10000, 0, 0, 0);
            zkt_result r;
            zkt_result_init(&r);
            CHECK_RC(zoo_aexists(zh, "/", 0, zkt_stat_done, &r), ZOK);
            int rc = zkt_wait_result(&r, 3000);
            printf("%-34s early rc=%d\n", "tls-no-server", rc);
            CHECK_RC(rc, ZCONNECTIONLOSS);
            zookeeper_close(zh);
        }
        /* configuration errors: found at init (the reference spins at 100 % CPU instead) */
        char missing[1100];
        snprintf(missing, sizeof missing, "%s/no-such-ca.pem", certs);
        expect_config_error("tls-missing-ca-file", cs("no-such-ca.pem", "client.pem", "client.key", 0), ENOENT, missing);
        expect_config_error("tls-missing-cert-file", cs("ca.pem", "nope.pem", "client.key", 0), ENOENT, "nope.pem");
        expect_config_error("tls-missing-key-file", cs("ca.pem", "client.pem", "nope.key", 0), ENOENT, "nope.key");
        expect_config_error("tls-encrypted-key-wrong-pass", cs("ca.pem", "client.pem", "client-enc.key", "wrong"), EINVAL, "client-enc.key");
        expect_config_error("tls-encrypted-key-no-pass", cs("ca.pem", "client.pem", "client-enc.key", 0), EINVAL, "client-enc.key");
        expect_config_error("tls-key-cert-mismatch", cs("ca.pem", "client.pem", "other-client.key", 0), EINVAL, "other-client.key");
        expect_config_error("tls-no-cert-in-cert-file", cs("ca.pem", "client.key", "client.key", 0), EINVAL, "client.key");
        expect_config_error("tls-no-cert-in-ca-file", cs("client.key", "client.pem", "client.key", 0), EINVAL, "client.key");
        expect_config_error("tls-no-key-in-key-file", cs("ca.pem", "client.pem", "client.pem", 0), EINVAL, "client.pem");
        expect_config_error("tls-ca-is-a-directory", cs(".", "client.pem", "client.key", 0), EINVAL, certs);
        expect_config_error("tls-cert-without-key", cs("ca.pem", "client.pem", 0, 0), EINVAL, "client.pem");
        expect_config_error("tls-empty-cert-string", "", EINVAL, 0);
        expect_config_error("tls-null-cert-string", NULL, EINVAL, 0);
        silent_server();
        x509_acl();
        fd_over_1024();
    } else if (!strcmp(mode, "want")) {
        expect_ok("tls-want-ok", tls, good);
        expect_ok("tls-want-ca-only", tls, cs("ca.pem", 0, 0, 0));
        expect_fail("tls-want-untrusted-client-cert", tls, cs("ca.pem", "other-client.pem", "other-client.key", 0), ZSSLCONNECTIONERROR, "TLS");
        x509_acl();
    } else if (!strcmp(mode, "none")) {
        expect_ok("tls-none-ok", tls, good);
        expect_ok("tls-none-ca-only", tls, cs("ca.pem", 0, 0, 0));
        expect_ok("tls-none-untrusted-client-cert", tls, cs("ca.pem", "other-client.pem", "other-client.key", 0));
        expect_fail("tls-none-wrong-ca", tls, cs("other-ca.pem", 0, 0, 0), ZSSLCONNECTIONERROR, "UnknownIssuer");
    } else if (!strcmp(mode, "tls13")) {
        expect_ok("tls13-ok", tls, good);
        expect_ok("tls13-ok-encrypted-key", tls, cs("ca.pem", "client.pem", "client-enc.key", "clientpass"));
        /* TLS 1.3: the server checks the client certificate after the client's
         * handshake ends; the alert it sends fails the attempt with
         * ZSSLCONNECTIONERROR here (the reference: ZCONNECTIONLOSS). */
        expect_fail("tls13-untrusted-client-cert", tls, cs("ca.pem", "other-client.pem", "other-client.key", 0), ZSSLCONNECTIONERROR, "TLS");
        expect_fail("tls13-ca-only-need", tls, cs("ca.pem", 0, 0, 0), ZSSLCONNECTIONERROR, "TLS");
        expect_fail("tls13-wrong-ca", tls, cs("other-ca.pem", "client.pem", "client.key", 0), ZSSLCONNECTIONERROR, "UnknownIssuer");
    } else {
        fprintf(stderr, "unknown TLS_MODE %s\n", mode);
        return 1;
    }
    free(tls);
    free(good);
    return zkt_finish(mode);
}
