//! The crash suites' scene: one in-process sandbox set up for the rotation under test,
//! with the world snapshotted just before it, and the invariants a finished rotation or
//! rollback must satisfy whatever happened on the way. The pool that runs many scenes at
//! once is in `pool.rs`.
//!
//! Two shapes of rotation:
//!
//! - [`Shape::First`]: the demo Ingress `default/web` (ephemeral IP, the user's Secret):
//!   10 of the 12 forward steps apply.
//! - [`Shape::Second`]: a second rotation. `default/web` is first given a static IP the
//!   user reserved, then rotated once (drain forced, to be quick), so the Ingress under
//!   test is the first rotation's green one: its Secret was made by rotate-cert and its
//!   static address reserved by rotate-cert. All 12 forward steps apply
//!   (`reserve-address`, `delete-blue-secret`, `release-blue-address` included).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::compute::apply::Mutation;
use rotate_cert::sandbox::compute::links::Collection;
use rotate_cert::tls::{ProbeOutcome, Prober};
use serde_json::{Value, json};

use crate::support::cli::Run;
use crate::support::sandbox::{
    HOSTS, NS, RUN_TIMEOUT, TestSandbox, ZONE, leaf_sha256, read_json, step_statuses,
};

/// The sandbox's time scale: a rotation takes about 4 s, most of it the drain (a TTL of
/// 2 s, then settled Monitoring data).
pub const SCALE: f64 = 0.005;

/// Deadlines far above what the steps need even on a loaded machine (the sandbox's env
/// file scales them down to a few seconds): a slow machine must not turn a crash test
/// into a timeout test. Recorded in the state file, so `resume` keeps them.
pub const TIMING: [&str; 8] = [
    "--create-timeout",
    "60s",
    "--dns-timeout",
    "60s",
    "--cleanup-timeout",
    "60s",
    "--drain-timeout",
    "90s",
];

/// The forward steps in order.
pub const FORWARD: [&str; 12] = [
    "create-secret",
    "reserve-address",
    "create-ingress",
    "await-load-balancer",
    "verify-tls",
    "switch-dns",
    "verify-dns",
    "drain",
    "delete-blue-ingress",
    "await-blue-gone",
    "delete-blue-secret",
    "release-blue-address",
];

/// The rollback steps in order.
pub const ROLLBACK: [&str; 7] = [
    "rollback-dns",
    "rollback-verify-dns",
    "drain-green",
    "delete-green-ingress",
    "await-green-gone",
    "delete-green-secret",
    "release-green-address",
];

/// Which rotation a scene sets up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The demo Ingress, rotated for the first time.
    First,
    /// The Ingress a first rotation created (static IP and Secret of rotate-cert's).
    Second,
}

/// The compute resources as `(collection, name)`.
pub type Names = BTreeSet<(String, String)>;

/// What must be exactly as it was once a rotation is rolled back.
#[derive(Debug, Clone, PartialEq)]
pub struct Blue {
    compute: Names,
    ingresses: Vec<String>,
    secrets: Vec<String>,
    /// uid, annotations, spec and status of the blue Ingress.
    ingress: Value,
    records: BTreeMap<String, Vec<String>>,
}

/// One sandbox, set up for the rotation under test.
pub struct Scene {
    /// The sandbox.
    pub sb: TestSandbox,
    /// Which rotation.
    pub shape: Shape,
    /// The blue Ingress's name (in `default`).
    pub blue: String,
    /// The new certificate and key files.
    pub cert: PathBuf,
    /// See `cert`.
    pub key: PathBuf,
    /// The new certificate's fingerprint.
    pub new_fp: String,
    /// What blue serves.
    pub old_fp: String,
    /// The rotation's state file.
    pub state: PathBuf,
    /// Every object before the rotation under test (events excluded).
    pub before: Value,
    /// The blue stack before the rotation under test.
    pub blue_before: Blue,
    /// The Compute resources that belong to blue (removed by cleanup).
    pub blue_owned: Names,
}

/// The Compute resources an Ingress's load balancer is made of, from ingress-gce's
/// annotations.
pub fn lb_owned(ing: &Value) -> Names {
    let ann = &ing["metadata"]["annotations"];
    let mut out = Names::new();
    for (key, coll) in [
        ("forwarding-rule", "forwardingRules"),
        ("https-forwarding-rule", "forwardingRules"),
        ("target-proxy", "targetHttpProxies"),
        ("https-target-proxy", "targetHttpsProxies"),
        ("url-map", "urlMaps"),
        ("ssl-cert", "sslCertificates"),
        ("static-ip", "addresses"),
    ] {
        if let Some(v) = ann[format!("ingress.kubernetes.io/{key}")].as_str() {
            for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                out.insert((coll.to_string(), name.to_string()));
            }
        }
    }
    out
}

