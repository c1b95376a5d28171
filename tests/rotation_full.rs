//! A whole rotation with `rotate`, end to end: the real binary against an in-process
//! sandbox. What is left in the world afterwards (green only, no blue leftovers, nothing
//! duplicated), what clients see (DNS answers, `curl`), what the state file holds (never
//! the key), the JSON event stream, and running it again.

mod support;

use std::time::Duration;

use support::cli::Run;
use support::sandbox::{
    HOSTS, INGRESS, NS, TestSandbox, assert_code, json_lines, read_json, step_statuses,
};

/// No line of the key's base64 body and no PEM key marker in `text`.
fn assert_no_key_in(text: &str, key_pem: &str, what: &str) {
    assert!(!text.contains("PRIVATE KEY"), "{what} holds a PEM key");
    for line in support::certs::secret_lines(key_pem) {
        assert!(!text.contains(&line), "{what} holds key material: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_replaces_blue_with_green_and_leaves_nothing_of_blue() {
    let sb = TestSandbox::new().await;
    let blue_lb = sb.lb_resource_names("web");
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 0);
    assert_eq!(run.stdout, "", "human mode writes nothing on stdout");
    assert!(
        run.stderr.contains("rotated: `default/web` → `default/"),
        "{}",
        run.stderr
    );
    run.assert_no_key(&sb.new_key_pem());

    // The world: green only, nothing of blue left, the user's Secret kept.
    let green_ip = sb.assert_rotated().await;
    let left = sb.all_compute_names();
    for name in &blue_lb {
        assert!(!left.contains(name), "blue's `{name}` is left in {left:?}");
    }
    assert!(
        sb.ingress(NS, &sb.green_ingress()).unwrap()["metadata"]["labels"]["app.kubernetes.io/managed-by"]
            == "rotate-cert"
    );

    // What clients get on the green IP: the new certificate, routed by the URL map.
    for host in HOSTS {
        let root = sb.curl(host, &green_ip, "/").await;
        assert_eq!(root.status, 200);
        assert_eq!(
            root.leaf_sha256,
            sb.new_fp(),
            "{host} serves the new certificate"
        );
        assert!(root.body.starts_with("backend=app "), "{}", root.body);
        assert!(
            root.body
                .contains(&format!("lb=default/{}", sb.green_ingress())),
            "{}",
            root.body
        );
        let st = sb.curl(host, &green_ip, "/static/x").await;
        assert_eq!(st.status, 200);
        assert!(st.body.starts_with("backend=static "), "{}", st.body);
    }

    // The state file: complete, consistent, and never the key.
    let doc = sb.state();
    for (step, status) in step_statuses(&doc) {
        assert!(
            status == "done" || status == "skipped",
            "{step} is {status}"
        );
    }
    let id = doc["rotation_id"].as_str().unwrap();
    assert_eq!(doc["rotation"]["rotation_id"], id);
    assert_eq!(doc["rotation"]["green"]["ip"], green_ip.as_str());
    for entry in doc["journal"].as_array().unwrap() {
        if let Some(other) = entry["message"]
            .as_str()
            .unwrap()
            .split('`')
            .find(|w| w.starts_with("rot-"))
        {
            assert_eq!(other, id, "the journal names another rotation: {entry}");
        }
    }
    let key = sb.new_key_pem();
    for file in [
        sb.state_path(),
        sb.path(&format!("{}.bak", support::sandbox::STATE_FILE)),
    ] {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_no_key_in(&text, &key, &file.display().to_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_json_is_one_event_per_line_with_every_step_and_a_summary() {
    let sb = TestSandbox::new().await;
    let run = sb
        .run(&sb.start_args("rotate", &["--output", "json"]))
        .await;
    assert_code(&run, 0);
    run.assert_no_key(&sb.new_key_pem());
    let events = json_lines(&run);
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().expect("every line has an event"))
        .collect();
    for k in &kinds {
        assert!(
            [
                "plan",
                "step-started",
                "progress",
                "step-done",
                "step-skipped",
                "warning",
                "summary"
            ]
            .contains(k),
            "unexpected event `{k}` on stdout"
        );
    }
    assert_eq!(kinds[0], "plan", "the plan comes first");
    assert_eq!(events[0]["green"]["ingress"], sb.green_ingress().as_str());
    assert_eq!(kinds.iter().filter(|k| **k == "summary").count(), 1);
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary", "the summary comes last");
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["rotation_id"], sb.state()["rotation_id"]);
    assert_eq!(summary["certificate"], sb.new_fp().as_str());
    assert_eq!(
        summary["ingress"]["to"],
        format!("{NS}/{}", sb.green_ingress()).as_str()
    );

    let steps = step_statuses(&sb.state());
    assert_eq!(steps.len(), 12, "{steps:?}");
    for (step, status) in &steps {
        let of = |kind: &str| {
            events
                .iter()
                .filter(|e| e["event"] == kind && e["step"] == step.as_str())
                .count()
        };
        match status.as_str() {
            "done" => {
                assert_eq!(of("step-started"), 1, "{step} started once");
                assert_eq!(of("step-done"), 1, "{step} done once");
                let started = kinds
                    .iter()
                    .zip(&events)
                    .position(|(k, e)| *k == "step-started" && e["step"] == step.as_str());
                let done = kinds
                    .iter()
                    .zip(&events)
                    .position(|(k, e)| *k == "step-done" && e["step"] == step.as_str());
                assert!(started < done, "{step}: started before done");
            }
            "skipped" => assert_eq!(of("step-skipped"), 1, "{step} skipped once"),
            other => panic!("{step} is {other}"),
        }
    }
    for e in events
        .iter()
        .filter(|e| e["event"] != "plan" && e["event"] != "summary")
    {
        assert!(e["ts"].is_string(), "every event has a timestamp: {e}");
    }
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_again_to_the_served_certificate_has_nothing_to_do() {
    let sb = TestSandbox::new().await;
    assert_code(&sb.run(&sb.start_args("rotate", &["--quiet"])).await, 0);
    let after = sb.objects();
    let state = std::fs::read(sb.state_path()).unwrap();

    // The same command again (a re-run job), and the green Ingress named directly.
    let again = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&again, 0);
    assert!(again.stderr.contains("nothing to do"), "{}", again.stderr);
    let green = format!("{NS}/{}", sb.green_ingress());
    assert!(
        again
            .stderr
            .contains(&format!("ingress `default/web` was replaced by `{green}`")),
        "{}",
        again.stderr
    );
    let mut plan_args = sb.start_args("plan", &[]);
    plan_args.retain(|a| a != "--yes");
    let plan = sb.run(&plan_args).await;
    assert_code(&plan, 0);
    assert!(
        plan.stdout.starts_with("nothing to do: "),
        "{}",
        plan.stdout
    );
    let mut args = sb.start_args("rotate", &[]);
    args[3] = green.clone();
    let direct = sb.run(&args).await;
    assert_code(&direct, 0);
    assert!(direct.stderr.contains("nothing to do"), "{}", direct.stderr);
    assert!(direct.stderr.contains(&green), "{}", direct.stderr);

    // Another certificate for the replaced Ingress: refused, naming what to rotate.
    let third = sb
        .sandbox
        .certs()
        .ca
        .leaf(
            &HOSTS,
            Duration::from_secs(60),
            Duration::from_secs(60 * 86400),
        )
        .unwrap();
    std::fs::write(sb.path("third.pem"), &third.chain_pem).unwrap();
    std::fs::write(sb.path("third.key"), third.key.expose()).unwrap();
    let other = sb
        .run(&[
            "rotate",
            "--yes",
            "--ingress",
            INGRESS,
            "--cert",
            "third.pem",
            "--key",
            "third.key",
        ])
        .await;
    assert_code(&other, 2);
    assert!(
        other.stderr.contains(&format!("rotate `{green}` instead")),
        "{}",
        other.stderr
    );
    assert!(
        other.stderr.contains(&format!("--ingress {green}")),
        "{}",
        other.stderr
    );

    assert_eq!(sb.objects(), after, "nothing changed");
    assert_eq!(
        std::fs::read(sb.state_path()).unwrap(),
        state,
        "state untouched"
    );
    assert!(
        !sb.path(&format!(
            "rotate-cert.{NS}.{}.state.json",
            sb.green_ingress()
        ))
        .exists(),
        "no rotation was recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_without_yes_and_without_a_terminal_is_refused_and_changes_nothing() {
    let sb = TestSandbox::new().await;
    let before = sb.objects();
    let mut args = sb.start_args("rotate", &[]);
    args.retain(|a| a != "--yes");
    let run: Run = sb.run(&args).await;
    assert_code(&run, 2);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    assert!(run.stderr.contains("no terminal"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(sb.objects(), before, "nothing changed");
    assert!(read_json(&sb.state_path()).is_none(), "no state file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotate_from_a_cert_manager_secret() {
    let sb = TestSandbox::new().await;
    let mut secret =
        rotate_cert::sandbox::seed::tls_secret(NS, "web-renewed", &sb.sandbox.certs().renewed);
    secret["metadata"]["annotations"] = serde_json::json!({
        "cert-manager.io/certificate-name": "web",
        "cert-manager.io/issuer-name": "sandbox-ca",
    });
    sb.sandbox
        .world()
        .kube
        .create("secrets", Some(NS), secret)
        .expect("create the cert-manager Secret");

    let args = [
        "rotate",
        "--yes",
        "--ingress",
        INGRESS,
        "--from-secret",
        "default/web-renewed",
    ];
    let run = sb.run(&args).await;
    assert_code(&run, 0);
    run.assert_no_key(&sb.new_key_pem());
    let green_ip = sb.assert_rotated_keeping(&["web-renewed", "web-tls"]).await;
    let served = sb.probe(&green_ip, HOSTS[0]).await;
    assert_eq!(served.leaf_sha256, sb.new_fp());
    assert!(served.healthy(), "{served:?}");
    let source = &sb.state()["rotation"]["cert"]["source"];
    assert_eq!(source["kind"], "secret", "{source}");
    assert_eq!(source["name"], "web-renewed");
    let text = std::fs::read_to_string(sb.state_path()).unwrap();
    assert_no_key_in(&text, &sb.new_key_pem(), "the state file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_rotation_removes_the_secret_the_first_one_created() {
    let sb = TestSandbox::new().await;
    assert_code(&sb.run(&sb.start_args("rotate", &["--quiet"])).await, 0);
    let first = sb.green_ingress();
    let first_secret = sb.green_secret();
    let first_lb = sb.lb_resource_names(&first);

    let third = sb
        .sandbox
        .certs()
        .ca
        .leaf(
            &HOSTS,
            Duration::from_secs(60),
            Duration::from_secs(60 * 86400),
        )
        .unwrap();
    std::fs::write(sb.path("third.pem"), &third.chain_pem).unwrap();
    std::fs::write(sb.path("third.key"), third.key.expose()).unwrap();
    let third_fp = support::sandbox::leaf_sha256(&third.chain_pem);
    let target = format!("{NS}/{first}");
    let plan = sb
        .run(&[
            "plan",
            "--ingress",
            &target,
            "--cert",
            "third.pem",
            "--key",
            "third.key",
        ])
        .await;
    assert_code(&plan, 0);
    assert!(
        plan.stdout.contains(&format!(
            "delete Secret `{NS}/{first_secret}` — created by an earlier rotate-cert rotation"
        )),
        "{}",
        plan.stdout
    );
    let run = sb
        .run(&[
            "rotate",
            "--yes",
            "--ingress",
            &target,
            "--cert",
            "third.pem",
            "--key",
            "third.key",
        ])
        .await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("✓ delete-blue-secret"),
        "{}",
        run.stderr
    );

    // Named from the base name (`web`), not stacked on the first green name.
    let second = format!("web-{}", &third_fp[..8]);
    assert_eq!(sb.ingress_names(NS), vec![second.clone()]);
    let mut secrets = vec![format!("web-tls-{}", &third_fp[..8]), "web-tls".to_string()];
    secrets.sort();
    assert_eq!(
        sb.secret_names(NS),
        secrets,
        "the first rotation's secret is gone"
    );
    let left = sb.all_compute_names();
    for name in &first_lb {
        assert!(!left.contains(name), "the first green's `{name}` is left");
    }
    assert_eq!(sb.ssl_certificate_fps(), vec![third_fp.clone()]);
    let ip = sb.ingress_ip(&second).unwrap();
    for host in HOSTS {
        assert_eq!(sb.served_a(host).await, vec![ip.clone()]);
        assert_eq!(sb.curl(host, &ip, "/").await.leaf_sha256, third_fp);
    }
}
