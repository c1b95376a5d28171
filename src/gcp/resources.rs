//! Compute resources as rotate-cert sees them: only the fields it uses, in its own types,
//! parsed from Google's JSON (`selfLink`-style references become names or
//! [`ResourceLink`]s, IPs become [`IpAddr`], times become [`SystemTime`], the certificate's
//! leaf gets its SHA-256 fingerprint).
//!
//! Pure conversion: no I/O. A field Google always sends that is missing or malformed is an
//! error (the caller turns it into a `Decode` error naming the resource); optional fields
//! stay optional.

use std::net::IpAddr;
use std::time::SystemTime;

use serde::Deserialize;
use serde_json::Value;

use super::links::ResourceLink;

/// A global forwarding rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardingRule {
    /// Its name.
    pub name: String,
    /// Its IP (`IPAddress`; always numeric on read).
    pub ip_address: IpAddr,
    /// The target proxy it sends traffic to.
    pub target: ResourceLink,
    /// `443-443`, `80-80`.
    pub port_range: String,
}

impl ForwardingRule {
    /// The target proxy's name.
    pub fn target_proxy(&self) -> &str {
        &self.target.name
    }

    /// Whether the target is a target HTTPS proxy.
    pub fn targets_https_proxy(&self) -> bool {
        self.target.collection == "targetHttpsProxies"
    }
}

/// A target HTTPS proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetHttpsProxy {
    /// Its name.
    pub name: String,
    /// The URL map's name.
    pub url_map: String,
    /// SSL certificate names, in order (the first is served when SNI matches none).
    pub ssl_certificates: Vec<String>,
    /// A Certificate Manager map, when the proxy uses one instead of SSL certificates.
    pub certificate_map: Option<String>,
    /// `httpKeepAliveTimeoutSec`, when set (Google's default is 610 s).
    pub http_keep_alive_timeout_sec: Option<u32>,
}

/// How an SSL certificate is managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateType {
    /// Uploaded certificate and key.
    SelfManaged,
    /// Google-managed.
    Managed,
    /// `TYPE_UNSPECIFIED` or absent (treated as self-managed by Google).
    Unspecified,
}

/// A Compute SSL certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SslCertificate {
    /// Its name.
    pub name: String,
    /// How it is managed.
    pub cert_type: CertificateType,
    /// The PEM chain as uploaded (absent for a managed certificate still provisioning).
    pub certificate_pem: Option<String>,
    /// SHA-256 of the leaf's DER, lowercase hex (see [`crate::cert::sha256_hex`]).
    pub leaf_sha256: Option<String>,
    /// `expireTime`: the leaf's notAfter.
    pub expire_time: Option<SystemTime>,
    /// `subjectAlternativeNames`: the leaf's DNS names.
    pub sans: Vec<String>,
}

/// A URL map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlMap {
    /// Its name.
    pub name: String,
    /// Every backend service it references (default, path matchers, path and route
    /// rules, weighted services), by name, sorted, without duplicates.
    pub backend_services: Vec<String>,
}

/// Health as `getHealth` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthState {
    /// At least one endpoint passes its health check.
    Healthy,
    /// Endpoints are reported and none is healthy.
    Unhealthy,
    /// Nothing reported yet (health checking warms up, or no backends).
    Unknown,
}

/// The health of one backend group (an instance group or NEG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupHealth {
    /// The group's link as the backend service names it.
    pub group: String,
    /// Healthy if any endpoint is `HEALTHY`; unhealthy if endpoints are reported and none
    /// is; unknown if none is reported.
    pub state: HealthState,
    /// Endpoints reported `HEALTHY`.
    pub healthy: usize,
    /// Endpoints reported.
    pub total: usize,
}

/// The health of a backend service across its groups.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendHealth {
    /// The backend service's name.
    pub service: String,
    /// One entry per `backends[].group`.
    pub groups: Vec<GroupHealth>,
}

impl BackendHealth {
    /// ingress-gce's rule: `Healthy` if any endpoint in any group is healthy, else
    /// `Unhealthy` if any group reported endpoints, else `Unknown` (also with no groups).
    /// A zone's NEG without endpoints therefore does not hold the service back; read
    /// [`BackendHealth::groups`] for a stricter test.
    pub fn summary(&self) -> HealthState {
        if self.groups.iter().any(|g| g.state == HealthState::Healthy) {
            HealthState::Healthy
        } else if self
            .groups
            .iter()
            .any(|g| g.state == HealthState::Unhealthy)
        {
            HealthState::Unhealthy
        } else {
            HealthState::Unknown
        }
    }
}

