/* A small consumer of the static library, the way bindings that vendor the
 * C client use it (Node's `zookeeper` addon links libzookeeper_st.a by
 * path): a few asynchronous zoo_* calls driven by a poll() loop around
 * zookeeper_interest/zookeeper_process. ctests/tools/sizes_test.sh builds it
 * as a shared object (-shared -fPIC, no --gc-sections; -DZKC_SHARED, no
 * main) and as a program, against our archives and Debian's, measures them;
 * ctests/tools/static_archive_test.sh runs them. With -DZKC_MT (linked with
 * libzookeeper_mt.a) completions run on the library's completion thread
 * and zkc_run waits for them instead of driving the poll() loop.
 *
 *   zkc_run(hosts): creates an ephemeral node, reads it back, deletes it;
 *   returns 0 when each step answered ZOK and the stack could be unwound
 *   from a completion, through the library's frames, back to zkc_run (ST)
 *   or to the thread's start in libc (MT): the library's unwind tables
 *   (which its panics need) are whole.
 */
#define _GNU_SOURCE
#include <zookeeper/zookeeper.h>
#include <dlfcn.h>
#include <execinfo.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int pending, failed, unwound;
int zkc_run(const char *hosts);

/* Does the current stack unwind back to zkc_run (ST) or to libc's thread
 * start (MT)? */
static void check_unwind(void) {
    void *frames[64];
    int n = backtrace(frames, 64);
#ifdef ZKC_MT
    Dl_info info;
    if (n > 2 && n < 64 && dladdr(frames[n - 1], &info) && info.dli_fname && strstr(info.dli_fname, "libc.so"))
        unwound = 1;
#else
    for (int i = 0; i < n; i++)
        if ((char *)frames[i] > (char *)zkc_run && (char *)frames[i] < (char *)zkc_run + 4096) unwound = 1;
#endif
}

static void created(int rc, const char *name, const void *data) {
    failed |= rc != ZOK;
    __atomic_sub_fetch(&pending, 1, __ATOMIC_SEQ_CST);
}
static void got(int rc, const char *value, int len, const struct Stat *stat, const void *data) {
    failed |= rc != ZOK || len != 5 || memcmp(value, "hello", 5) != 0;
    check_unwind();
    __atomic_sub_fetch(&pending, 1, __ATOMIC_SEQ_CST);
}
static void deleted(int rc, const void *data) {
    failed |= rc != ZOK;
    __atomic_sub_fetch(&pending, 1, __ATOMIC_SEQ_CST);
}

static int wait_all(zhandle_t *zh) {
#ifdef ZKC_MT
    for (int i = 0; i < 10000 && __atomic_load_n(&pending, __ATOMIC_SEQ_CST) > 0; i++) usleep(1000);
    return __atomic_load_n(&pending, __ATOMIC_SEQ_CST) == 0 && !failed ? 0 : -1;
#else
    for (int i = 0; i < 2000 && pending > 0; i++) {
        int fd = -1, interest = 0;
        struct timeval tv;
        if (zookeeper_interest(zh, &fd, &interest, &tv) != ZOK) {
            usleep(5000);
            continue;
        }
        struct pollfd p = { fd, (short)((interest & ZOOKEEPER_READ ? POLLIN : 0) | (interest & ZOOKEEPER_WRITE ? POLLOUT : 0)), 0 };
        int t = (int)(tv.tv_sec * 1000 + tv.tv_usec / 1000);
        int n = poll(&p, fd >= 0 ? 1 : 0, t > 50 ? 50 : t);
        int ev = n > 0 ? (p.revents & (POLLIN | POLLHUP | POLLERR) ? ZOOKEEPER_READ : 0) |
                         (p.revents & (POLLOUT | POLLERR) ? ZOOKEEPER_WRITE : 0) : 0;
        zookeeper_process(zh, ev & interest);
    }
    return pending == 0 && !failed ? 0 : -1;
#endif
}

int zkc_run(const char *hosts) {
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zookeeper_init(hosts, 0, 10000, 0, 0, 0);
    if (!zh) return -1;
    char path[64];
    snprintf(path, sizeof path, "/zkc-%d", (int)getpid());
    pending = 1;
    int rc = zoo_acreate(zh, path, "hello", 5, &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, created, 0);
    if (rc == ZOK && (rc = wait_all(zh)) == 0) {
        pending = 1;
        rc = zoo_aget(zh, path, 0, got, 0);
        if (rc == ZOK) rc = wait_all(zh);
    }
    if (rc == ZOK) {
        pending = 1;
        rc = zoo_adelete(zh, path, -1, deleted, 0);
        if (rc == ZOK) rc = wait_all(zh);
    }
    if (rc != ZOK) fprintf(stderr, "zkc: %s (state %d)\n", zerror(rc), zoo_state(zh));
    else if (!unwound) {
        fprintf(stderr, "zkc: backtrace() from a completion did not reach zkc_run\n");
        rc = -1;
    }
    zookeeper_close(zh);
    return rc;
}

#ifndef ZKC_SHARED
int main(int argc, char **argv) {
    const char *hosts = argc > 1 ? argv[1] : getenv("ZK_HOSTS");
    int rc = zkc_run(hosts ? hosts : "127.0.0.1:2181");
    printf("zkc: %s\n", rc == 0 ? "ok" : "failed");
    return rc == 0 ? 0 : 1;
}
#endif
