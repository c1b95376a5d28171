//! The sandbox's clock: every delay it simulates, at realistic values, and the one
//! time-scale factor that shrinks them all.
//!
//! Realistic values come from Google's documentation and ingress-gce's behaviour (see
//! `DEVELOPERS.md`); `--time-scale 0.05` makes a whole rotation take about a minute and
//! tests use smaller factors still. Nothing outside the sandbox reads these: rotate-cert
//! learns the pace only through the ordinary settings written to the env file.

use std::time::Duration;

/// Realistic delays, in seconds, before scaling.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RealisticDelays {
    /// ingress-gce: from seeing a new Ingress to creating its load balancer resources.
    pub provision: f64,
    /// From forwarding-rule creation until the front ends are programmed and serve the
    /// URL map (before that the new IP answers TLS but every request gets a 502).
    pub lb_programming: f64,
    /// From a backend service's creation until its health checks report HEALTHY.
    pub backend_health: f64,
    /// Compute operations: time spent `PENDING`.
    pub op_pending: f64,
    /// Compute operations: time spent `RUNNING` before `DONE`.
    pub op_running: f64,
    /// `globalOperations.wait` returns after at most this long.
    pub op_wait_deadline: f64,
    /// Cloud DNS: a change stays `pending` this long, then is `done` and served.
    pub dns_change: f64,
    /// ingress-gce's resync period (Secret changes are noticed only then).
    pub resync: f64,
    /// Cloud Monitoring sampling period of `https/request_count`.
    pub sampling: f64,
    /// Cloud Monitoring ingestion delay: a sample becomes visible this long after its
    /// period ends.
    pub ingestion: f64,
    /// Load-balancer front ends close keep-alive connections after this age.
    pub conn_max_age: f64,
    /// TTL of the seeded DNS records.
    pub ttl: f64,
}

impl Default for RealisticDelays {
    fn default() -> Self {
        RealisticDelays {
            provision: 45.0,
            lb_programming: 60.0,
            backend_health: 90.0,
            op_pending: 0.5,
            op_running: 2.0,
            op_wait_deadline: 120.0,
            dns_change: 5.0,
            resync: 600.0,
            sampling: 60.0,
            ingestion: 210.0,
            conn_max_age: 120.0,
            ttl: 300.0,
        }
    }
}

/// The default time scale of `sandbox up` and `sandbox demo`: a rotation takes about a
/// minute.
pub const DEFAULT_TIME_SCALE: f64 = 0.05;

/// Delays after scaling, ready to use.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Timing {
    /// The factor applied to every realistic delay.
    pub scale: f64,
    /// The realistic values the durations below were scaled from.
    pub realistic: RealisticDelays,
    /// See [`RealisticDelays::provision`].
    #[serde(with = "secs")]
    pub provision: Duration,
    /// See [`RealisticDelays::lb_programming`].
    #[serde(with = "secs")]
    pub lb_programming: Duration,
    /// See [`RealisticDelays::backend_health`].
    #[serde(with = "secs")]
    pub backend_health: Duration,
    /// See [`RealisticDelays::op_pending`].
    #[serde(with = "secs")]
    pub op_pending: Duration,
    /// See [`RealisticDelays::op_running`].
    #[serde(with = "secs")]
    pub op_running: Duration,
    /// See [`RealisticDelays::op_wait_deadline`].
    #[serde(with = "secs")]
    pub op_wait_deadline: Duration,
    /// See [`RealisticDelays::dns_change`].
    #[serde(with = "secs")]
    pub dns_change: Duration,
    /// See [`RealisticDelays::resync`].
    #[serde(with = "secs")]
    pub resync: Duration,
    /// See [`RealisticDelays::sampling`].
    #[serde(with = "secs")]
    pub sampling: Duration,
    /// See [`RealisticDelays::ingestion`].
    #[serde(with = "secs")]
    pub ingestion: Duration,
    /// See [`RealisticDelays::conn_max_age`].
    #[serde(with = "secs")]
    pub conn_max_age: Duration,
    /// TTL of seeded records in whole seconds (at least 1), identical in the Cloud DNS
    /// API and on the DNS server.
    pub ttl_secs: u32,
}

mod secs {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
    }
}

impl Timing {
    /// Scales `realistic` by `scale` (which must be positive and finite).
    pub fn new(scale: f64, realistic: RealisticDelays) -> Timing {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        let d = |secs: f64| Duration::from_secs_f64((secs * scale).max(0.0));
        Timing {
            scale,
            realistic,
            provision: d(realistic.provision),
            lb_programming: d(realistic.lb_programming),
            backend_health: d(realistic.backend_health),
            op_pending: d(realistic.op_pending),
            op_running: d(realistic.op_running),
            // A wait that returns instantly would turn every client into a busy loop.
            op_wait_deadline: d(realistic.op_wait_deadline).max(Duration::from_millis(500)),
            dns_change: d(realistic.dns_change),
            resync: d(realistic.resync),
            // Monitoring periods must stay meaningful (and alignment periods parseable).
            sampling: d(realistic.sampling).max(Duration::from_millis(100)),
            ingestion: d(realistic.ingestion),
            conn_max_age: d(realistic.conn_max_age).max(Duration::from_millis(100)),
            ttl_secs: ((realistic.ttl * scale).round() as u32).max(1),
        }
    }

    /// Scales an arbitrary realistic duration by this timing's factor.
    pub fn scaled(&self, realistic: Duration) -> Duration {
        Duration::from_secs_f64(realistic.as_secs_f64() * self.scale)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_every_delay_and_keeps_ttl_whole() {
        let t = Timing::new(0.05, RealisticDelays::default());
        assert_eq!(t.ttl_secs, 15);
        assert_eq!(t.sampling, Duration::from_secs(3));
        assert_eq!(t.ingestion, Duration::from_secs_f64(10.5));
        let tiny = Timing::new(0.001, RealisticDelays::default());
        assert_eq!(tiny.ttl_secs, 1, "TTL is at least one second");
        assert_eq!(tiny.sampling, Duration::from_millis(100));
        assert_eq!(Timing::new(1.0, RealisticDelays::default()).ttl_secs, 300);
    }
}
