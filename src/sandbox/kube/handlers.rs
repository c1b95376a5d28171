//! The HTTP face of the simulated API server: one entry point that checks the bearer
//! token, parses the path (`/api/v1/namespaces/{ns}/secrets/{name}`,
//! `/apis/networking.k8s.io/v1/…/ingresses/{name}/status`, discovery and OpenAPI) and
//! dispatches to a verb.
//!
//! Each resource verb opens a `Call` with `kubernetes.<plural>.<verb>` (faults render as
//! a `Status`), reads the query (`dryRun`, `fieldValidation`, selectors, `limit` /
//! `continue`, `watch`), and answers in the representation the client's `Accept` asks
//! for (object, `Table`, `PartialObjectMetadata`). Store semantics live in `store`; this
//! file only translates HTTP to store calls and back.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::discovery;
use super::patch::{JsonPatchError, json_patch, merge_patch, strategic_merge};
use super::resources::{ResourceInfo, lookup};
use super::schema::FieldValidation;
use super::select::{FieldSelector, LabelSelector};
use super::status::Status;
use super::store::{DeleteOptions, Deletion, WriteOptions, Written};
use super::table::{Format, partial, table};
use super::watch::watch;
use crate::sandbox::World;

/// A request for objects of one resource type.
struct Target {
    res: &'static ResourceInfo,
    ns: Option<String>,
    name: Option<String>,
    status: bool,
}

enum Route {
    Version,
    Api,
    Apis,
    Group(String),
    ResourceList(String, String),
    OpenApiRoot,
    OpenApiDoc(String),
    Objects(Target),
}

fn parse_objects(group: &str, version: &str, rest: &[&str]) -> Option<Route> {
    if version != "v1" {
        return None;
    }
    let (ns, rest): (Option<String>, &[&str]) = match rest {
        ["namespaces", ns, r, ..] if lookup(group, r).is_some_and(|x| x.namespaced) => {
            (Some((*ns).to_string()), &rest[2..])
        }
        _ => (None, rest),
    };
    let (plural, name, sub) = match rest {
        [r] => (*r, None, None),
        [r, n] => (*r, Some((*n).to_string()), None),
        [r, n, s] => (*r, Some((*n).to_string()), Some(*s)),
        _ => return None,
    };
    let res = lookup(group, plural)?;
    if !res.namespaced && ns.is_some() {
        return None;
    }
    if res.namespaced && ns.is_none() && name.is_some() {
        return None;
    }
    let status = match sub {
        None => false,
        Some("status") if res.status_subresource => true,
        Some(_) => return None,
    };
    Some(Route::Objects(Target {
        res,
        ns,
        name,
        status,
    }))
}

fn parse(path: &str) -> Option<Route> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    Some(match segs.as_slice() {
        ["version"] => Route::Version,
        ["api"] => Route::Api,
        ["apis"] => Route::Apis,
        ["api", v] => Route::ResourceList(String::new(), (*v).to_string()),
        ["apis", g] => Route::Group((*g).to_string()),
        ["apis", g, v] => Route::ResourceList((*g).to_string(), (*v).to_string()),
        ["openapi", "v3"] => Route::OpenApiRoot,
        ["openapi", "v3", rest @ ..] => Route::OpenApiDoc(rest.join("/")),
        ["api", v, rest @ ..] => return parse_objects("", v, rest),
        ["apis", g, v, rest @ ..] => return parse_objects(g, v, rest),
        _ => return None,
    })
}

fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t.trim() == super::TOKEN)
}

fn ok(code: StatusCode, v: Value) -> Response {
    (code, axum::Json(v)).into_response()
}

/// The one entry point for every Kubernetes path.
pub(super) async fn entry(
    State(world): State<Arc<World>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if path == "/version" && method == Method::GET {
        return ok(StatusCode::OK, discovery::version());
    }
    if !authorized(&headers) {
        return Status::unauthorized().into_response();
    }
    let q: HashMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let Some(route) = parse(path) else {
        return Status::no_route().into_response();
    };
    let doc = match route {
        Route::Objects(t) => return objects(world, method, t, &q, &headers, body).await,
        _ if method != Method::GET => return Status::method_not_allowed().into_response(),
        Route::Version => Some(discovery::version()),
        Route::Api => Some(discovery::api_versions()),
        Route::Apis => Some(discovery::api_group_list()),
        Route::Group(g) => discovery::api_group(&g),
        Route::ResourceList(g, v) => discovery::resource_list(&g, &v),
        Route::OpenApiRoot => Some(discovery::openapi_root()),
        Route::OpenApiDoc(p) => discovery::openapi_doc(&p),
    };
    let call = match world.core.begin("kubernetes.discovery.get").await {
        Ok(call) => call,
        Err(injected) => return Status::injected(&injected, None, "").into_response(),
    };
    call.finish(match doc {
        Some(d) => ok(StatusCode::OK, d),
        None => Status::no_route().into_response(),
    })
}

