//! Credentials, projects and endpoints: token caching, missing project, malformed and
//! unreachable endpoints, refused tokens.

use std::collections::HashMap;
use std::sync::Arc;

use rotate_cert::gcp::auth::{self, GcpAuthSource, StaticToken};
use rotate_cert::gcp::{Endpoints, ErrorKind, Gcp, GcpConfig, ResourceKind, RetryPolicy};
use rotate_cert::sandbox::PROJECT;

use crate::harness::{adapter, calls, fast_retries, harness, https_rule, override_env};

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
