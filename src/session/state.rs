//! The session state, as `zoo_state` reports it and session events carry
//! it: each value defined once here (the `ZOO_*_STATE` symbols of the C
//! surface are these discriminants).

/// The states and their values, each once: the enum, `ALL` and `from_code`
/// are made from this one list.
macro_rules! session_states {
    ($($(#[$doc:meta])* $name:ident = $value:literal,)*) => {
        /// A session's state. The discriminants are the reference's values.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(i32)]
        pub enum SessionState {
            $($(#[$doc])* $name = $value,)*
        }

        impl SessionState {
            /// Every state, for lookups by value.
            pub const ALL: &'static [SessionState] = &[$(SessionState::$name,)*];

            /// The state of a value (None: no state has it).
            pub fn from_code(code: i32) -> Option<SessionState> {
                match code {
                    $($value => Some(SessionState::$name),)*
                    _ => None,
                }
            }
        }
    };
}

session_states! {
    /// The handle is closed or not valid; also the single-threaded
    /// reference's state between connections.
    Closed = 0,
    Connecting = 1,
    Associating = 2,
    Connected = 3,
    ReadOnly = 5,
    /// Opening TLS (upstream's `ZOO_SSL_CONNECTING_STATE`).
    SslConnecting = 7,
    NotConnected = 999,
    ExpiredSession = -112,
    AuthFailed = -113,
}

impl SessionState {
    /// The value the C surface shows.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// A server of the session is in use (read-write or read-only).
    pub fn is_connected(self) -> bool {
        matches!(self, SessionState::Connected | SessionState::ReadOnly)
    }

    /// The session is over for good: no call can succeed again.
    pub fn is_unrecoverable(self) -> bool {
        matches!(self, SessionState::ExpiredSession | SessionState::AuthFailed)
    }

    /// The name the reference logs (`ZOO_CONNECTED_STATE`...; the TLS and
    /// not-connected states have none there: `INVALID_STATE`).
    pub fn name(self) -> &'static str {
        match self {
            SessionState::Closed => "ZOO_CLOSED_STATE",
            SessionState::Connecting => "ZOO_CONNECTING_STATE",
            SessionState::Associating => "ZOO_ASSOCIATING_STATE",
            SessionState::Connected => "ZOO_CONNECTED_STATE",
            SessionState::ReadOnly => "ZOO_READONLY_STATE",
            SessionState::ExpiredSession => "ZOO_EXPIRED_SESSION_STATE",
            SessionState::AuthFailed => "ZOO_AUTH_FAILED_STATE",
            SessionState::SslConnecting | SessionState::NotConnected => "INVALID_STATE",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SessionState;

    #[test]
    fn values_round_trip() {
        for &s in SessionState::ALL {
            assert_eq!(SessionState::from_code(s.code()), Some(s));
        }
        assert_eq!(SessionState::from_code(4), None);
        assert_eq!(SessionState::Connected.code(), 3);
        assert_eq!(SessionState::ExpiredSession.code(), -112);
    }
}
