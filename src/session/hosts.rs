//! The server list: parsing `h1:p1,[v6]:p2/chroot`, the addresses the
//! driver resolved the names to (the core asks, never resolves), and
//! cycling through them.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `zoo_deterministic_conn_order`: keep the listed order instead of shuffling.
pub static DETERMINISTIC: AtomicBool = AtomicBool::new(false);

/// One `host:port` entry of a connect string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    pub host: String,
    pub port: u16,
}

impl HostPort {
    /// The address of an entry that is an address literal (IPv4, or IPv6
    /// without a `%zone`): no resolver is needed for it. Names, and IPv6
    /// literals with a zone (whose index only the system knows), are None.
    pub fn literal(&self) -> Option<SocketAddr> {
        let ip: std::net::IpAddr = self.host.parse().ok()?;
        Some(SocketAddr::new(ip, self.port))
    }
}

/// An IPv6 literal, with or without a `%zone` (left to the resolver).
fn ipv6_literal(s: &str) -> Option<()> {
    let addr = s.split_once('%').map_or(s, |(a, _)| a);
    addr.parse::<std::net::Ipv6Addr>().ok().map(|_| ())
}

/// The port of an entry that names none (as the Java client).
pub const DEFAULT_PORT: u16 = 2181;

/// Splits a connect string into its host entries and its chroot, as the
/// Java client reads it: `host:port`, `host` (port 2181), `[v6]:port`,
/// `[v6]`, a bare IPv6 literal (port 2181), spaces around entries, an entry
/// listed twice kept once, `/chroot` after the last entry.
/// Returns `None` when an entry is malformed or there is no entry at all.
pub fn parse(s: &str) -> Option<(Vec<HostPort>, Option<String>)> {
    let (hosts, chroot) = match s.find('/') {
        Some(i) => (&s[..i], Some(&s[i..])),
        None => (s, None),
    };
    let chroot = match chroot {
        Some("/") | None => None,
        Some(c) => Some(c.to_string()),
    };
    let mut out = Vec::new();
    for part in hosts.split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (host, port) = if let Some(rest) = part.strip_prefix('[') {
            let end = rest.find(']')?;
            let host = &rest[..end];
            ipv6_literal(host)?;
            match &rest[end + 1..] {
                "" => (host, None),
                p => (host, Some(p.strip_prefix(':')?)),
            }
        } else if part.bytes().filter(|&b| b == b':').count() > 1 {
            // A bare IPv6 literal: no port can be told apart from it.
            ipv6_literal(part)?;
            (part, None)
        } else {
            match part.rfind(':') {
                Some(i) => (&part[..i], Some(&part[i + 1..])),
                None => (part, None),
            }
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return None;
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => match p.parse::<u32>().ok()? {
                0 | 65536.. => return None,
                p => p as u16,
            },
        };
        let hp = HostPort { host: host.to_string(), port };
        if !out.contains(&hp) {
            out.push(hp);
        }
    }
    if out.is_empty() {
        return None;
    }
    Some((out, chroot))
}

static SEED: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);

/// Seeds the generator behind `random_u64` (the driver does, once, from
/// the clock and the process id; tests leave the fixed default).
pub fn seed(s: u64) {
    SEED.store(s | 1, Ordering::Relaxed);
}

