//! Shared by the `sandbox_kube` tests: the environment (sandbox, kubeconfig, `kubectl`,
//! kube-rs client), Ingress fixtures and Status errors.

use std::path::PathBuf;

use k8s_openapi::api::networking::v1::Ingress;
use kube::config::{KubeConfigOptions, Kubeconfig};
use rotate_cert::sandbox::kube::{TOKEN, kubeconfig_yaml};
use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};
use tempfile::TempDir;

pub const FINALIZER: &str = "networking.gke.io/ingress-finalizer-V2";

pub struct Env {
    pub sandbox: Sandbox,
    dir: TempDir,
}

impl Env {
    pub async fn start() -> Env {
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

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs kubectl; returns (success, stdout, stderr).
    pub async fn kubectl(&self, args: &[&str]) -> (bool, String, String) {
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

    pub async fn ok(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(args).await;
        assert!(ok, "kubectl {args:?} failed: {stderr}");
        stdout
    }

    pub async fn fails(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(args).await;
        assert!(!ok, "kubectl {args:?} should fail, printed {stdout}");
        stderr
    }

    pub async fn client(&self) -> kube::Client {
        let yaml = std::fs::read_to_string(self.path("kubeconfig")).expect("kubeconfig");
        let kc = Kubeconfig::from_yaml(&yaml).expect("parse kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
            .await
            .expect("kube config");
        kube::Client::try_from(config).expect("kube client")
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p.to_string_lossy().into_owned()
    }
}

pub fn ingress(name: &str, class_by_annotation: bool) -> String {
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

pub fn typed_ingress(name: &str, labels: Value) -> Ingress {
    serde_json::from_value(json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "labels": labels},
        "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}
    }))
    .expect("ingress")
}

pub fn api_status(e: kube::Error) -> (u16, String, String) {
    match e {
        kube::Error::Api(s) => (s.code, s.reason.clone(), s.message.clone()),
        other => panic!("expected an API Status error, got {other:?}"),
    }
}
