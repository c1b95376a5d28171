//! Flags shared by the rotation subcommands, each with its `ROTATE_CERT_*` variable.

use std::path::PathBuf;

use clap::Args;

use crate::ops::observe::{CertInput, Target};
use crate::ops::session::{AuthInput, SettingsInput};
use crate::util::duration::HumanDuration;

use super::GlobalArgs;

/// `--ingress NAMESPACE/NAME`.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// The live Ingress to rotate, as NAMESPACE/NAME
    #[arg(long, value_name = "NAMESPACE/NAME", env = "ROTATE_CERT_INGRESS")]
    pub ingress: Option<String>,
}

impl TargetArgs {
    /// The target, when given.
    pub fn target(&self) -> anyhow::Result<Option<Target>> {
        Ok(self
            .ingress
            .as_deref()
            .map(|s| Target::parse(s, "--ingress"))
            .transpose()?)
    }

    /// The target, required.
    pub fn required(&self) -> anyhow::Result<Target> {
        self.target()?.ok_or_else(|| {
            crate::exit::Stop::bad_input(
                "`--ingress NAMESPACE/NAME` is required (or set ROTATE_CERT_INGRESS)",
            )
            .into()
        })
    }
}

/// The new certificate: files, or a TLS Secret.
#[derive(Debug, Clone, Args)]
pub struct CertArgs {
    /// PEM file with the new certificate chain, leaf first
    #[arg(
        long,
        value_name = "FILE",
        requires = "key",
        conflicts_with = "from_secret",
        env = "ROTATE_CERT_CERT"
    )]
    pub cert: Option<PathBuf>,
    /// PEM file with the new private key (never printed or stored)
    #[arg(long, value_name = "FILE", requires = "cert", env = "ROTATE_CERT_KEY")]
    pub key: Option<PathBuf>,
    /// Take the new certificate from a TLS Secret (e.g. cert-manager's) as NAMESPACE/NAME
    #[arg(long, value_name = "NAMESPACE/NAME", env = "ROTATE_CERT_FROM_SECRET")]
    pub from_secret: Option<String>,
}

impl CertArgs {
    /// The certificate input, required.
    pub fn input(&self) -> anyhow::Result<CertInput> {
        match (&self.cert, &self.key, &self.from_secret) {
            (Some(cert), Some(key), None) => Ok(CertInput::Files { cert: cert.clone(), key: key.clone() }),
            (None, None, Some(s)) => Ok(CertInput::Secret(Target::parse(s, "--from-secret")?)),
            _ => Err(crate::exit::Stop::bad_input(
                "the new certificate is required: `--cert FILE --key FILE`, or `--from-secret NAMESPACE/NAME`",
            )
            .into()),
        }
    }
}

/// Where the APIs are and how to verify.
#[derive(Debug, Clone, Default, Args)]
pub struct ConnectArgs {
    /// Compute API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE`, else Google's]
    #[arg(long, value_name = "URL", env = "ROTATE_CERT_COMPUTE_ENDPOINT")]
    pub compute_endpoint: Option<String>,
    /// Cloud DNS API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS`, else Google's]
    #[arg(long, value_name = "URL", env = "ROTATE_CERT_DNS_ENDPOINT")]
    pub dns_endpoint: Option<String>,
    /// Cloud Monitoring API base URL [default: `CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING`, else Google's]
    #[arg(long, value_name = "URL", env = "ROTATE_CERT_MONITORING_ENDPOINT")]
    pub monitoring_endpoint: Option<String>,
    /// A file holding a Google OAuth access token (instead of application default credentials)
    #[arg(long, value_name = "FILE", env = "ROTATE_CERT_ACCESS_TOKEN_FILE")]
    pub access_token_file: Option<PathBuf>,
    /// A service-account key file (instead of `GOOGLE_APPLICATION_CREDENTIALS`)
    #[arg(long, value_name = "FILE", env = "ROTATE_CERT_CREDENTIALS_FILE")]
    pub credentials_file: Option<PathBuf>,
    /// Cloud DNS zone holding the records [default: the public zone with the longest matching suffix]
    #[arg(long, value_name = "ZONE", env = "ROTATE_CERT_ZONE")]
    pub zone: Option<String>,
    /// Authoritative nameserver to verify, IP[:PORT] (repeatable) [default: the zone's `nameServers`]
    #[arg(
        long = "nameserver",
        value_name = "IP[:PORT]",
        env = "ROTATE_CERT_NAMESERVER",
        value_delimiter = ','
    )]
    pub nameservers: Vec<String>,
    /// Port of the load balancers' HTTPS listeners, for TLS probes [default: 443]
    #[arg(
        long,
        value_name = "PORT",
        env = "ROTATE_CERT_PROBE_PORT",
        value_parser = clap::value_parser!(u16).range(1..)
    )]
    pub probe_port: Option<u16>,
    /// PEM file of extra CA certificates that verify the served chain (private CAs)
    #[arg(long, value_name = "FILE", env = "ROTATE_CERT_CA_FILE")]
    pub ca_file: Option<PathBuf>,
}

