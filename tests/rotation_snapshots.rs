//! Snapshots (insta) of what people read: `--help` of the main command and of every
//! rotation subcommand, the human `plan`, and the human output of a finished `rotate`.
//! Filters replace what changes from run to run — ports, paths, temporary directories,
//! IPs, fingerprints, ingress-gce's hashed names, rotation ids, times and durations.
//! Review changes with `cargo insta review` (or `INSTA_UPDATE=always cargo test --test
//! rotation_snapshots`, then `git diff tests/snapshots`).

mod support;

use std::process::Command;

use support::sandbox::{TestSandbox, assert_code};

/// The subcommands of the rotation flow.
const ROTATION_COMMANDS: [&str; 9] = [
    "plan",
    "rotate",
    "create",
    "switch-dns",
    "drain",
    "cleanup",
    "resume",
    "status",
    "rollback",
];

/// `--help` with nothing from this environment (no `ROTATE_CERT_*` values in `[env: …]`).
fn help(command: Option<&str>) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rotate-cert"));
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("COLUMNS", "100");
    if let Some(c) = command {
        cmd.arg(c);
    }
    let out = cmd.arg("--help").output().expect("run rotate-cert");
    assert!(out.status.success(), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn help_of_the_main_command_and_every_rotation_subcommand() {
    insta::assert_snapshot!("help", help(None));
    for command in ROTATION_COMMANDS {
        insta::assert_snapshot!(format!("help_{command}"), help(Some(command)));
    }
}

/// `s` with every regex meta character escaped.
fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Settings whose filters make the sandbox's run-to-run differences stable.
fn filters(sb: &TestSandbox, green_ip: Option<&str>) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    let ep = sb.sandbox.endpoints();
    // Paths first (they may contain anything).
    s.add_filter(&escape(&sb.work_dir().display().to_string()), "[DIR]");
    s.add_filter(&escape(&sb.dir.path().display().to_string()), "[DIR]");
    // ingress-gce's names: cluster-uid and content hashes.
    s.add_filter(
        r"k8s2-cr-[a-z0-9]{8}-[a-z0-9]{16}-[0-9a-f]{16}",
        "k8s2-cr-[UID]-[HASH]",
    );
    s.add_filter(
        r"k8s2-([a-z]{2})-[a-z0-9]{8}-([a-z0-9-]+)-[a-z0-9]{8}\b",
        "k8s2-$1-[UID]-$2-[HASH]",
    );
    s.add_filter(r"k8s1-[a-z0-9]{8}-", "k8s1-[UID]-");
    s.add_filter(r"rot-\d{8}T\d{6}Z-[0-9a-f]{6}", "[ROTATION-ID]");
    s.add_filter(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[TIME]");
    // Fingerprints, longest first.
    for (fp, label) in [(sb.new_fp(), "[NEW]"), (sb.old_fp(), "[OLD]")] {
        for len in [64, 16, 12, 8] {
            s.add_filter(&format!(r"\b{}\b", &fp[..len]), label);
        }
    }
    s.add_filter(&format!(r"\b{}\b", escape(&sb.blue_ip)), "[BLUE-IP]");
    if let Some(g) = green_ip {
        s.add_filter(&format!(r"\b{}\b", escape(g)), "[GREEN-IP]");
    }
    s.add_filter(r"\b127\.\d+\.\d+\.\d+\b", "[IP]");
    for (port, label) in [
        (ep.lb_port, "[LB-PORT]"),
        (ep.dns.port(), "[DNS-PORT]"),
        (ep.http.port(), "[HTTP-PORT]"),
        (ep.kube.port(), "[KUBE-PORT]"),
    ] {
        s.add_filter(&format!(r"\b{port}\b"), label);
    }
    // Durations measured in this run (settings-derived ones are stable at one scale).
    s.add_filter(r"\((\d+(\.\d+)?(ms|s|m|h|d))+\)", "([DURATION])");
    s.add_filter(
        r"up to (\d+(\.\d+)?(ms|s|m|h|d))+ ago",
        "up to [DURATION] ago",
    );
    s.add_filter(r"last traffic (none seen|\[TIME\])", "last traffic [..]");
    // Retries are legitimate but depend on the machine's load.
    s.add_filter(r"(?m)^warning: `[a-z-]+`: .*; retrying in .*\n", "");
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_plan() {
    let sb = TestSandbox::new().await;
    let run = sb.run(&sb.start_args("plan", &[])).await;
    assert_code(&run, 0);
    filters(&sb, None).bind(|| {
        insta::assert_snapshot!("plan_stdout", run.stdout);
        insta::assert_snapshot!("plan_stderr", run.stderr);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn human_output_of_a_finished_rotate() {
    let sb = TestSandbox::new().await;
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_code(&run, 0);
    assert_eq!(run.stdout, "");
    let green_ip = sb.ingress_ip(&sb.green_ingress()).expect("green IP");
    filters(&sb, Some(&green_ip)).bind(|| {
        insta::assert_snapshot!("rotate_stderr", run.stderr);
    });
}
