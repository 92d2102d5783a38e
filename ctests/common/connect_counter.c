/* LD_PRELOAD shim: counts connect() calls of the process.
 * zkt_connect_count() (found with dlsym) reads the count. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>

static long count;

long zkt_connect_count(void) { return __atomic_load_n(&count, __ATOMIC_SEQ_CST); }

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) __atomic_add_fetch(&count, 1, __ATOMIC_SEQ_CST);
    return real(fd, addr, len);
}
