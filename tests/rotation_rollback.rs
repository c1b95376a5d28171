//! `rollback` from each stage: after `create` (green removed, blue untouched, DNS
//! unchanged), after `switch-dns` (DNS back on blue at the nameserver, green removed),
//! and after cleanup started (refused: there is nothing to go back to).

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::sandbox::{HOSTS, INGRESS, NS, TestSandbox, assert_code, step_is, step_statuses};

/// What must be exactly as it was before the rotation once it is rolled back.
#[derive(Debug, PartialEq)]
struct Blue {
    compute: BTreeMap<String, Vec<String>>,
    ingresses: Vec<String>,
    secrets: Vec<String>,
    /// uid, spec and annotations of `default/web`.
    web: Value,
    records: BTreeMap<String, Vec<String>>,
}

fn blue(sb: &TestSandbox) -> Blue {
    let web = sb.ingress(NS, "web").expect("blue exists");
    Blue {
        compute: sb.compute_names(),
        ingresses: sb.ingress_names(NS),
        secrets: sb.secret_names(NS),
        web: serde_json::json!({
            "uid": web["metadata"]["uid"],
            "annotations": web["metadata"]["annotations"],
            "spec": web["spec"],
            "status": web["status"],
        }),
        records: sb.a_records(),
    }
}

/// Blue is back (or still) exactly as before, serving the old certificate, and DNS
/// answers blue.
async fn assert_back_on_blue(sb: &TestSandbox, before: &Blue) {
    assert_eq!(&blue(sb), before, "the world is as before the rotation");
    for host in HOSTS {
        assert_eq!(sb.served_a(host).await, vec![sb.blue_ip.clone()], "{host}");
        let p = sb.probe(&sb.blue_ip, host).await;
        assert_eq!(p.leaf_sha256, sb.old_fp(), "{host}");
        assert!(p.healthy(), "{p:?}");
    }
}

