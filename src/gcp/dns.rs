//! Cloud DNS v1 calls rotate-cert makes: find zones, read record sets, apply a change,
//! and wait for it to be `done`.
//!
//! A change is atomic and its deletions must match the current record sets exactly
//! (name, type, TTL and every rrdata), or Cloud DNS refuses the whole change with 412 —
//! surfaced as [`ErrorKind::PreconditionFailed`], meaning "someone changed the records
//! since you read them": re-read and decide, never retry blindly. A change carrying a
//! `clientOperationId` ([`RequestId`]) is retried by the HTTP core after 429/5xx/lost
//! responses; without one it gets a single attempt. This module does not decide which
//! records to change.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::client::{ApiClient, ApiRequest, Repeat};
use super::endpoints::Api;
use super::error::{ErrorKind, GcpError};
use super::retry::RequestId;

/// A managed zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedZone {
    /// The zone's resource name (`example-test`).
    pub name: String,
    /// Its DNS name, with the trailing dot (`example.test.`).
    pub dns_name: String,
    /// Its authoritative name servers.
    pub name_servers: Vec<String>,
    /// Who can resolve it.
    pub visibility: ZoneVisibility,
}

/// A zone's visibility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneVisibility {
    /// Served on the internet (the default).
    Public,
    /// Served only to chosen VPC networks.
    Private,
    /// A value this version does not know.
    Other(String),
}

/// A resource record set. Equality ignores the order of `rrdatas` and the case of the
/// name and type, as Cloud DNS's exact-match deletions do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordSet {
    /// The owner name, fully qualified with the trailing dot.
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, …
    #[serde(rename = "type")]
    pub rtype: String,
    /// Seconds.
    #[serde(default)]
    pub ttl: u32,
    /// The records (for `A`: dotted IPv4 strings). Empty for record sets that use a
    /// routing policy, which rotate-cert cannot reproduce in a deletion.
    #[serde(default)]
    pub rrdatas: Vec<String>,
}

impl PartialEq for RecordSet {
    fn eq(&self, other: &Self) -> bool {
        let sorted = |v: &[String]| {
            let mut v = v.to_vec();
            v.sort();
            v
        };
        self.name.eq_ignore_ascii_case(&other.name)
            && self.rtype.eq_ignore_ascii_case(&other.rtype)
            && self.ttl == other.ttl
            && sorted(&self.rrdatas) == sorted(&other.rrdatas)
    }
}

impl Eq for RecordSet {}

/// A change to apply atomically.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeRequest {
    /// Record sets to add.
    pub additions: Vec<RecordSet>,
    /// Record sets to delete, exactly as they are now.
    pub deletions: Vec<RecordSet>,
    /// The idempotency key (`clientOperationId`); without it the change is sent once.
    pub client_operation_id: Option<RequestId>,
}

/// A change's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeStatus {
    /// Accepted, not yet sent to the authoritative servers.
    Pending,
    /// Sent to the authoritative servers (resolvers may still cache old answers).
    Done,
    /// A value this version does not know (treated as not done).
    Other(String),
}

/// A change as Cloud DNS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The change id (sequential per zone).
    pub id: String,
    /// Its state.
    pub status: ChangeStatus,
    /// When the server started it.
    pub start_time: Option<SystemTime>,
}

/// The Cloud DNS v1 client for one project.
#[derive(Debug, Clone)]
pub struct Dns {
    client: Arc<ApiClient>,
    project: Arc<str>,
}

impl Dns {
    pub(crate) fn new(client: Arc<ApiClient>, project: Arc<str>) -> Dns {
        Dns { client, project }
    }

    fn segments(&self, rest: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = ["dns", "v1", "projects", &self.project]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(rest.iter().map(|s| s.to_string()));
        v
    }

    fn zone_path(&self, zone: &str) -> String {
        format!("projects/{}/managedZones/{zone}", self.project)
    }

    /// `managedZones.list`, optionally only the zone whose apex is exactly `dns_name`
    /// (with the trailing dot). Follows every page.
    pub async fn list_zones(&self, dns_name: Option<&str>) -> Result<Vec<ManagedZone>, GcpError> {
        let mut req = ApiRequest::get(
            Api::Dns,
            "dns.managedZones.list",
            self.segments(&["managedZones"]),
            format!("projects/{}/managedZones", self.project),
        );
        if let Some(d) = dns_name {
            req = req.query("dnsName", d);
        }
        let resource = req.resource.clone();
        let items = self.all_pages(req, "managedZones").await?;
        items
            .iter()
            .map(zone)
            .collect::<Result<_, _>>()
            .map_err(|e| self.decode("dns.managedZones.list", &resource, e))
    }

