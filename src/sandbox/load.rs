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
use std::time::{Duration, SystemTime};

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
    /// Responses that carried `Connection: close` (the front end ending a keep-alive
    /// connection at its maximum age, or on shutdown): the client reconnects, and so
    /// resolves the host again.
    pub closed_by_server: u64,
    /// Requests sent again once because the front end closed their kept-alive
    /// connection before any byte of the answer arrived (each is in `ok` or `failed`
    /// once, by the outcome of the second try).
    pub retried: u64,
    /// What each client saw of each host, in order.
    pub traces: Vec<Trace>,
}

/// What one client saw of one host, in order: consecutive answered requests from the
/// same (IP, certificate) form one segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// The client's number.
    pub client: usize,
    /// The host it requested.
    pub host: String,
    /// The segments, oldest first.
    pub segments: Vec<Segment>,
}

/// A run of consecutive answered requests of one client from the same (IP, certificate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Where they were served.
    #[serde(flatten)]
    pub served: Served,
    /// How many requests.
    pub requests: u64,
    /// How many of them were answered with `Connection: close`.
    pub closes: u64,
    /// How many of them came on a connection the client had just opened (after
    /// resolving the host again through its cache).
    pub connections: u64,
    /// When the first of them was answered.
    #[serde(serialize_with = "ser_time")]
    pub first: SystemTime,
    /// When the last of them was answered.
    #[serde(serialize_with = "ser_time")]
    pub last: SystemTime,
}

fn ser_time<S: serde::Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&crate::util::time::rfc3339_millis(*t))
}

impl LoadReport {
    /// All requests.
    pub fn total(&self) -> u64 {
        self.ok + self.failed
    }

    /// Every segment of every client and host.
    pub fn segments(&self) -> impl Iterator<Item = &Segment> {
        self.traces.iter().flat_map(|t| &t.segments)
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
    closed_by_server: AtomicU64,
    retried: AtomicU64,
    traces: Mutex<BTreeMap<(usize, String), Vec<Segment>>>,
    /// Resolutions per (client, host), and how many each trace has accounted for.
    resolutions: Mutex<BTreeMap<(usize, String), u64>>,
    accounted: Mutex<BTreeMap<(usize, String), u64>>,
}

impl Shared {
    fn report(&self) -> LoadReport {
        LoadReport {
            ok: self.ok.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            served: lock(&self.served).clone(),
            backends: lock(&self.backends).clone(),
            errors: lock(&self.errors).clone(),
            pairs: lock(&self.pairs).clone(),
            closed_by_server: self.closed_by_server.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            traces: lock(&self.traces)
                .iter()
                .map(|((client, host), segments)| Trace {
                    client: *client,
                    host: host.clone(),
                    segments: segments.clone(),
                })
                .collect(),
        }
    }

