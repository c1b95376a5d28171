//! The state file: the durable record of one rotation, and the lock that keeps two runs
//! from writing it at once.
//!
//! This module owns the document shape ([`Document`]: schema, rotation id, serial, target,
//! steps, journal, and the engine's payload `T`), its encoding and explicit migration
//! ([`migrate`]), the file store ([`FileStore`] behind the small [`StateStore`] trait) with
//! atomic saves, a `.bak` copy of the previous version and optimistic concurrency, and the
//! run lock ([`StateLock`]) that records who holds it. It must not know what a step does
//! or what the payload means (the engine decides both), must not print (errors carry the
//! message and [`crate::exit::Stop`] hints; see [`StoreError::to_stop`] and
//! [`LockError::to_stop`]), and must never hold key material.
//!
//! Guarantees: a save either leaves the previous file untouched or replaces it whole
//! (temp file, `fsync`, rename, directory `fsync`); the file and its backup are mode 0600;
//! a corrupt, truncated or newer-schema file is refused and never overwritten; a save never
//! overwrites a version it did not load; a JSON text containing a PEM private-key header is
//! never written.
//!
//! Errors map to exit codes through `to_stop()` (an `impl From<_> for anyhow::Error` is not
//! possible beside anyhow's blanket impl, and the renderer looks for a [`crate::exit::Stop`]
//! in the chain): call sites write `store.load().map_err(StoreError::into_stop)?`.

mod codec;
mod document;
mod error;
mod lock;
mod migrate;
mod store;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

pub use document::{Document, JournalEntry, StepRecord, StepStatus, Target, new_rotation_id};
pub use error::{CorruptKind, StoreError};
pub use lock::{Holder, LockError, LockState, StaleLock, StateLock};
pub use migrate::{MigrationError, migrate};
pub use store::{FileStore, StateStore};

/// The document schema this rotate-cert writes. Older schemas are migrated on load
/// ([`migrate`]); newer ones are refused.
pub const SCHEMA: u32 = 1;

/// The largest state file rotate-cert reads or writes (16 MiB), so a `--state` pointing at
/// a huge file fails fast instead of filling memory.
pub const MAX_STATE_BYTES: u64 = 16 * 1024 * 1024;

/// The version of rotate-cert writing documents and holding locks.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The backup of the previous version of a state file: `<path>.bak`.
pub fn backup_path(state: &Path) -> PathBuf {
    with_suffix(state, ".bak")
}

/// The lock file beside a state file: `<path>.lock`.
pub fn lock_path(state: &Path) -> PathBuf {
    with_suffix(state, ".lock")
}

/// `path` with `suffix` appended to its file name (not replacing an extension).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sibling_paths_append_to_the_full_name() {
        let state = Path::new("/tmp/rotate-cert.web.state.json");
        assert_eq!(
            backup_path(state),
            Path::new("/tmp/rotate-cert.web.state.json.bak")
        );
        assert_eq!(lock_path(Path::new("s.json")), Path::new("s.json.lock"));
    }
}
