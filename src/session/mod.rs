//! The session core: the one owner of a ZooKeeper session's state, without
//! sockets, threads or clocks (sans-IO). It takes caller requests (through
//! its [`Outbox`]), bytes received and the time, and gives back bytes to
//! send, the next deadline, actions for the driver (open or drop a
//! connection, probe a server) and the completions and watch events to
//! deliver, in order. The MT library's IO thread and the ST library's
//! `zookeeper_interest`/`zookeeper_process` both drive it.

pub mod backoff;
pub mod chroot;
pub mod hosts;
pub mod outbox;
pub mod sasl;
pub mod state;
#[cfg(test)]
mod tests;
pub mod transport_error;
pub mod watches;

use bytes::{Buf, Bytes, BytesMut};
use std::collections::VecDeque;
use std::ffi::CString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::log::LogTarget;
use crate::proto::codec::Reader;
use crate::proto::consts::*;
use crate::proto::errors::{self, Error};
use crate::proto::opcodes::*;
use crate::proto::records::{self, control_frame, decode_reply_in, Expect, Request};
use crate::zlog;
use backoff::Backoff;
use hosts::{format_addr, HostList};
pub use outbox::{Callback, Done, Job, Outbox, Pending, Unwatch, Xids};
use state::SessionState;
use transport_error::TransportError;
use watches::{WatchRegistry, Watcher};

/// Largest frame accepted from a server (jute.maxbuffer default plus slack).
pub const MAX_FRAME: usize = 0xfffff + 1024 * 1024;
/// Largest handshake answer accepted.
const MAX_HANDSHAKE_FRAME: usize = 4096;
/// Room offered to each read: small while the session is idle (an idle
/// session receives a handshake answer and pings, and every page its read
/// buffer spans costs memory), doubled up to the maximum each time a read
/// fills all of it (replies are flowing).
const READ_CHUNK_MIN: usize = 1024;
const READ_CHUNK_MAX: usize = 16 * 1024;
/// Longest SetWatches request sent: well under the server's jute.maxbuffer
/// (1 MiB by default), whatever the number of watches.
pub const SET_WATCHES_MAX_BYTES: usize = 128 * 1024;
/// While at least this many requests are with the server, new ones may wait
/// up to `COALESCE` (and `COALESCE_BYTES`) to go out in one write.
const COALESCE: Duration = Duration::from_micros(300);
const COALESCE_BYTES: usize = 64 * 1024;
const COALESCE_MIN_INFLIGHT: usize = 16;
/// The longest wait for the reply to CloseSession.
const CLOSE_WAIT_MAX_MS: u64 = 3000;
/// Read-only sessions look for a read-write server: first after 200 ms,
/// then twice as long each time, up to a minute (as the reference).
const RW_PROBE_FIRST: Duration = Duration::from_millis(200);
const RW_PROBE_MAX: Duration = Duration::from_secs(60);
/// How long a round of attempts waits for the names it asked to have
/// resolved again before it goes on with the addresses known (the answer
/// is taken whenever it comes). With no address known at all, the wait is
/// the connect timeout, after which the round counts as failed.
pub const RESOLVE_HOLD: Duration = Duration::from_secs(1);

/// Where the core publishes what callers read without asking it (the
/// driver's shared view of the session, read by any thread).
pub trait Publish: Send + Sync {
    fn set_state(&self, s: SessionState);
    fn set_closing(&self);
    fn set_timeout(&self, t: i32);
    /// The server of the established connection, or none.
    fn set_connected(&self, a: Option<SocketAddr>);
    /// The server being tried or used.
    fn set_current_server(&self, a: &SocketAddr);
    fn set_session(&self, id: i64, passwd: &[u8]);
    /// The current server as "host:port" (for log lines).
    fn current_server_string(&self) -> String;
}

/// What the session is given at init.
pub struct Config {
    pub requested_timeout: i32,
    pub read_only_allowed: bool,
    pub chroot: Option<Vec<u8>>,
    pub session_id: i64,
    pub passwd: [u8; 16],
    /// SASL authentication on every connection (`zookeeper_init_sasl`).
    pub sasl: Option<Box<dyn sasl::Mechanism>>,
    /// Between connections the state is 0, not CONNECTING, until the next
    /// connection starts (the reference's single-threaded library, whose
    /// `zoo_state` says 0 after a connection failed or was lost).
    pub zero_state_between_connections: bool,
}

/// The connection, as the core sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Conn {
    /// No connection; the next attempt at `retry_at`.
    Down { retry_at: Instant },
    /// The driver is opening a transport to `addr`.
    Opening { addr: SocketAddr, deadline: Instant },
    /// The ConnectRequest is queued or sent; waiting for the answer.
    Handshake { addr: SocketAddr, deadline: Instant },
    /// The server accepted the session; SASL tokens are being exchanged
    /// (answer awaited to the request `xid`; `last`: it ends the exchange).
    /// The state stays ASSOCIATING and callers' requests are held until it ends.
    Authenticating { addr: SocketAddr, deadline: Instant, read_only: bool, xid: i32, last: bool },
    /// The session runs over this connection.
    Up { addr: SocketAddr, last_recv: Instant, last_send: Instant },
    /// No more connections: the session is over (expired, auth failed) or closed.
    Ended,
}

/// Where the handle is in its life (the connection's own course is `Conn`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Calls are taken.
    Running,
    /// The session is over (expired, auth failed) and the handle still
    /// open: no more connections, every call completes with `rc`.
    Ended { rc: Error },
    /// `zookeeper_close` began; `deadline`: when the reply to the
    /// CloseSession request stops being awaited (None: none was sent).
    Closing { deadline: Option<Instant> },
    /// The handle is over: every call completes with ZCLOSING.
    Finished,
}

impl Phase {
    /// The code a new call completes with at once, if the phase takes none.
    fn refusal(self) -> Option<Error> {
        match self {
            Phase::Ended { rc } => Some(rc),
            Phase::Finished => Some(Error::Closing),
            Phase::Running | Phase::Closing { .. } => None,
        }
    }
    fn close_deadline(self) -> Option<Instant> {
        match self {
            Phase::Closing { deadline } => deadline,
            _ => None,
        }
    }
}

/// What the driver must do next.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Drop the transport (the core already accounted for it).
    Disconnect,
    /// Open a transport to this server, then call `transport_up` or `transport_error`.
    Connect(SocketAddr),
    /// Ask this server whether it serves reads and writes, then call `probe_done`.
    ProbeRw(SocketAddr),
    /// Resolve these entries (off the session's path: on a thread of the
    /// driver's), then call `resolved` with `epoch` and every address found.
    Resolve { epoch: u64, hosts: Vec<hosts::HostPort> },
    /// The handle is closed: stop driving.
    Finished,
}

