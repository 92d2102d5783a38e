//! Scenario tests of the session core: a scripted server (bytes in), the
//! frames the core writes (bytes out) and a fake clock. No sockets, no threads.

use super::*;
use crate::proto::codec::Writer;
use crate::proto::records::{finish_frame, Reply};
use crate::session::transport_error::{OsError, TransportError};
use crate::session::watches::{WatchOp, WatchReg, Watcher};
use std::sync::{Arc, Mutex as StdMutex};

// The codes the completions are logged with.
const ZCONNECTIONLOSS: i32 = Error::ConnectionLoss.code();
const ZOPERATIONTIMEOUT: i32 = Error::OperationTimeout.code();
const ZRUNTIMEINCONSISTENCY: i32 = Error::RuntimeInconsistency.code();
const ZCLOSING: i32 = Error::Closing.code();
const ZAUTHFAILED: i32 = Error::AuthFailed.code();
const ZSYSTEMERROR: i32 = Error::SystemError.code();

/// A socket failure as a driver reports it (`during`: what failed).
fn os(during: &'static str) -> OsError {
    OsError { errno: 104, text: "Connection reset by peer".into(), during }
}
fn os_err(during: &'static str) -> TransportError {
    TransportError::Os(os(during))
}

const TIMEOUT: i32 = 3000;

fn addrs() -> Vec<SocketAddr> {
    vec!["127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap()]
}

struct Rig {
    core: Session,
    q: Outbox,
    t: Instant,
    log: Arc<StdMutex<Vec<String>>>,
}

fn frame(body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut out = vec![0; 4];
    body(&mut Writer::new(&mut out));
    finish_frame(&mut out, 0);
    out
}

fn connect_response(timeout: i32, sid: i64) -> Vec<u8> {
    frame(|w| {
        w.int(0);
        w.int(timeout);
        w.long(sid);
        w.bytes(Some(&[7u8; 16]));
        w.boolean(false);
    })
}

fn reply(xid: i32, err: i32, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    frame(|w| {
        w.int(xid);
        w.long(10);
        w.int(err);
        body(w);
    })
}

fn stat(w: &mut Writer) {
    for _ in 0..3 {
        w.long(1);
    }
    w.long(0);
    w.long(0);
    w.int(0);
    w.int(0);
    w.int(0);
    w.long(0);
    w.int(0);
    w.int(0);
    w.long(1);
}

fn data_reply(xid: i32, value: &[u8]) -> Vec<u8> {
    reply(xid, 0, |w| {
        w.bytes(Some(value));
        stat(w);
    })
}

fn event(ty: i32, path: &[u8]) -> Vec<u8> {
    reply(WATCHER_EVENT_XID, 0, |w| {
        w.int(ty);
        w.int(SessionState::Connected.code());
        w.string(path);
    })
}

/// Frames the core wrote: (xid, opcode) of each.
fn frames_of(bytes: &[u8]) -> Vec<(i32, i32)> {
    let mut v = Vec::new();
    let mut off = 0;
    while off + 4 <= bytes.len() {
        let len = i32::from_be_bytes(bytes[off..off + 4].try_into().unwrap()) as usize;
        let b = &bytes[off + 4..off + 4 + len];
        v.push((i32::from_be_bytes(b[0..4].try_into().unwrap()), i32::from_be_bytes(b[4..8].try_into().unwrap())));
        off += 4 + len;
    }
    v
}

/// The tests read the core itself, not a published view.
struct NoView;
impl Publish for NoView {
    fn set_state(&self, _: SessionState) {}
    fn set_closing(&self) {}
    fn set_timeout(&self, _: i32) {}
    fn set_connected(&self, _: Option<std::net::SocketAddr>) {}
    fn set_current_server(&self, _: &std::net::SocketAddr) {}
    fn set_session(&self, _: i64, _: &[u8]) {}
    fn current_server_string(&self) -> String {
        String::new()
    }
}

impl Rig {
    fn new() -> Rig {
        let mut hosts = HostList::new("a:1,a:2".into(), hosts::parse("127.0.0.1:1,127.0.0.1:2").unwrap().0);
        hosts.addrs = addrs(); // the listed order, whatever the shuffle did
        hosts.resolve_delay = None;
        let t = Instant::now();
        let published = Arc::new(NoView);
        let cfg = Config {
            requested_timeout: TIMEOUT,
            read_only_allowed: false,
            chroot: None,
            session_id: 0,
            passwd: [0; 16],
            sasl: None,
            zero_state_between_connections: false,
        };
        let core = Session::new(cfg, hosts, published, Default::default(), t);
        let q = core.new_outbox();
        Rig { core, q, t, log: Default::default() }
    }

    fn with_sasl(mech: ScriptedMechanism) -> Rig {
        let mut r = Rig::new();
        r.core.sasl = Some(Box::new(mech));
        r
    }

    fn advance(&mut self, ms: u64) {
        self.t += Duration::from_millis(ms);
        self.core.tick(self.t);
    }

    /// What the driver does: takes actions until none is left.
    fn actions(&mut self) -> Vec<Action> {
        let mut v = Vec::new();
        while let Some(a) = self.core.next_action(self.t) {
            v.push(a);
            if v.last() == Some(&Action::Finished) {
                break;
            }
        }
        v
    }

    /// Everything the core wants written now, marked written.
    fn written(&mut self) -> Vec<u8> {
        let out = self.core.output(self.t).to_vec();
        self.core.wrote(out.len(), self.t);
        out
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.core.read_buffer().extend_from_slice(bytes);
        self.core.received(self.t);
    }

    fn connect(&mut self) {
        assert!(matches!(self.actions()[..], [Action::Connect(_)]));
        self.core.transport_up(self.t);
        let hs = self.written();
        assert!(!hs.is_empty(), "the ConnectRequest goes out first");
        assert_eq!(self.core.state(), SessionState::Associating);
        self.feed(&connect_response(TIMEOUT, 0x42));
        assert_eq!(self.core.state(), SessionState::Connected);
    }

    /// Queues a get whose result is recorded as "name:rc".
    fn get(&mut self, name: &str, watch: Option<WatchReg>) -> i32 {
        let log = self.log.clone();
        let name = name.to_string();
        let done = Done::Queue(Box::new(move |rc, _| log.lock().unwrap().push(format!("{name}:{}", errors::code(rc)))));
        let xid = self.q.push(&Request::GetData { path: b"/a".to_vec(), watch: watch.is_some() }, watch, None, done);
        self.core.accept(&mut self.q, self.t);
        xid
    }

    /// Runs the jobs produced so far, recording watch events as "event:type:path".
    fn deliver(&mut self) -> Vec<String> {
        for j in self.core.take_jobs() {
            run(j, &self.log);
        }
        std::mem::take(&mut *self.log.lock().unwrap())
    }
}

fn run(j: Job, log: &Arc<StdMutex<Vec<String>>>) {
    match j {
        Job::Complete(cb, rc, rep) => cb(rc, rep),
        Job::Watch { ty, state, path, with_default, .. } => {
            log.lock().unwrap().push(format!("event:{ty}:{state}:{}:{with_default}", path.to_string_lossy()))
        }
        Job::Batch(v) => v.into_iter().for_each(|j| run(j, log)),
        Job::Shutdown => {}
    }
}

/// A watcher identity (the core never calls it).
const NOP_WATCHER: usize = 0x1000;

#[test]
fn handshake_then_session_event_then_replies_in_server_order() {
    let mut r = Rig::new();
    assert_eq!(r.core.state(), SessionState::NotConnected);
    r.connect();
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connected.code())]);
    let w = Watcher { func: NOP_WATCHER, ctx: 1 };
    let x1 = r.get("one", Some(WatchReg { op: WatchOp::Data, path: b"/a".to_vec(), watcher: w }));
    let x2 = r.get("two", None);
    assert_eq!(frames_of(&r.written()), vec![(x1, ZOO_GETDATA_OP), (x2, ZOO_GETDATA_OP)]);
    // A reply, then an event for the watch it set, then the second reply.
    let mut bytes = data_reply(x1, b"v");
    bytes.extend(event(CHANGED_EVENT, b"/a"));
    bytes.extend(data_reply(x2, b"w"));
    r.feed(&bytes);
    assert_eq!(r.deliver(), vec!["one:0", "event:3:3:/a:false", "two:0"]);
}

