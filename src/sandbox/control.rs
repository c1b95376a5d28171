//! The sandbox's own control API under `/sandbox/v1` on the HTTP port: the inventory
//! (every resource, per-load-balancer request counts, API request counts), faults as
//! data, DNS silence, and seeding more Ingresses. Not a Google or Kubernetes API; its
//! calls are counted under `sandbox.*` and left out of API totals.
//!
//! | method | path | body / answer |
//! |---|---|---|
//! | GET | `/sandbox/v1/inventory` | everything (Secrets show key names and sizes only) |
//! | GET / DELETE | `/sandbox/v1/stats` | request counts per API and method / reset them |
//! | GET / POST / DELETE | `/sandbox/v1/faults` | list / add a [`FaultSpec`] (answers its id) / clear all |
//! | POST | `/sandbox/v1/dns/silence` | `{"seconds": 5}`: the DNS server ignores queries that long |
//! | POST | `/sandbox/v1/seed` | `{"count": 10}`: more provisioned Ingresses `site-N` with DNS records |

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::World;
use super::core::FaultSpec;

/// Everything in the world, for tests and users.
pub fn inventory(world: &World) -> Value {
    json!({
        "project": world.core.project,
        "compute": world.compute.snapshot(),
        "dns": world.dns.snapshot(),
        "kubernetes": world.kube.snapshot(),
        "requests": world.metrics.totals(),
        "api_requests": world.core.stats.snapshot(),
        "timing": world.core.timing,
    })
}

async fn get_inventory(State(world): State<Arc<World>>) -> Json<Value> {
    world.core.stats.count("sandbox.inventory");
    Json(inventory(&world))
}

async fn get_stats(State(world): State<Arc<World>>) -> Json<Value> {
    Json(json!(world.core.stats.snapshot()))
}

async fn reset_stats(State(world): State<Arc<World>>) -> Json<Value> {
    world.core.stats.reset();
    Json(json!({}))
}

async fn list_faults(State(world): State<Arc<World>>) -> Json<Value> {
    world.core.stats.count("sandbox.faults.list");
    Json(json!({"faults": world.core.faults.list()}))
}

async fn add_fault(State(world): State<Arc<World>>, body: axum::body::Bytes) -> Response {
    world.core.stats.count("sandbox.faults.add");
    match serde_json::from_slice::<FaultSpec>(&body) {
        Ok(spec) => Json(json!({"id": world.core.faults.add(spec)})).into_response(),
        Err(e) => (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": format!("invalid fault: {e}")})),
        )
            .into_response(),
    }
}

async fn clear_faults(State(world): State<Arc<World>>) -> Json<Value> {
    world.core.stats.count("sandbox.faults.clear");
    world.core.faults.clear();
    Json(json!({}))
}

async fn silence_dns(State(world): State<Arc<World>>, Json(body): Json<Value>) -> Response {
    world.core.stats.count("sandbox.dns.silence");
    match body["seconds"]
        .as_f64()
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        Some(s) => {
            world
                .core
                .faults
                .silence_dns(std::time::Duration::from_secs_f64(s));
            Json(json!({"silent_for_seconds": s})).into_response()
        }
        None => (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "expected {\"seconds\": <number>}"})),
        )
            .into_response(),
    }
}

async fn seed(State(world): State<Arc<World>>, Json(body): Json<Value>) -> Response {
    world.core.stats.count("sandbox.seed");
    let Some(count) = body["count"].as_u64().filter(|c| (1..=500).contains(c)) else {
        return (
            axum::http::StatusCode::BAD_REQUEST,
            Json(json!({"error": "expected {\"count\": 1..500}"})),
        )
            .into_response();
    };
    match super::seed::sites(&world, count as usize).await {
        Ok(sites) => Json(json!({"sites": sites})).into_response(),
        Err(e) => (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// The control routes.
pub fn router() -> Router<Arc<World>> {
    Router::new()
        .route("/sandbox/v1/inventory", get(get_inventory))
        .route("/sandbox/v1/stats", get(get_stats).delete(reset_stats))
        .route(
            "/sandbox/v1/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route("/sandbox/v1/dns/silence", post(silence_dns))
        .route("/sandbox/v1/seed", post(seed))
}
