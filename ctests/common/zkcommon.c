/* See zkcommon.h. */
#define _GNU_SOURCE
#include "zkcommon.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
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
