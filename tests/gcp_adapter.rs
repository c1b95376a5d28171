//! The Google Cloud adapter (`rotate_cert::gcp`) against the in-process sandbox, with the
//! real token flow: a service-account key file whose `token_uri` is the sandbox's `/token`,
//! `gcp_auth` signing the JWT, and the bearer token on every request.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use rotate_cert::gcp::auth::{self, GcpAuthSource, StaticToken, TokenSource};
use rotate_cert::gcp::{
    AddressStatus, Endpoints, ErrorKind, Gcp, GcpConfig, HealthState, NewAddress, OperationStatus,
    RequestId, ResourceKind, RetryPolicy,
};
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use rotate_cert::sandbox::{PROJECT, Sandbox, SandboxOptions};

/// A sandbox, a key file for it, and an adapter built from both.
struct Harness {
    sb: Sandbox,
    gcp: Gcp,
    key_file: PathBuf,
    _dir: tempfile::TempDir,
}

/// Short backoff so tests stay quick; the sandbox's `Retry-After: 1` still applies.
fn fast_retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        max_elapsed: Duration::from_secs(30),
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        multiplier: 2.0,
    }
}

fn override_env(sb: &Sandbox) -> HashMap<String, String> {
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

async fn harness(retry: RetryPolicy) -> Harness {
    rotate_cert::install_crypto_provider();
    let sb = Sandbox::start(SandboxOptions {
        time_scale: 0.01,
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
async fn adapter(sb: &Sandbox, key_file: &std::path::Path, retry: RetryPolicy) -> Gcp {
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

fn https_rule(sb: &Sandbox) -> String {
    sb.world()
        .compute
        .https_rules(PROJECT)
        .into_keys()
        .next()
        .expect("the demo world has an HTTPS forwarding rule")
}

fn calls(sb: &Sandbox, method: &str) -> u64 {
    sb.world()
        .core
        .stats
        .snapshot()
        .methods
        .get(method)
        .copied()
        .unwrap_or(0)
}

fn fault(method: &str, action: FaultAction, times: Option<u32>) -> FaultSpec {
    FaultSpec {
        method: method.to_string(),
        action,
        times,
        probability: 1.0,
        after: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_the_demo_load_balancer_down_to_its_certificate_and_health() {
    let h = harness(fast_retries(3)).await;
    let c = &h.gcp.compute;
    let rule = c.get_forwarding_rule(&https_rule(&h.sb)).await.unwrap();
    assert!(rule.targets_https_proxy(), "{rule:?}");
    assert_eq!(rule.port_range, "443-443");
    let ip = rotate_cert::sandbox::seed::ingress_ip(h.sb.world(), "default", "web").unwrap();
    assert_eq!(rule.ip_address.to_string(), ip);

    let proxy = c.get_target_https_proxy(rule.target_proxy()).await.unwrap();
    assert_eq!(proxy.ssl_certificates.len(), 1, "{proxy:?}");
    let cert = c
        .get_ssl_certificate(&proxy.ssl_certificates[0])
        .await
        .unwrap();
    let live = rotate_cert::cert::parse_chain_pem(h.sb.certs().live.chain_pem.as_bytes()).unwrap();
    assert_eq!(
        cert.leaf_sha256.as_deref(),
        Some(rotate_cert::cert::sha256_hex(&live[0]).as_str()),
        "the fingerprint of the certificate the load balancer serves"
    );
    for host in rotate_cert::sandbox::seed::HOSTS {
        assert!(cert.sans.iter().any(|s| s == host), "{:?}", cert.sans);
    }
    let expires_in = cert
        .expire_time
        .unwrap()
        .duration_since(SystemTime::now())
        .unwrap();
    assert!(
        expires_in > Duration::from_secs(9 * 86400)
            && expires_in <= Duration::from_secs(10 * 86400)
    );

    let map = c.get_url_map(&proxy.url_map).await.unwrap();
    assert!(map.backend_services.len() >= 2, "app and static: {map:?}");
    for service in &map.backend_services {
        let health = c.backend_health(service).await.unwrap();
        assert!(!health.groups.is_empty(), "{health:?}");
        assert_eq!(health.summary(), HealthState::Healthy, "{health:?}");
    }
    assert!(
        c.exists(ResourceKind::UrlMap, &proxy.url_map)
            .await
            .unwrap()
    );
    assert!(
        !c.exists(ResourceKind::Address, "no-such-address")
            .await
            .unwrap()
    );
    let missing = c.get_url_map("no-such-map").await.unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::NotFound);
    assert_eq!(missing.method(), "compute.urlMaps.get");
    assert_eq!(
        missing.resource(),
        "projects/sandbox-project/global/urlMaps/no-such-map"
    );
    assert!(!missing.retryable() && !missing.outcome_unknown());
    assert!(h.gcp.request_counts().compute >= 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_endpoint_is_hit_once_for_many_calls() {
    let h = harness(fast_retries(3)).await;
    let rule = https_rule(&h.sb);
    // Concurrent first calls share one token fetch…
    let concurrent = (0..8).map(|_| h.gcp.compute.exists(ResourceKind::ForwardingRule, &rule));
    for found in futures::future::join_all(concurrent).await {
        assert!(found.unwrap());
    }
    // …and later calls reuse the cached token.
    for _ in 0..5 {
        h.gcp.compute.get_forwarding_rule(&rule).await.unwrap();
    }
    assert_eq!(calls(&h.sb, "compute.globalForwardingRules.get"), 13);
    assert_eq!(calls(&h.sb, "oauth2.token"), 1, "one token for every call");
    // A second adapter (a new process) gets its own token.
    let other = adapter(&h.sb, &h.key_file, fast_retries(1)).await;
    other.compute.get_forwarding_rule(&rule).await.unwrap();
    assert_eq!(calls(&h.sb, "oauth2.token"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn address_insert_wait_get_delete_with_request_ids() {
    let h = harness(fast_retries(3)).await;
    let c = &h.gcp.compute;
    let new = NewAddress {
        name: "green-ip".into(),
        description: Some("rotate-cert green".into()),
        address: None,
    };
    let rid = RequestId::new();
    let op = c.insert_address(&new, &rid).await.unwrap();
    assert_eq!(
        op.client_operation_id.as_deref(),
        Some(rid.to_string().as_str())
    );
    let again = c.insert_address(&new, &rid).await.unwrap();
    assert_eq!(again.name, op.name, "same requestId, same operation");
    let done = c.wait_operation(&op).await.unwrap();
    assert_eq!(done.status, OperationStatus::Done);
    let addr = c.get_address("green-ip").await.unwrap();
    assert_eq!(addr.status, AddressStatus::Reserved);
    assert!(addr.address.is_some() && addr.users.is_empty(), "{addr:?}");

    let dup = c.insert_address(&new, &RequestId::new()).await.unwrap_err();
    assert!(dup.is_already_exists(), "{dup}");
    assert!(dup.to_string().contains("green-ip"), "{dup}");

    let del = c
        .delete_address("green-ip", &RequestId::new())
        .await
        .unwrap();
    c.wait_operation(&del).await.unwrap();
    let gone = c.get_address("green-ip").await.unwrap_err();
    assert_eq!(gone.kind(), &ErrorKind::NotFound);
    assert!(gone.is_not_found());
    assert_eq!(calls(&h.sb, "compute.globalAddresses.insert"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_operation_surfaces_with_its_code() {
    let h = harness(fast_retries(3)).await;
    h.sb.world().core.faults.add(fault(
        "compute.globalAddresses.insert",
        FaultAction::OperationError {
            code: "QUOTA_EXCEEDED".into(),
            http_status: 403,
        },
        Some(1),
    ));
    let c = &h.gcp.compute;
    let new = NewAddress {
        name: "doomed".into(),
        ..Default::default()
    };
    let op = c.insert_address(&new, &RequestId::new()).await.unwrap();
    let err = c.wait_operation(&op).await.unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::OperationFailed {
            code: "QUOTA_EXCEEDED".into()
        }
    );
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.method(), "compute.globalAddresses.insert");
    assert_eq!(
        err.resource(),
        "projects/sandbox-project/global/addresses/doomed"
    );
    assert!(!err.retryable());
    assert!(err.to_string().contains("QUOTA_EXCEEDED"), "{err}");
    assert!(!c.exists(ResourceKind::Address, "doomed").await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_503s_are_retried_transparently() {
    let h = harness(fast_retries(4)).await;
    h.sb.world().core.faults.add(fault(
        "compute.globalForwardingRules.get",
        FaultAction::Status {
            status: 503,
            reason: None,
        },
        Some(2),
    ));
    let rule = h
        .gcp
        .compute
        .get_forwarding_rule(&https_rule(&h.sb))
        .await
        .unwrap();
    assert!(rule.targets_https_proxy());
    assert_eq!(calls(&h.sb, "compute.globalForwardingRules.get"), 3);
    assert_eq!(h.gcp.request_counts().retries, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limiting_beyond_the_budget_is_a_clear_error() {
    let h = harness(fast_retries(3)).await;
    h.sb.world().core.faults.add(fault(
        "compute.urlMaps.get",
        FaultAction::Status {
            status: 429,
            reason: None,
        },
        None,
    ));
    let err = h.gcp.compute.get_url_map("any").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::RateLimited);
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(1)));
    assert!(err.retryable() && !err.outcome_unknown());
    let text = err.to_string();
    assert!(
        text.starts_with("compute.urlMaps.get `projects/sandbox-project/global/urlMaps/any` failed: rate limited: Rate Limit Exceeded (HTTP 429, rateLimitExceeded); gave up after 3 attempts in "),
        "{text}"
    );
    assert_eq!(calls(&h.sb, "compute.urlMaps.get"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_insert_response_is_retried_without_a_duplicate() {
    let h = harness(fast_retries(3)).await;
    h.sb.world().core.faults.add(fault(
        "compute.globalAddresses.insert",
        FaultAction::DropResponse,
        Some(1),
    ));
    let c = &h.gcp.compute;
    let new = NewAddress {
        name: "lost-ip".into(),
        ..Default::default()
    };
    let rid = RequestId::new();
    let op = c.insert_address(&new, &rid).await.unwrap();
    assert_eq!(
        calls(&h.sb, "compute.globalAddresses.insert"),
        2,
        "retried once"
    );
    c.wait_operation(&op).await.unwrap();
    let inserts: Vec<_> =
        h.sb.world()
            .compute
            .operations(PROJECT)
            .into_iter()
            .filter(|o| {
                o["operationType"] == "insert"
                    && o["targetLink"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("/addresses/lost-ip"))
            })
            .collect();
    assert_eq!(inserts.len(), 1, "one operation, not two: {inserts:?}");
    assert_eq!(inserts[0]["name"], op.name.as_str());
    assert_eq!(
        c.get_address("lost-ip").await.unwrap().status,
        AddressStatus::Reserved
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_retry_budget_a_lost_response_is_an_unknown_outcome_settled_by_the_same_id() {
    let h = harness(RetryPolicy::none()).await;
    h.sb.world().core.faults.add(fault(
        "compute.globalAddresses.insert",
        FaultAction::DropResponse,
        Some(1),
    ));
    let c = &h.gcp.compute;
    let new = NewAddress {
        name: "crash-ip".into(),
        ..Default::default()
    };
    let rid = RequestId::new();
    let err = c.insert_address(&new, &rid).await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert!(err.retryable() && err.outcome_unknown(), "{err}");
    assert!(
        err.to_string().contains("may or may not have been applied"),
        "{err}"
    );
    // Resuming with the persisted id finds the accepted request instead of repeating it.
    let op = c.insert_address(&new, &rid).await.unwrap();
    c.wait_operation(&op).await.unwrap();
    let ops = h.sb.world().compute.operations(PROJECT);
    let rid_text = rid.to_string();
    assert_eq!(
        ops.iter()
            .filter(|o| o["clientOperationId"] == rid_text.as_str())
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_is_empty_before_traffic_and_counts_it_after_ingestion() {
    let h = harness(fast_retries(3)).await;
    let rule = https_rule(&h.sb);
    let t = h.sb.world().core.timing;
    let since = SystemTime::now() - Duration::from_secs(3600);
    let m = &h.gcp.monitoring;
    let before = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert!(before.is_empty(), "{before:?}");

    let ip = rotate_cert::sandbox::seed::ingress_ip(h.sb.world(), "default", "web").unwrap();
    let host = "www.example.test";
    let ca = reqwest::Certificate::from_pem(h.sb.certs().ca.pem.as_bytes()).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:{}", h.sb.endpoints().lb_port)
        .parse()
        .unwrap();
    let lb = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve(host, addr)
        .build()
        .unwrap();
    let port = h.sb.endpoints().lb_port;
    for _ in 0..12 {
        let r = lb
            .get(format!("https://{host}:{port}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(t.sampling + t.ingestion + Duration::from_millis(300)).await;
    let after = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert_eq!(after.iter().map(|p| p.count).sum::<u64>(), 12, "{after:?}");
    assert!(
        after.windows(2).all(|w| w[0].end < w[1].end),
        "oldest first: {after:?}"
    );
    assert!(after.iter().all(|p| p.start < p.end));
    let other_rule = m
        .request_counts("k8s2-fs-none", since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert!(other_rule.is_empty());
    let too_fine = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling / 10)
        .await
        .unwrap_err();
    assert_eq!(too_fine.kind(), &ErrorKind::Invalid, "{too_fine}");
    assert!(h.gcp.request_counts().monitoring >= 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_project_and_endpoint_errors_are_clear() {
    let h = harness(RetryPolicy::none()).await;
    // A key file without `project_id`, and no other source: the error lists the ways.
    let mut key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&h.key_file).unwrap()).unwrap();
    key.as_object_mut().unwrap().remove("project_id");
    let no_project = h.key_file.with_file_name("no-project.json");
    std::fs::write(&no_project, key.to_string()).unwrap();
    let tokens = GcpAuthSource::from_key_file(&no_project).unwrap();
    let err = auth::resolve_project(None, &HashMap::new(), &tokens)
        .await
        .unwrap_err()
        .to_string();
    for way in ["--project", "CLOUDSDK_CORE_PROJECT", "project_id"] {
        assert!(err.contains(way), "{err}");
    }
    let env = HashMap::from([("CLOUDSDK_CORE_PROJECT".to_string(), PROJECT.to_string())]);
    assert_eq!(
        auth::resolve_project(None, &env, &tokens).await.unwrap(),
        PROJECT
    );

    // A malformed override names its variable.
    let mut bad = override_env(&h.sb);
    bad.insert(
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE".into(),
        "127.0.0.1:1/compute/v1/".into(),
    );
    let err = Endpoints::resolve(&Default::default(), &bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE") && err.contains("absolute URL"),
        "{err}"
    );

    // Nothing listening: a transport error that a retry may fix, never an unknown outcome
    // for a read.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut dead = override_env(&h.sb);
    dead.insert(
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE".into(),
        format!("http://127.0.0.1:{port}/compute/v1/"),
    );
    let token = StaticToken::new(&h.sb.world().tokens.issue(), "test").unwrap();
    let gcp = Gcp::new(
        GcpConfig {
            retry: RetryPolicy::none(),
            ..GcpConfig::new(Endpoints::resolve(&Default::default(), &dead).unwrap())
        },
        Arc::new(token),
        PROJECT,
    )
    .unwrap();
    let err = gcp.compute.get_url_map("x").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert!(err.retryable() && !err.outcome_unknown());
    assert!(
        err.to_string()
            .contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{err}"
    );

    // A static token the server does not know: 401, not retried.
    let stranger = Gcp::new(
        GcpConfig {
            retry: fast_retries(3),
            ..GcpConfig::new(Endpoints::resolve(&Default::default(), &override_env(&h.sb)).unwrap())
        },
        Arc::new(StaticToken::new("ya29.not-issued", "test").unwrap()),
        PROJECT,
    )
    .unwrap();
    let err = stranger.compute.get_url_map("x").await.unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Unauthenticated);
    assert_eq!(err.attempts(), 1);
    assert!(!err.to_string().contains("ya29"), "{err}");
    // The issued static token works.
    assert!(!gcp.credentials().contains("ya29"));
    let ok = Gcp::new(
        GcpConfig::new(Endpoints::resolve(&Default::default(), &override_env(&h.sb)).unwrap()),
        Arc::new(StaticToken::new(&h.sb.world().tokens.issue(), "test").unwrap()),
        PROJECT,
    )
    .unwrap();
    assert!(
        ok.compute
            .exists(ResourceKind::ForwardingRule, &https_rule(&h.sb))
            .await
            .unwrap()
    );
}
