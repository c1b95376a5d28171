//! A rotation under injected faults, run by the real binary against the sandbox's fault
//! plan: one call in five to an API answering 429/500/503 (each API alone, then all at
//! once), slow Compute calls and operations, an operation failing inside
//! (`QUOTA_EXCEEDED`, `INTERNAL_ERROR` on the green address of a blue with a static IP),
//! 409s on the green Ingress, answers lost after the change was applied (twice each), and
//! a read refused before any step (while planning, while `resume` checks for drift).
//! DNS silence and Monitoring without data are in `proof_faults_wait.rs`.
//!
//! Every run either completes or stops with a clear, resumable error (exit 1, the step,
//! the state file and the exact `resume`/`rollback` commands), after which the printed
//! resume command completes it; and every run is proven safe from the outside
//! (`support::safety::assert_safe`: blue untouched until DNS was verified on green and
//! the drain satisfied, one DNS change, nothing of blue changed) and ends with exactly
//! the inventory of a clean rotation — nothing duplicated, nothing left over.

mod support;

use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use support::faults::{
    Outcome, assert_resumable_stop, assert_stopped_before_starting, first_error, on,
    rotate_through_faults, status,
};
use support::safety::{Watcher, assert_safe};
use support::sandbox::{NS, TestSandbox};

/// Rotates under the faults already set (resuming through up to `resumes` stops with
/// the faults in force), then proves it safe. Returns how it went.
async fn prove(sb: &TestSandbox, what: &str, resumes: usize) -> Outcome {
    let watcher = Watcher::start(sb);
    let outcome = rotate_through_faults(sb, resumes).await;
    eprintln!("{what}: {}", outcome.describe());
    assert_safe(sb, watcher);
    outcome
}