    /// `managedZones.get` (by name or numeric id).
    pub async fn get_zone(&self, zone_name: &str) -> Result<ManagedZone, GcpError> {
        let req = ApiRequest::get(
            Api::Dns,
            "dns.managedZones.get",
            self.segments(&["managedZones", zone_name]),
            self.zone_path(zone_name),
        );
        let v: Value = self.client.call(&req).await?;
        zone(&v).map_err(|e| self.decode(req.method_id, &req.resource, e))
    }

    /// `resourceRecordSets.list`, optionally filtered by exact `name` (FQDN with the
    /// trailing dot) and `rtype` (which requires `name`). Follows every page.
    pub async fn list_record_sets(
        &self,
        zone_name: &str,
        name: Option<&str>,
        rtype: Option<&str>,
    ) -> Result<Vec<RecordSet>, GcpError> {
        let mut req = ApiRequest::get(
            Api::Dns,
            "dns.resourceRecordSets.list",
            self.segments(&["managedZones", zone_name, "rrsets"]),
            format!("{}/rrsets", self.zone_path(zone_name)),
        );
        if rtype.is_some() && name.is_none() {
            return Err(GcpError::new(
                ErrorKind::Invalid,
                Api::Dns,
                req.method_id,
                req.resource,
                "listing record sets by type needs a name too",
            ));
        }
        if let Some(n) = name {
            req = req.query("name", n);
        }
        if let Some(t) = rtype {
            req = req.query("type", t);
        }
        let method = req.method_id;
        let resource = req.resource.clone();
        let items = self.all_pages(req, "rrsets").await?;
        items
            .into_iter()
            .map(|v| serde_json::from_value(v).map_err(|e| e.to_string()))
            .collect::<Result<_, _>>()
            .map_err(|e| self.decode(method, &resource, e))
    }

    /// `changes.create`: applies `change` atomically. Returns the change (usually
    /// `pending`; see [`Dns::wait_change`]).
    pub async fn create_change(
        &self,
        zone_name: &str,
        change: &ChangeRequest,
    ) -> Result<Change, GcpError> {
        let mut req = ApiRequest {
            http: Method::POST,
            body: Some(json!({ "additions": change.additions, "deletions": change.deletions })),
            repeat: Repeat::Once,
            ..ApiRequest::get(
                Api::Dns,
                "dns.changes.create",
                self.segments(&["managedZones", zone_name, "changes"]),
                format!("{}/changes", self.zone_path(zone_name)),
            )
        };
        if change.additions.is_empty() && change.deletions.is_empty() {
            return Err(GcpError::new(
                ErrorKind::Invalid,
                Api::Dns,
                req.method_id,
                req.resource,
                "a change needs at least one addition or deletion",
            ));
        }
        if let Some(id) = &change.client_operation_id {
            req = req.query("clientOperationId", id.to_string());
            req.repeat = Repeat::Keyed;
        }
        let v: Value = self.client.call(&req).await?;
        parse_change(&v).map_err(|e| self.decode(req.method_id, &req.resource, e))
    }

    /// `changes.get`.
    pub async fn get_change(&self, zone_name: &str, id: &str) -> Result<Change, GcpError> {
        let req = ApiRequest::get(
            Api::Dns,
            "dns.changes.get",
            self.segments(&["managedZones", zone_name, "changes", id]),
            format!("{}/changes/{id}", self.zone_path(zone_name)),
        );
        let v: Value = self.client.call(&req).await?;
        parse_change(&v).map_err(|e| self.decode(req.method_id, &req.resource, e))
    }

    /// Polls `changes.get` every `poll_interval` until the change is `done`; still
    /// pending at `deadline` is [`ErrorKind::Timeout`].
    pub async fn wait_change(
        &self,
        zone_name: &str,
        id: &str,
        poll_interval: Duration,
        deadline: Instant,
    ) -> Result<Change, GcpError> {
        let started = Instant::now();
        loop {
            let change = self.get_change(zone_name, id).await?;
            if change.status == ChangeStatus::Done {
                return Ok(change);
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(GcpError::new(
                    ErrorKind::Timeout,
                    Api::Dns,
                    "dns.changes.get",
                    format!("{}/changes/{id}", self.zone_path(zone_name)),
                    format!(
                        "change {id} is still {:?} after {}",
                        change.status,
                        crate::util::duration::format_duration(started.elapsed())
                    ),
                ));
            }
            tokio::time::sleep(poll_interval.min(deadline - now)).await;
        }
    }

