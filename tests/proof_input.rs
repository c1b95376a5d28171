//! A catalogue of bad input, one test per case: certificates and keys (`certs`), flags
//! (`flags`), state files (`state`) and live surprises (`live`). Each case runs the real
//! binary against its own in-process sandbox and asserts the documented exit code (2 bad
//! input, 3 refused by a safety check, 4 state file unavailable), an error that names the
//! problem, a `hint:` saying what to do where one is expected, no key material printed,
//! and nothing changed: the sandbox's objects and the working directory's files are as
//! they were (`proof_input/harness.rs`).

mod support;

#[path = "proof_input/harness.rs"]
mod harness;

#[path = "proof_input/certs.rs"]
mod certs;
#[path = "proof_input/flags.rs"]
mod flags;
#[path = "proof_input/live.rs"]
mod live;
#[path = "proof_input/state.rs"]
mod state;
