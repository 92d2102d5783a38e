/* zoo_set_servers on the 3-node ensemble: a client on server 1 given a
 * list without it moves to a server of the new list, keeping its session;
 * zoo_get_current_server follows; bad lists are refused. */
#include "testutil.h"
#include <unistd.h>

int main(void) {
    zkt_prove_library();
    static zkt_recorder rec;
    zkt_recorder_init(&rec);
    char one[64], two[64], twothree[128];
    snprintf(one, sizeof one, "127.0.0.1:%d", zkt_port_of(1));
    snprintf(two, sizeof two, "127.0.0.1:%d", zkt_port_of(2));
    snprintf(twothree, sizeof twothree, "127.0.0.1:%d,127.0.0.1:%d", zkt_port_of(2), zkt_port_of(3));
    zhandle_t *zh = zookeeper_init(one, zkt_record_watcher, 10000, 0, &rec, 0);
    REQUIRE(zh);
    REQUIRE(zkt_wait_event(&rec, 0, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) == 0);
    CHECK(zkt_server_index(zh) == 1);
    int64_t session = zoo_client_id(zh)->client_id;

    CHECK_RC(zoo_set_servers(zh, two), ZOK);
    int lost = zkt_wait_event(&rec, 1, ZOO_SESSION_EVENT, ZOO_CONNECTING_STATE, "", 10000);
    CHECK(lost >= 1);
    CHECK(zkt_wait_event(&rec, lost + 1, ZOO_SESSION_EVENT, ZOO_CONNECTED_STATE, "", 10000) > lost);
    CHECK(zkt_server_index(zh) == 2);
    CHECK(!strcmp(zoo_get_current_server(zh), two));
    CHECK(zoo_client_id(zh)->client_id == session);
    CHECK_RC(zoo_exists(zh, "/", 0, 0), ZOK);

    /* a growing list that keeps the current server: stay or move, stay connected */
    CHECK_RC(zoo_set_servers(zh, twothree), ZOK);
    usleep(500000);
    long long end = zkt_now_ms() + 10000;
    while (zoo_state(zh) != ZOO_CONNECTED_STATE && zkt_now_ms() < end) usleep(10000);
    int on = zkt_server_index(zh);
    printf("after growing the list: on server %d\n", on);
    CHECK(on == 2 || on == 3);
    CHECK(zoo_client_id(zh)->client_id == session);

    CHECK_RC(zoo_set_servers(zh, ""), ZBADARGUMENTS);
    CHECK_RC(zoo_set_servers(zh, "host:"), ZBADARGUMENTS);
    zoo_cycle_next_server(zh);
    CHECK(zoo_state(zh) == ZOO_CONNECTED_STATE);
    CHECK_RC(zookeeper_close(zh), ZOK);
    return zkt_finish("set_servers");
}
