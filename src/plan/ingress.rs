//! Names and objects derived from the blue Ingress: green names, ownership tests, hosts,
//! ingress-gce's annotations, and the green Ingress manifest. Pure functions.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::{Ingress, IngressTLS};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{
    BASE_NAME_LABEL, CERT_ANNOTATION, CLASS_ANNOTATION, CONTROLLER_PREFIX, MANAGED_BY,
    REPLACES_ANNOTATION, ROTATION_LABEL, STATIC_IP_ANNOTATION,
};
use crate::workflow::record::LbNames;

/// The names rotate-cert creates, derived from the base name and the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GreenNames {
    /// Ingress.
    pub ingress: String,
    /// Secret.
    pub secret: String,
    /// Address (used only when blue has a static IP).
    pub address: String,
}

/// Green names for `base` and certificate fingerprint `sha256`.
pub fn green_names(base: &str, sha256: &str) -> GreenNames {
    let short = &sha256[..sha256.len().min(8)];
    let base: String = base
        .chars()
        .take(40)
        .collect::<String>()
        .trim_end_matches(['-', '.'])
        .to_string();
    let compute_base: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let compute_base = compute_base
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .to_string();
    let compute_base = if compute_base.is_empty() {
        "rc".to_string()
    } else {
        compute_base
    };
    GreenNames {
        ingress: format!("{base}-{short}"),
        secret: format!("{base}-tls-{short}"),
        address: format!("{compute_base}-ip-{short}"),
    }
}

/// The base name of an Ingress: its `rotate-cert.io/base-name` label, or its name.
pub fn base_name(ing: &Ingress) -> String {
    ing.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(BASE_NAME_LABEL).cloned())
        .or_else(|| ing.metadata.name.clone())
        .unwrap_or_default()
}

/// Whether an object carries rotate-cert's managed-by label.
pub fn is_managed(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY.0))
        .is_some_and(|v| v == MANAGED_BY.1)
}

/// Whether a Secret belongs to cert-manager (annotations or an owner reference).
pub fn is_cert_manager(meta: &ObjectMeta) -> bool {
    meta.annotations
        .as_ref()
        .is_some_and(|a| a.keys().any(|k| k.starts_with("cert-manager.io/")))
        || meta.owner_references.as_ref().is_some_and(|o| {
            o.iter()
                .any(|r| r.api_version.starts_with("cert-manager.io/"))
        })
}

/// Whether ingress-gce (external class `gce`) handles this Ingress.
pub fn is_gce(ing: &Ingress) -> Result<(), String> {
    let ann = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CLASS_ANNOTATION));
    let class_name = ing
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref());
    match (ann.map(String::as_str), class_name) {
        (Some("gce"), _) => Ok(()),
        (Some(other), _) => Err(format!(
            "its class annotation `{CLASS_ANNOTATION}` is `{other}`, not `gce`"
        )),
        (None, None) | (None, Some("gce")) => Ok(()),
        (None, Some(other)) => Err(format!(
            "its `spec.ingressClassName` is `{other}`, not `gce`"
        )),
    }
}

/// Hosts an Ingress serves (TLS hosts and rule hosts), sorted, unique.
pub fn hosts(ing: &Ingress) -> (Vec<String>, Vec<String>) {
    let spec = ing.spec.as_ref();
    let tls: BTreeSet<String> = spec
        .and_then(|s| s.tls.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|t| t.hosts.clone().unwrap_or_default())
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let rules: BTreeSet<String> = spec
        .and_then(|s| s.rules.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|r| r.host.clone())
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let all: BTreeSet<String> = tls.iter().chain(rules.iter()).cloned().collect();
    (tls.into_iter().collect(), all.into_iter().collect())
}

/// The load-balancer names ingress-gce wrote on an Ingress, when it has built one.
pub fn lb_names(ing: &Ingress) -> Option<LbNames> {
    let ann = ing.metadata.annotations.as_ref()?;
    let get = |k: &str| ann.get(&format!("{CONTROLLER_PREFIX}{k}")).cloned();
    let backends = get("backends")
        .and_then(|b| serde_json::from_str::<BTreeMap<String, String>>(&b).ok())
        .unwrap_or_default();
    Some(LbNames {
        https_forwarding_rule: get("https-forwarding-rule")?,
        https_target_proxy: get("https-target-proxy")?,
        url_map: get("url-map")?,
        forwarding_rule: get("forwarding-rule"),
        target_proxy: get("target-proxy"),
        ssl_certs: get("ssl-cert")
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default(),
        static_ip: get("static-ip"),
        backends,
    })
}

/// The Ingress's load-balancer IP from its status.
pub fn ingress_ip(ing: &Ingress) -> Option<String> {
    ing.status
        .as_ref()?
        .load_balancer
        .as_ref()?
        .ingress
        .as_ref()?
        .iter()
        .find_map(|i| i.ip.clone())
}

/// The name to query and probe for a host (`*.example.com` → a label under it).
pub fn check_name(host: &str) -> String {
    match host.strip_prefix("*.") {
        Some(rest) => format!("rotate-cert-check.{rest}"),
        None => host.to_string(),
    }
}

/// Builds the green Ingress from the blue one: same rules, paths, backends and class;
/// blue's annotations minus the controller's, cert-manager's, `kubectl apply` bookkeeping
/// and blue's static-IP name (replaced by the green address when blue had one); TLS from
/// the green Secret; rotate-cert's labels.
pub fn green_ingress(
    blue: &Ingress,
    names: &GreenNames,
    rotation_id: &str,
    sha256: &str,
    with_address: bool,
) -> Ingress {
    let ns = blue.metadata.namespace.clone();
    let blue_name = blue.metadata.name.clone().unwrap_or_default();
    let mut annotations: BTreeMap<String, String> = blue
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| {
            !k.starts_with(CONTROLLER_PREFIX)
                && !k.starts_with("cert-manager.io/")
                && !k.starts_with("acme.cert-manager.io/")
                && !k.starts_with("rotate-cert.io/")
                && k != "kubectl.kubernetes.io/last-applied-configuration"
                && k != STATIC_IP_ANNOTATION
        })
        .collect();
    if with_address {
        annotations.insert(STATIC_IP_ANNOTATION.to_string(), names.address.clone());
    }
    annotations.insert(CERT_ANNOTATION.to_string(), sha256.to_string());
    annotations.insert(
        REPLACES_ANNOTATION.to_string(),
        format!("{}/{blue_name}", ns.clone().unwrap_or_default()),
    );
    let mut labels: BTreeMap<String, String> = blue
        .metadata
        .labels
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !k.starts_with("rotate-cert.io/") && k != MANAGED_BY.0)
        .collect();
    labels.insert(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string());
    labels.insert(BASE_NAME_LABEL.to_string(), base_name(blue));
    labels.insert(ROTATION_LABEL.to_string(), label_value(rotation_id));
    let mut spec = blue.spec.clone().unwrap_or_default();
    let (tls_hosts, _) = hosts(blue);
    spec.tls = Some(vec![IngressTLS {
        hosts: Some(tls_hosts),
        secret_name: Some(names.secret.clone()),
    }]);
    Ingress {
        metadata: ObjectMeta {
            name: Some(names.ingress.clone()),
            namespace: ns,
            labels: Some(labels),
            annotations: Some(annotations),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

/// A label value (≤ 63 characters, alphanumeric ends).
pub fn label_value(s: &str) -> String {
    let v: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .take(63)
        .collect();
    v.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}
