//! What can go wrong loading or saving a state file, and what the user can do about it.
//!
//! [`StoreError`] owns the wording (lowercase, paths in backticks, never the file's
//! content) and the mapping to exit codes and hints ([`StoreError::to_stop`]). It must not
//! do I/O: every fact a message needs (the rotation id found, whether a backup exists) is
//! gathered by the store when the error is made.

use std::error::Error as _;
use std::io;
use std::path::{Path, PathBuf};

use super::{SCHEMA, TOOL_VERSION};
use crate::exit::{ExitCode, Stop};

/// How a state file failed to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorruptKind {
    /// Zero bytes (or only whitespace).
    Empty,
    /// Valid JSON so far, then the end of the file: a partial write.
    Truncated,
    /// Not JSON.
    Syntax,
    /// JSON, but not a rotate-cert state document (missing or mistyped fields).
    Shape,
}

impl CorruptKind {
    fn describe(self) -> &'static str {
        match self {
            CorruptKind::Empty => "the file is empty",
            CorruptKind::Truncated => "the file is truncated",
            CorruptKind::Syntax => "the file is not valid JSON",
            CorruptKind::Shape => "the JSON is not a rotate-cert state document",
        }
    }
}

/// A state file that cannot be loaded or saved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Nothing at the path.
    #[error("no state file at `{}`", path.display())]
    Missing {
        /// The state file path.
        path: PathBuf,
    },
    /// `create` found a file already there.
    #[error(
        "a state file already exists at `{}`{}",
        path.display(),
        rotation_id.as_ref().map(|id| format!(" (rotation `{id}`)")).unwrap_or_default()
    )]
    AlreadyExists {
        /// The state file path.
        path: PathBuf,
        /// The rotation recorded there, if the file could be read.
        rotation_id: Option<String>,
    },
    /// The path is a directory or another non-regular file.
    #[error("`{}` is not a regular file", path.display())]
    NotAFile {
        /// The path given as the state file.
        path: PathBuf,
    },
    /// Larger than [`super::MAX_STATE_BYTES`].
    #[error(
        "`{}` is {size} bytes, larger than any state file (at most {limit} bytes)",
        path.display()
    )]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size (or what was read before giving up).
        size: u64,
        /// The cap.
        limit: u64,
    },
    /// Not valid JSON, or not the shape of a state document. Never overwritten.
    #[error("state file `{}` is corrupt: {}", path.display(), corrupt_detail(*kind, detail, *line, *column))]
    Corrupt {
        /// The state file path.
        path: PathBuf,
        /// How it failed.
        kind: CorruptKind,
        /// The parser's message, without position.
        detail: String,
        /// 1-based line of the problem (0 when unknown, e.g. after migration).
        line: usize,
        /// 1-based column of the problem (0 when unknown or at the start of a line).
        column: usize,
        /// The `.bak` copy of the previous version, if it exists.
        backup: Option<PathBuf>,
    },
    /// Written by a newer rotate-cert.
    #[error(
        "state file `{}` was written by a newer rotate-cert (schema {schema}, tool version {tool_version}); upgrade rotate-cert to continue",
        path.display()
    )]
    NewerSchema {
        /// The state file path.
        path: PathBuf,
        /// The file's schema.
        schema: u64,
        /// The `tool_version` in the file (`unknown` if absent).
        tool_version: String,
    },
    /// An older schema with no migration.
    #[error(
        "state file `{}` uses schema {schema}, which this rotate-cert ({TOOL_VERSION}, schema {SCHEMA}) cannot migrate",
        path.display()
    )]
    UnsupportedSchema {
        /// The state file path.
        path: PathBuf,
        /// The file's schema.
        schema: u32,
        /// The `tool_version` in the file (`unknown` if absent).
        tool_version: String,
        /// Why the migration failed.
        #[source]
        source: super::MigrationError,
    },
    /// The file on disk is not the version this document was loaded from.
    #[error(
        "state file `{}` was changed by another writer since it was loaded ({}); refusing to overwrite it",
        path.display(),
        conflict_detail(*loaded_serial, found_serial, found_rotation, loaded_rotation)
    )]
    Conflict {
        /// The state file path.
        path: PathBuf,
        /// The rotation this document belongs to.
        loaded_rotation: String,
        /// The serial this document was loaded (or last saved) at.
        loaded_serial: u64,
        /// The rotation on disk now (`None` if the file was removed).
        found_rotation: Option<String>,
        /// The serial on disk now (`None` if the file was removed).
        found_serial: Option<u64>,
    },
    /// The serialised document contains a PEM private-key header.
    #[error(
        "refusing to write `{}`: the state would contain private-key material{}; nothing was written",
        path.display(),
        pointer.as_ref().map(|p| format!(" (at `{p}`)")).unwrap_or_default()
    )]
    KeyMaterial {
        /// The state file path.
        path: PathBuf,
        /// The JSON pointer of the offending value, when it is safe to show.
        pointer: Option<String>,
    },
    /// The document could not be serialised (a bug in the payload type).
    #[error("cannot encode the state for `{}`", path.display())]
    Encode {
        /// The state file path.
        path: PathBuf,
        /// serde's error.
        #[source]
        source: serde_json::Error,
    },
    /// A file system call failed.
    #[error("cannot {action} `{}`", path.display())]
    Io {
        /// What rotate-cert was doing (`read`, `write`, `rename`, ...).
        action: &'static str,
        /// The path it was doing it to.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

fn corrupt_detail(kind: CorruptKind, detail: &str, line: usize, column: usize) -> String {
    let mut out = kind.describe().to_string();
    if line > 0 {
        out.push_str(&format!(" at line {line} column {column}"));
    }
    if !detail.is_empty() {
        out.push_str(&format!(" ({detail})"));
    }
    out
}

fn conflict_detail(
    loaded_serial: u64,
    found_serial: &Option<u64>,
    found_rotation: &Option<String>,
    loaded_rotation: &str,
) -> String {
    match (found_rotation, found_serial) {
        (Some(rotation), _) if rotation != loaded_rotation => {
            format!("it now holds rotation `{rotation}`, not `{loaded_rotation}`")
        }
        (_, Some(serial)) => format!("loaded serial {loaded_serial}, now serial {serial}"),
        _ => "it was removed".to_string(),
    }
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: &Path, source: io::Error) -> Self {
        StoreError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    /// The state file path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            StoreError::Missing { path }
            | StoreError::AlreadyExists { path, .. }
            | StoreError::NotAFile { path }
            | StoreError::TooLarge { path, .. }
            | StoreError::Corrupt { path, .. }
            | StoreError::NewerSchema { path, .. }
            | StoreError::UnsupportedSchema { path, .. }
            | StoreError::Conflict { path, .. }
            | StoreError::KeyMaterial { path, .. }
            | StoreError::Encode { path, .. }
            | StoreError::Io { path, .. } => path,
        }
    }

    /// The exit code this error ends a run with: [`ExitCode::BadInput`] for a missing
    /// file, [`ExitCode::Refused`] for the key-material guard, otherwise
    /// [`ExitCode::StateUnavailable`].
    pub fn exit_code(&self) -> ExitCode {
        match self {
            StoreError::Missing { .. } => ExitCode::BadInput,
            StoreError::KeyMaterial { .. } => ExitCode::Refused,
            _ => ExitCode::StateUnavailable,
        }
    }

    /// A [`Stop`] with this error's message (and its causes), exit code and hints.
    pub fn to_stop(&self) -> Stop {
        let mut message = self.to_string();
        let mut source = self.source();
        while let Some(cause) = source {
            let text = cause.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = cause.source();
        }
        let mut stop = Stop::new(self.exit_code(), message);
        for hint in self.hints() {
            stop = stop.hint(hint);
        }
        stop
    }

    /// [`to_stop`](Self::to_stop) by value, for `map_err(StoreError::into_stop)`.
    pub fn into_stop(self) -> Stop {
        self.to_stop()
    }

    /// What the user can do about it.
    pub fn hints(&self) -> Vec<String> {
        let state = |p: &Path| p.display().to_string();
        match self {
            StoreError::Missing { path } => vec![
                format!("check the path given to `--state` (`{}`)", state(path)),
                "`rotate-cert rotate` starts a new rotation and creates the file".to_string(),
            ],
            StoreError::AlreadyExists { path, .. } => {
                let p = state(path);
                vec![
                    format!(
                        "continue it with `rotate-cert resume --state {p}`, inspect it with `rotate-cert status --state {p}`, or undo it with `rotate-cert rollback --state {p}`"
                    ),
                    "or choose another state file with `--state`".to_string(),
                ]
            }
            StoreError::NotAFile { .. } | StoreError::TooLarge { .. } => {
                vec!["check the path given to `--state`".to_string()]
            }
            StoreError::Corrupt { path, backup, .. } => {
                let p = state(path);
                let mut hints = vec![format!(
                    "rotate-cert will not overwrite `{p}` while it is corrupt; keep it for diagnosis"
                )];
                match backup {
                    Some(bak) => {
                        let b = state(bak);
                        hints.push(format!(
                            "the previous version is in `{b}`: inspect it with `rotate-cert status --state {b}`"
                        ));
                        hints.push(format!(
                            "if it looks right, move the corrupt file aside and restore it: `mv {p} {p}.corrupt && cp {b} {p}`, then `rotate-cert resume --state {p}` re-checks every step"
                        ));
                    }
                    None => hints.push(format!("there is no backup (`{p}.bak`) to restore")),
                }
                hints
            }
            StoreError::NewerSchema { tool_version, .. } => vec![format!(
                "this is rotate-cert {TOOL_VERSION}; the file needs {tool_version} or later"
            )],
            StoreError::UnsupportedSchema { tool_version, .. } => vec![format!(
                "finish or roll back this rotation with the rotate-cert that started it (tool version {tool_version})"
            )],
            StoreError::Conflict { path, .. } => vec![
                "another rotate-cert run (or a person) wrote the file; nothing was written".to_string(),
                format!("see what it holds now with `rotate-cert status --state {}`", state(path)),
            ],
            StoreError::KeyMaterial { .. } => vec![
                "this is a bug in rotate-cert: the state must only hold certificate fingerprints; the previous state is intact".to_string(),
            ],
            StoreError::Encode { .. } => {
                vec!["this is a bug in rotate-cert; the previous state is intact".to_string()]
            }
            StoreError::Io { path, .. } => vec![format!(
                "check that the directory of `{}` exists and is writable, and that the disk is not full",
                state(path)
            )],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_message_names_file_position_and_backup() {
        let err = StoreError::Corrupt {
            path: PathBuf::from("/s/x.json"),
            kind: CorruptKind::Truncated,
            detail: "EOF while parsing an object".into(),
            line: 12,
            column: 3,
            backup: Some(PathBuf::from("/s/x.json.bak")),
        };
        assert_eq!(
            err.to_string(),
            "state file `/s/x.json` is corrupt: the file is truncated at line 12 column 3 (EOF while parsing an object)"
        );
        let stop = err.to_stop();
        assert_eq!(stop.code, ExitCode::StateUnavailable);
        assert!(
            stop.hints.iter().any(|h| h.contains("`/s/x.json.bak`")),
            "{:?}",
            stop.hints
        );
    }

    #[test]
    fn io_stop_includes_the_cause() {
        let err = StoreError::io(
            "read",
            Path::new("/s/x.json"),
            io::Error::new(io::ErrorKind::PermissionDenied, "permission denied"),
        );
        let stop = err.to_stop();
        assert_eq!(stop.message, "cannot read `/s/x.json`: permission denied");
        assert_eq!(stop.code, ExitCode::StateUnavailable);
    }

    #[test]
    fn conflict_wording() {
        let err = StoreError::Conflict {
            path: PathBuf::from("x.json"),
            loaded_rotation: "rot-a".into(),
            loaded_serial: 4,
            found_rotation: Some("rot-a".into()),
            found_serial: Some(6),
        };
        assert!(
            err.to_string().contains("loaded serial 4, now serial 6"),
            "{err}"
        );
        let moved = StoreError::Conflict {
            path: PathBuf::from("x.json"),
            loaded_rotation: "rot-a".into(),
            loaded_serial: 4,
            found_rotation: None,
            found_serial: None,
        };
        assert!(moved.to_string().contains("it was removed"), "{moved}");
        assert_eq!(
            StoreError::Missing { path: "x".into() }.exit_code(),
            ExitCode::BadInput
        );
    }
}