fn verb(method: &Method, t: &Target, q: &HashMap<String, String>) -> Option<&'static str> {
    let watching = matches!(q.get("watch").map(String::as_str), Some("true" | "1"));
    Some(match (method.as_str(), t.name.is_some()) {
        ("GET", false) if watching => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", false) if !t.status && (t.ns.is_some() || !t.res.namespaced) => "create",
        ("PUT", true) => "update",
        ("PATCH", true) => "patch",
        ("DELETE", _) if !t.status => "delete",
        _ => return None,
    })
}

async fn objects(
    world: Arc<World>,
    method: Method,
    t: Target,
    q: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let Some(verb) = verb(&method, &t, q) else {
        return Status::method_not_allowed().into_response();
    };
    let name = t.name.clone().unwrap_or_default();
    let call = match world.core.begin(t.res.method(verb, t.status)).await {
        Ok(call) => call,
        Err(injected) => return Status::injected(&injected, Some(t.res), &name).into_response(),
    };
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let format = Format::from_accept(accept);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    let result = match verb {
        "get" => get(&world, &t, &name, format),
        "list" => list(&world, &t, q, format),
        "watch" => watch(world.clone(), t.res, t.ns.clone(), q, format),
        "create" => create(&world, &t, q, &content_type, &body),
        "update" => update(&world, &t, &name, q, &content_type, &body),
        "patch" => patch(&world, &t, &name, q, &content_type, &body),
        _ if t.name.is_none() => delete_collection(&world, &t, q),
        _ => delete(&world, &t, &name, q, &body),
    };
    call.finish(result.unwrap_or_else(IntoResponse::into_response))
}

fn get(world: &World, t: &Target, name: &str, format: Format) -> Result<Response, Status> {
    let obj = world
        .kube
        .get(t.res.plural, t.ns.as_deref(), name)
        .ok_or_else(|| Status::not_found(t.res, name))?;
    Ok(ok(StatusCode::OK, render(t.res, &obj, format)))
}

fn render(res: &ResourceInfo, obj: &Value, format: Format) -> Value {
    match format {
        Format::Full => obj.clone(),
        Format::Metadata => partial(obj),
        Format::Table => table(res, std::slice::from_ref(obj), None, false),
    }
}

fn selected(
    world: &World,
    t: &Target,
    q: &HashMap<String, String>,
) -> Result<(Vec<Value>, u64), Status> {
    let labels = LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))?;
    let fields = FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str), t.res)?;
    let (items, rv) = world.kube.list_rv(t.res, t.ns.as_deref());
    let items = items
        .into_iter()
        .filter(|o| labels.matches(o) && fields.matches(o))
        .collect();
    Ok((items, rv))
}

