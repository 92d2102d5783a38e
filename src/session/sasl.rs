//! SASL authentication as the session core sees it: after every session
//! handshake, before the session counts as connected, tokens are exchanged
//! with the server in `ZOO_SASL_OP` requests (GetSASLRequest out,
//! SetSASLResponse back) until the mechanism is satisfied. The mechanism
//! itself (Cyrus SASL in the library, a script in the core's tests) computes
//! the tokens; the core only carries them, so it stays free of IO.

use std::net::SocketAddr;

/// What the mechanism wants next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send this token (possibly empty) and pass the server's answer to `step`.
    Continue(Vec<u8>),
    /// The mechanism is satisfied. With a token: send it, and the exchange
    /// ends with the server's answer to it (whatever its token); without:
    /// it ends now.
    Complete(Option<Vec<u8>>),
}

/// A SASL client mechanism, restarted on every connection.
pub trait Mechanism: Send {
    /// A new exchange with the server at `peer`: the first step. Errors
    /// are one line saying why (logged, then the session's auth failed).
    fn start(&mut self, peer: SocketAddr) -> Result<Step, String>;
    /// The server's token (None: the server sent none).
    fn step(&mut self, challenge: Option<&[u8]>) -> Result<Step, String>;
}
