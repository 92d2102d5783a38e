/* The test side of the getaddrinfo interposer (fake_resolver.c, loaded
 * with LD_PRELOAD): the name file it answers from and the log of its calls.
 * Only libc and zkcommon: for the tests of both libraries. */
#ifndef ZKTEST_FAKE_NAMES_H
#define ZKTEST_FAKE_NAMES_H
#include <stddef.h>

/* Points $ZK_FAKE_HOSTS and $ZK_FAKE_LOG at <tag>.hosts and <tag>.log in
 * the working directory (both emptied) and proves that the interposer is
 * loaded and answers (a test name without a line is EAI_NONAME, counted and
 * logged). Exits on failure. Call it before any handle or thread exists.
 * The environment keeps LD_PRELOAD: a resolver process the library might
 * start sees the same names (the fixture's servers never ask for *.zk.test,
 * the interposer passes every other name on). */
void zkt_names_init(const char *tag);

/* Replaces the name file (printf-style; the interposer reads it again on
 * every call): written beside it, then renamed over it. */
void zkt_names_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Calls of the interposer for name (case-insensitive) logged at or after
 * zkt_now_ms() == since_ms (0: all). */
int zkt_names_calls(const char *name, long long since_ms);

/* The ms of the latest logged call for name, or -1. */
long long zkt_names_last_call(const char *name);

/* The fixture's three servers by name: spec gets
 * "zk1.zk.test:P1,zk2.zk.test:P2,zk3.zk.test:P3" (their ports), addr[i]
 * server i+1's address, which zkt_names_give_ensemble gives the names.
 * Exits when a server's port is unknown. */
void zkt_names_ensemble(char *spec, size_t n, char addr[3][64]);

/* Makes zk1.zk.test .. zk3.zk.test resolve to addr[0] .. addr[2]. */
void zkt_names_give_ensemble(char addr[3][64]);

#endif
