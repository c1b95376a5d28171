//! The harness of the bad-input catalogue: run the real binary against an in-process
//! sandbox and check that it refused the way the README documents — the exit code, an
//! `error:` naming the problem, a `hint:` saying what to do where one is expected, no key
//! material on either stream — and that nothing changed: the sandbox's objects (Compute,
//! Cloud DNS, Kubernetes; events excluded) and every file in the working directory (state
//! files, backups; lock files aside, which a run takes and releases) are byte for byte
//! what they were. `PROOF_INPUT_SHOW=1 cargo test --test proof_input -- --nocapture
//! --test-threads 1` prints every command and what it printed.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use rotate_cert::sandbox::config::RealisticDelays;
use rotate_cert::sandbox::{Sandbox, SandboxOptions};

use crate::support::certs::Pem;
use crate::support::cli::Run;
use crate::support::sandbox::{
    HOSTS, INGRESS, NS, RUN_TIMEOUT, SCALE, TestSandbox, parse_env_file,
};

/// How a refusal must look.
#[derive(Debug, Clone, Copy)]
pub struct Want<'a> {
    /// The documented exit code.
    pub code: i32,
    /// Words the error must contain (all of them).
    pub says: &'a [&'a str],
    /// Words a `hint:` line must contain, when a hint is expected.
    pub hint: Option<&'a str>,
}

/// Exit codes, as the README's table names them.
pub const BAD_INPUT: i32 = 2;
/// See [`BAD_INPUT`].
pub const REFUSED: i32 = 3;
/// See [`BAD_INPUT`].
pub const STATE_UNAVAILABLE: i32 = 4;