/// `create`, then `switch-dns`: DNS on green, blue still standing.
async fn create_and_switch(sb: &TestSandbox) {
    assert_code(&sb.run(&sb.start_args("create", &[])).await, 0);
    assert_code(
        &sb.run(&["switch-dns", "--yes", "--ingress", INGRESS]).await,
        0,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_create_removes_green_and_leaves_blue_alone() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    assert_code(&sb.run(&sb.start_args("create", &[])).await, 0);
    let green_lb = sb.lb_resource_names(&sb.green_ingress());

    // Without --yes and without a terminal: refused, nothing changed.
    let unconfirmed = sb.run(&["rollback", "--ingress", INGRESS]).await;
    assert_code(&unconfirmed, 2);
    assert!(
        unconfirmed.stderr.contains("--yes"),
        "{}",
        unconfirmed.stderr
    );
    assert_eq!(sb.ingress_names(NS).len(), 2);

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("rolled back: ingress `default/web`"),
        "{}",
        run.stderr
    );
    assert_back_on_blue(&sb, &before).await;
    let left = sb.all_compute_names();
    for name in &green_lb {
        assert!(!left.contains(name), "green's `{name}` is left");
    }
    let doc = sb.state();
    assert_eq!(doc["rotation"]["rolling_back"], true);
    let steps = step_statuses(&doc);
    for s in ["rollback-dns", "rollback-verify-dns", "drain-green"] {
        assert_eq!(steps[s], "skipped", "{s}: DNS was never switched");
    }
    for s in [
        "delete-green-ingress",
        "await-green-gone",
        "delete-green-secret",
    ] {
        assert_eq!(steps[s], "done", "{s}");
    }
    assert_eq!(steps["switch-dns"], "pending");

    // A rolled-back rotation is finished: a new one starts (the old state is archived)
    // and reuses the same green names without tripping over the first attempt.
    let status = sb.run(&["status", "--offline"]).await;
    assert!(
        status.stdout.contains(": rolled back\n"),
        "{}",
        status.stdout
    );
    let first_id = doc["rotation_id"].as_str().unwrap().to_string();
    let again = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&again, 0);
    sb.assert_rotated().await;
    assert_ne!(sb.state()["rotation_id"], first_id.as_str());
    let archived = sb.path(&format!("{}.{first_id}.done", support::sandbox::STATE_FILE));
    assert!(archived.exists(), "the rolled-back rotation is archived");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_switch_dns_points_dns_back_at_blue() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    create_and_switch(&sb).await;
    let green_ip = sb.ingress_ip(&sb.green_ingress()).unwrap();
    for host in HOSTS {
        assert_eq!(sb.served_a(host).await, vec![green_ip.clone()]);
    }

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(run.stderr.contains("rolled back:"), "{}", run.stderr);
    assert_back_on_blue(&sb, &before).await;
    let steps = sb.steps();
    for s in [
        "rollback-dns",
        "rollback-verify-dns",
        "drain-green",
        "delete-green-ingress",
        "await-green-gone",
        "delete-green-secret",
    ] {
        assert_eq!(steps[s], "done", "{s}: {steps:?}");
    }
    let doc = sb.state();
    let zones = doc["rotation"]["zones"].as_array().unwrap();
    assert!(
        zones.iter().all(|z| z["rollback_change"].is_string()),
        "the rollback change is recorded: {zones:?}"
    );
    // The rollback is complete: nothing more to do.
    let again = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&again, 0);
    assert!(
        again
            .stderr
            .contains("already complete (rolled back to blue)"),
        "{}",
        again.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_cleanup_started_is_refused_and_resume_finishes() {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(
        &sb.start_args("rotate", &[]),
        "delete-blue-ingress:after-act",
    )
    .await;
    let records = sb.a_records();
    let secrets = sb.secret_names(NS);

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 3);
    assert!(
        run.stderr.contains("cannot roll back: cleanup has started"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rotate-cert resume --state"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.a_records(), records, "DNS untouched");
    assert_eq!(sb.secret_names(NS), secrets, "green untouched");
    assert_eq!(sb.state()["rotation"]["rolling_back"], false);

    let resume = sb.run(&["resume", "--yes", "--ingress", INGRESS]).await;
    assert_code(&resume, 0);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_rollback_is_finished_by_resume_not_by_switch_dns() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    create_and_switch(&sb).await;
    sb.run_aborting_at(
        &["rollback", "--yes", "--ingress", INGRESS],
        "rollback-dns:after-act",
    )
    .await;
    let doc = sb.state();
    assert_eq!(doc["rotation"]["rolling_back"], true);
    assert_eq!(step_statuses(&doc)["rollback-dns"], "started");

    let status = sb.run(&["status", "--offline"]).await;
    assert!(
        status.stdout.contains(": rolling back\n"),
        "{}",
        status.stdout
    );
    let forward = sb.run(&["switch-dns", "--yes", "--ingress", INGRESS]).await;
    assert_code(&forward, 2);
    assert!(
        forward
            .stderr
            .contains("this rotation is being rolled back"),
        "{}",
        forward.stderr
    );
    let resume = sb.run(&["resume", "--yes", "--ingress", INGRESS]).await;
    assert_code(&resume, 0);
    assert!(resume.stderr.contains("rolled back:"), "{}", resume.stderr);
    assert_back_on_blue(&sb, &before).await;
}

/// After the switch, someone deletes the green Ingress (a GitOps prune, say): DNS points
/// at a load balancer that is going away. Going forward is refused — green is gone — but
/// `rollback` is exactly the way out, and must not be refused for the drift it repairs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_moves_dns_back_when_someone_deleted_green_after_the_switch() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    create_and_switch(&sb).await;
    let green = sb.green_ingress();
    sb.sandbox
        .world()
        .kube
        .delete("ingresses", Some(NS), &green)
        .unwrap();

    let forward = sb.run(&["resume", "--yes", "--ingress", INGRESS]).await;
    assert_code(&forward, 3);
    // The Ingress is terminating (ingress-gce's finalizer) or gone by now: either way,
    // going forward — deleting blue — is refused.
    assert!(
        forward
            .stderr
            .contains(&format!("the green ingress `default/{green}`"))
            && forward.stderr.contains("by someone else"),
        "{}",
        forward.stderr
    );
    assert!(sb.ingress(NS, "web").is_some(), "blue is untouched");

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(run.stderr.contains("rolled back:"), "{}", run.stderr);
    assert_back_on_blue(&sb, &before).await;
    assert!(sb.ingress(NS, &green).is_none());
}

/// After the switch, someone moves the records back to blue by hand: `rollback` finds
/// DNS where it was going to put it and finishes the rest.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_accepts_records_someone_already_moved_back_to_blue() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    create_and_switch(&sb).await;
    let ttl = sb.sandbox.world().core.timing.ttl_secs;
    for host in HOSTS {
        sb.sandbox.world().dns.upsert_rrset(
            support::sandbox::ZONE,
            &format!("{host}."),
            "A",
            ttl,
            vec![sb.blue_ip.clone()],
        );
    }
    let forward = sb.run(&["resume", "--yes", "--ingress", INGRESS]).await;
    assert_code(&forward, 3);
    assert!(
        forward.stderr.contains("someone else changed it"),
        "{}",
        forward.stderr
    );

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert_back_on_blue(&sb, &before).await;
    assert_eq!(sb.steps()["rollback-dns"], "done");
}

