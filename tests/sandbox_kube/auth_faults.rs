//! Auth and faults: requests without the token are unauthorized, and injected faults
//! surface as Status errors (a single 503 retried away by kube-rs, a lasting one not).

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use rotate_cert::sandbox::kube::{TOKEN, kubeconfig_yaml};
use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_token_are_unauthorized() {
    let env = Env::start().await;
    let url = format!(
        "{}/apis/networking.k8s.io/v1/namespaces/default/ingresses",
        env.sandbox.endpoints().kube_url()
    );
    let plain = format!(
        "{}apis/networking.k8s.io/v1/namespaces/default/ingresses",
        env.sandbox.endpoints().base_url()
    );
    let resp = reqwest::Client::new()
        .get(&plain)
        .send()
        .await
        .expect("request");
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.expect("status body");
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["reason"], "Unauthorized");
    let ok = reqwest::Client::new()
        .get(&plain)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("request");
    assert_eq!(ok.status(), 200);
    let bad = env.write(
        "bad-kubeconfig",
        &kubeconfig_yaml(&env.sandbox.endpoints().kube_url(), "wrong", "x"),
    );
    let out = tokio::process::Command::new("kubectl")
        .args(["--kubeconfig", &bad, "--cache-dir"])
        .arg(env.path("cache"))
        .args(["get", "ingress"])
        .output()
        .await
        .expect("kubectl");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: You must be logged in to the server"),
        "{stderr} ({url})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_faults_surface_as_status_errors() {
    let env = Env::start().await;
    let client = env.client().await;
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "default");
    let secrets: Api<Secret> = Api::namespaced(client, "default");
    ingresses
        .create(&PostParams::default(), &typed_ingress("web", json!({})))
        .await
        .expect("create");
    let world = env.sandbox.world().clone();
    let fault = |method: &str, status: u16, times: Option<u32>| FaultSpec {
        method: method.to_string(),
        action: FaultAction::Status {
            status,
            reason: None,
        },
        times,
        probability: 1.0,
        after: 0,
    };
    world
        .core
        .faults
        .add(fault("kubernetes.ingresses.patch", 409, Some(1)));
    let patch = Patch::Merge(json!({"metadata": {"labels": {"a": "b"}}}));
    let (code, reason, message) = api_status(
        ingresses
            .patch("web", &PatchParams::default(), &patch)
            .await
            .expect_err("409"),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert!(
        message.starts_with("Operation cannot be fulfilled on ingresses.networking.k8s.io \"web\""),
        "{message}"
    );
    ingresses
        .patch("web", &PatchParams::default(), &patch)
        .await
        .expect("fault expired");

    // kube-rs retries 429/503/504 by itself: a single 503 is invisible...
    secrets
        .create(
            &PostParams::default(),
            &serde_json::from_value(json!({"metadata": {"name": "s"}})).expect("secret"),
        )
        .await
        .expect("secret");
    world
        .core
        .faults
        .add(fault("kubernetes.secrets.get", 503, Some(1)));
    secrets.get("s").await.expect("retried past one 503");
    // ...and a lasting one surfaces as a Status (retries off to keep the test fast).
    let yaml = std::fs::read_to_string(env.path("kubeconfig")).expect("kubeconfig");
    let mut config = kube::Config::from_custom_kubeconfig(
        Kubeconfig::from_yaml(&yaml).expect("kubeconfig"),
        &KubeConfigOptions::default(),
    )
    .await
    .expect("config");
    config.default_retry = false;
    let no_retry: Api<Secret> =
        Api::namespaced(kube::Client::try_from(config).expect("client"), "default");
    world
        .core
        .faults
        .add(fault("kubernetes.secrets.get", 503, None));
    let (code, reason, _) = api_status(no_retry.get("s").await.expect_err("503"));
    assert_eq!((code, reason.as_str()), (503, "ServiceUnavailable"));
    world.core.faults.clear();
    let stats = world.core.stats.snapshot();
    assert_eq!(stats.methods["kubernetes.ingresses.patch"], 2);
    assert_eq!(
        stats.methods["kubernetes.secrets.get"], 3,
        "one retried 503, one success, one surfaced 503"
    );
}
