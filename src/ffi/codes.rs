//! The result codes as the C integers the exported functions return and
//! pass to completions. `src/ffi/` is the one place that turns the
//! library's `Error` into them (`c_code`) and back (`from_c`).

use libc::c_int;

use super::consts::ZOO_ERRORS;
use crate::proto::errors::{self, Error};
use crate::proto::records::Reply;
use crate::session::Callback;

/// The C value of an outcome (ZOK for success).
pub(crate) fn c_code(r: Result<(), Error>) -> c_int {
    errors::code(r)
}

/// The C value of an error.
pub(crate) fn c_error(e: Error) -> c_int {
    e.code()
}

/// A completion for the core whose code `f` takes as the C integer.
pub(crate) fn c_callback(f: impl FnOnce(c_int, Option<Reply>) + Send + 'static) -> Callback {
    Box::new(move |rc, rep| f(c_code(rc), rep))
}

/// What a code from a C caller means (the MT library's `zoo_multi` hands
/// the code of its C completion back to the core's).
#[cfg_attr(not(feature = "threaded"), allow(dead_code))]
pub(crate) fn from_c(code: c_int) -> Result<(), Error> {
    errors::result(code)
}

/// The values of `ZOO_ERRORS` the functions of `src/ffi/` return themselves.
pub(crate) const ZOK: c_int = ZOO_ERRORS::ZOK as c_int;
pub(crate) const ZSYSTEMERROR: c_int = ZOO_ERRORS::ZSYSTEMERROR as c_int;
pub(crate) const ZRUNTIMEINCONSISTENCY: c_int = ZOO_ERRORS::ZRUNTIMEINCONSISTENCY as c_int;
pub(crate) const ZMARSHALLINGERROR: c_int = ZOO_ERRORS::ZMARSHALLINGERROR as c_int;
pub(crate) const ZUNIMPLEMENTED: c_int = ZOO_ERRORS::ZUNIMPLEMENTED as c_int;
pub(crate) const ZBADARGUMENTS: c_int = ZOO_ERRORS::ZBADARGUMENTS as c_int;
pub(crate) const ZINVALIDSTATE: c_int = ZOO_ERRORS::ZINVALIDSTATE as c_int;
pub(crate) const ZNOTHING: c_int = ZOO_ERRORS::ZNOTHING as c_int;
pub(crate) const ZNOWATCHER: c_int = ZOO_ERRORS::ZNOWATCHER as c_int;

#[cfg(test)]
mod tests {
    use super::ZOO_ERRORS;
    use crate::proto::errors::{self, Error};
    use libc::c_int;

    /// The library's error type has the C enum's values, name by name.
    #[test]
    fn internal_error_codes_are_the_c_enum() {
        let pairs = [
            (Error::SystemError, ZOO_ERRORS::ZSYSTEMERROR as c_int),
            (Error::RuntimeInconsistency, ZOO_ERRORS::ZRUNTIMEINCONSISTENCY as c_int),
            (Error::DataInconsistency, ZOO_ERRORS::ZDATAINCONSISTENCY as c_int),
            (Error::ConnectionLoss, ZOO_ERRORS::ZCONNECTIONLOSS as c_int),
            (Error::MarshallingError, ZOO_ERRORS::ZMARSHALLINGERROR as c_int),
            (Error::Unimplemented, ZOO_ERRORS::ZUNIMPLEMENTED as c_int),
            (Error::OperationTimeout, ZOO_ERRORS::ZOPERATIONTIMEOUT as c_int),
            (Error::BadArguments, ZOO_ERRORS::ZBADARGUMENTS as c_int),
            (Error::InvalidState, ZOO_ERRORS::ZINVALIDSTATE as c_int),
            (Error::NewConfigNoQuorum, ZOO_ERRORS::ZNEWCONFIGNOQUORUM as c_int),
            (Error::ReconfigInProgress, ZOO_ERRORS::ZRECONFIGINPROGRESS as c_int),
            (Error::SslConnectionError, ZOO_ERRORS::ZSSLCONNECTIONERROR as c_int),
            (Error::ApiError, ZOO_ERRORS::ZAPIERROR as c_int),
            (Error::NoNode, ZOO_ERRORS::ZNONODE as c_int),
            (Error::NoAuth, ZOO_ERRORS::ZNOAUTH as c_int),
            (Error::BadVersion, ZOO_ERRORS::ZBADVERSION as c_int),
            (Error::NoChildrenForEphemerals, ZOO_ERRORS::ZNOCHILDRENFOREPHEMERALS as c_int),
            (Error::NodeExists, ZOO_ERRORS::ZNODEEXISTS as c_int),
            (Error::NotEmpty, ZOO_ERRORS::ZNOTEMPTY as c_int),
            (Error::SessionExpired, ZOO_ERRORS::ZSESSIONEXPIRED as c_int),
            (Error::InvalidCallback, ZOO_ERRORS::ZINVALIDCALLBACK as c_int),
            (Error::InvalidAcl, ZOO_ERRORS::ZINVALIDACL as c_int),
            (Error::AuthFailed, ZOO_ERRORS::ZAUTHFAILED as c_int),
            (Error::Closing, ZOO_ERRORS::ZCLOSING as c_int),
            (Error::Nothing, ZOO_ERRORS::ZNOTHING as c_int),
            (Error::SessionMoved, ZOO_ERRORS::ZSESSIONMOVED as c_int),
            (Error::NotReadOnly, ZOO_ERRORS::ZNOTREADONLY as c_int),
            (Error::EphemeralOnLocalSession, ZOO_ERRORS::ZEPHEMERALONLOCALSESSION as c_int),
            (Error::NoWatcher, ZOO_ERRORS::ZNOWATCHER as c_int),
            (Error::ReconfigDisabled, ZOO_ERRORS::ZRECONFIGDISABLED as c_int),
            (Error::SessionClosedRequireSaslAuth, ZOO_ERRORS::ZSESSIONCLOSEDREQUIRESASLAUTH as c_int),
            (Error::ThrottledOp, ZOO_ERRORS::ZTHROTTLEDOP as c_int),
        ];
        assert_eq!(pairs.len(), Error::ALL.len());
        for (e, c) in pairs {
            assert_eq!(errors::code(Err(e)), c, "{e:?}");
        }
        assert_eq!(errors::code(Ok(())), ZOO_ERRORS::ZOK as c_int);
    }
}
