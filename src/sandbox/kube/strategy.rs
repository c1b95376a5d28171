//! Per-type rules applied before validation, like the API server's registry strategies:
//! defaults on create (Secret `type`, Namespace phase and finalizer, Service cluster IP
//! and node ports), `stringData` folded into `data`, what the main resource and the
//! `/status` subresource may change, and when `metadata.generation` moves.
//!
//! Functions here take and return plain JSON; they never touch the store's locks or
//! history.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::{Map, Value, json};

use super::resources::ResourceInfo;

/// Prepares a new object: type defaults, `stringData`, status reset.
/// `taken_ips`/`taken_ports` are the Service cluster IPs and node ports in use.
pub fn prepare_create(
    res: &ResourceInfo,
    obj: &mut Value,
    taken_ips: &BTreeSet<String>,
    taken_ports: &BTreeSet<i64>,
) {
    fold_string_data(obj);
    match res.plural {
        "secrets" if obj["type"].as_str().unwrap_or_default().is_empty() => {
            obj["type"] = json!("Opaque");
        }
        "namespaces" => {
            let name = obj["metadata"]["name"].clone();
            if let Some(meta) = obj["metadata"].as_object_mut() {
                let labels = meta.entry("labels").or_insert_with(|| json!({}));
                labels["kubernetes.io/metadata.name"] = name;
            }
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        "services" => default_service(obj, None, taken_ips, taken_ports),
        "ingresses" => obj["status"] = json!({"loadBalancer": {}}),
        _ => {}
    }
}

/// Prepares an update of `new` over `old` on the main resource (`status == false`) or
/// the `/status` subresource.
pub fn prepare_update(
    res: &ResourceInfo,
    new: &mut Value,
    old: &Value,
    status: bool,
    taken_ips: &BTreeSet<String>,
    taken_ports: &BTreeSet<i64>,
) {
    fold_string_data(new);
    if res.plural == "secrets" && new["type"].as_str().unwrap_or_default().is_empty() {
        new["type"] = old["type"].clone();
    }
    if res.status_subresource {
        let keep = if status { "spec" } else { "status" };
        match old.get(keep) {
            Some(v) => new[keep] = v.clone(),
            None => {
                if let Some(m) = new.as_object_mut() {
                    m.remove(keep);
                }
            }
        }
    }
    if res.plural == "namespaces" {
        new["spec"] = old["spec"].clone();
        if !status {
            new["status"] = old["status"].clone();
        }
    }
    if res.plural == "services" && !status {
        default_service(new, Some(old), taken_ips, taken_ports);
    }
}

/// The generation after an update: bumped when anything but metadata and status
/// changed (for types that keep a generation).
pub fn next_generation(res: &ResourceInfo, new: &Value, old: &Value) -> Option<i64> {
    if !res.generation {
        return None;
    }
    let old_gen = old["metadata"]["generation"].as_i64().unwrap_or(1);
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
        }
        v
    };
    Some(if strip(new) != strip(old) {
        old_gen + 1
    } else {
        old_gen
    })
}

/// Merges `stringData` into `data` (base64) and removes it.
fn fold_string_data(obj: &mut Value) {
    let Some(Value::Object(string_data)) = obj.as_object_mut().and_then(|m| m.remove("stringData"))
    else {
        return;
    };
    let engine = base64::engine::general_purpose::STANDARD;
    let data = obj
        .as_object_mut()
        .map(|m| m.entry("data").or_insert_with(|| Value::Object(Map::new())));
    if let Some(Value::Object(data)) = data {
        for (k, v) in string_data {
            let s = v.as_str().unwrap_or_default();
            data.insert(k, Value::String(engine.encode(s.as_bytes())));
        }
    }
}

