//! What every part of the sandbox shares: its clock, the project, request counters per
//! API method, and the fault plan.
//!
//! Each route handler opens a [`Call`] with its discovery-style method id (for example
//! `compute.sslCertificates.insert`, `dns.changes.create`,
//! `kubernetes.ingresses.create`, `oauth2.token`): that counts the request, applies any
//! injected latency or error, and tells the handler whether to fail its operation or drop
//! its response. Faults are data ([`FaultSpec`]), added and cleared through the control
//! API or the library.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::config::Timing;

/// Request counters per method id.
#[derive(Debug, Default)]
pub struct Stats {
    counts: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    /// Counts one request to `method`.
    pub fn count(&self, method: &str) {
        let mut counts = lock(&self.counts);
        *counts.entry(method.to_string()).or_default() += 1;
    }

    /// A snapshot: per method, and per API (the method id's first segment).
    pub fn snapshot(&self) -> StatsSnapshot {
        let methods = lock(&self.counts).clone();
        let mut apis: BTreeMap<String, u64> = BTreeMap::new();
        for (m, n) in &methods {
            let api = m.split('.').next().unwrap_or(m).to_string();
            *apis.entry(api).or_default() += n;
        }
        StatsSnapshot { apis, methods }
    }

    /// Forgets every count.
    pub fn reset(&self) {
        lock(&self.counts).clear();
    }
}

/// Request counts at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Per API: `compute`, `dns`, `monitoring`, `kubernetes`, `oauth2`, `sandbox`.
    pub apis: BTreeMap<String, u64>,
    /// Per method id.
    pub methods: BTreeMap<String, u64>,
}

impl StatsSnapshot {
    /// Requests to the product-facing APIs (everything but the sandbox's own control
    /// API).
    pub fn total(&self) -> u64 {
        self.apis
            .iter()
            .filter(|(k, _)| k.as_str() != "sandbox")
            .map(|(_, v)| v)
            .sum()
    }
}

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaultSpec {
    /// A method id (`compute.sslCertificates.insert`), or a prefix ending in `*`
    /// (`compute.*`, `*`).
    pub method: String,
    /// What happens to matching calls.
    #[serde(flatten)]
    pub action: FaultAction,
    /// How many calls the fault affects before it expires (unlimited when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// The chance (0–1) that a matching call is affected.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub probability: f64,
    /// Let this many matching calls through untouched first.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub after: u32,
}

fn one() -> f64 {
    1.0
}
fn is_one(v: &f64) -> bool {
    *v == 1.0
}
fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// What an injected fault does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FaultAction {
    /// Answer with this HTTP status instead of calling the handler (429, 500, 503, 409…).
    Status {
        /// HTTP status code.
        status: u16,
        /// Error reason (`rateLimitExceeded`, `backendError`, …); a default per status
        /// when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Delay the call by this many milliseconds (real time, not scaled), then serve it.
    Latency {
        /// Milliseconds.
        ms: u64,
    },
    /// Perform the call, then close the connection without answering.
    DropResponse,
    /// Accept a Compute mutation, then fail its operation (status `DONE` with `error`).
    OperationError {
        /// The UPPER_SNAKE error code inside the operation.
        #[serde(default = "quota_code")]
        code: String,
        /// The HTTP status the operation reports (`httpErrorStatusCode`).
        #[serde(default = "quota_status")]
        http_status: u16,
    },
}

fn quota_code() -> String {
    "QUOTA_EXCEEDED".to_string()
}
fn quota_status() -> u16 {
    403
}

#[derive(Debug)]
struct ActiveFault {
    id: u64,
    spec: FaultSpec,
    seen: u32,
    fired: u32,
}

/// The fault plan.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Mutex<Vec<ActiveFault>>,
    next_id: Mutex<u64>,
    dns_silent_until: Mutex<Option<Instant>>,
}

/// An injected error a handler must answer with, in its API's error shape.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectedStatus {
    /// HTTP status.
    pub status: u16,
    /// Reason (Google lowerCamel style).
    pub reason: String,
}

