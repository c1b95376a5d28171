//! "Never an unsafe step", checked from the outside: a [`Watcher`] polls the sandbox's
//! world while a rotation runs and records when blue's Ingress was first marked for
//! deletion (or vanished), whether anything but ingress-gce's own annotations and status
//! ever changed on it, whether the user's Secret changed, and when the records first
//! changed; [`assert_safe`] then compares those times, the sandbox's records (Compute
//! operations, Cloud DNS changes) and the state file's step times and drain evidence.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use tokio::task::JoinHandle;

use super::load::{finished_at, started_at, step, time_of};
use super::sandbox::{NS, TestSandbox, ZONE};

/// What the watcher saw.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// When blue's Ingress first had a `deletionTimestamp` or was gone.
    pub blue_deleting: Option<SystemTime>,
    /// Changes to blue's spec, labels or user annotations (never allowed).
    pub blue_changed: Vec<String>,
    /// Changes to the user's TLS Secret `web-tls` (never allowed).
    pub secret_changed: Vec<String>,
    /// When the A records in Cloud DNS first differed from blue's.
    pub records_changed: Option<SystemTime>,
}

/// Polls the world every few milliseconds until stopped.
pub struct Watcher {
    seen: Arc<Mutex<Observed>>,
    task: JoinHandle<()>,
    blue_lb: Vec<String>,
    since: SystemTime,
}

/// Blue's Ingress, as far as rotate-cert may never change it.
fn user_view(ing: &Value) -> Value {
    let mut ann = ing["metadata"]["annotations"].clone();
    if let Some(a) = ann.as_object_mut() {
        a.retain(|k, _| !k.starts_with("ingress.kubernetes.io/"));
    }
    serde_json::json!({
        "uid": ing["metadata"]["uid"],
        "spec": ing["spec"],
        "labels": ing["metadata"]["labels"],
        "annotations": ann,
    })
}