/// Every regular file in the working directory but lock files: name → bytes.
pub fn files(sb: &TestSandbox) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(sb.work_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .map(|n| {
            let bytes = std::fs::read(sb.path(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// Runs `args` and checks it was refused as `want` says, with nothing changed.
/// `keys` are PEM keys (besides the sandbox's renewed one) that must not be printed.
pub async fn refused<S: AsRef<str>>(
    sb: &TestSandbox,
    args: &[S],
    want: Want<'_>,
    keys: &[&str],
) -> Run {
    let objects = sb.objects();
    let before = files(sb);
    let run = sb.run(args).await;
    let shown: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
    let ctx = format!(
        "`rotate-cert {}`\nstdout:\n{}\nstderr:\n{}",
        shown.join(" "),
        run.stdout,
        run.stderr
    );
    if std::env::var_os("PROOF_INPUT_SHOW").is_some() {
        println!("--- exit {}: {ctx}", run.code);
    }
    assert_eq!(run.code, want.code, "exit code of {ctx}");
    assert!(
        run.stderr.starts_with("error: ") || run.stderr.contains("\nerror: "),
        "no `error:` line: {ctx}"
    );
    let error = &run.stderr[run.stderr.find("error: ").unwrap()..];
    for word in want.says {
        assert!(
            error.contains(word),
            "the error does not say `{word}`: {ctx}"
        );
    }
    if let Some(h) = want.hint {
        assert!(
            run.stderr
                .lines()
                .any(|l| l.starts_with("hint: ") && l.contains(h)),
            "no hint saying `{h}`: {ctx}"
        );
    }
    run.assert_no_key(&sb.new_key_pem());
    for key in keys {
        run.assert_no_key(key);
    }
    assert!(
        !run.stdout.contains("PRIVATE KEY") && !run.stderr.contains("PRIVATE KEY-----"),
        "a PEM key block was printed: {ctx}"
    );
    assert_eq!(sb.objects(), objects, "the world changed: {ctx}");
    assert_eq!(
        files(sb),
        before,
        "a file in the working directory changed: {ctx}"
    );
    run
}

/// Writes `cert` and `key` as `<stem>.pem` and `<stem>.key` in the working directory;
/// returns `--cert <stem>.pem --key <stem>.key`.
pub fn write_pair(sb: &TestSandbox, stem: &str, cert: &[u8], key: &[u8]) -> Vec<String> {
    let (c, k) = (format!("{stem}.pem"), format!("{stem}.key"));
    std::fs::write(sb.path(&c), cert).unwrap();
    std::fs::write(sb.path(&k), key).unwrap();
    vec!["--cert".into(), c, "--key".into(), k]
}

/// `--cert <stem>.pem --key <stem>.key` of a generated certificate.
pub fn write_pem(sb: &TestSandbox, stem: &str, pem: &Pem) -> Vec<String> {
    write_pair(sb, stem, pem.cert.as_bytes(), pem.key.as_bytes())
}

/// `<command> --yes --ingress default/web` followed by `more`.
pub fn cmd(command: &str, more: &[String]) -> Vec<String> {
    let mut args = vec![
        command.to_string(),
        "--yes".into(),
        "--ingress".into(),
        INGRESS.into(),
    ];
    args.extend(more.iter().cloned());
    args
}

/// `<command> --yes --ingress default/web --cert renewed --key renewed` plus `more`.
pub fn with_renewed(sb: &TestSandbox, command: &str, more: &[&str]) -> Vec<String> {
    sb.start_args(command, more)
}

/// The sandbox's renewed certificate signed for the demo hosts, as a [`Pem`].
pub fn renewed(sb: &TestSandbox) -> Pem {
    Pem {
        cert: sb.sandbox.certs().renewed.chain_pem.clone(),
        key: sb.new_key_pem(),
    }
}

/// Starts a rotation with `create` and kills it at its first step, before anything was
/// created: a real state file, an unchanged world.
pub async fn recorded_rotation(sb: &TestSandbox) -> PathBuf {
    sb.run_aborting_at(&sb.start_args("create", &[]), "create-secret:before-act")
        .await;
    sb.state_path()
}

/// A test sandbox started with `opts` (demo world seeded by `seed` instead of the
/// default), its files written as [`TestSandbox::start`] does.
pub async fn sandbox_with(opts: SandboxOptions, zone: bool) -> TestSandbox {
    rotate_cert::install_crypto_provider();
    let sandbox = Sandbox::start(SandboxOptions {
        seed_demo: false,
        ..opts
    })
    .await
    .expect("the sandbox starts");
    let world = sandbox.world().clone();
    rotate_cert::sandbox::seed::seed_ingress(
        &world,
        NS,
        "web",
        "web-tls",
        &world.certs.live,
        &HOSTS,
    )
    .await
    .expect("seed default/web");
    let blue_ip = rotate_cert::sandbox::seed::ingress_ip(&world, NS, "web").unwrap();
    if zone {
        let seed = rotate_cert::sandbox::seed::ZONE;
        world
            .dns
            .create_zone(seed, rotate_cert::sandbox::seed::ZONE_DNS, "demo");
        for h in HOSTS {
            world.dns.upsert_rrset(
                seed,
                &format!("{h}."),
                "A",
                world.core.timing.ttl_secs,
                vec![blue_ip.clone()],
            );
        }
    }
    let dir = tempfile::tempdir().expect("a temporary directory");
    let files = rotate_cert::sandbox::files::write(dir.path(), &sandbox).expect("files");
    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    let vars = parse_env_file(&std::fs::read_to_string(&files.env).unwrap());
    TestSandbox {
        sandbox,
        dir,
        files,
        vars,
        blue_ip,
    }
}

/// A sandbox whose backend health checks never pass: the demo Ingress is provisioned,
/// but ingress-gce reports its backends UNHEALTHY.
pub async fn sandbox_with_unhealthy_backends() -> TestSandbox {
    let delays = RealisticDelays {
        // Far longer than the day the seeded load balancer is backdated by.
        backend_health: 1.0e9,
        ..RealisticDelays::default()
    };
    sandbox_with(
        SandboxOptions {
            time_scale: SCALE,
            delays,
            ..Default::default()
        },
        true,
    )
    .await
}

/// A sandbox with the demo Ingress and no Cloud DNS zone at all.
pub async fn sandbox_without_zone() -> TestSandbox {
    sandbox_with(
        SandboxOptions {
            time_scale: SCALE,
            ..Default::default()
        },
        false,
    )
    .await
}

/// Runs `args` to success.
pub async fn ok<S: AsRef<str>>(sb: &TestSandbox, args: &[S]) -> Run {
    let run = sb.run_with(args, &[], RUN_TIMEOUT).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    run
}

/// Waits until `f` holds (at most 10 s).
pub async fn until(what: &str, f: impl Fn() -> bool) {
    let start = std::time::Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(10), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