fn default_service(
    obj: &mut Value,
    old: Option<&Value>,
    taken_ips: &BTreeSet<String>,
    taken_ports: &BTreeSet<i64>,
) {
    let spec = &mut obj["spec"];
    if spec["type"].as_str().unwrap_or_default().is_empty() {
        spec["type"] = json!("ClusterIP");
    }
    let ty = spec["type"].as_str().unwrap_or("ClusterIP").to_string();
    if spec["sessionAffinity"]
        .as_str()
        .unwrap_or_default()
        .is_empty()
    {
        spec["sessionAffinity"] = json!("None");
    }
    if ty == "ExternalName" {
        return;
    }
    let old_ip = old
        .and_then(|o| o["spec"]["clusterIP"].as_str())
        .map(str::to_string);
    if spec["clusterIP"].as_str().unwrap_or_default().is_empty() {
        let ip = old_ip.unwrap_or_else(|| {
            (1..4094u32)
                .map(|n| format!("34.118.{}.{}", 224 + n / 256, n % 256))
                .find(|ip| !taken_ips.contains(ip))
                .unwrap_or_else(|| "34.118.239.254".to_string())
        });
        spec["clusterIP"] = json!(ip);
    }
    let cluster_ip = spec["clusterIP"].clone();
    spec["clusterIPs"] = json!([cluster_ip]);
    spec["ipFamilies"] = json!(["IPv4"]);
    spec["ipFamilyPolicy"] = json!("SingleStack");
    if spec["internalTrafficPolicy"].is_null() {
        spec["internalTrafficPolicy"] = json!("Cluster");
    }
    let node_ports = ty == "NodePort" || ty == "LoadBalancer";
    if node_ports
        && spec["externalTrafficPolicy"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    {
        spec["externalTrafficPolicy"] = json!("Cluster");
    }
    let mut used = taken_ports.clone();
    let old_ports: Vec<Value> = old
        .and_then(|o| o["spec"]["ports"].as_array().cloned())
        .unwrap_or_default();
    if let Some(ports) = spec["ports"].as_array_mut() {
        for p in ports {
            if p["protocol"].as_str().unwrap_or_default().is_empty() {
                p["protocol"] = json!("TCP");
            }
            if p.get("targetPort").is_none() {
                p["targetPort"] = p["port"].clone();
            }
            if node_ports && p["nodePort"].as_i64().unwrap_or(0) == 0 {
                let previous = old_ports
                    .iter()
                    .find(|o| o["port"] == p["port"])
                    .and_then(|o| o["nodePort"].as_i64());
                let port = previous.unwrap_or_else(|| {
                    (30000..=32767).find(|n| !used.contains(n)).unwrap_or(32767)
                });
                used.insert(port);
                p["nodePort"] = json!(port);
            }
        }
    }
    if obj
        .get("status")
        .is_none_or(|s| s.get("loadBalancer").is_none())
    {
        obj["status"] = json!({"loadBalancer": {}});
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::by_plural;

    #[test]
    fn secrets_fold_string_data() {
        let mut s =
            json!({"metadata": {"name": "s"}, "stringData": {"a": "hello"}, "data": {"b": "eA=="}});
        prepare_create(
            by_plural("secrets").unwrap(),
            &mut s,
            &BTreeSet::new(),
            &BTreeSet::new(),
        );
        assert_eq!(s["data"], json!({"a": "aGVsbG8=", "b": "eA=="}));
        assert_eq!(s["type"], "Opaque");
        assert!(s.get("stringData").is_none());
    }

    #[test]
    fn services_get_ips_and_node_ports() {
        let mut s = json!({"metadata": {"name": "web"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}});
        let taken: BTreeSet<String> = ["34.118.224.1".to_string()].into();
        prepare_create(
            by_plural("services").unwrap(),
            &mut s,
            &taken,
            &[30000].into(),
        );
        assert_eq!(s["spec"]["clusterIP"], "34.118.224.2");
        assert_eq!(
            s["spec"]["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80, "nodePort": 30001})
        );
    }

    #[test]
    fn status_and_generation() {
        let ing = by_plural("ingresses").unwrap();
        let old = json!({"metadata": {"generation": 1}, "spec": {"a": 1}, "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}});
        let mut new = json!({"metadata": {"generation": 1}, "spec": {"a": 2}, "status": {}});
        prepare_update(
            ing,
            &mut new,
            &old,
            false,
            &BTreeSet::new(),
            &BTreeSet::new(),
        );
        assert_eq!(
            new["status"], old["status"],
            "main resource cannot change status"
        );
        assert_eq!(next_generation(ing, &new, &old), Some(2));
        let mut st = json!({"metadata": {}, "spec": {"a": 9}, "status": {"loadBalancer": {}}});
        prepare_update(ing, &mut st, &old, true, &BTreeSet::new(), &BTreeSet::new());
        assert_eq!(st["spec"], old["spec"], "status cannot change spec");
        assert_eq!(next_generation(ing, &st, &old), Some(1));
    }
}
