//! The Cloud DNS v1 REST routes, under `/dns/v1/projects/{project}/managedZones`:
//! zones (list, get), record sets (list, get, create, patch, delete) and changes
//! (create, list, get).
//!
//! Every handler does the same four things in order: check the bearer token (401),
//! open the call with its discovery method id (counting it and applying injected
//! faults, rendered as Google errors), check the project (any project but the
//! sandbox's is 403 `forbidden`, as Google answers a caller without access, rather than
//! revealing whether the project exists), then do the work in the store and mark the
//! response for dropping when a fault says so — the work is done either way, which is
//! what a client sees when a change was applied but its answer was lost.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::list::{Params, RrsetSelector, page};
use super::model::RecordSet;
use super::rules::{invalid_value, required};
use super::zone::Mutation;
use crate::sandbox::World;
use crate::sandbox::core::{Call, InjectedStatus};
use crate::sandbox::google::{Api, GoogleError, validate_body};

type Result<T> = std::result::Result<T, GoogleError>;

/// The routes, merged into the sandbox's one HTTP router.
pub fn router() -> Router<Arc<World>> {
    const ZONES: &str = "/dns/v1/projects/{project}/managedZones";
    Router::new()
        .route(ZONES, get(zones_list))
        .route(&format!("{ZONES}/{{zone}}"), get(zones_get))
        .route(
            &format!("{ZONES}/{{zone}}/rrsets"),
            get(rrsets_list).post(rrsets_create),
        )
        .route(
            &format!("{ZONES}/{{zone}}/rrsets/{{name}}/{{rtype}}"),
            get(rrsets_get).patch(rrsets_patch).delete(rrsets_delete),
        )
        .route(
            &format!("{ZONES}/{{zone}}/changes"),
            get(changes_list).post(changes_create),
        )
        .route(
            &format!("{ZONES}/{{zone}}/changes/{{id}}"),
            get(changes_get),
        )
}

/// An injected fault in Google's error shape.
fn injected(i: &InjectedStatus) -> GoogleError {
    let message = match i.status {
        400 => "Bad Request",
        401 => "Invalid Credentials",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        429 => "Rate Limit Exceeded",
        500 => "Internal Error",
        503 => "The service is currently unavailable.",
        _ => "Backend Error",
    };
    GoogleError::new(i.status, &i.reason, message)
}

/// Authorizes, opens the call and checks the project.
async fn open(
    world: &World,
    headers: &HeaderMap,
    project: &str,
    method: &'static str,
) -> std::result::Result<Call, Response> {
    world
        .tokens
        .authorize(headers)
        .map_err(IntoResponse::into_response)?;
    let call = world
        .core
        .begin(method)
        .await
        .map_err(|i| injected(&i).into_response())?;
    if project != world.core.project {
        let e = GoogleError::new(403, "forbidden", "The caller does not have permission");
        return Err(call.finish(e.into_response()));
    }
    Ok(call)
}

fn render(call: &Call, result: Result<Value>) -> Response {
    let resp = match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    };
    call.finish(resp)
}

/// Parses a JSON request body and checks it against the discovery `schema`; `None` when
/// the body is empty.
fn body_json(body: &Bytes, schema: &str) -> Result<Option<Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| GoogleError::new(400, "parseError", "Parse Error"))?;
    if v.is_null() {
        return Ok(None);
    }
    validate_body(Api::Dns, schema, &v)?;
    Ok(Some(v))
}

fn list_body(kind: &str, field: &str, items: Vec<Value>, next: Option<String>) -> Value {
    let mut v = json!({ "kind": kind, field: items });
    if let Some(token) = next {
        v["nextPageToken"] = Value::String(token);
    }
    v
}

async fn zones_list(
    State(w): State<Arc<World>>,
    Path(project): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.managedZones.list").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = (|| {
        let dns_name = p.get("dnsName");
        if let Some(d) = dns_name
            && !d.ends_with('.')
        {
            return Err(invalid_value("parameters.dnsName", d));
        }
        let (items, next) = page(w.dns.zones(dns_name), p.get("pageToken"), p.max_results()?)?;
        Ok(list_body(
            "dns#managedZonesListResponse",
            "managedZones",
            items,
            next,
        ))
    })();
    render(&call, result)
}

