//! What a driver turn does the same way in both drivers (the MT IO thread,
//! the ST library's calls): hand the core the callers' requests, apply
//! socket readiness, carry out the actions it asks for, write what it has
//! to send. The drivers differ only in what they do around these steps
//! (when timers run, who runs callbacks, how a dropped socket and a
//! read-write probe are handled), which `Conduct` says.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::handle::ZHandle;
use super::socket::{self, Transport};
use crate::session::{Action, Session};

/// How long a read-write probe ("isro") may take to connect and to answer.
/// One value for both drivers: a server that needs longer than this on a
/// healthy network is not one to move a read-only session to, and the ST
/// library's probe runs on the caller's thread.
pub const RW_PROBE_LIMIT: Duration = Duration::from_millis(200);

/// The driver's side of the actions.
pub trait Conduct {
    /// The connection, if one is open or being opened.
    fn transport(&mut self) -> &mut Option<Transport>;
    /// The core dropped the connection (or the handle finished).
    fn drop_transport(&mut self);
    /// Ask `addr` whether it serves reads and writes; the answer goes to
    /// `core.probe_done` (now or in a later turn).
    fn probe(&mut self, core: &mut Session, addr: SocketAddr, now: Instant);
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
            Action::Connect(addr) => match socket::open(&addr, core, zh.tls.as_deref()) {
                Ok(t) => *d.transport() = Some(t),
                Err(msg) => core.transport_failed(now, &msg),
            },
            Action::ProbeRw(addr) => d.probe(core, addr, now),
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
