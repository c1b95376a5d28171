//! Semantic validation of decoded objects, mirroring the API server's
//! `pkg/apis/*/validation` for the fields the sandbox serves: object names, labels and
//! annotations, TLS Secrets, Ingress v1 rules/backends/TLS hosts, Services, and the
//! update rules (immutable Secret type and data, no new finalizers while terminating).
//!
//! It returns [`FieldError`]s with the server's wording; the store turns a non-empty list
//! into `422 Invalid`. It never changes the object.

use std::collections::BTreeSet;

use serde_json::Value;

use super::resources::ResourceInfo;
use super::status::FieldError;

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1035_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
pub(super) const WILDCARD_MSG: &str = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QNAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG: &str = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const MAX_SECRET_SIZE: usize = 1024 * 1024;

fn is_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// Messages for a DNS-1123 subdomain (empty when valid).
pub fn dns1123_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if !s.split('.').all(is_label) {
        errs.push(SUBDOMAIN_MSG.to_string());
    }
    errs
}

/// Messages for a DNS-1123 label (namespace names).
pub fn dns1123_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(s) {
        errs.push(LABEL_MSG.to_string());
    }
    errs
}

/// Messages for a DNS-1035 label (Service names).
pub fn dns1035_label(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    if !is_label(s) || !s.as_bytes()[0].is_ascii_lowercase() {
        errs.push(DNS1035_MSG.to_string());
    }
    errs
}

pub(super) fn wildcard_subdomain(s: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if s.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    match s.strip_prefix("*.") {
        Some(rest) if rest.split('.').all(is_label) => {}
        _ => errs.push(WILDCARD_MSG.to_string()),
    }
    errs
}

fn is_qname_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// Messages for a qualified name (label and annotation keys, finalizers).
pub fn qualified_name(s: &str) -> Vec<String> {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let mut errs = Vec::new();
    if let Some(p) = prefix {
        if p.is_empty() {
            errs.push("prefix part must be non-empty".to_string());
        } else {
            errs.extend(
                dns1123_subdomain(p)
                    .into_iter()
                    .map(|m| format!("prefix part {m}")),
            );
        }
    }
    if name.is_empty() {
        errs.push("name part must be non-empty".to_string());
    } else if name.len() > 63 {
        errs.push("name part must be no more than 63 characters".to_string());
    } else if !is_qname_part(name) {
        errs.push(QNAME_MSG.to_string());
    }
    errs
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn name_errors(res: &ResourceInfo, name: &str) -> Vec<String> {
    match res.plural {
        "namespaces" => dns1123_label(name),
        "services" => dns1035_label(name),
        _ => dns1123_subdomain(name),
    }
}

fn validate_meta(res: &ResourceInfo, obj: &Value, errs: &mut Vec<FieldError>) {
    let meta = &obj["metadata"];
    match meta["name"].as_str() {
        Some(name) => {
            for m in name_errors(res, name) {
                errs.push(FieldError::invalid("metadata.name", name, &m));
            }
        }
        None => errs.push(FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )),
    }
    if !res.namespaced && meta.get("namespace").is_some() {
        errs.push(FieldError::forbidden(
            "metadata.namespace",
            "not allowed on this type",
        ));
    }
    if let Some(labels) = meta["labels"].as_object() {
        for (k, v) in labels {
            for m in qualified_name(k) {
                errs.push(FieldError::invalid("metadata.labels", k, &m));
            }
            let v = v.as_str().unwrap_or_default();
            if v.len() > 63 {
                errs.push(FieldError::invalid(
                    "metadata.labels",
                    v,
                    "must be no more than 63 characters",
                ));
            }
            if !v.is_empty() && !is_qname_part(v) {
                errs.push(FieldError::invalid("metadata.labels", v, LABEL_VALUE_MSG));
            }
        }
    }
    if let Some(annotations) = meta["annotations"].as_object() {
        let mut size = 0;
        for (k, v) in annotations {
            for m in qualified_name(&k.to_lowercase()) {
                errs.push(FieldError::invalid("metadata.annotations", k, &m));
            }
            size += k.len() + v.as_str().map_or(0, str::len);
        }
        if size > 256 * 1024 {
            errs.push(FieldError::too_long("metadata.annotations", 256 * 1024));
        }
    }
    if let Some(finalizers) = meta["finalizers"].as_array() {
        for (i, f) in finalizers.iter().enumerate() {
            let f = f.as_str().unwrap_or_default();
            for m in qualified_name(f) {
                errs.push(FieldError::invalid(
                    format!("metadata.finalizers[{i}]"),
                    f,
                    &m,
                ));
            }
        }
    }
}

/// Validates `obj` (decoded, defaulted) as a create (`old` = None) or an update.
pub fn validate(res: &ResourceInfo, obj: &Value, old: Option<&Value>) -> Vec<FieldError> {
    let mut errs = Vec::new();
    validate_meta(res, obj, &mut errs);
    if let Some(old) = old {
        validate_meta_update(obj, old, &mut errs);
    }
    match res.plural {
        "secrets" => validate_secret(obj, old, &mut errs),
        "ingresses" => super::validate_ingress::validate_ingress(obj, old.is_none(), &mut errs),
        "services" => validate_service(obj, &mut errs),
        "endpointslices" => match obj["addressType"].as_str() {
            None => errs.push(FieldError::required("addressType", "")),
            Some("IPv4" | "IPv6" | "FQDN") => {}
            Some(other) => errs.push(FieldError::not_supported(
                "addressType",
                other,
                &["FQDN", "IPv4", "IPv6"],
            )),
        },
        "ingressclasses" => {
            let controller = str_at(obj, &["spec", "controller"]).unwrap_or_default();
            if controller.is_empty() {
                errs.push(FieldError::required("spec.controller", ""));
            } else if let Some(prev) = old.and_then(|o| str_at(o, &["spec", "controller"]))
                && prev != controller
            {
                errs.push(FieldError::invalid(
                    "spec.controller",
                    controller,
                    "field is immutable",
                ));
            }
        }
        _ => {}
    }
    errs
}

