//! A load of HTTPS clients that behave like real ones: each resolves the hosts through
//! the sandbox's DNS server with its own cache (honouring the records' TTLs), keeps its
//! connection alive between requests, verifies the served chain against the sandbox CA,
//! and records every request's outcome, the IP it reached and the certificate it was
//! served. Used by `rotate-cert sandbox demo`, `rotate-cert sandbox load` and the
//! zero-downtime tests.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::core::lock;

/// What load to generate.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Hosts to request (round-robin).
    pub hosts: Vec<String>,
    /// Paths to request (round-robin, e.g. `/` and `/static/app.css`).
    pub paths: Vec<String>,
    /// Concurrent clients.
    pub clients: usize,
    /// The DNS server to resolve through.
    pub dns: SocketAddr,
    /// The load balancers' HTTPS port.
    pub port: u16,
    /// The CA that signs the served certificates (PEM).
    pub ca_pem: String,
    /// Pause between a client's requests.
    pub pause: Duration,
}

/// One (IP, certificate) pair and how many requests it served.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Served {
    /// The IP the request reached.
    pub ip: String,
    /// SHA-256 of the leaf the client was served.
    pub certificate: String,
}

/// What the load saw.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LoadReport {
    /// Requests answered with 2xx.
    pub ok: u64,
    /// Requests that failed (error or non-2xx).
    pub failed: u64,
    /// Requests per (IP, certificate).
    pub served: BTreeMap<String, u64>,
    /// Requests per `host path` → backend named in the body.
    pub backends: BTreeMap<String, u64>,
    /// The first failures, for diagnosis.
    pub errors: Vec<String>,
    /// Each (IP, certificate) pair seen, in first-seen order.
    pub pairs: Vec<Served>,
}

impl LoadReport {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.ok + self.failed
    }
}

#[derive(Debug, Default)]
struct Shared {
    ok: AtomicU64,
    failed: AtomicU64,
    served: Mutex<BTreeMap<String, u64>>,
    backends: Mutex<BTreeMap<String, u64>>,
    errors: Mutex<Vec<String>>,
    pairs: Mutex<Vec<Served>>,
}

/// A running load.
#[derive(Debug)]
pub struct Load {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Resolves through one DNS server with a TTL-honouring cache (hickory's).
struct SandboxResolver(hickory_resolver::TokioResolver);

impl reqwest::dns::Resolve for SandboxResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.0.clone();
        let host = format!("{}.", name.as_str().trim_end_matches('.'));
        Box::pin(async move {
            let lookup = resolver.ipv4_lookup(host.as_str()).await?;
            let addrs: Vec<SocketAddr> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    hickory_resolver::proto::rr::RData::A(a) => {
                        Some(SocketAddr::new(a.0.into(), 0))
                    }
                    _ => None,
                })
                .collect();
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

fn resolver(dns: SocketAddr) -> Result<hickory_resolver::TokioResolver, String> {
    let mut ns = NameServerConfig::udp_and_tcp(dns.ip());
    for c in &mut ns.connections {
        c.port = dns.port();
    }
    let mut opts = ResolverOpts::default();
    opts.attempts = 3;
    opts.timeout = Duration::from_millis(500);
    hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], vec![ns]),
        TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build()
    .map_err(|e| e.to_string())
}

fn client(cfg: &LoadConfig) -> Result<reqwest::Client, String> {
    let ca = reqwest::Certificate::from_pem(cfg.ca_pem.as_bytes()).map_err(|e| e.to_string())?;
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .tls_info(true)
        .dns_resolver(SandboxResolver(resolver(cfg.dns)?))
        .pool_max_idle_per_host(1)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())
}

impl Load {
    /// Starts the clients.
    pub fn start(cfg: LoadConfig) -> Result<Load, String> {
        let shared = Arc::new(Shared::default());
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        for i in 0..cfg.clients.max(1) {
            let c = client(&cfg)?;
            let cfg = cfg.clone();
            let shared = shared.clone();
            let stop_rx = stop_rx.clone();
            tasks.push(tokio::spawn(run_client(i, c, cfg, shared, stop_rx)));
        }
        Ok(Load {
            shared,
            stop,
            tasks,
        })
    }

    /// What the load saw so far.
    pub fn report(&self) -> LoadReport {
        let s = &self.shared;
        LoadReport {
            ok: s.ok.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
            served: lock(&s.served).clone(),
            backends: lock(&s.backends).clone(),
            errors: lock(&s.errors).clone(),
            pairs: lock(&s.pairs).clone(),
        }
    }

    /// Stops the clients (letting requests in flight finish) and reports.
    pub async fn stop(self) -> LoadReport {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        let s = &self.shared;
        LoadReport {
            ok: s.ok.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
            served: lock(&s.served).clone(),
            backends: lock(&s.backends).clone(),
            errors: lock(&s.errors).clone(),
            pairs: lock(&s.pairs).clone(),
        }
    }
}

async fn run_client(
    i: usize,
    client: reqwest::Client,
    cfg: LoadConfig,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let mut n = i;
    loop {
        if *stop.borrow() {
            return;
        }
        let host = &cfg.hosts[n % cfg.hosts.len().max(1)];
        let path = &cfg.paths[(n / cfg.hosts.len().max(1)) % cfg.paths.len().max(1)];
        n += 1;
        let url = format!("https://{host}:{}{path}", cfg.port);
        match client.get(&url).send().await {
            Ok(resp) => {
                let ip = resp
                    .remote_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default();
                let fp = resp
                    .extensions()
                    .get::<reqwest::tls::TlsInfo>()
                    .and_then(|t| t.peer_certificate())
                    .map(crate::cert::sha256_hex)
                    .unwrap_or_default();
                let status = resp.status();
                let body = resp.text().await.unwrap_or_default();
                if status.is_success() {
                    shared.ok.fetch_add(1, Ordering::Relaxed);
                    let backend = body
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    *lock(&shared.backends)
                        .entry(format!("{host} {path} {backend}"))
                        .or_default() += 1;
                } else {
                    fail(&shared, format!("{url} via {ip}: HTTP {status}"));
                }
                let pair = Served {
                    ip: ip.clone(),
                    certificate: fp.clone(),
                };
                *lock(&shared.served)
                    .entry(format!("{ip} {}", &fp[..fp.len().min(12)]))
                    .or_default() += 1;
                let mut pairs = lock(&shared.pairs);
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
            Err(e) => fail(&shared, format!("{url}: {e:#}")),
        }
        if !cfg.pause.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(cfg.pause) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

fn fail(shared: &Shared, what: String) {
    shared.failed.fetch_add(1, Ordering::Relaxed);
    let mut errors = lock(&shared.errors);
    if errors.len() < 20 {
        errors.push(what);
    }
}
