/* Defect (issue 8): when allocating a result (the String_vector of
 * children, an ACL_vector) fails, the call returns ZSYSTEMERROR (sync) or
 * completes with ZSYSTEMERROR (async) instead of writing through NULL.
 * A node gets 77 children; with the calloc_fail shim preloaded, calloc of
 * 77 elements fails: zoo_get_children and zoo_aget_children must report
 * ZSYSTEMERROR, and the handle must go on working. */
#include "testutil.h"
#include <unistd.h>

#define KIDS 77

static volatile int async_rc = 1;
static void kids_done(int rc, const struct String_vector *v, const void *d) {
    __atomic_store_n(&async_rc, v == NULL ? rc : 12345, __ATOMIC_SEQ_CST);
}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    REQUIRE(getenv("LD_PRELOAD") && getenv("ZKT_CALLOC_FAIL_COUNT"));
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    const char *root = zkt_root("calloc");
    CHECK_RC(zoo_create(zh, root, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    char p[256];
    for (int i = 0; i < KIDS; i++) {
        snprintf(p, sizeof p, "%s/k%02d", root, i);
        CHECK_RC(zoo_create(zh, p, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    }
    struct String_vector v = { 0, 0 };
    CHECK_RC(zoo_get_children(zh, root, 0, &v), ZSYSTEMERROR);
    CHECK(v.data == NULL);
    CHECK_RC(zoo_aget_children(zh, root, 0, kids_done, 0), ZOK);
    long long end = zkt_now_ms() + 10000;
    while (__atomic_load_n(&async_rc, __ATOMIC_SEQ_CST) == 1 && zkt_now_ms() < end) usleep(1000);
    CHECK_RC(async_rc, ZSYSTEMERROR);
    /* the handle is fine: a smaller list allocates */
    snprintf(p, sizeof p, "%s/k00", root);
    CHECK_RC(zoo_delete(zh, p, -1), ZOK);
    CHECK_RC(zoo_get_children(zh, root, 0, &v), ZOK);
    CHECK(v.count == KIDS - 1);
    deallocate_String_vector(&v);
    printf("children vector of %d: sync ZSYSTEMERROR, async ZSYSTEMERROR; %d children listed after\n", KIDS, KIDS - 1);
    zkt_rmr(zh, root);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("defect_calloc");
}
