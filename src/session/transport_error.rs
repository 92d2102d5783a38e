//! Why a connection to a server failed or broke: what the driver saw on its
//! transport, or what the core's own timers and decoder found. The core
//! picks the result code and the log line from the kind; the driver only
//! says what happened (it also supplies the text of an errno: the core
//! makes no OS calls).

use std::fmt;

/// A socket call that failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OsError {
    pub errno: i32,
    /// The errno's text, as `strerror` gives it.
    pub text: String,
    /// What was under way ("connect() call failed"...).
    pub during: &'static str,
}

/// A connection's failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// Nothing listens at the address (the connect was refused): the
    /// address is passed over for a while.
    Refused(OsError),
    /// A socket call failed while connecting, or the connection broke
    /// (an end of stream included).
    Os(OsError),
    /// The TLS layer failed or could not be set up (alert, bad record,
    /// certificate not trusted, not a TLS server): its reason. Calls
    /// waiting for a connection fail with ZSSLCONNECTIONERROR.
    Tls(String),
    /// No answer in time: what was awaited.
    TimedOut(&'static str),
    /// The server's bytes break the protocol: what was wrong.
    Protocol(&'static str),
    /// A read-write probe got no answer: what was missing (its debug line
    /// says so as it is).
    NoAnswer(&'static str),
}

impl TransportError {
    /// The TLS layer is to blame.
    pub fn is_tls(&self) -> bool {
        matches!(self, TransportError::Tls(_))
    }
}

/// As the reference's socket error lines put it: `errno=N(text): what`.
impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Refused(e) | TransportError::Os(e) => write!(f, "errno={}({}): {}", e.errno, e.text, e.during),
            TransportError::Tls(reason) => f.write_str(reason),
            // Linux's ETIMEDOUT and EPROTO, as the reference logs them.
            TransportError::TimedOut(what) => write!(f, "errno=110(Connection timed out): {what}"),
            TransportError::Protocol(what) => write!(f, "errno=71(Protocol error): {what}"),
            TransportError::NoAnswer(what) => f.write_str(what),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_the_reference_writes_them() {
        let e = OsError { errno: 111, text: "Connection refused".into(), during: "server refused to accept the client" };
        assert_eq!(TransportError::Refused(e).to_string(), "errno=111(Connection refused): server refused to accept the client");
        assert_eq!(
            TransportError::TimedOut("connection to the server timed out").to_string(),
            "errno=110(Connection timed out): connection to the server timed out"
        );
        assert_eq!(TransportError::Protocol("malformed SASL reply").to_string(), "errno=71(Protocol error): malformed SASL reply");
        assert!(TransportError::Tls("bad certificate".into()).is_tls());
    }
}