pub struct Session {
    published: Arc<dyn Publish>,
    /// Where log lines go (the driver keeps it current).
    pub log_cb: LogTarget,
    requested_timeout: i32,
    read_only_allowed: bool,
    chroot: Option<Vec<u8>>,
    pub hosts: HostList,
    session_id: i64,
    passwd: [u8; 16],
    /// A read-write server accepted the session (its id is then kept).
    seen_rw: bool,
    last_zxid: i64,
    timeout: i32,
    state: SessionState,
    conn: Conn,
    backoff: Backoff,
    /// Bytes for the current connection, written up to `out_off`.
    out: Vec<u8>,
    out_off: usize,
    /// Frames in `out` that expect a reply; until when `out` may be held
    /// back for more (`COALESCE` after it started filling).
    out_frames: usize,
    hold_until: Instant,
    /// Frames written whose replies have not arrived.
    unanswered: usize,
    /// Requests whose frames are in `out` or written, in xid order.
    sent: VecDeque<Pending>,
    /// Requests queued while there is no session connection.
    held: Outbox,
    rbuf: BytesMut,
    /// The least room offered to a read (READ_CHUNK_MIN..=READ_CHUNK_MAX).
    read_chunk: usize,
    /// `read_buffer` handed out room since the session began.
    read_offered: bool,
    pub watches: WatchRegistry,
    auths: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    auth_waiting: VecDeque<Callback>,
    phase: Phase,
    disconnect: bool,
    move_server: bool,
    rw_interval: Duration,
    rw_probe_at: Instant,
    probing: bool,
    /// Client-side expiry (`zoo_set_client_expiry`): the session is declared
    /// expired once no server was reached for the session timeout.
    pub client_expiry: bool,
    /// The last time a server of this session was heard from.
    last_contact: Option<Instant>,
    /// Servers that refused the connection: skipped until then (and the
    /// period). A few at most (those of the list), so a list, not a map.
    refused: Vec<(SocketAddr, Instant, Duration)>,
    jobs: Vec<Job>,
    /// The session's xid sequence (shared with the callers' queue).
    xids: Arc<Xids>,
    sasl: Option<Box<dyn sasl::Mechanism>>,
    /// The state while no connection is under way (see `Config`).
    down_state: SessionState,
    /// The round of attempts waits for names to be resolved.
    held_for_names: bool,
    /// `zoo_set_servers` gave names: once they resolve, the client may move
    /// (as for a list of addresses) from the server it is on.
    rebalance_on_resolution: bool,
    /// The connection was lost since the names were last resolved: they are
    /// resolved again (when due) while the round goes on.
    lost_since_resolution: bool,
}

impl Session {
    pub fn new(cfg: Config, hosts: HostList, published: Arc<dyn Publish>, log_cb: LogTarget, now: Instant) -> Self {
        Session {
            published,
            log_cb,
            requested_timeout: cfg.requested_timeout,
            read_only_allowed: cfg.read_only_allowed,
            chroot: cfg.chroot,
            hosts,
            session_id: cfg.session_id,
            passwd: cfg.passwd,
            seen_rw: cfg.session_id != 0,
            last_zxid: 0,
            timeout: cfg.requested_timeout,
            state: SessionState::NotConnected,
            conn: Conn::Down { retry_at: now },
            backoff: Backoff::default(),
            out: Vec::new(),
            out_off: 0,
            out_frames: 0,
            hold_until: now,
            unanswered: 0,
            sent: VecDeque::new(),
            held: Outbox::default(),
            rbuf: BytesMut::new(),
            read_chunk: READ_CHUNK_MIN,
            read_offered: false,
            watches: WatchRegistry::default(),
            auths: Vec::new(),
            auth_waiting: VecDeque::new(),
            phase: Phase::Running,
            disconnect: false,
            move_server: false,
            rw_interval: RW_PROBE_FIRST,
            rw_probe_at: now,
            probing: false,
            refused: Vec::new(),
            client_expiry: false,
            last_contact: None,
            jobs: Vec::new(),
            xids: Arc::default(),
            sasl: cfg.sasl,
            down_state: if cfg.zero_state_between_connections { SessionState::Closed } else { SessionState::Connecting },
            held_for_names: false,
            rebalance_on_resolution: false,
            lost_since_resolution: false,
        }
    }

    /// The queue callers put their requests in, sharing the session's xids.
    pub fn new_outbox(&self) -> Outbox {
        Outbox::with_xids(self.xids.clone())
    }

    // ---- what callers and drivers read -------------------------------