/// 20% of `api`'s calls fail with 429/500/503 during a whole rotation.
async fn one_in_five_failing(api: &str) {
    let sb = TestSandbox::new().await;
    sb.fail_one_in_five(api);
    prove(&sb, &format!("20% 429/500/503 on {api}"), 3).await;
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_compute_calls_failing() {
    one_in_five_failing("compute.*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_cloud_dns_calls_failing() {
    one_in_five_failing("dns.*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_monitoring_calls_failing() {
    one_in_five_failing("monitoring.*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_kubernetes_calls_failing() {
    one_in_five_failing("kubernetes.*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_token_requests_failing() {
    one_in_five_failing("oauth2.*").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_in_five_calls_to_every_api_failing_at_once() {
    one_in_five_failing("*").await;
}

/// The user's static IP of blue in the static-IP scenarios.
const USER_ADDRESS: &str = "web-ip";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_compute_calls_and_operations_with_a_static_ip() {
    let mut sb = TestSandbox::new().await;
    sb.give_blue_a_static_ip(USER_ADDRESS).await;
    sb.fault(on("compute.*", FaultAction::Latency { ms: 150 }));
    sb.fault(on(
        "compute.globalOperations.wait",
        FaultAction::Latency { ms: 1500 },
    ));
    sb.fault(on(
        "compute.globalAddresses.insert",
        FaultAction::Latency { ms: 1000 },
    ));
    prove(&sb, "latency on Compute and its operations", 3).await;
    sb.assert_rotated_with_static_ip(USER_ADDRESS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_green_address_failing_inside_its_operation_stops_before_anything_else() {
    let mut sb = TestSandbox::new().await;
    sb.give_blue_a_static_ip(USER_ADDRESS).await;
    sb.fault(FaultSpec {
        times: Some(1),
        ..on(
            "compute.globalAddresses.insert",
            FaultAction::OperationError {
                code: "QUOTA_EXCEEDED".into(),
                http_status: 403,
            },
        )
    });
    let watcher = Watcher::start(&sb);
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    let resume = assert_resumable_stop(&run);
    assert!(
        run.stderr.contains("step `reserve-address` failed")
            && run.stderr.contains("QUOTA_EXCEEDED"),
        "the quota is named: {}",
        run.stderr
    );
    // Nothing after the failed step was done: no green Ingress, DNS untouched.
    assert_eq!(sb.ingress_names(NS), vec!["web".to_string()]);
    assert_eq!(sb.steps()["reserve-address"], "failed");
    assert_eq!(sb.steps()["create-ingress"], "pending");
    assert!(
        sb.compute("addresses")
            .iter()
            .all(|a| a["name"] == USER_ADDRESS),
        "no green address: {:?}",
        sb.compute("addresses")
    );
    let again = sb.run(&resume).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    eprintln!(
        "QUOTA_EXCEEDED inside the address insert: stopped 1 time(s), then resumed: {}",
        first_error(&run)
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated_with_static_ip(USER_ADDRESS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_to_the_green_address_insert_lost_twice_reserve_one_address() {
    let mut sb = TestSandbox::new().await;
    sb.give_blue_a_static_ip(USER_ADDRESS).await;
    sb.fault(FaultSpec {
        times: Some(2),
        ..on("compute.globalAddresses.insert", FaultAction::DropResponse)
    });
    prove(&sb, "address insert applied, answer lost twice", 3).await;
    sb.assert_rotated_with_static_ip(USER_ADDRESS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_to_every_change_lost_twice_duplicate_nothing() {
    let sb = TestSandbox::new().await;
    for method in [
        "kubernetes.secrets.create",
        "kubernetes.ingresses.create",
        "dns.changes.create",
        "kubernetes.ingresses.delete",
    ] {
        sb.fault(FaultSpec {
            times: Some(2),
            ..on(method, FaultAction::DropResponse)
        });
    }
    prove(
        &sb,
        "Secret, Ingress, DNS change, delete applied, answers lost twice",
        3,
    )
    .await;
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_409_creating_the_green_ingress_is_settled_by_looking() {
    let sb = TestSandbox::new().await;
    // A resourceVersion-style conflict, then an "already exists" for an Ingress that
    // does not exist: both answers a retry must settle by reading the world.
    sb.fault(FaultSpec {
        times: Some(1),
        ..on("kubernetes.ingresses.create", status(409))
    });
    sb.fault(FaultSpec {
        times: Some(1),
        after: 1,
        ..on(
            "kubernetes.ingresses.create",
            FaultAction::Status {
                status: 409,
                reason: Some("AlreadyExists".into()),
            },
        )
    });
    prove(
        &sb,
        "409 Conflict then 409 AlreadyExists on the Ingress create",
        3,
    )
    .await;
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_green_address_operation_failing_with_a_transient_error_is_retried_in_the_same_run() {
    let mut sb = TestSandbox::new().await;
    sb.give_blue_a_static_ip(USER_ADDRESS).await;
    sb.fault(FaultSpec {
        times: Some(1),
        ..on(
            "compute.globalAddresses.insert",
            FaultAction::OperationError {
                code: "INTERNAL_ERROR".into(),
                http_status: 500,
            },
        )
    });
    let outcome = prove(&sb, "INTERNAL_ERROR inside the address insert", 0).await;
    assert!(outcome.stops.is_empty(), "{}", outcome.describe());
    let doc = sb.state();
    assert!(
        doc["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["step"] == "reserve-address" && e["event"] == "retry"),
        "the failed operation was retried: {}",
        doc["journal"]
    );
    sb.assert_rotated_with_static_ip(USER_ADDRESS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_read_before_any_step_says_nothing_changed_and_how_to_go_on() {
    let sb = TestSandbox::new().await;
    let records = on("dns.resourceRecordSets.list", status(403));
    // While planning: nothing is started, and the same command works afterwards.
    sb.fault(records.clone());
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_stopped_before_starting(&run, &sb);
    assert_eq!(sb.ingress_names(NS), vec!["web".to_string()]);
    sb.clear_faults();
    // While `resume` checks for drift: the saved rotation's commands are printed.
    sb.run_aborting_at(&sb.start_args("rotate", &[]), "create-ingress:after-act")
        .await;
    let watcher = Watcher::start(&sb);
    sb.fault(records);
    let serial = sb.state()["serial"].clone();
    let run = sb.run(&["resume", "--yes"]).await;
    let resume = assert_resumable_stop_before_steps(&run);
    assert_eq!(sb.state()["serial"], serial, "nothing recorded");
    sb.clear_faults();
    let again = sb.run(&resume).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    eprintln!(
        "403 on record reads: planning stopped with nothing started; resume stopped, then resumed: {}",
        first_error(&run)
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

/// A stop before any step ran: exit 1, "nothing was changed", and the resume and
/// rollback commands of the saved rotation; returns the resume command.
fn assert_resumable_stop_before_steps(run: &support::cli::Run) -> Vec<String> {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        first_error(run).contains("cannot continue the rotation yet: nothing was changed"),
        "{}",
        run.stderr
    );
    let state = support::sandbox::STATE_FILE;
    for hint in [
        format!("hint: the rotation is saved in `{state}`"),
        format!("hint: undo: `rotate-cert rollback --state {state}`"),
        format!("hint: continue: `rotate-cert resume --state {state}`"),
    ] {
        assert!(run.stderr.contains(&hint), "{hint}: {}", run.stderr);
    }
    vec![
        "resume".into(),
        "--yes".into(),
        "--state".into(),
        state.into(),
    ]
}
