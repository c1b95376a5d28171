//! The run lock: one rotate-cert run per state file, and an explanation when a run died
//! holding it.
//!
//! [`StateLock`] owns the sibling file `<state>.lock`: an exclusive `flock`
//! ([`File::try_lock`]) held for the whole run, plus a JSON [`Holder`] record inside it
//! (pid, host, start time, command, tool version) so a refusal can say who holds it. It
//! must not touch the state file itself, must not wait for a lock (a held lock is refused
//! at once), and must not delete the lock file (deleting a `flock`ed file lets two runs
//! lock two different inodes).
//!
//! Guarantees: while a [`StateLock`] lives, every other acquire, in this process or any
//! other on a file system where `flock` works, fails with [`LockError::Held`]. On drop the
//! record is cleared and the lock released; if the process dies instead, the kernel
//! releases the lock and the record stays behind. A leftover record from this host is
//! proof its run is gone (the `flock` is free), so it is taken over and reported as a
//! [`StaleLock`]; a leftover record from another host (a shared file system, where `flock`
//! may not reach across hosts) is refused unless the caller breaks it explicitly.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{TOOL_VERSION, lock_path};
use crate::exit::{ExitCode, Stop};
use crate::util::time::now_rfc3339;

/// Holder records are tiny; anything bigger is not one.
const MAX_RECORD_BYTES: u64 = 64 * 1024;

/// Who holds (or held) a state lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// Process id.
    pub pid: u32,
    /// Host name (`gethostname`).
    pub host: String,
    /// When the lock was taken (RFC 3339 UTC).
    pub started_at: String,
    /// What the run is doing, e.g. `rotate` or `rollback`.
    pub command: String,
    /// The rotate-cert version of the run.
    pub tool_version: String,
}

impl Holder {
    /// This process, now, running `command` (a short summary such as `rotate`).
    pub fn current(command: impl Into<String>) -> Self {
        Holder {
            pid: std::process::id(),
            host: this_host(),
            started_at: now_rfc3339(),
            command: command.into(),
            tool_version: TOOL_VERSION.to_string(),
        }
    }
}

impl fmt::Display for Holder {
    /// `pid 4242 on host `h` since 2026-11-27T03:04:12Z (`rotate`)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pid {} on host `{}` since {} (`{}`)",
            self.pid, self.host, self.started_at, self.command
        )
    }
}

/// This machine's host name.
fn this_host() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

/// A lock record left behind by a run that did not release it, now taken over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleLock {
    /// The run that left it (`None` if its record was unreadable and `break_lock` was
    /// given).
    pub previous: Option<Holder>,
    /// Whether it was taken over only because `break_lock` was given (its host could not
    /// be checked).
    pub broken: bool,
}

impl StaleLock {
    /// A line for people, e.g. "a previous run (pid 4242 on host `h` since … (`rotate`))
    /// ended without releasing the lock (killed or crashed)".
    pub fn explain(&self) -> String {
        match (&self.previous, self.broken) {
            (Some(previous), false) => format!(
                "a previous run ({previous}) ended without releasing the lock (killed or crashed)"
            ),
            (Some(previous), true) => format!(
                "broke the lock of a run on another host ({previous}) as `--break-lock` asked"
            ),
            (None, _) => "broke a lock whose holder record was unreadable, as `--break-lock` asked"
                .to_string(),
        }
    }
}

