/* Helpers for tests of the single-threaded library (libzookeeper_st): built
 * without THREADED, so only the asynchronous API exists, and the program
 * drives every handle itself from one poll() loop around
 * zookeeper_interest() and zookeeper_process(). Nothing here starts a thread
 * or links libpthread: the tests check that the process stays at one thread.
 * (testutil.c cannot be used here: it needs the synchronous API; what
 * both need is in zkcommon.c.) */
#ifndef ZKTEST_ST_UTIL_H
#define ZKTEST_ST_UTIL_H

#ifdef THREADED
#error "st_util is for programs built without THREADED"
#endif

#include <zookeeper/zookeeper.h>
#include "zkcommon.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int stu_failures;

#define CHECK(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    stu_failures++; } } while (0)
#define CHECK_RC(expr, want) do { int _rc = (expr); if (_rc != (want)) { \
    fprintf(stderr, "%s:%d: %s returned %d (%s), want %d (%s)\n", __FILE__, __LINE__, \
            #expr, _rc, zerror(_rc), (want), zerror(want)); stu_failures++; } } while (0)
#define REQUIRE(cond) do { if (!(cond)) { \
    fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); exit(1); } } while (0)

/* Prints the library that provides zookeeper_init and exits with failure
 * unless its real path contains $ZK_EXPECT_LIB, zookeeper_process comes
 * from the same file, and no libzookeeper_mt is mapped into the process.
 * Also records the calling thread as the loop thread. Call it first. */
void stu_prove_library(void);

/* Threads of this process (entries of /proc/self/task), the library's resolver
 * thread not counted. */
int stu_threads(void);
/* The library's resolver threads ("zk-resolve"), not counted by stu_threads. */
int stu_resolver_threads(void);

/* Which library call is running on the loop thread right now: the loop
 * sets it around zookeeper_interest, zookeeper_process and zookeeper_close
 * (tests set it around their own calls the same way). */
enum { STU_IN_NONE, STU_IN_INTEREST, STU_IN_PROCESS, STU_IN_CLOSE, STU_IN_CALL };
extern int stu_in;

/* Every completion and watcher calls this first: it must run on the loop
 * thread, inside a library call, with the process at one thread. Counts
 * the callbacks by the call they ran in. */
void stu_callback(const char *what);
extern int stu_callbacks[5];
extern int stu_max_threads;

const char *stu_hosts(void);
const char *stu_in_name(int in);

/* --- the event loop ---------------------------------------------------- */
/* Handles the loop drives (at most 8). */
void stu_loop_add(zhandle_t *zh);
void stu_loop_remove(zhandle_t *zh);
/* One round: zookeeper_interest for every handle, one poll() over their
 * sockets (ZOOKEEPER_READ <-> POLLIN, ZOOKEEPER_WRITE <-> POLLOUT) and
 * extra_fd (POLLIN; -1 for none) for at most max_ms and the shortest tv,
 * then zookeeper_process for every handle with the events that fired
 * (0 when none, so that the library's timers run). Returns 1 when extra_fd
 * became readable. Interest/process return codes other than ZOK and
 * ZNOTHING are counted in stu_loop_errors (connection loss is normal when
 * a server dies). */
int stu_loop_once(int max_ms, int extra_fd);
extern int stu_loop_errors;
/* The last such code (from either call). */
extern int stu_last_error;
/* Rounds made by stu_loop_once so far. */
extern long stu_loop_rounds;
/* The longest zookeeper_interest or zookeeper_process call the loop made
 * (ms; how long the library held the caller's thread), and which
 * (STU_IN_INTEREST or STU_IN_PROCESS). Tests may reset them. */
extern long long stu_longest_call_ms;
extern int stu_longest_call_in;
/* Pumps until *flag is non-zero or timeout_ms passes; returns *flag. */
int stu_wait_flag(const int *flag, int timeout_ms);
/* Pumps for ms milliseconds. */
void stu_pump(int ms);
/* Closes a handle on the loop thread (removing it from the loop). */
int stu_close(zhandle_t *zh);

/* --- the ensemble fixture ------------------------------------------------ */
/* (zkt_port_of, zkt_server_index: zkcommon.h) */
/* Runs "$ZK_FIXTURE CMD $ZK_ENSEMBLE_DIR I" while the loop keeps every
 * handle served (a server restart takes seconds: the sessions must not
 * starve meanwhile). Exits on failure; returns the first integer printed
 * or -1. */
int stu_fixture(const char *cmd, int i);
/* The same with the arguments after the directory as one string. */
int stu_fixture_args(const char *cmd, const char *args);

/* --- servers in front of the real one ----------------------------------- */
#include <netinet/in.h>
#include <sys/types.h>
/* A listening socket on 127.0.0.1:port (0: any free port), and its port. */
int stu_listen(int port);
int stu_port_of(int listen_fd);
/* The first server of ZK_HOSTS (an IPv4 literal and port). */
void stu_server_addr(struct sockaddr_in *out);
/* A child process relaying every connection made to listen_fd to the
 * server (SIGKILL it to kill the "server", SIGSTOP/SIGCONT to stall it;
 * SIGUSR1 makes it drop every connection it relays and go on accepting). */
pid_t stu_relay_start(int listen_fd, const struct sockaddr_in *server);
/* kill(pid, sig), reaping the child after SIGKILL. */
void stu_relay_signal(pid_t pid, int sig);

/* Ends a test: prints the callback summary and the result line; returns
 * the exit code. */
int stu_finish(const char *name);

#endif
