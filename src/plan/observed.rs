//! What `plan` decides from: plain data gathered by `ops::observe` (no I/O here).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;

use crate::cert::Report;
use crate::gcp::dns::RecordSet;
use crate::tls::ProbeOutcome;
use crate::workflow::record::CertRecord;

/// A Cloud DNS zone as observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneObserved {
    /// Zone name.
    pub name: String,
    /// Zone DNS name (`example.com.`).
    pub dns_name: String,
    /// `public` or `private`.
    pub visibility: String,
    /// The zone's `nameServers`.
    pub nameservers: Vec<String>,
}

/// A global address as observed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressObserved {
    /// Name.
    pub name: String,
    /// The IP.
    pub address: String,
    /// `RESERVED` / `IN_USE`.
    pub status: String,
    /// Description.
    pub description: String,
}

/// What the blue load balancer looks like in Compute.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LbObserved {
    /// The HTTPS forwarding rule's IP, when it exists.
    pub https_rule_ip: Option<String>,
}

/// Everything `plan` decides from.
#[derive(Debug, Clone)]
pub struct Observed {
    /// `--ingress` namespace.
    pub namespace: String,
    /// `--ingress` name.
    pub name: String,
    /// The live Ingress.
    pub ingress: Option<Ingress>,
    /// Its TLS Secrets (None = missing).
    pub blue_secrets: BTreeMap<String, Option<Secret>>,
    /// Its load balancer in Compute.
    pub lb: LbObserved,
    /// Its static address, when it names one.
    pub static_address: Option<AddressObserved>,
    /// TLS probes of the blue IP, one per host.
    pub blue_probes: BTreeMap<String, Result<ProbeOutcome, String>>,
    /// The new certificate's preflight.
    pub preflight: Report,
    /// The new certificate's record (when it parsed).
    pub cert: Option<CertRecord>,
    /// Cloud DNS zones (public ones, or the one `--zone` named).
    pub zones: Vec<ZoneObserved>,
    /// A record sets per host (None = no A record), for hosts whose zone was found.
    pub records: BTreeMap<String, Option<RecordSet>>,
    /// Objects already carrying the green names.
    pub green_ingress: Option<Ingress>,
    /// See `green_ingress`.
    pub green_secret: Option<Secret>,
    /// See `green_ingress`.
    pub green_address: Option<AddressObserved>,
    /// Resolved nameservers per zone (from `--nameserver` or the zone's `nameServers`).
    pub nameservers: BTreeMap<String, Vec<crate::dns::Nameserver>>,
    /// Nameservers that gave no usable answer (silent, `REFUSED`, no A record) for a host
    /// when asked during the plan: `verify-dns` could never pass with them.
    pub nameserver_problems: Vec<String>,
}