#[test]
fn data_replies_are_slices_of_the_received_frame() {
    let mut r = Rig::new();
    r.connect();
    let got: Arc<StdMutex<Option<Reply>>> = Default::default();
    let g2 = got.clone();
    let xid = r.q.push(
        &Request::GetData { path: b"/a".to_vec(), watch: false },
        None,
        None,
        Done::Queue(Box::new(move |_, rep| *g2.lock().unwrap() = rep)),
    );
    r.core.accept(&mut r.q, r.t);
    r.written();
    let big = vec![9u8; 512 * 1024];
    r.feed(&data_reply(xid, &big));
    r.deliver();
    let rep = got.lock().unwrap().take();
    match rep {
        Some(Reply::Data(Some(b), _)) => assert_eq!(b.len(), big.len()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_trickling_server_times_out_on_whole_frames() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    let x = r.get("slow", None);
    r.written();
    let bytes = data_reply(x, b"never finished");
    // One byte every 400 ms: the frame never completes before the receive
    // timeout (two thirds of 3 s), although bytes keep arriving.
    let mut lost_at = None;
    for (i, b) in bytes.iter().take(bytes.len() - 1).enumerate() {
        r.advance(400);
        if r.actions().contains(&Action::Disconnect) {
            lost_at = Some(i);
            break;
        }
        r.feed(&[*b]);
    }
    let i = lost_at.expect("the receive timeout fired");
    assert!((4..=5).contains(&i), "after about 2 s, not {} ms", i * 400);
    let got = r.deliver();
    assert!(got.contains(&format!("event:-1:{}::true", SessionState::Connecting.code())), "{got:?}");
    assert!(got.contains(&format!("slow:{ZOPERATIONTIMEOUT}")), "{got:?}");
}

#[test]
fn replies_out_of_order_or_unknown_xids_end_the_connection_and_fail_calls_once() {
    for wrong in [1, 2] {
        let mut r = Rig::new();
        r.connect();
        r.deliver();
        let x1 = r.get("a", None);
        let x2 = r.get("b", None);
        r.written();
        let bad = if wrong == 1 { x2 } else { x2 + 100 };
        r.feed(&data_reply(bad, b"z"));
        // The connection is dropped and the next server tried at once.
        assert!(matches!(r.actions()[..], [Action::Disconnect, Action::Connect(_)]));
        let got = r.deliver();
        assert_eq!(got.iter().filter(|s| s.starts_with("a:")).count(), 1);
        assert!(got.contains(&format!("b:{ZRUNTIMEINCONSISTENCY}")), "{got:?} (x1 {x1})");
    }
}

#[test]
fn reconnect_with_calls_in_flight_fails_them_and_keeps_the_session() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    r.get("a", None);
    r.written();
    r.core.transport_error(r.t, os_err("reset"));
    assert!(matches!(r.actions()[..], [Action::Disconnect, Action::Connect(_)]));
    let got = r.deliver();
    assert_eq!(got, vec![format!("event:-1:{}::true", SessionState::Connecting.code()), format!("a:{ZCONNECTIONLOSS}")]);
    // A call made while the next connection opens waits for it...
    r.get("b", None);
    r.core.transport_up(r.t);
    let hs = r.written();
    // ...which asks for the same session id.
    assert_eq!(i64::from_be_bytes(hs[20..28].try_into().unwrap()), 0x42);
    r.feed(&connect_response(TIMEOUT, 0x42));
    let after = frames_of(&r.written());
    assert_eq!(after.len(), 1, "the held call goes out after the handshake");
}

#[test]
fn a_failed_attempt_fails_calls_made_while_disconnected_and_backs_off_after_a_round() {
    let mut r = Rig::new();
    r.get("a", None);
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_error(r.t, os_err("refused"));
    assert_eq!(r.deliver(), vec![format!("a:{ZCONNECTIONLOSS}")]);
    // the second server is tried at once; after it (a whole round) the core waits
    assert!(r.actions().iter().any(|a| matches!(a, Action::Connect(_))));
    r.core.transport_error(r.t, os_err("refused"));
    let acts = r.actions();
    assert!(!acts.iter().any(|a| matches!(a, Action::Connect(_))), "{acts:?}");
    let d = r.core.deadline(r.t).unwrap();
    assert!(d > r.t && d <= r.t + backoff::max_delay(TIMEOUT));
}

#[test]
fn close_with_calls_in_flight() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    r.get("a", None);
    r.written();
    r.core.close(r.t, &mut r.q, true);
    let out = frames_of(&r.written());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, ZOO_CLOSE_OP);
    // Events arriving while closing reach no watcher.
    r.feed(&event(CHANGED_EVENT, b"/a"));
    r.feed(&reply(out[0].0, 0, |_| {}));
    // The reply of "a" never came: it completes with ZCLOSING, once.
    assert_eq!(r.actions(), vec![Action::Disconnect, Action::Finished]);
    assert_eq!(r.deliver(), vec![format!("a:{ZCLOSING}")]);
}

#[test]
fn close_times_out_when_the_server_does_not_answer() {
    let mut r = Rig::new();
    r.connect();
    r.core.close(r.t, &mut r.q, true);
    r.written();
    // The server stays alive (events keep the connection) but never answers.
    for _ in 0..2 {
        r.advance(1000);
        r.feed(&event(CHANGED_EVENT, b"/a"));
    }
    r.advance(999);
    assert!(!r.core.is_finished());
    r.advance(2);
    assert!(r.core.is_finished());
}