    pub fn state(&self) -> SessionState {
        self.state
    }
    /// `zookeeper_close` began (the handle may be finished already).
    pub fn is_closing(&self) -> bool {
        matches!(self.phase, Phase::Closing { .. } | Phase::Finished)
    }
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }
    pub fn is_connected(&self) -> bool {
        matches!(self.state, SessionState::Connected | SessionState::ReadOnly)
    }
    pub fn session_id(&self) -> i64 {
        self.session_id
    }
    /// The server of the connection being opened or used.
    pub fn peer(&self) -> Option<SocketAddr> {
        match self.conn {
            Conn::Opening { addr, .. } | Conn::Handshake { addr, .. } | Conn::Authenticating { addr, .. } | Conn::Up { addr, .. } => {
                Some(addr)
            }
            _ => None,
        }
    }
    /// Whether a transport exists (opening or open).
    pub fn has_transport(&self) -> bool {
        self.peer().is_some()
    }
    /// Whether the transport is still being opened (the driver waits for it to be writable).
    pub fn is_opening(&self) -> bool {
        matches!(self.conn, Conn::Opening { .. })
    }
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }
    pub fn has_jobs(&self) -> bool {
        !self.jobs.is_empty()
    }

    fn set_state(&mut self, s: SessionState) {
        self.state = s;
        self.published.set_state(s);
    }

    /// The client path of a server path (chroot stripped).
    fn client_path(&self, path: &[u8]) -> Vec<u8> {
        chroot::client_path(self.chroot.as_deref(), path)
    }

    // ---- caller requests ---------------------------------------------

    /// Takes every request callers queued.
    pub fn accept(&mut self, q: &mut Outbox, now: Instant) {
        if q.is_empty() {
            return;
        }
        if let Some(rc) = self.phase.refusal() {
            self.fail_outbox(q, rc);
        } else if matches!(self.conn, Conn::Up { .. }) && self.phase == Phase::Running {
            self.out_frames += q.entries.len();
            self.append_out(&q.buf, now);
            q.buf.clear();
            self.sent.append(&mut q.entries);
        } else {
            self.held.append(q);
        }
    }

    fn fail_outbox(&mut self, q: &mut Outbox, rc: Error) {
        q.buf.clear();
        for p in q.entries.drain(..) {
            deliver(&mut self.jobs, p.done, Err(rc), None);
        }
    }

    /// Completes a call at once, in order with everything else delivered.
    pub fn complete(&mut self, done: Done, rc: Result<(), Error>) {
        deliver(&mut self.jobs, done, rc, None);
    }

    /// The client's part of a watch removal (`zoo_remove_watches`...): the
    /// removal of one watcher needs it registered here (else `done` comes
    /// back as `Err`: ZNOWATCHER); with `local`, the watches go here and
    /// `done` completes at once with ZOK (`Ok(None)`); else `done` comes back
    /// for the request to the server, after whose reply they go
    /// (`Ok(Some(done))`, see `Unwatch`).
    pub fn unwatch(&mut self, path: &[u8], wtype: i32, watcher: Option<Watcher>, local: bool, done: Done) -> Result<Option<Done>, Done> {
        if watcher.is_some() && !self.watches.has(path, wtype, watcher) {
            return Err(done);
        }
        if local {
            self.watches.remove(path, wtype, watcher);
            self.complete(done, Ok(()));
            return Ok(None);
        }
        Ok(Some(done))
    }

    /// `zoo_add_auth`: remembers the credentials (re-sent on every
    /// reconnect) and sends them now if a connection is open.
    pub fn add_auth(&mut self, scheme: Vec<u8>, cred: Option<Vec<u8>>, done: Option<Callback>, now: Instant) {
        if self.is_closing() {
            if let Some(cb) = done {
                self.jobs.push(Job::Complete(cb, Err(Error::Closing), None));
            }
            return;
        }
        if !self.auths.iter().any(|(s, c)| *s == scheme && *c == cred) {
            self.auths.push((scheme.clone(), cred.clone()));
        }
        if let Some(cb) = done {
            self.auth_waiting.push_back(cb);
        }
        // Sent now on an established session, or right behind the
        // ConnectRequest; with SASL the exchange comes first (its replies
        // are the only ones expected), and `finalize` sends every credential.
        let now_ok = match self.conn {
            Conn::Up { .. } => true,
            Conn::Handshake { .. } => self.sasl.is_none(),
            _ => false,
        };
        if now_ok {
            let mut f = Vec::new();
            auth_frame(&mut f, &scheme, cred.as_deref());
            self.out_frames += 1;
            self.append_out(&f, now);
            zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_DEBUG,
                "send_last_auth_info",
                "Sending auth info request to {}",
                self.published.current_server_string()
            );
        }
    }

    /// `zoo_set_servers`: a new server list; moves off the current server
    /// when the list says so.
    /// A list with names keeps the addresses in use until the names
    /// resolve (the driver is asked at once), then moves as a list of
    /// addresses would.
    pub fn set_servers(&mut self, mut new: HostList) {
        if std::mem::take(&mut self.held_for_names) {
            // The round waited for the old list's names: not for these.
            // (the hold began when the old names were asked: in the past)
            if let (Conn::Down { retry_at }, Some(asked)) = (&mut self.conn, self.hosts.asked) {
                *retry_at = asked;
            }
        }
        new.epoch = self.hosts.epoch + 1;
        new.resolve_delay = self.hosts.resolve_delay;
        if new.has_names() {
            new.addrs = std::mem::take(&mut self.hosts.addrs);
            new.next = self.hosts.next;
            new.current = self.hosts.current;
            self.hosts = new;
            self.rebalance_on_resolution = true;
            return;
        }
        let old = std::mem::replace(&mut self.hosts, new);
        self.rebalance_on_resolution = false;
        if self.hosts.rebalance(&old.addrs, self.connected_to()) {
            self.move_server = true;
        }
    }

    fn connected_to(&self) -> Option<SocketAddr> {
        match self.conn {
            Conn::Up { addr, .. } => Some(addr),
            _ => None,
        }
    }

    /// The driver's answer to `Action::Resolve`: every address the names
    /// (and literals) of the list gave, in any order. An answer for a list
    /// replaced since is dropped; an empty one keeps the addresses known,
    /// and with none known the round of attempts has failed (the calls
    /// waiting fail with ZCONNECTIONLOSS, as after failed attempts; the
    /// next resolution follows the back-off).
    pub fn resolved(&mut self, now: Instant, epoch: u64, addrs: Vec<SocketAddr>) {
        if epoch != self.hosts.epoch || self.is_finished() {
            return;
        }
        let empty = addrs.is_empty();
        let old = if self.rebalance_on_resolution && !empty { self.hosts.addrs.clone() } else { Vec::new() };
        let changed = self.hosts.take_resolution(now, addrs);
        self.lost_since_resolution = false;
        if changed {
            let known = &self.hosts.addrs;
            self.refused.retain(|(a, ..)| known.contains(a));
        }
        if std::mem::take(&mut self.held_for_names) {
            // The round waited for this answer: it goes on now.
            if let Conn::Down { retry_at } = &mut self.conn {
                *retry_at = (*retry_at).min(now);
            }
        }
        if empty {
            zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_ERROR,
                "resolve_hosts",
                "no server address found: none of the names of [{}] resolves",
                self.hosts.spec
            );
            if self.hosts.addrs.is_empty() {
                self.names_failed(now);
            }
            return;
        }
        if std::mem::take(&mut self.rebalance_on_resolution) && changed && self.hosts.rebalance(&old, self.connected_to()) {
            self.move_server = true;
        }
    }

    /// Whether the round of attempts waits for names being resolved (the
    /// ST library then asks its loop to call again soon).
    pub fn awaiting_names(&self) -> bool {
        self.held_for_names || (self.hosts.asked.is_some() && self.hosts.addrs.is_empty())
    }

    /// No address is known and the names gave none (or not in time): a
    /// failed round, paced by the back-off. The state stays CONNECTING in
    /// both libraries (the handle keeps trying; the ST library's 0 between
    /// attempts is the reference's state between connections, and there is
    /// no connection here).
    fn names_failed(&mut self, now: Instant) {
        self.held_for_names = false;
        if self.is_closing() || !matches!(self.conn, Conn::Down { .. }) {
            return;
        }
        self.set_state(SessionState::Connecting);
        self.fail_pending(Error::ConnectionLoss);
        self.backoff.attempt(true);
        let delay = self.backoff.delay(self.timeout).max(Duration::from_millis(1));
        self.conn = Conn::Down { retry_at: now + delay };
    }

    /// `zoo_set_backoff`: the first and the longest delay between rounds.
    pub fn set_backoff(&mut self, initial: Duration, max: Duration) {
        self.backoff.initial = Some(initial);
        self.backoff.max = Some(max.max(initial));
    }

    /// Starts closing: a CloseSession request when connected (its reply, a
    /// lost connection or a timeout ends the session), else at once.
    /// `answer_pending`: replies that arrive before the close reply still
    /// complete their calls (the MT reference); otherwise every call not
    /// answered completes with ZCLOSING now (the ST reference).
    pub fn close(&mut self, now: Instant, q: &mut Outbox, answer_pending: bool) {
        if self.is_closing() {
            return;
        }
        if let Phase::Ended { .. } = self.phase {
            // Calls queued since the session ended get its end code, not ZCLOSING.
            self.accept(q, now);
        }
        self.phase = Phase::Closing { deadline: None };
        self.published.set_closing();
        if let Conn::Authenticating { addr, xid, .. } = self.conn {
            // The server holds the session already: the SASL exchange is
            // abandoned and CloseSession follows the SASL request in flight
            // (whose answer is then read and dropped), so that the session
            // and its ephemerals end now, not at expiry.
            self.conn = Conn::Up { addr, last_recv: now, last_send: now };
            if xid != 0 {
                self.sent.push_back(Pending { xid, expect: Expect::Void, watch: None, unwatch: None, done: Done::Nothing, close: false });
            }
        }
        if matches!(self.conn, Conn::Up { .. }) {
            self.accept(q, now);
            if !answer_pending {
                for p in self.sent.iter_mut() {
                    let done = std::mem::replace(&mut p.done, Done::Nothing);
                    deliver(&mut self.jobs, done, Err(Error::Closing), None);
                    p.watch = None;
                    p.unwatch = None;
                }
            }
            let xid = q.alloc_xid();
            let mut f = Vec::new();
            Request::Close.encode_frame(xid, &mut f);
            self.out_frames += 1;
            self.append_out(&f, now);
            self.sent.push_back(Pending { xid, expect: Expect::Void, watch: None, unwatch: None, done: Done::Nothing, close: true });
            let wait = (self.timeout.max(1) as u64).min(CLOSE_WAIT_MAX_MS);
            self.phase = Phase::Closing { deadline: Some(now + Duration::from_millis(wait)) };
        } else {
            self.accept(q, now);
            self.finish();
        }
    }

    /// The end of the handle: every call not answered completes with ZCLOSING.
    fn finish(&mut self) {
        if self.is_finished() {
            return;
        }
        self.fail_pending(Error::Closing);
        if self.has_transport() {
            self.disconnect = true;
        }
        self.conn = Conn::Ended;
        self.phase = Phase::Finished;
        self.published.set_connected(None);
        zlog!(
            self.log_cb,
            ZOO_LOG_LEVEL_INFO,
            "zookeeper_close",
            "Freeing zookeeper resources for sessionId={}\n",
            crate::log::c_hex(self.session_id)
        );
    }

    /// Fails every request not yet answered, queued or sent, and every auth completion.
    fn fail_pending(&mut self, rc: Error) {
        self.out.clear();
        self.out_off = 0;
        self.out_frames = 0;
        self.unanswered = 0;
        for p in self.sent.drain(..) {
            deliver(&mut self.jobs, p.done, Err(rc), None);
        }
        self.held.buf.clear();
        for p in self.held.entries.drain(..) {
            deliver(&mut self.jobs, p.done, Err(rc), None);
        }
        for cb in self.auth_waiting.drain(..) {
            self.jobs.push(Job::Complete(cb, Err(rc), None));
        }
    }

    // ---- the driver's side --------------------------------------------

    /// Whether the driver must drop its transport now (the one action a
    /// driver takes without starting connections: the ST library's
    /// `zookeeper_process`). Cleared by the call.
    pub fn take_disconnect(&mut self) -> bool {
        std::mem::take(&mut self.disconnect)
    }

    /// What the driver must do now, if anything (call until `None`).
    pub fn next_action(&mut self, now: Instant) -> Option<Action> {
        if self.disconnect {
            self.disconnect = false;
            return Some(Action::Disconnect);
        }
        if self.is_finished() {
            return Some(Action::Finished);
        }
        if self.names_wanted_now(now) {
            // A list whose names were never resolved (init, zoo_set_servers).
            return Some(self.ask_resolution(now));
        }
        if let Conn::Down { retry_at } = self.conn {
            if self.is_closing() {
                self.finish();
                return self.next_action(now);
            }
            if now < retry_at {
                return None;
            }
            if self.lost_since_resolution && !self.hosts.round_starts() && self.hosts.resolution_due(now) {
                // The connection was lost: the names are resolved again
                // while the round goes on with the next address (a changed
                // answer starts the round anew).
                self.lost_since_resolution = false;
                return Some(self.ask_resolution(now));
            }
            if self.hosts.round_starts() {
                // A round starts: with the names resolved again when the
                // delay passed, waiting a little for the answer.
                if self.hosts.resolution_due(now) {
                    return Some(self.ask_resolution(now));
                }
                if let Some(asked) = self.hosts.asked {
                    let none_known = self.hosts.addrs.is_empty();
                    let until = asked + if none_known { self.connect_timeout() } else { RESOLVE_HOLD.min(self.connect_timeout()) };
                    if now < until {
                        if none_known {
                            self.set_state(SessionState::Connecting);
                        }
                        self.held_for_names = true;
                        self.conn = Conn::Down { retry_at: until };
                        return None;
                    }
                    self.held_for_names = false;
                    if none_known {
                        zlog!(
                            self.log_cb,
                            ZOO_LOG_LEVEL_ERROR,
                            "resolve_hosts",
                            "no server address found: resolving the names of [{}] takes longer than {} ms",
                            self.hosts.spec,
                            self.connect_timeout().as_millis()
                        );
                        // Asked again after the back-off (the driver keeps
                        // the resolution under way; its answer still counts).
                        self.hosts.asked = None;
                        self.names_failed(now);
                        return None;
                    }
                }
            }
            // The next server, passing over those that refused recently; a
            // round that ends while passing over them counts as failed.
            let mut pick = None;
            for _ in 0..self.hosts.addrs.len().max(1) {
                let Some((addr, wrapped)) = self.hosts.advance() else { break };
                if self.refused.iter().find(|(a, ..)| *a == addr).is_none_or(|(_, until, _)| *until <= now) {
                    pick = Some((addr, wrapped));
                    break;
                }
                if wrapped {
                    self.backoff.attempt(true);
                    let delay = self.backoff.delay(self.timeout);
                    self.conn = Conn::Down { retry_at: now + delay.max(Duration::from_millis(1)) };
                    return None;
                }
            }
            let Some((addr, wrapped)) = pick else {
                // No address (yet): the next round resolves the names again.
                self.names_failed(now);
                return None;
            };
            self.backoff.attempt(wrapped);
            self.published.set_current_server(&addr);
            self.set_state(SessionState::Connecting);
            self.conn = Conn::Opening { addr, deadline: now + self.connect_timeout() };
            zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "zookeeper_connect", "[zk] connect()\n");
            return Some(Action::Connect(addr));
        }
        if self.state == SessionState::ReadOnly && !self.probing && !self.is_closing() && now >= self.rw_probe_at {
            let cur = self.peer();
            let n = self.hosts.addrs.len();
            let cand = (0..n).map(|i| self.hosts.addrs[(self.hosts.next + i) % n]).find(|a| Some(*a) != cur);
            self.rw_interval = (self.rw_interval * 2).min(RW_PROBE_MAX);
            self.rw_probe_at = now + self.rw_interval;
            if let Some(a) = cand {
                self.probing = true;
                return Some(Action::ProbeRw(a));
            }
        }
        None
    }

    /// A list whose names were never resolved (init, `zoo_set_servers`)
    /// has them resolved at once, unless a back-off is under way.
    fn names_wanted_now(&self, now: Instant) -> bool {
        let backing_off = matches!(self.conn, Conn::Down { retry_at } if now < retry_at);
        !self.is_closing() && !backing_off && self.hosts.resolved_at.is_none() && self.hosts.resolution_due(now)
    }

    /// Asks the driver to resolve the list's names: the state is CONNECTING
    /// while no address is known (an attempt is under way).
    fn ask_resolution(&mut self, now: Instant) -> Action {
        if self.hosts.addrs.is_empty() && matches!(self.conn, Conn::Down { .. }) {
            self.set_state(SessionState::Connecting);
        }
        let hosts = self.hosts.ask(now);
        Action::Resolve { epoch: self.hosts.epoch, hosts }
    }

    /// Connect and handshake together must finish within two thirds of the
    /// session timeout, as the reference (a timeout the server could never
    /// grant, 1 ms, times every attempt out at once: the ST library's first
    /// `zookeeper_interest` returns ZOPERATIONTIMEOUT, as the reference's;
    /// the back-off paces the attempts that follow).
    fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.timeout.max(1) as u64 * 2 / 3)
    }

    /// The transport to the server is open: the handshake goes out first.
    pub fn transport_up(&mut self, now: Instant) {
        let Conn::Opening { addr, deadline } = self.conn else { return };
        zlog!(self.log_cb, ZOO_LOG_LEVEL_INFO, "check_events", "initiated connection to server {}", format_addr(&addr));
        let sid = if self.seen_rw { self.session_id } else { 0 };
        self.out.clear();
        self.out_off = 0;
        self.out_frames = 0;
        self.unanswered = 0;
        self.rbuf.clear();
        records::encode_connect(&mut self.out, self.last_zxid, self.requested_timeout, sid, &self.passwd, self.read_only_allowed);
        self.hold_until = now + COALESCE;
        self.set_state(SessionState::Associating);
        self.conn = Conn::Handshake { addr, deadline };
    }

    /// The TCP connection is open and a TLS handshake runs over it: the
    /// state is SSL_CONNECTING (as the reference) until `transport_up`. The
    /// attempt stays bounded by its connect deadline.
    pub fn transport_securing(&mut self) {
        if let Conn::Opening { .. } = self.conn {
            self.set_state(SessionState::SslConnecting);
        }
    }

    /// The transport failed: opening it, its handshake, or (on an
    /// established session) the connection itself. While a connection is
    /// being opened the round goes on with the next server and the calls
    /// waiting fail with ZCONNECTIONLOSS (ZSSLCONNECTIONERROR when the TLS
    /// layer failed); a refused address is passed over for a while. On an
    /// established session the connection is lost, whatever the kind.
    pub fn transport_error(&mut self, now: Instant, e: TransportError) {
        if let (TransportError::Refused(_), Conn::Opening { addr, .. }) = (&e, self.conn) {
            let known = self.refused.iter().position(|(a, ..)| *a == addr);
            let d = self.backoff.refused_penalty(known.map(|i| self.refused[i].2), self.timeout);
            match known {
                Some(i) => self.refused[i] = (addr, now + d, d),
                None => self.refused.push((addr, now + d, d)),
            }
        }
        let rc = if e.is_tls() { Error::SslConnectionError } else { Error::ConnectionLoss };
        self.attempt_failed(now, rc, &e.to_string());
    }

    fn attempt_failed(&mut self, now: Instant, rc: Error, msg: &str) {
        match self.conn {
            Conn::Opening { addr, .. } | Conn::Handshake { addr, .. } | Conn::Authenticating { addr, .. } => {
                self.disconnect = true;
                if self.is_closing() {
                    self.finish();
                    return;
                }
                zlog!(
                    self.log_cb,
                    ZOO_LOG_LEVEL_ERROR,
                    "handle_socket_error_msg",
                    "Socket {} zk retcode={}, {}",
                    format_addr(&addr),
                    rc,
                    msg
                );
                self.set_state(self.down_state);
                // As the reference: calls made while disconnected fail with
                // ZCONNECTIONLOSS (ZSSLCONNECTIONERROR after a TLS failure)
                // when a connection attempt fails, so that no caller waits
                // on a server that is not there.
                self.fail_pending(rc);
                let delay = self.backoff.delay(self.timeout);
                if !delay.is_zero() {
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_WARN,
                        "zookeeper_interest",
                        "Delaying connection after exhaustively trying all servers [{}]",
                        self.hosts.spec
                    );
                }
                self.conn = Conn::Down { retry_at: now + delay };
            }
            Conn::Up { .. } => self.lose(now, Error::ConnectionLoss, msg),
            _ => {}
        }
    }

    /// An established connection is lost: every call in flight fails with `rc`.
    fn lose(&mut self, now: Instant, rc: Error, msg: &str) {
        let Conn::Up { addr, last_recv, .. } = self.conn else { return };
        self.last_contact = Some(last_recv);
        self.disconnect = true;
        self.published.set_connected(None);
        if self.is_closing() {
            self.finish();
            return;
        }
        self.lost_since_resolution = true;
        if !msg.is_empty() {
            zlog!(self.log_cb, ZOO_LOG_LEVEL_ERROR, "handle_socket_error_msg", "Socket {} zk retcode={}, {}", format_addr(&addr), rc, msg);
        }
        let was = self.state;
        self.set_state(self.down_state);
        if was == SessionState::Connected || was == SessionState::ReadOnly {
            self.session_event(SessionState::Connecting);
        }
        self.fail_pending(rc);
        self.probing = false;
        self.conn = Conn::Down { retry_at: now };
    }

    /// The answer of a read-write probe.
    pub fn probe_done(&mut self, now: Instant, addr: SocketAddr, rw: bool) {
        self.probing = false;
        if self.state != SessionState::ReadOnly || self.is_closing() {
            return;
        }
        if rw {
            zlog!(self.log_cb, ZOO_LOG_LEVEL_INFO, "zookeeper_interest", "r/w server found at {}", format_addr(&addr));
            if let Some(i) = self.hosts.addrs.iter().position(|x| *x == addr) {
                self.hosts.next = i;
            }
            self.lose(now, Error::ConnectionLoss, "");
            self.lost_since_resolution = false; // a move of ours: no name changed
        } else {
            let n = self.hosts.addrs.len().max(1);
            self.hosts.next = (self.hosts.next + 1) % n;
        }
    }

    /// Bytes to write now (empty while a small batch waits to be coalesced).
    pub fn output(&self, now: Instant) -> &[u8] {
        if self.holding(now) {
            return &[];
        }
        &self.out[self.out_off..]
    }

    /// Whether anything waits to be written (now or after coalescing).
    pub fn wants_write(&self) -> bool {
        self.out_off < self.out.len()
    }

    fn holding(&self, now: Instant) -> bool {
        self.out_off == 0
            && !self.out.is_empty()
            && matches!(self.conn, Conn::Up { .. })
            && self.unanswered >= COALESCE_MIN_INFLIGHT
            && self.out.len() < COALESCE_BYTES
            && !self.is_closing()
            && now < self.hold_until
    }

    /// `n` bytes of `output()` were written.
    pub fn wrote(&mut self, n: usize, now: Instant) {
        if n == 0 {
            return;
        }
        self.out_off += n;
        if let Conn::Up { ref mut last_send, .. } = self.conn {
            *last_send = now;
        }
        if self.out_off >= self.out.len() {
            self.unanswered += std::mem::take(&mut self.out_frames);
            if self.out.capacity() > 1 << 20 {
                self.out = Vec::new();
            } else {
                self.out.clear();
            }
            self.out_off = 0;
        }
    }

    fn append_out(&mut self, bytes: &[u8], now: Instant) {
        if self.out_off >= self.out.len() {
            self.out.clear();
            self.out_off = 0;
        }
        if self.out.is_empty() {
            self.hold_until = now + COALESCE;
        }
        self.out.extend_from_slice(bytes);
    }

    /// The buffer the driver reads into, with room for at least `want` bytes
    /// (the rest of the frame being received, so that a large reply is read
    /// in place).
    pub fn read_buffer(&mut self) -> &mut BytesMut {
        // The buffer is full to its end only when the last read filled all
        // the room offered (processing frames splits off its front).
        if self.read_offered && self.rbuf.len() == self.rbuf.capacity() && self.read_chunk < READ_CHUNK_MAX {
            self.read_chunk *= 2;
        }
        self.read_offered = true;
        let want = self.pending_frame_end().saturating_sub(self.rbuf.len()).max(self.read_chunk);
        self.rbuf.reserve(want);
        &mut self.rbuf
    }

    /// Where the frame being received ends in the read buffer, if its length is known.
    fn pending_frame_end(&self) -> usize {
        if self.rbuf.len() < 4 {
            return 4;
        }
        let len = i32::from_be_bytes(self.rbuf[..4].try_into().unwrap());
        if len < 0 || len as usize > MAX_FRAME {
            return 0;
        }
        4 + len as usize
    }

    /// Bytes were appended to the read buffer: processes every complete frame.
    /// The receive timeout counts complete frames only.
    pub fn received(&mut self, now: Instant) {
        loop {
            if self.rbuf.len() < 4 {
                return;
            }
            let len = i32::from_be_bytes(self.rbuf[..4].try_into().unwrap());
            let handshake = matches!(self.conn, Conn::Handshake { .. });
            let limit = if handshake { MAX_HANDSHAKE_FRAME } else { MAX_FRAME };
            if len < 0 || len as usize > limit || (!handshake && len < 16) {
                zlog!(self.log_cb, ZOO_LOG_LEVEL_ERROR, "check_events", "invalid frame length {} from server", len);
                if handshake || matches!(self.conn, Conn::Authenticating { .. }) {
                    self.transport_error(now, TransportError::Protocol("malformed handshake response"));
                } else {
                    self.lose(now, Error::MarshallingError, "invalid frame length");
                }
                return;
            }
            if self.rbuf.len() < 4 + len as usize {
                return;
            }
            let mut f = self.rbuf.split_to(4 + len as usize);
            f.advance(4);
            let frame = f.freeze();
            match self.conn {
                Conn::Handshake { addr, .. } => self.establish(now, addr, &frame),
                Conn::Authenticating { .. } => self.sasl_reply(now, &frame),
                Conn::Up { ref mut last_recv, .. } => {
                    *last_recv = now;
                    self.process_frame(now, frame);
                }
                _ => return,
            }
        }
    }

    /// The handshake answer: expiry check, session identity, state and the
    /// CONNECTED event; then auth and watches are re-sent, then held requests.
    fn establish(&mut self, now: Instant, addr: SocketAddr, frame: &Bytes) {
        let Ok(resp) = records::decode_connect(frame) else {
            self.transport_error(now, TransportError::Protocol("malformed handshake response"));
            return;
        };
        let oldid = if self.seen_rw { self.session_id } else { 0 };
        if resp.timeout <= 0 || (oldid != 0 && oldid != resp.session_id) {
            zlog!(self.log_cb, ZOO_LOG_LEVEL_ERROR, "check_events", "sessionId={:#x} has expired.", oldid);
            self.end(SessionState::ExpiredSession, Error::SessionExpired);
            return;
        }
        if !resp.read_only {
            self.seen_rw = true;
        }
        self.timeout = resp.timeout;
        self.published.set_timeout(resp.timeout);
        self.session_id = resp.session_id;
        self.passwd = [0; 16];
        for (d, s) in self.passwd.iter_mut().zip(resp.passwd.iter()) {
            *d = *s;
        }
        self.published.set_session(resp.session_id, &resp.passwd);
        self.last_contact = Some(now);
        if self.sasl.is_some() {
            // As the reference: the state stays ASSOCIATING and nothing else
            // is sent until the SASL exchange ends.
            let deadline = now + self.recv_limit();
            self.conn = Conn::Authenticating { addr, deadline, read_only: resp.read_only, xid: 0, last: false };
            let first = self.sasl.as_mut().map(|m| m.start(addr));
            match first {
                Some(Ok(step)) => self.sasl_send(now, step),
                Some(Err(msg)) => self.sasl_failed(&msg),
                None => {}
            }
            return;
        }
        self.finalize(now, addr, resp.read_only);
    }

    /// The session is established (after SASL, if any): state and the
    /// CONNECTED event; then auth and watches are re-sent, then held requests.
    fn finalize(&mut self, now: Instant, addr: SocketAddr, read_only: bool) {
        let st = if read_only { SessionState::ReadOnly } else { SessionState::Connected };
        // A server that got this far serves: the back-off starts again.
        self.backoff.connected();
        self.refused.clear();
        self.published.set_connected(Some(addr));
        self.set_state(st);
        zlog!(
            self.log_cb,
            ZOO_LOG_LEVEL_INFO,
            "finalize_session_establishment",
            "session establishment complete on server {}, sessionId={:#x}, negotiated timeout={} {}",
            format_addr(&addr),
            self.session_id,
            self.timeout,
            if read_only { "(READ-ONLY mode)" } else { "" }
        );
        self.conn = Conn::Up { addr, last_recv: now, last_send: now };
        self.rw_interval = RW_PROBE_FIRST;
        self.rw_probe_at = now + RW_PROBE_FIRST;
        self.session_event(st);
        // Auth first, then watches, then what callers queued meanwhile.
        let mut f = Vec::new();
        let mut frames = 0;
        if !self.auths.is_empty() {
            zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "send_auth_info", "Sending all auth info request to {}", format_addr(&addr));
        }
        for (scheme, cred) in &self.auths {
            auth_frame(&mut f, scheme, cred.as_deref());
            frames += 1;
        }
        if !self.watches.is_empty() || self.watches.has_persistent() {
            zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "send_set_watches", "Sending set watches request to {}", format_addr(&addr));
        }
        if self.watches.has_persistent() {
            // Persistent watches exist: SetWatches2 carries them too (3.6+).
            let [d, e, c] = self.watches.paths();
            let (p, r) = self.watches.persistent_paths();
            frames += set_watches_frames_of(&mut f, self.last_zxid, ZOO_SETWATCHES2_OP, &[&d, &e, &c, &p, &r]);
        } else if !self.watches.is_empty() {
            let [d, e, c] = self.watches.paths();
            frames += set_watches_frames(&mut f, self.last_zxid, [&d, &e, &c]);
        }
        let mut held = std::mem::take(&mut self.held);
        f.extend_from_slice(&held.buf);
        frames += held.entries.len();
        self.sent.append(&mut held.entries);
        self.out_frames += frames;
        self.append_out(&f, now);
    }

    /// Sends the mechanism's next token, or ends the exchange.
    fn sasl_send(&mut self, now: Instant, step: sasl::Step) {
        let Conn::Authenticating { addr, read_only, .. } = self.conn else { return };
        let (token, last) = match step {
            sasl::Step::Continue(t) => (t, false),
            sasl::Step::Complete(Some(t)) => (t, true),
            sasl::Step::Complete(None) => {
                zlog!(
                    self.log_cb,
                    ZOO_LOG_LEVEL_INFO,
                    "process_sasl_response",
                    "SASL authentication succeeded on server {}",
                    format_addr(&addr)
                );
                return self.finalize(now, addr, read_only);
            }
        };
        let xid = self.xids.next();
        let mut f = Vec::new();
        control_frame(xid, ZOO_SASL_OP, &mut f, |w| w.bytes(Some(&token)));
        zlog!(
            self.log_cb,
            ZOO_LOG_LEVEL_DEBUG,
            "queue_sasl_request",
            "Sending SASL request xid={:#x} token_len={} to {}",
            xid,
            token.len(),
            format_addr(&addr)
        );
        self.out_frames += 1;
        self.append_out(&f, now);
        if let Conn::Authenticating { xid: ref mut x, last: ref mut l, .. } = self.conn {
            *x = xid;
            *l = last;
        }
    }

    /// A reply during the SASL exchange.
    fn sasl_reply(&mut self, now: Instant, frame: &Bytes) {
        let Conn::Authenticating { xid, last, .. } = self.conn else { return };
        let mut r = Reader::new(frame);
        let Ok(records::ReplyHeader { xid: rxid, err, .. }) = records::decode_reply_header(&mut r) else {
            return self.transport_error(now, TransportError::Protocol("malformed SASL reply"));
        };
        self.unanswered = self.unanswered.saturating_sub(1);
        if rxid != xid {
            zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_ERROR,
                "process_sasl_response",
                "unexpected server response during SASL authentication: expected {:#x}, but received {:#x}",
                xid,
                rxid
            );
            return self.transport_error(now, TransportError::Protocol("unexpected reply during SASL authentication"));
        }
        if let Err(err) = errors::result(err) {
            let why = match err {
                Error::AuthFailed => "ZAUTHFAILED: wrong credentials, unknown user or mechanism",
                Error::SessionClosedRequireSaslAuth => "ZSESSIONCLOSEDREQUIRESASLAUTH",
                _ => "",
            };
            return self.sasl_failed(&format!("the server refused it (error {err} {why})"));
        }
        let next_deadline = now + self.recv_limit();
        if let Conn::Authenticating { ref mut deadline, .. } = self.conn {
            *deadline = next_deadline;
        }
        // SetSASLResponse { buffer token }: absent when the reply ends there.
        let token = if r.remaining() > 0 {
            match r.bytes() {
                Ok(t) => t,
                Err(_) => return self.transport_error(now, TransportError::Protocol("malformed SASL reply")),
            }
        } else {
            None
        };
        if last {
            // The mechanism finished: an answer with more to exchange means
            // the server runs another mechanism, and nobody authenticated.
            if token.is_some_and(|t| !t.is_empty()) {
                return self
                    .sasl_failed("the server sent a challenge after the mechanism completed (does the server offer this mechanism?)");
            }
            return self.sasl_send(now, sasl::Step::Complete(None));
        }
        let next = self.sasl.as_mut().map(|m| m.step(token));
        match next {
            Some(Ok(step)) => self.sasl_send(now, step),
            Some(Err(msg)) => self.sasl_failed(&msg),
            None => {}
        }
    }

    /// SASL authentication failed: as a failed `zoo_add_auth`, the session
    /// ends in AUTH_FAILED (watchers see it) and every call fails with ZAUTHFAILED.
    fn sasl_failed(&mut self, msg: &str) {
        let server = self.peer().map(|a| format_addr(&a)).unwrap_or_default();
        zlog!(self.log_cb, ZOO_LOG_LEVEL_ERROR, "zoo_sasl_mark_failed", "SASL authentication with server {} failed: {}", server, msg);
        self.end(SessionState::AuthFailed, Error::AuthFailed);
    }

    /// The session is over for good (expired, auth failed): watchers learn
    /// it, every call fails, no more connections.
    fn end(&mut self, state: SessionState, rc: Error) {
        if self.has_transport() {
            self.disconnect = true;
        }
        self.published.set_connected(None);
        self.set_state(state);
        self.session_event(state);
        self.fail_pending(rc);
        self.conn = Conn::Ended;
        if self.is_closing() {
            self.finish();
        } else {
            self.phase = Phase::Ended { rc };
        }
    }

    /// After a bug of ours in a driver: the session ends here (watchers see
    /// it expire, calls fail with ZSYSTEMERROR) rather than leave callers
    /// waiting; the handle still closes normally.
    pub fn abandon(&mut self) {
        if self.conn != Conn::Ended {
            self.end(SessionState::ExpiredSession, Error::SystemError);
        } else if self.is_closing() {
            self.finish();
        }
    }

    // Not inlined into `received`: its locals would sit below every
    // handshake answer's calls too, one stack page deeper in every session.
    #[inline(never)]
    fn process_frame(&mut self, now: Instant, frame: Bytes) {
        let mut r = Reader::new(&frame);
        let Ok(records::ReplyHeader { xid, zxid, err }) = records::decode_reply_header(&mut r) else {
            return self.lose(now, Error::MarshallingError, "malformed reply header");
        };
        if zxid > 0 && zxid > self.last_zxid {
            self.last_zxid = zxid;
        }
        if xid != WATCHER_EVENT_XID {
            self.unanswered = self.unanswered.saturating_sub(1);
        }
        match xid {
            WATCHER_EVENT_XID => {
                zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "zookeeper_process", "Processing WATCHER_EVENT");
                let Ok(ev) = records::decode_event(&mut r) else {
                    return self.lose(now, Error::MarshallingError, "malformed watcher event");
                };
                if self.is_closing() {
                    // As the reference: no watcher runs once zookeeper_close
                    // began (the session's own ephemerals vanish while it closes).
                    return;
                }
                let ws = self.watches.trigger(ev.ty, &ev.path);
                zlog!(
                    self.log_cb,
                    ZOO_LOG_LEVEL_DEBUG,
                    "process_completions",
                    "Calling a watcher for node [{}], type = {} event={}",
                    String::from_utf8_lossy(&self.client_path(&ev.path)),
                    COMPLETION_WATCH,
                    event_name(ev.ty)
                );
                if !ws.is_empty() && ev.ty != SESSION_EVENT {
                    let p = CString::new(self.client_path(&ev.path)).unwrap_or_default();
                    self.jobs.push(Job::Watch { watchers: ws, ty: ev.ty, state: ev.state, path: p, with_default: false });
                }
            }
            PING_XID => {
                if let Conn::Up { last_send, .. } = self.conn {
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_DEBUG,
                        "zookeeper_process",
                        "Got ping response in {} ms",
                        now.saturating_duration_since(last_send).as_millis()
                    );
                }
            }
            SET_WATCHES_XID => {
                zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "zookeeper_process", "Processing SET_WATCHES");
            }
            AUTH_XID => {
                zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "zookeeper_process", "Processing AUTH_XID");
                // As the reference: one auth reply answers every waiting auth completion.
                for cb in self.auth_waiting.drain(..) {
                    self.jobs.push(Job::Complete(cb, errors::result(err), None));
                }
                if err != 0 {
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_ERROR,
                        "auth_completion_func",
                        "Authentication scheme {} failed. Connection closed.",
                        self.last_auth_scheme()
                    );
                    self.end(SessionState::AuthFailed, Error::AuthFailed);
                } else {
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_INFO,
                        "auth_completion_func",
                        "Authentication scheme {} succeeded",
                        self.last_auth_scheme()
                    );
                }
            }
            _ => {
                let matches = self.sent.front().is_some_and(|p| p.xid == xid);
                if !matches {
                    let expected = self.sent.front().map(|p| p.xid).unwrap_or(0);
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_ERROR,
                        "zookeeper_process",
                        "unexpected server response: expected {:#x}, but received {:#x}",
                        expected,
                        xid
                    );
                    return self.lose(now, Error::RuntimeInconsistency, "unexpected server response");
                }
                let p = self.sent.pop_front().unwrap();
                if p.close {
                    self.finish();
                    return;
                }
                let kind = completion_kind(p.expect);
                if let Done::Inline(_) = p.done {
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_DEBUG,
                        "process_sync_completion",
                        "Processing sync_completion with type={} xid={:#x} rc={}",
                        kind,
                        xid,
                        err
                    );
                } else {
                    zlog!(self.log_cb, ZOO_LOG_LEVEL_DEBUG, "zookeeper_process", "Queueing asynchronous response");
                    // The reference writes a comma before rc for the two string kinds.
                    let comma = if kind == COMPLETION_STRING || kind == COMPLETION_STRING_STAT { "," } else { "" };
                    zlog!(
                        self.log_cb,
                        ZOO_LOG_LEVEL_DEBUG,
                        "deserialize_response",
                        "Calling {} for xid={:#x} failed={}{} rc={}",
                        completion_name(kind),
                        xid,
                        (err != 0) as i32,
                        comma,
                        err
                    );
                }
                let decode = err == 0 || (p.expect == Expect::Multi && r.remaining() > 0);
                let (rc, reply) = if decode {
                    match decode_reply_in(p.expect, Some(&frame), &mut r) {
                        Ok(rep) => (errors::result(err), Some(rep)),
                        Err(_) => (Err(Error::MarshallingError), None),
                    }
                } else {
                    (errors::result(err), None)
                };
                if let Some(reg) = &p.watch {
                    self.watches.activate(reg, rc);
                }
                if let (Some(u), Ok(())) = (&p.unwatch, rc) {
                    self.watches.remove(&u.path, u.wtype, u.watcher);
                }
                deliver(&mut self.jobs, p.done, rc, reply);
            }
        }
    }

    /// The scheme of the latest credentials, for the auth log lines.
    fn last_auth_scheme(&self) -> String {
        self.auths.last().map(|(s, _)| String::from_utf8_lossy(s).into_owned()).unwrap_or_default()
    }

    /// Queues a session event for the default watcher and every watcher
    /// registered on a path, as the reference does.
    fn session_event(&mut self, state: SessionState) {
        match state {
            SessionState::Connected | SessionState::ReadOnly => zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_DEBUG,
                "finalize_session_establishment",
                "Calling a watcher for a ZOO_SESSION_EVENT and the state={}",
                state.name()
            ),
            SessionState::Connecting => zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_DEBUG,
                "handle_error",
                "Calling a watcher for a ZOO_SESSION_EVENT and the state=CONNECTING_STATE"
            ),
            _ => {}
        }
        zlog!(
            self.log_cb,
            ZOO_LOG_LEVEL_DEBUG,
            "process_completions",
            "Calling a watcher for node [], type = {} event={}",
            COMPLETION_WATCH,
            event_name(SESSION_EVENT)
        );
        let mut ws: Vec<Watcher> = Vec::new();
        self.watches.all(&mut ws);
        self.jobs.push(Job::Watch { watchers: ws, ty: SESSION_EVENT, state: state.code(), path: CString::default(), with_default: true });
    }

    // ---- time ----------------------------------------------------------

    /// When the session counts as expired on the client's side (opt-in):
    /// the session timeout after the last contact, while disconnected.
    fn client_expiry_at(&self) -> Option<Instant> {
        if !self.client_expiry || self.is_closing() || matches!(self.conn, Conn::Up { .. } | Conn::Ended) {
            return None;
        }
        Some(self.last_contact? + Duration::from_millis(self.timeout.max(1) as u64))
    }

    /// Acts on the clock: timeouts, pings, the end of a close. Returns the
    /// code of what the clock ended, if anything: ZOPERATIONTIMEOUT when a
    /// connection timed out (connect, handshake, SASL or receive timeout),
    /// ZSESSIONEXPIRED when the client-side expiry ended the session (what
    /// the ST library's `zookeeper_interest` returns then, as the reference).
    pub fn tick(&mut self, now: Instant) -> Option<Error> {
        if self.client_expiry_at().is_some_and(|t| now >= t) {
            zlog!(
                self.log_cb,
                ZOO_LOG_LEVEL_ERROR,
                "zookeeper_interest",
                "no server reached for the session timeout ({} ms): sessionId={:#x} expired on the client side",
                self.timeout,
                self.session_id
            );
            self.end(SessionState::ExpiredSession, Error::SessionExpired);
            return Some(Error::SessionExpired);
        }
        if self.move_server && !self.is_closing() {
            if let Conn::Up { .. } = self.conn {
                self.move_server = false;
                zlog!(self.log_cb, ZOO_LOG_LEVEL_INFO, "zoo_set_servers", "moving to another server of the new list");
                self.lose(now, Error::ConnectionLoss, "");
                self.lost_since_resolution = false; // a move of ours: no name changed
                return None;
            }
            self.move_server = false;
        }
        match self.conn {
            Conn::Opening { deadline, .. } | Conn::Handshake { deadline, .. } if now >= deadline => {
                self.transport_error(now, TransportError::TimedOut("connection to the server timed out"));
                return Some(Error::OperationTimeout);
            }
            Conn::Authenticating { deadline, .. } if now >= deadline => {
                self.transport_error(now, TransportError::TimedOut("no answer during SASL authentication"));
                return Some(Error::OperationTimeout);
            }
            Conn::Up { last_recv, last_send, .. } => {
                if let Some(d) = self.phase.close_deadline() {
                    if now >= d {
                        zlog!(
                            self.log_cb,
                            ZOO_LOG_LEVEL_WARN,
                            "zookeeper_close",
                            "Timed out ({}ms) during waiting for server's reply after sending a close request, sessionId={:#x}",
                            (self.timeout.max(1) as u64).min(CLOSE_WAIT_MAX_MS),
                            self.session_id
                        );
                        self.finish();
                        return None;
                    }
                }
                let recv_limit = self.recv_limit();
                let idle = now.saturating_duration_since(last_recv);
                if idle >= recv_limit {
                    let msg = format!(
                        "connection to {} timed out (exceeded timeout by {}ms)",
                        self.published.current_server_string(),
                        (idle - recv_limit).as_millis()
                    );
                    zlog!(self.log_cb, ZOO_LOG_LEVEL_ERROR, "zookeeper_interest", "{}", msg);
                    self.lose(now, Error::OperationTimeout, "");
                    return Some(Error::OperationTimeout);
                }
                if !self.wants_write() && now.saturating_duration_since(last_send) >= self.ping_every() && !self.is_closing() {
                    let mut f = Vec::new();
                    control_frame(PING_XID, ZOO_PING_OP, &mut f, |_| {});
                    self.out_frames += 1;
                    self.append_out(&f, now);
                }
            }
            _ => {}
        }
        None
    }

    fn recv_limit(&self) -> Duration {
        Duration::from_millis(self.timeout.max(30) as u64 * 2 / 3)
    }

    fn ping_every(&self) -> Duration {
        Duration::from_millis(self.timeout.max(30) as u64 / 3)
    }

    /// When `tick` next has something to do (None: nothing until an event).
    pub fn deadline(&self, now: Instant) -> Option<Instant> {
        if self.disconnect || self.is_finished() {
            return Some(now);
        }
        let mut d = match self.conn {
            Conn::Down { retry_at } => Some(if self.is_closing() { now } else { retry_at }),
            // While connecting, also wake after a third of the timeout (what
            // the reference's zookeeper_interest reports then).
            // Once that point has passed, the connect deadline (else a
            // driver would be woken at once, again and again, until then).
            Conn::Opening { deadline, .. } | Conn::Handshake { deadline, .. } => {
                let third = deadline - self.connect_timeout() + self.ping_every();
                Some(if third > now { third.min(deadline) } else { deadline })
            }
            Conn::Authenticating { deadline, .. } => Some(deadline),
            Conn::Up { last_recv, last_send, .. } => {
                let mut d = last_recv + self.recv_limit();
                // No ping while closing (tick sends none): its time must not
                // wake the driver again and again.
                if !self.wants_write() && !self.is_closing() {
                    d = d.min(last_send + self.ping_every());
                }
                if let Some(c) = self.phase.close_deadline() {
                    d = d.min(c);
                }
                if self.holding(now) {
                    d = d.min(self.hold_until);
                }
                if self.state == SessionState::ReadOnly && !self.probing && !self.is_closing() {
                    d = d.min(self.rw_probe_at);
                }
                Some(d)
            }
            Conn::Ended => None,
        };
        if (self.move_server || self.names_wanted_now(now)) && !self.is_closing() {
            d = Some(now);
        }
        if let Some(t) = self.client_expiry_at() {
            d = Some(d.map_or(t, |x| x.min(t)));
        }
        d
    }
}

