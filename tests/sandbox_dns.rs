//! The sandbox's Cloud DNS against real clients: `dig` and `hickory-resolver` on its
//! DNS port, reqwest and `gcloud` on its REST API.
//!
//! Each test starts its own sandbox on ephemeral ports with a zone `example-test`
//! (`example.test.`) seeded through the Rust API. `dig` (package `bind9-dnsutils`) and
//! `gcloud` must be installed: a test that needs one fails, saying so, when it is not.
//!
//! The cases are grouped in `tests/sandbox_dns/`, one file per theme; `common.rs` holds
//! the shared environment and helpers.

#[path = "sandbox_dns/common.rs"]
mod common;

#[path = "sandbox_dns/changes.rs"]
mod changes;
#[path = "sandbox_dns/gcloud.rs"]
mod gcloud;
#[path = "sandbox_dns/listing_faults.rs"]
mod listing_faults;
#[path = "sandbox_dns/wire.rs"]
mod wire;