/// Why the state lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run (in this process or another) holds it.
    #[error(
        "state file `{}` is in use by {}",
        state.display(),
        holder.as_ref().map(|h| h.to_string()).unwrap_or_else(|| "another rotate-cert run (which has not recorded itself yet)".to_string())
    )]
    Held {
        /// The state file.
        state: PathBuf,
        /// The holder's record, if it could be read.
        holder: Option<Box<Holder>>,
    },
    /// A record from another host is present; that run may still be going.
    #[error(
        "state file `{}` is locked by {holder}, and rotate-cert cannot tell from host `{this_host}` whether that run is still going",
        state.display()
    )]
    StaleOtherHost {
        /// The state file.
        state: PathBuf,
        /// The record left by the other host.
        holder: Box<Holder>,
        /// This host's name.
        this_host: String,
    },
    /// A record is present but is not a holder record.
    #[error(
        "the lock file `{}` of state file `{}` holds an unreadable record, so rotate-cert cannot tell whether its run is still going",
        lock.display(),
        state.display()
    )]
    Unreadable {
        /// The state file.
        state: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// A file system call failed.
    #[error("cannot {action} lock file `{}`", lock.display())]
    Io {
        /// What rotate-cert was doing.
        action: &'static str,
        /// The lock file.
        lock: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl LockError {
    /// A [`Stop`] with exit code [`ExitCode::StateUnavailable`], this error's message (and
    /// cause) and hints. Call sites: `StateLock::acquire(..).map_err(LockError::into_stop)?`.
    pub fn to_stop(&self) -> Stop {
        let mut message = self.to_string();
        if let LockError::Io { source, .. } = self {
            message.push_str(&format!(": {source}"));
        }
        let mut stop = Stop::new(ExitCode::StateUnavailable, message);
        for hint in self.hints() {
            stop = stop.hint(hint);
        }
        stop
    }

    /// [`to_stop`](Self::to_stop) by value, for `map_err(LockError::into_stop)`.
    pub fn into_stop(self) -> Stop {
        self.to_stop()
    }

    /// What the user can do about it.
    pub fn hints(&self) -> Vec<String> {
        match self {
            LockError::Held { state, holder } => {
                let mut hints = vec![
                    "wait for that run to finish: its lock is released when it exits, even if it is killed".to_string(),
                ];
                if let Some(holder) = holder.as_ref().filter(|h| h.host == this_host()) {
                    hints.push(format!(
                        "if it is stuck, stop it (`kill {}`) and continue with `rotate-cert resume --state {}`",
                        holder.pid,
                        state.display()
                    ));
                }
                hints
            }
            LockError::StaleOtherHost { holder, .. } => vec![
                "the state file is on a file system shared between hosts, where locks may not reach across hosts".to_string(),
                format!(
                    "pass `--break-lock` only when you are sure no run on host `{}` is still going",
                    holder.host
                ),
            ],
            LockError::Unreadable { state, .. } => vec![format!(
                "pass `--break-lock` only when you are sure no rotate-cert run is using `{}`",
                state.display()
            )],
            LockError::Io { lock, .. } => vec![format!(
                "check that the directory of `{}` exists and is writable",
                lock.display()
            )],
        }
    }
}

/// Who holds the lock of a state file, observed without taking it ([`StateLock::peek`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockState {
    /// No run holds it and none left a record.
    Free,
    /// A live run holds it (with its record, unless it has not written it yet).
    Held(Option<Holder>),
    /// No run holds it, but one that died holding it left its record.
    Stale(Holder),
}

/// An exclusive lock on a state file, held until dropped (or [`released`](Self::release)).
#[derive(Debug)]
pub struct StateLock {
    /// `None` once released.
    file: Option<File>,
    lock: PathBuf,
    state: PathBuf,
    holder: Holder,
}

impl StateLock {
    /// Takes the lock on `state_path` for `holder`, or explains why not.
    ///
    /// Returns the lock and, if a run died holding it, the [`StaleLock`] it left (this
    /// host's records are taken over; another host's only with `break_lock`).
    pub fn acquire(
        state_path: &Path,
        holder: &Holder,
        break_lock: bool,
    ) -> Result<(StateLock, Option<StaleLock>), LockError> {
        let lock = lock_path(state_path);
        let io_err = |action, source| LockError::Io {
            action,
            lock: lock.clone(),
            source,
        };
        let mut file = open_lock_file(&lock).map_err(|err| io_err("open", err))?;
        let mut tries = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(TryLockError::WouldBlock) => {
                    // Held. The record may be missing for an instant while a holder writes
                    // it, or while someone only [`peek`](Self::peek)s: look again a few
                    // times before calling it held by an unrecorded run.
                    let holder = read_record(&mut file).ok().flatten().map(Box::new);
                    if holder.is_none() && tries < 10 {
                        tries += 1;
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        continue;
                    }
                    return Err(LockError::Held {
                        state: state_path.to_path_buf(),
                        holder,
                    });
                }
                Err(TryLockError::Error(err)) => return Err(io_err("lock", err)),
            }
        }
        // From here on, returning early drops `file`, which releases the flock.
        let stale = match read_record(&mut file) {
            Err(RecordError::Io(err)) => return Err(io_err("read", err)),
            Ok(None) => None,
            Ok(Some(previous)) if previous.host == holder.host => Some(StaleLock {
                previous: Some(previous),
                broken: false,
            }),
            Ok(Some(previous)) if break_lock => Some(StaleLock {
                previous: Some(previous),
                broken: true,
            }),
            Ok(Some(previous)) => {
                return Err(LockError::StaleOtherHost {
                    state: state_path.to_path_buf(),
                    holder: Box::new(previous),
                    this_host: holder.host.clone(),
                });
            }
            Err(RecordError::Unreadable) if break_lock => Some(StaleLock {
                previous: None,
                broken: true,
            }),
            Err(RecordError::Unreadable) => {
                return Err(LockError::Unreadable {
                    state: state_path.to_path_buf(),
                    lock,
                });
            }
        };
        write_record(&mut file, holder).map_err(|err| io_err("write", err))?;
        if let Some(stale) = &stale {
            // The caller explains it to the user; this is only for `-v` logs.
            tracing::debug!(lock = %lock.display(), "{}", stale.explain());
        }
        tracing::debug!(lock = %lock.display(), "state lock acquired");
        Ok((
            StateLock {
                file: Some(file),
                lock,
                state: state_path.to_path_buf(),
                holder: holder.clone(),
            },
            stale,
        ))
    }

    /// Looks at the lock of `state_path` without taking it and without changing the
    /// lock file (a missing one is [`LockState::Free`] and is not created). The look is
    /// a shared `flock` held for an instant; a run acquiring at that very instant waits
    /// it out (see [`Self::acquire`]).
    pub fn peek(state_path: &Path) -> io::Result<LockState> {
        let lock = lock_path(state_path);
        let mut file = match File::open(&lock) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LockState::Free),
            Err(e) => return Err(e),
        };
        let record = |file: &mut File| read_record(file).ok().flatten();
        match file.try_lock_shared() {
            Ok(()) => {
                let previous = record(&mut file);
                file.unlock()?;
                Ok(previous.map_or(LockState::Free, LockState::Stale))
            }
            Err(TryLockError::WouldBlock) => Ok(LockState::Held(record(&mut file))),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// Who holds it (this run).
    pub fn holder(&self) -> &Holder {
        &self.holder
    }

    /// The lock file (`<state>.lock`).
    pub fn lock_path(&self) -> &Path {
        &self.lock
    }

    /// The state file it protects.
    pub fn state_path(&self) -> &Path {
        &self.state
    }

    /// Clears the record and releases the lock, reporting failures (drop does the same,
    /// silently).
    pub fn release(mut self) -> Result<(), LockError> {
        match self.file.take() {
            Some(file) => release_file(&file).map_err(|source| LockError::Io {
                action: "release",
                lock: self.lock.clone(),
                source,
            }),
            None => Ok(()),
        }
    }
}

