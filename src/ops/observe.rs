//! Gathers everything `plan` decides from: the live Ingress and its Secrets, its load
//! balancer in Compute, what its IP serves, the new certificate and its preflight, the
//! Cloud DNS zones and records, the nameservers, and anything already carrying the green
//! names. Read-only: it changes nothing anywhere.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::SystemTime;

use crate::cert::{PreflightOptions, preflight};
use crate::exit::Stop;
use crate::gcp::dns::RecordSet;
use crate::plan::{
    AddressObserved, LbObserved, Observed, STATIC_IP_ANNOTATION, ZoneObserved, base_name,
    check_name, green_names, hosts, ingress_ip, lb_names,
};
use crate::steps::load_source;
use crate::workflow::record::{CertRecord, CertSource};

use super::session::Session;

/// `NAMESPACE/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl Target {
    /// Parses `NAMESPACE/NAME` (or `NAME`, in `default`).
    pub fn parse(s: &str, flag: &str) -> Result<Target, Stop> {
        let (ns, name) = s.split_once('/').unwrap_or(("default", s));
        let ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 253
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
                && p.starts_with(|c: char| c.is_ascii_alphanumeric())
                && p.ends_with(|c: char| c.is_ascii_alphanumeric())
        };
        if !ok(ns) || !ok(name) || name.contains('/') {
            return Err(Stop::bad_input(format!(
                "{flag} `{s}` is not NAMESPACE/NAME (lowercase letters, digits, `-` and `.`)"
            )));
        }
        Ok(Target {
            namespace: ns.to_string(),
            name: name.to_string(),
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

/// Where the new certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertInput {
    /// `--cert FILE --key FILE`.
    Files {
        /// Chain file.
        cert: PathBuf,
        /// Key file.
        key: PathBuf,
    },
    /// `--from-secret NAMESPACE/NAME`.
    Secret(Target),
}

impl CertInput {
    /// As recorded in the state file (paths made absolute so `resume` can run elsewhere).
    pub fn source(&self) -> CertSource {
        match self {
            CertInput::Files { cert, key } => CertSource::Files {
                cert: std::path::absolute(cert).unwrap_or_else(|_| cert.clone()),
                key: std::path::absolute(key).unwrap_or_else(|_| key.clone()),
            },
            CertInput::Secret(t) => CertSource::Secret {
                namespace: t.namespace.clone(),
                name: t.name.clone(),
            },
        }
    }
}

/// How long the plan waits for each nameserver's answer.
const NAMESERVER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

/// Observes the world for a rotation of `target` to `cert`.
pub async fn observe(
    session: &Session,
    target: &Target,
    cert: &CertInput,
) -> anyhow::Result<Observed> {
    let env = &session.env;
    let settings = &session.settings;
    let ns = &target.namespace;
    let ingress = env.k8s.ingress(ns, &target.name).await?;

    // The new certificate.
    let source = cert.source();
    // A certificate that cannot be read is bad input, unless the API failed in a way a
    // retry can help (then the caller retries the whole observation).
    let bundle = load_source(&source, &env.k8s).await.map_err(|e| {
        if crate::steps::retryable(&e) {
            return e;
        }
        let hint = match cert {
            CertInput::Files { .. } => "check the files given to `--cert` (the PEM chain, leaf first) and `--key` (its private key); `rotate-cert check-cert` reports every problem at once".to_string(),
            CertInput::Secret(t) => format!(
                "check the secret: `kubectl get secret -n {} {}` must be a TLS secret with `tls.crt` and `tls.key`",
                t.namespace, t.name
            ),
        };
        Stop::bad_input(format!("{e:#}")).hint(hint).into()
    })?;
    let (tls_hosts, all_hosts) = ingress.as_ref().map(hosts).unwrap_or_default();
    let report = preflight(
        bundle.chain_pem.as_bytes(),
        &bundle.key,
        &PreflightOptions {
            hostnames: tls_hosts.clone(),
            min_validity: settings.min_validity.get(),
            now: SystemTime::now(),
        },
    );
    let cert_record = CertRecord {
        sha256: bundle.fingerprint().to_string(),
        source,
        subject: bundle.summary.subject.clone(),
        sans: bundle.summary.sans.clone(),
        not_after: bundle.summary.not_after.clone(),
        key_type: bundle.summary.key_type.to_string(),
    };

    let mut obs = Observed {
        namespace: ns.clone(),
        name: target.name.clone(),
        ingress: ingress.clone(),
        blue_secrets: BTreeMap::new(),
        lb: LbObserved::default(),
        static_address: None,
        blue_probes: BTreeMap::new(),
        preflight: report,
        cert: Some(cert_record.clone()),
        zones: Vec::new(),
        records: BTreeMap::new(),
        green_ingress: None,
        green_secret: None,
        green_address: None,
        nameservers: BTreeMap::new(),
        nameserver_problems: Vec::new(),
    };
    let Some(ing) = ingress else {
        return Ok(obs);
    };

    for t in ing
        .spec
        .as_ref()
        .and_then(|s| s.tls.clone())
        .unwrap_or_default()
    {
        if let Some(name) = t.secret_name {
            let secret = env.k8s.secret(ns, &name).await?.map(without_data);
            obs.blue_secrets.insert(name, secret);
        }
    }
    if let Some(lb) = lb_names(&ing) {
        match env
            .gcp
            .compute
            .get_forwarding_rule(&lb.https_forwarding_rule)
            .await
        {
            Ok(rule) => obs.lb.https_rule_ip = Some(rule.ip_address.to_string()),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(name) = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(STATIC_IP_ANNOTATION))
    {
        obs.static_address = address(session, name).await?;
    }
    if let Some(ip) = ingress_ip(&ing).and_then(|ip| ip.parse::<std::net::IpAddr>().ok()) {
        for host in &all_hosts {
            let probe = env
                .prober
                .probe(ip, &check_name(host))
                .await
                .map_err(|e| e.to_string());
            obs.blue_probes.insert(host.clone(), probe);
        }
    }

    // Cloud DNS.
    obs.zones = match &settings.zone {
        Some(z) => match env.gcp.dns.get_zone(z).await {
            Ok(zone) => vec![zone_observed(zone)],
            Err(e) if e.is_not_found() => Vec::new(),
            Err(e) => return Err(e.into()),
        },
        None => env
            .gcp
            .dns
            .list_zones(None)
            .await?
            .into_iter()
            .map(zone_observed)
            .collect(),
    };
    for host in &all_hosts {
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        let zone = obs
            .zones
            .iter()
            .filter(|z| settings.zone.is_some() || z.visibility != "private")
            .filter(|z| fqdn == z.dns_name || fqdn.ends_with(&format!(".{}", z.dns_name)))
            .max_by_key(|z| z.dns_name.len())
            .cloned();
        if let Some(zone) = zone {
            let sets: Vec<RecordSet> = env
                .gcp
                .dns
                .list_record_sets(&zone.name, Some(&fqdn), Some("A"))
                .await?;
            obs.records
                .insert(host.clone(), sets.into_iter().find(|s| s.rtype == "A"));
            if !obs.nameservers.contains_key(&zone.name) {
                let ns_list = if settings.nameservers.is_empty() {
                    match crate::dns::resolve_nameservers(&zone.nameservers).await {
                        Ok(list) => list,
                        // A lookup that failed may work on the next read; no address will not.
                        Err(e) if e.retryable() => return Err(e.into()),
                        Err(e) => {
                            return Err(Stop::refused(e.to_string())
                                .hint("pass `--nameserver IP[:PORT]` to name the authoritative servers to verify")
                                .into());
                        }
                    }
                } else {
                    settings
                        .nameservers
                        .iter()
                        .filter_map(|s| crate::dns::parse_nameserver(s).ok())
                        .collect()
                };
                obs.nameservers.insert(zone.name.clone(), ns_list);
            }
        }
    }

    // Every nameserver `verify-dns` will ask must answer for every host now (all asked at
    // once: a silent one costs one timeout, not one per host).
    let mut queries = Vec::new();
    for host in &all_hosts {
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        let Some(zone) = obs
            .zones
            .iter()
            .filter(|z| obs.nameservers.contains_key(&z.name))
            .filter(|z| fqdn == z.dns_name || fqdn.ends_with(&format!(".{}", z.dns_name)))
            .max_by_key(|z| z.dns_name.len())
        else {
            continue;
        };
        for ns in obs.nameservers.get(&zone.name).cloned().unwrap_or_default() {
            let (fqdn, host, zone) = (fqdn.clone(), host.clone(), zone.dns_name.clone());
            queries.push(async move {
                match crate::dns::query_a(&ns, &fqdn, NAMESERVER_TIMEOUT).await {
                    Err(e) => Some(e.to_string()),
                    Ok(a) if a.rcode != "NOERROR" || a.ips.is_empty() => Some(format!(
                        "nameserver {} ({}) answers {} with no A record for `{host}`: is it authoritative for zone `{zone}`?",
                        ns.name, ns.addr, a.rcode
                    )),
                    Ok(_) => None,
                }
            });
        }
    }
    obs.nameserver_problems = futures::future::join_all(queries)
        .await
        .into_iter()
        .flatten()
        .collect();

    // Anything already carrying the green names.
    let names = green_names(&base_name(&ing), &cert_record.sha256);
    obs.green_ingress = env.k8s.ingress(ns, &names.ingress).await?;
    obs.green_secret = env.k8s.secret(ns, &names.secret).await?.map(without_data);
    obs.green_address = address(session, &names.address).await?;
    Ok(obs)
}

async fn address(session: &Session, name: &str) -> anyhow::Result<Option<AddressObserved>> {
    match session.env.gcp.compute.get_address(name).await {
        Ok(a) => Ok(Some(AddressObserved {
            name: a.name,
            address: a.address.map(|i| i.to_string()).unwrap_or_default(),
            status: format!("{:?}", a.status),
            description: a.description.unwrap_or_default(),
        })),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn zone_observed(z: crate::gcp::ManagedZone) -> ZoneObserved {
    ZoneObserved {
        name: z.name,
        dns_name: z.dns_name,
        visibility: format!("{:?}", z.visibility).to_lowercase(),
        nameservers: z.name_servers,
    }
}

/// A Secret with its data dropped: planning needs only its metadata, and key bytes must
/// not live in structures that can be printed.
fn without_data(mut s: k8s_openapi::api::core::v1::Secret) -> k8s_openapi::api::core::v1::Secret {
    s.data = None;
    s.string_data = None;
    s
}
