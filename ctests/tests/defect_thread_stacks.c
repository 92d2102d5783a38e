/* Issue 8, defect "thread stacks": the library's threads get the process's
 * default pthread stack size (the stack rlimit, 8 MiB on Debian), as the
 * reference's threads do (it creates them with default attributes), not
 * Rust's 2 MiB. A completion and a watcher that use 3 MiB of stack must work.
 *
 * Each scenario runs in a forked child (forked before zookeeper_init) so that
 * a stack overflow shows up as "child killed by SIGSEGV" with the numbers
 * printed before it. The size of every library thread that calls us (the
 * completion thread for completions and watchers; the IO thread through the
 * log callback) is read with pthread_getattr_np and must be at least the
 * process default (pthread_getattr_default_np).
 *
 * Reference (Debian 3.8.0): completion and watcher threads 8 MiB, 3 MiB use
 * works. Ours before the fix: 2 MiB, the child dies of SIGSEGV. */
#define _GNU_SOURCE
#include "testutil.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define USE_BYTES (3u << 20)

static size_t default_stack;

static size_t my_stack_size(void) {
    pthread_attr_t a;
    size_t sz = 0;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        pthread_attr_getstacksize(&a, &sz);
        pthread_attr_destroy(&a);
    }
    return sz;
}

/* Uses `bytes` of stack for real: every page written and read back through
 * a volatile array, so that the compiler can neither drop nor shrink it. */
static __attribute__((noinline)) long use_stack(size_t bytes) {
    volatile char big[USE_BYTES];
    long sum = 0;
    for (size_t i = 0; i < bytes && i < sizeof big; i += 1024) big[i] = (char)(i >> 10);
    for (size_t i = 0; i < bytes && i < sizeof big; i += 1024) sum += big[i];
    return sum;
}

static volatile int done;
static volatile size_t seen_stack;

static void report(const char *who) {
    size_t sz = my_stack_size();
    seen_stack = sz;
    printf("  %s thread stack: %zu KiB (process default %zu KiB); using %u KiB of it...\n", who, sz >> 10,
           default_stack >> 10, USE_BYTES >> 10);
    fflush(stdout);
    long s = use_stack(USE_BYTES);
    printf("  %s used %u KiB of stack fine (checksum %ld)\n", who, USE_BYTES >> 10, s);
    fflush(stdout);
}

static void stat_cb(int rc, const struct Stat *st, const void *d) {
    report("completion");
    done = 1;
}

static void watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx) {
    if (type == ZOO_SESSION_EVENT && state == ZOO_CONNECTED_STATE && ctx) {
        report("watcher");
        done = 1;
    }
}

/* IO-thread stack, seen from the log callback (called on whichever thread logs). */
static pthread_t main_thread;
static volatile size_t min_logger_stack = (size_t)-1;
static void log_cb(const char *m) {
    if (pthread_equal(pthread_self(), main_thread)) return;
    size_t sz = my_stack_size();
    if (sz && sz < min_logger_stack) min_logger_stack = sz;
}

static int run_child(int which) {
    fflush(stdout);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        main_thread = pthread_self();
        done = 0;
        zhandle_t *zh;
        if (which == 0) {
            zh = zookeeper_init2(zkt_hosts(), watcher, 10000, 0, 0, 0, log_cb);
            REQUIRE(zh);
            long long end = zkt_now_ms() + 15000;
            while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
            REQUIRE(zoo_state(zh) == ZOO_CONNECTED_STATE);
            REQUIRE(zoo_aexists(zh, "/", 0, stat_cb, 0) == ZOK);
        } else {
            zh = zookeeper_init2(zkt_hosts(), watcher, 10000, 0, (void *)1, 0, log_cb);
            REQUIRE(zh);
        }
        long long end = zkt_now_ms() + 15000;
        while (!done && zkt_now_ms() < end) usleep(10000);
        if (!done) { printf("  callback not called within 15 s\n"); _exit(3); }
        if (min_logger_stack != (size_t)-1)
            printf("  IO thread (log callback) stack: %zu KiB\n", min_logger_stack >> 10);
        int bad = seen_stack < default_stack;
        if (min_logger_stack != (size_t)-1 && min_logger_stack < default_stack) bad = 1;
        zookeeper_close(zh);
        fflush(stdout);
        _exit(bad ? 2 : 0);
    }
    int st = 0;
    REQUIRE(waitpid(pid, &st, 0) == pid);
    if (WIFSIGNALED(st)) {
        printf("%s scenario: child killed by signal %d (%s): stack overflow\n", which ? "watcher" : "completion",
               WTERMSIG(st), strsignal(WTERMSIG(st)));
        return 1;
    }
    int code = WEXITSTATUS(st);
    printf("%s scenario: child exit %d%s\n", which ? "watcher" : "completion", code,
           code == 2 ? " (a library thread has less than the default stack)" : "");
    return code != 0;
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    pthread_attr_t a;
    REQUIRE(pthread_getattr_default_np(&a) == 0);
    pthread_attr_getstacksize(&a, &default_stack);
    pthread_attr_destroy(&a);
    printf("stack rlimit: %lld KiB, default pthread stack: %zu KiB\n",
           rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur >> 10, default_stack >> 10);
    if (default_stack < USE_BYTES + (512u << 10)) {
        /* a machine with a small stack rlimit: make the process default 8 MiB,
         * which threads created with default attributes then get */
        pthread_attr_init(&a);
        pthread_attr_setstacksize(&a, 8u << 20);
        REQUIRE(pthread_setattr_default_np(&a) == 0);
        pthread_attr_destroy(&a);
        default_stack = 8u << 20;
        printf("default below 3.5 MiB here: process default set to 8192 KiB (pthread_setattr_default_np)\n");
    }
    if (run_child(0)) zkt_failures++;
    if (run_child(1)) zkt_failures++;
    return zkt_finish("defect_thread_stacks");
}
