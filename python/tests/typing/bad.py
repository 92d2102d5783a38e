"""Each line marked `# E` is an error mypy must report from the stubs."""
import zookeeper

h = zookeeper.init("127.0.0.1:2181")
zookeeper.get(h)  # E
zookeeper.create(h, 1, "", [])  # E
zookeeper.aget(h, "/", None, 3)  # E
zookeeper.get_children(h, "/").append(1)  # E
zookeeper.exists(h, "/")["version"] + "x"  # E
zookeeper.no_such_function(h)  # E
x: str = zookeeper.state(h)  # E
zookeeper.init_sasl("127.0.0.1:2181", {"username": "bob", "pasword": "x"})  # E
zookeeper.init_sasl("127.0.0.1:2181", {"username": 1})  # E
zookeeper.init_sasl("127.0.0.1:2181")  # E