#[test]
fn watch_removal_completes_in_order_after_earlier_replies() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    let w = Watcher { func: NOP_WATCHER, ctx: 7 };
    let x1 = r.get("watched", Some(WatchReg { op: WatchOp::Data, path: b"/a".to_vec(), watcher: w }));
    r.written();
    r.feed(&data_reply(x1, b"v"));
    let x2 = r.get("plain", None);
    let log = r.log.clone();
    let x3 = r.q.push(
        &Request::RemoveWatches { path: b"/a".to_vec(), wtype: WATCHERTYPE_DATA, check: true },
        None,
        Some(Unwatch { path: b"/a".to_vec(), wtype: WATCHERTYPE_DATA, watcher: Some(w) }),
        Done::Queue(Box::new(move |rc, _| log.lock().unwrap().push(format!("removed:{}", errors::code(rc))))),
    );
    r.core.accept(&mut r.q, r.t);
    r.written();
    let mut bytes = data_reply(x2, b"v");
    bytes.extend(reply(x3, 0, |_| {}));
    r.feed(&bytes);
    assert_eq!(r.deliver(), vec!["watched:0", "plain:0", "removed:0"]);
    assert!(r.core.watches.is_empty());
}

#[test]
fn a_local_watch_removal_is_done_here_and_an_unknown_watcher_is_refused() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    let (w, other) = (Watcher { func: NOP_WATCHER, ctx: 7 }, Watcher { func: NOP_WATCHER, ctx: 8 });
    let x = r.get("watched", Some(WatchReg { op: WatchOp::Data, path: b"/a".to_vec(), watcher: w }));
    r.written();
    r.feed(&data_reply(x, b"v"));
    let done = |log: &Arc<StdMutex<Vec<String>>>| {
        let log = log.clone();
        Done::Queue(Box::new(move |rc, _| log.lock().unwrap().push(format!("removed:{}", errors::code(rc)))))
    };
    assert!(r.core.unwatch(b"/a", WATCHERTYPE_DATA, Some(other), true, done(&r.log)).is_err());
    assert!(matches!(r.core.unwatch(b"/a", WATCHERTYPE_DATA, Some(w), false, done(&r.log)), Ok(Some(_))));
    assert!(!r.core.watches.is_empty(), "kept until the server agrees");
    assert!(matches!(r.core.unwatch(b"/a", WATCHERTYPE_DATA, Some(w), true, done(&r.log)), Ok(None)));
    assert_eq!(r.deliver(), vec!["watched:0", "removed:0"]);
    assert!(r.core.watches.is_empty());
}

#[test]
fn pings_when_idle_and_watches_and_auth_are_sent_again_after_a_reconnect() {
    let mut r = Rig::new();
    r.connect();
    r.advance(TIMEOUT as u64 / 3);
    assert_eq!(frames_of(&r.written()), vec![(PING_XID, ZOO_PING_OP)]);
    r.feed(&reply(PING_XID, 0, |_| {}));
    r.core.add_auth(b"digest".to_vec(), Some(b"u:p".to_vec()), None, r.t);
    assert_eq!(frames_of(&r.written()), vec![(AUTH_XID, ZOO_SETAUTH_OP)]);
    r.feed(&reply(AUTH_XID, 0, |_| {}));
    let w = Watcher { func: NOP_WATCHER, ctx: 1 };
    let x = r.get("w", Some(WatchReg { op: WatchOp::Exists, path: b"/gone".to_vec(), watcher: w }));
    r.written();
    r.feed(&reply(x, Error::NoNode.code(), |_| {}));
    r.core.transport_error(r.t, os_err("reset"));
    r.actions();
    r.core.transport_up(r.t);
    r.written();
    r.feed(&connect_response(TIMEOUT, 0x42));
    assert_eq!(frames_of(&r.written()), vec![(AUTH_XID, ZOO_SETAUTH_OP), (SET_WATCHES_XID, ZOO_SETWATCHES_OP)]);
}

#[test]
fn auth_failure_and_expiry_are_final_and_fail_every_call() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    r.get("a", None);
    r.core.add_auth(b"digest".to_vec(), Some(b"bad".to_vec()), None, r.t);
    r.written();
    r.feed(&reply(AUTH_XID, Error::AuthFailed.code(), |_| {}));
    assert_eq!(r.core.state(), SessionState::AuthFailed);
    let got = r.deliver();
    assert_eq!(got, vec![format!("event:-1:{}::true", SessionState::AuthFailed.code()), format!("a:{ZAUTHFAILED}")]);
    r.get("late", None);
    assert_eq!(r.deliver(), vec![format!("late:{ZAUTHFAILED}")]);

    let mut r = Rig::new();
    r.connect();
    r.core.transport_error(r.t, os_err("reset"));
    r.actions();
    r.core.transport_up(r.t);
    r.written();
    r.feed(&connect_response(0, 0)); // the server says: expired
    assert_eq!(r.core.state(), SessionState::ExpiredSession);
    assert!(r.deliver().contains(&format!("event:-1:{}::true", SessionState::ExpiredSession.code())));
}

#[test]
fn a_call_queued_after_the_session_ended_gets_the_end_code_from_close_too() {
    let mut r = Rig::new();
    r.connect();
    r.feed(&reply(AUTH_XID, Error::AuthFailed.code(), |_| {}));
    r.deliver();
    // queued by another thread after the end, before the driver's next turn took it
    let log = r.log.clone();
    let done = Done::Queue(Box::new(move |rc, _| log.lock().unwrap().push(format!("queued:{}", errors::code(rc)))));
    r.q.push(&Request::GetData { path: b"/a".to_vec(), watch: false }, None, None, done);
    r.core.close(r.t, &mut r.q, true);
    assert_eq!(r.deliver(), vec![format!("queued:{ZAUTHFAILED}")]);
    assert!(r.core.is_finished());
}

#[test]
fn many_watchers_make_one_session_event_in_linear_time() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    for i in 0..50_000usize {
        let w = Watcher { func: NOP_WATCHER, ctx: i };
        r.core.watches.activate(&WatchReg { op: WatchOp::Data, path: format!("/n{i}").into_bytes(), watcher: w }, Ok(()));
    }
    let t = std::time::Instant::now();
    r.core.transport_error(r.t, os_err("reset"));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());
    match &r.core.take_jobs()[0] {
        Job::Watch { watchers, .. } => assert_eq!(watchers.len(), 50_000),
        _ => panic!("a session event first"),
    }
}

#[test]
fn requests_written_while_many_are_in_flight_are_coalesced_briefly() {
    let mut r = Rig::new();
    r.connect();
    for i in 0..20 {
        r.get(&format!("g{i}"), None);
    }
    assert_eq!(frames_of(&r.written()).len(), 20, "nothing in flight: written at once");
    r.get("late", None);
    assert!(r.core.output(r.t).is_empty(), "held back while 20 are in flight");
    r.t += COALESCE;
    assert!(!r.core.output(r.t).is_empty());
}

