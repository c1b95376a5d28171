//! One managed zone: its identity, the API view and the served view of its record
//! sets, its changes in order, and the `clientOperationId`s it has seen.
//!
//! A zone applies an accepted change to the API view at once and queues it for the
//! served view; [`Zone::promote`] moves due changes, in order and each as a whole, into
//! the served view and marks them `done`. It also turns a REST mutation
//! ([`Mutation`]) into the additions and deletions it stands for, reading the current
//! record set under the same lock for `patch` and `delete`. The rules themselves are
//! in `rules.rs`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{Value, json};

use super::model::{RecordSet, RrKey, name_key, normalize_name};
use super::rules::{self, Ctx};
use crate::sandbox::google::GoogleError;
use crate::util::time::rfc3339_millis;

/// TTL of the apex SOA and NS record sets Cloud DNS creates with a zone.
const APEX_TTL: u32 = 21600;

/// One change, as recorded.
#[derive(Debug, Clone)]
pub struct ChangeRec {
    /// Record sets added, in request order.
    pub(super) additions: Vec<RecordSet>,
    /// Record sets deleted, in request order.
    pub(super) deletions: Vec<RecordSet>,
    /// When it was accepted (RFC 3339, milliseconds).
    pub(super) start_time: String,
    /// When it becomes `done` and reaches the served view.
    pub(super) ready_at: Instant,
    /// Whether it is `done` (applied to the served view).
    pub(super) done: bool,
}

/// One managed zone.
#[derive(Debug)]
pub struct Zone {
    /// The zone's name (`example-test`).
    pub(super) name: String,
    /// Its DNS name, with a trailing dot (`example.test.`).
    pub(super) dns_name: String,
    /// Free text.
    pub(super) description: String,
    /// Numeric id, as a string.
    pub(super) id: String,
    /// RFC 3339 creation time.
    pub(super) creation_time: String,
    /// The apex NS names.
    pub(super) name_servers: Vec<String>,
    /// The API view.
    pub(super) records: BTreeMap<RrKey, RecordSet>,
    /// The served view.
    pub(super) served: BTreeMap<RrKey, RecordSet>,
    /// Every change; the index is the change id.
    pub(super) changes: Vec<ChangeRec>,
    /// `clientOperationId` → change id.
    pub(super) client_ops: HashMap<String, usize>,
}

/// A mutation requested through the REST API.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// `changes.create` with its body.
    Change(Value),
    /// `resourceRecordSets.create` with its body.
    Create(Value),
    /// `resourceRecordSets.patch` of `name`/`rtype` with its body.
    Patch {
        /// Owner name from the path.
        name: String,
        /// Type from the path.
        rtype: String,
        /// The request body.
        body: Value,
    },
    /// `resourceRecordSets.delete` of `name`/`rtype`.
    Delete {
        /// Owner name from the path.
        name: String,
        /// Type from the path.
        rtype: String,
    },
}

/// A deterministic numeric zone id (19 digits, like Google's) derived from the name.
pub fn zone_id(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (1_000_000_000_000_000_000 + h % 8_000_000_000_000_000_000).to_string()
}

impl Zone {
    /// A new public zone holding Cloud DNS's apex SOA and NS sets as change `"0"`.
    pub(super) fn new(name: &str, dns_name: &str, description: &str) -> Zone {
        let dns_name = normalize_name(dns_name);
        let name_servers: Vec<String> = (1..=4)
            .map(|i| format!("ns-sandbox-{i}.{dns_name}"))
            .collect();
        let soa = RecordSet::new(
            &dns_name,
            "SOA",
            APEX_TTL,
            vec![format!(
                "{} cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300",
                name_servers[0]
            )],
        );
        let ns = RecordSet::new(&dns_name, "NS", APEX_TTL, name_servers.clone());
        let mut zone = Zone {
            name: name.to_string(),
            dns_name: dns_name.clone(),
            description: description.to_string(),
            id: zone_id(name),
            creation_time: rfc3339_millis(SystemTime::now()),
            name_servers,
            records: BTreeMap::new(),
            served: BTreeMap::new(),
            changes: Vec::new(),
            client_ops: HashMap::new(),
        };
        zone.record(vec![soa, ns], Vec::new(), Duration::ZERO);
        zone
    }

    /// The API's JSON (`dns#managedZone`).
    pub(super) fn to_json(&self) -> Value {
        json!({
            "kind": "dns#managedZone",
            "name": self.name,
            "dnsName": self.dns_name,
            "description": self.description,
            "id": self.id,
            "nameServers": self.name_servers,
            "creationTime": self.creation_time,
            "visibility": "public",
            "cloudLoggingConfig": {"kind": "dns#managedZoneCloudLoggingConfig"},
        })
    }

