//! Server-side printing: the `meta.k8s.io/v1` `Table` and `PartialObjectMetadata` forms
//! a client asks for with `Accept: application/json;as=Table;…`.
//!
//! `kubectl get` prints exactly the columns and cells the server sends, so the columns
//! here are the API server's own (`NAME CLASS HOSTS ADDRESS PORTS AGE` for Ingresses,
//! `NAME TYPE DATA AGE` for Secrets, …), and ages use its `HumanDuration` format.

use std::time::{Duration, SystemTime};

use serde_json::{Value, json};

use super::resources::ResourceInfo;
use crate::util::time::parse_rfc3339;

/// The representation a client asked for in its `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The object itself.
    Full,
    /// A `Table`.
    Table,
    /// `PartialObjectMetadata` (metadata only).
    Metadata,
}

impl Format {
    /// Picks the first representation the server supports from an `Accept` header.
    pub fn from_accept(accept: &str) -> Format {
        for part in accept.split(',') {
            let p = part.replace(' ', "");
            if p.contains("as=Table") && p.contains("g=meta.k8s.io") {
                return Format::Table;
            }
            if p.contains("as=PartialObjectMetadata") && p.contains("g=meta.k8s.io") {
                return Format::Metadata;
            }
            if p.starts_with("application/json") || p.starts_with("*/*") || p.is_empty() {
                return Format::Full;
            }
        }
        Format::Full
    }
}

/// The object reduced to `PartialObjectMetadata`.
pub fn partial(obj: &Value) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]})
}

/// The API server's `HumanDuration`.
pub fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        return match secs % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return match hours % 24 {
            0 => format!("{}d", hours / 24),
            h => format!("{}d{h}h", hours / 24),
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    format!("{}y", hours / 24 / 365)
}

fn age(ts: &Value) -> String {
    match ts.as_str().and_then(parse_rfc3339) {
        Some(t) => human_duration(SystemTime::now().duration_since(t).unwrap_or_default()),
        None => "<unknown>".to_string(),
    }
}

fn col(name: &str, ty: &str, priority: u8) -> Value {
    let format = if name == "Name" { "name" } else { "" };
    json!({"name": name, "type": ty, "format": format, "description": "", "priority": priority})
}

fn columns(res: &ResourceInfo) -> Vec<Value> {
    let names: &[(&str, &str, u8)] = match res.plural {
        "namespaces" => &[
            ("Name", "string", 0),
            ("Status", "string", 0),
            ("Age", "string", 0),
        ],
        "secrets" => &[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Data", "string", 0),
            ("Age", "string", 0),
        ],
        "services" => &[
            ("Name", "string", 0),
            ("Type", "string", 0),
            ("Cluster-IP", "string", 0),
            ("External-IP", "string", 0),
            ("Port(s)", "string", 0),
            ("Age", "string", 0),
            ("Selector", "string", 1),
        ],
        "endpoints" => &[
            ("Name", "string", 0),
            ("Endpoints", "string", 0),
            ("Age", "string", 0),
        ],
        "endpointslices" => &[
            ("Name", "string", 0),
            ("AddressType", "string", 0),
            ("Ports", "string", 0),
            ("Endpoints", "string", 0),
            ("Age", "string", 0),
        ],
        "events" => &[
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Subobject", "string", 1),
            ("Source", "string", 1),
            ("Message", "string", 0),
            ("First Seen", "string", 1),
            ("Count", "string", 1),
            ("Name", "string", 1),
        ],
        "ingresses" => &[
            ("Name", "string", 0),
            ("Class", "string", 0),
            ("Hosts", "string", 0),
            ("Address", "string", 0),
            ("Ports", "string", 0),
            ("Age", "string", 0),
        ],
        "ingressclasses" => &[
            ("Name", "string", 0),
            ("Controller", "string", 0),
            ("Parameters", "string", 0),
            ("Age", "string", 0),
        ],
        _ => &[("Name", "string", 0), ("Age", "string", 0)],
    };
    names.iter().map(|(n, t, p)| col(n, t, *p)).collect()
}

fn strs(v: &Value) -> impl Iterator<Item = &str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str)
}

fn lb_addresses(lb: &Value) -> Vec<String> {
    lb["ingress"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            i["ip"]
                .as_str()
                .or(i["hostname"].as_str())
                .map(str::to_string)
        })
        .collect()
}