/// An injected in-operation failure.
#[derive(Debug, Clone, PartialEq)]
pub struct InjectedOpError {
    /// UPPER_SNAKE code.
    pub code: String,
    /// `httpErrorStatusCode`.
    pub http_status: u16,
}

/// What the fault plan decided for one call.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Decision {
    /// Latency to add before serving.
    pub latency: Duration,
    /// Fail the call with this status instead of serving it.
    pub status: Option<InjectedStatus>,
    /// Serve the call but drop the response.
    pub drop_response: bool,
    /// Fail the operation this call starts.
    pub op_error: Option<InjectedOpError>,
}

impl Faults {
    /// Adds a fault; returns its id.
    pub fn add(&self, spec: FaultSpec) -> u64 {
        let mut next = lock(&self.next_id);
        *next += 1;
        let id = *next;
        lock(&self.rules).push(ActiveFault {
            id,
            spec,
            seen: 0,
            fired: 0,
        });
        id
    }

    /// Removes every fault (and ends any DNS silence).
    pub fn clear(&self) {
        lock(&self.rules).clear();
        *lock(&self.dns_silent_until) = None;
    }

    /// The active faults with their ids and how often each fired.
    pub fn list(&self) -> Vec<serde_json::Value> {
        lock(&self.rules)
            .iter()
            .map(|f| serde_json::json!({"id": f.id, "fault": f.spec, "fired": f.fired}))
            .collect()
    }

    /// Makes the DNS server ignore every query for `for_`.
    pub fn silence_dns(&self, for_: Duration) {
        *lock(&self.dns_silent_until) = Some(Instant::now() + for_);
    }

    /// Whether the DNS server should stay silent now.
    pub fn dns_silent(&self) -> bool {
        lock(&self.dns_silent_until).is_some_and(|until| Instant::now() < until)
    }

    /// Decides what happens to one call of `method`.
    pub fn decide(&self, method: &str) -> Decision {
        let mut decision = Decision::default();
        let mut rules = lock(&self.rules);
        for rule in rules.iter_mut() {
            if !method_matches(&rule.spec.method, method) {
                continue;
            }
            rule.seen += 1;
            if rule.seen <= rule.spec.after {
                continue;
            }
            if rule.spec.times.is_some_and(|t| rule.fired >= t) {
                continue;
            }
            if rule.spec.probability < 1.0 && rand::random::<f64>() >= rule.spec.probability {
                continue;
            }
            rule.fired += 1;
            match &rule.spec.action {
                FaultAction::Latency { ms } => decision.latency += Duration::from_millis(*ms),
                FaultAction::Status { status, reason } => {
                    if decision.status.is_none() {
                        decision.status = Some(InjectedStatus {
                            status: *status,
                            reason: reason
                                .clone()
                                .unwrap_or_else(|| default_reason(*status).to_string()),
                        });
                    }
                }
                FaultAction::DropResponse => decision.drop_response = true,
                FaultAction::OperationError { code, http_status } => {
                    decision.op_error = Some(InjectedOpError {
                        code: code.clone(),
                        http_status: *http_status,
                    });
                }
            }
        }
        rules.retain(|r| r.spec.times.is_none_or(|t| r.fired < t));
        decision
    }
}

/// The usual Google reason for an HTTP status.
pub fn default_reason(status: u16) -> &'static str {
    match status {
        400 => "badRequest",
        401 => "authError",
        403 => "forbidden",
        404 => "notFound",
        409 => "conflict",
        412 => "conditionNotMet",
        429 => "rateLimitExceeded",
        500 => "backendError",
        502 => "badGateway",
        503 => "backendError",
        _ => "unknown",
    }
}

fn method_matches(pattern: &str, method: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => method.starts_with(prefix),
        None => pattern == method,
    }
}

/// The shared clock and bookkeeping of one sandbox.
#[derive(Debug)]
pub struct Core {
    /// Scaled delays.
    pub timing: Timing,
    /// The Google Cloud project the sandbox simulates.
    pub project: String,
    /// Request counters.
    pub stats: Stats,
    /// The fault plan.
    pub faults: Faults,
}

