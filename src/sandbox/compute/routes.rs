//! Compute v1 HTTP routes, with the real paths (including the two `set*` routes of
//! target proxies that have no `/global/`), methods, query parameters and JSON shapes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::apply::{Mutation, string_list};
use super::links::{Collection, LINK_BASE};
use super::listing::{Filter, page};
use super::{health_json, mutate};
use crate::sandbox::World;
use crate::sandbox::core::Call;
use crate::sandbox::google::{Api, GoogleError, validate_body};

type Q = Query<HashMap<String, String>>;

/// The Compute routes, under `/compute/v1/`.
pub fn router() -> Router<Arc<World>> {
    let base = "/compute/v1/projects/{project}";
    Router::new()
        .route(&format!("{base}/aggregated/{{coll}}"), get(aggregated_list))
        .route(&format!("{base}/global/operations"), get(list_operations))
        .route(
            &format!("{base}/global/operations/{{op}}"),
            get(get_operation).delete(delete_operation),
        )
        .route(
            &format!("{base}/global/operations/{{op}}/wait"),
            post(wait_operation),
        )
        .route(&format!("{base}/global/{{coll}}"), get(list).post(insert))
        .route(
            &format!("{base}/global/{{coll}}/{{name}}"),
            get(get_one).delete(delete).put(update).patch(update),
        )
        .route(
            &format!("{base}/global/{{coll}}/{{name}}/{{verb}}"),
            post(global_verb),
        )
        .route(
            &format!("{base}/{{coll}}/{{name}}/{{verb}}"),
            post(proxy_verb),
        )
}

/// Opens a call: counts it, applies faults, checks the bearer token and the project.
async fn open(
    world: &World,
    headers: &HeaderMap,
    project: &str,
    method: &str,
) -> Result<Call, Response> {
    let call = world.core.begin(method).await.map_err(|i| {
        GoogleError::new(i.status, &i.reason, injected_message(i.status)).into_response()
    })?;
    world
        .tokens
        .authorize(headers)
        .map_err(IntoResponse::into_response)?;
    if project != world.core.project {
        return Err(GoogleError::not_found(format!(
            "The resource 'projects/{project}' was not found"
        ))
        .into_response());
    }
    Ok(call)
}

fn injected_message(status: u16) -> &'static str {
    match status {
        429 => "Rate Limit Exceeded",
        500 => "Internal error. Please try again or contact Google Support.",
        503 => "The service is currently unavailable.",
        409 => "The resource is being modified by another operation; please retry.",
        _ => "Injected failure",
    }
}

fn collection(s: &str) -> Result<Collection, GoogleError> {
    Collection::from_path(s).ok_or_else(|| {
        GoogleError::not_found(format!(
            "The requested URL was not found on this server: collection '{s}'"
        ))
    })
}

fn method_id(coll: Collection, verb: &str) -> String {
    format!("compute.{}.{verb}", coll.method_resource())
}

fn parse_body(bytes: &Bytes) -> Result<Value, GoogleError> {
    if bytes.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(bytes)
        .map_err(|e| GoogleError::bad_request(format!("Invalid JSON payload received. {e}")))
}

fn request_id(q: &HashMap<String, String>) -> Option<String> {
    q.get("requestId").filter(|s| !s.is_empty()).cloned()
}

async fn list(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll)): Path<(String, String)>,
    Query(q): Q,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(&world, &headers, &project, &method_id(coll, "list")).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let filter = match q.get("filter").map(|f| Filter::parse(f)).transpose() {
        Ok(f) => f,
        Err(e) => return call.finish(e.into_response()),
    };
    let mut items: Vec<Value> = world.compute.list(coll);
    if let Some(f) = &filter {
        items.retain(|i| f.matches(i));
    }
    if q.get("orderBy").map(String::as_str) == Some("creationTimestamp desc") {
        items.reverse();
    }
    let resp = page(
        items,
        &q,
        &format!("compute#{}List", coll.kind().trim_start_matches("compute#")),
        &project,
        coll.path(),
    );
    call.finish(resp)
}