/// 100,000 watches on long paths fit in SetWatches requests that each
/// stay under 128 KiB, and together carry every path.
#[test]
fn set_watches_are_split() {
    let long = |i: usize| format!("/{}/{i}", "x".repeat(200)).into_bytes();
    let data: Vec<Vec<u8>> = (0..60_000).map(long).collect();
    let exist: Vec<Vec<u8>> = (60_000..70_000).map(long).collect();
    let child: Vec<Vec<u8>> = (70_000..100_000).map(long).collect();
    let mut out = Vec::new();
    let n = set_watches_frames(&mut out, 42, [&data, &exist, &child]);
    assert!(n > 100);
    let (mut off, mut got) = (0, [Vec::new(), Vec::new(), Vec::new()]);
    for _ in 0..n {
        let len = i32::from_be_bytes(out[off..off + 4].try_into().unwrap()) as usize;
        assert!(len + 4 <= SET_WATCHES_MAX_BYTES + 1024, "frame of {len} bytes");
        let mut r = Reader::new(&out[off + 4..off + 4 + len]);
        assert_eq!((r.int().unwrap(), r.int().unwrap(), r.long().unwrap()), (-8, ZOO_SETWATCHES_OP, 42));
        for g in got.iter_mut() {
            g.extend(r.strings().unwrap());
        }
        off += 4 + len;
    }
    assert_eq!(off, out.len());
    assert_eq!((got[0].clone(), got[1].clone(), got[2].clone()), (data, exist, child));
}

#[test]
fn st_close_completes_unanswered_calls_at_once_and_drops_their_replies() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    let x = r.get("a", None);
    r.written();
    r.core.close(r.t, &mut r.q, false);
    assert_eq!(r.deliver(), vec![format!("a:{ZCLOSING}")], "at once, before any reply");
    let close = frames_of(&r.written());
    r.feed(&data_reply(x, b"late"));
    r.feed(&reply(close[0].0, 0, |_| {}));
    assert_eq!(r.actions(), vec![Action::Disconnect, Action::Finished]);
    assert!(r.deliver().is_empty(), "the late reply completes nothing more");
}

#[test]
fn a_server_that_refuses_is_passed_over_for_a_while() {
    let mut r = Rig::new();
    // first server refuses, second one fails otherwise: a failed round
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_error(r.t, TransportError::Refused(os("refused")));
    assert!(matches!(r.actions()[..], [Action::Disconnect, Action::Connect(_)]));
    r.core.transport_error(r.t, os_err("closed"));
    let mut connects = 0;
    // over the next 150 ms only the second server is tried, once per round
    for _ in 0..150 {
        r.advance(1);
        connects += r.actions().iter().filter(|a| matches!(a, Action::Connect(a) if a.port() == 1)).count();
        if r.core.has_transport() {
            r.core.transport_error(r.t, os_err("closed"));
        }
    }
    assert_eq!(connects, 0, "the refusing server is skipped during its first period");
}

#[test]
fn a_driver_bug_ends_the_session_and_completes_every_call() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    r.get("a", None);
    r.written();
    r.core.abandon();
    assert_eq!(r.core.state(), SessionState::ExpiredSession);
    let got = r.deliver();
    assert_eq!(got, vec![format!("event:-1:{}::true", SessionState::ExpiredSession.code()), format!("a:{ZSYSTEMERROR}")]);
    r.get("late", None);
    assert_eq!(r.deliver(), vec![format!("late:{ZSYSTEMERROR}")]);
    r.core.close(r.t, &mut r.q, true);
    assert!(r.actions().contains(&Action::Finished));
}

#[test]
fn persistent_watches_are_rearmed_with_setwatches2_and_stay_after_firing() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    let w = Watcher { func: NOP_WATCHER, ctx: 3 };
    let log = r.log.clone();
    let x = r.q.push(
        &Request::AddWatch { path: b"/t".to_vec(), mode: watches::ADD_WATCH_MODE_PERSISTENT_RECURSIVE },
        Some(WatchReg { op: WatchOp::PersistentRecursive, path: b"/t".to_vec(), watcher: w }),
        None,
        Done::Queue(Box::new(move |rc, _| log.lock().unwrap().push(format!("added:{}", errors::code(rc))))),
    );
    r.core.accept(&mut r.q, r.t);
    assert_eq!(frames_of(&r.written()), vec![(x, ZOO_ADDWATCH_OP)]);
    r.feed(&reply(x, 0, |_| {}));
    r.feed(&event(CREATED_EVENT, b"/t/a"));
    r.feed(&event(CHANGED_EVENT, b"/t/a"));
    assert_eq!(r.deliver(), vec!["added:0", "event:1:3:/t/a:false", "event:3:3:/t/a:false"]);
    r.core.transport_error(r.t, os_err("reset"));
    r.actions();
    r.core.transport_up(r.t);
    r.written();
    r.feed(&connect_response(TIMEOUT, 0x42));
    assert_eq!(frames_of(&r.written()), vec![(SET_WATCHES_XID, ZOO_SETWATCHES2_OP)]);
}

#[test]
fn client_side_expiry_after_the_timeout_without_contact_when_enabled() {
    for enabled in [false, true] {
        let mut r = Rig::new();
        r.core.client_expiry = enabled;
        r.connect();
        r.deliver();
        r.core.transport_error(r.t, os_err("reset"));
        r.actions();
        for _ in 0..(TIMEOUT / 100 + 1) {
            r.advance(100);
            if r.core.has_transport() {
                r.core.transport_error(r.t, os_err("closed"));
            }
            r.actions();
        }
        let expired = r.core.state() == SessionState::ExpiredSession;
        assert_eq!(expired, enabled);
    }
}

#[test]
fn tls_handshake_is_ssl_connecting_and_its_failure_fails_calls_with_sslconnectionerror() {
    let mut r = Rig::new();
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    assert_eq!(r.core.state(), SessionState::Connecting);
    r.core.transport_securing();
    assert_eq!(r.core.state(), SessionState::SslConnecting);
    assert!(r.core.is_opening(), "the handshake is part of opening the transport");
    assert!(r.core.output(r.t).is_empty(), "no ConnectRequest before the TLS handshake ends");
    r.get("early", None);
    r.core.transport_error(r.t, TransportError::Tls("invalid peer certificate: UnknownIssuer".into()));
    assert_eq!(r.core.state(), SessionState::Connecting);
    assert_eq!(r.deliver(), vec!["early:-15"], "no watcher event for a failed attempt");
    // The next attempts (the second server at once, then after the back-off:
    // no busy loop) redo the handshake.
    let mut attempts = 0;
    let mut first = r.actions();
    assert_eq!(first.remove(0), Action::Disconnect);
    for i in 0..100 {
        if i > 0 {
            r.advance(10);
        }
        let acts = if i == 0 { std::mem::take(&mut first) } else { r.actions() };
        for a in acts {
            if let Action::Connect(_) = a {
                attempts += 1;
                r.core.transport_securing();
                r.core.transport_error(r.t, TransportError::Tls("received fatal alert: BadCertificate".into()));
            }
        }
    }
    assert!((2..=12).contains(&attempts), "{attempts} attempts in one second");
}

