//! The installed `kubectl`: discovery and namespaces, TLS Secrets, Ingresses applied,
//! inspected and edited, and a delete that waits for the controller's finalizer.

use std::time::Duration;

use serde_json::{Value, json};

use super::common::*;

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
