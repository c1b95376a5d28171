//! ingress-gce's translator: an Ingress becomes a URL map (host rules and path matchers,
//! `Prefix` paths as `/x` and `/x/*`) and the backend services it needs, one per Service
//! port, shared by every Ingress that uses that port; an Ingress without a default
//! backend gets `kube-system/default-http-backend`.
//!
//! Pure functions of the Ingress and the Services in the world; nothing here writes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::namer::{Namer, backend_service};
use crate::sandbox::World;
use crate::sandbox::compute::links::{Collection, self_link};

/// The `description` ingress-gce writes on every resource of a load balancer.
pub(super) fn description(ns: &str, name: &str) -> String {
    // Upstream formats it with Go's `%q`: `{"kubernetes.io/ingress-name": "ns/name"}`.
    let quoted = serde_json::to_string(&format!("{ns}/{name}")).unwrap_or_default();
    format!("{{\"kubernetes.io/ingress-name\": {quoted}}}")
}

/// A backend referenced by the Ingress: (backend service name, service, port).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct BackendRef {
    /// The backend service name.
    pub(super) bs: String,
    /// `namespace/name` of the Service.
    pub(super) service: String,
    /// The Service port number.
    pub(super) port: String,
}

fn resolve_backend(
    world: &World,
    uid: &str,
    ns: &str,
    backend: &Value,
) -> Result<BackendRef, String> {
    let svc_name = backend["service"]["name"]
        .as_str()
        .ok_or("backend without a service name")?;
    let svc = world
        .kube
        .get("services", Some(ns), svc_name)
        .ok_or_else(|| format!("error while evaluating the ingress spec: could not find service \"{ns}/{svc_name}\""))?;
    let port = &backend["service"]["port"];
    let number = if let Some(n) = port["number"].as_u64() {
        n
    } else if let Some(pname) = port["name"].as_str() {
        svc["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == pname)
            .and_then(|p| p["port"].as_u64())
            .ok_or_else(|| format!("error while evaluating the ingress spec: could not find port \"{pname}\" in service \"{ns}/{svc_name}\""))?
    } else {
        return Err(format!(
            "backend for service \"{ns}/{svc_name}\" has no port"
        ));
    };
    let port = number.to_string();
    Ok(BackendRef {
        bs: backend_service(uid, ns, svc_name, &port),
        service: format!("{ns}/{svc_name}"),
        port,
    })
}

/// The default backend ingress-gce uses when the Ingress has none.
fn default_backend(uid: &str) -> BackendRef {
    BackendRef {
        bs: backend_service(uid, "kube-system", "default-http-backend", "80"),
        service: "kube-system/default-http-backend".to_string(),
        port: "80".to_string(),
    }
}

/// Ingress paths → URL-map path rules (`Prefix /x` covers `/x` and `/x/*`).
fn gce_paths(path: &Value) -> Vec<String> {
    let p = path["path"].as_str().unwrap_or("/");
    match path["pathType"]
        .as_str()
        .unwrap_or("ImplementationSpecific")
    {
        "Exact" => vec![p.to_string()],
        "Prefix" if p == "/" => vec!["/*".to_string()],
        "Prefix" => {
            let base = p.trim_end_matches('/');
            vec![base.to_string(), format!("{base}/*")]
        }
        _ => vec![p.to_string()],
    }
}

/// Translates the Ingress into a URL map body and the backends it needs.
pub(super) fn translate(
    world: &World,
    ing: &Value,
    namer: &Namer,
    uid: &str,
) -> Result<(Value, Vec<BackendRef>), String> {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = ing["metadata"]["name"].as_str().unwrap_or_default();
    let project = &world.core.project;
    let link = |b: &BackendRef| self_link(project, Collection::BackendServices, &b.bs);
    let default = match ing["spec"]["defaultBackend"].is_object() {
        true => resolve_backend(world, uid, ns, &ing["spec"]["defaultBackend"])?,
        false => default_backend(uid),
    };
    let mut backends = BTreeSet::from([default.clone()]);
    let mut host_rules = Vec::new();
    let mut matchers = Vec::new();
    let mut by_host: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for rule in ing["spec"]["rules"].as_array().into_iter().flatten() {
        let host = rule["host"].as_str().unwrap_or("*").to_string();
        for path in rule["http"]["paths"].as_array().into_iter().flatten() {
            let b = resolve_backend(world, uid, ns, &path["backend"])?;
            backends.insert(b.clone());
            by_host
                .entry(host.clone())
                .or_default()
                .push(json!({"paths": gce_paths(path), "service": link(&b)}));
        }
    }
    for (i, (host, rules)) in by_host.into_iter().enumerate() {
        let matcher = format!(
            "host{}",
            super::namer::content_hash(&host, 8).get(..8).unwrap_or("0")
        );
        let matcher = if i == 0 && host == "*" {
            "default".to_string()
        } else {
            matcher
        };
        host_rules.push(json!({"hosts": [host], "pathMatcher": matcher}));
        matchers
            .push(json!({"name": matcher, "defaultService": link(&default), "pathRules": rules}));
    }
    let mut um = json!({
        "name": namer.url_map(),
        "description": description(ns, name),
        "defaultService": link(&default),
    });
    if !host_rules.is_empty() {
        um["hostRules"] = Value::Array(host_rules);
        um["pathMatchers"] = Value::Array(matchers);
    }
    Ok((um, backends.into_iter().collect()))
}

pub(super) fn backend_service_body(world: &World, b: &BackendRef) -> Value {
    let p = &world.core.project;
    json!({
        "name": b.bs,
        "description": json!({"kubernetes.io/service-name": b.service, "kubernetes.io/service-port": b.port}).to_string(),
        "protocol": "HTTP",
        "port": 80,
        "portName": format!("port{}", b.port),
        "timeoutSec": 30,
        "loadBalancingScheme": "EXTERNAL",
        "backends": [{
            "group": format!("https://www.googleapis.com/compute/v1/projects/{p}/zones/us-central1-a/networkEndpointGroups/{}", b.bs),
            "balancingMode": "RATE",
            "maxRatePerEndpoint": 100000000.0,
            "capacityScaler": 1.0,
        }],
        "healthChecks": [format!("https://www.googleapis.com/compute/v1/projects/{p}/global/healthChecks/{}", b.bs)],
        "connectionDraining": {"drainingTimeoutSec": 0},
    })
}
