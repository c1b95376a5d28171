//! The engine that runs a rotation's steps and keeps the state file true.
//!
//! For each unfinished step the engine observes (`check`), records `started` and saves
//! **before** acting (write-ahead), acts once (retrying what the adapters call
//! retryable, inside a budget), waits until the step's goal is observed, then records
//! `done` with its evidence and saves. After a crash a `started` step is settled by
//! checking again, never by guessing. Progress goes through [`report::Reporter`]; the
//! engine never prints. Ctrl-C abandons the current wait, leaves the state saved and
//! returns [`RunError::Interrupted`].

pub mod drift;
pub mod engine;
pub mod hooks;
pub mod record;
pub mod report;

pub use engine::{Engine, Env, RunError};
