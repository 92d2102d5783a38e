/* The read-write probe as the library's log lines tell it: counts kept
 * from a log callback (tls_readonly.c and st_tls_readonly.c). Only libc:
 * for the tests of both libraries. */
#ifndef ZKTEST_PROBE_LOG_H
#define ZKTEST_PROBE_LOG_H
#include <stdio.h>
#include <string.h>

typedef struct {
    int found_rw;      /* "r/w server found at" */
    int rw_answers;    /* a probe answered "rw" over TLS */
    int untrusted;     /* a TLS probe failed on the certificate */
    int last_rw_ms;    /* how long the last "rw" probe took */
    int max_probe_ms;  /* the longest probe (any answer) */
    int probes;        /* probes finished, any answer */
} zkt_probe_log;

/* Counts what the log line m says of the probe. */
static inline void zkt_probe_log_take(zkt_probe_log *c, const char *m) {
    if (strstr(m, "r/w server found at")) c->found_rw++;
    const char *ans = strstr(m, " answered "), *fail = strstr(m, " failed after ");
    if (strstr(m, "ping_rw_server") && (ans || fail)) {
        int ms = -1;
        if (fail) sscanf(fail + 14, "%d", &ms);
        else if (strstr(ans, " in ")) sscanf(strstr(ans, " in ") + 4, "%d", &ms);
        c->probes++;
        if (ms > c->max_probe_ms) c->max_probe_ms = ms;
        if (strstr(m, "answered \"rw\" over TLS")) {
            c->rw_answers++;
            c->last_rw_ms = ms;
        }
        if (strstr(m, "UnknownIssuer")) c->untrusted++;
    }
}

#endif
