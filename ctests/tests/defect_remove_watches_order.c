/* Issue 8, defect "the zoo_aremove_watches completion comes after the
 * completions of replies that arrived before it".
 *
 * Per round: a data watch is set on a node (sync zoo_wget), then in one go
 * 5 async gets, zoo_aremove_watches (server-side removal, local=0), 5 more
 * async gets. The server answers in order, so the completions must run in
 * submission order: get0..get4, remove, get5..get9. 100 rounds; every round's
 * order must equal the submission order.
 *
 * Reference (Debian 3.8.0): 100/100 rounds in order.
 * Ours before the fix: the removal completes out of turn. */
#define _GNU_SOURCE
#include "testutil.h"
#include <unistd.h>

#define PER 11
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int order[PER], norder, rcs[PER];

static void note(int id, int rc) {
    pthread_mutex_lock(&mu);
    if (norder < PER) { order[norder] = id; rcs[norder] = rc; norder++; }
    pthread_mutex_unlock(&mu);
}
static void data_cb(int rc, const char *v, int len, const struct Stat *s, const void *d) { note((int)(long)d, rc); }
static void void_cb(int rc, const void *d) { note((int)(long)d, rc); }
static void w(zhandle_t *zh, int type, int state, const char *path, void *ctx) {}

int main(void) {
    zkt_prove_library();
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    zhandle_t *zh = zkt_connect(zkt_hosts(), 0, 0);
    char path[128];
    snprintf(path, sizeof path, "%s", zkt_root("rmw"));
    CHECK_RC(zoo_create(zh, path, "x", 1, &ZOO_OPEN_ACL_UNSAFE, 0, 0, 0), ZOK);
    int rounds = 100, in_order = 0, remove_ok = 0, remove_pos_sum = 0;
    char first_bad[256] = "";
    for (int r = 0; r < rounds; r++) {
        char buf[16];
        int len = sizeof buf;
        CHECK_RC(zoo_wget(zh, path, w, (void *)0x5, buf, &len, 0), ZOK);
        pthread_mutex_lock(&mu);
        norder = 0;
        pthread_mutex_unlock(&mu);
        /* submission order: ids 0..10, the removal is id 5 */
        for (int i = 0; i < 5; i++) CHECK_RC(zoo_aget(zh, path, 0, data_cb, (void *)(long)i), ZOK);
        /* the header declares the completion as void_completion_t * (a quirk of
         * 3.8's zookeeper.h); both libraries call it as a void_completion_t */
        CHECK_RC(zoo_aremove_watches(zh, path, ZWATCHTYPE_DATA, w, (void *)0x5, 0, (void_completion_t *)void_cb, (void *)5L), ZOK);
        for (int i = 6; i < PER; i++) CHECK_RC(zoo_aget(zh, path, 0, data_cb, (void *)(long)i), ZOK);
        long long end = zkt_now_ms() + 10000;
        for (;;) {
            pthread_mutex_lock(&mu);
            int n = norder;
            pthread_mutex_unlock(&mu);
            if (n == PER || zkt_now_ms() > end) break;
            usleep(500);
        }
        pthread_mutex_lock(&mu);
        int ok = norder == PER;
        for (int i = 0; i < norder; i++) {
            if (order[i] != i) ok = 0;
            if (order[i] == 5) {
                remove_pos_sum += i;
                if (rcs[i] == ZOK) remove_ok++;
            }
        }
        if (!ok && !first_bad[0]) {
            int o = snprintf(first_bad, sizeof first_bad, "round %d completion order:", r);
            for (int i = 0; i < norder && o < (int)sizeof first_bad - 10; i++) {
                if (order[i] == 5) o += snprintf(first_bad + o, sizeof first_bad - o, " remove");
                else o += snprintf(first_bad + o, sizeof first_bad - o, " get%d", order[i] < 5 ? order[i] : order[i] - 1);
            }
        }
        pthread_mutex_unlock(&mu);
        if (ok) in_order++;
    }
    printf("%d/%d rounds completed in submission order (get0..get4, remove, get5..get9); removal completed with "
           "ZOK %d/%d times, at mean position %.1f (want 5.0)\n",
           in_order, rounds, remove_ok, rounds, remove_pos_sum / (double)rounds);
    if (first_bad[0]) printf("first out-of-order %s\n", first_bad);
    CHECK(in_order == rounds);
    CHECK(remove_ok == rounds);
    zkt_rmr(zh, path);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("defect_remove_watches_order");
}