async fn zones_get(
    State(w): State<Arc<World>>,
    Path((project, zone)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.managedZones.get").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&call, w.dns.zone(&zone))
}

async fn rrsets_list(
    State(w): State<Arc<World>>,
    Path((project, zone)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.resourceRecordSets.list").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = (|| {
        let sel = RrsetSelector::from_params(&p)?;
        let max = p.max_results()?;
        let items: Vec<(String, Value)> = w
            .dns
            .rrsets(&zone)?
            .into_iter()
            .filter(|(_, rr)| sel.matches(rr))
            .map(|(k, rr)| (k.sort_string(), rr.to_json()))
            .collect();
        let (items, next) = page(items, p.get("pageToken"), max)?;
        Ok(list_body(
            "dns#resourceRecordSetsListResponse",
            "rrsets",
            items,
            next,
        ))
    })();
    render(&call, result)
}

async fn rrsets_get(
    State(w): State<Arc<World>>,
    Path((project, zone, name, rtype)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.resourceRecordSets.get").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let result = check_path(&name).and_then(|()| w.dns.rrset(&zone, &name, &rtype));
    render(&call, result.map(|rr| rr.to_json()))
}

/// A record-set name in a path must be fully qualified.
fn check_path(name: &str) -> Result<()> {
    if name.ends_with('.') {
        Ok(())
    } else {
        Err(invalid_value("parameters.name", name))
    }
}

/// Runs one mutation for a record-set or change route.
fn mutate(w: &World, zone: &str, p: &Params, m: Mutation) -> Result<super::store::Applied> {
    w.dns.mutate(
        zone,
        &m,
        p.get("clientOperationId"),
        w.core.timing.dns_change,
    )
}

fn added_json(rr: Option<RecordSet>) -> Value {
    rr.map_or_else(|| json!({}), |r| r.to_json())
}

async fn rrsets_create(
    State(w): State<Arc<World>>,
    Path((project, zone)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.resourceRecordSets.create").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = body_json(&body, "ResourceRecordSet").and_then(|b| {
        let b = b.ok_or_else(|| required("entity.rrset"))?;
        mutate(&w, &zone, &p, Mutation::Create(b)).map(|a| added_json(a.added))
    });
    render(&call, result)
}

async fn rrsets_patch(
    State(w): State<Arc<World>>,
    Path((project, zone, name, rtype)): Path<(String, String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.resourceRecordSets.patch").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = check_path(&name)
        .and_then(|()| body_json(&body, "ResourceRecordSet"))
        .and_then(|b| {
            let body = b.ok_or_else(|| required("entity.rrset"))?;
            let m = Mutation::Patch { name, rtype, body };
            mutate(&w, &zone, &p, m).map(|a| added_json(a.added))
        });
    render(&call, result)
}

async fn rrsets_delete(
    State(w): State<Arc<World>>,
    Path((project, zone, name, rtype)): Path<(String, String, String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.resourceRecordSets.delete").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = check_path(&name)
        .and_then(|()| mutate(&w, &zone, &p, Mutation::Delete { name, rtype }).map(|_| json!({})));
    render(&call, result)
}

async fn changes_create(
    State(w): State<Arc<World>>,
    Path((project, zone)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.changes.create").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = body_json(&body, "Change").and_then(|b| {
        let b = b.ok_or_else(|| required("entity.change"))?;
        mutate(&w, &zone, &p, Mutation::Change(b)).map(|a| a.change)
    });
    render(&call, result)
}

async fn changes_list(
    State(w): State<Arc<World>>,
    Path((project, zone)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.changes.list").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let p = Params::parse(q.as_deref());
    let result = (|| {
        if let Some(s) = p.get("sortBy")
            && s != "changeSequence"
        {
            return Err(invalid_value("parameters.sortBy", s));
        }
        let descending = match p.get("sortOrder") {
            None | Some("ascending") => false,
            Some("descending") => true,
            Some(other) => return Err(invalid_value("parameters.sortOrder", other)),
        };
        let max = p.max_results()?;
        let mut items: Vec<(String, Value)> = w
            .dns
            .changes(&zone)?
            .into_iter()
            .enumerate()
            .map(|(i, c)| (format!("{i:020}"), c))
            .collect();
        if descending {
            items.reverse();
            for (k, _) in &mut items {
                // Keys must increase in list order: invert the sequence number.
                let seq: u64 = k.parse().unwrap_or_default();
                *k = format!("{:020}", u64::MAX - seq);
            }
        }
        let (items, next) = page(items, p.get("pageToken"), max)?;
        Ok(list_body("dns#changesListResponse", "changes", items, next))
    })();
    render(&call, result)
}

async fn changes_get(
    State(w): State<Arc<World>>,
    Path((project, zone, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let call = match open(&w, &headers, &project, "dns.changes.get").await {
        Ok(c) => c,
        Err(r) => return r,
    };
    render(&call, w.dns.change(&zone, &id))
}