/// Every Compute resource of the sandbox.
pub fn compute_set(sb: &TestSandbox) -> Names {
    sb.compute_names()
        .into_iter()
        .flat_map(|(coll, names)| names.into_iter().map(move |n| (coll.clone(), n)))
        .collect()
}

/// Polls `f` until it returns `Some`, panicking with `what` after 30 s.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "never: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// What `ip` serves for `host`, or `None` when nothing answers yet.
pub async fn try_probe(sb: &TestSandbox, ip: &str, host: &str) -> Option<ProbeOutcome> {
    let prober = Prober::new(
        Some(&sb.files.ca),
        sb.sandbox.endpoints().lb_port,
        Duration::from_secs(5),
    )
    .expect("a prober");
    prober.probe(ip.parse().expect("an IP"), host).await.ok()
}

/// Moves the demo Ingress onto a static address the user reserved, and its records with
/// it (as an operator does before rotating with a static IP).
async fn give_web_a_static_ip(sb: &mut TestSandbox) {
    let world = sb.sandbox.world().clone();
    let body = json!({"name": "web-ip", "description": "the user's address for default/web"});
    rotate_cert::sandbox::compute::mutate(
        &world,
        Mutation::Insert {
            coll: Collection::Addresses,
            body,
        },
        None,
        None,
        true,
    )
    .expect("reserve web-ip");
    let ip = eventually("web-ip is reserved", || async {
        world.compute.get(Collection::Addresses, "web-ip")?["address"]
            .as_str()
            .map(String::from)
    })
    .await;
    let patch = json!({"metadata": {"annotations": {
        "kubernetes.io/ingress.global-static-ip-name": "web-ip"}}});
    world
        .kube
        .patch_merge("ingresses", Some(NS), "web", &patch, false)
        .expect("annotate web");
    eventually("web moves to its static IP", || async {
        (sb.ingress_ip("web").as_deref() == Some(ip.as_str())).then_some(())
    })
    .await;
    for host in HOSTS {
        eventually("web serves on its static IP", || async {
            try_probe(sb, &ip, host).await.filter(|p| p.healthy())
        })
        .await;
        world.dns.upsert_rrset(
            ZONE,
            &format!("{host}."),
            "A",
            world.core.timing.ttl_secs,
            vec![ip.clone()],
        );
    }
    sb.blue_ip = ip;
}

impl Scene {
    /// A sandbox set up for the rotation `shape`, snapshotted.
    pub async fn new(shape: Shape) -> Scene {
        let mut sb = TestSandbox::start(SCALE).await;
        let (blue, cert, key, new_fp, old_fp) = match shape {
            Shape::First => (
                "web".to_string(),
                sb.files.renewed_cert.clone(),
                sb.files.renewed_key.clone(),
                sb.new_fp(),
                sb.old_fp(),
            ),
            Shape::Second => {
                give_web_a_static_ip(&mut sb).await;
                let mut first = sb.start_args("rotate", &["--force", "--quiet"]);
                first.extend(TIMING.iter().map(|s| s.to_string()));
                let run = sb.run(&first).await;
                assert_eq!(run.code, 0, "the first rotation: {}", run.stderr);
                let blue = sb.green_ingress();
                sb.blue_ip = sb.ingress_ip(&blue).expect("the first green has an IP");
                let third = sb
                    .sandbox
                    .certs()
                    .ca
                    .leaf(
                        &HOSTS,
                        Duration::from_secs(60),
                        Duration::from_secs(60 * 86400),
                    )
                    .expect("a third certificate");
                let (cert, key) = (sb.path("third.pem"), sb.path("third.key"));
                std::fs::write(&cert, &third.chain_pem).unwrap();
                std::fs::write(&key, third.key.expose()).unwrap();
                (blue, cert, key, leaf_sha256(&third.chain_pem), sb.new_fp())
            }
        };
        let state = sb.path(&format!("rotate-cert.{NS}.{blue}.state.json"));
        let blue_ing = sb.ingress(NS, &blue).expect("blue exists");
        let mut blue_owned = lb_owned(&blue_ing);
        if shape == Shape::Second {
            let addr =
                blue_ing["metadata"]["annotations"]["kubernetes.io/ingress.global-static-ip-name"]
                    .as_str()
                    .expect("the first green has a static IP")
                    .to_string();
            blue_owned.insert(("addresses".into(), addr));
        }
        let mut scene = Scene {
            before: sb.objects(),
            blue_before: Blue {
                compute: Names::new(),
                ingresses: Vec::new(),
                secrets: Vec::new(),
                ingress: Value::Null,
                records: BTreeMap::new(),
            },
            sb,
            shape,
            blue,
            cert,
            key,
            new_fp,
            old_fp,
            state,
            blue_owned,
        };
        scene.blue_before = scene.blue_now();
        scene
    }