impl Watcher {
    /// Starts watching `sb` (call before the rotation).
    pub fn start(sb: &TestSandbox) -> Watcher {
        let world = sb.sandbox.world().clone();
        let seen = Arc::new(Mutex::new(Observed::default()));
        let blue0 = world
            .kube
            .get("ingresses", Some(NS), "web")
            .expect("blue exists");
        let secret0 = world
            .kube
            .get("secrets", Some(NS), "web-tls")
            .expect("the user's secret exists");
        let records0 = a_records_of(&world.dns.snapshot());
        let blue_lb = sb.lb_resource_names("web");
        let shared = seen.clone();
        let dns_of = |w: &rotate_cert::sandbox::World| w.dns.snapshot();
        let task = tokio::spawn(async move {
            loop {
                let now = SystemTime::now();
                let blue = world.kube.get("ingresses", Some(NS), "web");
                let secret = world.kube.get("secrets", Some(NS), "web-tls");
                let dns = dns_of(&world);
                {
                    let mut seen = shared.lock().unwrap();
                    match &blue {
                        Some(b) if b["metadata"]["deletionTimestamp"].is_null() => {
                            if user_view(b) != user_view(&blue0) && seen.blue_changed.len() < 5 {
                                seen.blue_changed.push(user_view(b).to_string());
                            }
                        }
                        _ => {
                            seen.blue_deleting.get_or_insert(now);
                        }
                    }
                    if secret.as_ref().map(|s| &s["metadata"]["resourceVersion"])
                        != Some(&secret0["metadata"]["resourceVersion"])
                        && seen.secret_changed.len() < 5
                    {
                        seen.secret_changed.push(format!("{secret:?}"));
                    }
                    if a_records_of(&dns) != records0 {
                        seen.records_changed.get_or_insert(now);
                    }
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
        Watcher {
            seen,
            task,
            blue_lb,
            since: SystemTime::now(),
        }
    }

    /// Stops watching; what was seen, blue's load-balancer resource names, and when
    /// the watch began.
    pub fn stop(self) -> (Observed, Vec<String>, SystemTime) {
        self.task.abort();
        let seen = self.seen.lock().unwrap().clone();
        (seen, self.blue_lb, self.since)
    }
}

fn a_records_of(dns: &Value) -> std::collections::BTreeMap<String, Value> {
    dns["zones"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|z| z["zone"]["name"] == ZONE)
        .flat_map(|z| z["rrsets"].as_array().cloned().unwrap_or_default())
        .filter(|r| r["type"] == "A")
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["rrdatas"].clone(),
            )
        })
        .collect()
}

/// Asserts, after a finished rotation watched by `watcher`, that no step was unsafe:
///
/// - the state file's order: green proven by TLS before the switch, DNS verified on
///   every nameserver before the drain, the drain satisfied (settled Monitoring data
///   from past the TTL) or forced before the cleanup;
/// - blue's Ingress was marked for deletion only after that, and nothing of blue (its
///   spec, labels, user annotations; the user's Secret) was ever changed;
/// - the records changed only after green was proven, by exactly one Cloud DNS change
///   made during `switch-dns`;
/// - no Compute operation touched blue's load balancer before the cleanup began.
pub fn assert_safe(sb: &TestSandbox, watcher: Watcher) {
    let (seen, blue_lb, since) = watcher.stop();
    let doc = sb.state();
    let tls_proven = finished_at(&doc, "verify-tls");
    let switch_started = started_at(&doc, "switch-dns");
    let dns_verified = finished_at(&doc, "verify-dns");
    let drained = finished_at(&doc, "drain");
    let cleanup = started_at(&doc, "delete-blue-ingress");
    assert!(tls_proven <= switch_started, "verify-tls before switch-dns");
    assert!(dns_verified <= started_at(&doc, "drain") || dns_verified <= drained);
    assert!(drained <= cleanup, "the drain before the cleanup");
    let drain = &step(&doc, "drain")["evidence"];
    if drain["forced"] != true {
        let earliest = time_of(&drain["earliest"], "drain earliest");
        let settled = time_of(&drain["settled_until"], "drain settled_until");
        let verified = time_of(&drain["dns_verified_at"], "drain dns_verified_at");
        let ttl = Duration::from_secs(doc["rotation"]["records"][0]["ttl"].as_u64().unwrap());
        let ms = Duration::from_millis(1);
        assert!(
            verified + ms >= dns_verified && verified <= dns_verified + ms,
            "the drain counted from the verified DNS: {drain}"
        );
        assert!(
            earliest + ms >= verified + ttl,
            "the drain waited at least the TTL: {drain}"
        );
        assert!(
            settled + ms >= earliest,
            "only settled data from past the TTL counted: {drain}"
        );
    }

    let deleting = seen.blue_deleting.expect("blue was deleted in the end");
    assert!(
        deleting >= drained,
        "blue was marked for deletion before the drain was satisfied"
    );
    assert!(
        seen.blue_changed.is_empty(),
        "blue was changed: {:?}",
        seen.blue_changed
    );
    assert!(
        seen.secret_changed.is_empty(),
        "the user's secret was changed: {:?}",
        seen.secret_changed
    );
    let changed = seen.records_changed.expect("the records changed");
    assert!(
        changed >= tls_proven,
        "the records changed before green was proven"
    );

    // Cloud DNS: one change replaced blue's A records, during switch-dns.
    let inv = sb.inventory();
    let zone = inv["dns"]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"]["name"] == ZONE)
        .unwrap()
        .clone();
    let switches: Vec<&Value> = zone["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            time_of(&c["startTime"], "a change's startTime") >= since
                && c["deletions"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|r| r["type"] == "A"))
        })
        .collect();
    assert_eq!(switches.len(), 1, "one DNS change: {}", zone["changes"]);
    let at = time_of(&switches[0]["startTime"], "the change's startTime");
    assert!(
        at + Duration::from_millis(1) >= switch_started && at <= dns_verified,
        "the DNS change was made during switch-dns: {}",
        switches[0]
    );

    // Compute: nothing touched blue's load balancer before the cleanup.
    for op in sb
        .sandbox
        .world()
        .compute
        .operations(rotate_cert::sandbox::PROJECT)
    {
        let target = op["targetLink"].as_str().unwrap_or_default();
        let name = target.rsplit('/').next().unwrap_or_default();
        let at = time_of(&op["insertTime"], "an operation's insertTime");
        if at >= since && blue_lb.iter().any(|b| b == name) {
            assert!(
                at + Duration::from_millis(1) >= cleanup,
                "blue's `{name}` was touched before the cleanup: {op}"
            );
        }
    }
}
