//! `resume` after the process died in the middle of a rotation: aborted at a named point
//! (`ROTATE_CERT_TEST_ABORT_AT`, which acts like SIGKILL: no state save, no unlock) and
//! killed with SIGKILL during a wait. Each time `resume --yes` finishes the rotation and
//! the world is exactly as after an uninterrupted one: one green Secret, one green
//! Ingress, one set of load-balancer resources, DNS on green.

mod support;

use support::sandbox::{TestSandbox, assert_code, step_is};

/// Resumes (noting the lock the dead run left) and checks the finished rotation.
async fn resume_and_check(sb: &TestSandbox) -> support::cli::Run {
    let run = sb.run(&["resume", "--yes"]).await;
    assert_code(&run, 0);
    assert!(
        run.stderr
            .contains("ended without releasing the lock (killed or crashed)"),
        "the dead run's lock is explained: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rotated: `default/web`"),
        "{}",
        run.stderr
    );
    sb.assert_rotated().await;
    let doc = sb.state();
    for step in doc["steps"].as_array().unwrap() {
        assert!(
            step["status"] == "done" || step["status"] == "skipped",
            "{step}"
        );
    }
    run
}

/// Aborts `rotate` at `point`, checks what the state file says, then resumes.
async fn abort_then_resume(point: &str, settled_step: &str) {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("rotate", &[]), point)
        .await;
    let doc = sb.state();
    let (step, at) = point.split_once(':').unwrap();
    if at == "after-act" {
        // Write-ahead: the change was made but only `started` was saved.
        assert!(step_is(&doc, step, "started"), "{step}: {}", doc["steps"]);
    }
    assert!(!step_is(&doc, settled_step, "done"), "{}", doc["steps"]);
    resume_and_check(&sb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_abort_right_after_creating_the_green_ingress() {
    abort_then_resume("create-ingress:after-act", "create-ingress").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_abort_right_after_creating_the_green_secret() {
    abort_then_resume("create-secret:after-act", "create-secret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_abort_right_after_the_dns_change() {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("rotate", &[]), "switch-dns:after-act")
        .await;
    assert!(step_is(&sb.state(), "switch-dns", "started"));
    let run = resume_and_check(&sb).await;
    // The change was made by the dead run; its id was never saved.
    assert!(
        run.stderr
            .contains("✓ switch-dns             every record already points at the target"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_abort_while_draining() {
    abort_then_resume("drain:waiting", "drain").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_abort_while_the_blue_ingress_is_terminating() {
    abort_then_resume("delete-blue-ingress:waiting", "delete-blue-ingress").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_sigkill_while_waiting_for_the_load_balancer() {
    let sb = TestSandbox::new().await;
    let state = sb.state_path();
    sb.run_killed_when(&sb.start_args("rotate", &[]), &state, |doc| {
        step_is(doc, "create-ingress", "done")
    })
    .await;
    assert!(!step_is(&sb.state(), "verify-tls", "done"));
    resume_and_check(&sb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_sigkill_while_waiting_for_the_drain() {
    let sb = TestSandbox::new().await;
    let state = sb.state_path();
    sb.run_killed_when(&sb.start_args("rotate", &[]), &state, |doc| {
        step_is(doc, "verify-dns", "done")
    })
    .await;
    assert!(!step_is(&sb.state(), "drain", "done"));
    resume_and_check(&sb).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_refuses_when_someone_else_changed_a_record_meanwhile() {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("rotate", &[]), "create-ingress:after-act")
        .await;
    sb.sandbox.world().dns.upsert_rrset(
        support::sandbox::ZONE,
        "www.example.test.",
        "A",
        sb.sandbox.world().core.timing.ttl_secs,
        vec!["192.0.2.7".into()],
    );
    let serial = sb.state()["serial"].clone();
    let run = sb.run(&["resume", "--yes"]).await;
    assert_code(&run, 3);
    assert!(
        run.stderr
            .contains("the A record `www.example.test.` points at 192.0.2.7"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("someone else changed it"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.state()["serial"], serial, "nothing recorded");
    assert_eq!(
        sb.ingress_names(support::sandbox::NS).len(),
        2,
        "nothing deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_saves_the_state_exits_130_and_resume_finishes() {
    let sb = TestSandbox::new().await;
    let state = sb.state_path();
    let child = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    support::sandbox::wait_for_state(&state, |doc| step_is(doc, "verify-dns", "done")).await;
    let pid = child.id().expect("still running").to_string();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted during `drain`"), "{stderr}");
    assert!(stderr.contains("rotate-cert resume --state"), "{stderr}");
    let doc = sb.state();
    assert!(
        doc["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["event"] == "interrupted" && e["step"] == "drain"),
        "the interruption is journalled"
    );
    let run = sb.run(&["resume", "--yes"]).await;
    assert_code(&run, 0);
    assert!(
        !run.stderr.contains("releasing the lock"),
        "a clean exit unlocks: {}",
        run.stderr
    );
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_is_refused_while_the_first_holds_the_lock() {
    let sb = TestSandbox::new().await;
    let state = sb.state_path();
    let child = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    support::sandbox::wait_for_state(&state, |doc| step_is(doc, "verify-dns", "done")).await;
    let second = sb.run(&["resume", "--yes"]).await;
    assert_code(&second, 4);
    assert!(
        second.stderr.contains("is in use by pid"),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("(`rotate`)"), "{}", second.stderr);
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sb.assert_rotated().await;
}

/// `resume` can switch DNS and delete blue, so it asks like `switch-dns` and `cleanup`
/// do: without a terminal it needs `--yes` (or `ROTATE_CERT_YES`, which takes the usual
/// spellings of true), and refusing changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_asks_before_it_changes_anything() {
    let sb = TestSandbox::new().await;
    assert_code(&sb.run(&sb.start_args("create", &[])).await, 0);
    let serial = sb.state()["serial"].clone();
    let records = sb.a_records();

    let unconfirmed = sb.run(&["resume"]).await;
    assert_code(&unconfirmed, 2);
    assert!(
        unconfirmed
            .stderr
            .contains("resume the rotation of `default/web`: switch-dns, verify-dns, drain"),
        "{}",
        unconfirmed.stderr
    );
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    assert_eq!(sb.a_records(), records, "DNS untouched");
    assert_eq!(sb.state()["serial"], serial, "nothing recorded");

    let run = sb
        .run_with(
            &["resume"],
            &[("ROTATE_CERT_YES", "1")],
            std::time::Duration::from_secs(120),
        )
        .await;
    assert_code(&run, 0);
    sb.assert_rotated().await;
}