/// A small xorshift generator (per thread, from the seed), for shuffling
/// the server list and jittering back-off.
pub fn random_u64() -> u64 {
    use std::cell::Cell;
    thread_local!(static S: Cell<u64> = const { Cell::new(0) });
    S.with(|s| {
        let mut x = s.get();
        if x == 0 {
            x = SEED.fetch_add(0x6a09_e667_f3bc_c909, Ordering::Relaxed) | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        x
    })
}

pub fn shuffle<T>(v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = (random_u64() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

/// The addresses the client cycles through, and the names they come from.
///
/// Names are resolved by the driver, never here: the core asks for a
/// resolution (`ask`), the driver answers later (`take_resolution`).
pub struct HostList {
    pub spec: String,
    /// The entries (set once, by `new`: `names` is derived from them).
    pub hosts: Vec<HostPort>,
    /// Some entry is a name (only those need the resolver): read on every
    /// driver turn, so found once.
    names: bool,
    pub addrs: Vec<SocketAddr>,
    /// Index of the address to try next.
    pub next: usize,
    /// The address in use (or last tried).
    pub current: Option<SocketAddr>,
    /// `zoo_set_servers_resolution_delay`: names are resolved again at the
    /// start of a round of connection attempts once this much time passed
    /// since the last resolution (None: never again, unless no address is
    /// known at all).
    pub resolve_delay: Option<Duration>,
    /// When the names were last resolved (None: not yet).
    pub resolved_at: Option<Instant>,
    /// When the resolution the driver was asked for started (None: none asked).
    pub asked: Option<Instant>,
    /// Which list this is (`zoo_set_servers` makes a new one): an answer is
    /// taken only for the list it was asked for.
    pub epoch: u64,
}

impl HostList {
    /// A list from parsed entries: address literals are known at once
    /// (shuffled unless the order is deterministic); names wait for `ask`.
    pub fn new(spec: String, hosts: Vec<HostPort>) -> Self {
        let mut addrs: Vec<SocketAddr> = Vec::new();
        let mut names = false;
        for h in &hosts {
            match h.literal() {
                Some(a) if !addrs.contains(&a) => addrs.push(a),
                Some(_) => {}
                None => names = true,
            }
        }
        if !DETERMINISTIC.load(Ordering::Relaxed) {
            shuffle(&mut addrs);
        }
        HostList {
            spec,
            hosts,
            names,
            addrs,
            next: 0,
            current: None,
            resolve_delay: Some(Duration::ZERO),
            resolved_at: None,
            asked: None,
            epoch: 0,
        }
    }

    /// Whether some entry is a name (only those need the resolver).
    pub fn has_names(&self) -> bool {
        self.names
    }

    /// Whether the names should be resolved now: never resolved yet, or a
    /// round starts once the resolution delay passed, or no address is
    /// known at all (whatever the delay); not while an answer is awaited.
    pub fn resolution_due(&self, now: Instant) -> bool {
        if !self.has_names() || self.asked.is_some() {
            return false;
        }
        match self.resolved_at {
            None => true,
            Some(_) if self.addrs.is_empty() => true,
            Some(t) => self.resolve_delay.is_some_and(|d| now.saturating_duration_since(t) >= d),
        }
    }

    /// Whether a round of attempts starts with the next one.
    pub fn round_starts(&self) -> bool {
        self.next >= self.addrs.len()
    }

    /// A resolution is asked for now: the entries to resolve.
    pub fn ask(&mut self, now: Instant) -> Vec<HostPort> {
        self.asked = Some(now);
        self.hosts.clone()
    }

    /// The driver's answer: every entry's addresses (an empty answer keeps
    /// the list). Returns whether the list changed; a changed list is
    /// shuffled (unless deterministic) and its round starts again.
    /// Either way the round it was asked for goes on from the list's first
    /// address (one resolution per round, however short the delay).
    pub fn take_resolution(&mut self, now: Instant, mut fresh: Vec<SocketAddr>) -> bool {
        self.asked = None;
        self.resolved_at = Some(now);
        if self.round_starts() {
            self.next = 0;
        }
        if fresh.is_empty() || (fresh.len() == self.addrs.len() && fresh.iter().all(|a| self.addrs.contains(a))) {
            return false;
        }
        if !DETERMINISTIC.load(Ordering::Relaxed) {
            shuffle(&mut fresh);
        }
        self.addrs = fresh;
        self.next = 0;
        true
    }

    /// The next address to try, and whether it is the last of its round.
    pub fn advance(&mut self) -> Option<(SocketAddr, bool)> {
        if self.next >= self.addrs.len() {
            self.next = 0;
        }
        let a = *self.addrs.get(self.next)?;
        self.next += 1;
        self.current = Some(a);
        Some((a, self.next >= self.addrs.len()))
    }

    /// After the addresses were replaced (`zoo_set_servers`, or its names
    /// resolved): whether the client should move off the server it is on,
    /// `connected`: when that server left the list, or, to spread load as
    /// the list grows from N to M servers, with probability 1 - N/M (to one
    /// of the new servers), as the reference.
    pub fn rebalance(&mut self, old: &[SocketAddr], connected: Option<SocketAddr>) -> bool {
        let Some(cur) = connected else {
            return false;
        };
        self.current = Some(cur);
        match self.addrs.iter().position(|a| *a == cur) {
            None => {
                self.next = 0;
                true
            }
            Some(i) => {
                self.next = i + 1;
                let fresh: Vec<usize> = (0..self.addrs.len()).filter(|&k| !old.contains(&self.addrs[k])).collect();
                let (n, m) = (old.len() as u64, self.addrs.len() as u64);
                if m > n && !fresh.is_empty() && random_u64() % m >= n {
                    self.next = fresh[(random_u64() % fresh.len() as u64) as usize];
                    return true;
                }
                false
            }
        }
    }
}

pub fn format_addr(a: &SocketAddr) -> String {
    match a {
        SocketAddr::V4(v) => format!("{}:{}", v.ip(), v.port()),
        SocketAddr::V6(v) => format!("[{}]:{}", v.ip(), v.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn rebalance_moves_off_a_removed_server() {
        let (a, b) = (addr("127.0.0.1:1"), addr("127.0.0.1:2"));
        let mut h = HostList::new("b".into(), parse("127.0.0.1:2").unwrap().0);
        assert!(h.rebalance(&[a], Some(a)));
        assert_eq!(h.advance().unwrap().0, b);
        // staying on a server that remains when the list does not grow
        let mut h = HostList::new("ba".into(), parse("127.0.0.1:2,127.0.0.1:1").unwrap().0);
        assert!(!h.rebalance(&[a, b], Some(a)));
    }

    #[test]
    fn literals_are_known_and_names_asked_for() {
        let t0 = Instant::now();
        let mut h = HostList::new("x".into(), parse("127.0.0.1:1,[::1]:2,zk.example:3,[fe80::1%lo]:4").unwrap().0);
        assert_eq!(h.addrs.len(), 2, "the two literals");
        assert!(h.has_names() && h.resolution_due(t0));
        assert_eq!(h.ask(t0).len(), 4);
        assert!(!h.resolution_due(t0), "not while an answer is awaited");
        assert!(h.take_resolution(t0, vec![addr("127.0.0.1:1"), addr("[::1]:2"), addr("10.0.0.3:3")]));
        assert_eq!(h.addrs.len(), 3);
        assert!(!h.take_resolution(t0, vec![]), "an empty answer keeps the list");
        assert_eq!(h.addrs.len(), 3);
        let only = HostList::new("y".into(), parse("127.0.0.1:1").unwrap().0);
        assert!(!only.has_names() && !only.resolution_due(t0));
    }

    #[test]
    fn names_are_resolved_again_when_the_delay_passed() {
        let t0 = Instant::now();
        let mut h = HostList::new("x".into(), parse("zk:1").unwrap().0);
        h.ask(t0);
        h.take_resolution(t0, vec![addr("127.0.0.9:1")]);
        assert!(h.resolution_due(t0), "default delay 0: every round");
        h.resolve_delay = Some(Duration::from_secs(5));
        assert!(!h.resolution_due(t0 + Duration::from_secs(4)));
        assert!(h.resolution_due(t0 + Duration::from_secs(5)));
        h.resolve_delay = None; // -1: never again ...
        assert!(!h.resolution_due(t0 + Duration::from_secs(500)));
        h.addrs.clear(); // ... unless no address is known at all
        assert!(h.resolution_due(t0));
    }

    #[test]
    fn rejects_malformed() {
        for s in ["", ":", "host:", "host:99999", "host:0", "host:x", "[::1", "[::1]x", "[nohost]:1", ",,,", ":5", "a b:1", "1:2:3:x"] {
            assert!(parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn reads_connect_strings_as_the_java_client() {
        let hp = |h: &str, p: u16| HostPort { host: h.into(), port: p };
        let (h, c) = parse("zk1, zk2:2182 ,[::1]:3,[fe80::1],::1,zk1:2181,[fe80::1%eth0]:4,fe80::2%lo/app").unwrap();
        assert_eq!(
            h,
            vec![
                hp("zk1", 2181),
                hp("zk2", 2182),
                hp("::1", 3),
                hp("fe80::1", 2181),
                hp("::1", 2181),
                hp("fe80::1%eth0", 4),
                hp("fe80::2%lo", 2181)
            ]
        );
        assert_eq!(c.as_deref(), Some("/app"));
        assert_eq!(parse("localhost").unwrap().0, vec![hp("localhost", 2181)]);
    }
}
