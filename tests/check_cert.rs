//! `rotate-cert check-cert` end to end: the real binary against certificates and keys
//! generated at run time (rcgen and the `openssl` CLI), in JSON and human output. Every
//! run also asserts that the key's base64 body never appears in stdout or stderr.
//!
//! The cases are grouped in `tests/check_cert/`, one file per theme.

mod support;

#[path = "check_cert/harness.rs"]
mod harness;

#[path = "check_cert/chain.rs"]
mod chain;
#[path = "check_cert/files.rs"]
mod files;
#[path = "check_cert/inputs.rs"]
mod inputs;
#[path = "check_cert/keys.rs"]
mod keys;
#[path = "check_cert/valid.rs"]
mod valid;
#[path = "check_cert/validity.rs"]
mod validity;
