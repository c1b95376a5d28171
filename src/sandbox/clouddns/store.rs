//! The Cloud DNS store ([`CloudDns`]): every managed zone behind one lock, and the Rust
//! API the rest of the sandbox (seeding, inventory, routes) uses. One zone's own
//! bookkeeping is `zone.rs`; each zone has two views of its record sets:
//!
//! * The **API view** (`records`) is what `rrsets.list/get` return. It changes the
//!   moment a change is accepted, as on Google: a read right after `changes.create`
//!   already shows the new records while the change is still `pending`.
//! * The **served view** (`served`) is what the DNS server answers. A change reaches it
//!   only when it becomes `done` (`Timing::dns_change` after it was accepted), and it
//!   does so whole: its deletions and additions switch in one step under the store's
//!   lock, so a query sees the records before the change or after it, never a mix.
//!
//! Becoming `done` is evaluated lazily: every access first promotes, in order, the
//! pending changes whose time has come. No timer task is needed, and a change's status
//! and the served records flip together. Seeding ([`CloudDns::upsert_rrset`]) bypasses
//! the delay and writes both views at once (recorded as an already-`done` change).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::lookup::{ServedAnswer, resolve};
use super::model::{RecordSet, RrKey, name_key};
use super::rules;
use super::zone::{Mutation, Zone};
use crate::sandbox::core::lock;
use crate::sandbox::google::GoogleError;

/// The Cloud DNS world: every managed zone of the project.
#[derive(Debug, Default)]
pub struct CloudDns {
    inner: Mutex<BTreeMap<String, Zone>>,
}

/// What an accepted mutation produced.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The change, as `changes.get` shows it.
    pub change: Value,
    /// The record set it added (`create`, `patch`).
    pub added: Option<RecordSet>,
}

/// The 404 for a zone that is not there.
pub fn zone_not_found(zone: &str) -> GoogleError {
    GoogleError::not_found(format!(
        "The 'parameters.managedZone' resource named '{zone}' does not exist."
    ))
}

impl CloudDns {
    /// An empty Cloud DNS.
    pub fn new() -> Self {
        CloudDns::default()
    }

    /// Runs `f` on the zone named `zone` (or with that numeric id), after promoting
    /// every zone's due changes.
    fn with_zone<T>(
        &self,
        zone: &str,
        f: impl FnOnce(&mut Zone) -> Result<T, GoogleError>,
    ) -> Result<T, GoogleError> {
        let mut zones = lock(&self.inner);
        let now = Instant::now();
        for z in zones.values_mut() {
            z.promote(now);
        }
        let found = zones.values_mut().find(|z| z.name == zone || z.id == zone);
        match found {
            Some(z) => f(z),
            None => Err(zone_not_found(zone)),
        }
    }

    /// Creates a public managed zone and returns it as the API shows it. Like Cloud DNS,
    /// it adds the apex SOA and NS record sets as change `"0"` (already `done`). The
    /// name servers are `ns-sandbox-1..4.<dns_name>` (Google's are
    /// `ns-cloud-XN.googledomains.com.`, which would send a resolver to the internet);
    /// the SOA is `ns-sandbox-1.<dns_name> cloud-dns-hostmaster.google.com. 1 21600 3600
    /// 259200 300` with TTL 21600 like Google's. `dns_name` gets a trailing dot if it has
    /// none. Creating a zone that exists returns the existing one unchanged.
    pub fn create_zone(&self, name: &str, dns_name: &str, description: &str) -> Value {
        let mut zones = lock(&self.inner);
        if let Some(existing) = zones.get(name) {
            return existing.to_json();
        }
        let zone = Zone::new(name, dns_name, description);
        let json = zone.to_json();
        zones.insert(name.to_string(), zone);
        json
    }

    /// Sets a record set at once in both views (for seeding): replaces any set with the
    /// same name and type, recorded as an already-`done` change. An unknown zone, a name
    /// outside it or record data Cloud DNS would refuse is a seeding bug: it is logged
    /// and nothing changes.
    pub fn upsert_rrset(
        &self,
        zone: &str,
        name: &str,
        rtype: &str,
        ttl: u32,
        rrdatas: Vec<String>,
    ) {
        let rr = RecordSet::new(name, rtype, ttl, rrdatas);
        let result = self.with_zone(zone, |z| {
            let checked = rules::parse_rrset(&rr.to_json(), "seed", &z.dns_name)?;
            let deletions: Vec<RecordSet> =
                z.records.get(&checked.key()).cloned().into_iter().collect();
            z.record(vec![checked], deletions, Duration::ZERO);
            Ok(())
        });
        if let Err(e) = result {
            tracing::warn!(zone, name, rtype, error = %e.message, "sandbox: seeding a DNS record failed");
        }
    }

