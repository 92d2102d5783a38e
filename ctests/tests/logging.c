/* Logging as the reference: the client environment at init (unless
 * ZOO_NO_LOG_CLIENTENV), the line format, zoo_set_log_stream, per-handle
 * callbacks from zookeeper_init2 and zoo_set_log_callback, levels, and
 * the LOG_* macros through the variadic log_message. */
#include "testutil.h"
#include <zookeeper/zookeeper_log.h>
#include <regex.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char lines[256][1024];
static int nlines;

static void log_cb(const char *m) {
    pthread_mutex_lock(&mu);
    if (nlines < 256) snprintf(lines[nlines++], sizeof lines[0], "%s", m);
    pthread_mutex_unlock(&mu);
}

static int count_matching(const char *needle) {
    int n = 0;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nlines; i++)
        if (strstr(lines[i], needle)) n++;
    pthread_mutex_unlock(&mu);
    return n;
}

int main(void) {
    zkt_prove_library();
    CHECK(logLevel == ZOO_LOG_LEVEL_INFO);

    /* init2 with a callback: the environment and the connection are logged there */
    zhandle_t *zh = zookeeper_init2(zkt_hosts(), 0, 10000, 0, 0, 0, log_cb);
    REQUIRE(zh);
    CHECK(zoo_get_log_callback(zh) == log_cb);
    long long end = zkt_now_ms() + 10000;
    while (!count_matching("session establishment complete") && zkt_now_ms() < end) usleep(10000);
    CHECK(count_matching("Client environment:zookeeper.version=zookeeper C client 3.8.0") == 1);
    CHECK(count_matching("Client environment:os.name=") == 1);
    CHECK(count_matching("Initiating client connection, host=") == 1);
    CHECK(count_matching("session establishment complete on server") == 1);
    /* the reference's format: 2024-01-02 03:04:05,678:PID(0xTID):ZOO_INFO@func@line: msg */
    regex_t re;
    REQUIRE(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}:[0-9]+\\(0x[0-9a-f]+\\):ZOO_(INFO|WARN|ERROR|DEBUG)@[a-z_]+@[0-9]+: ", REG_EXTENDED) == 0);
    pthread_mutex_lock(&mu);
    for (int i = 0; i < nlines; i++) {
        if (regexec(&re, lines[i], 0, 0, 0) != 0) {
            fprintf(stderr, "bad log line: %s\n", lines[i]);
            zkt_failures++;
        }
    }
    pthread_mutex_unlock(&mu);
    regfree(&re);

    /* LOG_* macros through log_message with a printf format */
    LOG_INFO(LOGCALLBACK(zh), "custom %s %d %.2f %ld %c", "text", 42, 1.5, 1234567890123L, 'z');
    CHECK(count_matching("ZOO_INFO@main@") >= 1);
    CHECK(count_matching(": custom text 42 1.50 1234567890123 z") == 1);
    /* levels: DEBUG is off at INFO; WARN passes */
    LOG_DEBUG(LOGCALLBACK(zh), "hidden debug line");
    CHECK(count_matching("hidden debug line") == 0);
    zoo_set_debug_level(ZOO_LOG_LEVEL_DEBUG);
    LOG_DEBUG(LOGCALLBACK(zh), "shown debug line");
    CHECK(count_matching("ZOO_DEBUG@main@") == 1);
    zoo_set_debug_level(ZOO_LOG_LEVEL_ERROR);
    LOG_WARN(LOGCALLBACK(zh), "hidden warn line");
    CHECK(count_matching("hidden warn line") == 0);
    zoo_set_debug_level(ZOO_LOG_LEVEL_INFO);
    /* a long message is not truncated below 1 KiB */
    char big[900];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    LOG_ERROR(LOGCALLBACK(zh), "%s", big);
    CHECK(count_matching(big) == 1);
    zookeeper_close(zh);

    /* the log stream, without the client environment */
    char tmpl[] = "/tmp/zklogXXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    FILE *f = fdopen(fd, "w+");
    zoo_set_log_stream(f);
    CHECK(zoo_get_log_stream() == f);
    zh = zookeeper_init(zkt_hosts(), 0, 10000, 0, 0, ZOO_NO_LOG_CLIENTENV);
    REQUIRE(zh);
    CHECK(zoo_get_log_callback(zh) == NULL);
    zoo_set_log_callback(zh, log_cb);
    CHECK(zoo_get_log_callback(zh) == log_cb);
    zoo_set_log_callback(zh, NULL);
    end = zkt_now_ms() + 10000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
    LOG_INFO(LOGSTREAM, "to the stream %d", 7);
    zookeeper_close(zh);
    zoo_set_log_stream(NULL);
    fflush(f);
    rewind(f);
    char line[2048];
    int env = 0, init = 0, mine = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "Client environment:")) env++;
        if (strstr(line, "Initiating client connection")) init++;
        if (strstr(line, "ZOO_INFO@main@") && strstr(line, ": to the stream 7\n")) mine++;
    }
    fclose(f);
    unlink(tmpl);
    CHECK(env == 0);
    CHECK(init == 1);
    CHECK(mine == 1);
    return zkt_finish("logging");
}