    /// Collects `field` from every page of a list call.
    async fn all_pages(&self, req: ApiRequest, field: &str) -> Result<Vec<Value>, GcpError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let mut page_req = req.clone();
            if let Some(t) = &token {
                page_req = page_req.query("pageToken", t.clone());
            }
            let page: Value = self.client.call(&page_req).await?;
            out.extend(page[field].as_array().cloned().unwrap_or_default());
            match page["nextPageToken"].as_str().filter(|t| !t.is_empty()) {
                Some(next) if token.as_deref() != Some(next) => token = Some(next.to_string()),
                Some(_) => {
                    return Err(self.decode(
                        req.method_id,
                        &req.resource,
                        "the same page token came back twice".into(),
                    ));
                }
                None => return Ok(out),
            }
        }
        Err(self.decode(req.method_id, &req.resource, "more than 10000 pages".into()))
    }

    fn decode(&self, method: &'static str, resource: &str, why: String) -> GcpError {
        GcpError::new(ErrorKind::Decode, Api::Dns, method, resource, why)
    }
}

fn zone(v: &Value) -> Result<ManagedZone, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Raw {
        name: String,
        dns_name: String,
        #[serde(default)]
        name_servers: Vec<String>,
        visibility: Option<String>,
    }
    let r = Raw::deserialize(v).map_err(|e| e.to_string())?;
    let visibility = match r.visibility.as_deref() {
        None | Some("public") => ZoneVisibility::Public,
        Some("private") => ZoneVisibility::Private,
        Some(other) => ZoneVisibility::Other(other.to_string()),
    };
    Ok(ManagedZone {
        name: r.name,
        dns_name: r.dns_name,
        name_servers: r.name_servers,
        visibility,
    })
}

fn parse_change(v: &Value) -> Result<Change, String> {
    let id = match &v["id"] {
        Value::String(s) if !s.is_empty() => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err("the change has no `id`".to_string()),
    };
    let status = match v["status"].as_str().unwrap_or_default() {
        "pending" => ChangeStatus::Pending,
        "done" => ChangeStatus::Done,
        other => ChangeStatus::Other(other.to_string()),
    };
    let start_time = match v["startTime"].as_str() {
        Some(t) => Some(
            crate::util::time::parse_rfc3339(t)
                .ok_or_else(|| format!("`startTime` is not an RFC 3339 time: `{t}`"))?,
        ),
        None => None,
    };
    Ok(Change {
        id,
        status,
        start_time,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs(name: &str, ttl: u32, rrdatas: &[&str]) -> RecordSet {
        RecordSet {
            name: name.into(),
            rtype: "A".into(),
            ttl,
            rrdatas: rrdatas.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn record_set_equality_ignores_order_and_case_only() {
        let a = rs("www.example.test.", 300, &["1.2.3.4", "5.6.7.8"]);
        assert_eq!(a, rs("WWW.example.test.", 300, &["5.6.7.8", "1.2.3.4"]));
        assert_ne!(
            a,
            rs("www.example.test.", 60, &["1.2.3.4", "5.6.7.8"]),
            "ttl"
        );
        assert_ne!(a, rs("www.example.test.", 300, &["1.2.3.4"]), "rrdatas");
        assert_ne!(
            a,
            rs("api.example.test.", 300, &["1.2.3.4", "5.6.7.8"]),
            "name"
        );
        let aaaa = RecordSet {
            rtype: "AAAA".into(),
            ..a.clone()
        };
        assert_ne!(a, aaaa, "type");
    }

    #[test]
    fn record_sets_use_the_api_field_names() -> Result<(), serde_json::Error> {
        let a = rs("www.example.test.", 300, &["1.2.3.4"]);
        assert_eq!(
            serde_json::to_value(&a)?,
            json!({"name": "www.example.test.", "type": "A", "ttl": 300, "rrdatas": ["1.2.3.4"]})
        );
        let back: RecordSet = serde_json::from_value(json!({
            "kind": "dns#resourceRecordSet", "name": "x.", "type": "TXT", "ttl": 5, "rrdatas": ["\"v\""]
        }))?;
        assert_eq!(back.rtype, "TXT");
        Ok(())
    }

    #[test]
    fn parses_zones_and_changes() -> Result<(), String> {
        let z = zone(
            &json!({"name": "z", "dnsName": "example.test.", "nameServers": ["ns1."], "visibility": "private"}),
        )?;
        assert_eq!(z.visibility, ZoneVisibility::Private);
        assert_eq!(
            zone(&json!({"name": "z", "dnsName": "e."}))?.visibility,
            ZoneVisibility::Public
        );
        let c = parse_change(
            &json!({"id": "7", "status": "done", "startTime": "2026-01-01T00:00:00.000Z"}),
        )?;
        assert_eq!((c.id.as_str(), c.status), ("7", ChangeStatus::Done));
        assert_eq!(
            parse_change(&json!({"id": 8, "status": "pending"}))?.status,
            ChangeStatus::Pending
        );
        assert!(parse_change(&json!({"status": "done"})).is_err());
        Ok(())
    }
}
