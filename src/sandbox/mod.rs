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
pub mod compute;
pub mod config;
pub mod control;
pub mod controller;
pub mod core;
pub mod files;
pub mod google;
pub mod http;
pub mod kube;
pub mod lb;
pub mod load;
pub mod monitoring;
pub mod seed;
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
    /// Compute global resources and operations.
    pub compute: compute::Compute,
    /// Cloud DNS zones, records and changes.
    pub dns: clouddns::CloudDns,
    /// The Kubernetes API objects.
    pub kube: kube::Kube,
    /// Request counters behind Cloud Monitoring.
    pub metrics: monitoring::Metrics,
    /// The load balancers' TCP port (the same on every load-balancer IP).
    pub lb_port: u16,
    /// The sandbox CA and the demo certificates.
    pub certs: seed::DemoCerts,
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
    /// The load balancers' TLS port on every load-balancer IP (0 = pick a free one).
    pub lb_port: u16,
    /// Seed the demo world (Ingress `default/web`, its Secret, zone `example-test`).
    pub seed_demo: bool,
    /// Run the simulated ingress-gce controller (off only for tests of the bare
    /// Kubernetes API).
    pub controller: bool,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            time_scale: config::DEFAULT_TIME_SCALE,
            delays: RealisticDelays::default(),
            http_port: 0,
            dns_port: 0,
            lb_port: 0,
            seed_demo: true,
            controller: true,
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
    /// The load balancers' TLS port.
    pub lb_port: u16,
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
    _lb_port_reservation: std::net::TcpListener,
}

impl Sandbox {
    /// Starts every server and task on loopback and returns when all are listening.
    pub async fn start(opts: SandboxOptions) -> anyhow::Result<Sandbox> {
        let timing = Timing::new(opts.time_scale, opts.delays);
        // A random second octet keeps several sandboxes on one machine apart.
        let ip_block = 16 + (rand::random::<u8>() % 200);
        let (reservation, lb_port) = lb::reserve_port(ip_block, opts.lb_port)?;
        let certs = seed::DemoCerts::generate()?;
        let world = Arc::new(World {
            core: Core::new(PROJECT, timing),
            tokens: token::Tokens::new()?,
            compute: compute::Compute::new(ip_block),
            dns: clouddns::CloudDns::new(),
            kube: kube::Kube::new(),
            metrics: monitoring::Metrics::default(),
            lb_port,
            certs,
        });
        if opts.seed_demo {
            seed::demo(&world).await?;
        }
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
        let (ready, listening) = tokio::sync::oneshot::channel();
        tasks.push(tokio::spawn(lb::run(
            world.clone(),
            lb_port,
            shutdown_rx.clone(),
            ready,
        )));
        listening.await?;
        if opts.controller {
            tasks.push(tokio::spawn(controller::run(
                world.clone(),
                shutdown_rx.clone(),
            )));
        }

        Ok(Sandbox {
            world,
            endpoints: Endpoints {
                http: http_addr,
                dns: dns_addr,
                lb_port,
                kube: kube_addr,
            },
            shutdown,
            tasks,
            _lb_port_reservation: reservation,
        })
    }

    /// The demo certificates (the CA, the live one and the renewed one).
    pub fn certs(&self) -> &seed::DemoCerts {
        &self.world.certs
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
        .merge(compute::routes::router())
        .merge(clouddns::router())
        .merge(monitoring::router())
        .merge(kube::router())
        .merge(control::router())
        .with_state(world)
}