fn cells(res: &ResourceInfo, o: &Value) -> Vec<Value> {
    let name = o["metadata"]["name"].clone();
    let created = age(&o["metadata"]["creationTimestamp"]);
    match res.plural {
        "namespaces" => vec![name, o["status"]["phase"].clone(), json!(created)],
        "secrets" => {
            let n = o["data"].as_object().map_or(0, |d| d.len());
            vec![name, o["type"].clone(), json!(n), json!(created)]
        }
        "services" => {
            let spec = &o["spec"];
            let ty = spec["type"].as_str().unwrap_or("ClusterIP");
            let mut external: Vec<String> =
                strs(&spec["externalIPs"]).map(str::to_string).collect();
            if ty == "LoadBalancer" {
                external.extend(lb_addresses(&o["status"]["loadBalancer"]));
            }
            let external = match (external.is_empty(), ty) {
                (false, _) => external.join(","),
                (true, "LoadBalancer") => "<pending>".into(),
                (true, "ExternalName") => spec["externalName"].as_str().unwrap_or("<none>").into(),
                _ => "<none>".into(),
            };
            let ports: Vec<String> = spec["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    let proto = p["protocol"].as_str().unwrap_or("TCP");
                    match p["nodePort"].as_i64() {
                        Some(np) => format!("{}:{np}/{proto}", p["port"]),
                        None => format!("{}/{proto}", p["port"]),
                    }
                })
                .collect();
            let selector: Vec<String> = spec["selector"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect();
            vec![
                name,
                json!(ty),
                spec["clusterIP"].clone(),
                json!(external),
                json!(if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",")
                }),
                json!(created),
                json!(if selector.is_empty() {
                    "<none>".into()
                } else {
                    selector.join(",")
                }),
            ]
        }
        "endpoints" => vec![name, json!("<none>"), json!(created)],
        "endpointslices" => vec![
            name,
            o["addressType"].clone(),
            json!("<unset>"),
            json!("<unset>"),
            json!(created),
        ],
        "events" => {
            let io = &o["involvedObject"];
            let object = format!(
                "{}/{}",
                io["kind"].as_str().unwrap_or_default().to_lowercase(),
                io["name"].as_str().unwrap_or_default()
            );
            let source = match (
                o["source"]["component"].as_str(),
                o["source"]["host"].as_str(),
            ) {
                (Some(c), Some(h)) => format!("{c}, {h}"),
                (Some(c), None) => c.to_string(),
                _ => String::new(),
            };
            vec![
                json!(age(&o["lastTimestamp"])),
                o["type"].clone(),
                o["reason"].clone(),
                json!(object),
                json!(io["fieldPath"].as_str().unwrap_or_default()),
                json!(source),
                o["message"].clone(),
                json!(age(&o["firstTimestamp"])),
                json!(o["count"].as_i64().unwrap_or(1)),
                name,
            ]
        }
        "ingresses" => {
            let spec = &o["spec"];
            let class = spec["ingressClassName"].as_str().unwrap_or("<none>");
            let hosts: Vec<&str> = spec["rules"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["host"].as_str())
                .collect();
            let hosts = match hosts.len() {
                0 => "*".to_string(),
                1..=3 => hosts.join(","),
                n => format!("{} + {} more...", hosts[..3].join(","), n - 3),
            };
            let ports = if spec["tls"].as_array().is_some_and(|t| !t.is_empty()) {
                "80, 443"
            } else {
                "80"
            };
            vec![
                name,
                json!(class),
                json!(hosts),
                json!(lb_addresses(&o["status"]["loadBalancer"]).join(",")),
                json!(ports),
                json!(created),
            ]
        }
        "ingressclasses" => {
            let p = &o["spec"]["parameters"];
            let params = match p["kind"].as_str() {
                Some(kind) => format!("{kind}/{}", p["name"].as_str().unwrap_or_default()),
                None => "<none>".to_string(),
            };
            vec![
                name,
                o["spec"]["controller"].clone(),
                json!(params),
                json!(created),
            ]
        }
        _ => vec![name, json!(created)],
    }
}

/// A `Table` of `objects` (rows carry `PartialObjectMetadata`, or the full object when
/// `include_full`).
pub fn table(
    res: &ResourceInfo,
    objects: &[Value],
    resource_version: Option<&str>,
    include_full: bool,
) -> Value {
    let rows: Vec<Value> = objects
        .iter()
        .map(|o| {
            let object = if include_full { o.clone() } else { partial(o) };
            json!({"cells": cells(res, o), "object": object})
        })
        .collect();
    let mut meta = json!({});
    if let Some(rv) = resource_version {
        meta["resourceVersion"] = json!(rv);
    }
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": meta,
        "columnDefinitions": columns(res),
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::by_plural;

    #[test]
    fn human_durations() {
        let s = |n| human_duration(Duration::from_secs(n));
        assert_eq!(s(5), "5s");
        assert_eq!(s(150), "2m30s");
        assert_eq!(s(600), "10m");
        assert_eq!(s(3 * 3600 + 60), "3h1m");
        assert_eq!(s(50 * 3600), "2d2h");
    }

    #[test]
    fn ingress_row() {
        let ing = json!({"metadata": {"name": "web", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"ingressClassName": "gce", "rules": [{"host": "a.example.com"}], "tls": [{"hosts": ["a.example.com"]}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}]}}});
        let t = table(by_plural("ingresses").unwrap(), &[ing], Some("7"), false);
        assert_eq!(
            t["rows"][0]["cells"].as_array().unwrap()[..5],
            [
                json!("web"),
                json!("gce"),
                json!("a.example.com"),
                json!("34.1.2.3"),
                json!("80, 443")
            ]
        );
        assert_eq!(t["rows"][0]["object"]["kind"], "PartialObjectMetadata");
        assert_eq!(
            Format::from_accept("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"),
            Format::Table
        );
        assert_eq!(Format::from_accept("application/json"), Format::Full);
    }
}
