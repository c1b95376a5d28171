//! Secrets and concurrency, with the real binary against the sandbox.
//!
//! The renewed private key never appears — as its PEM marker, a PEM body line, a piece
//! of the base64 of its DER or of the whole PEM (as a Secret's `data` holds it), hex or
//! byte `Debug` — in stdout, stderr (where the logs go), the state file, its `.bak`, the
//! lock file or any other file a run leaves, at every verbosity (`-v`, `-vv`, `-vvv`,
//! `ROTATE_CERT_LOG=trace`), for `check-cert`, `plan`, `rotate`, `status`, a failed run
//! and the resumed run, with `--cert/--key` and with `--from-secret`
//! (`support::secrets::KeyMaterial` is the reusable assertion).
//!
//! One run per state file: a second `rotate` of the same target is refused (exit 4)
//! naming the holder's pid, host and start time while the first finishes; a lock left by
//! a SIGKILLed run is explained by the next run, which proceeds; a lock record from
//! another host is refused unless `--break-lock`.

mod support;

use std::path::PathBuf;

use rotate_cert::sandbox::core::FaultSpec;
use support::cli::Run;
use support::faults::{assert_resumable_stop, on, status};
use support::sandbox::{INGRESS, NS, RUN_TIMEOUT, TestSandbox, assert_code};
use support::secrets::KeyMaterial;

/// A verbosity: its name, its flags and its environment.
type Level = (
    &'static str,
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
);

/// Every verbosity.
const LEVELS: [Level; 5] = [
    ("default", &[], &[]),
    ("-v", &["-v"], &[]),
    ("-vv", &["-vv"], &[]),
    ("-vvv", &["-vvv"], &[]),
    (
        "ROTATE_CERT_LOG=trace",
        &[],
        &[("ROTATE_CERT_LOG", "trace")],
    ),
];

fn level(
    name: &str,
) -> (
    &'static [&'static str],
    &'static [(&'static str, &'static str)],
) {
    let (_, flags, env) = LEVELS.iter().find(|(n, _, _)| *n == name).unwrap();
    (flags, env)
}

/// Runs `args` at verbosity `lvl` and checks its output for the key.
async fn run_at(sb: &TestSandbox, key: &KeyMaterial, lvl: &str, args: &[String]) -> Run {
    let (flags, env) = level(lvl);
    let mut all: Vec<String> = flags.iter().map(|f| f.to_string()).collect();
    all.extend(args.iter().cloned());
    let run = sb.run_with(&all, env, RUN_TIMEOUT).await;
    key.assert_absent_in_run(&run, &format!("`{}` at {lvl}", all.join(" ")));
    assert!(
        !run.stderr.contains('\u{1b}'),
        "no terminal colour codes in a redirected log at {lvl}: {:?}",
        run.stderr
    );
    if (lvl == "-vvv" || lvl.starts_with("ROTATE_CERT_LOG")) && args[0] != "check-cert" {
        assert!(
            run.stderr.contains(" DEBUG "),
            "{lvl} logs at debug level: {}",
            run.stderr
        );
    }
    run
}

/// The renewed certificate as a Secret, `default/web-renewed`, for `--from-secret`.
fn seed_renewed_secret(sb: &TestSandbox) -> Vec<String> {
    sb.sandbox
        .world()
        .kube
        .create(
            "secrets",
            Some(NS),
            rotate_cert::sandbox::seed::tls_secret(NS, "web-renewed", &sb.sandbox.certs().renewed),
        )
        .unwrap();
    vec!["--from-secret".into(), "default/web-renewed".into()]
}

