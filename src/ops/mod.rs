//! One function per user action. `ops` decides and returns data; it never prints (the
//! `cli` layer renders what it returns) and never parses flags.

pub mod check_cert;
pub mod continuation;
pub mod observe;
pub mod rotation;
pub mod session;
pub mod status;