/// The reference's completion kind of a reply, for its DEBUG lines.
fn completion_kind(e: Expect) -> i32 {
    match e {
        Expect::Void => COMPLETION_VOID,
        Expect::Stat => COMPLETION_STAT,
        Expect::Data => COMPLETION_DATA,
        Expect::Children => COMPLETION_STRINGLIST,
        Expect::Children2 => COMPLETION_STRINGLIST_STAT,
        Expect::Path => COMPLETION_STRING,
        Expect::Path2 => COMPLETION_STRING_STAT,
        Expect::Acl => COMPLETION_ACLLIST,
        Expect::Multi => COMPLETION_MULTI,
        // Requests of the extensions (zookeeper_ext.h), which the
        // reference 3.8.0 does not have: no kind of its to print.
        Expect::Number | Expect::Identities => COMPLETION_VOID,
    }
}

/// Hands a result to its caller.
fn deliver(jobs: &mut Vec<Job>, done: Done, rc: Result<(), Error>, reply: Option<records::Reply>) {
    match done {
        Done::Queue(cb) => jobs.push(Job::Complete(cb, rc, reply)),
        Done::Inline(cb) => cb(rc, reply),
        Done::Nothing => {}
    }
}

fn auth_frame(out: &mut Vec<u8>, scheme: &[u8], cred: Option<&[u8]>) {
    control_frame(AUTH_XID, ZOO_SETAUTH_OP, out, |w| {
        w.int(0);
        w.string(scheme);
        w.bytes(cred);
    });
}