impl Drop for StateLock {
    fn drop(&mut self) {
        if let Some(file) = self.file.take()
            && let Err(err) = release_file(&file)
        {
            tracing::debug!(lock = %self.lock.display(), %err, "cannot release the state lock cleanly");
        }
    }
}

/// Clears the record first (so nobody sees a record without a holder), then unlocks.
/// Closing the file would unlock too; unlocking explicitly reports errors.
fn release_file(file: &File) -> io::Result<()> {
    let cleared = file.set_len(0).and_then(|()| file.sync_data());
    let unlocked = file.unlock();
    cleared.and(unlocked)
}

/// Opens (creating, mode 0600, never truncating) the lock file for reading and writing.
fn open_lock_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

enum RecordError {
    Io(io::Error),
    Unreadable,
}

/// The holder record in the lock file: `None` when empty.
fn read_record(file: &mut File) -> Result<Option<Holder>, RecordError> {
    file.seek(SeekFrom::Start(0)).map_err(RecordError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_RECORD_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(RecordError::Io)?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if bytes.len() as u64 > MAX_RECORD_BYTES {
        return Err(RecordError::Unreadable);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| RecordError::Unreadable)
}

/// Replaces the lock file's content with `holder`'s record.
fn write_record(file: &mut File, holder: &Holder) -> io::Result<()> {
    let mut bytes = serde_json::to_vec(holder).map_err(io::Error::other)?;
    bytes.push(b'\n');
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&bytes)?;
    file.sync_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(host: &str, pid: u32) -> Holder {
        Holder {
            pid,
            host: host.to_string(),
            started_at: "2026-11-27T03:04:12Z".to_string(),
            command: "rotate".to_string(),
            tool_version: "0.1.0".to_string(),
        }
    }

    #[test]
    fn held_message_names_the_holder() {
        let err = LockError::Held {
            state: PathBuf::from("/s/web.json"),
            holder: Some(Box::new(holder("h", 4242))),
        };
        assert_eq!(
            err.to_string(),
            "state file `/s/web.json` is in use by pid 4242 on host `h` since 2026-11-27T03:04:12Z (`rotate`)"
        );
        assert_eq!(err.to_stop().code, ExitCode::StateUnavailable);
    }

    #[test]
    fn other_host_hint_names_the_flag_and_host() {
        let err = LockError::StaleOtherHost {
            state: PathBuf::from("s.json"),
            holder: Box::new(holder("build-7", 17)),
            this_host: "laptop".into(),
        };
        let stop = err.to_stop();
        assert_eq!(stop.code, ExitCode::StateUnavailable);
        assert!(
            stop.hints
                .iter()
                .any(|h| h.contains("`--break-lock`") && h.contains("`build-7`")),
            "{:?}",
            stop.hints
        );
    }

    #[test]
    fn stale_explanations() {
        let stale = StaleLock {
            previous: Some(holder("h", 7)),
            broken: false,
        };
        assert!(stale.explain().contains("pid 7"));
        assert!(stale.explain().contains("killed or crashed"));
        let broken = StaleLock {
            previous: None,
            broken: true,
        };
        assert!(broken.explain().contains("--break-lock"));
    }

    #[test]
    fn same_process_second_acquire_is_refused_and_release_clears() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s.json");
        let me = Holder::current("rotate");
        let (lock, stale) = StateLock::acquire(&state, &me, false).unwrap();
        assert!(stale.is_none());
        match StateLock::acquire(&state, &me, true) {
            Err(LockError::Held { holder, .. }) => assert_eq!(holder.as_deref(), Some(&me)),
            other => panic!("{other:?}"),
        }
        lock.release().unwrap();
        assert_eq!(std::fs::read(lock_path(&state)).unwrap(), b"");
        let (_again, stale) = StateLock::acquire(&state, &me, false).unwrap();
        assert!(stale.is_none(), "a clean release leaves nothing stale");
    }

    #[test]
    fn peek_tells_free_held_and_stale_apart_without_changing_anything() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s.json");
        assert_eq!(StateLock::peek(&state).unwrap(), LockState::Free);
        assert!(!lock_path(&state).exists(), "peek creates nothing");
        let me = Holder::current("rotate");
        let (lock, _) = StateLock::acquire(&state, &me, false).unwrap();
        assert_eq!(
            StateLock::peek(&state).unwrap(),
            LockState::Held(Some(me.clone()))
        );
        lock.release().unwrap();
        assert_eq!(StateLock::peek(&state).unwrap(), LockState::Free);
        let dead = holder("h", 7);
        std::fs::write(lock_path(&state), serde_json::to_vec(&dead).unwrap()).unwrap();
        assert_eq!(
            StateLock::peek(&state).unwrap(),
            LockState::Stale(dead.clone())
        );
        assert_eq!(
            read_record(&mut File::open(lock_path(&state)).unwrap())
                .ok()
                .flatten(),
            Some(dead),
            "the record stays for the next run to explain"
        );
    }

    #[test]
    fn unreadable_record_needs_break_lock() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("s.json");
        std::fs::write(lock_path(&state), b"{\"pid\": 12").unwrap();
        let me = Holder::current("resume");
        assert!(matches!(
            StateLock::acquire(&state, &me, false),
            Err(LockError::Unreadable { .. })
        ));
        let (_lock, stale) = StateLock::acquire(&state, &me, true).unwrap();
        assert_eq!(
            stale,
            Some(StaleLock {
                previous: None,
                broken: true
            })
        );
    }
}
