/* Late names (issue 17, point 1), MT: a connect string whose names do not
 * resolve yet gives a handle in ZOO_CONNECTING_STATE, which keeps trying
 * and connects once the names exist; only a string that cannot be parsed
 * returns NULL (EINVAL, one log line). Names come from the getaddrinfo
 * interposer (fake_resolver.c); servers are the ensemble on distinct
 * loopback addresses (zk.sh with ZK_ADDRS).
 *
 * Built twice: on ours, and with ZKT_REFERENCE on Debian's library, whose
 * answers it asserts instead (zookeeper_init returns NULL with ENOENT while
 * no name resolves; "host:99999" is looked up, ENOENT; "" and "," log
 * nothing, and "," leaves errno 0). */
#include "testutil.h"
#include "fake_names.h"
#include <errno.h>
#include <unistd.h>

#define TIMEOUT_MS 4000
/* the longest wait between rounds: a third of the session timeout, 200 ms..4 s */
#define MAX_DELAY_MS (TIMEOUT_MS / 3 < 200 ? 200 : TIMEOUT_MS / 3 > 4000 ? 4000 : TIMEOUT_MS / 3)

static FILE *logf_;
static const char *log_path = "late_names.zoo.log";

/* Log lines written since offset `from`. */
static int log_lines_since(long from) { return zkt_log_count(logf_, log_path, from, "ZOO_"); }

static void unparsable(void) {
    struct { const char *spec; int ref_errno, ref_lines; } t[] = {
        { "", EINVAL, 0 },
        { " ", EINVAL, 1 },
        { ":", EINVAL, 1 },
        { ",", 0, 0 },
        { "host:99999", ENOENT, 1 },
        { "zk1.zk.test:99999", ENOENT, 1 },
        { "zk1.zk.test:abc", EINVAL, 1 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        long from = zkt_log_pos(logf_);
        errno = 0;
        zhandle_t *zh = zookeeper_init(t[i].spec, 0, TIMEOUT_MS, 0, 0, ZOO_NO_LOG_CLIENTENV);
        int e = errno, lines = log_lines_since(from);
        printf("unparsable \"%s\": %s errno=%d (%s), %d log line(s)\n", t[i].spec, zh ? "a handle" : "NULL", e,
               strerror(e), lines);
        if (zh) zookeeper_close(zh);
#ifdef ZKT_REFERENCE
        CHECK(!zh && e == t[i].ref_errno && lines == t[i].ref_lines);
#else
        CHECK(!zh && e == EINVAL && lines == 1);
#endif
    }
}

int main(void) {
    zkt_prove_library();
    zkt_names_init("late_names");
    logf_ = fopen(log_path, "w+");
    REQUIRE(logf_);
    zoo_set_log_stream(logf_);
    zoo_set_debug_level(ZOO_LOG_LEVEL_WARN);

    unparsable();

    char spec[256], a[3][64];
    zkt_names_ensemble(spec, sizeof spec, a);
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    long long t0 = zkt_now_ms();
    errno = 0;
    zhandle_t *zh = zookeeper_init(spec, zkt_record_watcher, TIMEOUT_MS, 0, &rec, ZOO_NO_LOG_CLIENTENV);
    int e = errno;
    long long init_ms = zkt_now_ms() - t0;
    printf("zookeeper_init(\"%s\") before the names exist: %s, errno=%d (%s), %lld ms\n", spec,
           zh ? "a handle" : "NULL", e, strerror(e), init_ms);
#ifdef ZKT_REFERENCE
    CHECK(!zh && e == ENOENT);
    if (zh) zookeeper_close(zh);
#else
    REQUIRE(zh);
    /* 2 s without names: CONNECTING (at once, or after NOTCONNECTED until
     * the first attempt, as the reference reports a new handle), never
     * connected, and it keeps trying (the names asked again) */
    char states[256];
    zkt_watch_states(zh, 2000, ZOO_CONNECTED_STATE, ZOO_CONNECTED_STATE, states, sizeof states);
    int asked = zkt_names_calls("zk1.zk.test", t0);
    printf("states in 2 s without names: %s; zk1.zk.test asked %d times\n", states, asked);
    CHECK(!strcmp(states, "1") || !strcmp(states, "999 1"));
    CHECK(asked >= 2 && asked <= 2000 / 200 + 2);
    CHECK(zkt_count(&rec) == 0);

    zkt_names_give_ensemble(a);
    long long named = zkt_now_ms();
    int ev = zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 15000);
    long long took = zkt_now_ms() - named;
    printf("connected %lld ms after the names were added (bound: the longest back-off %d ms + 1 s)\n", took,
           MAX_DELAY_MS);
    CHECK(ev == 0);
    CHECK(took <= MAX_DELAY_MS + 1000);
    CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK(zkt_server_index(zh) >= 1);
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZOK);
    CHECK_RC(zookeeper_close(zh), ZOK);
#endif
    zoo_set_log_stream(0);
    return zkt_finish("late_names");
}
