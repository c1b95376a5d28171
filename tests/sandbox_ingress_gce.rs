//! The simulated ingress-gce, driven the way a user drives GKE: `kubectl` against the
//! sandbox's files, the Compute API with a token the sandbox issued, and TLS to the load
//! balancers' own 127.x.y.z addresses.
//!
//! Each test starts its own sandbox (demo world seeded) at a small time scale and writes
//! the files `sandbox up` writes; `kubectl` must be installed.
//!
//! The cases are grouped in `tests/sandbox_ingress_gce/`, one file per theme; `common.rs`
//! holds the shared environment and helpers.

#[path = "sandbox_ingress_gce/common.rs"]
mod common;

#[path = "sandbox_ingress_gce/classes.rs"]
mod classes;
#[path = "sandbox_ingress_gce/lifecycle.rs"]
mod lifecycle;
#[path = "sandbox_ingress_gce/static_ip_limits.rs"]
mod static_ip_limits;
