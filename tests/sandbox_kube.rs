//! The sandbox's Kubernetes API against real clients: the installed `kubectl` (1.32) and
//! kube-rs with k8s-openapi types, each on its own in-process sandbox.

use std::path::PathBuf;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::config::{KubeConfigOptions, Kubeconfig};
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use rotate_cert::sandbox::kube::{TOKEN, kubeconfig_yaml};
use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};
use tempfile::TempDir;

const FINALIZER: &str = "networking.gke.io/ingress-finalizer-V2";

struct Env {
    sandbox: Sandbox,
    dir: TempDir,
}

impl Env {
    async fn start() -> Env {
        rotate_cert::install_crypto_provider();
        let sandbox = Sandbox::start(SandboxOptions {
            time_scale: 0.01,
            seed_demo: false,
            controller: false,
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        let kc = kubeconfig_yaml(
            &sandbox.endpoints().kube_url(),
            TOKEN,
            "gke_sandbox-project_europe-west1_sandbox",
        );
        std::fs::write(dir.path().join("kubeconfig"), kc).expect("write kubeconfig");
        Env { sandbox, dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs kubectl; returns (success, stdout, stderr).
    async fn kubectl(&self, args: &[&str]) -> (bool, String, String) {
        let out = tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(self.path("kubeconfig"))
            .arg("--cache-dir")
            .arg(self.path("cache"))
            .args(args)
            .output()
            .await
            .expect("kubectl runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    async fn ok(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(args).await;
        assert!(ok, "kubectl {args:?} failed: {stderr}");
        stdout
    }

    async fn fails(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(args).await;
        assert!(!ok, "kubectl {args:?} should fail, printed {stdout}");
        stderr
    }

    async fn client(&self) -> kube::Client {
        let yaml = std::fs::read_to_string(self.path("kubeconfig")).expect("kubeconfig");
        let kc = Kubeconfig::from_yaml(&yaml).expect("parse kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .expect("kube config");
        kube::Client::try_from(config).expect("kube client")
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p.to_string_lossy().into_owned()
    }
}

fn ingress(name: &str, class_by_annotation: bool) -> String {
    let class = if class_by_annotation {
        "  annotations:\n    kubernetes.io/ingress.class: gce\n".to_string()
    } else {
        String::new()
    };
    let spec_class = if class_by_annotation {
        ""
    } else {
        "  ingressClassName: gce\n"
    };
    format!(
        "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  labels:
    app: web
{class}spec:
{spec_class}  tls:
  - hosts: [www.example.com]
    secretName: site-tls
  rules:
  - host: www.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: web
            port:
              number: 80
"
    )
}

fn typed_ingress(name: &str, labels: Value) -> Ingress {
    serde_json::from_value(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "labels": labels},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}
    }))
    .expect("ingress")
}

fn api_status(e: kube::Error) -> (u16, String, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API Status error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_discovers_and_reads_namespaces() {
    let env = Env::start().await;
    let ns = env.ok(&["get", "ns"]).await;
    assert!(ns.starts_with("NAME"), "{ns}");
    for name in ["default", "kube-system"] {
        assert!(
            ns.lines()
                .any(|l| l.starts_with(name) && l.contains("Active")),
            "{ns}"
        );
    }
    let uid = env
        .ok(&["get", "ns", "kube-system", "-o", "jsonpath={.metadata.uid}"])
        .await;
    assert_eq!(uid, env.sandbox.world().kube.kube_system_uid());
    let classes = env.ok(&["get", "ingressclass"]).await;
    assert!(
        classes.contains("gce") && classes.contains("k8s.io/ingress-gce"),
        "{classes}"
    );
    let resources = env.ok(&["api-resources", "--no-headers"]).await;
    assert!(
        resources
            .lines()
            .any(|l| l.starts_with("ingresses") && l.contains("ing")),
        "{resources}"
    );
    let version = env.ok(&["version", "-o", "json"]).await;
    let v: Value = serde_json::from_str(&version).expect("version json");
    assert_eq!(v["serverVersion"]["minor"], "32");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_manages_tls_secrets() {
    let env = Env::start().await;
    let ck = rcgen::generate_simple_self_signed(vec!["www.example.com".to_string()]).expect("cert");
    let cert = env.write("tls.crt", &ck.cert.pem());
    let key = env.write("tls.key", &ck.signing_key.serialize_pem());
    let created = env
        .ok(&[
            "create", "secret", "tls", "site-tls", "--cert", &cert, "--key", &key,
        ])
        .await;
    assert_eq!(created.trim(), "secret/site-tls created");
    let table = env.ok(&["get", "secret"]).await;
    let row = table
        .lines()
        .find(|l| l.starts_with("site-tls"))
        .expect("row");
    assert!(
        row.contains("kubernetes.io/tls") && row.split_whitespace().nth(2) == Some("2"),
        "{table}"
    );
    let stored = env
        .sandbox
        .world()
        .kube
        .get("secrets", Some("default"), "site-tls")
        .expect("stored");
    let crt = stored["data"]["tls.crt"].as_str().expect("tls.crt");
    use base64::Engine;
    let pem = base64::engine::general_purpose::STANDARD
        .decode(crt)
        .expect("base64");
    assert_eq!(String::from_utf8(pem).expect("utf8"), ck.cert.pem());
    let dup = env
        .fails(&[
            "create", "secret", "tls", "site-tls", "--cert", &cert, "--key", &key,
        ])
        .await;
    assert!(dup.contains("secrets \"site-tls\" already exists"), "{dup}");
    let snapshot = env.sandbox.world().kube.snapshot().to_string();
    assert!(
        !snapshot.contains(crt),
        "the inventory never shows secret values"
    );
    assert_eq!(
        env.ok(&["delete", "secret", "site-tls"]).await.trim(),
        "secret \"site-tls\" deleted"
    );
    let missing = env.fails(&["get", "secret", "site-tls"]).await;
    assert_eq!(
        missing.trim(),
        "Error from server (NotFound): secrets \"site-tls\" not found"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_applies_inspects_and_edits_ingresses() {
    let env = Env::start().await;
    let a = env.write("web.yaml", &ingress("web", true));
    let b = env.write("web2.yaml", &ingress("web2", false));
    assert_eq!(
        env.ok(&["apply", "-f", &a]).await.trim(),
        "ingress.networking.k8s.io/web created"
    );
    assert_eq!(
        env.ok(&["apply", "-f", &b]).await.trim(),
        "ingress.networking.k8s.io/web2 created"
    );
    assert_eq!(
        env.ok(&["apply", "-f", &a]).await.trim(),
        "ingress.networking.k8s.io/web unchanged"
    );
    let table = env.ok(&["get", "ingress"]).await;
    let header: Vec<&str> = table
        .lines()
        .next()
        .expect("header")
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("web2") && l.contains("gce") && l.contains("80, 443")),
        "{table}"
    );

    let json_out: Value =
        serde_json::from_str(&env.ok(&["get", "ingress", "web", "-o", "json"]).await)
            .expect("json");
    assert_eq!(
        json_out["metadata"]["annotations"]["kubernetes.io/ingress.class"],
        "gce"
    );
    assert_eq!(json_out["metadata"]["generation"], 1);
    assert_eq!(json_out["status"], json!({"loadBalancer": {}}));

    env.ok(&["annotate", "ingress", "web", "rotate-cert/last-rotation=1"])
        .await;
    env.ok(&["label", "ingress", "web", "tier=frontend"]).await;
    env.ok(&[
        "patch",
        "ingress",
        "web",
        "--type=merge",
        "-p",
        r#"{"metadata":{"labels":{"merge":"yes"}}}"#,
    ])
    .await;
    env.ok(&[
        "patch",
        "ingress",
        "web",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/rules/0/host","value":"new.example.com"}]"#,
    ])
    .await;
    env.ok(&[
        "patch",
        "ingress",
        "web",
        "--type=strategic",
        "-p",
        &format!(r#"{{"metadata":{{"finalizers":["{FINALIZER}"]}}}}"#),
    ])
    .await;
    env.ok(&[
        "patch",
        "ingress",
        "web",
        "--type=strategic",
        "-p",
        r#"{"metadata":{"finalizers":["example.com/other"]}}"#,
    ])
    .await;
    let ing = env
        .sandbox
        .world()
        .kube
        .get("ingresses", Some("default"), "web")
        .expect("web");
    assert_eq!(
        ing["metadata"]["annotations"]["rotate-cert/last-rotation"],
        "1"
    );
    assert_eq!(
        ing["metadata"]["labels"],
        json!({"app": "web", "tier": "frontend", "merge": "yes"})
    );
    assert_eq!(ing["spec"]["rules"][0]["host"], "new.example.com");
    assert_eq!(
        ing["metadata"]["generation"], 2,
        "only the spec change bumps generation"
    );
    assert_eq!(
        ing["metadata"]["finalizers"],
        json!([FINALIZER, "example.com/other"]),
        "strategic patches merge finalizers"
    );

    let failed_test = env
        .fails(&[
            "patch",
            "ingress",
            "web",
            "--type=json",
            "-p",
            r#"[{"op":"test","path":"/metadata/labels/app","value":"nope"}]"#,
        ])
        .await;
    assert!(
        failed_test.contains("testing value /metadata/labels/app failed"),
        "{failed_test}"
    );

    let kube = &env.sandbox.world().kube;
    kube.record_event(
        "default",
        &ing,
        "Normal",
        "Sync",
        "Scheduled for sync",
        "loadbalancer-controller",
    );
    kube.record_event(
        "default",
        &ing,
        "Normal",
        "Sync",
        "Scheduled for sync",
        "loadbalancer-controller",
    );
    let described = env.ok(&["describe", "ingress", "web"]).await;
    assert!(described.contains("Name:             web"), "{described}");
    assert!(
        described.contains("site-tls terminates www.example.com"),
        "{described}"
    );
    let event = described
        .lines()
        .find(|l| l.contains("Scheduled for sync"))
        .expect("event line");
    assert!(
        event.contains("Normal")
            && event.contains("Sync")
            && event.contains("loadbalancer-controller"),
        "{event}"
    );
    assert!(event.contains("(x2 over"), "repeats are folded: {event}");

    let missing = env.fails(&["get", "ingress", "x"]).await;
    assert_eq!(
        missing.trim(),
        "Error from server (NotFound): ingresses.networking.k8s.io \"x\" not found"
    );
    let dup = env.fails(&["create", "-f", &a]).await;
    assert!(
        dup.contains("Error from server (AlreadyExists)")
            && dup.contains("ingresses.networking.k8s.io \"web\" already exists"),
        "{dup}"
    );
    let invalid = env.write(
        "bad.yaml",
        &ingress("bad", true).replace("        pathType: Prefix\n", ""),
    );
    let err = env.fails(&["apply", "-f", &invalid]).await;
    assert_eq!(
        err.trim(),
        "The Ingress \"bad\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
    );
    let unknown = env.write(
        "unknown.yaml",
        &ingress("odd", true).replace("spec:\n", "spec:\n  foo: 1\n"),
    );
    let err = env.fails(&["apply", "-f", &unknown]).await;
    assert!(
        err.contains("strict decoding error: unknown field \"spec.foo\""),
        "{err}"
    );
    let both = env.write(
        "both.yaml",
        &ingress("both", true).replace("spec:\n", "spec:\n  ingressClassName: other\n"),
    );
    let err = env.fails(&["apply", "-f", &both]).await;
    assert!(
        err.contains("must match `ingressClassName` when both are specified"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_delete_waits_for_the_controller_finalizer() {
    let env = Env::start().await;
    let world = env.sandbox.world().clone();
    let kube = &world.kube;
    let a = env.write("web.yaml", &ingress("web", true));
    env.ok(&["apply", "-f", &a]).await;
    kube.patch_merge(
        "ingresses",
        Some("default"),
        "web",
        &json!({"metadata": {"finalizers": [FINALIZER]}}),
        true,
    )
    .expect("controller adds its finalizer via /status");

    let out = env.ok(&["delete", "ingress", "web", "--wait=false"]).await;
    assert_eq!(out.trim(), "ingress.networking.k8s.io \"web\" deleted");
    let still = kube
        .get("ingresses", Some("default"), "web")
        .expect("kept by the finalizer");
    assert!(still["metadata"]["deletionTimestamp"].is_string());
    let add = env
        .fails(&[
            "patch",
            "ingress",
            "web",
            "--type=merge",
            "-p",
            r#"{"metadata":{"finalizers":["a.io/b","networking.gke.io/ingress-finalizer-V2"]}}"#,
        ])
        .await;
    assert!(
        add.contains("no new finalizers can be added if the object is being deleted"),
        "{add}"
    );

    // A waiting `kubectl delete` returns once the controller lets go.
    let waiting = {
        let args = ["delete", "ingress", "web", "--timeout=20s"];
        let cmd = tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(env.path("kubeconfig"))
            .arg("--cache-dir")
            .arg(env.path("cache"))
            .args(args)
            .output();
        tokio::spawn(cmd)
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !waiting.is_finished(),
        "kubectl waits while the finalizer remains"
    );
    kube.patch_merge(
        "ingresses",
        Some("default"),
        "web",
        &json!({"metadata": {"finalizers": null}}),
        true,
    )
    .expect("controller removes its finalizer");
    let out = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("kubectl returns")
        .expect("join")
        .expect("kubectl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(kube.get("ingresses", Some("default"), "web").is_none());
    let gone = env.fails(&["get", "ingress", "web"]).await;
    assert!(gone.contains("NotFound"), "{gone}");
}

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
async fn kube_rs_creates_lists_patches_replaces_and_deletes() {
    let env = Env::start().await;
    let client = env.client().await;
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "default");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");

    let secret: Secret =
        serde_json::from_value(json!({"metadata": {"name": "s1", "labels": {"app": "web"}},
        "type": "kubernetes.io/tls", "stringData": {"tls.crt": "CRT", "tls.key": "KEY"}}))
        .expect("secret");
    let created = secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    assert!(
        created.string_data.is_none(),
        "stringData is never returned"
    );
    assert_eq!(created.data.expect("data")["tls.crt"].0, b"CRT");
    let no_key: Secret = serde_json::from_value(json!({"metadata": {"name": "s2"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "Q1JU"}})).expect("secret");
    let (code, reason, message) = api_status(
        secrets
            .create(&PostParams::default(), &no_key)
            .await
            .expect_err("invalid"),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert_eq!(
        message,
        "Secret \"s2\" is invalid: data[tls.key]: Required value"
    );

    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("blue", json!({"color": "blue", "app": "web"})),
        )
        .await
        .expect("blue");
    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("green", json!({"color": "green", "app": "web"})),
        )
        .await
        .expect("green");
    let (code, reason, _) = api_status(
        ingresses
            .create(&PostParams::default(), &typed_ingress("blue", json!({})))
            .await
            .expect_err("dup"),
    );
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    let names = |l: kube::core::ObjectList<Ingress>| {
        l.items
            .into_iter()
            .map(|i| i.metadata.name.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color=green"))
                .await
                .expect("list")
        ),
        ["green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color in (blue,green),app"))
                .await
                .expect("list")
        ),
        ["blue", "green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color!=blue"))
                .await
                .expect("list")
        ),
        ["green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().fields("metadata.name=blue"))
                .await
                .expect("list")
        ),
        ["blue"]
    );

    let patched = ingresses
        .patch(
            "blue",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"rotate-cert/phase": "drain"}}})),
        )
        .await
        .expect("merge patch");
    assert_eq!(
        patched.metadata.annotations.expect("annotations")["rotate-cert/phase"],
        "drain"
    );
    // kube's `Patch::Json` needs its `jsonpatch` feature; send the same request raw.
    let req =
        axum::http::Request::patch("/apis/networking.k8s.io/v1/namespaces/default/ingresses/blue")
            .header("content-type", "application/json-patch+json")
            .body(
                serde_json::to_vec(
                    &json!([{"op": "add", "path": "/metadata/labels/extra", "value": "1"}]),
                )
                .expect("body"),
            )
            .expect("request");
    let patched: Ingress = client.request(req).await.expect("json patch");
    assert_eq!(patched.metadata.labels.expect("labels")["extra"], "1");
    let req =
        axum::http::Request::patch("/apis/networking.k8s.io/v1/namespaces/default/ingresses/blue")
            .header("content-type", "application/json-patch+json")
            .body(
                serde_json::to_vec(
                    &json!([{"op": "test", "path": "/metadata/labels/extra", "value": "2"}]),
                )
                .expect("body"),
            )
            .expect("request");
    let (code, reason, _) = api_status(
        client
            .request::<Ingress>(req)
            .await
            .expect_err("failed test op"),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));

    let stale = ingresses.get("green").await.expect("get");
    ingresses
        .patch(
            "green",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .expect("bump");
    let (code, reason, message) = api_status(
        ingresses
            .replace("green", &PostParams::default(), &stale)
            .await
            .expect_err("stale"),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        message,
        "Operation cannot be fulfilled on ingresses.networking.k8s.io \"green\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let fresh = ingresses.get("green").await.expect("get");
    let replaced = ingresses
        .replace("green", &PostParams::default(), &fresh)
        .await
        .expect("replace with current RV");
    assert_eq!(
        replaced.metadata.resource_version, fresh.metadata.resource_version,
        "a no-op write keeps the version"
    );

    let dry = DeleteParams {
        dry_run: true,
        ..DeleteParams::default()
    };
    ingresses
        .delete("blue", &dry)
        .await
        .expect("dry-run delete");
    assert!(
        ingresses.get_opt("blue").await.expect("get").is_some(),
        "dry run changes nothing"
    );
    let gone = ingresses
        .delete("blue", &DeleteParams::default())
        .await
        .expect("delete");
    assert!(
        gone.is_right(),
        "an Ingress without finalizers is gone at once (Status answer)"
    );
    assert!(ingresses.get_opt("blue").await.expect("get").is_none());
    let (code, reason, message) = api_status(secrets.get("nope").await.expect_err("missing"));
    assert_eq!(
        (code, reason.as_str(), message.as_str()),
        (404, "NotFound", "secrets \"nope\" not found")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_watch_sees_changes_and_resumes() {
    let env = Env::start().await;
    let ingresses: Api<Ingress> = Api::namespaced(env.client().await, "default");
    let start = ingresses
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let wp = WatchParams::default().timeout(10);
    let mut stream = ingresses.watch(&wp, &start).await.expect("watch").boxed();

    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("web", json!({"app": "web"})),
        )
        .await
        .expect("create");
    let mut with_finalizer = ingresses
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": [FINALIZER]}})),
        )
        .await
        .expect("patch");
    let mid = with_finalizer.metadata.resource_version.take().expect("rv");
    ingresses
        .delete("web", &DeleteParams::default())
        .await
        .expect("delete");
    env.sandbox
        .world()
        .kube
        .patch_merge(
            "ingresses",
            Some("default"),
            "web",
            &json!({"metadata": {"finalizers": null}}),
            true,
        )
        .expect("finalizer removed");

    let mut seen = Vec::new();
    while seen.len() < 4 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .expect("event in time")
            .expect("ok")
            .expect("open");
        match ev {
            WatchEvent::Added(i) => seen.push(("ADDED", i.metadata.deletion_timestamp.is_some())),
            WatchEvent::Modified(i) => {
                seen.push(("MODIFIED", i.metadata.deletion_timestamp.is_some()))
            }
            WatchEvent::Deleted(i) => {
                seen.push(("DELETED", i.metadata.deletion_timestamp.is_some()))
            }
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("watch error {e:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("ADDED", false),
            ("MODIFIED", false),
            ("MODIFIED", true),
            ("DELETED", true)
        ]
    );

    let mut resumed = ingresses.watch(&wp, &mid).await.expect("resume").boxed();
    let first = resumed.try_next().await.expect("ok").expect("event");
    assert!(
        matches!(first, WatchEvent::Modified(ref i) if i.metadata.deletion_timestamp.is_some()),
        "{first:?}"
    );
    assert!(matches!(
        resumed.try_next().await.expect("ok").expect("event"),
        WatchEvent::Deleted(_)
    ));

    env.sandbox.world().kube.compact();
    let mut expired = ingresses.watch(&wp, &start).await.expect("watch").boxed();
    match expired.try_next().await.expect("ok").expect("event") {
        WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410 Expired, got {other:?}"),
    }

    let mut bookmarks = ingresses
        .watch(&WatchParams::default().timeout(10).labels("app=web"), "0")
        .await
        .expect("watch")
        .boxed();
    let ev = tokio::time::timeout(Duration::from_secs(5), bookmarks.try_next())
        .await
        .expect("bookmark in time")
        .expect("ok")
        .expect("event");
    assert!(matches!(ev, WatchEvent::Bookmark(_)), "{ev:?}");
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