    /// Adds one answered request of client `i` for `host` to its trace.
    fn trace(&self, i: usize, host: &str, served: &Served, closing: bool, at: SystemTime) {
        let key = (i, host.to_string());
        // A resolution since the previous answer means this one came on a new
        // connection (a client resolves only to connect).
        let resolved = lock(&self.resolutions).get(&key).copied().unwrap_or(0);
        let new_connection = {
            let mut accounted = lock(&self.accounted);
            let seen = accounted.entry(key.clone()).or_default();
            let new = resolved > *seen;
            *seen = resolved;
            new
        };
        let mut traces = lock(&self.traces);
        let segments = traces.entry(key).or_default();
        match segments.last_mut() {
            Some(seg) if seg.served == *served => {
                seg.requests += 1;
                seg.closes += u64::from(closing);
                seg.connections += u64::from(new_connection);
                seg.last = at;
            }
            _ => segments.push(Segment {
                served: served.clone(),
                requests: 1,
                closes: u64::from(closing),
                connections: u64::from(new_connection),
                first: at,
                last: at,
            }),
        }
    }
}

/// A running load.
#[derive(Debug)]
pub struct Load {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Resolves through one DNS server with a TTL-honouring cache (hickory's), counting
/// each resolution: the client resolves once per new connection.
struct SandboxResolver {
    resolver: hickory_resolver::TokioResolver,
    client: usize,
    shared: Arc<Shared>,
}

impl reqwest::dns::Resolve for SandboxResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let resolver = self.resolver.clone();
        let bare = name.as_str().trim_end_matches('.').to_string();
        *lock(&self.shared.resolutions)
            .entry((self.client, bare.clone()))
            .or_default() += 1;
        let host = format!("{bare}.");
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

fn client(cfg: &LoadConfig, i: usize, shared: &Arc<Shared>) -> Result<reqwest::Client, String> {
    let ca = reqwest::Certificate::from_pem(cfg.ca_pem.as_bytes()).map_err(|e| e.to_string())?;
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .tls_info(true)
        .dns_resolver(SandboxResolver {
            resolver: resolver(cfg.dns)?,
            client: i,
            shared: shared.clone(),
        })
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
            let c = client(&cfg, i, &shared)?;
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
        self.shared.report()
    }

    /// Requests so far (answered or failed), without copying the report.
    pub fn total(&self) -> u64 {
        self.shared.ok.load(Ordering::Relaxed) + self.shared.failed.load(Ordering::Relaxed)
    }

    /// Stops the clients (letting requests in flight finish) and reports.
    pub async fn stop(self) -> LoadReport {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
        self.shared.report()
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
        one_request(i, &client, &cfg, &shared, host, path).await;
        if !cfg.pause.is_zero() {
            tokio::select! {
                _ = tokio::time::sleep(cfg.pause) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

/// One request of client `i`, recorded.
async fn one_request(
    i: usize,
    client: &reqwest::Client,
    cfg: &LoadConfig,
    shared: &Shared,
    host: &str,
    path: &str,
) {
    let url = format!("https://{host}:{}{path}", cfg.port);
    let mut resp = client.get(&url).send().await;
    if let Err(e) = &resp
        && closed_before_answer(e)
    {
        // The front end closed the kept-alive connection (its maximum age) just as the
        // request went out on it: nothing of the answer arrived, so the GET is sent
        // again, once, on a new connection, as browsers, curl and Go's net/http do
        // (RFC 9112 §9.3.1). Counted; a retry that fails is a failure.
        shared.retried.fetch_add(1, Ordering::Relaxed);
        resp = client.get(&url).send().await;
    }
    let resp = match resp {
        Ok(resp) => resp,
        Err(e) => return fail(shared, format!("{url}: {}", chain(&e))),
    };
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
    let closing = resp
        .headers()
        .get(reqwest::header::CONNECTION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("close"));
    if closing {
        shared.closed_by_server.fetch_add(1, Ordering::Relaxed);
    }
    // A body cut short is a failed request, whatever the status said.
    let body = match resp.text().await {
        Ok(body) => body,
        Err(e) => return fail(shared, format!("{url} via {ip}: {}", chain(&e))),
    };
    if status.is_success() {
        shared.ok.fetch_add(1, Ordering::Relaxed);
        let backend = body.split_whitespace().next().unwrap_or_default();
        *lock(&shared.backends)
            .entry(format!("{host} {path} {backend}"))
            .or_default() += 1;
    } else {
        fail(shared, format!("{url} via {ip}: HTTP {status}"));
    }
    let pair = Served {
        ip: ip.clone(),
        certificate: fp.clone(),
    };
    *lock(&shared.served)
        .entry(format!("{ip} {}", &fp[..fp.len().min(12)]))
        .or_default() += 1;
    shared.trace(i, host, &pair, closing, SystemTime::now());
    let mut pairs = lock(&shared.pairs);
    if !pairs.contains(&pair) {
        pairs.push(pair);
    }
}

/// Whether a request failed because its connection closed before any byte of the answer
/// arrived (hyper's "connection closed before message completed").
fn closed_before_answer(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        if s.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// An error and its sources on one line (reqwest's own message names only the URL).
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn fail(shared: &Shared, what: String) {
    shared.failed.fetch_add(1, Ordering::Relaxed);
    let mut errors = lock(&shared.errors);
    if errors.len() < 20 {
        errors.push(what);
    }
}