/// `GET .../aggregated/{coll}` (what `gcloud … list` uses): global resources under the
/// `global` scope key.
async fn aggregated_list(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll)): Path<(String, String)>,
    Query(q): Q,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(
        &world,
        &headers,
        &project,
        &method_id(coll, "aggregatedList"),
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let filter = match q.get("filter").map(|f| Filter::parse(f)).transpose() {
        Ok(f) => f,
        Err(e) => return call.finish(e.into_response()),
    };
    let mut items = world.compute.list(coll);
    if let Some(f) = &filter {
        items.retain(|i| f.matches(i));
    }
    let mut scoped = serde_json::Map::new();
    let key = coll.path().to_string();
    if items.is_empty() {
        scoped.insert(
            "global".into(),
            json!({"warning": {"code": "NO_RESULTS_ON_PAGE", "message": "There are no results for scope 'global' on this page.", "data": [{"key": "scope", "value": "global"}]}}),
        );
    } else {
        scoped.insert("global".into(), json!({ key: items }));
    }
    let body = json!({
        "kind": format!("compute#{}AggregatedList", coll.kind().trim_start_matches("compute#")),
        "id": format!("projects/{project}/aggregated/{}", coll.path()),
        "items": scoped,
        "selfLink": format!("{LINK_BASE}projects/{project}/aggregated/{}", coll.path()),
    });
    call.finish(axum::Json(body).into_response())
}

async fn get_one(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll, name)): Path<(String, String, String)>,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(&world, &headers, &project, &method_id(coll, "get")).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let resp = match world.compute.get(coll, &name) {
        Some(v) => axum::Json(v).into_response(),
        None => GoogleError::not_found(format!(
            "The resource 'projects/{project}/global/{coll}/{name}' was not found"
        ))
        .into_response(),
    };
    call.finish(resp)
}

/// Runs a mutation for a call, rendering the operation or the error.
fn run(world: &Arc<World>, call: &Call, m: Mutation, q: &HashMap<String, String>) -> Response {
    let resp = match mutate(
        world,
        m,
        request_id(q),
        call.decision.op_error.clone(),
        false,
    ) {
        Ok(op) => axum::Json(op).into_response(),
        Err(e) => e.into_response(),
    };
    call.finish(resp)
}

async fn insert(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll)): Path<(String, String)>,
    Query(q): Q,
    body: Bytes,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(&world, &headers, &project, &method_id(coll, "insert")).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match parse_body(&body)
        .and_then(|b| validate_body(Api::Compute, coll.schema(), &b).map(|_| b))
    {
        Ok(b) => b,
        Err(e) => return call.finish(e.into_response()),
    };
    run(&world, &call, Mutation::Insert { coll, body }, &q)
}

async fn delete(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll, name)): Path<(String, String, String)>,
    Query(q): Q,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(&world, &headers, &project, &method_id(coll, "delete")).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    run(&world, &call, Mutation::Delete { coll, name }, &q)
}

async fn update(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    method: Method,
    Path((project, coll, name)): Path<(String, String, String)>,
    Query(q): Q,
    body: Bytes,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let verb = if method == Method::PUT {
        "update"
    } else {
        "patch"
    };
    let call = match open(&world, &headers, &project, &method_id(coll, verb)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    if coll != Collection::UrlMaps {
        return call.finish(
            GoogleError::bad_request(format!(
                "The sandbox supports {verb} only on urlMaps, not {coll}"
            ))
            .into_response(),
        );
    }
    let mut body = match parse_body(&body)
        .and_then(|b| validate_body(Api::Compute, coll.schema(), &b).map(|_| b))
    {
        Ok(b) => b,
        Err(e) => return call.finish(e.into_response()),
    };
    if method == Method::PATCH
        && let Some(mut current) = world.compute.get(coll, &name)
    {
        for (k, v) in body.as_object().into_iter().flatten() {
            current[k] = v.clone();
        }
        body = current;
    }
    run(&world, &call, Mutation::UpdateUrlMap { name, body }, &q)
}

/// `POST .../global/{coll}/{name}/{verb}`: `getHealth` and `setTarget`.
async fn global_verb(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll, name, verb)): Path<(String, String, String, String)>,
    Query(q): Q,
    body: Bytes,
) -> Response {
    let coll = match collection(&coll) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let call = match open(&world, &headers, &project, &method_id(coll, &verb)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(e) => return call.finish(e.into_response()),
    };
    match (coll, verb.as_str()) {
        (Collection::BackendServices, "getHealth") => {
            if let Err(e) = validate_body(Api::Compute, "ResourceGroupReference", &body) {
                return call.finish(e.into_response());
            }
            let Some(bs) = world.compute.get(coll, &name) else {
                return call.finish(
                    GoogleError::not_found(format!("The resource 'projects/{project}/global/backendServices/{name}' was not found"))
                        .into_response(),
                );
            };
            let group = body["group"].as_str().unwrap_or_default();
            let groups: Vec<String> = bs["backends"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["group"].as_str().map(String::from))
                .collect();
            if !groups
                .iter()
                .any(|g| g == group || g.ends_with(group) || group.ends_with(g.as_str()))
            {
                return call.finish(
                    GoogleError::invalid(format!(
                        "Invalid value for field 'resource.group': '{group}'. The group is not a backend of this backend service."
                    ))
                    .into_response(),
                );
            }
            call.finish(axum::Json(health_json(&world, &name, group)).into_response())
        }
        (Collection::ForwardingRules, "setTarget") => {
            if let Err(e) = validate_body(Api::Compute, "TargetReference", &body) {
                return call.finish(e.into_response());
            }
            let target = body["target"].as_str().unwrap_or_default().to_string();
            run(
                &world,
                &call,
                Mutation::SetTarget { rule: name, target },
                &q,
            )
        }
        _ => call.finish(
            GoogleError::not_found(format!(
                "The requested method {verb} on {coll} is not simulated by the sandbox"
            ))
            .into_response(),
        ),
    }
}

