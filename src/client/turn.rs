//! What a driver turn does the same way in both drivers (the MT IO thread,
//! the ST library's calls): hand the core the callers' requests, apply
//! socket readiness, carry out the actions it asks for, write what it has
//! to send. The drivers differ only in what they do around these steps
//! (when timers run, who runs callbacks, how a dropped socket and a
//! read-write probe are handled), which `Conduct` says.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::handle::ZHandle;
use super::socket::{self, RwAnswer, Transport};
use super::tls::{self, TlsSettings};
use crate::log::LogTarget;
use crate::session::hosts::format_addr;
use crate::session::{Action, Session};

/// How long a read-write probe ("isro") may take in all: connect, TLS
/// handshake (a TLS session probes over TLS), question and answer. One
/// value for both drivers: a server that needs longer than this on a
/// healthy network is not one to move a read-only session to, and the ST
/// library's probe runs on the caller's thread (inside
/// `zookeeper_interest`, which it holds that long at most).
pub const RW_PROBE_LIMIT: Duration = Duration::from_millis(200);

/// A read-write probe to run: the server, and for a TLS session the
/// settings and the name its certificate must have (as a connection of the
/// session to that server would check it). Made under the core's lock, run
/// without it (MT: on a thread of its own; ST: on the caller's thread).
pub struct RwProbe {
    addr: SocketAddr,
    tls: Option<(Arc<TlsSettings>, rustls::pki_types::ServerName<'static>)>,
}

impl RwProbe {
    pub fn new(zh: &ZHandle, core: &Session, addr: SocketAddr) -> RwProbe {
        let tls =
            zh.tls.as_ref().map(|s| (s.clone(), tls::server_name_for(&addr, &core.hosts.hosts, zh.resolutions.origin(&addr).as_deref())));
        RwProbe { addr, tls }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Asks the server (at most `RW_PROBE_LIMIT`); whether it serves reads
    /// and writes. Why a probe found none is logged: a TLS failure (an
    /// untrusted certificate, a name it does not have) as a warning, the
    /// rest (a server down or read-only, the usual case) at debug level.
    pub fn run(self, log_cb: LogTarget) -> bool {
        let t0 = Instant::now();
        let via = if self.tls.is_some() { "TLS" } else { "TCP" };
        let answer = match self.tls {
            Some((s, name)) => match tls::connection(&s, name) {
                Ok(c) => socket::probe_rw(&self.addr, Some(c), RW_PROBE_LIMIT),
                Err(e) => RwAnswer::Failed(e),
            },
            None => socket::probe_rw(&self.addr, None, RW_PROBE_LIMIT),
        };
        let (addr, ms) = (format_addr(&self.addr), t0.elapsed().as_millis());
        match answer {
            RwAnswer::ReadWrite => {
                crate::zlog!(log_cb, ZOO_LOG_LEVEL_DEBUG, "ping_rw_server", "{addr} answered \"rw\" over {via} in {ms} ms");
                true
            }
            RwAnswer::Other(a) => {
                crate::zlog!(log_cb, ZOO_LOG_LEVEL_DEBUG, "ping_rw_server", "{addr} answered {a:?} over {via} in {ms} ms");
                false
            }
            RwAnswer::Failed(why) if why.is_tls() => {
                crate::zlog!(
                    log_cb,
                    ZOO_LOG_LEVEL_WARN,
                    "ping_rw_server",
                    "read-write probe of {addr} over {via} failed after {ms} ms: {why}"
                );
                false
            }
            RwAnswer::Failed(why) => {
                crate::zlog!(
                    log_cb,
                    ZOO_LOG_LEVEL_DEBUG,
                    "ping_rw_server",
                    "read-write probe of {addr} over {via} failed after {ms} ms: {why}"
                );
                false
            }
        }
    }
}

/// The driver's side of the actions.
pub trait Conduct {
    /// The connection, if one is open or being opened.
    fn transport(&mut self) -> &mut Option<Transport>;
    /// The core dropped the connection (or the handle finished).
    fn drop_transport(&mut self);
    /// Run the probe (whether its server serves reads and writes); the
    /// answer goes to `core.probe_done` (now or in a later turn).
    fn probe(&mut self, core: &mut Session, probe: RwProbe, now: Instant);
}

/// The start of every turn: where log lines go, the callers' requests, the
/// resolver's answer.
pub fn begin(zh: &ZHandle, core: &mut Session, now: Instant) {
    core.log_cb = zh.log_cb().into();
    core.accept(&mut zh.outbox.lock(), now);
    if let Some((epoch, addrs)) = zh.resolutions.take() {
        core.resolved(now, epoch, addrs);
    }
}

/// Applies socket readiness (connect, handshake, reads, writes). Returns
/// the bytes read.
pub fn io(core: &mut Session, d: &mut impl Conduct, readable: bool, writable: bool, now: Instant) -> usize {
    match d.transport().as_mut() {
        Some(t) => socket::pump(core, t, readable, writable, now),
        None => 0,
    }
}

/// Carries out what the core asks for until nothing is left. Returns true
/// once the handle is finished (stop driving).
pub fn act(zh: &ZHandle, core: &mut Session, d: &mut impl Conduct, now: Instant) -> bool {
    while let Some(a) = core.next_action(now) {
        match a {
            Action::Disconnect => d.drop_transport(),
            Action::Connect(addr) => match socket::open(&addr, core, zh.tls.as_deref(), zh.resolutions.origin(&addr).as_deref()) {
                Ok(t) => *d.transport() = Some(t),
                Err(e) => core.transport_error(now, e),
            },
            Action::ProbeRw(addr) => {
                let p = RwProbe::new(zh, core, addr);
                d.probe(core, p, now)
            }
            Action::Resolve { epoch, hosts } => zh.resolutions.ask(epoch, hosts),
            Action::Finished => {
                d.drop_transport();
                return true;
            }
        }
    }
    false
}

/// Writes what the core has to send, as far as the socket takes it now.
pub fn flush(core: &mut Session, d: &mut impl Conduct, now: Instant) {
    if let Some(t) = d.transport().as_mut() {
        socket::flush(core, t, now);
    }
}