    /// Change `idx` as the API shows it (`dns#change`); null when there is none.
    pub(super) fn change_json(&self, idx: usize) -> Value {
        let Some(c) = self.changes.get(idx) else {
            return Value::Null;
        };
        let mut v = json!({
            "kind": "dns#change",
            "id": idx.to_string(),
            "startTime": c.start_time,
            "status": if c.done { "done" } else { "pending" },
            "isServing": true,
        });
        if !c.additions.is_empty() {
            v["additions"] = c.additions.iter().map(RecordSet::to_json).collect();
        }
        if !c.deletions.is_empty() {
            v["deletions"] = c.deletions.iter().map(RecordSet::to_json).collect();
        }
        v
    }

    /// Moves every pending change whose time has come, in order, into the served view.
    pub(super) fn promote(&mut self, now: Instant) {
        for c in self.changes.iter_mut().filter(|c| !c.done) {
            if c.ready_at > now {
                break;
            }
            rules::apply(&mut self.served, &c.additions, &c.deletions);
            c.done = true;
        }
    }

    /// Records an accepted change, applying it to the API view now and to the served
    /// view after `delay`.
    pub(super) fn record(
        &mut self,
        additions: Vec<RecordSet>,
        deletions: Vec<RecordSet>,
        delay: Duration,
    ) {
        let now = Instant::now();
        rules::apply(&mut self.records, &additions, &deletions);
        let after_previous = self.changes.last().map_or(now, |c| c.ready_at);
        self.changes.push(ChangeRec {
            additions,
            deletions,
            start_time: rfc3339_millis(SystemTime::now()),
            ready_at: (now + delay).max(after_previous),
            done: false,
        });
        self.promote(now);
    }

    /// The 404 for a record set that is not there (message inferred from Google's
    /// other `parameters.*` not-found messages).
    pub(super) fn rrset_not_found(name: &str, rtype: &str) -> GoogleError {
        GoogleError::not_found(format!(
            "The 'parameters.name' resource named '{} ({rtype})' does not exist.",
            normalize_name(name)
        ))
    }

    /// Turns a REST mutation into the additions and deletions it stands for.
    pub(super) fn plan(
        &self,
        m: &Mutation,
    ) -> Result<(Vec<RecordSet>, Vec<RecordSet>, Ctx), GoogleError> {
        let parse_list = |body: &Value, list: &str| -> Result<Vec<RecordSet>, GoogleError> {
            let items = body.get(list).and_then(Value::as_array);
            items
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, v)| {
                    rules::parse_rrset(v, &format!("entity.change.{list}[{i}]"), &self.dns_name)
                })
                .collect()
        };
        match m {
            Mutation::Change(body) => Ok((
                parse_list(body, "additions")?,
                parse_list(body, "deletions")?,
                Ctx::Change,
            )),
            Mutation::Create(body) => {
                let rr = rules::parse_rrset(body, "entity.rrset", &self.dns_name)?;
                Ok((vec![rr], Vec::new(), Ctx::Rrset))
            }
            Mutation::Patch { name, rtype, body } => {
                let current = self
                    .records
                    .get(&RrKey::new(name, rtype))
                    .ok_or_else(|| Self::rrset_not_found(name, rtype))?;
                for (field, path_value) in [("name", current.name.as_str()), ("type", rtype)] {
                    if let Some(given) = body.get(field).and_then(Value::as_str) {
                        let same = if field == "name" {
                            name_key(given) == name_key(path_value)
                        } else {
                            given == path_value
                        };
                        if !same {
                            return Err(rules::invalid_value(
                                &format!("entity.rrset.{field}"),
                                given,
                            ));
                        }
                    }
                }
                let mut merged = current.to_json();
                for field in ["ttl", "rrdatas", "routingPolicy"] {
                    if let Some(v) = body.get(field).filter(|v| !v.is_null()) {
                        merged[field] = v.clone();
                    }
                }
                let rr = rules::parse_rrset(&merged, "entity.rrset", &self.dns_name)?;
                Ok((vec![rr], vec![current.clone()], Ctx::Rrset))
            }
            Mutation::Delete { name, rtype } => {
                let current = self
                    .records
                    .get(&RrKey::new(name, rtype))
                    .ok_or_else(|| Self::rrset_not_found(name, rtype))?;
                Ok((Vec::new(), vec![current.clone()], Ctx::Rrset))
            }
        }
    }
}
