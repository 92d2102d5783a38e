// The event-stream oracle for persistent and recursive watches: Apache
// ZooKeeper's own Java client (the server package's jar) holds a persistent
// watch on ROOT/p and a persistent-recursive watch on ROOT/r, performs the
// sequence of changes that ctests/tests/ext_oracle.c performs with our C
// library, and prints each event it receives as "WATCH TYPE PATH" (type as
// the C constants, path relative to ROOT). ext_oracle.sh diffs the two.
//   java -cp /usr/share/java/zookeeper.jar:. WatchOracle HOSTS ROOT
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.AddWatchMode;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.ZooKeeper;

public class WatchOracle {
    static final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();

    static int ctype(Watcher.Event.EventType t) {
        switch (t) {
            case NodeCreated: return 1;
            case NodeDeleted: return 2;
            case NodeDataChanged: return 3;
            case NodeChildrenChanged: return 4;
            default: return -1;
        }
    }

    static Watcher recorder(String name, String root) {
        return (WatchedEvent e) -> {
            if (e.getType() == Watcher.Event.EventType.None) return;
            events.add(name + " " + ctype(e.getType()) + " " + e.getPath().substring(root.length()));
        };
    }

    public static void main(String[] a) throws Exception {
        String hosts = a[0], root = a[1];
        CountDownLatch up = new CountDownLatch(1);
        ZooKeeper zk = new ZooKeeper(hosts, 10000, e -> {
            if (e.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
        });
        if (!up.await(20, TimeUnit.SECONDS)) throw new RuntimeException("not connected");
        byte[] none = new byte[0];
        zk.create(root, none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(root + "/p", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(root + "/r", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.addWatch(root + "/p", recorder("persistent", root), AddWatchMode.PERSISTENT);
        zk.addWatch(root + "/r", recorder("recursive", root), AddWatchMode.PERSISTENT_RECURSIVE);
        // the sequence (the same in ext_oracle.c)
        for (int i = 0; i < 3; i++) zk.setData(root + "/p", ("v" + i).getBytes(), -1);
        zk.create(root + "/p/c", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.setData(root + "/p/c", "x".getBytes(), -1);
        zk.delete(root + "/p/c", -1);
        zk.create(root + "/r/a", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.create(root + "/r/a/b", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.setData(root + "/r/a/b", "y".getBytes(), -1);
        zk.setData(root + "/r/a", "z".getBytes(), -1);
        zk.setData(root + "/r", "w".getBytes(), -1);
        zk.create(root + "/r/e", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
        zk.delete(root + "/r/a/b", -1);
        zk.delete(root + "/r/a", -1);
        zk.delete(root + "/r/e", -1);
        zk.delete(root + "/p", -1);
        zk.create(root + "/p", none, ZooDefs.Ids.OPEN_ACL_UNSAFE, CreateMode.PERSISTENT);
        zk.delete(root + "/p", -1);
        zk.delete(root + "/r", -1);
        Thread.sleep(500);
        zk.close();
        for (String s : events) System.out.println(s);
    }
}