/// A global address's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddressStatus {
    /// Being reserved.
    Reserving,
    /// Reserved and free.
    Reserved,
    /// Used by a forwarding rule.
    InUse,
    /// A status this version does not know.
    Other(String),
}

/// A reserved global address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Its name.
    pub name: String,
    /// The IP (absent only while reserving).
    pub address: Option<IpAddr>,
    /// Its state.
    pub status: AddressStatus,
    /// Forwarding rules using it.
    pub users: Vec<ResourceLink>,
    /// Its description (rotate-cert marks the addresses it reserves there).
    pub description: Option<String>,
}

/// What to reserve.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAddress {
    /// The name (RFC 1035, 1–63 characters).
    pub name: String,
    /// A description (rotate-cert marks what it created).
    pub description: Option<String>,
    /// An IP to promote (an ephemeral IP in use); Google picks one when absent.
    pub address: Option<IpAddr>,
}

fn name_of(link: &str, what: &str) -> Result<String, String> {
    ResourceLink::parse(link)
        .map(|l| l.name)
        .ok_or_else(|| format!("`{what}` is not a resource link: `{link}`"))
}

fn time_of(s: Option<&str>, what: &str) -> Result<Option<SystemTime>, String> {
    s.map(|t| {
        crate::util::time::parse_rfc3339(t)
            .ok_or_else(|| format!("`{what}` is not an RFC 3339 time: `{t}`"))
    })
    .transpose()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

/// `globalForwardingRules.get` → [`ForwardingRule`].
pub fn forwarding_rule(v: &Value) -> Result<ForwardingRule, String> {
    #[derive(Deserialize)]
    struct Raw {
        name: String,
        #[serde(rename = "IPAddress")]
        ip: String,
        target: Option<String>,
        #[serde(rename = "portRange", default)]
        port_range: String,
    }
    let r = Raw::deserialize(v).map_err(|e| e.to_string())?;
    let ip_address =
        r.ip.parse()
            .map_err(|_| format!("`IPAddress` is not an IP: `{}`", r.ip))?;
    let target = r.target.ok_or("the forwarding rule has no `target`")?;
    let target = ResourceLink::parse(&target)
        .ok_or_else(|| format!("`target` is not a resource link: `{target}`"))?;
    Ok(ForwardingRule {
        name: r.name,
        ip_address,
        target,
        port_range: r.port_range,
    })
}

/// `targetHttpsProxies.get` → [`TargetHttpsProxy`].
pub fn target_https_proxy(v: &Value) -> Result<TargetHttpsProxy, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        name: String,
        url_map: Option<String>,
        #[serde(default)]
        ssl_certificates: Vec<String>,
        certificate_map: Option<String>,
        http_keep_alive_timeout_sec: Option<u32>,
    }
    let r = Raw::deserialize(v).map_err(|e| e.to_string())?;
    let url_map = r.url_map.ok_or("the proxy has no `urlMap`")?;
    Ok(TargetHttpsProxy {
        name: r.name,
        url_map: name_of(&url_map, "urlMap")?,
        ssl_certificates: r
            .ssl_certificates
            .iter()
            .map(|c| name_of(c, "sslCertificates[]"))
            .collect::<Result<_, _>>()?,
        certificate_map: r.certificate_map.filter(|m| !m.is_empty()),
        http_keep_alive_timeout_sec: r.http_keep_alive_timeout_sec,
    })
}

/// `sslCertificates.get` → [`SslCertificate`] (fingerprinting the leaf).
pub fn ssl_certificate(v: &Value) -> Result<SslCertificate, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        name: String,
        #[serde(rename = "type")]
        cert_type: Option<String>,
        certificate: Option<String>,
        expire_time: Option<String>,
        #[serde(default)]
        subject_alternative_names: Vec<String>,
    }
    let r = Raw::deserialize(v).map_err(|e| e.to_string())?;
    let cert_type = match r.cert_type.as_deref() {
        Some("SELF_MANAGED") => CertificateType::SelfManaged,
        Some("MANAGED") => CertificateType::Managed,
        _ => CertificateType::Unspecified,
    };
    let pem = r
        .certificate
        .or_else(|| v["selfManaged"]["certificate"].as_str().map(str::to_string))
        .filter(|p| !p.trim().is_empty());
    let leaf_sha256 = match &pem {
        Some(pem) => {
            let chain = crate::cert::parse_chain_pem(pem.as_bytes())
                .map_err(|e| format!("the certificate PEM cannot be parsed: {e}"))?;
            let leaf = chain
                .first()
                .ok_or("the certificate PEM holds no certificate")?;
            Some(crate::cert::sha256_hex(leaf))
        }
        None => None,
    };
    Ok(SslCertificate {
        name: r.name,
        cert_type,
        certificate_pem: pem,
        leaf_sha256,
        expire_time: time_of(r.expire_time.as_deref(), "expireTime")?,
        sans: r.subject_alternative_names,
    })
}

