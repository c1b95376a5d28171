//! Validation of Ingress v1 specs, as the API server's `networking/validation` does it:
//! a default backend or rules, hosts that are DNS names (wildcards allowed, IPs not),
//! `pathType` on every path with absolute paths for `Exact`/`Prefix`, backends naming a
//! Service and a port by number or name, TLS hosts and Secret names, the class
//! annotation agreeing with `spec.ingressClassName`, and load-balancer IPs in status.

use serde_json::Value;

use super::status::FieldError;
use super::validate::{dns1035_label, dns1123_subdomain, wildcard_subdomain};

const PATH_TYPES: &[&str] = &["Exact", "ImplementationSpecific", "Prefix"];

fn validate_backend(b: &Value, path: &str, errs: &mut Vec<FieldError>) {
    let service = b.get("service");
    let resource = b.get("resource");
    match (service, resource) {
        (Some(_), Some(_)) => errs.push(FieldError::invalid(
            path,
            "",
            "cannot set both resource and service backends",
        )),
        (None, Some(r)) => {
            if r["kind"].as_str().unwrap_or_default().is_empty() {
                errs.push(FieldError::required(format!("{path}.resource.kind"), ""));
            }
            if r["name"].as_str().unwrap_or_default().is_empty() {
                errs.push(FieldError::required(format!("{path}.resource.name"), ""));
            }
        }
        (Some(s), None) => {
            let name = s["name"].as_str().unwrap_or_default();
            if name.is_empty() {
                errs.push(FieldError::required(format!("{path}.service.name"), ""));
            } else {
                for m in dns1035_label(name) {
                    errs.push(FieldError::invalid(
                        format!("{path}.service.name"),
                        name,
                        &m,
                    ));
                }
            }
            let port_name = s["port"]["name"].as_str().unwrap_or_default();
            let number = s["port"]["number"].as_i64().unwrap_or(0);
            match (port_name.is_empty(), number == 0) {
                (false, false) => errs.push(FieldError::invalid(
                    path,
                    "",
                    "cannot set both port name & port number",
                )),
                (false, true) => {
                    if let Some(m) = port_name_error(port_name) {
                        errs.push(FieldError::invalid(
                            format!("{path}.service.port.name"),
                            port_name,
                            m,
                        ));
                    }
                }
                (true, false) => {
                    if !(1..=65535).contains(&number) {
                        errs.push(FieldError::invalid_raw(
                            format!("{path}.service.port.number"),
                            &number.to_string(),
                            "must be between 1 and 65535, inclusive",
                        ));
                    }
                }
                (true, true) => errs.push(FieldError::required(
                    path,
                    "port name or number is required",
                )),
            }
        }
        (None, None) => errs.push(FieldError::invalid(
            path,
            "",
            "resource or service backend is required",
        )),
    }
}

fn port_name_error(s: &str) -> Option<&'static str> {
    if s.len() > 15 {
        return Some("must be no more than 15 characters");
    }
    if !s
        .bytes()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
    {
        return Some("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if s.contains("--") {
        return Some("must not contain consecutive hyphens");
    }
    if !s.bytes().any(|c| c.is_ascii_lowercase()) {
        return Some("must contain at least one letter (a-z)");
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("must not begin or end with a hyphen");
    }
    None
}

fn host_errors(host: &str) -> Vec<String> {
    if host.contains('*') {
        wildcard_subdomain(host)
    } else {
        dns1123_subdomain(host)
    }
}

pub(super) fn validate_ingress(obj: &Value, create: bool, errs: &mut Vec<FieldError>) {
    let spec = &obj["spec"];
    let rules = spec["rules"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if create {
        let class = obj["metadata"]["annotations"]["kubernetes.io/ingress.class"].as_str();
        if let (Some(a), Some(c)) = (class, spec["ingressClassName"].as_str())
            && a != c
        {
            errs.push(FieldError::invalid(
                "annotations.kubernetes.io/ingress.class",
                a,
                "must match `ingressClassName` when both are specified",
            ));
        }
    }
    if rules.is_empty() && spec.get("defaultBackend").is_none() {
        errs.push(FieldError::invalid_raw(
            "spec",
            "[]networking.IngressRule(nil)",
            "either `defaultBackend` or `rules` must be specified",
        ));
    }
    if let Some(b) = spec.get("defaultBackend") {
        validate_backend(b, "spec.defaultBackend", errs);
    }
    for (i, rule) in rules.iter().enumerate() {
        if let Some(host) = rule["host"].as_str() {
            if host.parse::<std::net::IpAddr>().is_ok() {
                errs.push(FieldError::invalid(
                    format!("spec.rules[{i}].host"),
                    host,
                    "must be a DNS name, not an IP address",
                ));
            }
            for m in host_errors(host) {
                errs.push(FieldError::invalid(
                    format!("spec.rules[{i}].host"),
                    host,
                    &m,
                ));
            }
        }
        let Some(http) = rule.get("http") else {
            continue;
        };
        let paths = http["paths"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        if paths.is_empty() {
            errs.push(FieldError::required(
                format!("spec.rules[{i}].http.paths"),
                "",
            ));
        }
        for (j, p) in paths.iter().enumerate() {
            let at = format!("spec.rules[{i}].http.paths[{j}]");
            validate_path(p, &at, errs);
        }
    }
    for (i, tls) in spec["tls"].as_array().into_iter().flatten().enumerate() {
        for (j, host) in tls["hosts"].as_array().into_iter().flatten().enumerate() {
            let host = host.as_str().unwrap_or_default();
            for m in host_errors(host) {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{i}].hosts[{j}]"),
                    host,
                    &m,
                ));
            }
        }
        if let Some(secret) = tls["secretName"].as_str() {
            for m in dns1123_subdomain(secret) {
                errs.push(FieldError::invalid(
                    format!("spec.tls[{i}].secretName"),
                    secret,
                    &m,
                ));
            }
        }
    }
    if let Some(class) = spec["ingressClassName"].as_str() {
        for m in dns1123_subdomain(class) {
            errs.push(FieldError::invalid("spec.ingressClassName", class, &m));
        }
    }
    let lbs = obj["status"]["loadBalancer"]["ingress"].as_array();
    for (i, lb) in lbs.into_iter().flatten().enumerate() {
        if let Some(ip) = lb["ip"].as_str()
            && ip.parse::<std::net::IpAddr>().is_err()
        {
            errs.push(FieldError::invalid(
                format!("status.loadBalancer.ingress[{i}].ip"),
                ip,
                "must be a valid IP address",
            ));
        }
    }
}

