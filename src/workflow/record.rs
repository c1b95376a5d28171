//! What a rotation records in the state file besides step statuses: the settings it runs
//! with, the new certificate (by fingerprint and source, never key material), the "before"
//! facts rollback needs (blue Ingress, IP, load-balancer names, DNS records and TTLs), the
//! names rotate-cert creates, and what it learns on the way (green IP, change ids).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::dns::Nameserver;
use crate::settings::Settings;

/// The state file's rotation payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    /// The rotation id (also in the document envelope; kept here for labels).
    pub rotation_id: String,
    /// Resolved settings.
    pub settings: Settings,
    /// The certificate being rotated to.
    pub cert: CertRecord,
    /// The live stack before the rotation.
    pub blue: BlueRecord,
    /// The stack rotate-cert builds.
    pub green: GreenRecord,
    /// One A record per host.
    pub records: Vec<DnsRecord>,
    /// The zones those records live in.
    pub zones: Vec<ZoneRecord>,
    /// SHA-256 over the observations the plan was made from.
    pub plan_fingerprint: String,
    /// Set when `rollback` took over.
    #[serde(default)]
    pub rolling_back: bool,
    /// Set by `--force` on the forward commands: blue's drain wait is skipped (recorded
    /// as a warning).
    #[serde(default)]
    pub force_drain: bool,
    /// Set by `rollback --force`: green's drain wait is skipped (recorded as a warning).
    #[serde(default)]
    pub force_green_drain: bool,
    /// Warnings recorded along the way (forced drain, …).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// The new certificate: facts and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertRecord {
    /// Leaf SHA-256 (lowercase hex).
    pub sha256: String,
    /// Where the certificate and key came from.
    pub source: CertSource,
    /// Leaf subject.
    pub subject: String,
    /// Leaf DNS SANs.
    pub sans: Vec<String>,
    /// Leaf notAfter (RFC 3339).
    pub not_after: String,
    /// Key type (`ECDSA P-256`).
    pub key_type: String,
}

/// Where the new certificate came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CertSource {
    /// `--cert FILE --key FILE`.
    Files {
        /// Certificate chain file.
        cert: PathBuf,
        /// Key file.
        key: PathBuf,
    },
    /// `--from-secret NAMESPACE/NAME`.
    Secret {
        /// Namespace.
        namespace: String,
        /// Name.
        name: String,
    },
}

/// The names of one Ingress's load-balancer resources (from ingress-gce's annotations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LbNames {
    /// HTTPS forwarding rule.
    pub https_forwarding_rule: String,
    /// Target HTTPS proxy.
    pub https_target_proxy: String,
    /// URL map.
    pub url_map: String,
    /// HTTP forwarding rule, when HTTP is allowed.
    pub forwarding_rule: Option<String>,
    /// Target HTTP proxy, when HTTP is allowed.
    pub target_proxy: Option<String>,
    /// SSL certificates on the HTTPS proxy.
    pub ssl_certs: Vec<String>,
    /// The controller-managed static IP address name, when promoted.
    pub static_ip: Option<String>,
    /// Backend services and their health as last reported.
    pub backends: BTreeMap<String, String>,
}

/// The live ("blue") stack as planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlueRecord {
    /// Namespace.
    pub namespace: String,
    /// Ingress name.
    pub name: String,
    /// Ingress UID (detects a deleted-and-recreated Ingress).
    pub uid: String,
    /// Its IP.
    pub ip: String,
    /// Every host it serves (TLS and rule hosts): the DNS records to switch.
    pub hosts: Vec<String>,
    /// The hosts it serves over TLS (`spec.tls[].hosts`): what the new certificate must
    /// cover and the TLS probes verify.
    #[serde(default)]
    pub tls_hosts: Vec<String>,
    /// Its TLS Secrets.
    pub tls_secrets: Vec<String>,
    /// TLS Secrets rotate-cert created in an earlier rotation (deletable in cleanup).
    pub managed_secrets: Vec<String>,
    /// The user's `kubernetes.io/ingress.global-static-ip-name`, if set.
    pub static_ip_name: Option<String>,
    /// Whether that address was reserved by rotate-cert (deletable in cleanup).
    pub static_ip_managed: bool,
    /// Its load-balancer resources.
    pub lb: LbNames,
    /// What it served per host at plan time (leaf SHA-256).
    pub serving: BTreeMap<String, String>,
    /// The base name rotate-cert derives green names from.
    pub base_name: String,
}

/// The stack rotate-cert builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GreenRecord {
    /// Green Ingress name.
    pub ingress: String,
    /// Green Secret name.
    pub secret: String,
    /// Green reserved global address, when blue used a static IP.
    pub address: Option<String>,
    /// The Compute `requestId` used to insert / delete the address (so a retry after a
    /// lost answer finds the same operation).
    pub address_request_id: Option<String>,
    /// The green IP, once known.
    pub ip: Option<String>,
    /// The green load balancer, once built.
    pub lb: Option<LbNames>,
    /// The green Ingress to create (a copy of blue's; no secrets in it).
    pub manifest: serde_json::Value,
}

/// One host's A record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecord {
    /// The host (`www.example.com`).
    pub host: String,
    /// Its Cloud DNS zone (name).
    pub zone: String,
    /// The record set name (FQDN with trailing dot).
    pub name: String,
    /// The record's TTL in seconds.
    pub ttl: u32,
    /// The record's data before the switch (the blue IP).
    pub blue_rrdatas: Vec<String>,
}

/// A Cloud DNS zone the rotation changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneRecord {
    /// Zone name.
    pub name: String,
    /// Zone DNS name (`example.com.`).
    pub dns_name: String,
    /// Authoritative nameservers to verify.
    pub nameservers: Vec<Nameserver>,
    /// `clientOperationId` of the switch change (idempotent retries).
    pub switch_client_id: String,
    /// The switch change's id, once created.
    pub switch_change: Option<String>,
    /// `clientOperationId` of the rollback change.
    pub rollback_client_id: String,
    /// The rollback change's id, once created.
    pub rollback_change: Option<String>,
}

impl Rotation {
    /// The records of one zone.
    pub fn records_in<'a>(&'a self, zone: &'a str) -> impl Iterator<Item = &'a DnsRecord> + 'a {
        self.records.iter().filter(move |r| r.zone == zone)
    }

    /// The longest TTL among the records (drain waits at least this long).
    pub fn max_ttl(&self) -> u32 {
        self.records.iter().map(|r| r.ttl).max().unwrap_or(0)
    }
}
