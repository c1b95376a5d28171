//! The harness for `check-cert` cases: write the files, run the binary, read the report.

use std::path::PathBuf;

use serde_json::Value;
use tempfile::TempDir;

use crate::support::certs::{Pem, write_files};
use crate::support::cli::{Run, rotate_cert};

/// Files of one case, kept alive with their directory.
pub struct Case {
    _dir: TempDir,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub key_pem: String,
}

pub fn case(chain: impl AsRef<[u8]>, key: impl AsRef<[u8]>) -> Case {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key_path) = write_files(dir.path(), chain, key.as_ref());
    Case {
        _dir: dir,
        cert,
        key: key_path,
        key_pem: String::from_utf8_lossy(key.as_ref()).into_owned(),
    }
}

pub fn pair(pem: &Pem) -> Case {
    case(&pem.cert, &pem.key)
}

impl Case {
    pub fn args<'a>(&'a self, extra: &'a [&'a str]) -> Vec<&'a std::ffi::OsStr> {
        let mut args: Vec<&std::ffi::OsStr> = vec![
            "check-cert".as_ref(),
            "--cert".as_ref(),
            self.cert.as_os_str(),
            "--key".as_ref(),
            self.key.as_os_str(),
        ];
        args.extend(extra.iter().map(std::ffi::OsStr::new));
        args
    }

    /// Runs with `--output json`; checks the exit code matches `passed` and no key leaks.
    pub fn json(&self, extra: &[&str]) -> (Run, Value) {
        let mut extra = extra.to_vec();
        extra.extend(["--output", "json"]);
        let run = rotate_cert(self.args(&extra));
        run.assert_no_key(&self.key_pem);
        let value = run.json();
        let passed = value["passed"].as_bool().unwrap();
        assert_eq!(run.code, if passed { 0 } else { 2 }, "{}", run.stdout);
        assert_eq!(value["exit_code"], run.code, "{value}");
        (run, value)
    }

    pub fn human(&self, extra: &[&str]) -> Run {
        let run = rotate_cert(self.args(extra));
        run.assert_no_key(&self.key_pem);
        run
    }
}

/// The check with `id`: (status, message). Panics if it did not run.
pub fn check<'a>(report: &'a Value, id: &str) -> (&'a str, &'a str) {
    let found = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no `{id}` check in {report}"));
    (
        found["status"].as_str().unwrap(),
        found["message"].as_str().unwrap(),
    )
}

#[track_caller]
pub fn assert_check(report: &Value, id: &str, status: &str, fragment: &str) {
    let (got, message) = check(report, id);
    assert_eq!(got, status, "`{id}`: {message}");
    assert!(
        message.contains(fragment),
        "`{id}` message lacks {fragment:?}: {message}"
    );
}

pub fn failed_ids(report: &Value) -> Vec<&str> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "fail")
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[track_caller]
pub fn assert_passes(report: &Value) {
    assert_eq!(report["passed"], true, "{report:#}");
    assert!(failed_ids(report).is_empty());
}