    /// What the DNS server answers for `name` and `rtype` (`A`, `AAAA`, `ANY`, …), from
    /// the served view of the most specific zone containing `name`; `None` when no zone
    /// contains it (the server answers REFUSED).
    pub fn served_lookup(&self, name: &str, rtype: &str) -> Option<ServedAnswer> {
        let mut zones = lock(&self.inner);
        let now = Instant::now();
        let qkey = name_key(name);
        let zone = zones
            .values_mut()
            .filter(|z| qkey.starts_with(&name_key(&z.dns_name)))
            .max_by_key(|z| name_key(&z.dns_name).len())?;
        zone.promote(now);
        Some(resolve(
            &zone.served,
            &name_key(&zone.dns_name),
            name,
            &rtype.to_ascii_uppercase(),
        ))
    }

    /// Everything, for the inventory: `{"zones": [{"zone": ManagedZone, "rrsets": [...]
    /// (API view), "servedRrsets": [...] (what DNS answers), "changes": [...]}]}`.
    pub fn snapshot(&self) -> Value {
        let mut zones = lock(&self.inner);
        let now = Instant::now();
        let list: Vec<Value> = zones
            .values_mut()
            .map(|z| {
                z.promote(now);
                json!({
                    "zone": z.to_json(),
                    "rrsets": z.records.values().map(RecordSet::to_json).collect::<Vec<_>>(),
                    "servedRrsets": z.served.values().map(RecordSet::to_json).collect::<Vec<_>>(),
                    "changes": (0..z.changes.len()).map(|i| z.change_json(i)).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({ "zones": list })
    }

    /// The zones (sorted by name) whose DNS name is `dns_name` when given, as
    /// `(name, ManagedZone)`.
    pub fn zones(&self, dns_name: Option<&str>) -> Vec<(String, Value)> {
        let zones = lock(&self.inner);
        zones
            .values()
            .filter(|z| dns_name.is_none_or(|d| name_key(d) == name_key(&z.dns_name)))
            .map(|z| (z.name.clone(), z.to_json()))
            .collect()
    }

    /// One zone, by name or numeric id.
    pub fn zone(&self, zone: &str) -> Result<Value, GoogleError> {
        self.with_zone(zone, |z| Ok(z.to_json()))
    }

    /// The API view's record sets of a zone, in canonical order.
    pub fn rrsets(&self, zone: &str) -> Result<Vec<(RrKey, RecordSet)>, GoogleError> {
        self.with_zone(zone, |z| {
            Ok(z.records
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect())
        })
    }

    /// One record set of the API view.
    pub fn rrset(&self, zone: &str, name: &str, rtype: &str) -> Result<RecordSet, GoogleError> {
        self.with_zone(zone, |z| {
            z.records
                .get(&RrKey::new(name, rtype))
                .cloned()
                .ok_or_else(|| Zone::rrset_not_found(name, rtype))
        })
    }

    /// Every change of a zone, by sequence.
    pub fn changes(&self, zone: &str) -> Result<Vec<Value>, GoogleError> {
        self.with_zone(zone, |z| {
            Ok((0..z.changes.len()).map(|i| z.change_json(i)).collect())
        })
    }

    /// One change.
    pub fn change(&self, zone: &str, id: &str) -> Result<Value, GoogleError> {
        self.with_zone(zone, |z| {
            id.parse::<usize>()
                .ok()
                .filter(|i| *i < z.changes.len() && id == i.to_string())
                .map(|i| z.change_json(i))
                .ok_or_else(|| {
                    GoogleError::not_found(format!(
                        "The 'parameters.changeId' resource named '{id}' does not exist."
                    ))
                })
        })
    }

    /// Checks and applies a REST mutation atomically: either every rule passes and the
    /// change is recorded (API view now, served view after `delay`), or nothing changes.
    /// A `client_operation_id` seen before in this zone returns that earlier change
    /// instead of applying anything.
    pub fn mutate(
        &self,
        zone: &str,
        m: &Mutation,
        client_operation_id: Option<&str>,
        delay: Duration,
    ) -> Result<Applied, GoogleError> {
        self.with_zone(zone, |z| {
            let previous = client_operation_id.and_then(|id| z.client_ops.get(id).copied());
            let idx = match previous {
                Some(idx) => idx,
                None => {
                    let (additions, deletions, ctx) = z.plan(m)?;
                    rules::check_change(&z.records, &z.dns_name, &additions, &deletions, ctx)?;
                    z.record(additions, deletions, delay);
                    let idx = z.changes.len() - 1;
                    if let Some(id) = client_operation_id {
                        z.client_ops.insert(id.to_string(), idx);
                    }
                    idx
                }
            };
            let added = z
                .changes
                .get(idx)
                .and_then(|c| c.additions.first().cloned());
            Ok(Applied {
                change: z.change_json(idx),
                added,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::clouddns::model::parse_rdata;

    fn servable(rr: &RecordSet) -> bool {
        rr.rrdatas
            .iter()
            .all(|d| parse_rdata(&rr.rtype, d).is_some())
    }

    fn dns() -> CloudDns {
        let dns = CloudDns::new();
        dns.create_zone("example-test", "example.test", "seed");
        dns.upsert_rrset(
            "example-test",
            "www.example.test.",
            "A",
            60,
            vec!["192.0.2.1".into()],
        );
        dns
    }

    fn a_of(dns: &CloudDns, name: &str) -> Vec<String> {
        dns.served_lookup(name, "A")
            .map(|a| a.answers.iter().flat_map(|r| r.rrdatas.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn zone_creation_is_change_zero_with_soa_and_ns() {
        let dns = dns();
        let zone = dns.zone("example-test").unwrap();
        assert_eq!(zone["dnsName"], "example.test.");
        assert_eq!(
            dns.zone(zone["id"].as_str().unwrap()).unwrap()["name"],
            "example-test"
        );
        let changes = dns.changes("example-test").unwrap();
        assert_eq!(changes[0]["id"], "0");
        assert_eq!(changes[0]["status"], "done");
        let types: Vec<&str> = changes[0]["additions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["SOA", "NS"]);
        assert!(
            dns.rrsets("example-test")
                .unwrap()
                .iter()
                .all(|(_, r)| servable(r))
        );
        assert_eq!(a_of(&dns, "www.example.test."), ["192.0.2.1"]);
        assert!(dns.served_lookup("www.other.test.", "A").is_none());
    }

    #[test]
    fn api_view_moves_first_served_view_when_done() {
        let dns = dns();
        let body = serde_json::json!({
            "deletions": [{"name": "www.example.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.1"]}],
            "additions": [{"name": "www.example.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.2"]}],
        });
        let delay = Duration::from_millis(150);
        let applied = dns
            .mutate(
                "example-test",
                &Mutation::Change(body.clone()),
                Some("op-1"),
                delay,
            )
            .unwrap();
        assert_eq!(applied.change["status"], "pending");
        assert_eq!(applied.change["id"], "2");
        let api = dns.rrset("example-test", "www.example.test.", "A").unwrap();
        assert_eq!(api.rrdatas, ["192.0.2.2"]);
        assert_eq!(
            a_of(&dns, "www.example.test."),
            ["192.0.2.1"],
            "still served"
        );
        let again = dns
            .mutate("example-test", &Mutation::Change(body), Some("op-1"), delay)
            .unwrap();
        assert_eq!(again.change["id"], "2", "clientOperationId replays");
        std::thread::sleep(delay + Duration::from_millis(50));
        assert_eq!(dns.change("example-test", "2").unwrap()["status"], "done");
        assert_eq!(a_of(&dns, "www.example.test."), ["192.0.2.2"]);
        assert_eq!(dns.changes("example-test").unwrap().len(), 3);
    }

    #[test]
    fn failed_change_changes_nothing() {
        let dns = dns();
        let body = serde_json::json!({
            "additions": [{"name": "new.example.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.5"]}],
            "deletions": [{"name": "www.example.test.", "type": "A", "ttl": 61, "rrdatas": ["192.0.2.1"]}],
        });
        let e = dns
            .mutate(
                "example-test",
                &Mutation::Change(body),
                None,
                Duration::ZERO,
            )
            .unwrap_err();
        assert_eq!(e.code, 412);
        assert!(dns.rrset("example-test", "new.example.test.", "A").is_err());
        assert_eq!(dns.changes("example-test").unwrap().len(), 2);
        let e = dns.change("example-test", "07").unwrap_err();
        assert_eq!(e.code, 404);
    }
}
