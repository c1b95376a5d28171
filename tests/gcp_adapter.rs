//! The Google Cloud adapter (`rotate_cert::gcp`) against the in-process sandbox, with the
//! real token flow: a service-account key file whose `token_uri` is the sandbox's `/token`,
//! `gcp_auth` signing the JWT, and the bearer token on every request.
//!
//! The cases are grouped in `tests/gcp_adapter/`, one file per API or theme.

#[path = "gcp_adapter/harness.rs"]
mod harness;

#[path = "gcp_adapter/auth.rs"]
mod auth;
#[path = "gcp_adapter/compute.rs"]
mod compute;
#[path = "gcp_adapter/dns.rs"]
mod dns;
#[path = "gcp_adapter/monitoring.rs"]
mod monitoring;
