/* LD_PRELOAD shim: calloc(n, size) fails (NULL, ENOMEM) when n equals
 * $ZKT_CALLOC_FAIL_COUNT, so that a test can make the allocation of one
 * result vector of a chosen length fail and nothing else. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

extern void *__libc_calloc(size_t n, size_t size);

void *calloc(size_t n, size_t size) {
    static long fail = -2;
    if (fail == -2) {
        const char *e = getenv("ZKT_CALLOC_FAIL_COUNT");
        fail = e ? atol(e) : -1;
    }
    if (fail > 0 && (long)n == fail) {
        errno = ENOMEM;
        return NULL;
    }
    return __libc_calloc(n, size);
}
