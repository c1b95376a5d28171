//! The settings of a rotation: where the APIs are, how to verify, and how long to wait.
//!
//! Every setting is an ordinary flag with a `ROTATE_CERT_*` environment variable (the
//! sandbox's env file sets the timing ones to its pace). The resolved settings are stored
//! in the state file, so `resume` talks to the same backends with the same timing; a flag
//! given again on `resume` overrides the stored value. Nothing here does I/O.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::util::duration::HumanDuration;

/// Resolved settings of one rotation (stored in the state file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Google Cloud project.
    pub project: String,
    /// Kubernetes context (`None` = the kubeconfig's current one).
    pub context: Option<String>,
    /// Compute base URL (ends with `compute/v1/`).
    pub compute_endpoint: String,
    /// Cloud DNS base URL (the API root).
    pub dns_endpoint: String,
    /// Cloud Monitoring base URL (the API root).
    pub monitoring_endpoint: String,
    /// Cloud DNS zone to use instead of finding it by longest suffix.
    pub zone: Option<String>,
    /// Nameservers to verify instead of the zone's `nameServers` (`IP[:PORT]`).
    pub nameservers: Vec<String>,
    /// Port of the load balancers' HTTPS listeners.
    pub probe_port: u16,
    /// Extra CA certificates that verify the served chain (private CAs).
    pub ca_file: Option<PathBuf>,
    /// Preflight: the new certificate must stay valid at least this long.
    pub min_validity: HumanDuration,
    /// Drain at least this long after DNS is verified, even when the records' TTL is
    /// shorter (the drain always waits at least the TTL).
    pub min_drain: HumanDuration,
    /// Blue has drained when its request rate stays at or below `drain_threshold` for this
    /// long (in settled Monitoring data).
    pub quiet_period: HumanDuration,
    /// Requests per second on blue that count as drained.
    pub drain_threshold: f64,
    /// Give up draining (resumably) after this long.
    pub drain_timeout: HumanDuration,
    /// Cloud Monitoring sampling period of the request-count metric.
    pub metric_sampling_period: HumanDuration,
    /// Cloud Monitoring ingestion delay of the request-count metric.
    pub metric_ingestion_delay: HumanDuration,
    /// Deadline for the green load balancer to be built and proven.
    pub create_timeout: HumanDuration,
    /// Deadline for the DNS change to be served by every nameserver.
    pub dns_timeout: HumanDuration,
    /// Deadline for the blue load balancer to disappear.
    pub cleanup_timeout: HumanDuration,
}

/// Defaults for production (Google's real pace).
pub mod defaults {
    use super::HumanDuration;

    /// `--probe-port`.
    pub const PROBE_PORT: u16 = 443;
    /// `--min-validity`.
    pub const MIN_VALIDITY: HumanDuration = HumanDuration::secs(14 * 86400);
    /// `--min-drain`.
    pub const MIN_DRAIN: HumanDuration = HumanDuration::secs(0);
    /// `--quiet-period`.
    pub const QUIET_PERIOD: HumanDuration = HumanDuration::secs(300);
    /// `--drain-threshold` (requests per second).
    pub const DRAIN_THRESHOLD: f64 = 0.0;
    /// `--drain-timeout`.
    pub const DRAIN_TIMEOUT: HumanDuration = HumanDuration::secs(2 * 3600);
    /// `--metric-sampling-period`.
    pub const METRIC_SAMPLING_PERIOD: HumanDuration = HumanDuration::secs(60);
    /// `--metric-ingestion-delay`.
    pub const METRIC_INGESTION_DELAY: HumanDuration = HumanDuration::secs(210);
    /// `--create-timeout`.
    pub const CREATE_TIMEOUT: HumanDuration = HumanDuration::secs(30 * 60);
    /// `--dns-timeout`.
    pub const DNS_TIMEOUT: HumanDuration = HumanDuration::secs(10 * 60);
    /// `--cleanup-timeout`.
    pub const CLEANUP_TIMEOUT: HumanDuration = HumanDuration::secs(30 * 60);
}

impl Settings {
    /// How often to look again while waiting for something measured in `scale`: a tenth
    /// of it, between 50 ms and 5 s.
    pub fn poll_interval(scale: Duration) -> Duration {
        (scale / 10).clamp(Duration::from_millis(50), Duration::from_secs(5))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_interval_is_bounded() {
        assert_eq!(
            Settings::poll_interval(Duration::from_secs(600)),
            Duration::from_secs(5)
        );
        assert_eq!(
            Settings::poll_interval(Duration::from_millis(100)),
            Duration::from_millis(50)
        );
        assert_eq!(
            Settings::poll_interval(Duration::from_secs(3)),
            Duration::from_millis(300)
        );
    }
}