/// Appends as many SetWatches requests as needed to re-register the data,
/// exist and child watches; returns how many.
pub fn set_watches_frames(out: &mut Vec<u8>, zxid: i64, lists: [&Vec<Vec<u8>>; 3]) -> usize {
    set_watches_frames_of(out, zxid, ZOO_SETWATCHES_OP, &lists)
}

/// SetWatches (three lists) or SetWatches2 (five lists, with the
/// persistent and persistent-recursive watches), split so that each request
/// stays under `SET_WATCHES_MAX_BYTES`; returns how many.
pub fn set_watches_frames_of(out: &mut Vec<u8>, zxid: i64, opcode: i32, lists: &[&Vec<Vec<u8>>]) -> usize {
    let mut frames = 0;
    let n = lists.len();
    let mut idx = vec![0usize; n];
    while idx.iter().zip(lists.iter()).any(|(i, l)| *i < l.len()) {
        // Take paths from the lists until the request is full.
        let mut take: Vec<Vec<&Vec<u8>>> = vec![Vec::new(); n];
        let mut size = 8 + 4 * n + 8 + 8;
        for k in 0..n {
            while idx[k] < lists[k].len() {
                let p = &lists[k][idx[k]];
                if size + 4 + p.len() > SET_WATCHES_MAX_BYTES && take.iter().any(|t| !t.is_empty()) {
                    break;
                }
                size += 4 + p.len();
                take[k].push(p);
                idx[k] += 1;
            }
        }
        control_frame(SET_WATCHES_XID, opcode, out, |wr| {
            wr.long(zxid);
            for t in &take {
                wr.strings(t);
            }
        });
        frames += 1;
    }
    frames
}
