//! The load balancers' data plane: one real TLS listener per HTTPS forwarding rule, on
//! the rule's own 127.x.y.z address and the sandbox's one load-balancer port.
//!
//! Each handshake picks the certificate the world says is live on the rule's target
//! proxy for the client's SNI name (the first certificate without SNI or without a
//! match), so a `setSslCertificates` is visible on the next handshake. Requests are
//! routed by the URL map (host rules, path matchers, `/*` prefix rules) to simulated
//! backends whose body names the backend and the load balancer, counted into the
//! Monitoring series, and answered 502 until the front end is programmed. Keep-alive
//! connections are closed at a maximum age (`Connection: close` on a response in
//! flight, an idle one simply closed), and when a rule is deleted its listener stops
//! accepting and its connections are shut down gracefully.

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use super::World;
use super::compute::Frontend;
use super::compute::links::{Collection, parse_ref_in};
use super::core::lock;
use super::monitoring::Served;

/// Binds a placeholder socket that reserves the load-balancer port for this sandbox's IP
/// block and returns it with the port.
pub fn reserve_port(ip_block: u8, port: u16) -> std::io::Result<(std::net::TcpListener, u16)> {
    let sock = std::net::TcpListener::bind((IpAddr::from([127, ip_block, 255, 254]), port))?;
    let port = sock.local_addr()?.port();
    Ok((sock, port))
}

/// Keeps one listener per HTTPS forwarding rule in step with the Compute world until
/// `shutdown`. `ready` fires once the listeners of the rules that exist at start are
/// bound.
pub async fn run(
    world: Arc<World>,
    port: u16,
    mut shutdown: watch::Receiver<bool>,
    ready: tokio::sync::oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut changes = world.compute.subscribe();
    let mut running: BTreeMap<(String, String), (watch::Sender<bool>, JoinHandle<()>)> =
        BTreeMap::new();
    loop {
        let desired: BTreeMap<(String, String), ()> = world
            .compute
            .https_rules(&world.core.project)
            .into_iter()
            .map(|k| (k, ()))
            .collect();
        let stale: Vec<(String, String)> = running
            .keys()
            .filter(|k| !desired.contains_key(*k))
            .cloned()
            .collect();
        for key in stale {
            if let Some((stop, _task)) = running.remove(&key) {
                let _ = stop.send(true);
            }
        }
        for key in desired.keys() {
            if running.contains_key(key) {
                continue;
            }
            let (rule, ip) = key.clone();
            let Ok(ip_addr) = ip.parse::<IpAddr>() else {
                continue;
            };
            match TcpListener::bind(SocketAddr::new(ip_addr, port)).await {
                Ok(listener) => {
                    let (stop, stop_rx) = watch::channel(false);
                    let task =
                        tokio::spawn(serve_rule(world.clone(), rule.clone(), listener, stop_rx));
                    running.insert(key.clone(), (stop, task));
                }
                Err(err) => {
                    tracing::warn!(
                        "sandbox: cannot listen on {ip}:{port} for forwarding rule {rule}: {err}"
                    );
                }
            }
        }
        if let Some(r) = ready.take() {
            let _ = r.send(());
        }
        tokio::select! {
            r = changes.changed() => if r.is_err() { break },
            _ = shutdown.changed() => break,
        }
    }
    for (_, (stop, task)) in running {
        let _ = stop.send(true);
        let _ = task.await;
    }
}

/// Caches parsed certified keys per SslCertificate name.
#[derive(Debug, Default)]
struct KeyCache(Mutex<HashMap<String, Arc<CertifiedKey>>>);

impl KeyCache {
    fn get(&self, cert: &super::compute::FrontendCert) -> Option<Arc<CertifiedKey>> {
        if let Some(k) = lock(&self.0).get(&cert.name) {
            return Some(k.clone());
        }
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_slice_iter(cert.chain_pem.as_bytes())
                .filter_map(Result::ok)
                .collect();
        let key = PrivateKeyDer::from_pem_slice(cert.key.expose()).ok()?;
        let signing = rustls::crypto::ring::sign::any_supported_type(&key).ok()?;
        let ck = Arc::new(CertifiedKey::new(chain, signing));
        lock(&self.0).insert(cert.name.clone(), ck.clone());
        Some(ck)
    }
}

/// Picks the certificate for each handshake from the live world.
#[derive(Debug)]
struct Resolver {
    world: Arc<World>,
    rule: String,
    cache: KeyCache,
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let fe = self
            .world
            .compute
            .frontend(&self.world.core.project, &self.rule)?;
        let chosen = hello
            .server_name()
            .and_then(|sni| {
                fe.certs.iter().find(|c| {
                    c.sans
                        .iter()
                        .any(|san| crate::cert::hostname_covered(san, sni))
                })
            })
            .or_else(|| fe.certs.first())?;
        self.cache.get(chosen)
    }
}

