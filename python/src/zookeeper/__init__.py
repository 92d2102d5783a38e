"""ZooKeeper client with zkpython's API (`import zookeeper`), on the Rust
libzookeeper_mt of this project. See help(zookeeper.init) and docs/python.md."""
from zookeeper._zookeeper import *  # noqa: F401,F403
from zookeeper._zookeeper import __version__  # noqa: F401
from zookeeper import _zookeeper

# `async` is a keyword: the star import above already brought it in as an
# attribute (getattr(zookeeper, "async")), as zkpython has it.
globals()["async"] = getattr(_zookeeper, "async")
