//! Where state documents live: the [`StateStore`] trait and its local-file implementation
//! [`FileStore`].
//!
//! [`FileStore`] owns the on-disk protocol: a save writes `.<name>.tmp-<pid>` (mode 0600)
//! in the same directory, `fsync`s it, keeps the current file as `<name>.bak` (hard link,
//! then rename, so the current file stays whole until the last moment), renames the temp
//! file over the state file and `fsync`s the directory. It must not take the run lock (the
//! caller holds a [`super::StateLock`] for the whole run) and must not interpret steps.
//!
//! Guarantees: a crash at any point leaves either the old or the new file at the path,
//! never a mix; leftover temp files are ignored by loads and removed by the next successful
//! save; every save first re-reads the file and refuses unless it is a valid document of
//! the same rotation at the serial the caller loaded (optimistic concurrency), so a
//! corrupt, newer or foreign file is never overwritten; nothing containing a PEM
//! private-key header is written.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::codec::{decode, encode, read_capped, rotation_id_of};
use super::{Document, SCHEMA, StoreError, TOOL_VERSION, backup_path};
use crate::util::time::now_rfc3339_millis as now_rfc3339;

/// Somewhere a rotation's [`Document`] is kept between runs.
///
/// Deliberately small (load, save, describe) so a Kubernetes-backed store can implement
/// it. The methods are generic over the payload, so the engine is generic over the store
/// rather than holding a `dyn StateStore`.
pub trait StateStore {
    /// Where the state lives, as the user would pass it to `--state` (for messages and
    /// hints).
    fn describe(&self) -> String;

    /// Reads and validates the document, migrating an older schema.
    fn load<T: DeserializeOwned>(&self) -> Result<Document<T>, StoreError>;

    /// Bumps `serial`, stamps `updated_at` and `tool_version`, and persists `doc`
    /// atomically, refusing if the stored copy is not the version `doc` was loaded (or
    /// last saved) at. On an error before the new version is in place, `doc` is left as
    /// it was, so the save can be retried. (`T: DeserializeOwned` because the stored copy
    /// is re-read as a whole document first: a file that would not load is never
    /// overwritten.)
    fn save<T: Serialize + DeserializeOwned>(
        &self,
        doc: &mut Document<T>,
    ) -> Result<(), StoreError>;
}

/// A state file on the local file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    path: PathBuf,
}

/// Points in a save where a test can simulate a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The temp file is written and synced; nothing else changed.
    TempWritten,
    /// The current file is also kept as `.bak`.
    BackupWritten,
    /// The temp file was renamed over the state file; the directory is not synced yet.
    Renamed,
}

#[cfg(test)]
thread_local! {
    /// The phase at which [`crash_point`] panics, for crash-simulation tests.
    pub(crate) static CRASH_AT: std::cell::Cell<Option<Phase>> = const { std::cell::Cell::new(None) };
}

/// A test-only hook: panics (without cleaning up, like a crash) when asked to.
fn crash_point(phase: Phase) {
    #[cfg(test)]
    if CRASH_AT.with(|c| c.get()) == Some(phase) {
        panic!("simulated crash at {phase:?}");
    }
    #[cfg(not(test))]
    let _ = phase;
}

/// How far a failed replacement got.
enum Failure {
    /// The state file still holds the previous version.
    Before(StoreError),
    /// The new version is in place but the directory was not synced.
    After(StoreError),
}