/// `create` again on a rotation being rolled back would build green behind the rollback:
/// refused, nothing created.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_is_refused_while_a_rollback_is_unfinished() {
    let sb = TestSandbox::new().await;
    assert_code(&sb.run(&sb.start_args("create", &[])).await, 0);
    sb.run_aborting_at(
        &["rollback", "--yes", "--ingress", INGRESS],
        "delete-green-ingress:after-act",
    )
    .await;
    let serial = sb.state()["serial"].clone();
    let again = sb.run(&sb.start_args("create", &[])).await;
    assert_code(&again, 2);
    assert!(
        again.stderr.contains("is being rolled back"),
        "{}",
        again.stderr
    );
    assert_eq!(sb.state()["serial"], serial, "nothing recorded");
    let resume = sb.run(&["resume", "--yes", "--ingress", INGRESS]).await;
    assert_code(&resume, 0);
    assert!(resume.stderr.contains("rolled back:"), "{}", resume.stderr);
}

/// Someone deletes green while `rotate` drains blue: the last look before deleting blue
/// finds green gone (or going) and refuses, so the site keeps the load balancer it can
/// still be moved back to; `rollback` then moves DNS back to blue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_is_kept_when_someone_deletes_green_during_the_drain() {
    let sb = TestSandbox::new().await;
    let before = blue(&sb);
    let state = sb.state_path();
    let child = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    support::sandbox::wait_for_state(&state, |doc| step_is(doc, "verify-dns", "done")).await;
    let green = sb.green_ingress();
    sb.sandbox
        .world()
        .kube
        .delete("ingresses", Some(NS), &green)
        .unwrap();
    let out = child.wait_with_output().await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("blue is not deleted: the green ingress"),
        "{stderr}"
    );
    assert!(sb.ingress(NS, "web").is_some(), "blue is untouched");
    assert_eq!(
        sb.steps()["delete-blue-ingress"],
        "failed",
        "refused, never sent"
    );

    let run = sb.run(&["rollback", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert_back_on_blue(&sb, &before).await;
}

/// A second rotation of the same Ingress to the same certificate, from another state file,
/// finds the first one's green objects: its rollback leaves them alone and says so rather
/// than claiming it removed them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_says_what_it_left_alone() {
    let sb = TestSandbox::new().await;
    let mut first = sb.start_args("create", &[]);
    first.extend(["--state".into(), "first.json".into()]);
    assert_code(&sb.run(&first).await, 0);
    let green = sb.green_ingress();
    let mut second = sb.start_args("create", &[]);
    second.extend(["--state".into(), "second.json".into()]);
    let refused = sb.run(&second).await;
    assert_code(&refused, 3);

    let run = sb
        .run(&["rollback", "--yes", "--state", "second.json"])
        .await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("delete-green-ingress   left alone:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "green `{green}` left alone (not created by this rotation)"
        )),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("removed"), "{}", run.stderr);
    assert!(
        sb.ingress(NS, &green).is_some(),
        "the first rotation's green stays"
    );
}
