/* Helpers shared by the tests of both libraries: nothing here needs the
 * synchronous API or a thread (testutil builds on it for the MT tests,
 * st_util for the single-threaded ones). */
#ifndef ZKTEST_COMMON_H
#define ZKTEST_COMMON_H

#include <zookeeper/zookeeper.h>
#include <stddef.h>

/* Milliseconds on a monotonic clock. */
long long zkt_now_ms(void);

/* Names of event types and states, for messages. */
const char *zkt_type_name(int type);
const char *zkt_state_name(int state);

/* The client port of ensemble server I ($ZK_ENSEMBLE_DIR/port.I), or 0. */
int zkt_port_of(int i);
/* The client address of ensemble server I ($ZK_ENSEMBLE_DIR/addr.I, written
 * by zk.sh; 127.0.0.1 when there is none), in buf. */
const char *zkt_addr_of(int i, char *buf, size_t n);
/* The index (1..9) of the ensemble server a handle is connected to, from
 * its port and $ZK_ENSEMBLE_DIR/port.N; -1 when not connected. */
int zkt_server_index(zhandle_t *zh);

/* An event as the walkthrough's trace shows it. */
typedef struct {
    int type, state;
    const char *path;
} zkt_trace_event;

/* The seed walkthrough's event trace (walkthrough.c in the MT library,
 * st_walkthrough.c in the ST one): prints the n events received and
 * compares them with what a user of the walkthrough sees for nodes under
 * root, one server killed on the way. Returns the number of differences. */
int zkt_check_walkthrough_trace(const char *root, const zkt_trace_event *got, int n);

#endif