#[test]
fn tls_handshake_that_never_ends_times_out_at_the_connect_deadline() {
    let mut r = Rig::new();
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_securing();
    r.get("early", None);
    r.advance(TIMEOUT as u64 * 2 / 3 - 10);
    assert_eq!(r.core.state(), SessionState::SslConnecting);
    assert!(r.deliver().is_empty());
    r.advance(20);
    assert_eq!(r.actions()[0], Action::Disconnect);
    assert_eq!(r.deliver(), vec!["early:-4"]);
}

#[test]
fn tls_handshake_done_then_session_as_plain_and_close_while_securing_is_immediate() {
    let mut r = Rig::new();
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_securing();
    r.core.transport_up(r.t);
    assert_eq!(r.core.state(), SessionState::Associating);
    assert!(!r.written().is_empty());
    r.feed(&connect_response(TIMEOUT, 0x42));
    assert_eq!(r.core.state(), SessionState::Connected);
    // A TLS error on an established session is a connection loss.
    r.get("inflight", None);
    r.core.transport_error(r.t, TransportError::Tls("decrypt error".into()));
    assert_eq!(r.core.state(), SessionState::Connecting);
    let d = r.deliver();
    assert!(d.contains(&"inflight:-4".to_string()), "{d:?}");
    // Closing during a handshake ends at once.
    r.advance(1000);
    assert!(r.actions().iter().any(|a| matches!(a, Action::Connect(_))));
    r.core.transport_securing();
    r.core.close(r.t, &mut r.q, true);
    assert!(r.core.is_finished());
}

/// A SASL mechanism that plays a script and records what it was given.
struct ScriptedMechanism {
    /// The answer of `start`, then of each `step`, in order (replayed on every start).
    script: Vec<Result<sasl::Step, String>>,
    at: usize,
    seen: Arc<StdMutex<Vec<String>>>,
}

impl ScriptedMechanism {
    fn new(script: Vec<Result<sasl::Step, String>>) -> (Self, Arc<StdMutex<Vec<String>>>) {
        let seen: Arc<StdMutex<Vec<String>>> = Default::default();
        (ScriptedMechanism { script, at: 0, seen: seen.clone() }, seen)
    }
    fn next(&mut self) -> Result<sasl::Step, String> {
        let s = self.script.get(self.at).cloned().unwrap_or_else(|| Err("script ended".into()));
        self.at += 1;
        s
    }
}

impl sasl::Mechanism for ScriptedMechanism {
    fn start(&mut self, peer: SocketAddr) -> Result<sasl::Step, String> {
        self.seen.lock().unwrap().push(format!("start:{peer}"));
        self.at = 0;
        self.next()
    }
    fn step(&mut self, challenge: Option<&[u8]>) -> Result<sasl::Step, String> {
        let c = challenge.map(|c| String::from_utf8_lossy(c).into_owned()).unwrap_or_else(|| "<none>".into());
        self.seen.lock().unwrap().push(format!("step:{c}"));
        self.next()
    }
}

fn sasl_reply(xid: i32, err: i32, token: Option<&[u8]>) -> Vec<u8> {
    reply(xid, err, |w| {
        if err == 0 {
            w.bytes(token);
        }
    })
}

/// The token of a GetSASLRequest frame written by the core.
fn sasl_token(bytes: &[u8]) -> Vec<u8> {
    let mut r = Reader::new(&bytes[4..]);
    let (_, op) = (r.int().unwrap(), r.int().unwrap());
    assert_eq!(op, ZOO_SASL_OP);
    r.bytes().unwrap().unwrap_or_default().to_vec()
}

fn digest_like_script() -> Vec<Result<sasl::Step, String>> {
    vec![Ok(sasl::Step::Continue(Vec::new())), Ok(sasl::Step::Continue(b"response".to_vec())), Ok(sasl::Step::Complete(None))]
}

/// Connects up to the ConnectResponse; returns the first SASL frame written.
fn connect_until_sasl(r: &mut Rig) -> Vec<u8> {
    assert!(matches!(r.actions()[..], [.., Action::Connect(_)]));
    r.core.transport_up(r.t);
    r.written();
    r.feed(&connect_response(TIMEOUT, 0x42));
    r.written()
}

#[test]
fn sasl_runs_after_the_handshake_and_holds_requests_and_the_connected_event_until_it_ends() {
    let (mech, seen) = ScriptedMechanism::new(digest_like_script());
    let mut r = Rig::with_sasl(mech);
    let early = r.get("early", None);
    let first = connect_until_sasl(&mut r);
    // ASSOCIATING, no event, only the SASL request (empty token), with an
    // xid of the session's sequence after the request queued before.
    assert_eq!(r.core.state(), SessionState::Associating);
    assert!(r.deliver().is_empty());
    let f1 = frames_of(&first);
    assert_eq!(f1.len(), 1);
    assert_eq!(f1[0], (early + 1, ZOO_SASL_OP));
    assert_eq!(sasl_token(&first), b"");
    // A request made now waits too.
    let during = r.get("during", None);
    assert!(r.written().is_empty());
    r.feed(&sasl_reply(early + 1, 0, Some(b"challenge")));
    let second = r.written();
    // Callers took `during` in between: the core's next xid follows it.
    assert_eq!(frames_of(&second), vec![(during + 1, ZOO_SASL_OP)]);
    assert_eq!(sasl_token(&second), b"response");
    assert_eq!(r.core.state(), SessionState::Associating);
    r.feed(&sasl_reply(during + 1, 0, Some(b"rspauth")));
    assert_eq!(r.core.state(), SessionState::Connected);
    assert_eq!(*seen.lock().unwrap(), vec!["start:127.0.0.1:1", "step:challenge", "step:rspauth"]);
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connected.code())]);
    // Then the held requests, in their order.
    assert_eq!(frames_of(&r.written()), vec![(early, ZOO_GETDATA_OP), (during, ZOO_GETDATA_OP)]);
    let mut b = data_reply(early, b"x");
    b.extend(data_reply(during, b"y"));
    r.feed(&b);
    assert_eq!(r.deliver(), vec!["early:0", "during:0"]);
}

#[test]
fn sasl_refused_by_the_server_ends_in_auth_failed_with_an_event_and_zauthfailed_for_every_call() {
    let (mech, _) = ScriptedMechanism::new(digest_like_script());
    let mut r = Rig::with_sasl(mech);
    r.get("early", None);
    let first = connect_until_sasl(&mut r);
    let xid = frames_of(&first)[0].0;
    r.feed(&sasl_reply(xid, 0, Some(b"challenge")));
    let xid2 = frames_of(&r.written())[0].0;
    r.feed(&sasl_reply(xid2, Error::AuthFailed.code(), None));
    assert_eq!(r.core.state(), SessionState::AuthFailed);
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::AuthFailed.code()), format!("early:{ZAUTHFAILED}")]);
    assert_eq!(r.actions(), vec![Action::Disconnect]);
    r.get("late", None);
    assert_eq!(r.deliver(), vec![format!("late:{ZAUTHFAILED}")]);
    r.advance(60_000);
    assert!(r.actions().is_empty(), "no reconnect after an auth failure");
}

