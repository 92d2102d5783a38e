"""The seed's walkthrough in Python on the 3-node ensemble: the events are
the ones the C walkthrough prints, and the session with its watches moves
to another server when the one it is on is killed."""
import walkthrough
import zookeeper


def test_walkthrough_with_a_server_killed(ensemble, capsys):
    events, root = walkthrough.main(ensemble["hosts"], ensemble["fixture"], ensemble["dir"])
    S, C = zookeeper.SESSION_EVENT, zookeeper.CONNECTED_STATE
    assert events == [
        (S, C, ""),
        (zookeeper.CHANGED_EVENT, C, root),
        (zookeeper.CHILD_EVENT, C, root),
        (zookeeper.CREATED_EVENT, C, root + "/later"),
        (zookeeper.DELETED_EVENT, C, root + "/later"),
        (S, zookeeper.CONNECTING_STATE, ""),
        (S, C, ""),
        (zookeeper.CHANGED_EVENT, C, root),
    ]
    out = capsys.readouterr().out
    assert "event: type=-1 (SESSION) state=1 (CONNECTING) path=" in out
    assert "moved to server" in out