fn string_set(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn validate_meta_update(obj: &Value, old: &Value, errs: &mut Vec<FieldError>) {
    if old["metadata"].get("deletionTimestamp").is_none() {
        return;
    }
    let before = string_set(&old["metadata"]["finalizers"]);
    let added: Vec<String> = string_set(&obj["metadata"]["finalizers"])
        .into_iter()
        .filter(|f| !before.contains(f))
        .collect();
    if !added.is_empty() {
        let list = added
            .iter()
            .map(|f| format!("{f:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        errs.push(FieldError::forbidden(
            "metadata.finalizers",
            &format!(
                "no new finalizers can be added if the object is being deleted, found new finalizers []string{{{list}}}"
            ),
        ));
    }
}

fn validate_secret(obj: &Value, old: Option<&Value>, errs: &mut Vec<FieldError>) {
    let data = obj["data"].as_object();
    let mut size = 0;
    for (k, v) in data.into_iter().flatten() {
        let valid = !k.is_empty()
            && k.len() <= 253
            && k.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
        if !valid {
            errs.push(FieldError::invalid(format!("data[{k}]"), k, CONFIG_KEY_MSG));
        } else if k == "." || k == ".." {
            errs.push(FieldError::invalid(
                format!("data[{k}]"),
                k,
                &format!("must not be '{k}'"),
            ));
        }
        size += v.as_str().map_or(0, |s| s.len() / 4 * 3);
    }
    if size > MAX_SECRET_SIZE {
        errs.push(FieldError::too_long("data", MAX_SECRET_SIZE));
    }
    let ty = obj["type"].as_str().unwrap_or("Opaque");
    if ty == "kubernetes.io/tls" {
        for key in ["tls.crt", "tls.key"] {
            if data.is_none_or(|d| !d.contains_key(key)) {
                errs.push(FieldError::required(format!("data[{key}]"), ""));
            }
        }
    }
    if let Some(old) = old {
        let old_ty = old["type"].as_str().unwrap_or("Opaque");
        if old_ty != ty {
            errs.push(FieldError::invalid("type", ty, "field is immutable"));
        }
        if old["immutable"] == Value::Bool(true) {
            if obj["immutable"] != Value::Bool(true) {
                errs.push(FieldError::forbidden(
                    "immutable",
                    "field is immutable when `immutable` is set",
                ));
            }
            if obj["data"] != old["data"] {
                errs.push(FieldError::forbidden(
                    "data",
                    "field is immutable when `immutable` is set",
                ));
            }
        }
    }
}

fn validate_service(obj: &Value, errs: &mut Vec<FieldError>) {
    let spec = &obj["spec"];
    let ty = spec["type"].as_str().unwrap_or("ClusterIP");
    let types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    if !types.contains(&ty) {
        errs.push(FieldError::not_supported("spec.type", ty, &types));
    }
    let ports = spec["ports"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if ports.is_empty() && ty != "ExternalName" && spec["clusterIP"] != "None" {
        errs.push(FieldError::required("spec.ports", ""));
    }
    for (i, p) in ports.iter().enumerate() {
        let port = p["port"].as_i64().unwrap_or(0);
        if !(1..=65535).contains(&port) {
            errs.push(FieldError::invalid_raw(
                format!("spec.ports[{i}].port"),
                &port.to_string(),
                "must be between 1 and 65535, inclusive",
            ));
        }
        let proto = p["protocol"].as_str().unwrap_or("TCP");
        if !["SCTP", "TCP", "UDP"].contains(&proto) {
            errs.push(FieldError::not_supported(
                format!("spec.ports[{i}].protocol"),
                proto,
                &["SCTP", "TCP", "UDP"],
            ));
        }
        if ports.len() > 1 && p["name"].as_str().unwrap_or_default().is_empty() {
            errs.push(FieldError::required(format!("spec.ports[{i}].name"), ""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::lookup;
    use serde_json::json;

    fn ing() -> &'static ResourceInfo {
        lookup("networking.k8s.io", "ingresses").unwrap()
    }

    #[test]
    fn names() {
        assert!(dns1123_subdomain("web-green.v2").is_empty());
        assert_eq!(dns1123_subdomain("Bad_Name"), vec![SUBDOMAIN_MSG]);
        assert!(dns1123_label("a.b").len() == 1);
        assert!(dns1035_label("1abc").len() == 1);
        assert!(qualified_name("networking.gke.io/ingress-finalizer-V2").is_empty());
        assert!(!qualified_name("bad key").is_empty());
        assert!(wildcard_subdomain("*.example.com").is_empty());
    }

    #[test]
    fn tls_secret_and_terminating_finalizers() {
        let sec = lookup("", "secrets").unwrap();
        let obj = json!({"metadata": {"name": "s"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "YQ=="}});
        let errs = validate(sec, &obj, None);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].to_string(), "data[tls.key]: Required value");
        let old = json!({"metadata": {"name": "web", "deletionTimestamp": "2025-01-01T00:00:00Z", "finalizers": ["a/b"]},
            "spec": {"defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}});
        let mut new = old.clone();
        new["metadata"]["finalizers"] = json!(["a/b", "c/d"]);
        let errs = validate(ing(), &new, Some(&old));
        assert_eq!(
            errs[0].to_string(),
            "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"c/d\"}"
        );
    }
}
