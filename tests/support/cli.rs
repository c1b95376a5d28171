//! Runs the real `rotate-cert` binary and checks what it printed.

use std::ffi::OsStr;
use std::process::Command;

use super::certs::secret_lines;

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit status (-1 when killed by a signal).
    pub code: i32,
    /// Everything on stdout.
    pub stdout: String,
    /// Everything on stderr.
    pub stderr: String,
}

impl Run {
    /// The only stdout line, parsed as JSON; panics unless stdout is exactly one JSON
    /// object on one line.
    pub fn json(&self) -> serde_json::Value {
        let lines: Vec<&str> = self.stdout.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "expected one JSON line, got: {}",
            self.stdout
        );
        let value: serde_json::Value = serde_json::from_str(lines[0])
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", self.stdout));
        assert!(value.is_object(), "{value}");
        value
    }

    /// Panics if any line of the key's base64 body appears in stdout or stderr.
    pub fn assert_no_key(&self, key_pem: &str) {
        for line in secret_lines(key_pem) {
            assert!(
                !self.stdout.contains(&line) && !self.stderr.contains(&line),
                "key material leaked: {line}\nstdout: {}\nstderr: {}",
                self.stdout,
                self.stderr
            );
        }
    }
}

/// Runs `rotate-cert` with `args` and no `ROTATE_CERT_*` configuration from the
/// environment.
pub fn rotate_cert<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rotate-cert"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("ROTATE_CERT_") {
            cmd.env_remove(name);
        }
    }
    let out = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run rotate-cert");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
