//! A rotation when the APIs misbehave the way real ones do: an answer lost after the call
//! was applied (the sandbox closes the connection instead of answering), and 503s. Reads
//! are repeated; changes are settled by observing, so nothing is ever duplicated.

mod support;

use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use support::sandbox::{INGRESS, NS, TestSandbox, assert_code};

/// Makes the next `times` calls of `method` (after letting `after` through) lose their
/// answer.
fn drop_answers(sb: &TestSandbox, method: &str, after: u32, times: u32) {
    sb.sandbox.world().core.faults.add(FaultSpec {
        method: method.into(),
        action: FaultAction::DropResponse,
        times: Some(times),
        probability: 1.0,
        after,
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_to_reads_while_planning_are_read_again() {
    let sb = TestSandbox::new().await;
    // The first reads of the blue Ingress and of its TLS Secret lose their answer.
    drop_answers(&sb, "kubernetes.ingresses.get", 0, 1);
    drop_answers(&sb, "kubernetes.secrets.get", 0, 1);
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 0);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_reading_the_certificate_secret_is_not_bad_input() {
    let sb = TestSandbox::new().await;
    sb.sandbox
        .world()
        .kube
        .create(
            "secrets",
            Some(NS),
            rotate_cert::sandbox::seed::tls_secret(NS, "web-renewed", &sb.sandbox.certs().renewed),
        )
        .unwrap();
    // The first Secret read is the certificate source.
    drop_answers(&sb, "kubernetes.secrets.get", 0, 1);
    let run = sb
        .run(&[
            "plan",
            "--ingress",
            INGRESS,
            "--from-secret",
            "default/web-renewed",
        ])
        .await;
    assert_code(&run, 0);
    assert!(
        run.stdout.starts_with("plan: rotate ingress"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_to_creates_and_the_dns_change_duplicate_nothing() {
    let sb = TestSandbox::new().await;
    drop_answers(&sb, "kubernetes.secrets.create", 0, 1);
    drop_answers(&sb, "kubernetes.ingresses.create", 0, 1);
    drop_answers(&sb, "dns.changes.create", 0, 1);
    drop_answers(&sb, "kubernetes.ingresses.delete", 0, 1);
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 0);
    let green_ip = sb.assert_rotated().await;
    // Exactly one change moved the records to green, whatever was retried.
    let inv = sb.inventory();
    let zone = inv["dns"]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"]["name"] == support::sandbox::ZONE)
        .unwrap()
        .clone();
    let to_green = zone["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["additions"]
                .as_array()
                .is_some_and(|a| a.iter().any(|r| r["rrdatas"][0] == green_ip.as_str()))
        })
        .count();
    assert_eq!(to_green, 1, "{}", zone["changes"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_while_checking_for_drift_does_not_stop_resume() {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("rotate", &[]), "create-ingress:after-act")
        .await;
    // Resume's first read is the drift check of the blue Ingress.
    drop_answers(&sb, "kubernetes.ingresses.get", 0, 1);
    drop_answers(&sb, "dns.resourceRecordSets.list", 0, 2);
    let run = sb.run(&["resume", "--yes"]).await;
    assert_code(&run, 0);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_step_in_json_mode_ends_with_a_summary_and_an_error_then_resume_finishes() {
    let sb = TestSandbox::new().await;
    sb.sandbox.world().core.faults.add(FaultSpec {
        method: "kubernetes.ingresses.create".into(),
        action: FaultAction::Status {
            status: 403,
            reason: None,
        },
        times: None,
        probability: 1.0,
        after: 0,
    });
    let run = sb
        .run(&sb.start_args("rotate", &["--output", "json"]))
        .await;
    assert_code(&run, 1);
    let events = support::sandbox::json_lines(&run);
    let failed: Vec<_> = events
        .iter()
        .filter(|e| e["event"] == "step-failed")
        .collect();
    assert_eq!(failed.len(), 1, "{}", run.stdout);
    assert_eq!(failed[0]["step"], "create-ingress");
    let n = events.len();
    assert_eq!(events[n - 2]["event"], "summary", "{}", run.stdout);
    assert_eq!(events[n - 2]["ok"], false);
    let error = &events[n - 1];
    assert_eq!(error["event"], "error", "{}", run.stdout);
    assert_eq!(error["exit_code"], 1);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("step `create-ingress` failed"),
        "{error}"
    );
    assert!(
        error["hints"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h.as_str().unwrap().contains("rotate-cert resume --state")),
        "{error}"
    );
    assert_eq!(sb.steps()["create-ingress"], "failed");

    sb.sandbox.world().core.faults.clear();
    let resume = sb.run(&["resume", "--yes"]).await;
    assert_code(&resume, 0);
    sb.assert_rotated().await;
}

/// Every Ingress delete is refused (403) until the faults are cleared.
fn refuse_ingress_deletes(sb: &TestSandbox) {
    sb.sandbox.world().core.faults.add(FaultSpec {
        method: "kubernetes.ingresses.delete".into(),
        action: FaultAction::Status {
            status: 403,
            reason: None,
        },
        times: None,
        probability: 1.0,
        after: 0,
    });
}

/// A stop offers only the ways on that exist: once cleanup has started there is nothing
/// to roll back to, so a failure deleting blue offers `resume`, not `rollback`; a failed
/// rollback offers finishing the rollback, not resuming the rotation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_offers_only_the_ways_on_that_exist() {
    let sb = TestSandbox::new().await;
    // Blue's delete is refused for good (403): `delete-blue-ingress` acts and fails.
    refuse_ingress_deletes(&sb);
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("step `delete-blue-ingress` failed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("continue: `rotate-cert resume --state"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("rollback"), "{}", run.stderr);
    sb.sandbox.world().core.faults.clear();
    assert_code(&sb.run(&["resume", "--yes"]).await, 0);
    sb.assert_rotated().await;

    // A rollback that fails deleting green says to finish the rollback.
    let sb = TestSandbox::new().await;
    assert_code(&sb.run(&sb.start_args("create", &[])).await, 0);
    refuse_ingress_deletes(&sb);
    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 1);
    assert!(
        run.stderr
            .contains("finish the rollback: `rotate-cert rollback --state"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("rotate-cert resume"), "{}", run.stderr);
    sb.sandbox.world().core.faults.clear();
    assert_code(
        &sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await,
        0,
    );
    assert_eq!(sb.ingress_names(NS), vec!["web".to_string()]);
}
