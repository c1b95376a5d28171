//! Settings resolution and the connection to the world: turns what the user gave (flags
//! and `ROTATE_CERT_*` variables, possibly none) plus what a state file stored into one
//! [`Settings`], and connects the adapters ([`Env`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::exit::Stop;
use crate::gcp::{EndpointOverrides, Endpoints, Gcp, GcpConfig};
use crate::k8s::K8s;
use crate::settings::{Settings, defaults};
use crate::tls::Prober;
use crate::util::duration::HumanDuration;
use crate::workflow::Env;

/// Settings as the user gave them; `None` = not given (a stored or default value
/// applies).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettingsInput {
    /// `--project`.
    pub project: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `--compute-endpoint`.
    pub compute_endpoint: Option<String>,
    /// `--dns-endpoint`.
    pub dns_endpoint: Option<String>,
    /// `--monitoring-endpoint`.
    pub monitoring_endpoint: Option<String>,
    /// `--zone`.
    pub zone: Option<String>,
    /// `--nameserver` (repeatable).
    pub nameservers: Vec<String>,
    /// `--probe-port`.
    pub probe_port: Option<u16>,
    /// `--ca-file`.
    pub ca_file: Option<PathBuf>,
    /// `--min-validity`.
    pub min_validity: Option<HumanDuration>,
    /// `--min-drain`.
    pub min_drain: Option<HumanDuration>,
    /// `--quiet-period`.
    pub quiet_period: Option<HumanDuration>,
    /// `--drain-threshold`.
    pub drain_threshold: Option<f64>,
    /// `--drain-timeout`.
    pub drain_timeout: Option<HumanDuration>,
    /// `--metric-sampling-period`.
    pub metric_sampling_period: Option<HumanDuration>,
    /// `--metric-ingestion-delay`.
    pub metric_ingestion_delay: Option<HumanDuration>,
    /// `--create-timeout`.
    pub create_timeout: Option<HumanDuration>,
    /// `--dns-timeout`.
    pub dns_timeout: Option<HumanDuration>,
    /// `--cleanup-timeout`.
    pub cleanup_timeout: Option<HumanDuration>,
}

/// How to authenticate to Google Cloud (never stored).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthInput {
    /// `--access-token-file`.
    pub access_token_file: Option<PathBuf>,
    /// `--credentials-file`.
    pub credentials_file: Option<PathBuf>,
}

/// A connected session: resolved settings and adapters.
#[derive(Debug, Clone)]
pub struct Session {
    /// The settings in force.
    pub settings: Settings,
    /// The adapters.
    pub env: Env,
}

fn process_env() -> HashMap<String, String> {
    std::env::vars().collect()
}

