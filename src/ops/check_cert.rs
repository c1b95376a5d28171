//! `check-cert`: the certificate preflight as a user action — read the two files (with a
//! size cap), then run [`crate::cert::preflight`] at the current time.
//!
//! Files that cannot be read at all (missing, a directory, permission denied) are a
//! [`CheckCertError`] (exit 2, as a [`Stop`]); everything about their content, including
//! oversize input, is a failed check in the returned [`Report`]. This module never prints.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cert::{InputKind, MAX_INPUT_BYTES, PreflightOptions, Report, preflight};
use crate::exit::Stop;
use crate::secret::SecretPem;

/// A file `check-cert` could not read.
#[derive(Debug)]
pub struct FileProblem {
    /// Which input.
    pub kind: InputKind,
    /// The path as given.
    pub path: PathBuf,
    /// Why, lowercase (`no such file or directory`, `permission denied`, `it is a directory`).
    pub reason: String,
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = match self.kind {
            InputKind::Certificate => "--cert",
            InputKind::Key => "--key",
        };
        write!(
            f,
            "cannot read the {} `{}` (`{flag}`): {}",
            self.kind,
            self.path.display(),
            self.reason
        )
    }
}

/// The certificate or key file (or both) could not be read; nothing was checked.
#[derive(Debug, thiserror::Error)]
#[error("{}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct CheckCertError {
    /// One entry per unreadable file.
    pub problems: Vec<FileProblem>,
}

impl From<CheckCertError> for Stop {
    fn from(err: CheckCertError) -> Stop {
        Stop::bad_input(err.to_string())
            .hint("check the paths given to `--cert` and `--key`; nothing was changed")
    }
}

/// Reads the certificate chain and key files and runs the preflight against them now.
pub fn check_cert(
    cert_path: &Path,
    key_path: &Path,
    hostnames: &[String],
    min_validity: Duration,
) -> Result<Report, CheckCertError> {
    let cert = read_capped(cert_path, InputKind::Certificate);
    let key = read_capped(key_path, InputKind::Key).map(SecretPem::new);
    let (cert, key) = match (cert, key) {
        (Ok(cert), Ok(key)) => (cert, key),
        (cert, key) => {
            return Err(CheckCertError {
                problems: [cert.err(), key.err()].into_iter().flatten().collect(),
            });
        }
    };
    let opts = PreflightOptions {
        hostnames: hostnames.to_vec(),
        min_validity,
        now: SystemTime::now(),
    };
    Ok(preflight(&cert, &key, &opts))
}

/// Reads at most [`MAX_INPUT_BYTES`] + 1 bytes, so an oversize file is detected (and
/// reported by the preflight) without being read into memory.
fn read_capped(path: &Path, kind: InputKind) -> Result<Vec<u8>, FileProblem> {
    let problem = |reason: String| FileProblem {
        kind,
        path: path.to_path_buf(),
        reason,
    };
    let file = File::open(path).map_err(|e| problem(describe(&e)))?;
    let meta = file.metadata().map_err(|e| problem(describe(&e)))?;
    if meta.is_dir() {
        return Err(problem("it is a directory, not a file".to_string()));
    }
    let cap = MAX_INPUT_BYTES + 1;
    let expected = usize::try_from(meta.len()).unwrap_or(cap).min(cap);
    // Sized up front so the buffer (possibly key material) is not reallocated and copied.
    let mut bytes = Vec::with_capacity(expected + 1);
    file.take(cap as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| problem(describe(&e)))?;
    Ok(bytes)
}

/// An OS error as a lowercase reason without the `(os error N)` suffix.
fn describe(err: &io::Error) -> String {
    match err.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        io::ErrorKind::IsADirectory => "it is a directory, not a file".to_string(),
        _ => {
            let text = err.to_string();
            let text = match text.find(" (os error") {
                Some(i) => &text[..i],
                None => &text,
            };
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => "unknown error".to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_and_directory_inputs_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.pem");
        let err = check_cert(&missing, dir.path(), &[], Duration::ZERO).unwrap_err();
        assert_eq!(err.problems.len(), 2);
        let text = err.to_string();
        assert!(text.contains("cannot read the certificate file"), "{text}");
        assert!(
            text.contains("nope.pem` (`--cert`): no such file or directory"),
            "{text}"
        );
        assert!(
            text.contains("(`--key`): it is a directory, not a file"),
            "{text}"
        );
        let stop = Stop::from(err);
        assert_eq!(stop.code, crate::exit::ExitCode::BadInput);
    }

    #[test]
    fn oversize_files_are_read_only_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.pem");
        let file = File::create(&big).unwrap();
        file.set_len(10 * 1024 * 1024 * 1024).unwrap(); // sparse 10 GiB
        let bytes = read_capped(&big, InputKind::Certificate).unwrap();
        assert_eq!(bytes.len(), MAX_INPUT_BYTES + 1);
    }
}
