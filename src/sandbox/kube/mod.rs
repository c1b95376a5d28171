//! The Kubernetes API subset kube-rs and kubectl need, served on the sandbox's HTTP port:
//! discovery and a minimal OpenAPI, and namespaces, Secrets, Services, Endpoints,
//! Events, Ingresses (with `/status`) and IngressClasses with list, watch, get, create,
//! replace, the three patch types, delete with finalizers, selectors and `dryRun`.
//!
//! [`Kube`] is the object store other sandbox parts (the simulated ingress-gce, seeding,
//! the inventory) call directly; the HTTP routes in `handlers` are what the product and
//! kubectl see. Every request needs `Authorization: Bearer` [`TOKEN`]; errors are
//! Kubernetes [`Status`] objects. The API is served on the plain HTTP port and on an
//! HTTPS one (`tls`), because kubectl sends bearer tokens only over TLS.
//!
//! Files: `resources` (the served types), `store` (objects, versions, create and
//! update), `history` (change log, broadcast, watch start), `deletion` (finalizers,
//! namespace termination), `strategy` (defaults and status rules), `schema` (typed JSON
//! decoding), `proto` (protobuf bodies from kubectl), `validate` and `validate_ingress`
//! (422s), `patch`, `select`, `events` (Events and the snapshot), `handlers`, `watch`,
//! `table` (server-side printing), `discovery`, `status` (errors), `tls`.

mod deletion;
mod discovery;
mod events;
mod handlers;
mod history;
mod patch;
mod proto;
pub mod resources;
pub mod schema;
mod select;
pub mod status;
mod store;
mod strategy;
mod table;
pub mod tls;
mod validate;
mod validate_ingress;
mod watch;

use std::sync::Arc;

use axum::Router;
use axum::routing::any;

pub use self::events::redact_secret;
pub use self::status::{FieldError, Status};
pub use self::store::{EventType, Kube, KubeEvent};
use super::World;

/// The bearer token the sandbox's API server accepts (written into the kubeconfig).
pub const TOKEN: &str = "sandbox-kube-token-0123456789abcdef";

impl Kube {
    /// The bearer token every request must carry ([`TOKEN`]).
    pub fn token(&self) -> &'static str {
        TOKEN
    }
}

/// A kubeconfig for the sandbox: one cluster at `server_url`, one user with a bearer
/// `token`, one context named `context_name` (namespace `default`), selected as
/// current. For an `https://` URL (the endpoint kubectl needs: it sends tokens only over
/// TLS) the cluster CA is included as `certificate-authority-data`.
pub fn kubeconfig_yaml(server_url: &str, token: &str, context_name: &str) -> String {
    use base64::Engine;
    let server = server_url.trim_end_matches('/');
    let ca = match tls::ca_pem() {
        Some(pem) if server.starts_with("https://") => format!(
            "\n    certificate-authority-data: {}",
            base64::engine::general_purpose::STANDARD.encode(pem)
        ),
        _ => String::new(),
    };
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: {context_name}
  cluster:
    server: {server}{ca}
contexts:
- name: {context_name}
  context:
    cluster: {context_name}
    namespace: default
    user: {context_name}
current-context: {context_name}
preferences: {{}}
users:
- name: {context_name}
  user:
    token: {token}
"
    )
}

/// The Kubernetes routes: discovery, OpenAPI v3 and every resource path.
pub fn router() -> Router<Arc<World>> {
    Router::new()
        .route("/version", any(handlers::entry))
        .route("/api", any(handlers::entry))
        .route("/api/{*rest}", any(handlers::entry))
        .route("/apis", any(handlers::entry))
        .route("/apis/{*rest}", any(handlers::entry))
        .route("/openapi/v2", any(handlers::entry))
        .route("/openapi/v3", any(handlers::entry))
        .route("/openapi/v3/{*rest}", any(handlers::entry))
}
