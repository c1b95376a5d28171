//! The shared setup: a sandbox per test, a service-account key file whose `token_uri` is
//! the sandbox's `/token`, and an adapter built the way the product builds it (endpoint
//! overrides from a gcloud-style environment map, project from the key file).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rotate_cert::gcp::auth::{self, GcpAuthSource, TokenSource};
use rotate_cert::gcp::{Endpoints, Gcp, GcpConfig, RetryPolicy};
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use rotate_cert::sandbox::{PROJECT, Sandbox, SandboxOptions};

/// A sandbox, a key file for it, and an adapter built from both.
pub struct Harness {
    pub sb: Sandbox,
    pub gcp: Gcp,
    pub key_file: PathBuf,
    _dir: tempfile::TempDir,
}

/// Short backoff so tests stay quick; the sandbox's `Retry-After: 1` still applies.
pub fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        max_elapsed: Duration::from_secs(30),
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        multiplier: 2.0,
    }
}

pub fn override_env(sb: &Sandbox) -> HashMap<String, String> {
    let base = sb.endpoints().base_url();
    HashMap::from([
        (
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE".to_string(),
            format!("{base}compute/v1/"),
        ),
        (
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS".to_string(),
            base.clone(),
        ),
        (
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING".to_string(),
            base.trim_end_matches('/').to_string(),
        ),
    ])
}

pub async fn harness(retry: RetryPolicy) -> Harness {
    harness_scaled(0.01, retry).await
}

/// [`harness`] with another sandbox time scale (slower Cloud DNS changes, for example).
pub async fn harness_scaled(time_scale: f64, retry: RetryPolicy) -> Harness {
    rotate_cert::install_crypto_provider();
    let sb = Sandbox::start(SandboxOptions {
        time_scale,
        ..Default::default()
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key.json");
    let base = sb.endpoints().base_url();
    std::fs::write(
        &key_file,
        sb.world().tokens.key_file(PROJECT, &format!("{base}token")),
    )
    .unwrap();
    let gcp = adapter(&sb, &key_file, retry).await;
    Harness {
        sb,
        gcp,
        key_file,
        _dir: dir,
    }
}

/// An adapter with its own token source from `key_file`, the project from the key.
pub async fn adapter(sb: &Sandbox, key_file: &std::path::Path, retry: RetryPolicy) -> Gcp {
    let tokens: Arc<dyn TokenSource> = Arc::new(GcpAuthSource::from_key_file(key_file).unwrap());
    let project = auth::resolve_project(None, &HashMap::new(), tokens.as_ref())
        .await
        .unwrap();
    assert_eq!(project, PROJECT, "project from the key file");
    let endpoints = Endpoints::resolve(&Default::default(), &override_env(sb)).unwrap();
    Gcp::new(
        GcpConfig {
            retry,
            ..GcpConfig::new(endpoints)
        },
        tokens,
        &project,
    )
    .unwrap()
}

pub fn https_rule(sb: &Sandbox) -> String {
    sb.world()
        .compute
        .https_rules(PROJECT)
        .into_keys()
        .next()
        .expect("the demo world has an HTTPS forwarding rule")
}

pub fn calls(sb: &Sandbox, method: &str) -> u64 {
    sb.world()
        .core
        .stats
        .snapshot()
        .methods
        .get(method)
        .copied()
        .unwrap_or(0)
}

pub fn fault(method: &str, action: FaultAction, times: Option<u32>) -> FaultSpec {
    FaultSpec {
        method: method.to_string(),
        action,
        times,
        probability: 1.0,
        after: 0,
    }
}
