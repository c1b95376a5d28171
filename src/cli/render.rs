//! The one place that writes to stdout and stderr.
//!
//! stdout is data (reports, JSON objects and events); stderr is for people (step lines,
//! progress, errors and hints). In `--output json` mode nothing but JSON lines reaches
//! stdout. Messages follow the house style: lowercase, no trailing period, names and
//! commands in backticks.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

use serde::Serialize;

use super::{GlobalArgs, OutputMode};
use crate::exit::{self, ExitCode};

/// Writes everything the CLI shows.
#[derive(Debug, Clone)]
pub struct Printer {
    /// Human or JSON.
    pub mode: OutputMode,
    /// `--quiet`: only errors on stderr.
    pub quiet: bool,
    /// `-v` count.
    pub verbose: u8,
    /// Whether stderr is a terminal (progress bars are drawn only then).
    pub stderr_tty: bool,
}

impl Printer {
    /// A printer for the given global flags.
    pub fn new(global: &GlobalArgs) -> Self {
        Printer {
            mode: global.output,
            quiet: global.quiet,
            verbose: global.verbose,
            stderr_tty: std::io::stderr().is_terminal(),
        }
    }

    /// Whether the human-facing lines should be written at all.
    pub fn human(&self) -> bool {
        self.mode == OutputMode::Human
    }

    /// Whether spinners and bars may be drawn: a terminal, not quiet, and `NO_COLOR`
    /// unset.
    pub fn progress_enabled(&self) -> bool {
        self.stderr_tty && !self.quiet && std::env::var_os("NO_COLOR").is_none()
    }

    /// A message for people on stderr (suppressed by `--quiet`).
    pub fn note(&self, msg: impl Display) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{msg}");
        }
    }

    /// A warning for people on stderr (shown even with `--quiet`).
    pub fn warn(&self, msg: impl Display) {
        let _ = writeln!(std::io::stderr().lock(), "warning: {msg}");
    }

    /// Data for stdout, as-is (human mode reports).
    pub fn data(&self, text: impl Display) {
        let mut out = std::io::stdout().lock();
        let _ = write!(out, "{text}");
        let _ = out.flush();
    }

    /// One JSON value on its own line on stdout.
    pub fn json(&self, value: &impl Serialize) {
        let mut out = std::io::stdout().lock();
        match serde_json::to_string(value) {
            Ok(line) => {
                let _ = writeln!(out, "{line}");
            }
            Err(err) => {
                let _ = writeln!(std::io::stderr(), "error: cannot encode JSON output: {err}");
            }
        }
        let _ = out.flush();
    }

    /// Renders an error chain (`error:`, `caused by:`, `hint:` lines on stderr; one JSON
    /// `error` event on stdout in JSON mode) and returns its exit code.
    pub fn error(&self, err: &anyhow::Error) -> ExitCode {
        let code = exit::code_of(err);
        if code == ExitCode::Success {
            self.note(err);
            return code;
        }
        let hints: Vec<String> = exit::stop_of(err)
            .map(|s| s.hints.clone())
            .unwrap_or_default();
        let mut chain = err.chain().map(|e| e.to_string());
        let head = chain.next().unwrap_or_default();
        let causes: Vec<String> = chain.filter(|c| *c != head).collect();
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "error: {head}");
        for cause in dedup_causes(&head, &causes) {
            let _ = writeln!(stderr, "  caused by: {cause}");
        }
        for hint in &hints {
            let _ = writeln!(stderr, "hint: {hint}");
        }
        drop(stderr);
        if self.mode == OutputMode::Json {
            self.json(&serde_json::json!({
                "event": "error",
                "message": head,
                "causes": causes,
                "hints": hints,
                "exit_code": code.code(),
            }));
        }
        code
    }
}

/// Drops causes whose text is already contained in the line above (anyhow chains often
/// repeat a source's message inside its context).
fn dedup_causes<'a>(head: &'a str, causes: &'a [String]) -> impl Iterator<Item = &'a String> {
    let mut previous = head;
    causes.iter().filter(move |c| {
        let keep = !previous.ends_with(c.as_str());
        previous = c.as_str();
        keep
    })
}

/// Sets up `tracing` on stderr from `-v` (or `ROTATE_CERT_LOG`, an `EnvFilter`
/// directive such as `trace`, which wins).
///
/// Dependencies are kept at `warn` below `-vv` and never go past `debug` with `-v`, so
/// request bodies (which can carry key material on their way to Kubernetes) are not
/// logged; `tests/proof_secrets.rs` checks that even `ROTATE_CERT_LOG=trace` shows no key.
pub fn init_logging(global: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let default = match (global.quiet, global.verbose) {
        (true, _) => "error",
        // kube-rs logs transient connection errors it then retries at ERROR level; the
        // outcome reaches the user through rotate-cert's own errors.
        (false, 0) => "warn,kube_client=off",
        (false, 1) => "warn,kube_client=off,rotate_cert=info",
        (false, 2) => "info,rotate_cert=debug",
        (false, _) => "debug,rotate_cert=trace",
    };
    let filter =
        EnvFilter::try_from_env("ROTATE_CERT_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour only for a person at a terminal, not in a redirected log or CI.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