#[test]
fn a_mechanism_error_fails_the_session_without_sending_anything() {
    let (mech, _) = ScriptedMechanism::new(vec![Err("no worthy mechs found".into())]);
    let mut r = Rig::with_sasl(mech);
    r.get("early", None);
    assert!(connect_until_sasl(&mut r).is_empty());
    assert_eq!(r.core.state(), SessionState::AuthFailed);
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::AuthFailed.code()), format!("early:{ZAUTHFAILED}")]);
}

#[test]
fn sasl_is_repeated_on_every_reconnect_and_a_final_token_waits_for_its_answer() {
    let script = vec![Ok(sasl::Step::Continue(b"hello".to_vec())), Ok(sasl::Step::Complete(Some(b"last".to_vec())))];
    let (mech, seen) = ScriptedMechanism::new(script);
    let mut r = Rig::with_sasl(mech);
    for round in 0..2 {
        let first = connect_until_sasl(&mut r);
        assert_eq!(sasl_token(&first), b"hello");
        r.feed(&sasl_reply(frames_of(&first)[0].0, 0, Some(b"c")));
        let last = r.written();
        assert_eq!(sasl_token(&last), b"last");
        assert_eq!(r.core.state(), SessionState::Associating, "the final token's answer is awaited");
        r.feed(&sasl_reply(frames_of(&last)[0].0, 0, None));
        assert_eq!(r.core.state(), SessionState::Connected);
        assert_eq!(r.core.session_id(), 0x42);
        assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connected.code())]);
        if round == 0 {
            r.core.transport_error(r.t, os_err("reset"));
            assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connecting.code())]);
        }
    }
    assert_eq!(seen.lock().unwrap().iter().filter(|s| s.starts_with("start:")).count(), 2);
}

#[test]
fn a_server_silent_during_sasl_times_out_like_a_connect_and_reconnects() {
    let (mech, _) = ScriptedMechanism::new(digest_like_script());
    let mut r = Rig::with_sasl(mech);
    connect_until_sasl(&mut r);
    r.get("held", None);
    r.advance((TIMEOUT as u64) * 2 / 3 + 1);
    assert_eq!(r.core.state(), SessionState::Connecting);
    assert_eq!(r.deliver(), vec![format!("held:{ZCONNECTIONLOSS}")]);
    let a = r.actions();
    assert_eq!(a[0], Action::Disconnect);
}

#[test]
fn a_challenge_after_the_mechanism_completed_fails_authentication() {
    // A mechanism with an initial response that completes at once (PLAIN)
    // against a server that runs another one (DIGEST-MD5 answers with a challenge).
    let (mech, _) = ScriptedMechanism::new(vec![Ok(sasl::Step::Complete(Some(b"\0bob\0pw".to_vec())))]);
    let mut r = Rig::with_sasl(mech);
    let first = connect_until_sasl(&mut r);
    r.feed(&sasl_reply(frames_of(&first)[0].0, 0, Some(b"realm=\"zk-sasl-md5\",nonce=\"x\"")));
    assert_eq!(r.core.state(), SessionState::AuthFailed);
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::AuthFailed.code())]);
}

#[test]
fn zoo_add_auth_during_the_handshake_waits_for_the_sasl_exchange() {
    let (mech, _) = ScriptedMechanism::new(digest_like_script());
    let mut r = Rig::with_sasl(mech);
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_up(r.t);
    let log = r.log.clone();
    r.core.add_auth(
        b"digest".to_vec(),
        Some(b"u:p".to_vec()),
        Some(Box::new(move |rc, _| log.lock().unwrap().push(format!("auth:{}", errors::code(rc))))),
        r.t,
    );
    // Only the ConnectRequest (one frame): the SASL replies must be the first ones.
    let hs = r.written();
    assert_eq!(i32::from_be_bytes(hs[..4].try_into().unwrap()) as usize + 4, hs.len());
    r.feed(&connect_response(TIMEOUT, 0x42));
    let first = r.written();
    assert_eq!(frames_of(&first).iter().map(|f| f.1).collect::<Vec<_>>(), vec![ZOO_SASL_OP]);
    r.feed(&sasl_reply(frames_of(&first)[0].0, 0, Some(b"challenge")));
    let second = r.written();
    r.feed(&sasl_reply(frames_of(&second)[0].0, 0, Some(b"rspauth")));
    assert_eq!(r.core.state(), SessionState::Connected);
    // Then the credentials, answered as usual.
    assert_eq!(frames_of(&r.written()), vec![(AUTH_XID, ZOO_SETAUTH_OP)]);
    r.feed(&reply(AUTH_XID, 0, |_| {}));
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connected.code()), "auth:0".to_string()]);
}

/// What a driver's read does: copies up to the room offered; returns the room.
fn read_some(r: &mut Rig, bytes: &[u8]) -> usize {
    let b = r.core.read_buffer();
    let room = b.capacity() - b.len();
    b.extend_from_slice(&bytes[..bytes.len().min(room)]);
    r.core.received(r.t);
    room
}

#[test]
fn read_room_is_small_while_idle_and_grows_while_reads_fill_it() {
    let mut r = Rig::new();
    r.connect();
    r.deliver();
    // Idle: pings and small replies are read into a small buffer.
    let ping = reply(PING_XID, 0, |_| {});
    for _ in 0..50 {
        r.advance(10);
        assert!(read_some(&mut r, &ping) < 4096);
    }
    assert_eq!(r.core.read_chunk, READ_CHUNK_MIN);
    // A burst: every read fills the room (an event whose path fills the
    // rest), so the room doubles up to the maximum, and stays there.
    let mut rooms = Vec::new();
    for _ in 0..8 {
        let room = {
            let b = r.core.read_buffer();
            b.capacity() - b.len()
        };
        let mut path = vec![b'a'; room - 32];
        path[0] = b'/';
        let burst = event(CHANGED_EVENT, &path);
        assert_eq!(burst.len(), room);
        read_some(&mut r, &burst);
        rooms.push(room);
    }
    assert_eq!(r.core.read_chunk, READ_CHUNK_MAX, "{rooms:?}");
    assert!(rooms.windows(2).all(|w| w[0] <= w[1]), "{rooms:?}");
    let room = read_some(&mut r, &ping);
    assert!(room >= READ_CHUNK_MAX, "{room}");
    // A frame larger than the room is still read in place.
    let big = data_reply(r.get("big", None), &vec![9u8; 100_000]);
    let room = read_some(&mut r, &big[..8]);
    assert!(room >= READ_CHUNK_MAX);
    let room = read_some(&mut r, &big[8..]);
    assert!(room >= big.len() - 8, "{room}");
    assert!(r.deliver().contains(&"big:0".to_string()));
}

