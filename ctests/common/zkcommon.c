/* See zkcommon.h. */
#define _GNU_SOURCE
#include "zkcommon.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

long long zkt_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

const char *zkt_type_name(int t) {
    if (t == ZOO_CREATED_EVENT) return "CREATED";
    if (t == ZOO_DELETED_EVENT) return "DELETED";
    if (t == ZOO_CHANGED_EVENT) return "CHANGED";
    if (t == ZOO_CHILD_EVENT) return "CHILD";
    if (t == ZOO_SESSION_EVENT) return "SESSION";
    if (t == ZOO_NOTWATCHING_EVENT) return "NOTWATCHING";
    return "?";
}

const char *zkt_state_name(int s) {
    if (s == ZOO_CONNECTED_STATE) return "CONNECTED";
    if (s == ZOO_CONNECTING_STATE) return "CONNECTING";
    if (s == ZOO_ASSOCIATING_STATE) return "ASSOCIATING";
    if (s == ZOO_EXPIRED_SESSION_STATE) return "EXPIRED";
    if (s == ZOO_AUTH_FAILED_STATE) return "AUTH_FAILED";
    if (s == ZOO_READONLY_STATE) return "READONLY";
    if (s == ZOO_NOTCONNECTED_STATE) return "NOTCONNECTED";
    return "?";
}

int zkt_port_of(int i) {
    const char *dir = getenv("ZK_ENSEMBLE_DIR");
    char f[512];
    int p = 0;
    if (!dir) return 0;
    snprintf(f, sizeof f, "%s/port.%d", dir, i);
    FILE *fp = fopen(f, "r");
    if (!fp) return 0;
    if (fscanf(fp, "%d", &p) != 1) p = 0;
    fclose(fp);
    return p;
}

const char *zkt_addr_of(int i, char *buf, size_t n) {
    const char *dir = getenv("ZK_ENSEMBLE_DIR");
    char f[512];
    snprintf(buf, n, "127.0.0.1");
    if (!dir) return buf;
    snprintf(f, sizeof f, "%s/addr.%d", dir, i);
    FILE *fp = fopen(f, "r");
    if (!fp) return buf;
    char a[64];
    if (fscanf(fp, "%63s", a) == 1) snprintf(buf, n, "%s", a);
    fclose(fp);
    return buf;
}

int zkt_server_index(zhandle_t *zh) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (!zookeeper_get_connected_host(zh, (struct sockaddr *)&ss, &len)) return -1;
    int port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                        : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    for (int i = 1; i <= 9; i++) {
        int p = zkt_port_of(i);
        if (!p) break;
        if (p == port) return i;
    }
    return -1;
}

int zkt_check_walkthrough_trace(const char *root, const zkt_trace_event *got, int n) {
    const zkt_trace_event want[] = { /* the ZOO_* values are variables */
        { ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "" },
        { ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, "" },
        { ZOO_CHILD_EVENT, ZOO_CONNECTED_STATE, "" },
        { ZOO_CREATED_EVENT, ZOO_CONNECTED_STATE, "/later" },
        { ZOO_DELETED_EVENT, ZOO_CONNECTED_STATE, "/later" },
        { ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "" },
        { ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "" },
        { ZOO_CHANGED_EVENT, ZOO_CONNECTED_STATE, "" },
    };
    int nw = sizeof want / sizeof want[0], differences = 0;
    printf("event trace (%d events):\n", n);
    for (int i = 0; i < n; i++)
        printf("event: type=%d (%s) state=%d (%s) path=%s\n", got[i].type, zkt_type_name(got[i].type), got[i].state,
               zkt_state_name(got[i].state), got[i].path);
    if (n != nw) {
        fprintf(stderr, "%d events, want %d\n", n, nw);
        differences++;
    }
    for (int i = 0; i < n && i < nw; i++) {
        char wp[256];
        /* Session events have no path; the others are under root. */
        if (want[i].type == ZOO_SESSION_EVENT) snprintf(wp, sizeof wp, "%s", "");
        else snprintf(wp, sizeof wp, "%s%s", root, want[i].path);
        if (got[i].type != want[i].type || got[i].state != want[i].state || strcmp(got[i].path, wp)) {
            fprintf(stderr, "event %d differs: want type=%d state=%d path=%s\n", i, want[i].type, want[i].state, wp);
            differences++;
        }
    }
    return differences;
}
