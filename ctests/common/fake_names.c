/* See fake_names.h. */
#define _GNU_SOURCE
#include "fake_names.h"
#include "zkcommon.h"
#include <dlfcn.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static char hosts_path[512], log_path[512];

static void die(const char *what) {
    fprintf(stderr, "fake names: %s\n", what);
    exit(1);
}

void zkt_names_init(const char *tag) {
    char cwd[256];
    if (!getcwd(cwd, sizeof cwd)) die("getcwd");
    snprintf(hosts_path, sizeof hosts_path, "%s/%s.hosts", cwd, tag);
    snprintf(log_path, sizeof log_path, "%s/%s.log", cwd, tag);
    setenv("ZK_FAKE_HOSTS", hosts_path, 1);
    setenv("ZK_FAKE_LOG", log_path, 1);
    unlink(log_path);
    zkt_names_set("# %s\n", tag);
    long (*calls)(void) = (long (*)(void))dlsym(RTLD_DEFAULT, "zkt_fake_resolver_calls");
    if (!calls) die("the interposer is not loaded (run with LD_PRELOAD=libfake_resolver.so)");
    long before = calls();
    struct addrinfo *res = 0, hints = { .ai_socktype = SOCK_STREAM };
    int rc = getaddrinfo("probe.zk.test", "2181", &hints, &res);
    if (rc != EAI_NONAME || calls() != before + 1 || zkt_names_calls("probe.zk.test", 0) != 1)
        die("the interposer does not answer probe.zk.test (EAI_NONAME, counted and logged)");
    const char *pre = getenv("LD_PRELOAD");
    printf("interposer: %s (answers *.zk.test from %s)\n", pre ? pre : "?", hosts_path);
    fflush(stdout);
}

void zkt_names_set(const char *fmt, ...) {
    char tmp[600];
    snprintf(tmp, sizeof tmp, "%s.tmp", hosts_path);
    FILE *f = fopen(tmp, "w");
    if (!f) die("cannot write the name file");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    if (fclose(f) != 0 || rename(tmp, hosts_path) != 0) die("cannot replace the name file");
}

/* Calls ms and name of each logged line, from the start. */
static int scan(const char *name, long long since_ms, long long *last) {
    FILE *f = fopen(log_path, "r");
    if (!f) return 0;
    char line[1024], n[256];
    long long ms;
    int k = 0;
    *last = -1;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%lld %*d %*d %255s", &ms, n) != 2 || strcasecmp(n, name) || ms < since_ms) continue;
        k++;
        *last = ms;
    }
    fclose(f);
    return k;
}

int zkt_names_calls(const char *name, long long since_ms) {
    long long last;
    return scan(name, since_ms, &last);
}

long long zkt_names_last_call(const char *name) {
    long long last;
    scan(name, 0, &last);
    return last;
}

void zkt_names_ensemble(char *spec, size_t n, char addr[3][64]) {
    int p[3];
    for (int i = 0; i < 3; i++) {
        p[i] = zkt_port_of(i + 1);
        if (p[i] <= 0) die("a server of the ensemble has no port");
        zkt_addr_of(i + 1, addr[i], 64);
    }
    snprintf(spec, n, "zk1.zk.test:%d,zk2.zk.test:%d,zk3.zk.test:%d", p[0], p[1], p[2]);
}

void zkt_names_give_ensemble(char addr[3][64]) {
    zkt_names_set("zk1.zk.test %s\nzk2.zk.test %s\nzk3.zk.test %s\n", addr[0], addr[1], addr[2]);
}