/// The ST library's view of a connection's end: the state is 0 between
/// connections (its `zoo_state`, as the reference's), the clock reports a
/// time-out's code (what `zookeeper_interest` returns), and the driver is
/// told to drop the transport once.
#[test]
fn st_between_connections_state_zero_and_timeout_code() {
    let mut r = Rig::new();
    r.core.down_state = SessionState::Closed;
    r.connect();
    r.deliver();
    // The server falls silent: two thirds of the timeout later the clock
    // drops the connection and says why.
    r.t += Duration::from_millis(TIMEOUT as u64 * 2 / 3);
    assert_eq!(r.core.tick(r.t), Some(Error::OperationTimeout));
    assert!(r.core.take_disconnect());
    assert!(!r.core.take_disconnect(), "told once");
    assert_eq!(r.core.state(), SessionState::Closed);
    assert_eq!(r.deliver(), vec![format!("event:-1:{}::true", SessionState::Connecting.code())]);
    // The next attempt makes it CONNECTING again; a refusal makes it 0.
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    assert_eq!(r.core.state(), SessionState::Connecting);
    r.core.transport_error(r.t, TransportError::Refused(os("refused")));
    assert_eq!(r.core.state(), SessionState::Closed);
    assert!(r.core.take_disconnect());
    // Nothing else for the clock to report meanwhile.
    assert_eq!(r.core.tick(r.t), None);
}

/// A close while SASL tokens are exchanged: the session exists on the
/// server, so CloseSession goes out after the SASL request in flight, whose
/// answer is read and dropped; the close reply ends the handle.
#[test]
fn close_during_sasl_sends_close_session_after_the_exchange_in_flight() {
    let (mech, _) = ScriptedMechanism::new(digest_like_script());
    let mut r = Rig::with_sasl(mech);
    let first = connect_until_sasl(&mut r);
    let sasl_xid = frames_of(&first)[0].0;
    let mut q = r.core.new_outbox();
    r.core.close(r.t, &mut q, true);
    let out = frames_of(&r.written());
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].1, ZOO_CLOSE_OP);
    assert!(!r.core.is_finished());
    r.feed(&sasl_reply(sasl_xid, 0, Some(b"challenge")));
    assert!(!r.core.is_finished(), "the SASL answer is dropped, the close reply awaited");
    assert!(r.written().is_empty(), "no further SASL step");
    r.feed(&reply(out[0].0, 0, |_| {}));
    assert!(r.core.is_finished());
}

/// While a handshake is unanswered the driver is woken after a third of
/// the timeout (what the reference's interest reports), then not again
/// before the connect deadline: no wake-up loop in between.
#[test]
fn an_unanswered_handshake_wakes_the_driver_twice_not_in_a_loop() {
    let mut r = Rig::new();
    assert!(matches!(r.actions()[..], [Action::Connect(_)]));
    r.core.transport_up(r.t);
    r.written();
    let start = r.t;
    let third = Duration::from_millis(TIMEOUT as u64 / 3);
    let connect_deadline = Duration::from_millis(TIMEOUT as u64 * 2 / 3);
    assert_eq!(r.core.deadline(r.t), Some(start + third));
    r.advance(TIMEOUT as u64 / 3 + 1);
    assert_eq!(r.core.deadline(r.t), Some(start + connect_deadline), "after the third: the connect deadline, not now");
    assert_eq!(r.core.state(), SessionState::Associating);
}

// ---- names resolved by the driver ("servers that move") -----------------

impl Rig {
    /// A rig whose connect string is `spec`: its names are resolved by the
    /// test, through `Action::Resolve` and `resolved`.
    fn with_hosts(spec: &str) -> Rig {
        let mut r = Rig::new();
        r.core.hosts = HostList::new(spec.into(), hosts::parse(spec).unwrap().0);
        r
    }

    /// The epochs of the resolutions asked for by these actions.
    fn asked(acts: &[Action]) -> Vec<u64> {
        acts.iter().filter_map(|a| if let Action::Resolve { epoch, .. } = a { Some(*epoch) } else { None }).collect()
    }

