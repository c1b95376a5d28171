//! Compute v1: reads down to the served certificate, backend health, address lifecycle
//! with request ids, operation failures, retries, rate limits and lost responses.

use std::time::{Duration, SystemTime};

use rotate_cert::gcp::{
    AddressStatus, ErrorKind, HealthState, NewAddress, OperationStatus, RequestId, ResourceKind,
    RetryPolicy,
};
use rotate_cert::sandbox::PROJECT;
use rotate_cert::sandbox::core::FaultAction;

use crate::harness::{calls, fast_retries, fault, harness, https_rule};

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
