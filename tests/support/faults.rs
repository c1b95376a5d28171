//! Faults for the proof suites: builders for the sandbox's fault plan
//! ([`rotate_cert::sandbox::core::FaultSpec`]), a blue with a static IP (so rotate-cert
//! reserves an address of its own and waits on Compute operations), and running a
//! rotation to its end through every resumable stop — checking each stop says exactly
//! how to resume and roll back, and running the resume command it printed.

use std::time::Duration;

use rotate_cert::sandbox::compute::apply::Mutation;
use rotate_cert::sandbox::compute::links::Collection;
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use serde_json::json;

use super::cli::Run;
use super::sandbox::{HOSTS, NS, RUN_TIMEOUT, STATE_FILE, TestSandbox, ZONE};

/// A fault on `method` (an id or a prefix ending in `*`) for every matching call.
pub fn on(method: &str, action: FaultAction) -> FaultSpec {
    FaultSpec {
        method: method.into(),
        action,
        times: None,
        probability: 1.0,
        after: 0,
    }
}

/// An HTTP status with the API's default reason.
pub fn status(status: u16) -> FaultAction {
    FaultAction::Status {
        status,
        reason: None,
    }
}

impl TestSandbox {
    /// Adds a fault.
    pub fn fault(&self, spec: FaultSpec) {
        self.sandbox.world().core.faults.add(spec);
    }

    /// 20% of the calls matching `method` answer 429, 500 or 503 (one of the three
    /// faults, each firing with the probability that makes any of them fire 20% of the
    /// time).
    pub fn fail_one_in_five(&self, method: &str) {
        let each = 1.0 - 0.8f64.powf(1.0 / 3.0);
        for code in [429, 500, 503] {
            self.fault(FaultSpec {
                probability: each,
                ..on(method, status(code))
            });
        }
    }

    /// Clears every fault.
    pub fn clear_faults(&self) {
        self.sandbox.world().core.faults.clear();
    }

    /// Gives blue the user's static IP `name`: reserves it, names it in the blue
    /// Ingress's `kubernetes.io/ingress.global-static-ip-name`, waits until ingress-gce
    /// has moved both forwarding rules onto it, releases the address ingress-gce had
    /// promoted for the old IP, and points the records at the new one — a site that has
    /// run like that for a long time. Returns the new blue IP (also in `blue_ip`).
    pub async fn give_blue_a_static_ip(&mut self, name: &str) -> String {
        let world = self.sandbox.world().clone();
        let instant = |m: Mutation| {
            let op = rotate_cert::sandbox::compute::mutate(&world, m, None, None, true)
                .expect("the mutation is accepted");
            op["name"].as_str().unwrap().to_string()
        };
        let reserve = instant(Mutation::Insert {
            coll: Collection::Addresses,
            body: json!({"name": name, "description": "the site's own address"}),
        });
        world.compute.wait_done(&reserve).await.expect("reserved");
        let ip = world.compute.get(Collection::Addresses, name).unwrap()["address"]
            .as_str()
            .unwrap()
            .to_string();
        let promoted = self.lb_resource_names("web");
        world
            .kube
            .patch_merge(
                "ingresses",
                Some(NS),
                "web",
                &json!({"metadata": {"annotations": {
                    "kubernetes.io/ingress.global-static-ip-name": name
                }}}),
                false,
            )
            .expect("annotate the blue ingress");
        // ingress-gce recreates both forwarding rules on the static IP.
        let started = std::time::Instant::now();
        let rules = loop {
            let ing = self.ingress(NS, "web").unwrap();
            let ann = &ing["metadata"]["annotations"];
            let rules: Vec<String> = ["forwarding-rule", "https-forwarding-rule"]
                .iter()
                .filter_map(|k| ann[format!("ingress.kubernetes.io/{k}")].as_str())
                .map(String::from)
                .collect();
            let moved = self.ingress_ip("web").as_deref() == Some(ip.as_str())
                && rules.len() == 2
                && rules.iter().all(|r| {
                    world
                        .compute
                        .get(Collection::ForwardingRules, r)
                        .is_some_and(|fr| fr["IPAddress"] == ip.as_str())
                })
                && world
                    .compute
                    .operations(rotate_cert::sandbox::PROJECT)
                    .iter()
                    .all(|op| op["status"] == "DONE");
            if moved {
                break rules;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "blue never moved to {ip}: {ing}\n{:?}",
                world.compute.operations(rotate_cert::sandbox::PROJECT)
            );
            tick().await;
        };
        tokio::time::sleep(world.core.timing.provision).await;
        // The address ingress-gce promoted for the old IP is the site's no more.
        let old = promoted
            .iter()
            .find(|n| *n != name && world.compute.get(Collection::Addresses, n).is_some())
            .expect("the promoted address")
            .clone();
        let release = instant(Mutation::Delete {
            coll: Collection::Addresses,
            name: old,
        });
        world.compute.wait_done(&release).await.expect("released");
        for r in &rules {
            rotate_cert::sandbox::compute::backdate(
                &world,
                Collection::ForwardingRules,
                r,
                Duration::from_secs(86400),
            );
        }
        for host in HOSTS {
            world.dns.upsert_rrset(
                ZONE,
                &format!("{host}."),
                "A",
                world.core.timing.ttl_secs,
                vec![ip.clone()],
            );
        }
        self.blue_ip = ip.clone();
        ip
    }
}

/// How a rotation under faults went.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The first `error:` line of every stop, in order (empty: it completed at once).
    pub stops: Vec<String>,
}

impl Outcome {
    /// "completed", or "stopped N time(s), then resumed".
    pub fn describe(&self) -> String {
        match self.stops.len() {
            0 => "completed".into(),
            n => format!(
                "stopped {n} time(s), then resumed: {}",
                self.stops.join(" | ")
            ),
        }
    }
}

