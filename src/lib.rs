//! rotate-cert rotates the TLS certificate of a GKE Ingress / Google Cloud HTTPS load
//! balancer with zero downtime, by blue/green: a parallel ("green") Ingress is built and
//! proven, DNS is switched to it, the old ("blue") one drains, then it is removed.
//!
//! Layers, one direction only (see `DEVELOPERS.md`):
//! `cli` (clap, rendering) → `ops` (one function per user action) → planning, workflow
//! and steps → adapters (`gcp`, `k8s`, `dns`, `tls`, `state`, `cert`). The `sandbox`
//! module (feature `sandbox`) is the simulated GKE + Google Cloud the tests run against.

pub mod cert;
pub mod cli;
pub mod dns;
pub mod exit;
pub mod gcp;
pub mod k8s;
pub mod ops;
pub mod plan;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod secret;
pub mod settings;
pub mod state;
pub mod steps;
pub mod tls;
pub mod util;
pub mod workflow;

/// Installs rustls' `ring` crypto provider as the process default.
///
/// Every TLS client (reqwest, kube, the probes) needs it; calling it twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
