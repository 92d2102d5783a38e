//! The server list: parsing `h1:p1,[v6]:p2/chroot`, resolving names and
//! cycling through the addresses.

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
        } else if part.matches(':').count() > 1 {
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

/// Resolves names to addresses: the driver's resolver (the system's in
/// this library, `client::resolve`; a fake in tests). Names that do not
/// resolve are left out; the core never calls the operating system itself.
pub type Resolver = fn(&[HostPort]) -> Vec<SocketAddr>;

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

/// The addresses the client cycles through.
pub struct HostList {
    pub spec: String,
    pub hosts: Vec<HostPort>,
    pub addrs: Vec<SocketAddr>,
    /// Index of the address to try next.
    pub next: usize,
    /// The address in use (or last tried).
    pub current: Option<SocketAddr>,
    /// `zoo_set_servers_resolution_delay`: names are resolved again at the
    /// start of a round of connection attempts once this much time passed
    /// (None: never again).
    pub resolve_delay: Option<Duration>,
    pub resolved_at: Instant,
    /// How names are resolved again (the driver's resolver).
    pub resolver: Resolver,
}

impl HostList {
    pub fn new(spec: String, hosts: Vec<HostPort>, addrs: Vec<SocketAddr>, resolver: Resolver) -> Self {
        HostList { spec, hosts, addrs, next: 0, current: None, resolve_delay: Some(Duration::ZERO), resolved_at: Instant::now(), resolver }
    }

    /// The next address to try, and whether this wraps around the list.
    /// A new round starts with the names resolved again when the
    /// resolution delay has passed (a name that no longer resolves keeps
    /// its old addresses out of the list; an empty result keeps the list).
    pub fn advance(&mut self) -> Option<(SocketAddr, bool)> {
        self.advance_at(Instant::now())
    }

    /// `advance` at a given time (the session core passes its clock).
    pub fn advance_at(&mut self, now: Instant) -> Option<(SocketAddr, bool)> {
        if self.next >= self.addrs.len() || self.addrs.is_empty() {
            self.next = 0;
            if self.resolve_delay.is_some_and(|d| now.saturating_duration_since(self.resolved_at) >= d) {
                let fresh = (self.resolver)(&self.hosts);
                self.resolved_at = now;
                if !fresh.is_empty() && (fresh.len() != self.addrs.len() || fresh.iter().any(|a| !self.addrs.contains(a))) {
                    let mut fresh = fresh;
                    if !DETERMINISTIC.load(Ordering::Relaxed) {
                        shuffle(&mut fresh);
                    }
                    self.addrs = fresh;
                }
            }
        }
        if self.addrs.is_empty() {
            return None;
        }
        let a = self.addrs[self.next];
        self.next += 1;
        self.current = Some(a);
        Some((a, self.next >= self.addrs.len()))
    }
}

impl HostList {
    /// Replaces the list (`zoo_set_servers`); returns whether the client
    /// should move off the server it is on: when that server left the list,
    /// or, to spread load as the list grows from N to M servers, with
    /// probability 1 - N/M (to one of the new servers), as the reference.
    pub fn replace(&mut self, new: HostList, connected: Option<SocketAddr>) -> bool {
        let old = std::mem::replace(self, new);
        self.resolve_delay = old.resolve_delay;
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
                let fresh: Vec<usize> = (0..self.addrs.len()).filter(|&k| !old.addrs.contains(&self.addrs[k])).collect();
                let (n, m) = (old.addrs.len() as u64, self.addrs.len() as u64);
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

    /// Address literals only (the tests need no resolver).
    fn literal(hosts: &[HostPort]) -> Vec<SocketAddr> {
        hosts.iter().filter_map(|h| format!("{}:{}", h.host, h.port).parse().ok()).collect()
    }

    #[test]
    fn parses_lists_and_chroot() {
        let (h, c) = parse("a:1,[::1]:2,b:3/app/x").unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(h[1], HostPort { host: "::1".into(), port: 2 });
        assert_eq!(c.as_deref(), Some("/app/x"));
        assert_eq!(parse("a:1/").unwrap().1, None);
    }

    #[test]
    fn replace_moves_off_a_removed_server() {
        let a: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:2".parse().unwrap();
        let mut h = HostList::new("a".into(), vec![], vec![a], literal);
        assert!(h.replace(HostList::new("b".into(), vec![], vec![b], literal), Some(a)));
        assert_eq!(h.advance().unwrap().0, b);
        // staying on a server that remains when the list does not grow
        let mut h = HostList::new("ab".into(), vec![], vec![a, b], literal);
        assert!(!h.replace(HostList::new("ba".into(), vec![], vec![b, a], literal), Some(a)));
    }

    #[test]
    fn names_are_resolved_again_when_a_round_wraps() {
        let stale: SocketAddr = "127.0.0.9:2181".parse().unwrap();
        let hosts = vec![HostPort { host: "127.0.0.1".into(), port: 2181 }];
        let mut h = HostList::new("x".into(), hosts.clone(), vec![stale], literal);
        assert_eq!(h.advance().unwrap().0, stale); // first round: as resolved at init
        assert_eq!(h.advance().unwrap().0, "127.0.0.1:2181".parse().unwrap());
        let mut h = HostList::new("x".into(), hosts, vec![stale], literal);
        h.resolve_delay = None; // -1: never again
        h.advance();
        assert_eq!(h.advance().unwrap().0, stale);
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
