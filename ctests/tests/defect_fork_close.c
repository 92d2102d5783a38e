/* Issue 8, defect "zookeeper_close in a forked child prints no backtrace".
 *
 * A process connects a handle, then forks; the child (which has none of the
 * library's threads) calls zookeeper_close on the inherited handle and exits
 * 0. The child's stderr is captured: it must hold no Rust panic text
 * ("panicked", "stack backtrace", "RUST_BACKTRACE"), zookeeper_close must
 * return ZOK as on the reference, and the child must exit 0
 * within 20 s (alarm). 5 rounds.
 *
 * Reference (Debian 3.8.0): 5/5 clean, close returns 0 in the child.
 * Ours before the fix: 5/5 print "thread '<unnamed>' panicked ... threads
 * should not terminate unexpectedly" (JoinHandle::join of a thread that does
 * not exist in the child) with a backtrace; close returns -1. */
#define _GNU_SOURCE
#include "testutil.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    int rounds = 5, clean = 0;
    for (int r = 0; r < rounds; r++) {
        zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
        int pfd[2];
        REQUIRE(pipe(pfd) == 0);
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            alarm(20);
            dup2(pfd[1], 2);
            close(pfd[0]);
            close(pfd[1]);
            int rc = zookeeper_close(zh);
            fprintf(stderr, "child: zookeeper_close returned %d\n", rc);
            fflush(stderr);
            _exit(0);
        }
        close(pfd[1]);
        char err[65536];
        size_t n = 0;
        ssize_t k;
        while (n < sizeof err - 1 && (k = read(pfd[0], err + n, sizeof err - 1 - n)) > 0) n += (size_t)k;
        err[n] = 0;
        close(pfd[0]);
        int st = 0;
        REQUIRE(waitpid(pid, &st, 0) == pid);
        int panicked = strstr(err, "panicked") || strstr(err, "stack backtrace") || strstr(err, "RUST_BACKTRACE");
        int exited0 = WIFEXITED(st) && WEXITSTATUS(st) == 0;
        int lines = 0;
        for (size_t i = 0; i < n; i++) lines += err[i] == '\n';
        const char *cr = strstr(err, "zookeeper_close returned ");
        int close_rc = cr ? atoi(cr + strlen("zookeeper_close returned ")) : 999;
        printf("round %d: child %s %d, zookeeper_close in the child returned %d, %d stderr line(s), panic text: %s\n",
               r, WIFEXITED(st) ? "exit" : "killed by signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
               close_rc, lines, panicked ? "YES" : "no");
        if (r == 0 && (panicked || !exited0)) printf("--- child stderr ---\n%.3000s--- end ---\n", err);
        if (!panicked && exited0 && close_rc == ZOK) clean++;
        /* the parent's handle still closes cleanly (its session may be gone) */
        zookeeper_close(zh);
    }
    printf("%d/%d children closed with ZOK (as the reference), without panic text, and exited 0\n", clean, rounds);
    CHECK(clean == rounds);
    return zkt_finish("defect_fork_close");
}
