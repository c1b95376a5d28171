//! The step commands one by one — `create`, `switch-dns`, `drain`, `cleanup` — with
//! `status` (human and JSON) between them, and the order they insist on.

mod support;

use serde_json::Value;
use support::sandbox::{HOSTS, INGRESS, NS, TestSandbox, assert_code, json_lines, step_statuses};

const CREATE: [&str; 5] = [
    "create-secret",
    "reserve-address",
    "create-ingress",
    "await-load-balancer",
    "verify-tls",
];
const LATER: [&str; 7] = [
    "switch-dns",
    "verify-dns",
    "drain",
    "delete-blue-ingress",
    "await-blue-gone",
    "delete-blue-secret",
    "release-blue-address",
];

/// Asserts every step in `finished` is done or skipped and every one in `pending` pending.
#[track_caller]
fn assert_steps(sb: &TestSandbox, finished: &[&str], pending: &[&str]) {
    let steps = step_statuses(&sb.state());
    for s in finished {
        assert!(
            matches!(steps[*s].as_str(), "done" | "skipped"),
            "{s}: {steps:?}"
        );
    }
    for s in pending {
        assert_eq!(steps[*s], "pending", "{s}: {steps:?}");
    }
}

/// `status --output json`, parsed.
async fn status_json(sb: &TestSandbox) -> Value {
    let run = sb.run(&["status", "--output", "json"]).await;
    assert_code(&run, 0);
    let mut lines = json_lines(&run);
    assert_eq!(lines.len(), 1, "{}", run.stdout);
    lines.remove(0)
}