/// `urlMaps.get` → [`UrlMap`]: every string under a `defaultService`, `service` or
/// `backendService` key anywhere in the map that links to a backend service.
pub fn url_map(v: &Value) -> Result<UrlMap, String> {
    let name = v["name"]
        .as_str()
        .ok_or("the URL map has no `name`")?
        .to_string();
    let mut services = Vec::new();
    collect_services(v, &mut services);
    services.sort();
    services.dedup();
    Ok(UrlMap {
        name,
        backend_services: services,
    })
}

fn collect_services(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if matches!(k.as_str(), "defaultService" | "service" | "backendService")
                    && let Some(link) = child.as_str().and_then(ResourceLink::parse)
                    && link.collection == "backendServices"
                {
                    out.push(link.name);
                } else {
                    collect_services(child, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_services(i, out)),
        _ => {}
    }
}

/// The `backends[].group` links of a `backendServices.get` answer.
pub fn backend_groups(v: &Value) -> Vec<String> {
    v["backends"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["group"].as_str().map(str::to_string))
        .collect()
}

/// One `getHealth` answer → [`GroupHealth`].
pub fn group_health(group: &str, v: &Value) -> GroupHealth {
    let states: Vec<&str> = v["healthStatus"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| s["healthState"].as_str().unwrap_or("UNKNOWN"))
        .collect();
    let healthy = states.iter().filter(|s| **s == "HEALTHY").count();
    let state = if healthy > 0 {
        HealthState::Healthy
    } else if states.is_empty() {
        HealthState::Unknown
    } else {
        HealthState::Unhealthy
    };
    GroupHealth {
        group: group.to_string(),
        state,
        healthy,
        total: states.len(),
    }
}

