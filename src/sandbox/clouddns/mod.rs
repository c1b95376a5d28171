//! Cloud DNS v1 (interim store; the full API lands with the clouddns module).

pub mod server;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use serde_json::{Value, json};

use super::World;
use super::core::lock;

type Zone = (String, BTreeMap<(String, String), (u32, Vec<String>)>);

/// The Cloud DNS world.
#[derive(Debug, Default)]
pub struct CloudDns {
    zones: Mutex<BTreeMap<String, Zone>>,
}

impl CloudDns {
    /// An empty Cloud DNS.
    pub fn new() -> Self {
        CloudDns::default()
    }
    /// Creates a zone.
    pub fn create_zone(&self, name: &str, dns_name: &str, _description: &str) -> Value {
        lock(&self.zones).insert(name.into(), (dns_name.into(), BTreeMap::new()));
        json!({"name": name, "dnsName": dns_name})
    }
    /// Sets a record set.
    pub fn upsert_rrset(
        &self,
        zone: &str,
        name: &str,
        rtype: &str,
        ttl: u32,
        rrdatas: Vec<String>,
    ) {
        if let Some(z) = lock(&self.zones).get_mut(zone) {
            z.1.insert((name.into(), rtype.into()), (ttl, rrdatas));
        }
    }
    /// Everything.
    pub fn snapshot(&self) -> Value {
        json!(format!("{:?}", lock(&self.zones)))
    }
}

/// The Cloud DNS routes.
pub fn router() -> Router<Arc<World>> {
    Router::new()
}