impl FileStore {
    /// A store for the state file at `path` (no I/O).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore { path: path.into() }
    }

    /// Writes `doc` as a new state file at `path`, refusing if any file is already there
    /// (the new file appears whole or not at all).
    pub fn create<T: Serialize>(
        path: impl Into<PathBuf>,
        doc: &Document<T>,
    ) -> Result<Self, StoreError> {
        let store = FileStore::new(path);
        let bytes = encode(&store.path, doc)?;
        if fs::symlink_metadata(&store.path).is_ok() {
            return Err(store.already_exists());
        }
        let temp = store.temp_path("tmp");
        remove_if_present(&temp)?;
        write_private(&temp, &bytes)?;
        // A hard link creates the name only if it is free, atomically.
        let linked = fs::hard_link(&temp, &store.path);
        let _ = fs::remove_file(&temp);
        match linked {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => {
                return Err(store.already_exists());
            }
            // No hard links here (some network or FAT file systems): create exclusively.
            Err(_) => match write_private(&store.path, &bytes) {
                Err(StoreError::Io { source, .. })
                    if source.kind() == io::ErrorKind::AlreadyExists =>
                {
                    return Err(store.already_exists());
                }
                other => other?,
            },
        }
        sync_dir(&store.dir())?;
        tracing::debug!(path = %store.path.display(), rotation = %doc.rotation_id, "state file created");
        Ok(store)
    }

    /// The state file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `.bak` copy of the previous version.
    pub fn backup_path(&self) -> PathBuf {
        backup_path(&self.path)
    }

    fn already_exists(&self) -> StoreError {
        let rotation_id = read_capped(&self.path)
            .ok()
            .and_then(|bytes| rotation_id_of(&bytes));
        StoreError::AlreadyExists {
            path: self.path.clone(),
            rotation_id,
        }
    }

    /// The directory holding the state file (`.` for a bare file name).
    fn dir(&self) -> PathBuf {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    /// The state file's name (the whole path if it has none, e.g. `..`).
    fn file_name(&self) -> OsString {
        self.path
            .file_name()
            .map(|n| n.to_owned())
            .unwrap_or_else(|| self.path.as_os_str().to_owned())
    }

    /// `.<name>.<kind>-` : the prefix of this process's and crashed processes' temp files.
    fn temp_prefix(&self, kind: &str) -> OsString {
        let mut prefix = OsString::from(".");
        prefix.push(self.file_name());
        prefix.push(format!(".{kind}-"));
        prefix
    }

    /// `<dir>/.<name>.<kind>-<pid>`.
    fn temp_path(&self, kind: &str) -> PathBuf {
        let mut name = self.temp_prefix(kind);
        name.push(std::process::id().to_string());
        self.dir().join(name)
    }

    /// Temp files left by crashed saves (ours or another process's): the prefix followed
    /// by a pid, nothing else.
    fn leftover_temps(&self) -> Vec<PathBuf> {
        let prefixes = [self.temp_prefix("tmp"), self.temp_prefix("bak.tmp")];
        let Ok(entries) = fs::read_dir(self.dir()) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .filter(|entry| {
                let name = entry.file_name();
                let name = name.as_encoded_bytes();
                prefixes.iter().any(|prefix| {
                    name.strip_prefix(prefix.as_encoded_bytes())
                        .is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
                })
            })
            .map(|entry| entry.path())
            .collect()
    }

    /// Keeps the current file as `.bak`: hard link to a temp name, then rename over the
    /// old backup, so the state file itself is untouched. Falls back to writing `current`
    /// (the bytes just validated) where hard links are not supported.
    fn write_backup(&self, current: &[u8]) -> Result<(), StoreError> {
        let temp = self.temp_path("bak.tmp");
        remove_if_present(&temp)?;
        match fs::hard_link(&self.path, &temp) {
            // The link shares the state file's inode: tightening its mode also tightens
            // the file about to be replaced, which is harmless.
            Ok(()) => set_private(&temp)?,
            Err(_) => write_private(&temp, current)?,
        }
        let backup = self.backup_path();
        fs::rename(&temp, &backup).map_err(|err| {
            let _ = fs::remove_file(&temp);
            StoreError::io("rename the backup to", &backup, err)
        })
    }

    /// Replaces the state file with `bytes`, keeping the current version as `.bak`.
    fn replace(&self, bytes: &[u8], current: &[u8]) -> Result<(), Failure> {
        let temp = self.temp_path("tmp");
        let before = |err: StoreError| {
            let _ = fs::remove_file(&temp);
            Failure::Before(err)
        };
        remove_if_present(&temp).map_err(Failure::Before)?;
        write_private(&temp, bytes).map_err(before)?;
        crash_point(Phase::TempWritten);
        self.write_backup(current).map_err(before)?;
        crash_point(Phase::BackupWritten);
        fs::rename(&temp, &self.path)
            .map_err(|err| before(StoreError::io("rename the new state over", &self.path, err)))?;
        crash_point(Phase::Renamed);
        sync_dir(&self.dir()).map_err(Failure::After)
    }
}

