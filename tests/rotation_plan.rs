//! `plan` reads and changes nothing (Compute, Cloud DNS and Kubernetes objects are
//! identical before and after, and no state file is written), and `plan --output json`
//! names what a rotation would create and switch.

mod support;

use support::sandbox::{HOSTS, NS, TestSandbox, assert_code, json_lines};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_changes_nothing_and_names_every_change() {
    let sb = TestSandbox::new().await;
    let before = sb.objects();
    let run = sb.run(&sb.start_args("plan", &[])).await;
    assert_code(&run, 0);
    assert_eq!(sb.objects(), before, "plan changed the world");
    assert!(
        std::fs::read_dir(sb.work_dir())
            .unwrap()
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().starts_with("rotate-cert.")),
        "plan wrote a state or lock file"
    );
    run.assert_no_key(&sb.new_key_pem());

    // The human plan is the report on stdout.
    let text = &run.stdout;
    assert!(
        text.starts_with("plan: rotate ingress `default/web` (project `sandbox-project`)"),
        "{text}"
    );
    for want in [
        format!("create Secret `{NS}/{}`", sb.green_secret()),
        format!("create Ingress `{NS}/{}`", sb.green_ingress()),
        "update A record `www.example.test.` — zone `example-test`".to_string(),
        "update A record `api.example.test.` — zone `example-test`".to_string(),
        "delete Ingress `default/web`".to_string(),
        format!("blue             {}", sb.blue_ip),
    ] {
        assert!(text.contains(&want), "`{want}` missing from\n{text}");
    }
    assert!(
        !text.contains("delete Secret"),
        "the user's secret is kept:\n{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_json_is_one_object_naming_green_and_the_records() {
    let sb = TestSandbox::new().await;
    let before = sb.objects();
    let run = sb.run(&sb.start_args("plan", &["--output", "json"])).await;
    assert_code(&run, 0);
    assert_eq!(sb.objects(), before, "plan changed the world");
    let lines = json_lines(&run);
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    let plan = &lines[0];
    assert_eq!(plan["event"], "plan");
    assert_eq!(plan["ingress"], "default/web");
    assert_eq!(plan["nothing_to_do"], serde_json::Value::Null);
    assert_eq!(plan["green"]["ingress"], sb.green_ingress().as_str());
    assert_eq!(plan["green"]["secret"], sb.green_secret().as_str());
    assert_eq!(
        plan["green"]["address"],
        serde_json::Value::Null,
        "blue's IP is ephemeral"
    );
    assert_eq!(plan["certificate"]["sha256"], sb.new_fp().as_str());
    assert_eq!(plan["blue"]["ip"], sb.blue_ip.as_str());
    for host in HOSTS {
        assert_eq!(plan["blue"]["serving"][host], sb.old_fp().as_str());
    }
    let ttl = sb.sandbox.world().core.timing.ttl_secs;
    let mut records: Vec<(String, String)> = plan["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["zone"], "example-test");
            assert_eq!(r["ttl"], ttl);
            assert_eq!(r["blue_rrdatas"], serde_json::json!([sb.blue_ip]));
            (
                r["host"].as_str().unwrap().to_string(),
                r["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    records.sort();
    assert_eq!(
        records,
        vec![
            ("api.example.test".into(), "api.example.test.".into()),
            ("www.example.test".into(), "www.example.test.".into()),
        ]
    );
    let nameservers = &plan["zones"][0]["nameservers"];
    assert_eq!(
        nameservers[0]["addr"],
        sb.sandbox.endpoints().dns.to_string().as_str(),
        "{nameservers}"
    );
    let steps: Vec<&str> = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "create-secret",
            "create-ingress",
            "switch-dns",
            "switch-dns",
            "delete-blue-ingress"
        ]
    );
    assert!(plan["waits"].as_array().unwrap().len() >= 4);
}