fn validate_path(p: &Value, at: &str, errs: &mut Vec<FieldError>) {
    let path = p["path"].as_str().unwrap_or_default();
    let Some(path_type) = p["pathType"].as_str() else {
        errs.push(FieldError::required(
            format!("{at}.pathType"),
            "pathType must be specified",
        ));
        return;
    };
    match path_type {
        "Exact" | "Prefix" => {
            if !path.starts_with('/') {
                errs.push(FieldError::invalid(
                    format!("{at}.path"),
                    path,
                    "must be an absolute path",
                ));
            }
            for seq in ["//", "/./", "/../", "%2f", "%2F"] {
                if path.contains(seq) {
                    errs.push(FieldError::invalid(
                        format!("{at}.path"),
                        path,
                        &format!("must not contain '{seq}'"),
                    ));
                }
            }
            for suffix in ["/..", "/."] {
                if path.ends_with(suffix) {
                    errs.push(FieldError::invalid(
                        format!("{at}.path"),
                        path,
                        &format!("cannot end with '{suffix}'"),
                    ));
                }
            }
        }
        "ImplementationSpecific" => {
            if !path.is_empty() && !path.starts_with('/') {
                errs.push(FieldError::invalid(
                    format!("{at}.path"),
                    path,
                    "must be an absolute path",
                ));
            }
        }
        other => errs.push(FieldError::not_supported(
            format!("{at}.pathType"),
            other,
            PATH_TYPES,
        )),
    }
    validate_backend(&p["backend"], &format!("{at}.backend"), errs);
}

#[cfg(test)]
mod tests {
    use crate::sandbox::kube::resources::{ResourceInfo, lookup};
    use crate::sandbox::kube::validate::validate;
    use serde_json::json;

    fn ing() -> &'static ResourceInfo {
        lookup("networking.k8s.io", "ingresses").unwrap()
    }

    #[test]
    fn ingress_rules() {
        let obj = json!({"metadata": {"name": "web"}, "spec": {
            "rules": [{"host": "10.0.0.1", "http": {"paths": [
                {"path": "x", "backend": {"service": {"name": "s", "port": {"number": 80}}}},
                {"path": "x", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {}}}},
                {"pathType": "Regex", "backend": {"service": {"name": "s", "port": {"name": "http"}}}}]}}],
            "tls": [{"hosts": ["Bad_Host"], "secretName": "tls"}]}});
        let errs: Vec<String> = validate(ing(), &obj, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            errs[0],
            "spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"
        );
        assert!(
            errs.contains(
                &"spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
                    .to_string()
            )
        );
        assert!(
            errs.contains(
                &"spec.rules[0].http.paths[1].path: Invalid value: \"x\": must be an absolute path"
                    .to_string()
            )
        );
        assert!(errs.contains(&"spec.rules[0].http.paths[1].backend: Required value: port name or number is required".to_string()));
        assert!(errs.contains(&"spec.rules[0].http.paths[2].pathType: Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\"".to_string()));
        assert!(
            errs.iter()
                .any(|e| e.starts_with("spec.tls[0].hosts[0]: Invalid value: \"Bad_Host\""))
        );
        let empty = json!({"metadata": {"name": "web"}, "spec": {}});
        assert_eq!(
            validate(ing(), &empty, None)[0].to_string(),
            "spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
        );
    }

    #[test]
    fn class_annotation_must_match_and_ports_are_checked() {
        let obj = json!({"metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "gce"}},
            "spec": {"ingressClassName": "other", "defaultBackend": {"service": {"name": "Web", "port": {"number": 70000}}}}});
        let errs: Vec<String> = validate(ing(), &obj, None)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            errs[0].starts_with("annotations.kubernetes.io/ingress.class: Invalid value: \"gce\""),
            "{errs:?}"
        );
        assert!(
            errs.iter()
                .any(|e| e.starts_with("spec.defaultBackend.service.name: Invalid value: \"Web\""))
        );
        assert!(errs.iter().any(|e| e == "spec.defaultBackend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive"));
        let mut update = obj.clone();
        update["spec"]["defaultBackend"] =
            json!({"service": {"name": "web", "port": {"name": "http"}}});
        assert!(
            validate(ing(), &update, Some(&obj)).is_empty(),
            "the class check applies on create only"
        );
    }
}
