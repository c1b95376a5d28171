//! Cloud DNS v1: managed zones, resource record sets and atomic changes.

pub mod server;

use std::sync::Arc;

use axum::Router;

use super::World;

/// The Cloud DNS world.
#[derive(Debug, Default)]
pub struct CloudDns {}

impl CloudDns {
    /// An empty Cloud DNS.
    pub fn new() -> Self {
        CloudDns {}
    }
}

/// The Cloud DNS routes.
pub fn router() -> Router<Arc<World>> {
    Router::new()
}