/// Resolves settings (given > stored > default) and connects Kubernetes, Google Cloud and
/// the prober. Makes no API call except what credential discovery needs.
pub async fn open(
    input: &SettingsInput,
    stored: Option<&Settings>,
    auth: &AuthInput,
) -> anyhow::Result<Session> {
    let env = process_env();
    let pick = |given: Option<String>, stored: Option<String>| given.or(stored);
    let overrides = EndpointOverrides {
        compute: pick(
            input.compute_endpoint.clone(),
            stored.map(|s| s.compute_endpoint.clone()),
        ),
        dns: pick(
            input.dns_endpoint.clone(),
            stored.map(|s| s.dns_endpoint.clone()),
        ),
        monitoring: pick(
            input.monitoring_endpoint.clone(),
            stored.map(|s| s.monitoring_endpoint.clone()),
        ),
    };
    let endpoints =
        Endpoints::resolve(&overrides, &env).map_err(|e| Stop::bad_input(e.to_string()))?;
    let opts = crate::gcp::AuthOptions {
        access_token_file: auth.access_token_file.clone(),
        credentials_file: auth.credentials_file.clone(),
    };
    let tokens = crate::gcp::auth::token_source(&opts, &env)
        .await
        .map_err(|e| Stop::bad_input(format!("no usable Google Cloud credentials: {e}")).hint(
            "set `GOOGLE_APPLICATION_CREDENTIALS` to a service-account key, run `gcloud auth application-default login`, or pass `--access-token-file`",
        ))?;
    let project_given = input
        .project
        .clone()
        .or_else(|| stored.map(|s| s.project.clone()));
    let project =
        crate::gcp::auth::resolve_project(project_given.as_deref(), &env, tokens.as_ref())
            .await
            .map_err(|e| {
                Stop::bad_input(format!(
                    "cannot tell which Google Cloud project to use: {e}"
                ))
                .hint("pass `--project`, or set `CLOUDSDK_CORE_PROJECT`")
            })?;
    let d = |given: Option<HumanDuration>,
             stored: Option<HumanDuration>,
             default: HumanDuration| { given.or(stored).unwrap_or(default) };
    let settings = Settings {
        project: project.clone(),
        context: input
            .context
            .clone()
            .or_else(|| stored.and_then(|s| s.context.clone())),
        compute_endpoint: endpoints.compute.as_str().to_string(),
        dns_endpoint: endpoints.dns.as_str().to_string(),
        monitoring_endpoint: endpoints.monitoring.as_str().to_string(),
        zone: input
            .zone
            .clone()
            .or_else(|| stored.and_then(|s| s.zone.clone())),
        nameservers: if input.nameservers.is_empty() {
            stored.map(|s| s.nameservers.clone()).unwrap_or_default()
        } else {
            input.nameservers.clone()
        },
        probe_port: input
            .probe_port
            .or(stored.map(|s| s.probe_port))
            .unwrap_or(defaults::PROBE_PORT),
        ca_file: input
            .ca_file
            .clone()
            .or_else(|| stored.and_then(|s| s.ca_file.clone())),
        min_validity: d(
            input.min_validity,
            stored.map(|s| s.min_validity),
            defaults::MIN_VALIDITY,
        ),
        min_drain: d(
            input.min_drain,
            stored.map(|s| s.min_drain),
            defaults::MIN_DRAIN,
        ),
        quiet_period: d(
            input.quiet_period,
            stored.map(|s| s.quiet_period),
            defaults::QUIET_PERIOD,
        ),
        drain_threshold: input
            .drain_threshold
            .or(stored.map(|s| s.drain_threshold))
            .unwrap_or(defaults::DRAIN_THRESHOLD),
        drain_timeout: d(
            input.drain_timeout,
            stored.map(|s| s.drain_timeout),
            defaults::DRAIN_TIMEOUT,
        ),
        metric_sampling_period: d(
            input.metric_sampling_period,
            stored.map(|s| s.metric_sampling_period),
            defaults::METRIC_SAMPLING_PERIOD,
        ),
        metric_ingestion_delay: d(
            input.metric_ingestion_delay,
            stored.map(|s| s.metric_ingestion_delay),
            defaults::METRIC_INGESTION_DELAY,
        ),
        create_timeout: d(
            input.create_timeout,
            stored.map(|s| s.create_timeout),
            defaults::CREATE_TIMEOUT,
        ),
        dns_timeout: d(
            input.dns_timeout,
            stored.map(|s| s.dns_timeout),
            defaults::DNS_TIMEOUT,
        ),
        cleanup_timeout: d(
            input.cleanup_timeout,
            stored.map(|s| s.cleanup_timeout),
            defaults::CLEANUP_TIMEOUT,
        ),
    };
    validate(&settings)?;
    let gcp = Gcp::new(GcpConfig::new(endpoints), tokens, &project)
        .context("cannot set up the Google Cloud client")?;
    let k8s = K8s::connect(settings.context.as_deref())
        .await
        .map_err(|e| {
            Stop::bad_input(format!("cannot use the Kubernetes configuration: {e}"))
                .hint("check `KUBECONFIG` / `~/.kube/config`, or pass `--context`")
        })?;
    let prober = Prober::new(
        settings.ca_file.as_deref(),
        settings.probe_port,
        probe_timeout(&settings),
    )
    .map_err(Stop::bad_input)?;
    Ok(Session {
        settings,
        env: Env { k8s, gcp, prober },
    })
}

/// A TLS probe's timeout: short, but not shorter than a real handshake needs.
fn probe_timeout(s: &Settings) -> Duration {
    (s.create_timeout.get() / 60).clamp(Duration::from_secs(2), Duration::from_secs(10))
}

fn validate(s: &Settings) -> anyhow::Result<()> {
    if !(s.drain_threshold.is_finite() && s.drain_threshold >= 0.0) {
        return Err(Stop::bad_input(format!(
            "--drain-threshold must be a number ≥ 0, not {}",
            s.drain_threshold
        ))
        .into());
    }
    if s.metric_sampling_period.get().is_zero() {
        return Err(Stop::bad_input("--metric-sampling-period must be longer than zero").into());
    }
    // A quiet period shorter than one sampling period holds no settled point at all, so
    // the drain would pass on no evidence without being recorded as forced.
    if s.quiet_period.get() < s.metric_sampling_period.get() {
        return Err(Stop::bad_input(format!(
            "--quiet-period ({}) must be at least one --metric-sampling-period ({}): a shorter one holds no Monitoring point to judge the traffic by",
            s.quiet_period, s.metric_sampling_period
        ))
        .hint("to skip the drain on purpose, use `--force` (recorded in the state file)")
        .into());
    }
    for (flag, v) in [
        ("--drain-timeout", s.drain_timeout),
        ("--create-timeout", s.create_timeout),
        ("--dns-timeout", s.dns_timeout),
        ("--cleanup-timeout", s.cleanup_timeout),
    ] {
        if v.get().is_zero() {
            return Err(Stop::bad_input(format!("{flag} must be longer than zero")).into());
        }
    }
    for ns in &s.nameservers {
        crate::dns::parse_nameserver(ns)
            .map_err(|e| Stop::bad_input(format!("--nameserver: {e}")))?;
    }
    if let Some(z) = &s.zone
        && !valid_zone_name(z)
    {
        return Err(Stop::bad_input(format!(
            "--zone `{z}` is not a Cloud DNS zone name (lowercase letters, digits, dashes)"
        ))
        .into());
    }
    Ok(())
}

/// Cloud DNS zone names: 1–63 lowercase letters, digits and dashes, starting with a letter.
fn valid_zone_name(z: &str) -> bool {
    let b = z.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}
