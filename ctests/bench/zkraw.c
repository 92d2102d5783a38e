/* The raw-protocol ceiling: a minimal pipelined ZooKeeper client with no
 * library at all. It connects, does the handshake, then keeps WINDOW
 * GetData requests for one node in flight, writing and reading in large
 * batches, for SECONDS. What the server can do for one session, and the
 * least client CPU an operation can cost.
 *
 *   zkraw HOST:PORT [SECONDS]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WINDOW 1000

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}
static double cpu_us(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1e6 + ru.ru_stime.tv_usec;
}
static void put32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; }
static uint32_t get32(const unsigned char *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }

static void write_all(int fd, const void *b, size_t n) {
    const char *p = b;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) { perror("write"); exit(1); }
        p += w;
        n -= w;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: zkraw HOST:PORT [SECONDS]\n"); return 2; }
    double seconds = argc > 2 ? atof(argv[2]) : 3;
    char host[64];
    snprintf(host, sizeof host, "%s", argv[1]);
    char *colon = strrchr(host, ':');
    *colon = 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(colon + 1)) };
    inet_pton(AF_INET, host, &sa.sin_addr);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa)) { perror("connect"); return 1; }
    /* ConnectRequest: protocolVersion, lastZxidSeen, timeOut, sessionId, passwd(16), readOnly */
    unsigned char hs[4 + 4 + 8 + 4 + 8 + 4 + 16 + 1] = { 0 };
    put32(hs, sizeof hs - 4);
    put32(hs + 16, 30000);
    put32(hs + 28, 16);
    write_all(fd, hs, sizeof hs);
    unsigned char rb[1 << 20];
    size_t have = 0;
    while (have < 4 || have < 4 + get32(rb)) {
        ssize_t r = read(fd, rb + have, sizeof rb - have);
        if (r <= 0) { perror("handshake"); return 1; }
        have += r;
    }
    size_t hl = 4 + get32(rb);
    have -= hl;
    memmove(rb, rb + hl, have);
    /* GetData request frame for /zkbench/node, no watch */
    const char *path = "/zkbench/node";
    int plen = strlen(path), flen = 4 + 4 + 4 + plen + 1;
    unsigned char frame[64];
    put32(frame, flen);
    put32(frame + 8, 4);
    put32(frame + 12, plen);
    memcpy(frame + 16, path, plen);
    frame[16 + plen] = 0;
    unsigned char wb[WINDOW * 64];
    long sent = 0, received = 0, inflight = 0;
    int xid = 1;
    double t0 = 0, c0 = 0, end = 0;
    int measuring = 0;
    long base = 0;
    for (;;) {
        if (!measuring && received >= 2000) {
            measuring = 1;
            base = received;
            t0 = now_us();
            c0 = cpu_us();
            end = t0 + seconds * 1e6;
        }
        if (measuring && now_us() >= end && inflight == 0) break;
        size_t wn = 0;
        while (inflight < WINDOW && !(measuring && now_us() >= end)) {
            put32(frame + 4, xid++);
            memcpy(wb + wn, frame, 4 + flen);
            wn += 4 + flen;
            inflight++;
            sent++;
            if (wn + 64 > sizeof wb) break;
        }
        if (wn) write_all(fd, wb, wn);
        ssize_t r = read(fd, rb + have, sizeof rb - have);
        if (r <= 0) { perror("read"); return 1; }
        have += r;
        size_t off = 0;
        while (have - off >= 4 && have - off >= 4 + get32(rb + off)) {
            uint32_t len = get32(rb + off);
            int32_t rxid = (int32_t)get32(rb + off + 4), err = (int32_t)get32(rb + off + 16);
            if (rxid > 0) {
                if (err) { fprintf(stderr, "error %d (does /zkbench/node exist?)\n", err); return 1; }
                received++;
                inflight--;
            }
            off += 4 + len;
        }
        memmove(rb, rb + off, have - off);
        have -= off;
    }
    double t1 = now_us(), c1 = cpu_us();
    long n = received - base;
    printf("RESULT mode=raw_aget ops_per_s=%.0f cpu_us_per_op=%.2f\n", n / ((t1 - t0) / 1e6), (c1 - c0) / n);
    return 0;
}
