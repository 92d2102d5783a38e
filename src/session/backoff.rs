//! Pacing of connection attempts. Within a round (one attempt per server)
//! attempts follow each other at once, as the reference does; once every
//! server failed, the next round waits, twice as long after each failed
//! round (with jitter), up to a cap that grows with the session timeout.
//! A session established resets it.
//!
//! The trade-off: during an election every server refuses sessions, and
//! each attempt is a `connect()` (the reference makes hundreds per lost
//! server). Waiting longer between rounds makes fewer attempts; the price
//! is that, once a server serves again, the client may still wait up to
//! the current delay before it tries (at most `max_delay`).

use std::time::Duration;

use super::hosts::random_u64;

/// The first delay after a failed round.
pub const INITIAL_DELAY: Duration = Duration::from_millis(50);

/// The longest delay between rounds for a session timeout: a third of it,
/// between 200 ms and 4 s.
pub fn max_delay(timeout_ms: i32) -> Duration {
    Duration::from_millis((timeout_ms.max(0) as u64 / 3).clamp(200, 4000))
}

/// A server that refused the TCP connection (nothing listens: the process
/// is down) is skipped for this long, doubling while it keeps refusing, up
/// to `max_delay`; the others are tried meanwhile.
pub const REFUSED_FIRST: Duration = Duration::from_millis(200);

impl Backoff {
    /// The next skip period of a server that refused again after `last`
    /// (never longer than the longest delay between rounds).
    pub fn refused_penalty(&self, last: Option<Duration>, timeout_ms: i32) -> Duration {
        let cap = self.max.unwrap_or_else(|| max_delay(timeout_ms));
        last.map(|d| d * 2).unwrap_or(REFUSED_FIRST).min(cap)
    }
}

#[derive(Default)]
pub struct Backoff {
    /// Failed rounds since the last session was established.
    round: u32,
    /// The attempt under way is the last of a round.
    last_of_round: bool,
    /// Per-handle settings (`zoo_set_backoff`): first and longest delay.
    pub initial: Option<Duration>,
    pub max: Option<Duration>,
}

impl Backoff {
    /// An attempt starts; `last_of_round`: it is the last server of the list.
    pub fn attempt(&mut self, last_of_round: bool) {
        self.last_of_round = last_of_round;
    }

    /// A session was established.
    pub fn connected(&mut self) {
        self.round = 0;
    }

    /// The attempt failed: how long to wait before the next one.
    pub fn delay(&mut self, timeout_ms: i32) -> Duration {
        if !std::mem::take(&mut self.last_of_round) {
            return Duration::ZERO;
        }
        self.round = (self.round + 1).min(24);
        let cap = self.max.unwrap_or_else(|| max_delay(timeout_ms)).as_millis() as u64;
        let first = self.initial.unwrap_or(INITIAL_DELAY).as_millis() as u64;
        let base = first.saturating_mul(1 << (self.round - 1).min(16)).min(cap);
        // Between three quarters and five quarters of the base, never above the cap.
        let jitter = random_u64() % (base / 2 + 1);
        Duration::from_millis((base * 3 / 4 + jitter).min(cap))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_per_failed_round_up_to_the_cap_and_resets() {
        let mut b = Backoff::default();
        b.attempt(false);
        assert_eq!(b.delay(10_000), Duration::ZERO, "within a round: no wait");
        let mut last = Duration::ZERO;
        for _ in 0..12 {
            b.attempt(true);
            let d = b.delay(10_000);
            assert!(d <= max_delay(10_000));
            last = d;
        }
        assert!(last >= max_delay(10_000) * 3 / 4);
        b.connected();
        b.attempt(true);
        assert!(b.delay(10_000) <= INITIAL_DELAY * 5 / 4);
    }
}