/// How long to wait for what.
#[derive(Debug, Clone, Default, Args)]
pub struct TimingArgs {
    /// The new certificate must stay valid at least this long [default: 14d]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_MIN_VALIDITY")]
    pub min_validity: Option<HumanDuration>,
    /// Drain at least this long after DNS is verified, even when the records' TTL is shorter [default: 0s]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_MIN_DRAIN")]
    pub min_drain: Option<HumanDuration>,
    /// Blue has drained after this long at or below --drain-threshold; at least one --metric-sampling-period [default: 5m]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_QUIET_PERIOD")]
    pub quiet_period: Option<HumanDuration>,
    /// Requests per second on blue that count as drained [default: 0]
    #[arg(
        long,
        value_name = "REQ/S",
        env = "ROTATE_CERT_DRAIN_THRESHOLD",
        allow_negative_numbers = true
    )]
    pub drain_threshold: Option<f64>,
    /// Stop waiting for the drain after this long, resumably [default: 2h]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_DRAIN_TIMEOUT")]
    pub drain_timeout: Option<HumanDuration>,
    /// Cloud Monitoring sampling period of the request-count metric [default: 60s]
    #[arg(
        long,
        value_name = "DURATION",
        env = "ROTATE_CERT_METRIC_SAMPLING_PERIOD"
    )]
    pub metric_sampling_period: Option<HumanDuration>,
    /// Cloud Monitoring ingestion delay of the request-count metric [default: 210s]
    #[arg(
        long,
        value_name = "DURATION",
        env = "ROTATE_CERT_METRIC_INGESTION_DELAY"
    )]
    pub metric_ingestion_delay: Option<HumanDuration>,
    /// Give up building and proving green after this long [default: 30m]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_CREATE_TIMEOUT")]
    pub create_timeout: Option<HumanDuration>,
    /// Give up waiting for DNS after this long [default: 10m]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_DNS_TIMEOUT")]
    pub dns_timeout: Option<HumanDuration>,
    /// Give up waiting for the old load balancer to disappear after this long [default: 30m]
    #[arg(long, value_name = "DURATION", env = "ROTATE_CERT_CLEANUP_TIMEOUT")]
    pub cleanup_timeout: Option<HumanDuration>,
}

/// Options of runs that change things.
#[derive(Debug, Clone, Default, Args)]
pub struct RunArgs {
    /// Take over a lock left by a run on another host (only when sure it is not running)
    #[arg(long)]
    pub break_lock: bool,
}

/// Resolves the settings input from the flags.
pub fn settings_input(global: &GlobalArgs, c: &ConnectArgs, t: &TimingArgs) -> SettingsInput {
    SettingsInput {
        project: global.project.clone(),
        context: global.context.clone(),
        compute_endpoint: c.compute_endpoint.clone(),
        dns_endpoint: c.dns_endpoint.clone(),
        monitoring_endpoint: c.monitoring_endpoint.clone(),
        zone: c.zone.clone(),
        nameservers: c
            .nameservers
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        probe_port: c.probe_port,
        ca_file: c.ca_file.clone(),
        min_validity: t.min_validity,
        min_drain: t.min_drain,
        quiet_period: t.quiet_period,
        drain_threshold: t.drain_threshold,
        drain_timeout: t.drain_timeout,
        metric_sampling_period: t.metric_sampling_period,
        metric_ingestion_delay: t.metric_ingestion_delay,
        create_timeout: t.create_timeout,
        dns_timeout: t.dns_timeout,
        cleanup_timeout: t.cleanup_timeout,
    }
}

/// Authentication from the flags.
pub fn auth_input(c: &ConnectArgs) -> AuthInput {
    AuthInput {
        access_token_file: c.access_token_file.clone(),
        credentials_file: c.credentials_file.clone(),
    }
}