/// Every file a run may leave in the work dir, except the sandbox's own inputs.
fn assert_no_key_in_files(sb: &TestSandbox, key: &KeyMaterial) {
    let certs = sb.files.renewed_key.parent().unwrap().to_path_buf();
    let skip = [certs.as_path(), sb.files.key_file.as_path()];
    let state = sb.state_path();
    for f in [
        state.clone(),
        PathBuf::from(format!("{}.bak", state.display())),
        PathBuf::from(format!("{}.lock", state.display())),
    ] {
        assert!(f.exists(), "{} exists", f.display());
    }
    let n = key.assert_absent_in_dir(sb.work_dir(), &skip);
    assert!(n >= 3, "state, .bak and lock files were read ({n} files)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_cert_and_plan_never_show_the_key_at_any_verbosity() {
    let sb = TestSandbox::new().await;
    let key = KeyMaterial::new(&sb.new_key_pem(), &sb.sandbox.certs().renewed.chain_pem);
    let from_secret = seed_renewed_secret(&sb);
    let live_cert = sb.path("live.pem");
    std::fs::write(&live_cert, &sb.sandbox.certs().live.chain_pem).unwrap();
    for (lvl, _, _) in LEVELS {
        for output in ["human", "json"] {
            let mut check = vec!["check-cert".to_string(), "--output".into(), output.into()];
            check.extend(sb.cert_args());
            check.extend(["--hostname".into(), "www.example.test".into()]);
            assert_code(&run_at(&sb, &key, lvl, &check).await, 0);
            // A key that does not match the certificate: a failing check.
            let mut mismatch = check.clone();
            mismatch[4] = live_cert.display().to_string();
            assert_code(&run_at(&sb, &key, lvl, &mismatch).await, 2);
            for source in [sb.cert_args(), from_secret.clone()] {
                let mut plan = vec![
                    "plan".to_string(),
                    "--output".into(),
                    output.into(),
                    "--ingress".into(),
                    INGRESS.into(),
                ];
                plan.extend(source);
                assert_code(&run_at(&sb, &key, lvl, &plan).await, 0);
            }
        }
    }
}

/// A rotation from `source`: `rotate` at `failing` stops on the fault `fault` adds,
/// `status` at `status_at`, `resume` at `resuming` finishes it, `status` again; every
/// output and every file left is free of the key.
async fn failed_then_resumed(
    source: &str,
    fault: FaultSpec,
    failing: &str,
    status_at: &str,
    resuming: &str,
) {
    let sb = TestSandbox::new().await;
    let key = KeyMaterial::new(&sb.new_key_pem(), &sb.sandbox.certs().renewed.chain_pem);
    let cert = match source {
        "files" => sb.cert_args(),
        _ => seed_renewed_secret(&sb),
    };
    sb.fault(fault);
    let mut rotate = vec![
        "rotate".to_string(),
        "--yes".into(),
        "--ingress".into(),
        INGRESS.into(),
    ];
    rotate.extend(cert);
    let failed = run_at(&sb, &key, failing, &rotate).await;
    let resume = assert_resumable_stop(&failed);
    let status_args = vec!["status".to_string(), "--ingress".into(), INGRESS.into()];
    assert_code(&run_at(&sb, &key, status_at, &status_args).await, 0);
    assert_no_key_in_files(&sb, &key);
    sb.clear_faults();
    let resumed = run_at(&sb, &key, resuming, &resume).await;
    assert_code(&resumed, 0);
    let mut json_status = status_args.clone();
    json_status.extend(["--output".into(), "json".into()]);
    assert_code(&run_at(&sb, &key, resuming, &json_status).await, 0);
    assert_no_key_in_files(&sb, &key);
    sb.assert_rotated_keeping(if source == "files" {
        &["web-tls"]
    } else {
        &["web-renewed", "web-tls"]
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_files_failed_at_v_resumed_at_vv() {
    let fault = on("kubernetes.ingresses.create", status(403));
    failed_then_resumed("files", fault, "-v", "-vvv", "-vv").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_files_failed_at_vvv_resumed_at_trace() {
    let fault = on("monitoring.projects.timeSeries.list", status(403));
    failed_then_resumed("files", fault, "-vvv", "-v", "ROTATE_CERT_LOG=trace").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_secret_failed_at_trace_resumed_at_vvv() {
    let fault = on("kubernetes.ingresses.create", status(403));
    failed_then_resumed("secret", fault, "ROTATE_CERT_LOG=trace", "-vv", "-vvv").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_secret_failed_at_vv_resumed_at_v() {
    let fault = on("dns.changes.create", status(403));
    failed_then_resumed("secret", fault, "-vv", "ROTATE_CERT_LOG=trace", "-v").await;
}

#[test]
fn the_leak_check_finds_every_form_of_the_key_and_nothing_public() {
    rotate_cert::install_crypto_provider();
    let certs = rotate_cert::sandbox::seed::DemoCerts::generate().unwrap();
    let key_pem = String::from_utf8(certs.renewed.key.expose().to_vec()).unwrap();
    let key = KeyMaterial::new(&key_pem, &certs.renewed.chain_pem);
    let secret = rotate_cert::sandbox::seed::tls_secret(NS, "s", &certs.renewed).to_string();
    let body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &body).unwrap();
    for (what, text) in [
        ("the PEM", key_pem.clone()),
        ("a Secret's JSON", secret),
        ("the DER's base64 in a log line", format!("key={body} end")),
        ("the DER in hex", hex::encode(&der)),
        ("the DER's Debug", format!("{der:?}")),
        (
            "one PEM line",
            key_pem.lines().nth(2).unwrap_or_default().to_string(),
        ),
    ] {
        assert!(key.find_in(&text).is_some(), "{what} is not found");
    }
    for public in [
        certs.renewed.chain_pem.clone(),
        format!("{:?}", certs.renewed.chain_pem.as_bytes()),
    ] {
        assert_eq!(key.find_in(&public), None, "public material is not a leak");
    }
}

/// The lock record in the lock file of the default state file.
fn lock_record(sb: &TestSandbox) -> serde_json::Value {
    let path = format!("{}.lock", sb.state_path().display());
    serde_json::from_slice(&std::fs::read(&path).unwrap()).expect("a lock record")
}

/// `pid N on host `H` since T (`rotate`)`, as rotate-cert names a lock holder.
fn holder_line(record: &serde_json::Value) -> String {
    format!(
        "pid {} on host `{}` since {} (`{}`)",
        record["pid"],
        record["host"].as_str().unwrap(),
        record["started_at"].as_str().unwrap(),
        record["command"].as_str().unwrap()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_rotate_of_the_same_target_is_refused_naming_the_first() {
    let sb = TestSandbox::new().await;
    let first = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    support::sandbox::wait_for_state(&sb.state_path(), |d| {
        support::sandbox::step_is(d, "create-ingress", "done")
    })
    .await;
    let record = lock_record(&sb);
    KeyMaterial::new(&sb.new_key_pem(), &sb.sandbox.certs().renewed.chain_pem)
        .assert_absent(&record.to_string(), "the lock record of a running rotate");
    assert_eq!(record["pid"], first.id().expect("running"));
    assert_eq!(
        record["host"],
        gethostname::gethostname().to_string_lossy().as_ref()
    );
    let second = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&second, 4);
    assert!(
        second.stderr.contains(&format!(
            "state file `{}` is in use by {}",
            support::sandbox::STATE_FILE,
            holder_line(&record)
        )),
        "the holder's pid, host and start time: {}",
        second.stderr
    );
    let out = first.wait_with_output().await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "the first finishes: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_left_by_a_sigkilled_run_is_explained_and_the_next_run_proceeds() {
    let sb = TestSandbox::new().await;
    let mut first = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    support::sandbox::wait_for_state(&sb.state_path(), |d| {
        support::sandbox::step_is(d, "verify-dns", "done")
    })
    .await;
    let record = lock_record(&sb);
    first.start_kill().expect("SIGKILL");
    let killed = first.wait().await.unwrap();
    assert_eq!(killed.code(), None, "killed by a signal");
    assert_eq!(
        lock_record(&sb),
        record,
        "the dead run's record stays behind"
    );

    // `rotate` again: the rotation is unfinished; the dead run is named.
    let again = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&again, 4);
    assert!(
        again.stderr.contains(&format!(
            "its last run ({}) ended without releasing the lock (killed or crashed)",
            holder_line(&record)
        )) && again.stderr.contains("rotate-cert resume --state"),
        "{}",
        again.stderr
    );
    let resume = sb.run(&["resume", "--yes"]).await;
    assert_code(&resume, 0);
    assert!(
        resume.stderr.contains(&format!(
            "a previous run ({}) ended without releasing the lock (killed or crashed)",
            holder_line(&record)
        )),
        "{}",
        resume.stderr
    );
    sb.assert_rotated().await;
}

/// Writes a lock record of a run on another host.
fn fabricate_other_host_lock(sb: &TestSandbox) -> serde_json::Value {
    let record = serde_json::json!({
        "pid": 4242, "host": "build-7", "started_at": "2026-11-27T03:04:12Z",
        "command": "rotate", "tool_version": "0.1.0",
    });
    std::fs::write(
        format!("{}.lock", sb.state_path().display()),
        format!("{record}\n"),
    )
    .unwrap();
    record
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_from_another_host_is_refused_unless_break_lock() {
    // A new rotation.
    let sb = TestSandbox::new().await;
    let record = fabricate_other_host_lock(&sb);
    let refused = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&refused, 4);
    assert!(
        refused.stderr.contains(&holder_line(&record))
            && refused.stderr.contains("pass `--break-lock` only when")
            && refused.stderr.contains("`build-7`"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        sb.ingress_names(NS),
        vec!["web".to_string()],
        "nothing done"
    );
    assert!(!sb.state_path().exists(), "no rotation recorded");
    let broken = sb.run(&sb.start_args("rotate", &["--break-lock"])).await;
    assert_code(&broken, 0);
    assert!(
        broken.stderr.contains(&format!(
            "broke the lock of a run on another host ({})",
            holder_line(&record)
        )),
        "{}",
        broken.stderr
    );
    sb.assert_rotated().await;

    // A rotation to resume.
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("rotate", &[]), "create-ingress:after-act")
        .await;
    fabricate_other_host_lock(&sb);
    let refused = sb.run(&["resume", "--yes"]).await;
    assert_code(&refused, 4);
    assert!(refused.stderr.contains("`build-7`"), "{}", refused.stderr);
    let serial = sb.state()["serial"].clone();
    assert_eq!(sb.state()["serial"], serial, "nothing recorded");
    let resumed = sb.run(&["resume", "--yes", "--break-lock"]).await;
    assert_code(&resumed, 0);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_local_runs_lock_record_is_explained_and_rotate_proceeds() {
    let sb = TestSandbox::new().await;
    // The record a killed run on this host leaves: its pid is gone, its flock released.
    let dead = std::process::Command::new("true").spawn().unwrap();
    let pid = dead.id();
    let _ = dead.wait_with_output();
    let record = serde_json::json!({
        "pid": pid,
        "host": gethostname::gethostname().to_string_lossy(),
        "started_at": "2026-11-27T03:04:12Z", "command": "rotate", "tool_version": "0.1.0",
    });
    std::fs::write(
        format!("{}.lock", sb.state_path().display()),
        format!("{record}\n"),
    )
    .unwrap();
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains(&format!(
            "a previous run ({}) ended without releasing the lock (killed or crashed)",
            holder_line(&record)
        )),
        "{}",
        run.stderr
    );
    sb.assert_rotated().await;
}
