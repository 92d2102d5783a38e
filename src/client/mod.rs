//! The client core: handle and session state, the IO thread, the
//! completion thread, the watch registry and the server list.
pub mod completion;
pub mod handle;
pub mod hosts;
pub mod io;
pub mod watches;