/// The live nameserver answers in a `status --output json`, as (host, answer).
fn live_dns(status: &Value) -> Vec<(String, Vec<String>)> {
    status["live"]["dns"]
        .as_array()
        .expect("live dns")
        .iter()
        .map(|a| {
            (
                a["host"].as_str().unwrap().to_string(),
                a["answer"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// What `status --output json` says `side` serves for every host: (host, certificate).
fn live_served(status: &Value, side: &str) -> Vec<(String, String)> {
    status["live"]["served"]
        .as_array()
        .expect("live served")
        .iter()
        .filter(|s| s["side"] == side)
        .map(|s| {
            (
                s["host"].as_str().unwrap().to_string(),
                s["certificate"].as_str().unwrap_or("none").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_commands_one_by_one_with_status_between() {
    let sb = TestSandbox::new().await;
    let green = sb.green_ingress();

    // create: green is built and proven beside blue; DNS still on blue.
    let run = sb.run(&sb.start_args("create", &[])).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("next: `rotate-cert switch-dns --state"),
        "{}",
        run.stderr
    );
    assert_steps(&sb, &CREATE, &LATER);
    assert_eq!(sb.ingress_names(NS), vec!["web".to_string(), green.clone()]);
    assert!(sb.secret_names(NS).contains(&sb.green_secret()));
    let green_ip = sb.ingress_ip(&green).expect("green has an IP");
    assert_eq!(sb.state()["rotation"]["green"]["ip"], green_ip.as_str());
    let mut fps = vec![sb.old_fp(), sb.new_fp()];
    fps.sort();
    assert_eq!(
        sb.ssl_certificate_fps(),
        fps,
        "blue's and green's certificates"
    );
    for host in HOSTS {
        assert_eq!(sb.served_a(host).await, vec![sb.blue_ip.clone()]);
        assert_eq!(sb.probe(&green_ip, host).await.leaf_sha256, sb.new_fp());
        assert_eq!(sb.probe(&sb.blue_ip, host).await.leaf_sha256, sb.old_fp());
    }

    // Out of order: refused, nothing changed.
    for (cmd, missing) in [
        ("drain", "not done: switch-dns, verify-dns"),
        ("cleanup", "not done: drain"),
    ] {
        let early = sb.run(&[cmd, "--yes", "--ingress", INGRESS]).await;
        assert_code(&early, 2);
        assert!(
            early.stderr.contains(&format!("`{cmd}` needs")) && early.stderr.contains(missing),
            "{}",
            early.stderr
        );
    }
    assert_eq!(sb.ingress_names(NS).len(), 2);

    // status after create: in progress, DNS on blue, green serving the new certificate.
    let human = sb.run(&["status"]).await;
    assert_code(&human, 0);
    let text = &human.stdout;
    assert!(text.contains(": in progress"), "{text}");
    assert!(text.contains("done    verify-tls"), "{text}");
    assert!(text.contains("pending switch-dns"), "{text}");
    assert!(
        text.contains("dns    www.example.test @") && text.contains("(blue)"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "green  {green_ip} www.example.test serves new certificate"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "blue   {} www.example.test serves old certificate",
            sb.blue_ip
        )),
        "{text}"
    );
    let st = status_json(&sb).await;
    assert_eq!(st["event"], "status");
    assert_eq!(st["complete"], false);
    assert_eq!(st["green"]["ingress"], green.as_str());
    assert_eq!(st["green"]["ip"], green_ip.as_str());
    for (host, answer) in live_dns(&st) {
        assert_eq!(answer, vec![sb.blue_ip.clone()], "{host}");
    }
    assert_eq!(live_served(&st, "green").len(), 2);
    for (host, cert) in live_served(&st, "green") {
        assert_eq!(cert, "new", "{host}");
    }
    for (host, cert) in live_served(&st, "blue") {
        assert_eq!(cert, "old", "{host}");
    }

    // switch-dns: both records on green, in Cloud DNS and at the nameserver.
    let run = sb.run(&["switch-dns", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("next: `rotate-cert drain"),
        "{}",
        run.stderr
    );
    assert_steps(&sb, &["switch-dns", "verify-dns"], &LATER[2..]);
    for host in HOSTS {
        assert_eq!(sb.a_records()[&format!("{host}.")], vec![green_ip.clone()]);
        assert_eq!(sb.served_a(host).await, vec![green_ip.clone()]);
    }
    assert_eq!(sb.ingress_names(NS).len(), 2, "blue is still there");

    // drain: a gate (no confirmation needed); blue is untouched.
    let run = sb.run(&["drain", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("next: `rotate-cert cleanup"),
        "{}",
        run.stderr
    );
    assert_steps(&sb, &["drain"], &LATER[3..]);
    assert_eq!(sb.ingress_names(NS).len(), 2, "blue is still there");

    // cleanup: blue and its load balancer are gone.
    let run = sb.run(&["cleanup", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("rotated: `default/web`"),
        "{}",
        run.stderr
    );
    assert_steps(&sb, &LATER, &[]);
    assert_eq!(sb.assert_rotated().await, green_ip);

    // status when complete.
    let human = sb.run(&["status"]).await;
    assert_code(&human, 0);
    assert!(human.stdout.contains(": complete"), "{}", human.stdout);
    assert!(
        human.stdout.contains("ingress `default/web` absent"),
        "{}",
        human.stdout
    );
    let blue_lines: Vec<&str> = human
        .stdout
        .lines()
        .filter(|l| l.starts_with(&format!("  blue   {} ", sb.blue_ip)))
        .collect();
    assert_eq!(blue_lines.len(), 2, "{}", human.stdout);
    for l in blue_lines {
        assert!(
            l.contains(" serves old certificate ") || l.contains(" no TLS answer: "),
            "{l}"
        );
    }
    let st = status_json(&sb).await;
    assert_eq!(st["complete"], true);
    for (host, answer) in live_dns(&st) {
        assert_eq!(answer, vec![green_ip.clone()], "{host}");
    }
    let states: Vec<(&str, &str)> = st["live"]["ingresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["side"].as_str().unwrap(), i["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, vec![("blue", "absent"), ("green", "present")]);
    let offline = sb.run(&["status", "--offline"]).await;
    assert_code(&offline, 0);
    assert!(!offline.stdout.contains("live:"), "{}", offline.stdout);

    // Nothing left to resume.
    let again = sb.run(&["resume", "--yes"]).await;
    assert_code(&again, 0);
    assert!(
        again.stderr.contains("already complete (rotated to green)"),
        "{}",
        again.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn switch_dns_before_create_finished_is_refused() {
    let sb = TestSandbox::new().await;
    let nothing = sb.run(&["switch-dns", "--yes", "--ingress", INGRESS]).await;
    assert_code(&nothing, 2);
    assert!(
        nothing.stderr.contains("no rotation recorded at"),
        "{}",
        nothing.stderr
    );

    sb.run_aborting_at(&sb.start_args("create", &[]), "create-ingress:after-act")
        .await;
    let records = sb.a_records();
    let run = sb.run(&["switch-dns", "--yes", "--ingress", INGRESS]).await;
    assert_code(&run, 2);
    assert!(
        run.stderr.contains(
            "`switch-dns` needs `create-secret`, `reserve-address`, `create-ingress`, `await-load-balancer`, `verify-tls` done first"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("not done: create-ingress, await-load-balancer, verify-tls"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rotate-cert resume --state"),
        "{}",
        run.stderr
    );
    assert_eq!(sb.a_records(), records, "DNS unchanged");
    for host in HOSTS {
        assert_eq!(sb.served_a(host).await, vec![sb.blue_ip.clone()]);
    }
    assert_eq!(sb.steps()["switch-dns"], "pending");
}
