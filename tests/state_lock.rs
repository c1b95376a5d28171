//! The state lock from the outside: contention between two processes (and recovery after
//! the holder is killed), within one process, and stale records from another host.
//!
//! The two-process test re-runs this test binary as the lock holder: with
//! `ROTATE_CERT_TEST_HOLD_LOCK=<state path>` set, `lock_holder_child_process` takes the
//! lock, prints `holding <pid>` and holds it until its stdin closes or it is killed.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rotate_cert::exit::ExitCode;
use rotate_cert::state::{Holder, LockError, StateLock, lock_path};

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

const HOLDER_ENV: &str = "ROTATE_CERT_TEST_HOLD_LOCK";

/// Not a test on its own: the lock holder of `lock_contention_between_two_processes`,
/// active only when that test runs this binary with `ROTATE_CERT_TEST_HOLD_LOCK` set.
#[test]
fn lock_holder_child_process() {
    let Some(state) = std::env::var_os(HOLDER_ENV) else {
        return;
    };
    let holder = Holder::current("rotate");
    let (lock, _) = StateLock::acquire(Path::new(&state), &holder, false).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "holding {}", std::process::id()).unwrap();
    out.flush().unwrap();
    drop(out);
    // Hold until the parent closes our stdin (or kills us).
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(lock);
}

/// Kills the child if the test fails half-way.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn_holder(state: &Path) -> (KillOnDrop, u32) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "lock_holder_child_process",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HOLDER_ENV, state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = KillOnDrop(child);
    // libtest writes `test lock_holder_child_process ... ` before the test's own output,
    // on the same line. Read on a thread so a wedged child fails the test, not hangs it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some((_, rest)) = line.split_once("holding ") {
                let _ = tx.send(rest.trim().parse::<u32>().ok());
                return;
            }
        }
        let _ = tx.send(None);
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(Some(pid)) => (child, pid),
        Ok(None) => panic!("the holder process exited without taking the lock"),
        Err(_) => panic!("the holder process did not take the lock within 60s"),
    }
}

#[test]
fn lock_contention_between_two_processes() {
    let dir = tempfile::tempdir().unwrap();
    let state: PathBuf = dir.path().join("web.state.json");
    let (mut child, child_pid) = spawn_holder(&state);
    assert_eq!(child_pid, child.0.id());

    let me = Holder::current("resume");
    let err = StateLock::acquire(&state, &me, false).unwrap_err();
    match &err {
        LockError::Held {
            holder: Some(holder),
            ..
        } => {
            assert_eq!(holder.pid, child_pid);
            assert_eq!(holder.host, me.host);
            assert_eq!(holder.command, "rotate");
        }
        other => panic!("{other}"),
    }
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "is in use by pid {child_pid} on host `{}`",
            me.host
        )),
        "{text}"
    );
    assert!(text.ends_with("(`rotate`)"), "{text}");
    assert_eq!(err.to_stop().code, ExitCode::StateUnavailable);
    // `--break-lock` does not break a live lock.
    assert!(matches!(
        StateLock::acquire(&state, &me, true),
        Err(LockError::Held { .. })
    ));

    // SIGKILL: no chance to clean up; the kernel drops the flock, the record stays.
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    let (lock, stale) = StateLock::acquire(&state, &me, false).unwrap();
    let stale = stale.expect("the killed run's record is reported");
    assert!(!stale.broken);
    assert_eq!(stale.previous.as_ref().map(|h| h.pid), Some(child_pid));
    assert!(stale.explain().contains(&format!("pid {child_pid}")));
    assert_eq!(lock.holder(), &me);

    // Our record replaced the stale one; a clean release clears it.
    let record: Holder = serde_json::from_slice(&fs::read(lock_path(&state)).unwrap()).unwrap();
    assert_eq!(record, me);
    drop(lock);
    assert_eq!(fs::read(lock_path(&state)).unwrap(), b"");
    assert_eq!(mode(&lock_path(&state)), 0o600);
}

#[test]
fn lock_is_refused_within_the_same_process() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("web.state.json");
    let me = Holder::current("rotate");
    let (_lock, _) = StateLock::acquire(&state, &me, false).unwrap();
    let err = StateLock::acquire(&state, &Holder::current("status"), false).unwrap_err();
    assert!(
        matches!(&err, LockError::Held { holder: Some(h), .. } if h.pid == std::process::id() && h.command == "rotate"),
        "{err}"
    );
}

#[test]
fn stale_record_from_another_host_needs_break_lock() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("web.state.json");
    let other = Holder {
        pid: 4242,
        host: "ci-runner-7.example.internal".into(),
        started_at: "2026-11-27T03:04:12Z".into(),
        command: "rotate".into(),
        tool_version: "0.1.0".into(),
    };
    fs::write(lock_path(&state), serde_json::to_vec(&other).unwrap()).unwrap();
    let me = Holder::current("resume");
    assert_ne!(me.host, other.host);

    let err = StateLock::acquire(&state, &me, false).unwrap_err();
    assert!(
        matches!(&err, LockError::StaleOtherHost { holder, .. } if **holder == other),
        "{err}"
    );
    let stop = err.to_stop();
    assert_eq!(stop.code, ExitCode::StateUnavailable);
    assert!(stop.message.contains("pid 4242"), "{}", stop.message);
    assert!(
        stop.hints
            .iter()
            .any(|h| h.contains("`--break-lock`") && h.contains("`ci-runner-7.example.internal`")),
        "{:?}",
        stop.hints
    );
    // The refusal left the record alone.
    let record: Holder = serde_json::from_slice(&fs::read(lock_path(&state)).unwrap()).unwrap();
    assert_eq!(record, other);

    let (_lock, stale) = StateLock::acquire(&state, &me, true).unwrap();
    let stale = stale.unwrap();
    assert!(stale.broken);
    assert_eq!(stale.previous, Some(other));
    assert!(stale.explain().contains("--break-lock"));
}
