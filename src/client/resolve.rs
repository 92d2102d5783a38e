//! Name resolution for the session core: the system resolver
//! (`getaddrinfo`, through std), and the server order it starts with.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::Ordering;

use crate::session::hosts::{shuffle, HostPort, DETERMINISTIC};

/// Resolves every entry; names that do not resolve are skipped, an address
/// listed twice is kept once. Blocks while the system resolver does.
pub fn resolve(hosts: &[HostPort]) -> Vec<SocketAddr> {
    let mut v = Vec::new();
    for h in hosts {
        if let Ok(addrs) = (h.host.as_str(), h.port).to_socket_addrs() {
            for a in addrs {
                if !v.contains(&a) {
                    v.push(a);
                }
            }
        }
    }
    v
}

/// Resolves and, unless the order is deterministic, shuffles.
pub fn resolve_ordered(hosts: &[HostPort]) -> Vec<SocketAddr> {
    seed_once();
    let mut addrs = resolve(hosts);
    if !DETERMINISTIC.load(Ordering::Relaxed) {
        shuffle(&mut addrs);
    }
    addrs
}

/// Seeds the core's generator (server order, back-off jitter) once per
/// process, from the clock and the process id.
pub fn seed_once() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        crate::session::hosts::seed((t.as_nanos() as u64) ^ ((std::process::id() as u64) << 16));
    });
}
