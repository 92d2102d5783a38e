/* When a thread cannot be created (here: the address space is limited so
 * that no thread stack fits), zookeeper_init returns NULL with errno set,
 * promptly, instead of hanging or crashing. */
#include "testutil.h"
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        long pages = 0, res = 0;
        FILE *f = fopen("/proc/self/statm", "r");
        if (!f || fscanf(f, "%ld %ld", &pages, &res) != 2) _exit(3);
        fclose(f);
        struct rlimit rl = { (rlim_t)(pages * sysconf(_SC_PAGESIZE) + (1 << 20)), RLIM_INFINITY };
        rl.rlim_max = rl.rlim_cur;
        if (setrlimit(RLIMIT_AS, &rl)) _exit(4);
        errno = 0;
        zhandle_t *zh = zookeeper_init(zkt_hosts(), 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
        if (zh) _exit(5);
        printf("zookeeper_init returned NULL, errno=%d (%s)\n", errno, strerror(errno));
        fflush(stdout);
        _exit(errno ? 0 : 6);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    if (WIFSIGNALED(status)) fprintf(stderr, "child died of signal %d\n", WTERMSIG(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (WIFEXITED(status) && WEXITSTATUS(status)) fprintf(stderr, "child exit %d\n", WEXITSTATUS(status));
    return zkt_finish("no_threads");
}
