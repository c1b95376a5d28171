//! The sandbox's Kubernetes API against real clients: the installed `kubectl` (1.32) and
//! kube-rs with k8s-openapi types, each on its own in-process sandbox.
//!
//! The cases are grouped in `tests/sandbox_kube/`, one file per theme; `common.rs` holds
//! the shared environment and helpers.

#[path = "sandbox_kube/common.rs"]
mod common;

#[path = "sandbox_kube/auth_faults.rs"]
mod auth_faults;
#[path = "sandbox_kube/kube_rs.rs"]
mod kube_rs;
#[path = "sandbox_kube/kubectl.rs"]
mod kubectl;
