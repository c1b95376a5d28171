//! The sandbox: a simulated GKE + Google Cloud that speaks the real protocols on
//! loopback, for tests, the demo and users rehearsing a rotation.
//!
//! One in-memory [`World`] is served by one HTTP port (Compute v1, Cloud DNS v1,
//! Monitoring v3, an OAuth token endpoint, the Kubernetes API subset kubectl and kube-rs
//! need, and the sandbox's own control API under `/sandbox/v1`), a real DNS server (UDP
//! and TCP) answering from the Cloud DNS zones, and real TLS listeners on distinct
//! 127.x.y.z addresses for every load balancer. A simulated ingress-gce controller turns
//! Ingresses into load balancers. Every delay scales by one factor ([`config::Timing`]).
//!
//! The sandbox depends on nothing above the adapters' data types (`cert`, `util`), and
//! the product reaches it only through the `sandbox` subcommand.

pub mod clouddns;
pub mod config;
pub mod core;
pub mod google;
pub mod http;
pub mod kube;
pub mod token;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use self::config::{RealisticDelays, Timing};
use self::core::Core;

/// The project the sandbox simulates.
pub const PROJECT: &str = "sandbox-project";

/// Everything the sandbox simulates, shared by its servers and tasks.
#[derive(Debug)]
pub struct World {
    /// Clock, counters and faults.
    pub core: Core,
    /// OAuth tokens.
    pub tokens: token::Tokens,
    /// Cloud DNS zones, records and changes.
    pub dns: clouddns::CloudDns,
    /// The Kubernetes API objects.
    pub kube: kube::Kube,
}

/// How to start a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Factor applied to every realistic delay.
    pub time_scale: f64,
    /// The realistic delays before scaling.
    pub delays: RealisticDelays,
    /// HTTP port on 127.0.0.1 (0 = pick a free one).
    pub http_port: u16,
    /// DNS port on 127.0.0.1, UDP and TCP (0 = pick a free one).
    pub dns_port: u16,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            time_scale: config::DEFAULT_TIME_SCALE,
            delays: RealisticDelays::default(),
            http_port: 0,
            dns_port: 0,
        }
    }
}

/// Where a running sandbox listens.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Endpoints {
    /// The HTTP port serving every API.
    pub http: SocketAddr,
    /// The DNS server (UDP and TCP).
    pub dns: SocketAddr,
    /// The same routes over HTTPS (the sandbox cluster CA): the Kubernetes API endpoint,
    /// since kubectl sends bearer tokens only over TLS.
    pub kube: SocketAddr,
}

impl Endpoints {
    /// Base URL of the HTTP port, with a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}/", self.http)
    }

    /// The Kubernetes API server URL (`https://127.0.0.1:port`).
    pub fn kube_url(&self) -> String {
        format!("https://{}", self.kube)
    }
}

/// A running sandbox. Dropping it without [`Sandbox::stop`] aborts its tasks.
#[derive(Debug)]
pub struct Sandbox {
    world: Arc<World>,
    endpoints: Endpoints,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Sandbox {
    /// Starts every server and task on loopback and returns when all are listening.
    pub async fn start(opts: SandboxOptions) -> anyhow::Result<Sandbox> {
        let timing = Timing::new(opts.time_scale, opts.delays);
        let world = Arc::new(World {
            core: Core::new(PROJECT, timing),
            tokens: token::Tokens::new()?,
            dns: clouddns::CloudDns::new(),
            kube: kube::Kube::new(),
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();

        let (listener, http_addr) = http::bind(opts.http_port).await?;
        let router = router(world.clone());
        tasks.push(tokio::spawn(http::serve(
            listener,
            router.clone(),
            shutdown_rx.clone(),
        )));
        let kube_addr = kube::tls::start(router, 0, shutdown_rx.clone(), &mut tasks).await?;

        let dns_addr = clouddns::server::start(
            world.clone(),
            opts.dns_port,
            shutdown_rx.clone(),
            &mut tasks,
        )
        .await?;

        Ok(Sandbox {
            world,
            endpoints: Endpoints {
                http: http_addr,
                dns: dns_addr,
                kube: kube_addr,
            },
            shutdown,
            tasks,
        })
    }

    /// The shared world (for inventory, faults and direct inspection in tests).
    pub fn world(&self) -> &Arc<World> {
        &self.world
    }

    /// Where the sandbox listens.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// Stops every server and task and waits for them.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks.drain(..) {
            task.abort();
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// Every API route, by path.
fn router(world: Arc<World>) -> Router {
    Router::new()
        .merge(token::router())
        .merge(clouddns::router())
        .merge(kube::router())
        .with_state(world)
}
