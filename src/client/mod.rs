//! The drivers of the session core and the handle they share: the MT
//! library's IO and completion threads, the ST library's
//! `zookeeper_interest`/`zookeeper_process`, and the TCP transport.
pub mod completion;
pub mod cyrus;
pub mod handle;
pub mod io;
pub mod published;
pub mod resolve;
pub mod socket;
pub mod st;
pub mod tls;
pub mod turn;
pub mod watcher;