    /// Completes the handshake of the connection just opened.
    fn handshake(&mut self, sid: i64) -> Vec<u8> {
        self.core.transport_up(self.t);
        let hs = self.written();
        self.feed(&connect_response(TIMEOUT, sid));
        assert_eq!(self.core.state(), SessionState::Connected);
        hs
    }
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Late names: CONNECTING while they do not resolve, a failed round per
/// empty answer (the calls waiting fail, the next resolution after the
/// back-off, never at once), connected as soon as they resolve.
#[test]
fn late_names_connect_once_they_resolve_one_resolution_per_round() {
    let mut r = Rig::with_hosts("zk1.test:1,zk2.test:2");
    assert_eq!(Rig::asked(&r.actions()), vec![0]);
    assert_eq!(r.core.state(), SessionState::Connecting);
    assert!(r.actions().is_empty(), "one resolution at a time");
    r.get("waiting", None);
    let mut resolutions = 1;
    for _ in 0..5 {
        r.core.resolved(r.t, 0, vec![]);
        assert_eq!(
            r.deliver(),
            vec![format!("waiting:{ZCONNECTIONLOSS}")].into_iter().take(if resolutions == 1 { 1 } else { 0 }).collect::<Vec<_>>()
        );
        assert!(r.actions().is_empty(), "no resolution before the back-off");
        let wait = r.core.deadline(r.t).unwrap() - r.t;
        assert!(wait >= backoff::INITIAL_DELAY * 3 / 4 && wait <= backoff::max_delay(TIMEOUT), "{wait:?}");
        r.advance(wait.as_millis() as u64 - 1);
        assert!(r.actions().is_empty(), "not before the back-off ends");
        r.advance(1);
        assert_eq!(Rig::asked(&r.actions()), vec![0], "the next round resolves again");
        resolutions += 1;
    }
    r.core.resolved(r.t, 0, vec![sa("127.0.0.1:7")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.1:7"))]);
    r.handshake(0x42);
    assert_eq!(resolutions, 6);
}

/// A resolver that never answers: with no address known, the round fails
/// after the connect timeout (calls complete, a log line), and a new
/// resolution is asked after the back-off; a late answer is still taken.
#[test]
fn a_hanging_resolver_fails_rounds_on_time_and_a_late_answer_connects() {
    let mut r = Rig::with_hosts("zk1.test:1");
    assert_eq!(Rig::asked(&r.actions()), vec![0]);
    r.get("waiting", None);
    let ct = TIMEOUT as u64 * 2 / 3;
    r.advance(ct - 1);
    assert!(r.actions().is_empty());
    assert!(r.deliver().is_empty(), "still waiting for the names");
    assert_eq!(r.core.state(), SessionState::Connecting);
    r.advance(1);
    assert!(r.actions().is_empty());
    assert_eq!(r.deliver(), vec![format!("waiting:{ZCONNECTIONLOSS}")]);
    let wait = r.core.deadline(r.t).unwrap() - r.t;
    r.advance(wait.as_millis() as u64 - 1);
    assert!(r.actions().is_empty(), "not before the back-off ends");
    r.advance(1);
    assert_eq!(Rig::asked(&r.actions()), vec![0], "asked again (the driver keeps the one under way)");
    r.core.resolved(r.t, 0, vec![sa("127.0.0.1:7")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.1:7"))]);
}

/// Moved names: the connection is lost, every address of the round failed,
/// the names are resolved again and the session moves to the new address
/// with its id; while the answer is awaited the round waits for it, at most
/// RESOLVE_HOLD, then goes on with the addresses known.
#[test]
fn a_failed_round_resolves_again_and_the_session_moves_to_the_new_address() {
    let mut r = Rig::with_hosts("zka.test:1");
    assert_eq!(Rig::asked(&r.actions()), vec![0]);
    r.core.resolved(r.t, 0, vec![sa("127.0.0.11:1")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.11:1"))]);
    r.handshake(0x42);
    r.core.transport_error(r.t, os_err("eof"));
    let acts = r.actions();
    assert_eq!(acts[0], Action::Disconnect);
    assert_eq!(Rig::asked(&acts[1..]), vec![0], "{acts:?}");
    assert!(r.actions().is_empty(), "held for the answer");
    r.advance(10);
    r.core.resolved(r.t, 0, vec![sa("127.0.0.21:1")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.21:1"))], "at once: the hold ends with the answer");
    let hs = r.handshake(0x42);
    assert!(hs.windows(8).any(|w| w == 0x42i64.to_be_bytes()), "the session id is kept");
    // A slow answer: the next round goes on with the known address after the hold.
    r.core.transport_error(r.t, os_err("eof"));
    assert_eq!(Rig::asked(&r.actions()[1..]), vec![0]);
    r.advance(RESOLVE_HOLD.as_millis() as u64 - 1);
    assert!(r.actions().is_empty());
    r.advance(1);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.21:1"))]);
}

/// `zoo_set_servers` with names: the session stays where it is until they
/// resolve (an answer for the old list is dropped), then moves when its
/// server is not among them.
#[test]
fn set_servers_with_names_moves_once_they_resolve() {
    let mut r = Rig::new();
    r.connect();
    r.core.hosts.resolve_delay = Some(Duration::ZERO);
    r.core.set_servers(HostList::new("zkb.test:9".into(), hosts::parse("zkb.test:9").unwrap().0));
    assert_eq!(r.core.deadline(r.t), Some(r.t), "the driver is asked at once");
    assert_eq!(Rig::asked(&r.actions()), vec![1]);
    assert!(r.core.is_connected());
    r.core.resolved(r.t, 0, vec![sa("127.0.0.1:8")]);
    r.core.tick(r.t);
    assert!(r.actions().is_empty(), "an answer for the old list is dropped");
    r.core.resolved(r.t, 1, vec![sa("127.0.0.1:9")]);
    r.core.tick(r.t);
    assert_eq!(r.actions(), vec![Action::Disconnect, Action::Connect(sa("127.0.0.1:9"))]);
}

/// An answer that changes nothing still ends the round's wait: the round
/// goes on with the addresses known, and asks no more until the next round
/// (no resolve-connect loop, whatever the delay).
#[test]
fn an_unchanged_answer_starts_the_round_and_asks_no_more() {
    let mut r = Rig::with_hosts("zka.test:1");
    r.actions();
    r.core.resolved(r.t, 0, vec![sa("127.0.0.11:1")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.11:1"))]);
    r.handshake(0x42);
    r.core.transport_error(r.t, os_err("eof"));
    assert_eq!(Rig::asked(&r.actions()[1..]), vec![0]);
    r.core.resolved(r.t, 0, vec![sa("127.0.0.11:1")]);
    assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.11:1"))]);
    r.core.transport_error(r.t, TransportError::Refused(os("refused")));
    let acts = r.actions();
    assert_eq!(acts, vec![Action::Disconnect], "the failed round backs off before it resolves again");
    assert!(r.core.deadline(r.t).unwrap() > r.t);
}

/// A connection lost mid-list: the names are resolved again at once while
/// the round goes on with the next address (no wait); a changed answer
/// starts the round anew on the new addresses.
#[test]
fn a_lost_connection_resolves_again_while_the_round_goes_on() {
    let mut r = Rig::with_hosts("zk0.test:1,zk1.test:1,zk2.test:1");
    r.actions();
    zoo_deterministic(true);
    r.core.resolved(r.t, 0, vec![sa("127.0.0.10:1"), sa("127.0.0.11:1"), sa("127.0.0.12:1")]);
    zoo_deterministic(false);
    let first = r.actions();
    let Action::Connect(a0) = first[0] else { panic!("{first:?}") };
    r.handshake(0x42);
    r.core.transport_error(r.t, os_err("eof"));
    let acts = r.actions();
    assert_eq!(acts[0], Action::Disconnect);
    assert_eq!(Rig::asked(&acts[1..2]), vec![0], "{acts:?}");
    assert!(matches!(acts[2], Action::Connect(a) if a != a0), "the round goes on at once: {acts:?}");
    r.core.transport_error(r.t, TransportError::Refused(os("refused")));
    r.core.resolved(r.t, 0, vec![sa("127.0.0.20:1"), sa("127.0.0.21:1"), sa("127.0.0.22:1")]);
    let acts = r.actions();
    assert!(matches!(acts[..], [Action::Disconnect, Action::Connect(a)] if a.ip().to_string().starts_with("127.0.0.2")), "{acts:?}");
}

fn zoo_deterministic(on: bool) {
    hosts::DETERMINISTIC.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Names that never come back (a resolver that hangs after the session's
/// server went away): the rounds go on with the addresses known, attempts
/// keep being made (a server back at its old address is reached), and with
/// client-side expiry the session expires on time, as without names.
#[test]
fn a_hanging_resolver_does_not_delay_attempts_or_expiry() {
    for enabled in [false, true] {
        let mut r = Rig::with_hosts("zka.test:1");
        r.actions();
        r.core.resolved(r.t, 0, vec![sa("127.0.0.11:1")]);
        r.core.client_expiry = enabled;
        assert_eq!(r.actions(), vec![Action::Connect(sa("127.0.0.11:1"))]);
        r.handshake(0x42);
        r.deliver();
        r.core.transport_error(r.t, os_err("reset"));
        let lost_at = r.t;
        let mut connects = 0;
        let mut expired_at = None;
        for _ in 0..(TIMEOUT / 10 + 10) {
            r.advance(10);
            if r.core.has_transport() {
                r.core.transport_error(r.t, TransportError::Refused(os("refused")));
            }
            connects += r.actions().iter().filter(|a| matches!(a, Action::Connect(_))).count();
            if expired_at.is_none() && r.core.state() == SessionState::ExpiredSession {
                expired_at = Some(r.t - lost_at);
            }
        }
        assert!(connects >= 3, "attempts go on while the resolver hangs: {connects}");
        match expired_at {
            Some(d) => assert!(enabled && d <= Duration::from_millis(TIMEOUT as u64 + 20), "{d:?}"),
            None => assert!(!enabled, "client-side expiry did not come"),
        }
    }
}
