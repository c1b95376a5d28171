//! The lower bound of a rotation: the waits the sandbox imposes that no tool can avoid,
//! computed from the sandbox's own [`Timing`] (the same values its clock follows), and
//! the attribution of a measured rotation's time to them, step by step.
//!
//! ```text
//! L = provision                               ingress-gce notices the green Ingress
//!   + 7 × (op_pending + op_running)           its Compute operations, one after another
//!   + lb_programming                          until the green front end serves (no 502)
//!   + dns_change                              the Cloud DNS change goes `done`
//!   + ttl                                     resolvers may hand out blue that long
//!   + sampling / 2                            the TTL's end rounded up to a Monitoring
//!                                             sampling period (expected value; the exact
//!                                             value of a run is known from its record)
//!   + ingestion                               until that period is visible in Monitoring
//!   + 7 × (op_pending + op_running)           ingress-gce garbage-collects blue
//! ```
//!
//! The operation counts come from `src/sandbox/controller/sync.rs` for the demo Ingress
//! (TLS, no static-IP annotation, HTTP allowed, backend services shared with blue and so
//! already existing and healthy): `ensure` inserts the URL map, the HTTP proxy, the HTTP
//! forwarding rule, the promoted address, the SslCertificate, the HTTPS proxy and the
//! HTTPS forwarding rule, each awaited before the next; `garbage_collect` deletes the HTTP
//! rule, the HTTP proxy, the HTTPS rule, the promoted address, the HTTPS proxy, the
//! certificate and the URL map (the backend services stay: green uses them).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rotate_cert::sandbox::config::Timing;

use super::rotation::Rotation;

/// Compute operations ingress-gce runs, one after another, to build the green LB.
pub const BUILD_OPS: u32 = 7;
/// Compute operations it runs to garbage-collect blue.
pub const GC_OPS: u32 = 7;

/// One term of the bound.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Term {
    /// What it is.
    pub what: String,
    /// Seconds.
    pub seconds: f64,
}

/// The bound at one time scale.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Bound {
    /// Its terms.
    pub terms: Vec<Term>,
    /// Their sum, with the expected alignment (half a sampling period).
    pub expected: f64,
}

fn op(t: &Timing) -> f64 {
    (t.op_pending + t.op_running).as_secs_f64()
}

/// The lower bound at `t`.
pub fn lower_bound(t: &Timing) -> Bound {
    let term = |what: &str, d: f64| Term {
        what: what.to_string(),
        seconds: d,
    };
    let terms = vec![
        term("ingress-gce provisioning delay", t.provision.as_secs_f64()),
        term(
            &format!("{BUILD_OPS} Compute operations (build green)"),
            f64::from(BUILD_OPS) * op(t),
        ),
        term("front-end programming", t.lb_programming.as_secs_f64()),
        term("Cloud DNS change", t.dns_change.as_secs_f64()),
        term("old TTL", f64::from(t.ttl_secs)),
        term(
            "alignment to a sampling period (expected: half)",
            t.sampling.as_secs_f64() / 2.0,
        ),
        term("Monitoring ingestion delay", t.ingestion.as_secs_f64()),
        term(
            &format!("{GC_OPS} Compute operations (garbage-collect blue)"),
            f64::from(GC_OPS) * op(t),
        ),
    ];
    let expected = terms.iter().map(|t| t.seconds).sum();
    Bound { terms, expected }
}

/// How long after `verify-dns` + TTL the next sampling period boundary came: the
/// alignment this run actually had to wait.
pub fn alignment(t: &Timing, verify_dns_done: SystemTime) -> f64 {
    let earliest = verify_dns_done + Duration::from_secs(u64::from(t.ttl_secs));
    let secs = earliest
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    let p = t.sampling.as_secs_f64();
    (secs / p).ceil() * p - secs
}

/// The bound of one run: the expected bound with this run's actual alignment.
pub fn exact(t: &Timing, rot: &Rotation) -> Option<f64> {
    let done = rot.step("verify-dns")?.finished?;
    Some(lower_bound(t).expected - t.sampling.as_secs_f64() / 2.0 + alignment(t, done))
}

/// One phase of a measured rotation against its share of the bound.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Phase {
    /// Steps it covers.
    pub phase: String,
    /// Measured seconds.
    pub measured: f64,
    /// Its share of the bound (with the run's actual alignment).
    pub bound: f64,
}

/// Where a rotation's time went, phase by phase.
pub fn attribute(t: &Timing, rot: &Rotation) -> Vec<Phase> {
    let ops = op(t);
    let align = rot
        .step("verify-dns")
        .and_then(|s| s.finished)
        .map_or(t.sampling.as_secs_f64() / 2.0, |d| alignment(t, d));
    let phase = |name: &str, steps: &[&str], bound: f64| Phase {
        phase: name.to_string(),
        measured: rot.seconds(steps),
        bound,
    };
    let mut phases = vec![Phase {
        phase: "start-up, credentials, plan".into(),
        measured: rot.startup_and_plan(),
        bound: 0.0,
    }];
    phases.extend([
        phase(
            "create-secret + create-ingress",
            &["create-secret", "create-ingress"],
            0.0,
        ),
        phase(
            "await-load-balancer",
            &["await-load-balancer"],
            (t.provision.as_secs_f64()) + f64::from(BUILD_OPS) * ops,
        ),
        phase(
            "verify-tls",
            &["verify-tls"],
            t.lb_programming.as_secs_f64(),
        ),
        phase("switch-dns", &["switch-dns"], t.dns_change.as_secs_f64()),
        phase("verify-dns", &["verify-dns"], 0.0),
        phase(
            "drain",
            &["drain"],
            f64::from(t.ttl_secs) + align + t.ingestion.as_secs_f64(),
        ),
        phase(
            "delete-blue-ingress + await-blue-gone",
            &["delete-blue-ingress", "await-blue-gone"],
            f64::from(GC_OPS) * ops,
        ),
    ]);
    let accounted: f64 = phases.iter().map(|p| p.measured).sum();
    phases.push(Phase {
        phase: "between steps (state saves), exit".into(),
        measured: (rot.wall - accounted).max(0.0),
        bound: 0.0,
    });
    phases
}
