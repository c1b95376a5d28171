//! The Kubernetes API subset kube-rs and kubectl need.

use std::sync::Arc;

use axum::Router;

use super::World;

/// The Kubernetes objects.
#[derive(Debug, Default)]
pub struct Kube {}

impl Kube {
    /// An empty cluster.
    pub fn new() -> Self {
        Kube {}
    }
}

/// The Kubernetes routes.
pub fn router() -> Router<Arc<World>> {
    Router::new()
}
