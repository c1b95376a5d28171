//! Discovery and OpenAPI: what kubectl and kube-rs read before they touch a resource.
//!
//! `/version`, the legacy discovery documents (`/api`, `/api/v1`, `/apis`,
//! `/apis/<group>`, `/apis/<group>/<version>`) generated from the resource table, and a
//! minimal OpenAPI v3 (`/openapi/v3` and one document per group-version) that lists
//! each resource's paths and, on its PATCH operation, the `x-kubernetes-group-version-kind`
//! and `fieldValidation` parameter kubectl looks for before it trusts the server with
//! `fieldValidation=Strict`. PATCH operations deliberately declare no request body, so
//! `kubectl apply` computes strategic merge patches from its compiled-in types, exactly
//! as it does for built-in kinds. Aggregated discovery is not offered: kubectl asks for
//! it first and falls back to these documents when the answer is plain JSON.

use serde_json::{Map, Value, json};

use super::resources::{RESOURCES, ResourceInfo, groups};

/// The Kubernetes version the sandbox reports (a GKE build of 1.32).
pub const GIT_VERSION: &str = "v1.32.4-gke.1106006";

/// `GET /version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "32",
        "gitVersion": GIT_VERSION,
        "gitCommit": "5b6a2d8d1a9d4b5b8e0c1f9f8f0d5c2a1b3e4f6a",
        "gitTreeState": "clean",
        "buildDate": "2025-04-24T09:15:00Z",
        "goVersion": "go1.23.6 X:boringcrypto",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `GET /api`.
pub fn api_versions() -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.128.0.2:443"}],
    })
}

fn group_doc(group: &str) -> Value {
    let gv = json!({"groupVersion": format!("{group}/v1"), "version": "v1"});
    json!({"name": group, "versions": [gv], "preferredVersion": gv})
}

/// `GET /apis`.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = groups().into_iter().map(group_doc).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `GET /apis/<group>`, if served.
pub fn api_group(group: &str) -> Option<Value> {
    groups().contains(&group).then(|| {
        let mut g = group_doc(group);
        g["kind"] = json!("APIGroup");
        g["apiVersion"] = json!("v1");
        g
    })
}

fn resource_entry(r: &ResourceInfo) -> Value {
    let mut e = json!({
        "name": r.plural,
        "singularName": r.singular,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": r.verbs(),
    });
    if !r.short_names.is_empty() {
        e["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        e["categories"] = json!(r.categories);
    }
    e
}

/// `GET /api/v1` or `GET /apis/<group>/<version>`, if served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    if version != "v1" || (!group.is_empty() && !groups().contains(&group)) {
        return None;
    }
    let mut resources = Vec::new();
    for r in RESOURCES.iter().filter(|r| r.group == group) {
        resources.push(resource_entry(r));
        if r.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", r.plural),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let gv = if group.is_empty() {
        "v1".to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

fn gv_path(group: &str) -> String {
    if group.is_empty() {
        "api/v1".to_string()
    } else {
        format!("apis/{group}/v1")
    }
}

/// `GET /openapi/v3`: where each group-version's document is.
pub fn openapi_root() -> Value {
    let mut paths = Map::new();
    let mut all: Vec<&str> = vec![""];
    all.extend(groups());
    for g in all {
        let p = gv_path(g);
        let url = format!(
            "/openapi/v3/{p}?hash={}",
            crate::sandbox::kube::discovery::HASH
        );
        paths.insert(p, json!({"serverRelativeURL": url}));
    }
    json!({"paths": paths})
}

/// A fixed content hash for the OpenAPI documents (they never change at run time).
pub const HASH: &str = "5A1D8C0B2E4F6A7B9C1D3E5F7A9B1C3D5E7F9A1B3C5D7E9F1A3B5C7D9E1F3A5B";

fn op(r: &ResourceInfo, action: &str, query: &[&str]) -> Value {
    let params: Vec<Value> = query
        .iter()
        .map(|q| json!({"name": q, "in": "query", "schema": {"type": "string", "uniqueItems": true}}))
        .collect();
    json!({
        "operationId": format!("{action}{}", r.kind),
        "parameters": params,
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": r.group, "version": r.version, "kind": r.kind},
    })
}

/// `GET /openapi/v3/<api/v1 | apis/<group>/v1>`, if served.
pub fn openapi_doc(path: &str) -> Option<Value> {
    let group = match path.trim_matches('/') {
        "api/v1" => "",
        other => {
            let g = other.strip_prefix("apis/")?.strip_suffix("/v1")?;
            if !groups().contains(&g) {
                return None;
            }
            g
        }
    };
    let write = ["dryRun", "fieldManager", "fieldValidation"];
    let mut paths = Map::new();
    for r in RESOURCES.iter().filter(|r| r.group == group) {
        let base = format!("/{}", gv_path(group));
        let coll = if r.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}", r.plural)
        } else {
            format!("{base}/{}", r.plural)
        };
        paths.insert(
            coll.clone(),
            json!({"get": op(r, "list", &["labelSelector", "fieldSelector", "watch"]), "post": op(r, "post", &write)}),
        );
        let item = json!({
            "get": op(r, "get", &[]),
            "put": op(r, "put", &write),
            "patch": op(r, "patch", &["dryRun", "fieldManager", "fieldValidation", "force"]),
            "delete": op(r, "delete", &["dryRun", "gracePeriodSeconds", "propagationPolicy"]),
        });
        paths.insert(format!("{coll}/{{name}}"), item);
        if r.status_subresource {
            paths.insert(
                format!("{coll}/{{name}}/status"),
                json!({"get": op(r, "get", &[]), "put": op(r, "put", &write), "patch": op(r, "patch", &write)}),
            );
        }
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents() {
        let core = resource_list("", "v1").unwrap();
        let names: Vec<&str> = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"secrets") && names.contains(&"namespaces/status"));
        let net = resource_list("networking.k8s.io", "v1").unwrap();
        assert_eq!(net["resources"][0]["shortNames"], json!(["ing"]));
        assert!(resource_list("apps", "v1").is_none());
        let doc = openapi_doc("apis/networking.k8s.io/v1").unwrap();
        let patch = &doc["paths"]["/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}"]
            ["patch"];
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Ingress");
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(
            openapi_root()["paths"]["api/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap()
                .starts_with("/openapi/v3/api/v1?hash=")
        );
    }
}
