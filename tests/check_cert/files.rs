//! Files that cannot be read at all: exit 2 naming the path and the reason.

use std::path::Path;

use crate::support::certs::*;
use crate::support::cli::{Run, rotate_cert};

fn run_paths(cert: &Path, key: &Path, json: bool) -> Run {
    let mut args = vec![
        "check-cert".as_ref(),
        "--cert".as_ref(),
        cert.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
    ];
    if json {
        args.extend([
            std::ffi::OsStr::new("--output"),
            std::ffi::OsStr::new("json"),
        ]);
    }
    rotate_cert(args)
}

#[test]
fn missing_file_is_bad_input_naming_the_path() {
    let pem = self_signed(Alg::P256, &["missing.example.com"]);
    let dir = tempfile::tempdir().unwrap();
    let (_, key) = write_files(dir.path(), &pem.cert, &pem.key);
    let missing = dir.path().join("nope.pem");
    let run = run_paths(&missing, &key, false);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(&format!(
            "error: cannot read the certificate file `{}` (`--cert`): no such file or directory",
            missing.display()
        )),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    let run = run_paths(&missing, &key, true);
    assert_eq!(run.code, 2);
    let event = run.json();
    assert_eq!(event["event"], "error");
    assert_eq!(event["exit_code"], 2);
    run.assert_no_key(&pem.key);
}

#[test]
fn directory_given_as_file_is_bad_input() {
    let pem = self_signed(Alg::P256, &["dir.example.com"]);
    let dir = tempfile::tempdir().unwrap();
    let (cert, _) = write_files(dir.path(), &pem.cert, &pem.key);
    let run = run_paths(&cert, dir.path(), false);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("(`--key`): it is a directory, not a file"),
        "{}",
        run.stderr
    );
}
