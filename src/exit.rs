//! Exit codes and the error that carries one.
//!
//! Every way rotate-cert can end maps to exactly one [`ExitCode`]; the README documents
//! the table. Code deep in the stack that knows *why* a run must stop (bad input, a safety
//! refusal, a held lock) returns a [`Stop`]; everything else is an ordinary `anyhow`
//! error and ends as [`ExitCode::Failed`]. This module must not print anything.

use std::fmt;

/// The process exit codes, documented in the README. One enum owns them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExitCode {
    /// The command did what it was asked (or there was nothing to do).
    Success,
    /// The command failed; any rotation in progress is saved and can be resumed or
    /// rolled back.
    Failed,
    /// Bad input or usage (flags, files, certificate preflight): nothing was changed.
    BadInput,
    /// A safety check refused to go on (the live world is not what rotate-cert expects):
    /// nothing unsafe was done.
    Refused,
    /// The state file is locked by another run, or cannot be used as it is.
    StateUnavailable,
    /// Interrupted by Ctrl-C / SIGTERM; the state is saved and the run can be resumed.
    Interrupted,
}

impl ExitCode {
    /// The numeric process exit status.
    pub fn code(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failed => 1,
            ExitCode::BadInput => 2,
            ExitCode::Refused => 3,
            ExitCode::StateUnavailable => 4,
            ExitCode::Interrupted => 130,
        }
    }

    /// Every exit code with a one-line description, in numeric order (for docs and help).
    pub fn table() -> &'static [(ExitCode, &'static str)] {
        &[
            (ExitCode::Success, "done, or nothing to do"),
            (
                ExitCode::Failed,
                "failed; a rotation in progress is saved: `resume` or `rollback` finishes it",
            ),
            (
                ExitCode::BadInput,
                "bad input or usage (flags, files, certificate preflight); nothing changed",
            ),
            (
                ExitCode::Refused,
                "refused by a safety check (the live world is not as expected); nothing unsafe done",
            ),
            (
                ExitCode::StateUnavailable,
                "state file locked by another run, corrupt, from a newer rotate-cert, or holding an unfinished rotation",
            ),
            (
                ExitCode::Interrupted,
                "interrupted (Ctrl-C / SIGTERM); state saved, `resume` continues",
            ),
        ]
    }
}

impl fmt::Display for ExitCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code())
    }
}

/// An error that decides the exit code and carries hints for the user.
///
/// Attach it anywhere in an `anyhow` chain (as the error or as context); the renderer
/// finds the outermost one.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Stop {
    /// The exit code this error ends the process with.
    pub code: ExitCode,
    /// What went wrong, lowercase, no trailing period.
    pub message: String,
    /// What the user can do about it, each a full sentence-fragment such as
    /// "run `rotate-cert resume --state x.json`".
    pub hints: Vec<String>,
}

impl Stop {
    /// A stop with the given code and message and no hints.
    pub fn new(code: ExitCode, message: impl Into<String>) -> Self {
        Stop {
            code,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// Bad input: nothing was changed.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(ExitCode::BadInput, message)
    }

    /// A safety refusal.
    pub fn refused(message: impl Into<String>) -> Self {
        Self::new(ExitCode::Refused, message)
    }

    /// Adds a hint line.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

/// The exit code for an error chain: the first [`Stop`] found, else [`ExitCode::Failed`].
pub fn code_of(err: &anyhow::Error) -> ExitCode {
    stop_of(err).map(|s| s.code).unwrap_or(ExitCode::Failed)
}

/// The first [`Stop`] in an error chain, if any: attached as context (which the chain's
/// items do not expose as a `Stop`) or as an error.
pub fn stop_of(err: &anyhow::Error) -> Option<&Stop> {
    err.downcast_ref::<Stop>()
        .or_else(|| err.chain().find_map(|e| e.downcast_ref::<Stop>()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        let table = ExitCode::table();
        let mut codes: Vec<u8> = table.iter().map(|(c, _)| c.code()).collect();
        codes.dedup();
        assert_eq!(codes.len(), table.len());
        assert_eq!(codes, vec![0, 1, 2, 3, 4, 130]);
    }

    #[test]
    fn stop_found_through_context() {
        let err = anyhow::Error::new(Stop::refused("blue is unhealthy")).context("planning");
        assert_eq!(code_of(&err), ExitCode::Refused);
        let plain = anyhow::anyhow!("boom");
        assert_eq!(code_of(&plain), ExitCode::Failed);
    }

    #[test]
    fn stop_found_as_context_with_its_hints() {
        let err = anyhow::anyhow!("HTTP 403")
            .context(Stop::new(ExitCode::Interrupted, "cannot go on").hint("resume"))
            .context("outer");
        let stop = stop_of(&err).expect("the stop given as context");
        assert_eq!(stop.code, ExitCode::Interrupted);
        assert_eq!(stop.hints, vec!["resume".to_string()]);
    }
}