/// `globalAddresses.get` → [`Address`].
pub fn address(v: &Value) -> Result<Address, String> {
    let name = v["name"]
        .as_str()
        .ok_or("the address has no `name`")?
        .to_string();
    let address = match v["address"].as_str() {
        Some(ip) => Some(
            ip.parse()
                .map_err(|_| format!("`address` is not an IP: `{ip}`"))?,
        ),
        None => None,
    };
    let status = match v["status"].as_str().unwrap_or_default() {
        "RESERVING" => AddressStatus::Reserving,
        "RESERVED" => AddressStatus::Reserved,
        "IN_USE" => AddressStatus::InUse,
        other => AddressStatus::Other(other.to_string()),
    };
    let users = strings(&v["users"])
        .iter()
        .filter_map(|u| ResourceLink::parse(u))
        .collect();
    Ok(Address {
        description: v["description"].as_str().map(String::from),
        name,
        address,
        status,
        users,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const L: &str = "https://www.googleapis.com/compute/v1/projects/p/global/";

    #[test]
    fn forwarding_rules_and_proxies() -> Result<(), String> {
        let fr = forwarding_rule(&json!({"name": "fr", "IPAddress": "127.1.0.5",
            "target": format!("{L}targetHttpsProxies/px"), "portRange": "443-443"}))?;
        assert_eq!(fr.target_proxy(), "px");
        assert!(fr.targets_https_proxy());
        assert_eq!(fr.ip_address.to_string(), "127.1.0.5");
        assert!(
            forwarding_rule(
                &json!({"name": "fr", "IPAddress": "x", "target": "projects/p/global/t/x"})
            )
            .is_err()
        );
        assert!(forwarding_rule(&json!({"name": "fr", "IPAddress": "1.2.3.4"})).is_err());
        let px = target_https_proxy(&json!({"name": "px", "urlMap": format!("{L}urlMaps/um"),
            "sslCertificates": [format!("{L}sslCertificates/a"), "projects/p/global/sslCertificates/b"],
            "httpKeepAliveTimeoutSec": 610}))?;
        assert_eq!(px.url_map, "um");
        assert_eq!(px.ssl_certificates, vec!["a", "b"]);
        assert_eq!(px.http_keep_alive_timeout_sec, Some(610));
        assert_eq!(px.certificate_map, None);
        Ok(())
    }

    #[test]
    fn url_maps_list_every_backend_service_once() -> Result<(), String> {
        let um = url_map(&json!({"name": "um",
            "defaultService": format!("{L}backendServices/default"),
            "pathMatchers": [{"name": "m", "defaultService": format!("{L}backendServices/app"),
                "pathRules": [{"paths": ["/static/*"], "service": format!("{L}backendServices/static")}],
                "routeRules": [{"routeAction": {"weightedBackendServices": [
                    {"backendService": format!("{L}backendServices/canary"), "weight": 10}]}}]}],
            "tests": [{"service": format!("{L}backendServices/app")}],
            "defaultUrlRedirect": {"hostRedirect": "x"},
            "hostRules": [{"hosts": ["a"], "pathMatcher": "m"}],
            "other": {"service": format!("{L}backendBuckets/bucket")}}))?;
        assert_eq!(
            um.backend_services,
            vec!["app", "canary", "default", "static"]
        );
        Ok(())
    }

    #[test]
    fn health_follows_ingress_gce() {
        let g = |states: &[&str]| {
            group_health(
                "g",
                &json!({"healthStatus": states.iter().map(|s| json!({"healthState": s})).collect::<Vec<_>>()}),
            )
        };
        assert_eq!(g(&["UNHEALTHY", "HEALTHY"]).state, HealthState::Healthy);
        assert_eq!(g(&["UNHEALTHY"]).state, HealthState::Unhealthy);
        assert_eq!(g(&[]).state, HealthState::Unknown);
        assert_eq!(group_health("g", &json!({})).state, HealthState::Unknown);
        let summary = |groups: Vec<GroupHealth>| {
            BackendHealth {
                service: "s".into(),
                groups,
            }
            .summary()
        };
        assert_eq!(summary(vec![g(&[]), g(&["HEALTHY"])]), HealthState::Healthy);
        assert_eq!(
            summary(vec![g(&[]), g(&["UNHEALTHY"])]),
            HealthState::Unhealthy
        );
        assert_eq!(summary(vec![]), HealthState::Unknown);
    }

    #[test]
    fn addresses() -> Result<(), String> {
        let a = address(
            &json!({"name": "ip", "address": "127.3.0.1", "status": "IN_USE",
            "users": [format!("{L}forwardingRules/fr")]}),
        )?;
        assert_eq!(a.status, AddressStatus::InUse);
        assert_eq!(a.users[0].name, "fr");
        Ok(())
    }

    #[test]
    fn certificates_are_fingerprinted_by_their_leaf() -> Result<(), Box<dyn std::error::Error>> {
        let key = rcgen::KeyPair::generate()?;
        let cert = rcgen::CertificateParams::new(vec!["www.example.test".to_string()])?
            .self_signed(&key)?;
        let c = ssl_certificate(&json!({"name": "c", "type": "SELF_MANAGED",
            "certificate": cert.pem(), "subjectAlternativeNames": ["www.example.test"]}))?;
        assert_eq!(c.cert_type, CertificateType::SelfManaged);
        assert_eq!(c.leaf_sha256, Some(crate::cert::sha256_hex(cert.der())));
        assert_eq!(c.certificate_pem.as_deref(), Some(cert.pem().as_str()));
        let nested =
            ssl_certificate(&json!({"name": "n", "selfManaged": {"certificate": cert.pem()}}))?;
        assert_eq!(nested.leaf_sha256, c.leaf_sha256);
        Ok(())
    }

    #[test]
    fn certificates_without_pem_have_no_fingerprint() -> Result<(), String> {
        let c = ssl_certificate(
            &json!({"name": "m", "type": "MANAGED", "managed": {"domains": ["a"]},
            "expireTime": "2026-01-01T00:00:00.000-08:00", "subjectAlternativeNames": ["a"]}),
        )?;
        assert_eq!(
            (c.cert_type, c.leaf_sha256, c.sans.len()),
            (CertificateType::Managed, None, 1)
        );
        assert!(c.expire_time.is_some());
        assert!(ssl_certificate(&json!({"name": "bad", "certificate": "not pem"})).is_err());
        assert!(ssl_certificate(&json!({"name": "t", "expireTime": "yesterday"})).is_err());
        Ok(())
    }
}