/// One API call in progress: counted, faults decided.
#[derive(Debug, Clone)]
pub struct Call {
    /// The method id.
    pub method: String,
    /// The fault decision for this call.
    pub decision: Decision,
}

/// Marker placed in a response's extensions: the HTTP layer closes the connection
/// instead of sending it.
#[derive(Debug, Clone, Copy)]
pub struct DropResponse;

impl Core {
    /// A core for the given project and timing.
    pub fn new(project: impl Into<String>, timing: Timing) -> Self {
        Core {
            timing,
            project: project.into(),
            stats: Stats::default(),
            faults: Faults::default(),
        }
    }

    /// Opens a call: counts it, decides faults and sleeps any injected latency. An
    /// injected status is returned as `Err` for the handler to render in its API's shape.
    pub async fn begin(&self, method: &str) -> Result<Call, InjectedStatus> {
        self.stats.count(method);
        let decision = self.faults.decide(method);
        if !decision.latency.is_zero() {
            tokio::time::sleep(decision.latency).await;
        }
        if let Some(status) = decision.status.clone() {
            return Err(status);
        }
        Ok(Call {
            method: method.to_string(),
            decision,
        })
    }
}

impl Call {
    /// Marks `resp` to be dropped when this call's fault says so.
    pub fn finish(&self, mut resp: axum::response::Response) -> axum::response::Response {
        if self.decision.drop_response {
            resp.extensions_mut().insert(DropResponse);
        }
        resp
    }
}

/// Locks a std mutex, recovering the data if a panicking thread poisoned it (the sandbox
/// keeps serving; a poisoned lock is a bug surfaced by the panic itself).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(method: &str, action: FaultAction) -> FaultSpec {
        FaultSpec {
            method: method.into(),
            action,
            times: None,
            probability: 1.0,
            after: 0,
        }
    }

    #[test]
    fn faults_match_count_and_expire() {
        let f = Faults::default();
        f.add(FaultSpec {
            times: Some(2),
            ..spec(
                "compute.*",
                FaultAction::Status {
                    status: 503,
                    reason: None,
                },
            )
        });
        assert_eq!(f.decide("dns.changes.create"), Decision::default());
        assert_eq!(
            f.decide("compute.sslCertificates.insert")
                .status
                .unwrap()
                .status,
            503
        );
        assert_eq!(
            f.decide("compute.urlMaps.get").status.unwrap().reason,
            "backendError"
        );
        assert_eq!(
            f.decide("compute.urlMaps.get"),
            Decision::default(),
            "expired after 2"
        );
        assert!(f.list().is_empty());
    }

    #[test]
    fn after_and_drop() {
        let f = Faults::default();
        f.add(FaultSpec {
            after: 1,
            times: Some(1),
            ..spec("dns.changes.create", FaultAction::DropResponse)
        });
        assert!(!f.decide("dns.changes.create").drop_response);
        assert!(f.decide("dns.changes.create").drop_response);
        assert!(!f.decide("dns.changes.create").drop_response);
    }

    #[test]
    fn fault_spec_json_shape() {
        let s: FaultSpec = serde_json::from_str(
            r#"{"method":"compute.*","action":"status","status":429,"probability":0.2}"#,
        )
        .unwrap();
        assert_eq!(
            s.action,
            FaultAction::Status {
                status: 429,
                reason: None
            }
        );
        let o: FaultSpec = serde_json::from_str(
            r#"{"method":"compute.globalAddresses.insert","action":"operation-error"}"#,
        )
        .unwrap();
        assert_eq!(
            o.action,
            FaultAction::OperationError {
                code: "QUOTA_EXCEEDED".into(),
                http_status: 403
            }
        );
    }

    #[test]
    fn stats_group_by_api() {
        let s = Stats::default();
        s.count("compute.urlMaps.get");
        s.count("compute.urlMaps.get");
        s.count("sandbox.inventory");
        let snap = s.snapshot();
        assert_eq!(snap.apis["compute"], 2);
        assert_eq!(snap.total(), 2);
    }
}
