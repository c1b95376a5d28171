//! The sandbox's Compute API, simulated ingress-gce, load-balancer listeners and
//! Monitoring, exercised with real clients (reqwest, rustls) on loopback.
//!
//! The cases are grouped in `tests/sandbox_core/`, one file per theme; `common.rs` holds
//! the shared environment and helpers.

#[path = "sandbox_core/common.rs"]
mod common;

#[path = "sandbox_core/compute.rs"]
mod compute;
#[path = "sandbox_core/monitoring_keepalive.rs"]
mod monitoring_keepalive;
#[path = "sandbox_core/operations.rs"]
mod operations;
#[path = "sandbox_core/tls_routing.rs"]
mod tls_routing;