fn list(
    world: &World,
    t: &Target,
    q: &HashMap<String, String>,
    format: Format,
) -> Result<Response, Status> {
    if q.get("resourceVersionMatch").map(String::as_str) == Some("Exact")
        && let Some(rv) = q.get("resourceVersion").and_then(|r| r.parse::<u64>().ok())
        && let Some(expired) = world.kube.too_old(rv)
    {
        return Err(expired);
    }
    let (mut items, rv) = selected(world, t, q)?;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = |o: &Value| {
        format!(
            "{}/{}",
            o["metadata"]["namespace"].as_str().unwrap_or(""),
            o["metadata"]["name"].as_str().unwrap_or("")
        )
    };
    if let Some(token) = q.get("continue").filter(|c| !c.is_empty()) {
        let start = engine
            .decode(token)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| Status::bad_request("continue key is not valid: illegal base64 data"))?;
        items.retain(|o| key(o) > start);
    }
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(limit) = q
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        && items.len() > limit
    {
        let remaining = items.len() - limit;
        items.truncate(limit);
        if let Some(last) = items.last() {
            meta["continue"] = json!(engine.encode(key(last)));
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    let body = match format {
        Format::Table => {
            let mut tbl = table(t.res, &items, Some(&rv.to_string()), false);
            tbl["metadata"] = meta;
            tbl
        }
        Format::Metadata => json!({
            "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "items": items.iter().map(partial).collect::<Vec<_>>(),
        }),
        Format::Full => {
            for o in &mut items {
                if let Some(m) = o.as_object_mut() {
                    m.remove("kind");
                    m.remove("apiVersion");
                }
            }
            json!({"kind": format!("{}List", t.res.kind), "apiVersion": t.res.api_version(), "metadata": meta, "items": items})
        }
    };
    Ok(ok(StatusCode::OK, body))
}

fn write_options(q: &HashMap<String, String>, patch: bool) -> Result<WriteOptions, Status> {
    let dry_run = match q.get("dryRun").map(String::as_str) {
        None | Some("") => false,
        Some("All") => true,
        Some(other) => {
            return Err(Status::bad_request(format!(
                "Invalid dry run value: {other:?}: supported values: \"All\""
            )));
        }
    };
    Ok(WriteOptions {
        dry_run,
        validation: FieldValidation::parse(q.get("fieldValidation").map(String::as_str)),
        patch,
    })
}

fn parse_body(body: &Bytes) -> Result<Value, Status> {
    serde_json::from_slice(body).map_err(|e| {
        Status::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

/// A POST/PUT body: JSON, or protobuf as kubectl's typed clients send it.
fn parse_object(content_type: &str, body: &Bytes) -> Result<Value, Status> {
    match content_type {
        "application/vnd.kubernetes.protobuf" => super::proto::decode(body)
            .map_err(|e| Status::bad_request(format!("failed to decode protobuf body: {e}"))),
        "" | "application/json" | "application/yaml" | "*/*" => parse_body(body),
        other => Err(Status::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {other:?})"
            ),
        )),
    }
}

fn written(code: StatusCode, w: Written) -> Response {
    let mut resp = ok(code, w.object);
    for warning in w.warnings {
        let text = format!("299 - \"{}\"", warning.replace('"', "\\\""));
        if let Ok(v) = HeaderValue::from_str(&text) {
            resp.headers_mut().append(header::WARNING, v);
        }
    }
    resp
}

fn create(
    world: &World,
    t: &Target,
    q: &HashMap<String, String>,
    content_type: &str,
    body: &Bytes,
) -> Result<Response, Status> {
    let opts = write_options(q, false)?;
    let obj = parse_object(content_type, body)?;
    let w = world.kube.create_obj(t.res, t.ns.as_deref(), obj, opts)?;
    Ok(written(StatusCode::CREATED, w))
}

fn update(
    world: &World,
    t: &Target,
    name: &str,
    q: &HashMap<String, String>,
    content_type: &str,
    body: &Bytes,
) -> Result<Response, Status> {
    let opts = write_options(q, false)?;
    let obj = parse_object(content_type, body)?;
    let w = world
        .kube
        .update_obj(t.res, t.ns.as_deref(), name, t.status, opts, |_| Ok(obj))?;
    Ok(written(StatusCode::OK, w))
}

fn patch(
    world: &World,
    t: &Target,
    name: &str,
    q: &HashMap<String, String>,
    content_type: &str,
    body: &Bytes,
) -> Result<Response, Status> {
    let opts = write_options(q, true)?;
    let plural = t.res.plural;
    let p = match content_type {
        "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json" => parse_body(body)?,
        other => return Err(Status::unsupported_patch(other)),
    };
    if content_type != "application/json-patch+json" && !p.is_object() {
        return Err(Status::bad_request(format!(
            "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            if p.is_array() { "array" } else { "value" }
        )));
    }
    let ct = content_type.to_string();
    let w = world.kube.update_obj(
        t.res,
        t.ns.as_deref(),
        name,
        t.status,
        opts,
        move |mut cur| {
            match ct.as_str() {
                "application/merge-patch+json" => merge_patch(&mut cur, &p),
                "application/strategic-merge-patch+json" => {
                    strategic_merge(&mut cur, &p, plural).map_err(Status::bad_request)?
                }
                _ => json_patch(&mut cur, &p).map_err(|e| match e {
                    JsonPatchError::Decode(m) => Status::bad_request(m),
                    JsonPatchError::Apply(m) => Status::unprocessable(&m),
                })?,
            }
            Ok(cur)
        },
    )?;
    Ok(written(StatusCode::OK, w))
}

fn delete_options(q: &HashMap<String, String>, body: &Bytes) -> Result<DeleteOptions, Status> {
    let opts: Value = if body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else {
        parse_body(body)?
    };
    let policy = q
        .get("propagationPolicy")
        .map(String::as_str)
        .or(opts["propagationPolicy"].as_str());
    if let Some(p) = policy
        && !["Orphan", "Background", "Foreground"].contains(&p)
    {
        return Err(Status::new(
            422,
            "Invalid",
            format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: {p:?}: supported values: \"Foreground\", \"Background\", \"Orphan\""
            ),
        ));
    }
    let dry_run = q.get("dryRun").map(String::as_str) == Some("All")
        || opts["dryRun"]
            .as_array()
            .is_some_and(|d| d.iter().any(|v| v == "All"));
    Ok(DeleteOptions {
        dry_run,
        uid: opts["preconditions"]["uid"].as_str().map(str::to_string),
        resource_version: opts["preconditions"]["resourceVersion"]
            .as_str()
            .map(str::to_string),
    })
}

