//! The result codes of the protocol and of the C API as one type: what a
//! call or a request came to is `Result<(), Error>` inside the library, and
//! only `src/ffi/` turns it into the C integer (`code`). The C enum
//! `ZOO_ERRORS` (`ffi::consts`) has the same values; a test there checks
//! every one.

macro_rules! error_codes {
    ($($(#[$doc:meta])* $name:ident = $value:literal,)*) => {
        /// A code other than ZOK; `code` gives the reference's value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Error {
            $($(#[$doc])* $name,)*
            /// A code this library has no name for (a newer server's):
            /// passed on as it came. Made only by `result` (never with a
            /// named code's value, nor 0).
            Other(i32),
        }

        impl Error {
            /// Every named code.
            pub const ALL: &'static [Error] = &[$(Error::$name,)*];

            /// The value of the C API. Not inlined: its table would be
            /// copied into every completion and export that converts.
            #[inline(never)]
            pub const fn code(self) -> i32 {
                match self {
                    $(Error::$name => $value,)*
                    Error::Other(c) => c,
                }
            }

            /// The error of a nonzero value.
            #[inline(never)]
            const fn of(code: i32) -> Error {
                match code {
                    $($value => Error::$name,)*
                    c => Error::Other(c),
                }
            }
        }
    };
}

error_codes! {
    /// System and server-side errors (a range marker; also what a bug of
    /// the library's own turns into).
    SystemError = -1,
    RuntimeInconsistency = -2,
    DataInconsistency = -3,
    ConnectionLoss = -4,
    MarshallingError = -5,
    Unimplemented = -6,
    OperationTimeout = -7,
    BadArguments = -8,
    InvalidState = -9,
    NewConfigNoQuorum = -13,
    ReconfigInProgress = -14,
    SslConnectionError = -15,
    /// API errors (a range marker).
    ApiError = -100,
    NoNode = -101,
    NoAuth = -102,
    BadVersion = -103,
    NoChildrenForEphemerals = -108,
    NodeExists = -110,
    NotEmpty = -111,
    SessionExpired = -112,
    InvalidCallback = -113,
    InvalidAcl = -114,
    AuthFailed = -115,
    Closing = -116,
    /// Not an error: no server responses to process.
    Nothing = -117,
    SessionMoved = -118,
    NotReadOnly = -119,
    EphemeralOnLocalSession = -120,
    NoWatcher = -121,
    ReconfigDisabled = -123,
    SessionClosedRequireSaslAuth = -124,
    ThrottledOp = -127,
}

/// As the reference's log lines show a code: its value.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// What a code received from a server (or a C caller) means.
pub const fn result(code: i32) -> Result<(), Error> {
    if code == 0 {
        Ok(())
    } else {
        Err(Error::of(code))
    }
}

/// The C value of an outcome (ZOK for success).
pub const fn code(r: Result<(), Error>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(e) => e.code(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for &e in Error::ALL {
            assert_eq!(result(e.code()), Err(e));
        }
        assert_eq!(result(0), Ok(()));
        assert_eq!(result(-999), Err(Error::Other(-999)));
        assert_eq!(code(Err(Error::Other(-999))), -999);
        assert_eq!(code(Ok(())), 0);
    }
}
