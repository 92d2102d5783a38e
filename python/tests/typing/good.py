"""Uses the API as documented: mypy --strict finds nothing here."""
from typing import Any, List, Optional, Union

import zookeeper


def watcher(handle: int, type: int, state: int, path: str) -> None:
    print(handle, type, state, path)


def data(handle: int, rc: int, value: Union[str, bytes, None], stat: Optional[Any]) -> None:
    print(zookeeper.zerror(rc), value)


def main(hosts: str) -> List[str]:
    h: int = zookeeper.init(hosts, watcher, 10000)
    acl = [{"perms": zookeeper.PERM_ALL, "scheme": "world", "id": "anyone"}]
    path: str = zookeeper.create(h, "/typed", "v", acl, zookeeper.EPHEMERAL)
    value, stat = zookeeper.get(h, path, watcher)
    version: int = stat["version"]
    zookeeper.set(h, path, b"\x00", version)
    zookeeper.aget(h, path, None, data)
    zookeeper.sync(h, "/")
    sid, password = zookeeper.client_id(h)
    zookeeper.init(hosts, None, 10000, (sid, password))
    try:
        zookeeper.delete(h, path)
    except zookeeper.NoNodeException:
        pass
    children = zookeeper.get_children(h, "/")
    zookeeper.close(h)
    s = zookeeper.init_sasl(hosts, {"username": "bob", "password": "bobsecret"}, watcher)
    zookeeper.close(s)
    opts: zookeeper._SaslOptions = {"username": "u", "password": b"p", "mechanism": "SCRAM-SHA-256", "host": None}
    zookeeper.close(zookeeper.init_ssl(hosts, "ca.pem", None, 10000, None, opts))
    zookeeper.close(zookeeper.init_sasl(hosts, {"mechanism": "GSSAPI", "service": "zookeeper"}, cert="ca.pem"))
    return children
