//! `status`: what the state file records, plus live facts — what each authoritative
//! nameserver answers, what the blue and green IPs serve for every host, and the health
//! ingress-gce reports for both Ingresses. Read-only.

use serde::Serialize;

use super::session::Session;
use crate::plan::{check_name, lb_names};
use crate::state::Document;
use crate::workflow::record::Rotation;

/// One nameserver's answer for one host.
#[derive(Debug, Clone, Serialize)]
pub struct NsAnswer {
    /// Zone.
    pub zone: String,
    /// Nameserver.
    pub nameserver: String,
    /// Host.
    pub host: String,
    /// A records answered.
    pub answer: Vec<String>,
    /// Why there was no answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What one IP serves for one host.
#[derive(Debug, Clone, Serialize)]
pub struct Served {
    /// `blue` or `green`.
    pub side: &'static str,
    /// The IP.
    pub ip: String,
    /// The host.
    pub host: String,
    /// Leaf fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf_sha256: Option<String>,
    /// `new`, `old` or `other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<&'static str>,
    /// Whether the chain verified.
    pub verified: bool,
    /// HTTP status of `GET /`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// Why the probe failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An Ingress's live health.
#[derive(Debug, Clone, Serialize)]
pub struct IngressHealth {
    /// `blue` or `green`.
    pub side: &'static str,
    /// `namespace/name`.
    pub name: String,
    /// `present`, `terminating` or `absent`.
    pub state: &'static str,
    /// Backend health as ingress-gce reports it.
    pub backends: std::collections::BTreeMap<String, String>,
}

/// Live facts for a rotation.
#[derive(Debug, Clone, Serialize)]
pub struct Live {
    /// Nameserver answers.
    pub dns: Vec<NsAnswer>,
    /// Probes of both IPs.
    pub served: Vec<Served>,
    /// Both Ingresses.
    pub ingresses: Vec<IngressHealth>,
}

/// Gathers live facts.
pub async fn live(session: &Session, doc: &Document<Rotation>) -> Live {
    let rot = &doc.rotation;
    let env = &session.env;
    let timeout = std::time::Duration::from_secs(2);
    let mut dns = Vec::new();
    for zone in &rot.zones {
        for rec in rot.records_in(&zone.name) {
            for ns in &zone.nameservers {
                let (answer, error) =
                    match crate::dns::query_a(ns, &check_name(&rec.host), timeout).await {
                        Ok(a) => (
                            a.ips.iter().map(|i| i.to_string()).collect(),
                            (a.ips.is_empty()).then_some(a.rcode),
                        ),
                        Err(e) => (Vec::new(), Some(e.to_string())),
                    };
                dns.push(NsAnswer {
                    zone: zone.name.clone(),
                    nameserver: ns.name.clone(),
                    host: rec.host.clone(),
                    answer,
                    error,
                });
            }
        }
    }
    let old: Vec<&String> = rot.blue.serving.values().collect();
    let mut served = Vec::new();
    for (side, ip) in [
        ("blue", Some(rot.blue.ip.clone())),
        ("green", rot.green.ip.clone()),
    ] {
        let Some(ip) = ip.filter(|i| !i.is_empty()) else {
            continue;
        };
        let Ok(addr) = ip.parse() else { continue };
        for host in &rot.blue.hosts {
            let s = match env.prober.probe(addr, &check_name(host)).await {
                Ok(p) => Served {
                    side,
                    ip: ip.clone(),
                    host: host.clone(),
                    certificate: Some(if p.leaf_sha256 == rot.cert.sha256 {
                        "new"
                    } else if old.contains(&&p.leaf_sha256) {
                        "old"
                    } else {
                        "other"
                    }),
                    leaf_sha256: Some(p.leaf_sha256),
                    verified: p.verify_error.is_none(),
                    http_status: p.http_status,
                    error: p.http_error,
                },
                Err(e) => Served {
                    side,
                    ip: ip.clone(),
                    host: host.clone(),
                    leaf_sha256: None,
                    certificate: None,
                    verified: false,
                    http_status: None,
                    error: Some(e.to_string()),
                },
            };
            served.push(s);
        }
    }
    let mut ingresses = Vec::new();
    for (side, name) in [("blue", &rot.blue.name), ("green", &rot.green.ingress)] {
        let ns = &rot.blue.namespace;
        let (state, backends) = match env.k8s.ingress(ns, name).await {
            Ok(Some(i)) => (
                if i.metadata.deletion_timestamp.is_some() {
                    "terminating"
                } else {
                    "present"
                },
                lb_names(&i).map(|l| l.backends).unwrap_or_default(),
            ),
            Ok(None) => ("absent", Default::default()),
            Err(_) => ("unknown", Default::default()),
        };
        ingresses.push(IngressHealth {
            side,
            name: format!("{ns}/{name}"),
            state,
            backends,
        });
    }
    Live {
        dns,
        served,
        ingresses,
    }
}
