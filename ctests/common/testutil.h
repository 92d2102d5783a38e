/* Helpers shared by the C tests: proving which library is loaded, checks,
 * and a recorder of watcher events. */
#ifndef ZKTEST_UTIL_H
#define ZKTEST_UTIL_H

#include <zookeeper/zookeeper.h>
#include "zkcommon.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int zkt_failures;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    zkt_failures++; } } while (0)
#define CHECK_RC(expr, want) do { int _rc = (expr); if (_rc != (want)) { \
    fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
            #expr, _rc, zerror(_rc), (want), zerror(want)); zkt_failures++; } } while (0)
#define REQUIRE(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); exit(1); } } while (0)

/* Prints the path of the library that provides zookeeper_init and exits
 * with failure unless it is the one named by $ZK_EXPECT_LIB (a substring of
 * the path; required unless $ZK_ALLOW_ANY_LIB is set). Every test calls it
 * first. */
void zkt_prove_library(void);

/* The connect string of the servers under test ($ZK_HOSTS). */
const char *zkt_hosts(void);

/* A unique path prefix for this run: /zkt-<pid>-<name>. */
const char *zkt_root(const char *name);

/* Connects and waits for CONNECTED (exits on failure). */
zhandle_t *zkt_connect(const char *hosts, watcher_fn w, void *ctx);

/* Recursively deletes a subtree (best effort). */
void zkt_rmr(zhandle_t *zh, const char *path);


/* --- event recorder ------------------------------------------------ */
#define ZKT_MAX_EVENTS 4096
typedef struct {
    int type, state;
    char path[256];
    void *ctx;
} zkt_event;

typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    zkt_event ev[ZKT_MAX_EVENTS];
} zkt_recorder;

void zkt_recorder_init(zkt_recorder *r);
/* A watcher_fn whose context is a zkt_recorder. */
void zkt_record_watcher(zhandle_t *zh, int type, int state, const char *path, void *ctx);
/* Waits until an event (type, state, path) is recorded after index `from`;
 * path NULL matches any. Returns its index or -1 on timeout. */
int zkt_wait_event(zkt_recorder *r, int from, int type, int state, const char *path, int timeout_ms);
int zkt_count(zkt_recorder *r);

/* Runs "$ZK_FIXTURE CMD $ZK_ENSEMBLE_DIR I"; exits on failure. Returns the
 * first integer it printed, or -1. */
int zkt_fixture(const char *cmd, int i);
/* The same with the arguments after the directory as one string
 * ("1 127.0.0.21" for move). */
int zkt_fixture_args(const char *cmd, const char *args);

/* --- one async call's result ---------------------------------------- */
typedef struct {
    pthread_mutex_t mu;
    int done, rc;
    long long at; /* zkt_now_ms() when it completed */
} zkt_result;
void zkt_result_init(zkt_result *r);
void zkt_result_set(zkt_result *r, int rc);
/* A stat_completion_t whose data is a zkt_result. */
void zkt_stat_done(int rc, const struct Stat *s, const void *data);
/* The result's rc once completed, or 999 after ms milliseconds. */
int zkt_wait_result(zkt_result *r, int ms);

/* The states a handle goes through (zoo_state sampled every 0.3 ms) until
 * stop_at or ms pass, as "999 7 2 3" in out; returns how often it entered
 * state count_state. */
int zkt_watch_states(zhandle_t *zh, int ms, int stop_at, int count_state, char *out, size_t n);

/* Lines containing needle in the log file `path` after offset `from` (the
 * program's log stream `f` is flushed first); zkt_log_pos: where `f` is now. */
int zkt_log_count(FILE *f, const char *path, long from, const char *needle);
long zkt_log_pos(FILE *f);

/* --- the scripted server (ctests/fixture/fake_server.py) ----------- */
typedef struct {
    int pid;
    FILE *out; /* its standard output */
    int port;
} zkt_fake_server;
/* Starts `python3 script scenario port` (port 0: a free one) and waits
 * until it listens; f->port is its port. Exits on failure. */
void zkt_fake_server_start(zkt_fake_server *f, const char *script, const char *scenario, int port);
/* Kills it and reaps it. */
void zkt_fake_server_stop(zkt_fake_server *f);

/* Ends a test: prints the plain summary line and returns the exit code. */
int zkt_finish(const char *name);

#endif

/* --- a TCP proxy in the test process, to cut a client off a server ------ */
typedef struct zkt_proxy zkt_proxy;
/* One turn of relaying between two connected sockets: waits up to poll_ms
 * for either to be readable and copies what it read to the other. Returns
 * 0 once either side closed or failed, else 1 (also after an interrupted wait). */
int zkt_relay_step(int a, int b, int poll_ms);
/* Forwards 127.0.0.1:<returned port> to host:port. */
zkt_proxy *zkt_proxy_start(const char *host, int port);
/* The same, listening on [::1] (IPv6 loopback). */
zkt_proxy *zkt_proxy_start6(const char *host, int port);
int zkt_proxy_port(zkt_proxy *p);
/* blocked=1: drop every open connection and refuse new ones; 0: forward again. */
void zkt_proxy_block(zkt_proxy *p, int blocked);
