//! Load for the zero-downtime proofs: the sandbox's own HTTPS clients
//! ([`rotate_cert::sandbox::load`]) pointed at a [`TestSandbox`] — resolving both demo
//! hosts through its DNS server with a TTL-honouring cache, keeping connections alive,
//! verifying the chain against the sandbox CA — and the state file's step times to
//! compare what the clients saw against what the rotation did.

use std::time::{Duration, Instant, SystemTime};

use rotate_cert::sandbox::load::{Load, LoadConfig};
use serde_json::Value;

use super::sandbox::{HOSTS, TestSandbox};

/// The paths every client requests, in turn: the app and the static backend.
pub const PATHS: [&str; 2] = ["/", "/static/app.css"];

impl TestSandbox {
    /// Starts `clients` clients on both demo hosts and both [`PATHS`], each pausing
    /// `pause` between its requests.
    pub fn start_load(&self, clients: usize, pause: Duration) -> Load {
        Load::start(LoadConfig {
            hosts: HOSTS.iter().map(|h| h.to_string()).collect(),
            paths: PATHS.iter().map(|p| p.to_string()).collect(),
            clients,
            dns: self.sandbox.endpoints().dns,
            port: self.sandbox.endpoints().lb_port,
            ca_pem: self.sandbox.certs().ca.pem.clone(),
            pause,
        })
        .expect("the load starts")
    }
}

/// Waits until `load` has made at least `n` requests and `at_least` has passed; panics
/// after `cap` (the load's rate is then far below what the test was sized for).
pub async fn run_load_until(load: &Load, n: u64, at_least: Duration, cap: Duration) {
    let start = Instant::now();
    while load.total() < n || start.elapsed() < at_least {
        assert!(
            start.elapsed() < cap,
            "the load made only {} requests in {cap:?} (wanted {n})",
            load.total()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A step's record in a state document.
pub fn step<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("step {name} in {}", doc["steps"]))
}

/// When step `name` started (RFC 3339 in the state file).
pub fn started_at(doc: &Value, name: &str) -> SystemTime {
    time_of(&step(doc, name)["started_at"], name)
}

/// When step `name` finished.
pub fn finished_at(doc: &Value, name: &str) -> SystemTime {
    time_of(&step(doc, name)["finished_at"], name)
}

/// An RFC 3339 timestamp of the state file.
pub fn time_of(v: &Value, what: &str) -> SystemTime {
    v.as_str()
        .and_then(rotate_cert::util::time::parse_rfc3339)
        .unwrap_or_else(|| panic!("{what}: `{v}` is not a timestamp"))
}