/// The first `error:` line of a run's stderr.
pub fn first_error(run: &Run) -> &str {
    run.stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or("(no error line)")
}

/// Checks that a stopped run is the clear, resumable kind: exit 1, an `error:` line
/// naming the failed step, the state file and the exact `resume` and `rollback`
/// commands; returns the resume command's arguments, as printed, plus `--yes`.
#[track_caller]
pub fn assert_resumable_stop(run: &Run) -> Vec<String> {
    assert_eq!(
        run.code, 1,
        "a resumable stop exits 1\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    let error = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no `error:` line: {}", run.stderr));
    assert!(
        error.contains("step `")
            || error.contains("cannot continue the rotation yet: nothing was changed"),
        "the failed step is named, or that nothing was changed: {error}\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("the rotation is saved in `{STATE_FILE}`")),
        "the state file is named: {}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("`rotate-cert rollback --state {STATE_FILE}`")),
        "the rollback command: {}",
        run.stderr
    );
    let resume = format!("`rotate-cert resume --state {STATE_FILE}`");
    assert!(
        run.stderr.contains(&resume),
        "the resume command: {}",
        run.stderr
    );
    // The printed command, confirmed: there is no terminal to answer on here.
    let mut args: Vec<String> = resume
        .trim_matches('`')
        .split(' ')
        .skip(1)
        .map(String::from)
        .collect();
    args.push("--yes".into());
    args
}

/// Checks that a run stopped while planning, before any rotation was recorded: exit 1,
/// "nothing was changed", no state file.
#[track_caller]
pub fn assert_stopped_before_starting(run: &Run, sb: &TestSandbox) {
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        first_error(run).contains("cannot plan the rotation: nothing was changed")
            && run.stderr.contains("no rotation was started"),
        "{}",
        run.stderr
    );
    assert!(!sb.state_path().exists(), "no rotation recorded");
}

/// Runs `rotate` under whatever faults are set, then, after each resumable stop, the
/// resume command it printed — the faults still in force — up to `resumes` times;
/// after that the faults are cleared for one last resume. A stop while planning (no
/// rotation recorded, nothing changed) is followed by the same `rotate` again. Panics
/// on anything but a completed rotation reached through such stops.
pub async fn rotate_through_faults(sb: &TestSandbox, resumes: usize) -> Outcome {
    let mut outcome = Outcome::default();
    let start = sb.start_args("rotate", &[]);
    let mut run = sb.run_with(&start, &[], RUN_TIMEOUT).await;
    for attempt in 0.. {
        if run.code == 0 {
            break;
        }
        let resume = if sb.state_path().exists() {
            assert_resumable_stop(&run)
        } else {
            assert_stopped_before_starting(&run, sb);
            start.clone()
        };
        outcome.stops.push(first_error(&run).to_string());
        assert!(
            attempt <= resumes,
            "still stopping after the faults were cleared: {}",
            run.stderr
        );
        if attempt == resumes {
            sb.clear_faults();
        }
        run = sb.run_with(&resume, &[], RUN_TIMEOUT).await;
    }
    assert!(
        run.stderr.contains("rotated: `default/web`"),
        "{}",
        run.stderr
    );
    outcome
}

/// Sleeps a little (polling helpers).
pub async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

impl TestSandbox {
    /// Asserts the rotation of a blue on the user's static IP `user_address` is complete
    /// and clean: what [`TestSandbox::assert_rotated`] checks, except that two addresses
    /// exist — the user's, kept and no longer in use, and green's, reserved by
    /// rotate-cert (`web-ip-<fp8>`) and carrying green's forwarding rules. Returns the
    /// green IP.
    pub async fn assert_rotated_with_static_ip(&self, user_address: &str) -> String {
        let green = self.green_ingress();
        assert_eq!(self.ingress_names(NS), vec![green.clone()], "one Ingress");
        let mut secrets = vec![self.green_secret(), "web-tls".to_string()];
        secrets.sort();
        assert_eq!(self.secret_names(NS), secrets);
        let green_address = format!("web-ip-{}", &self.new_fp()[..8]);
        let mut addresses = vec![green_address.clone(), user_address.to_string()];
        addresses.sort();
        let names = self.compute_names();
        assert_eq!(
            names["addresses"], addresses,
            "the user's address and green's"
        );
        let addr = |n: &str| {
            self.compute("addresses")
                .into_iter()
                .find(|a| a["name"] == n)
                .unwrap()
        };
        let user = addr(user_address);
        assert_eq!(
            user["status"], "RESERVED",
            "the user's address is free: {user}"
        );
        let green_ip = addr(&green_address)["address"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(self.ingress_ip(&green).as_deref(), Some(green_ip.as_str()));
        assert_eq!(
            self.ingress(NS, &green).unwrap()["metadata"]["annotations"]["kubernetes.io/ingress.global-static-ip-name"],
            green_address.as_str()
        );
        assert_eq!(names["forwardingRules"].len(), 2, "{names:?}");
        for r in self.forwarding_rules() {
            assert_eq!(r["IPAddress"], green_ip.as_str(), "{r}");
        }
        for coll in ["urlMaps", "targetHttpsProxies", "targetHttpProxies"] {
            assert_eq!(names[coll].len(), 1, "{coll}: {names:?}");
        }
        assert_eq!(self.ssl_certificate_fps(), vec![self.new_fp()]);
        for host in HOSTS {
            assert_eq!(
                self.a_records()[&format!("{host}.")],
                vec![green_ip.clone()]
            );
            assert_eq!(self.served_a(host).await, vec![green_ip.clone()]);
        }
        green_ip
    }
}
