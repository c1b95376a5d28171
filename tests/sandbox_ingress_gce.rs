//! The simulated ingress-gce, driven the way a user drives GKE: `kubectl` against the
//! sandbox's files, the Compute API with a token the sandbox issued, and TLS to the load
//! balancers' own 127.x.y.z addresses.
//!
//! Each test starts its own sandbox (demo world seeded) at a small time scale and writes
//! the files `sandbox up` writes; `kubectl` must be installed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::config::RealisticDelays;
use rotate_cert::sandbox::seed::Leaf;
use rotate_cert::sandbox::{Sandbox, SandboxOptions, World};
use serde_json::{Value, json};
use tempfile::TempDir;

const ANN: &str = "ingress.kubernetes.io/";
const FINALIZER: &str = "networking.gke.io/ingress-finalizer-V2";
const COMPUTE: &str = "compute/v1/projects/sandbox-project/global";
const DAY: Duration = Duration::from_secs(86400);

struct Env {
    sandbox: Sandbox,
    dir: TempDir,
    http: reqwest::Client,
    token: String,
}

impl Env {
    async fn start(delays: RealisticDelays) -> Env {
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

    fn world(&self) -> &Arc<World> {
        self.sandbox.world()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p.display().to_string()
    }

    /// Writes a leaf's certificate and key; returns their paths.
    fn write_leaf(&self, stem: &str, leaf: &Leaf) -> (String, String) {
        let crt = self.write(&format!("{stem}.crt"), &leaf.chain_pem);
        let key = self.write(
            &format!("{stem}.key"),
            std::str::from_utf8(leaf.key.expose()).expect("PEM key"),
        );
        (crt, key)
    }

    fn leaf(&self, hosts: &[&str]) -> Leaf {
        self.sandbox
            .certs()
            .ca
            .leaf(hosts, Duration::from_secs(3600), 90 * DAY)
            .expect("leaf")
    }

    /// Runs kubectl with the sandbox's kubeconfig; returns (success, stdout, stderr).
    async fn kubectl(&self, args: &[&str]) -> (bool, String, String) {
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

    async fn ok(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.kubectl(args).await;
        assert!(ok, "kubectl {args:?} failed: {stderr}");
        stdout
    }

    /// Replaces a TLS Secret the way the GKE docs show it:
    /// `kubectl create secret tls … --dry-run=client -o yaml | kubectl apply -f -`.
    async fn replace_tls_secret(&self, name: &str, leaf: &Leaf, stem: &str) {
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

    async fn compute(&self, path: &str) -> (u16, Value) {
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

    async fn compute_post(&self, path: &str, body: Value) -> (u16, Value) {
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
    async fn wait_op(&self, op: &Value) -> Value {
        let name = op["name"].as_str().expect("operation name");
        eventually(Duration::from_secs(5), || async {
            let (_, op) = self
                .compute_post(&format!("operations/{name}/wait"), json!(null))
                .await;
            (op["status"] == "DONE").then_some(op)
        })
        .await
    }

    fn ingress(&self, name: &str) -> Option<Value> {
        self.world().kube.get("ingresses", Some("default"), name)
    }

    /// How many times the controller recorded `message` about Ingress `name`.
    fn event_count(&self, name: &str, message: &str) -> i64 {
        self.world()
            .kube
            .list("events", Some("default"))
            .iter()
            .filter(|e| e["involvedObject"]["name"] == name && e["message"] == message)
            .map(|e| e["count"].as_i64().unwrap_or(1))
            .sum()
    }

    fn warnings(&self, name: &str) -> Vec<String> {
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
    async fn probe(&self, host: &str, ip: &str, path: &str) -> Option<(u16, String, Vec<u8>)> {
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
    async fn serving(&self, host: &str, ip: &str) -> Vec<u8> {
        eventually(Duration::from_secs(10), || async {
            match self.probe(host, ip, "/").await {
                Some((200, _, leaf)) => Some(leaf),
                _ => None,
            }
        })
        .await
    }
}

fn der(pem: &str) -> Vec<u8> {
    rotate_cert::cert::parse_chain_pem(pem.as_bytes()).expect("PEM chain")[0].to_vec()
}

fn x509_sans(der: &[u8]) -> Vec<String> {
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

fn fingerprint16(pem: &str) -> String {
    let d = ring::digest::digest(&ring::digest::SHA256, pem.as_bytes());
    hex::encode(d.as_ref())[..16].to_string()
}

/// Polls `f` until it returns `Some`, for at most `limit`.
async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> T
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

fn annotation(ing: &Value, key: &str) -> Option<String> {
    ing["metadata"]["annotations"][format!("{ANN}{key}")]
        .as_str()
        .map(String::from)
}

fn status_ip(ing: &Value) -> Option<String> {
    ing["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .map(String::from)
}

fn ingress_yaml(name: &str, host: &str, secrets: &[&str], extra_annotations: &str) -> String {
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
struct KeepAlive {
    stream: tokio_rustls::client::TlsStream<tokio::net::TcpStream>,
}

impl KeepAlive {
    async fn open(env: &Env, host: &str, ip: &str) -> KeepAlive {
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
    async fn closed_gracefully(mut self, limit: Duration) -> bool {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ingress_is_provisioned_rotated_on_resync_or_edit_and_garbage_collected() {
    let resync = Duration::from_secs(3);
    let env = Env::start(RealisticDelays {
        provision: 100.0,
        resync: resync.as_secs_f64() / 0.01,
        // Connections must outlive the test so the delete is what closes them.
        conn_max_age: 100_000.0,
        ..Default::default()
    })
    .await;
    let host = "shop.example.test";
    let demo_ip = rotate_cert::sandbox::seed::ingress_ip(env.world(), "default", "web").unwrap();

    // A Secret signed by the sandbox CA, then the Ingress, both with kubectl.
    let first = env.leaf(&[host]);
    let (crt, key) = env.write_leaf("first", &first);
    assert_eq!(
        env.ok(&[
            "create", "secret", "tls", "shop-tls", "--cert", &crt, "--key", &key
        ])
        .await
        .trim(),
        "secret/shop-tls created"
    );
    let manifest = env.write("shop.yaml", &ingress_yaml("shop", host, &["shop-tls"], ""));
    assert_eq!(
        env.ok(&["apply", "-f", &manifest]).await.trim(),
        "ingress.networking.k8s.io/shop created"
    );
    let fresh = env.ingress("shop").expect("created");
    assert!(
        annotation(&fresh, "url-map").is_none() && status_ip(&fresh).is_none(),
        "nothing before the provisioning delay: {fresh}"
    );

    // After the delay: its own IP, the v2 names, the finalizer.
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("shop")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some() && status_ip(i).is_some())
    })
    .await;
    let ip = status_ip(&ing).unwrap();
    assert_ne!(ip, demo_ip, "a load balancer of its own");
    assert!(ip.starts_with("127."), "{ip}");
    let names: Vec<String> = [
        "forwarding-rule",
        "target-proxy",
        "https-forwarding-rule",
        "https-target-proxy",
        "url-map",
        "static-ip",
        "ssl-cert",
    ]
    .iter()
    .map(|k| annotation(&ing, k).unwrap_or_else(|| panic!("annotation {k}: {ing}")))
    .collect();
    let [fr, tp, fs, ts, um, static_ip, cert] = names.try_into().unwrap();
    for (name, prefix) in [
        (&fr, "k8s2-fr-"),
        (&tp, "k8s2-tp-"),
        (&fs, "k8s2-fs-"),
        (&ts, "k8s2-ts-"),
        (&um, "k8s2-um-"),
        (&cert, "k8s2-cr-"),
    ] {
        assert!(name.starts_with(prefix), "{name}");
    }
    assert!(fs.ends_with(&fr["k8s2-fr-".len()..]) && fs.contains("-default-shop-"));
    assert_eq!(
        static_ip, fr,
        "the ephemeral IP is promoted under the HTTP rule's name"
    );
    assert!(
        cert.ends_with(&format!("-{}", fingerprint16(&first.chain_pem))),
        "certificate named by the content hash of tls.crt: {cert}"
    );
    assert_eq!(ing["metadata"]["finalizers"], json!([FINALIZER]));
    let backends: Value = serde_json::from_str(&annotation(&ing, "backends").unwrap()).unwrap();
    assert_eq!(backends.as_object().unwrap().len(), 3, "{backends}");

    // The Compute world agrees.
    let (status, rule) = env.compute(&format!("forwardingRules/{fs}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (rule["IPAddress"].as_str(), rule["portRange"].as_str()),
        (Some(ip.as_str()), Some("443-443"))
    );
    let (_, address) = env.compute(&format!("addresses/{static_ip}")).await;
    assert_eq!(address["status"], "IN_USE");
    assert_eq!(
        address["users"].as_array().map(Vec::len),
        Some(2),
        "{address}"
    );
    let (_, sc) = env.compute(&format!("sslCertificates/{cert}")).await;
    assert_eq!(sc["subjectAlternativeNames"], json!([host]));

    // It serves that Secret's certificate over TLS and routes by the URL map.
    assert_eq!(env.serving(host, &ip).await, der(&first.chain_pem));
    let (_, body, _) = env.probe(host, &ip, "/").await.unwrap();
    assert!(body.starts_with("backend=app lb=default/shop"), "{body}");
    let (_, body, _) = env.probe(host, &ip, "/static/x").await.unwrap();
    assert!(body.starts_with("backend=static lb=default/shop"), "{body}");

    let described = env.ok(&["describe", "ingress", "shop"]).await;
    for line in [
        "Scheduled for sync".to_string(),
        format!("IP is now {ip}"),
        format!("ForwardingRule \"{fs}\" created"),
    ] {
        let l = described
            .lines()
            .find(|l| l.contains(&line))
            .unwrap_or_else(|| panic!("{line:?} in {described}"));
        assert!(
            l.contains("Normal") && l.contains("loadbalancer-controller"),
            "{l}"
        );
    }

    // Steady: every backend healthy, so only resyncs and edits trigger syncs now.
    eventually(Duration::from_secs(10), || async {
        let i = env.ingress("shop")?;
        let b = annotation(&i, "backends")?;
        (!b.contains("UNHEALTHY")).then_some(())
    })
    .await;

    // A changed Secret is not watched: it is served only after the next resync.
    let scheduled = env.event_count("shop", "Scheduled for sync");
    eventually(resync + Duration::from_secs(3), || async {
        (env.event_count("shop", "Scheduled for sync") > scheduled).then_some(())
    })
    .await;
    let tick = Instant::now();
    let second = env.leaf(&[host]);
    env.replace_tls_secret("shop-tls", &second, "second").await;
    while tick.elapsed() < resync / 2 {
        let (_, _, leaf) = env.probe(host, &ip, "/").await.expect("serving");
        assert_eq!(leaf, der(&first.chain_pem), "changed before the resync");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eventually(resync + Duration::from_secs(3), || async {
        let (_, _, leaf) = env.probe(host, &ip, "/").await?;
        (leaf == der(&second.chain_pem)).then_some(())
    })
    .await;
    // The annotations follow once the old certificate is deleted (deferred, as upstream).
    let swapped = eventually(Duration::from_secs(3), || async {
        env.ingress("shop").filter(|i| {
            annotation(i, "ssl-cert")
                .is_some_and(|c| c.ends_with(&fingerprint16(&second.chain_pem)))
        })
    })
    .await;
    assert_eq!(status_ip(&swapped).as_deref(), Some(ip.as_str()), "same IP");
    eventually(Duration::from_secs(3), || async {
        (env.compute(&format!("sslCertificates/{cert}")).await.0 == 404).then_some(())
    })
    .await;
    assert!(env.event_count("shop", &format!("TargetProxy \"{ts}\" certs updated")) >= 1);

    // An edit of the Ingress is picked up at once, long before the next resync.
    let edit = Instant::now();
    let third = env.leaf(&[host]);
    env.replace_tls_secret("shop-tls", &third, "third").await;
    env.ok(&[
        "annotate",
        "ingress",
        "shop",
        "rotate-cert/bump=1",
        "--overwrite",
    ])
    .await;
    eventually(resync / 2, || async {
        let (_, _, leaf) = env.probe(host, &ip, "/").await?;
        (leaf == der(&third.chain_pem)).then_some(())
    })
    .await;
    assert!(
        edit.elapsed() < resync,
        "picked up by the edit, not a resync"
    );

    // Delete: Terminating while the controller garbage-collects, in the real order.
    let open = KeepAlive::open(&env, host, &ip).await;
    let ops_before = env.compute("operations").await.1["items"]
        .as_array()
        .map_or(0, Vec::len);
    let deleting = {
        let args = ["delete", "ingress", "shop", "--timeout=20s"];
        let cmd = tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(env.path("kubeconfig"))
            .arg("--cache-dir")
            .arg(env.path("kube-cache"))
            .args(args)
            .output();
        tokio::spawn(cmd)
    };
    let mut terminating_with_resources = false;
    while !deleting.is_finished() {
        if let Some(i) = env.ingress("shop")
            && i["metadata"]["deletionTimestamp"].is_string()
            && env
                .world()
                .compute
                .get(
                    rotate_cert::sandbox::compute::links::Collection::UrlMaps,
                    &um,
                )
                .is_some()
        {
            assert_eq!(i["metadata"]["finalizers"], json!([FINALIZER]));
            terminating_with_resources = true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let out = deleting.await.unwrap().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ingress.networking.k8s.io \"shop\" deleted"
    );
    assert!(
        terminating_with_resources,
        "the Ingress stays (Terminating) until its resources are gone"
    );
    assert!(env.ingress("shop").is_none());
    let third_cert = format!(
        "{}{}",
        &cert[..cert.len() - 16],
        fingerprint16(&third.chain_pem)
    );
    for path in [
        format!("forwardingRules/{fr}"),
        format!("forwardingRules/{fs}"),
        format!("targetHttpProxies/{tp}"),
        format!("targetHttpsProxies/{ts}"),
        format!("urlMaps/{um}"),
        format!("sslCertificates/{third_cert}"),
        format!("addresses/{static_ip}"),
    ] {
        let (status, body) = env.compute(&path).await;
        assert_eq!(status, 404, "{path} is gone: {body}");
        assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
    }
    let ops = env.compute("operations").await.1["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let deleted: Vec<String> = ops[ops_before..]
        .iter()
        .filter(|o| o["operationType"] == "delete")
        .filter_map(|o| o["targetLink"].as_str())
        .map(|l| {
            l.rsplit('/')
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    assert_eq!(
        deleted,
        [
            format!("forwardingRules/{fr}"),
            format!("targetHttpProxies/{tp}"),
            format!("addresses/{static_ip}"),
            format!("forwardingRules/{fs}"),
            format!("targetHttpsProxies/{ts}"),
            format!("sslCertificates/{third_cert}"),
            format!("urlMaps/{um}"),
        ],
        "ingress-gce's garbage-collection order (backend services stay: `web` uses them)"
    );
    assert!(
        open.closed_gracefully(Duration::from_secs(3)).await,
        "open keep-alive connections are closed gracefully"
    );
    let port = env.sandbox.endpoints().lb_port;
    let refused = eventually(Duration::from_secs(3), || async {
        match tokio::net::TcpStream::connect((ip.parse::<std::net::IpAddr>().unwrap(), port)).await
        {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Some(e),
            _ => None,
        }
    })
    .await;
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let (status, _, _) = env.probe("www.example.test", &demo_ip, "/").await.unwrap();
    assert_eq!(status, 200, "the demo load balancer is untouched");

    // The inventory names everything but never shows key material.
    let inventory = env
        .http
        .get(format!(
            "{}sandbox/v1/inventory",
            env.sandbox.endpoints().base_url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inventory.contains("web-tls") && inventory.contains("k8s2-cr-"));
    use base64::Engine;
    for leaf in [&first, &second, &third, &env.sandbox.certs().live] {
        let pem = std::str::from_utf8(leaf.key.expose()).unwrap();
        let body_line = pem.lines().nth(1).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(leaf.key.expose());
        assert!(
            !inventory.contains(body_line) && !inventory.contains(&b64[..40]),
            "key material in the inventory"
        );
    }
    assert!(
        !inventory.contains("PRIVATE KEY"),
        "key material in the inventory"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_static_ip_serves_one_ingress_and_a_proxy_takes_at_most_15_certificates() {
    let env = Env::start(RealisticDelays::default()).await;
    let host = "www.example.test";

    // A user-reserved address is RESERVED with no users.
    let (status, op) = env
        .compute_post("addresses", json!({"name": "shared-ip"}))
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let (_, reserved) = env.compute("addresses/shared-ip").await;
    assert_eq!(reserved["status"], "RESERVED");
    assert!(reserved.get("users").is_none(), "{reserved}");
    let shared = reserved["address"].as_str().unwrap().to_string();

    let static_ip = "    kubernetes.io/ingress.global-static-ip-name: shared-ip\n";
    let first = env.write(
        "first.yaml",
        &ingress_yaml("first", host, &["web-tls"], static_ip),
    );
    env.ok(&["apply", "-f", &first]).await;
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("first")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some())
    })
    .await;
    assert_eq!(status_ip(&ing).as_deref(), Some(shared.as_str()));
    assert!(
        annotation(&ing, "static-ip").is_none(),
        "the user owns the address; nothing is promoted"
    );
    let fr = annotation(&ing, "forwarding-rule").unwrap();
    let fs = annotation(&ing, "https-forwarding-rule").unwrap();
    let (_, in_use) = env.compute("addresses/shared-ip").await;
    assert_eq!(in_use["status"], "IN_USE");
    let mut users: Vec<String> = in_use["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    users.sort();
    assert_eq!(users, [fr.clone(), fs.clone()]);

    // The second Ingress naming the same address cannot have its rules.
    let second = env.write(
        "second.yaml",
        &ingress_yaml("second", host, &["web-tls"], static_ip),
    );
    env.ok(&["apply", "-f", &second]).await;
    let warning = eventually(Duration::from_secs(10), || async {
        env.warnings("second")
            .into_iter()
            .find(|w| w.contains("Specified IP address is in-use"))
    })
    .await;
    assert!(
        warning.starts_with("Error syncing to GCP: googleapi: Error 400:"),
        "{warning}"
    );
    let described = env.ok(&["describe", "ingress", "second"]).await;
    assert!(
        described
            .lines()
            .any(|l| l.contains("Warning") && l.contains("Sync") && l.contains("in-use")),
        "{described}"
    );
    let blocked = env.ingress("second").unwrap();
    assert!(
        annotation(&blocked, "https-forwarding-rule").is_none(),
        "{blocked}"
    );
    assert!(status_ip(&blocked).is_none());
    assert!(
        env.world()
            .compute
            .https_rules("sandbox-project")
            .keys()
            .all(|r| !r.contains("-default-second-")),
        "no HTTPS forwarding rule for the second Ingress"
    );
    assert_eq!(
        env.serving(host, &shared).await,
        der(&env.sandbox.certs().live.chain_pem)
    );

    // 16 TLS Secrets: ingress-gce uploads them, then the proxy refuses the 16th.
    let mut secrets = Vec::new();
    for i in 0..16 {
        let leaf = env.leaf(&[&format!("h{i}.example.test")]);
        let name = format!("many-{i}");
        env.world()
            .kube
            .create(
                "secrets",
                Some("default"),
                rotate_cert::sandbox::seed::tls_secret("default", &name, &leaf),
            )
            .unwrap();
        secrets.push(name);
    }
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let many = env.write(
        "many.yaml",
        &ingress_yaml("many", "h0.example.test", &refs, ""),
    );
    env.ok(&["apply", "-f", &many]).await;
    let warning = eventually(Duration::from_secs(10), || async {
        env.warnings("many")
            .into_iter()
            .find(|w| w.contains("Too many SslCertificates"))
    })
    .await;
    assert!(warning.contains("Error 400"), "{warning}");
    assert!(annotation(&env.ingress("many").unwrap(), "https-target-proxy").is_none());
    // The same rule through the API, on a proxy of our own in front of the demo's URL
    // map: 16 certificates are refused on insert and on setSslCertificates, 15 taken.
    let many_certs: Vec<String> = env
        .world()
        .compute
        .list(rotate_cert::sandbox::compute::links::Collection::SslCertificates)
        .iter()
        .filter(|c| {
            c["description"]
                .as_str()
                .unwrap_or_default()
                .contains("default/many")
        })
        .filter_map(|c| c["selfLink"].as_str().map(String::from))
        .collect();
    assert_eq!(many_certs.len(), 16, "ingress-gce uploaded every Secret");
    let web = env.ingress("web").unwrap();
    let web_um = format!("global/urlMaps/{}", annotation(&web, "url-map").unwrap());
    let (status, body) = env
        .compute_post(
            "targetHttpsProxies",
            json!({"name": "api-proxy", "urlMap": web_um, "sslCertificates": many_certs}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["errors"][0]["reason"], "invalid");
    let (status, op) = env
        .compute_post(
            "targetHttpsProxies",
            json!({"name": "api-proxy", "urlMap": web_um, "sslCertificates": many_certs[..15]}),
        )
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let (status, body) = env
        .compute_post(
            "/targetHttpsProxies/api-proxy/setSslCertificates",
            json!({"sslCertificates": many_certs}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, op) = env
        .compute_post(
            "forwardingRules",
            json!({"name": "api-fs", "target": "global/targetHttpsProxies/api-proxy", "portRange": "443"}),
        )
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let api_ip = env.compute("forwardingRules/api-fs").await.1["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    // Each SNI name gets its certificate; a client without SNI gets the first one.
    let on_proxy: Vec<Value> =
        env.compute("targetHttpsProxies/api-proxy").await.1["sslCertificates"]
            .as_array()
            .unwrap()
            .clone();
    let sans_of = |link: &Value| -> Vec<String> {
        let name = link.as_str().unwrap().rsplit('/').next().unwrap();
        env.world()
            .compute
            .get(
                rotate_cert::sandbox::compute::links::Collection::SslCertificates,
                name,
            )
            .unwrap()["subjectAlternativeNames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let seventh = sans_of(&on_proxy[7]);
    let leaf = eventually(Duration::from_secs(5), || async {
        match env.probe(&seventh[0], &api_ip, "/").await {
            Some((200, _, leaf)) => Some(leaf),
            _ => None,
        }
    })
    .await;
    assert_eq!(x509_sans(&leaf), seventh);
    let out = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("{api_ip}:{}", env.sandbox.endpoints().lb_port),
            "-noservername",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("openssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let default_cn = &sans_of(&on_proxy[0])[0];
    assert!(
        text.contains(&format!("subject=CN = {default_cn}")),
        "{default_cn} expected: {text}"
    );

    // Deleting a certificate a proxy uses is refused.
    let in_use_cert = on_proxy[3].as_str().unwrap().rsplit('/').next().unwrap();
    let resp = env
        .http
        .delete(format!(
            "{}{COMPUTE}/sslCertificates/{in_use_cert}",
            env.sandbox.endpoints().base_url()
        ))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "resourceInUseByAnotherResource"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("is already being used by 'projects/sandbox-project/global/targetHttpsProxies/api-proxy'"),
        "{body}"
    );
    for path in ["forwardingRules/api-fs", "targetHttpsProxies/api-proxy"] {
        let resp = env
            .http
            .delete(format!(
                "{}{COMPUTE}/{path}",
                env.sandbox.endpoints().base_url()
            ))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        env.wait_op(&resp.json().await.unwrap()).await;
    }

    // Once the first lets go of the address, the controller's retries give it to the
    // second; with both gone it is RESERVED again, and never deleted (the user owns it).
    env.ok(&["delete", "ingress", "first"]).await;
    let taken = eventually(Duration::from_secs(10), || async {
        env.ingress("second")
            .filter(|i| status_ip(i).as_deref() == Some(shared.as_str()))
    })
    .await;
    assert!(annotation(&taken, "https-forwarding-rule").is_some());
    env.ok(&["delete", "ingress", "second", "many"]).await;
    let (_, released) = env.compute("addresses/shared-ip").await;
    assert_eq!(released["status"], "RESERVED", "{released}");
    assert!(released.get("users").is_none(), "{released}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_class_gce_is_provisioned_a_new_static_ip_moves_the_rules_and_a_class_change_cleans_up()
 {
    let env = Env::start(RealisticDelays::default()).await;
    // `spec.ingressClassName: gce` without the annotation: ingress-gce ignores it.
    let by_field = ingress_yaml("by-field", "www.example.test", &["web-tls"], "")
        .replace("  annotations:\n    kubernetes.io/ingress.class: gce\n", "");
    let by_field = by_field.replace("spec:\n", "spec:\n  ingressClassName: gce\n");
    let moved = ingress_yaml("moved", "www.example.test", &["web-tls"], "");
    let by_field = env.write("by-field.yaml", &by_field);
    let moved = env.write("moved.yaml", &moved);
    env.ok(&["apply", "-f", &by_field, "-f", &moved]).await;
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("moved")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some())
    })
    .await;
    // Both were seen at once; give the other one as long again.
    tokio::time::sleep(env.world().core.timing.provision).await;
    let ignored = env.ingress("by-field").unwrap();
    assert!(annotation(&ignored, "url-map").is_none(), "{ignored}");
    assert_eq!(ignored["metadata"]["finalizers"], Value::Null, "{ignored}");
    assert!(env.event_count("by-field", "Scheduled for sync") == 0);
    assert!(
        env.world()
            .compute
            .list(rotate_cert::sandbox::compute::links::Collection::UrlMaps)
            .iter()
            .all(|u| !u["name"].as_str().unwrap().contains("-default-by-field-")),
        "no load balancer for an Ingress of another class"
    );

    // Naming a static IP for a running Ingress recreates its forwarding rules on it.
    let old_ip = status_ip(&ing).unwrap();
    let (status, op) = env
        .compute_post("addresses", json!({"name": "moved-ip"}))
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let new_ip = env.compute("addresses/moved-ip").await.1["address"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&[
        "annotate",
        "ingress",
        "moved",
        "kubernetes.io/ingress.global-static-ip-name=moved-ip",
    ])
    .await;
    eventually(Duration::from_secs(10), || async {
        (status_ip(&env.ingress("moved")?).as_deref() == Some(new_ip.as_str())).then_some(())
    })
    .await;
    for key in ["forwarding-rule", "https-forwarding-rule"] {
        let rule = annotation(&ing, key).unwrap();
        let (_, fr) = env.compute(&format!("forwardingRules/{rule}")).await;
        assert_eq!(fr["IPAddress"], new_ip.as_str(), "{fr}");
    }
    assert_eq!(env.event_count("moved", &format!("IP is now {new_ip}")), 1);
    assert_eq!(
        env.serving("www.example.test", &new_ip).await,
        der(&env.sandbox.certs().live.chain_pem)
    );
    let port = env.sandbox.endpoints().lb_port;
    let old = old_ip.parse::<std::net::IpAddr>().unwrap();
    eventually(Duration::from_secs(3), || async {
        tokio::net::TcpStream::connect((old, port))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // Moving an Ingress to another class garbage-collects its load balancer and
    // releases the finalizer, as upstream's NeedsCleanup does.
    let um = annotation(&ing, "url-map").unwrap();
    env.ok(&[
        "annotate",
        "ingress",
        "moved",
        "kubernetes.io/ingress.class=nginx",
        "--overwrite",
    ])
    .await;
    eventually(Duration::from_secs(10), || async {
        let i = env.ingress("moved")?;
        i["metadata"]["finalizers"].is_null().then_some(())
    })
    .await;
    let (status, _) = env.compute(&format!("urlMaps/{um}")).await;
    assert_eq!(status, 404);
    assert!(
        env.world()
            .compute
            .https_rules("sandbox-project")
            .keys()
            .all(|r| !r.contains("-default-moved-")),
    );
}