    /// `--ingress default/<blue>`.
    pub fn target(&self) -> String {
        format!("{NS}/{}", self.blue)
    }

    /// The green Ingress's name: the base name `web` and the new fingerprint.
    pub fn green(&self) -> String {
        format!("web-{}", &self.new_fp[..8])
    }

    /// `<command> --yes --ingress <blue> --cert … --key … <TIMING>`.
    pub fn start_args(&self, command: &str) -> Vec<String> {
        let mut args: Vec<String> = [command, "--yes", "--ingress", &self.target(), "--cert"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(self.cert.display().to_string());
        args.push("--key".into());
        args.push(self.key.display().to_string());
        args.extend(TIMING.iter().map(|s| s.to_string()));
        args
    }

    /// `<command> --yes --ingress <blue>` (resume, rollback, switch-dns).
    pub fn continue_args(&self, command: &str) -> Vec<String> {
        vec![
            command.into(),
            "--yes".into(),
            "--ingress".into(),
            self.target(),
        ]
    }

    /// Runs the binary with `ROTATE_CERT_TEST_ABORT_AT=<point>`: `Some(run)` when it
    /// aborted there, `None` when it finished without reaching the point.
    pub async fn run_aborting<S: AsRef<str>>(&self, args: &[S], point: &str) -> Option<Run> {
        let run = self
            .sb
            .run_with(args, &[("ROTATE_CERT_TEST_ABORT_AT", point)], RUN_TIMEOUT)
            .await;
        if run.code == -1 && run.stderr.contains(&format!("aborting at {point}")) {
            Some(run)
        } else {
            assert_eq!(
                run.code, 0,
                "neither an abort at {point} nor success\nstderr:\n{}",
                run.stderr
            );
            None
        }
    }

    /// Runs `args`; asserts exit 0.
    pub async fn run_ok<S: AsRef<str>>(&self, args: &[S]) -> Run {
        let run = self.sb.run(args).await;
        let shown: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        assert_eq!(
            run.code,
            0,
            "`rotate-cert {}`\nstdout:\n{}\nstderr:\n{}",
            shown.join(" "),
            run.stdout,
            run.stderr
        );
        run
    }

    /// The state file, parsed (`None` when there is none).
    pub fn doc(&self) -> Option<Value> {
        read_json(&self.state)
    }

    /// The state of one step.
    pub fn step(&self, name: &str) -> String {
        self.doc()
            .map(|d| step_statuses(&d).get(name).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// The first step of `list` that is neither done nor skipped (`-` when none; `no
    /// state` when there is no state file).
    pub fn current_step(&self, list: &[&str]) -> String {
        let Some(doc) = self.doc() else {
            return "no state".into();
        };
        let steps = step_statuses(&doc);
        list.iter()
            .find(|s| {
                steps
                    .get(**s)
                    .is_none_or(|st| st != "done" && st != "skipped")
            })
            .map(|s| s.to_string())
            .unwrap_or_else(|| "-".into())
    }

    /// The blue stack now.
    pub fn blue_now(&self) -> Blue {
        let sb = &self.sb;
        let ing = sb.ingress(NS, &self.blue).unwrap_or(Value::Null);
        Blue {
            compute: compute_set(sb),
            ingresses: sb.ingress_names(NS),
            secrets: sb.secret_names(NS),
            ingress: json!({
                "uid": ing["metadata"]["uid"],
                "annotations": ing["metadata"]["annotations"],
                "spec": ing["spec"],
                "status": ing["status"],
            }),
            records: sb.a_records(),
        }
    }

    /// The rotation is complete and the world is exactly blue's world with blue replaced
    /// by green: one green Ingress and Secret, exactly green's load-balancer resources in
    /// place of blue's (nothing duplicated, nothing of blue left), one certificate, DNS on
    /// the green IP in Cloud DNS and at the nameserver, the green IP serving the new
    /// certificate. Returns the green IP.
    pub async fn assert_rotated(&self) -> String {
        let sb = &self.sb;
        let doc = self.doc().expect("a state file");
        assert_eq!(doc["rotation"]["rolling_back"], false);
        for (step, status) in step_statuses(&doc) {
            let applies = self.shape == Shape::Second
                || !matches!(
                    step.as_str(),
                    "reserve-address" | "delete-blue-secret" | "release-blue-address"
                );
            let want = if applies { "done" } else { "skipped" };
            assert_eq!(status, want, "step {step}: {}", doc["steps"]);
        }
        let green = self.green();
        assert_eq!(sb.ingress_names(NS), vec![green.clone()], "one Ingress");
        let mut secrets = vec![format!("web-tls-{}", &self.new_fp[..8]), "web-tls".into()];
        secrets.sort();
        assert_eq!(
            sb.secret_names(NS),
            secrets,
            "green's Secret and the user's"
        );
        let green_ip = sb.ingress_ip(&green).expect("green has an IP");
        assert_ne!(green_ip, sb.blue_ip);

        let green_ing = sb.ingress(NS, &green).unwrap();
        let mut green_owned = lb_owned(&green_ing);
        if let Some(addr) = doc["rotation"]["green"]["address"].as_str() {
            green_owned.insert(("addresses".into(), addr.to_string()));
        }
        let mut want: Names = self
            .blue_before
            .compute
            .difference(&self.blue_owned)
            .cloned()
            .collect();
        want.extend(green_owned);
        let have = compute_set(sb);
        assert_eq!(
            have,
            want,
            "Compute: extra {:?}, missing {:?}",
            have.difference(&want).collect::<Vec<_>>(),
            want.difference(&have).collect::<Vec<_>>()
        );
        assert_eq!(sb.ssl_certificate_fps(), vec![self.new_fp.clone()]);
        for rule in sb.forwarding_rules() {
            assert_eq!(rule["IPAddress"], green_ip.as_str(), "{rule}");
        }
        let records = sb.a_records();
        for host in HOSTS {
            let name = format!("{host}.");
            assert_eq!(records[&name], vec![green_ip.clone()], "Cloud DNS {host}");
            assert_eq!(sb.served_a(host).await, vec![green_ip.clone()], "{host}");
            let p = sb.probe(&green_ip, host).await;
            assert_eq!(p.leaf_sha256, self.new_fp, "{host} on the green IP");
            assert!(p.healthy(), "{p:?}");
        }
        green_ip
    }

    /// The rotation is rolled back: every rollback step finished, the world exactly as
    /// before the rotation (green's resources, Secret and address gone; blue's Ingress,
    /// load balancer, Secret and records untouched), DNS on blue at the nameserver and
    /// blue serving its certificate.
    pub async fn assert_rolled_back(&self) {
        let sb = &self.sb;
        let doc = self.doc().expect("a state file");
        assert_eq!(doc["rotation"]["rolling_back"], true);
        let steps = step_statuses(&doc);
        for step in ROLLBACK {
            let st = &steps[step];
            assert!(st == "done" || st == "skipped", "{step} is {st}");
        }
        let now = self.blue_now();
        assert_eq!(
            now.compute,
            self.blue_before.compute,
            "Compute: extra {:?}, missing {:?}",
            now.compute
                .difference(&self.blue_before.compute)
                .collect::<Vec<_>>(),
            self.blue_before
                .compute
                .difference(&now.compute)
                .collect::<Vec<_>>()
        );
        assert_eq!(now, self.blue_before, "the world is as before the rotation");
        for host in HOSTS {
            assert_eq!(sb.served_a(host).await, vec![sb.blue_ip.clone()], "{host}");
            let p = sb.probe(&sb.blue_ip, host).await;
            assert_eq!(p.leaf_sha256, self.old_fp, "{host} on the blue IP");
            assert!(p.healthy(), "{p:?}");
        }
    }
}

/// Asserts that `run` explains the lock a killed run left behind.
#[track_caller]
pub fn assert_stale_lock_explained(run: &Run) {
    assert!(
        run.stderr
            .contains("ended without releasing the lock (killed or crashed)"),
        "the dead run's lock is explained: {}",
        run.stderr
    );
}
