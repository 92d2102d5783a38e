// Our headers compile as C++ without THREADED too, and the event-loop API
// they declare there (zookeeper_interest, zookeeper_process) has C linkage:
// this program links against libzookeeper_st and calls it.
#ifdef THREADED
#error "built without THREADED"
#endif
#include <zookeeper/zookeeper.h>
#include <zookeeper/zookeeper_log.h>
#include <zookeeper/proto.h>
#include <zookeeper/recordio.h>
#include <zookeeper/zookeeper_version.h>
#include <sys/time.h>
#include <cstdio>

int main() {
    int fd = -1, interest = 0;
    struct timeval tv;
    int a = zookeeper_interest(nullptr, &fd, &interest, &tv);
    int b = zookeeper_process(nullptr, ZOOKEEPER_READ | ZOOKEEPER_WRITE);
    std::printf("%s zookeeper_interest(NULL)=%d zookeeper_process(NULL)=%d\n", ZOO_VERSION, a, b);
    return a == ZBADARGUMENTS && b == ZBADARGUMENTS ? 0 : 1;
}