async fn serve_rule(
    world: Arc<World>,
    rule: String,
    listener: TcpListener,
    mut stop: watch::Receiver<bool>,
) {
    let resolver = Arc::new(Resolver {
        world: world.clone(),
        rule: rule.clone(),
        cache: KeyCache::default(),
    });
    let mut config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_cert_resolver(resolver);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let mut conns: Vec<JoinHandle<()>> = Vec::new();
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = stop.changed() => break,
        };
        conns.retain(|c| !c.is_finished());
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let world = world.clone();
        let rule = rule.clone();
        let mut conn_stop = stop.clone();
        let conn_max_age = world.core.timing.conn_max_age;
        conns.push(tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let opened = Instant::now();
            let service = hyper::service::service_fn(move |req: Request<Incoming>| {
                let world = world.clone();
                let rule = rule.clone();
                async move { Ok::<_, Infallible>(handle(&world, &rule, req, opened)) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(tls), service);
            tokio::pin!(conn);
            // At its maximum age the connection closes once idle (at once if it is idle
            // now, else after the response in flight), like a front end that forces
            // long-lived clients to reconnect (and so re-resolve DNS).
            let aged = tokio::time::sleep(conn_max_age);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = conn_stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
                _ = aged => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        }));
    }
    drop(listener);
    for c in conns {
        let _ = c.await;
    }
}

/// Answers one request on a front end.
fn handle(
    world: &World,
    rule: &str,
    req: Request<Incoming>,
    opened: Instant,
) -> Response<Full<Bytes>> {
    let t = world.core.timing;
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| {
            h.rsplit_once(':')
                .map_or(h, |(a, _)| a)
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let path = req.uri().path().to_string();
    let fe = world.compute.frontend(&world.core.project, rule);
    let (status, body, backend) = match &fe {
        None => (StatusCode::BAD_GATEWAY, gfe_error(), String::new()),
        Some(fe) if fe.created.elapsed() < t.lb_programming => {
            (StatusCode::BAD_GATEWAY, gfe_error(), String::new())
        }
        Some(fe) => match route(world, fe, &host, &path) {
            Some((bs_name, service)) => {
                let healthy = world
                    .compute
                    .backend_healthy(&bs_name, t.backend_health)
                    .unwrap_or(false);
                if healthy {
                    let body = format!(
                        "backend={service} lb={} host={host} path={path}\n",
                        lb_name(fe)
                    );
                    (StatusCode::OK, body, bs_name)
                } else {
                    (StatusCode::BAD_GATEWAY, gfe_error(), bs_name)
                }
            }
            None => (
                StatusCode::NOT_FOUND,
                "default backend - 404\n".to_string(),
                String::new(),
            ),
        },
    };
    if let Some(fe) = &fe {
        world.metrics.record(
            &Served {
                forwarding_rule: rule,
                url_map: &fe.url_map_name,
                target_proxy: &fe.target_proxy,
                backend: &backend,
                response_code: status.as_u16(),
            },
            t.sampling,
        );
    }
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert("via", hyper::header::HeaderValue::from_static("1.1 google"));
    if opened.elapsed() >= t.conn_max_age {
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    resp
}

fn gfe_error() -> String {
    "Error: Server Error\nThe server encountered a temporary error and could not complete your request.\nPlease try again in 30 seconds.\n".to_string()
}

/// The Ingress a front end belongs to (from the forwarding rule's description, as
/// ingress-gce writes it), or the rule's name.
fn lb_name(fe: &Frontend) -> String {
    fe.url_map["description"]
        .as_str()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| d["kubernetes.io/ingress-name"].as_str().map(String::from))
        .unwrap_or_else(|| fe.rule.clone())
}

/// Routes `host` + `path` through the URL map: the backend service name and the
/// Kubernetes Service it fronts.
fn route(world: &World, fe: &Frontend, host: &str, path: &str) -> Option<(String, String)> {
    let um = &fe.url_map;
    let matcher = um["hostRules"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|hr| {
            hr["hosts"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|h| {
                    h == "*"
                        || h.eq_ignore_ascii_case(host)
                        || crate::cert::hostname_covered(h, host)
                })
        })
        .and_then(|hr| hr["pathMatcher"].as_str())
        .and_then(|name| {
            um["pathMatchers"]
                .as_array()?
                .iter()
                .find(|pm| pm["name"] == name)
        });
    let service_link = match matcher {
        Some(pm) => {
            let mut best: Option<(usize, &str)> = None;
            for pr in pm["pathRules"].as_array().into_iter().flatten() {
                for p in pr["paths"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    let len = match p.strip_suffix("/*") {
                        Some(prefix)
                            if path == prefix || path.starts_with(&format!("{prefix}/")) =>
                        {
                            prefix.len() + 1
                        }
                        Some(_) => continue,
                        None if p == path => p.len() + 1000,
                        None => continue,
                    };
                    if best.is_none_or(|(l, _)| len > l)
                        && let Some(s) = pr["service"].as_str()
                    {
                        best = Some((len, s));
                    }
                }
            }
            best.map(|(_, s)| s)
                .or_else(|| pm["defaultService"].as_str())
        }
        None => um["defaultService"].as_str(),
    }?;
    let bs_name = parse_ref_in(
        &world.core.project,
        service_link,
        Collection::BackendServices,
    )?;
    let bs = fe.backend_services.get(&bs_name)?;
    let service = bs["description"]
        .as_str()
        .and_then(|d| serde_json::from_str::<Value>(d).ok())
        .and_then(|d| {
            d["kubernetes.io/service-name"]
                .as_str()
                .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
        })
        .unwrap_or_else(|| bs_name.clone());
    Some((bs_name, service))
}