impl StateStore for FileStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }

    fn load<T: DeserializeOwned>(&self) -> Result<Document<T>, StoreError> {
        let bytes = read_capped(&self.path)?;
        let doc = decode(&self.path, &bytes)?;
        tracing::debug!(path = %self.path.display(), serial = doc.serial, "state file loaded");
        Ok(doc)
    }

    fn save<T: Serialize + DeserializeOwned>(
        &self,
        doc: &mut Document<T>,
    ) -> Result<(), StoreError> {
        // Re-read and validate what is there: never overwrite a corrupt, newer or foreign
        // file, or a version we did not load.
        let current = match read_capped(&self.path) {
            Err(StoreError::Missing { .. }) => {
                return Err(self.conflict(doc, None, None));
            }
            other => other?,
        };
        let on_disk: Document<T> = decode(&self.path, &current)?;
        if on_disk.rotation_id != doc.rotation_id || on_disk.serial != doc.serial {
            return Err(self.conflict(doc, Some(on_disk.rotation_id), Some(on_disk.serial)));
        }

        let previous = (
            doc.schema,
            doc.serial,
            doc.updated_at.clone(),
            doc.tool_version.clone(),
        );
        doc.schema = SCHEMA;
        doc.serial += 1;
        doc.updated_at = now_rfc3339();
        doc.tool_version = TOOL_VERSION.to_string();
        let restore = |doc: &mut Document<T>| {
            (doc.schema, doc.serial, doc.updated_at, doc.tool_version) = previous.clone();
        };
        let bytes = match encode(&self.path, doc) {
            Ok(bytes) => bytes,
            Err(err) => {
                restore(doc);
                return Err(err);
            }
        };
        match self.replace(&bytes, &current) {
            Ok(()) => {}
            Err(Failure::Before(err)) => {
                restore(doc);
                return Err(err);
            }
            // The new version is what the file holds now: keep the bumped serial so the
            // next save matches it.
            Err(Failure::After(err)) => return Err(err),
        }
        for leftover in self.leftover_temps() {
            match fs::remove_file(&leftover) {
                Ok(()) => {
                    tracing::debug!(path = %leftover.display(), "removed a leftover temp file")
                }
                Err(err) => {
                    tracing::debug!(path = %leftover.display(), %err, "cannot remove a leftover temp file")
                }
            }
        }
        tracing::debug!(path = %self.path.display(), serial = doc.serial, "state file saved");
        Ok(())
    }
}

impl FileStore {
    fn conflict<T>(
        &self,
        doc: &Document<T>,
        found_rotation: Option<String>,
        found_serial: Option<u64>,
    ) -> StoreError {
        StoreError::Conflict {
            path: self.path.clone(),
            loaded_rotation: doc.rotation_id.clone(),
            loaded_serial: doc.serial,
            found_rotation,
            found_serial,
        }
    }
}

/// Creates `path` exclusively with mode 0600, writes `bytes` and `fsync`s it.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|err| StoreError::io("create", path, err))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    if let Err(err) = written {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(StoreError::io("write", path, err));
    }
    Ok(())
}

/// Sets mode 0600 (a no-op off Unix).
fn set_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|err| StoreError::io("set permissions on", path, err))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(StoreError::io("remove", path, err)),
    }
}

/// `fsync`s a directory so renames in it survive a power loss. File systems that cannot
/// sync directories (`EINVAL`) are accepted as they are.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    let synced = File::open(dir).and_then(|d| d.sync_all());
    match synced {
        Ok(()) => Ok(()),
        Err(err)
            if matches!(
                err.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Ok(())
        }
        Err(err) => Err(StoreError::io("sync the directory", dir, err)),
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