fn delete(
    world: &World,
    t: &Target,
    name: &str,
    q: &HashMap<String, String>,
    body: &Bytes,
) -> Result<Response, Status> {
    let opts = delete_options(q, body)?;
    Ok(
        match world.kube.delete_obj(t.res, t.ns.as_deref(), name, &opts)? {
            Deletion::Pending(obj) => ok(StatusCode::OK, obj),
            Deletion::Gone(obj) if t.res.delete_returns_object => ok(StatusCode::OK, obj),
            Deletion::Gone(obj) => {
                let mut details = json!({"name": name, "group": t.res.group, "kind": t.res.plural, "uid": obj["metadata"]["uid"]});
                if t.res.group.is_empty()
                    && let Some(m) = details.as_object_mut()
                {
                    m.remove("group");
                }
                ok(
                    StatusCode::OK,
                    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}),
                )
            }
        },
    )
}

fn delete_collection(
    world: &World,
    t: &Target,
    q: &HashMap<String, String>,
) -> Result<Response, Status> {
    let opts = delete_options(q, &Bytes::new())?;
    let (items, rv) = selected(world, t, q)?;
    let mut deleted = Vec::new();
    for o in items {
        let name = o["metadata"]["name"].as_str().unwrap_or_default();
        let ns = o["metadata"]["namespace"].as_str();
        match world.kube.delete_obj(t.res, ns, name, &opts) {
            Ok(Deletion::Pending(v) | Deletion::Gone(v)) => deleted.push(v),
            Err(s) if s.code == 404 => {}
            Err(s) => return Err(s),
        }
    }
    Ok(ok(
        StatusCode::OK,
        json!({"kind": format!("{}List", t.res.kind), "apiVersion": t.res.api_version(), "metadata": {"resourceVersion": rv.to_string()}, "items": deleted}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(path: &str) -> Target {
        match parse(path) {
            Some(Route::Objects(t)) => t,
            _ => panic!("{path} is not an object path"),
        }
    }

    #[test]
    fn paths() {
        let t = target("/apis/networking.k8s.io/v1/namespaces/prod/ingresses/web/status");
        assert_eq!(
            (t.res.plural, t.ns.as_deref(), t.name.as_deref(), t.status),
            ("ingresses", Some("prod"), Some("web"), true)
        );
        let t = target("/api/v1/namespaces/default/secrets");
        assert_eq!(
            (t.res.plural, t.ns.as_deref(), t.name),
            ("secrets", Some("default"), None)
        );
        let t = target("/api/v1/namespaces/kube-system");
        assert_eq!(
            (t.res.plural, t.name.as_deref()),
            ("namespaces", Some("kube-system"))
        );
        let t = target("/api/v1/namespaces/kube-system/status");
        assert!(t.status && t.res.plural == "namespaces");
        let t = target("/apis/networking.k8s.io/v1/ingresses");
        assert!(t.ns.is_none() && t.name.is_none());
        assert!(
            parse("/api/v1/secrets/x").is_none(),
            "namespaced items need a namespace"
        );
        assert!(parse("/api/v1/namespaces/default/secrets/x/status").is_none());
        assert!(parse("/apis/apps/v1/namespaces/default/deployments").is_none());
        assert!(
            matches!(parse("/openapi/v3/apis/networking.k8s.io/v1"), Some(Route::OpenApiDoc(p)) if p == "apis/networking.k8s.io/v1")
        );
    }
}
