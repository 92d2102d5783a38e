/* LD_PRELOAD interposer of getaddrinfo(): the name service of the tests of
 * servers that move (issue 17). Names ending in ".zk.test" are answered
 * from the file $ZK_FAKE_HOSTS, read again on every call (tests rewrite it
 * with a temporary file and rename(), so a reader sees the old or the new
 * file, never half of one); every other name goes to the real getaddrinfo.
 *
 *   # comment
 *   zk1.zk.test 127.0.0.11            a name and its addresses (any number,
 *   zkm.zk.test 127.0.0.99 127.0.0.12 in this order)
 *   sleep 10000 zkh.zk.test           this name answers after 10 s
 *   sleep 500                         every test name answers after 500 ms
 *
 * A test name without a line is EAI_NONAME (as is a missing file). The
 * answer is decided when the call starts (a sleeping call answers with the
 * file as it was then, like a slow name server). Answers are built by the
 * real getaddrinfo on each numeric address (AI_NUMERICHOST, the caller's
 * hints without AI_ADDRCONFIG), chained: the real freeaddrinfo frees them.
 *
 * $ZK_FAKE_LOG, when set, gets one line per call of a test name, written
 * with one O_APPEND write when the call starts:
 *   <CLOCK_MONOTONIC ms> <pid> <tid> <name> <addresses|NONAME> [sleep MS]
 * zkt_fake_resolver_calls() (found with dlsym) counts the calls of test
 * names in this process: a test proves with it that the interposer is loaded. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define SUFFIX ".zk.test"
#define MAXADDR 8

static long calls;

long zkt_fake_resolver_calls(void) { return __atomic_load_n(&calls, __ATOMIC_SEQ_CST); }

typedef int (*gai_fn)(const char *, const char *, const struct addrinfo *, struct addrinfo **);

static gai_fn real_gai(void) {
    static gai_fn real;
    if (!real) real = (gai_fn)dlsym(RTLD_NEXT, "getaddrinfo");
    return real;
}

static int is_test_name(const char *node) {
    size_t n = strlen(node), s = strlen(SUFFIX);
    if (n && node[n - 1] == '.') n--; /* a fully qualified "name.zk.test." */
    return n > s && !strncasecmp(node + n - s, SUFFIX, s);
}

static int same_name(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n && a[n - 1] == '.') n--;
    return n == m && !strncasecmp(a, b, n);
}

typedef struct {
    char addr[MAXADDR][64];
    int n;
    long sleep_ms;
} answer;

/* What the file says of node now. */
static void lookup(const char *node, answer *out) {
    memset(out, 0, sizeof *out);
    const char *path = getenv("ZK_FAKE_HOSTS");
    FILE *f = path ? fopen(path, "re") : NULL;
    if (!f) return;
    char line[1024];
    long all_sleep = 0, own_sleep = -1;
    while (fgets(line, sizeof line, f)) {
        char *save = 0, *w = strtok_r(line, " \t\r\n", &save);
        if (!w || w[0] == '#') continue;
        if (!strcmp(w, "sleep")) {
            char *ms = strtok_r(0, " \t\r\n", &save), *name = strtok_r(0, " \t\r\n", &save);
            if (!ms) continue;
            if (!name) all_sleep = atol(ms);
            else if (same_name(node, name)) own_sleep = atol(ms);
            continue;
        }
        if (!same_name(node, w)) continue;
        for (char *a; (a = strtok_r(0, " \t\r\n", &save)) && out->n < MAXADDR;)
            snprintf(out->addr[out->n++], sizeof out->addr[0], "%s", a);
    }
    fclose(f);
    out->sleep_ms = own_sleep >= 0 ? own_sleep : all_sleep;
}

static void log_call(const char *node, const answer *a) {
    const char *path = getenv("ZK_FAKE_LOG");
    if (!path) return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[1024];
    int k = snprintf(line, sizeof line, "%lld %d %ld %s", ts.tv_sec * 1000LL + ts.tv_nsec / 1000000, (int)getpid(),
                     (long)syscall(SYS_gettid), node);
    for (int i = 0; i < a->n && k < (int)sizeof line; i++) k += snprintf(line + k, sizeof line - k, " %s", a->addr[i]);
    if (!a->n && k < (int)sizeof line) k += snprintf(line + k, sizeof line - k, " NONAME");
    if (a->sleep_ms && k < (int)sizeof line) k += snprintf(line + k, sizeof line - k, " sleep %ld", a->sleep_ms);
    if (k >= (int)sizeof line - 1) k = sizeof line - 2;
    line[k++] = '\n';
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (write(fd, line, k) != k) { /* nothing to do about it */ }
    close(fd);
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    gai_fn real = real_gai();
    if (!real) return EAI_SYSTEM;
    if (!node || !is_test_name(node)) return real(node, service, hints, res);
    __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    answer a;
    lookup(node, &a);
    log_call(node, &a);
    if (a.sleep_ms > 0) {
        struct timespec d = { a.sleep_ms / 1000, (a.sleep_ms % 1000) * 1000000L };
        while (nanosleep(&d, &d) != 0) {}
    }
    struct addrinfo h = { 0 };
    if (hints) h = *hints;
    h.ai_flags = (h.ai_flags & ~AI_ADDRCONFIG) | AI_NUMERICHOST;
    h.ai_addr = 0;
    h.ai_canonname = 0;
    h.ai_next = 0;
    struct addrinfo *head = 0, **tail = &head;
    for (int i = 0; i < a.n; i++) {
        struct addrinfo *part = 0;
        if (real(a.addr[i], service, &h, &part) != 0 || !part) continue; /* another family, or not numeric */
        *tail = part;
        while (*tail) tail = &(*tail)->ai_next;
    }
    if (!head) return EAI_NONAME;
    *res = head;
    return 0;
}
