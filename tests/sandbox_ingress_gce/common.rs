//! Shared by the `sandbox_ingress_gce` tests: the environment (sandbox, its files,
//! `kubectl`, the Compute API, TLS probes), certificate and Ingress fixtures, keep-alive
//! connections and polling.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::config::RealisticDelays;
use rotate_cert::sandbox::seed::Leaf;
use rotate_cert::sandbox::{Sandbox, SandboxOptions, World};
use serde_json::{Value, json};
use tempfile::TempDir;

pub const ANN: &str = "ingress.kubernetes.io/";
pub const FINALIZER: &str = "networking.gke.io/ingress-finalizer-V2";
pub const COMPUTE: &str = "compute/v1/projects/sandbox-project/global";
pub const DAY: Duration = Duration::from_secs(86400);

pub struct Env {
    pub sandbox: Sandbox,
    dir: TempDir,
    pub http: reqwest::Client,
    pub token: String,
}

impl Env {
    pub async fn start(delays: RealisticDelays) -> Env {
        rotate_cert::install_crypto_provider();
        let sandbox = Sandbox::start(SandboxOptions {
            time_scale: 0.01,
            delays,
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        rotate_cert::sandbox::files::write(dir.path(), &sandbox).expect("sandbox files");
        let token = sandbox.world().tokens.issue();
        Env {
            sandbox,
            dir,
            http: reqwest::Client::new(),
            token,
        }
    }

    pub fn world(&self) -> &Arc<World> {
        self.sandbox.world()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p.display().to_string()
    }

    /// Writes a leaf's certificate and key; returns their paths.
    pub fn write_leaf(&self, stem: &str, leaf: &Leaf) -> (String, String) {
        let crt = self.write(&format!("{stem}.crt"), &leaf.chain_pem);
        let key = self.write(
            &format!("{stem}.key"),
            std::str::from_utf8(leaf.key.expose()).expect("PEM key"),
        );
        (crt, key)
    }

    pub fn leaf(&self, hosts: &[&str]) -> Leaf {
        self.sandbox
            .certs()
            .ca
            .leaf(hosts, Duration::from_secs(3600), 90 * DAY)
            .expect("leaf")
    }

    /// Runs kubectl with the sandbox's kubeconfig; returns (success, stdout, stderr).
    pub async fn kubectl(&self, args: &[&str]) -> (bool, String, String) {
        let out = tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(self.path("kubeconfig"))
            .arg("--cache-dir")
            .arg(self.path("kube-cache"))
            .args(args)
            .output()
            .await
            .expect("kubectl runs (is it installed?)");
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

    /// Replaces a TLS Secret the way the GKE docs show it:
    /// `kubectl create secret tls … --dry-run=client -o yaml | kubectl apply -f -`.
    pub async fn replace_tls_secret(&self, name: &str, leaf: &Leaf, stem: &str) {
        let (crt, key) = self.write_leaf(stem, leaf);
        let kc = format!(
            "--kubeconfig {} --cache-dir {}",
            self.path("kubeconfig").display(),
            self.path("kube-cache").display()
        );
        let script = format!(
            "kubectl {kc} create secret tls {name} --cert {crt} --key {key} --dry-run=client -o yaml | kubectl {kc} apply -f -"
        );
        let out = tokio::process::Command::new("sh")
            .args(["-c", &script])
            .output()
            .await
            .expect("sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            format!("secret/{name} configured")
        );
    }

    pub async fn compute(&self, path: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!(
                "{}{COMPUTE}/{path}",
                self.sandbox.endpoints().base_url()
            ))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("compute answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    pub async fn compute_post(&self, path: &str, body: Value) -> (u16, Value) {
        let url = match path.strip_prefix('/') {
            Some(p) => format!(
                "{}compute/v1/projects/sandbox-project/{p}",
                self.sandbox.endpoints().base_url()
            ),
            None => format!("{}{COMPUTE}/{path}", self.sandbox.endpoints().base_url()),
        };
        let resp = self
            .http
            .post(url)
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .expect("compute answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Waits for a Compute operation to be `DONE` and returns it.
    pub async fn wait_op(&self, op: &Value) -> Value {
        let name = op["name"].as_str().expect("operation name");
        eventually(Duration::from_secs(5), || async {
            let (_, op) = self
                .compute_post(&format!("operations/{name}/wait"), json!(null))
                .await;
            (op["status"] == "DONE").then_some(op)
        })
        .await
    }

    pub fn ingress(&self, name: &str) -> Option<Value> {
        self.world().kube.get("ingresses", Some("default"), name)
    }

    /// How many times the controller recorded `message` about Ingress `name`.
    pub fn event_count(&self, name: &str, message: &str) -> i64 {
        self.world()
            .kube
            .list("events", Some("default"))
            .iter()
            .filter(|e| e["involvedObject"]["name"] == name && e["message"] == message)
            .map(|e| e["count"].as_i64().unwrap_or(1))
            .sum()
    }

    pub fn warnings(&self, name: &str) -> Vec<String> {
        self.world()
            .kube
            .list("events", Some("default"))
            .iter()
            .filter(|e| e["involvedObject"]["name"] == name && e["type"] == "Warning")
            .filter_map(|e| e["message"].as_str().map(String::from))
            .collect()
    }

    /// GET `https://host:port/path` on `ip` over a fresh connection verified against the
    /// sandbox CA only: (status, body, served leaf DER).
    pub async fn probe(&self, host: &str, ip: &str, path: &str) -> Option<(u16, String, Vec<u8>)> {
        let ca = reqwest::Certificate::from_pem(self.sandbox.certs().ca.pem.as_bytes()).ok()?;
        let port = self.sandbox.endpoints().lb_port;
        let client = reqwest::Client::builder()
            .tls_certs_only([ca])
            .resolve(host, format!("{ip}:{port}").parse().ok()?)
            .tls_info(true)
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(3))
            .build()
            .ok()?;
        let resp = client
            .get(format!("https://{host}:{port}{path}"))
            .send()
            .await
            .ok()?;
        let leaf = resp
            .extensions()
            .get::<reqwest::tls::TlsInfo>()?
            .peer_certificate()?
            .to_vec();
        let status = resp.status().as_u16();
        Some((status, resp.text().await.ok()?, leaf))
    }

    /// Waits until `host` on `ip` answers 200 and returns the served leaf.
    pub async fn serving(&self, host: &str, ip: &str) -> Vec<u8> {
        eventually(Duration::from_secs(10), || async {
            match self.probe(host, ip, "/").await {
                Some((200, _, leaf)) => Some(leaf),
                _ => None,
            }
        })
        .await
    }
}

pub fn der(pem: &str) -> Vec<u8> {
    rotate_cert::cert::parse_chain_pem(pem.as_bytes()).expect("PEM chain")[0].to_vec()
}

pub fn x509_sans(der: &[u8]) -> Vec<String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).expect("X.509");
    cert.subject_alternative_name()
        .ok()
        .flatten()
        .map(|s| {
            s.value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some(d.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn fingerprint16(pem: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, pem.as_bytes());
    hex::encode(d.as_ref())[..16].to_string()
}

/// Polls `f` until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn annotation(ing: &Value, key: &str) -> Option<String> {
    ing["metadata"]["annotations"][format!("{ANN}{key}")]
        .as_str()
        .map(String::from)
}

pub fn status_ip(ing: &Value) -> Option<String> {
    ing["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .map(String::from)
}

pub fn ingress_yaml(name: &str, host: &str, secrets: &[&str], extra_annotations: &str) -> String {
    let tls: String = secrets
        .iter()
        .map(|s| format!("  - hosts: [{host}]\n    secretName: {s}\n"))
        .collect();
    format!(
        "apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations:
    kubernetes.io/ingress.class: gce
{extra_annotations}spec:
  tls:
{tls}  rules:
  - host: {host}
    http:
      paths:
      - path: /static/*
        pathType: ImplementationSpecific
        backend:
          service:
            name: static
            port:
              number: 80
      - path: /
        pathType: Prefix
        backend:
          service:
            name: app
            port:
              number: 80
"
    )
}

/// A TLS client connection that stays open (HTTP/1.1 keep-alive) after one request.
pub struct KeepAlive {
    stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
}

impl KeepAlive {
    pub async fn open(env: &Env, host: &str, ip: &str) -> KeepAlive {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut roots = rustls::RootCertStore::empty();
        for c in rotate_cert::cert::parse_chain_pem(env.sandbox.certs().ca.pem.as_bytes())
            .expect("CA PEM")
        {
            roots.add(c).expect("CA");
        }
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect((
            ip.parse::<std::net::IpAddr>().expect("IP"),
            env.sandbox.endpoints().lb_port,
        ))
        .await
        .expect("connect");
        let name = rustls_pki_types::ServerName::try_from(host.to_string()).expect("name");
        let mut stream = connector.connect(name, tcp).await.expect("TLS");
        stream
            .write_all(format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n").as_bytes())
            .await
            .expect("request");
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head and the Content-Length body of one response.
        loop {
            let n = stream.read(&mut buf).await.expect("response");
            assert!(n > 0, "closed before a response");
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if body.len() >= len {
                    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                    assert!(
                        !head.to_ascii_lowercase().contains("connection: close"),
                        "{head}"
                    );
                    break;
                }
            }
        }
        KeepAlive { stream }
    }

    /// Waits (at most `limit`) for the server to end the connection; true when it sent
    /// a TLS close_notify and FIN (a graceful close), false on a reset or abrupt EOF.
    pub async fn closed_gracefully(mut self, limit: Duration) -> bool {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 64];
        match tokio::time::timeout(limit, self.stream.read(&mut buf)).await {
            Ok(Ok(0)) => true,
            Ok(Ok(n)) => panic!("unexpected {n} bytes on an idle connection"),
            Ok(Err(_)) => false,
            Err(_) => panic!("the connection is still open after {limit:?}"),
        }
    }
}