/// `POST .../targetHttpsProxies/{name}/setSslCertificates|setUrlMap` (no `/global/`).
async fn proxy_verb(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, coll, name, verb)): Path<(String, String, String, String)>,
    Query(q): Q,
    body: Bytes,
) -> Response {
    let coll = match coll.as_str() {
        "targetHttpsProxies" => Collection::TargetHttpsProxies,
        "targetHttpProxies" => Collection::TargetHttpProxies,
        other => {
            return GoogleError::not_found(format!(
                "The requested URL was not found on this server: {other}"
            ))
            .into_response();
        }
    };
    let call = match open(&world, &headers, &project, &method_id(coll, &verb)).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let body = match parse_body(&body) {
        Ok(b) => b,
        Err(e) => return call.finish(e.into_response()),
    };
    match (coll, verb.as_str()) {
        (Collection::TargetHttpsProxies, "setSslCertificates") => {
            if let Err(e) = validate_body(
                Api::Compute,
                "TargetHttpsProxiesSetSslCertificatesRequest",
                &body,
            ) {
                return call.finish(e.into_response());
            }
            let certs = string_list(&body["sslCertificates"]);
            run(
                &world,
                &call,
                Mutation::SetSslCertificates { proxy: name, certs },
                &q,
            )
        }
        (_, "setUrlMap") => {
            if let Err(e) = validate_body(Api::Compute, "UrlMapReference", &body) {
                return call.finish(e.into_response());
            }
            let url_map = body["urlMap"].as_str().unwrap_or_default().to_string();
            run(
                &world,
                &call,
                Mutation::SetUrlMap {
                    coll,
                    proxy: name,
                    url_map,
                },
                &q,
            )
        }
        _ => call.finish(
            GoogleError::not_found(format!(
                "The requested method {verb} on {coll} is not simulated by the sandbox"
            ))
            .into_response(),
        ),
    }
}

async fn list_operations(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path(project): Path<String>,
    Query(q): Q,
) -> Response {
    let call = match open(&world, &headers, &project, "compute.globalOperations.list").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let ops = world.compute.operations(&project);
    call.finish(page(
        ops,
        &q,
        "compute#operationList",
        &project,
        "operations",
    ))
}

fn op_not_found(project: &str, op: &str) -> Response {
    GoogleError::not_found(format!(
        "The resource 'projects/{project}/global/operations/{op}' was not found"
    ))
    .into_response()
}

async fn get_operation(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, op)): Path<(String, String)>,
) -> Response {
    let call = match open(&world, &headers, &project, "compute.globalOperations.get").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let resp = match world.compute.operation(&project, &op) {
        Some(v) => axum::Json(v).into_response(),
        None => op_not_found(&project, &op),
    };
    call.finish(resp)
}

async fn wait_operation(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, op)): Path<(String, String)>,
) -> Response {
    let call = match open(&world, &headers, &project, "compute.globalOperations.wait").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let resp = match world
        .compute
        .wait(&project, &op, world.core.timing.op_wait_deadline)
        .await
    {
        Some(v) => axum::Json(v).into_response(),
        None => op_not_found(&project, &op),
    };
    call.finish(resp)
}

async fn delete_operation(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path((project, op)): Path<(String, String)>,
) -> Response {
    let call = match open(
        &world,
        &headers,
        &project,
        "compute.globalOperations.delete",
    )
    .await
    {
        Ok(c) => c,
        Err(r) => return r,
    };
    let resp = if world.compute.delete_operation(&op) {
        axum::Json(json!({})).into_response()
    } else {
        op_not_found(&project, &op)
    };
    call.finish(resp)
}
