//! The Compute world's data and what each mutation does to it when its operation
//! completes (the checks that come first live in `check.rs`): normalised references,
//! output-only fields (`id`, `selfLink`, `kind`, `fingerprint`, `creationTimestamp` with
//! a Pacific offset), write-only private keys kept aside, derived certificate facts,
//! ephemeral IPs for rules without one, reserved-IP promotion, and addresses going
//! `RESERVED` ⇄ `IN_USE` with `users[]` as forwarding rules come and go. A released
//! address in use leaves its rules their IP (ingress-gce's garbage collection relies on
//! it).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::Instant;

use serde_json::{Value, json};

use super::check::{cert_and_key, certificate_facts, port_range};
use super::links::{Collection, parse_ref, parse_ref_in, self_link};
use super::ops::OpError;
use crate::sandbox::google::GoogleError;
use crate::secret::SecretPem;

/// A change to the Compute world, carried by an operation.
#[derive(Debug, Clone)]
pub enum Mutation {
    /// `insert` into a collection.
    Insert {
        /// Where.
        coll: Collection,
        /// The request body (already schema-checked).
        body: Value,
    },
    /// `delete`.
    Delete {
        /// Where.
        coll: Collection,
        /// Which.
        name: String,
    },
    /// `targetHttpsProxies.setSslCertificates` (names of certificates).
    SetSslCertificates {
        /// The proxy.
        proxy: String,
        /// Certificate references as sent.
        certs: Vec<String>,
    },
    /// `target{Http,Https}Proxies.setUrlMap`.
    SetUrlMap {
        /// Which proxy collection.
        coll: Collection,
        /// The proxy.
        proxy: String,
        /// URL map reference as sent.
        url_map: String,
    },
    /// `globalForwardingRules.setTarget`.
    SetTarget {
        /// The rule.
        rule: String,
        /// Target reference as sent.
        target: String,
    },
    /// `urlMaps.update` (PUT).
    UpdateUrlMap {
        /// The map.
        name: String,
        /// The new body.
        body: Value,
    },
}

impl Mutation {
    /// The operation type (`insert`, `delete`, `setSslCertificates`, …).
    pub fn op_type(&self) -> &'static str {
        match self {
            Mutation::Insert { .. } => "insert",
            Mutation::Delete { .. } => "delete",
            Mutation::SetSslCertificates { .. } => "setSslCertificates",
            Mutation::SetUrlMap { .. } => "setUrlMap",
            Mutation::SetTarget { .. } => "setTarget",
            Mutation::UpdateUrlMap { .. } => "update",
        }
    }

    /// The resource the operation targets.
    pub fn target(&self) -> (Collection, String) {
        match self {
            Mutation::Insert { coll, body } => {
                (*coll, body["name"].as_str().unwrap_or_default().to_string())
            }
            Mutation::Delete { coll, name } => (*coll, name.clone()),
            Mutation::SetSslCertificates { proxy, .. } => {
                (Collection::TargetHttpsProxies, proxy.clone())
            }
            Mutation::SetUrlMap { coll, proxy, .. } => (*coll, proxy.clone()),
            Mutation::SetTarget { rule, .. } => (Collection::ForwardingRules, rule.clone()),
            Mutation::UpdateUrlMap { name, .. } => (Collection::UrlMaps, name.clone()),
        }
    }
}

/// One stored resource.
#[derive(Debug, Clone)]
pub struct Resource {
    /// What `get` returns.
    pub json: Value,
    /// When it was created (sandbox clock).
    pub created: Instant,
    /// The private key of an SSL certificate (write-only in the API).
    pub private_key: Option<SecretPem>,
}

/// The Compute world's data.
#[derive(Debug, Default)]
pub struct Inner {
    /// Resources per collection, by name.
    pub resources: BTreeMap<Collection, BTreeMap<String, Resource>>,
    /// Names whose insert is in flight.
    pub pending: BTreeSet<(Collection, String)>,
    /// Next numeric id.
    pub next_id: u64,
    /// Next IP to allocate (index into `127.<ip_block>.0.0/16`).
    pub next_ip: u32,
    /// The second octet of this sandbox's load-balancer IPs (random per sandbox, so
    /// several sandboxes on one machine do not collide).
    pub ip_block: u8,
}

fn fingerprint() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(&uuid::Uuid::new_v4().as_bytes()[..8])
}

impl Inner {
    /// The collection's map.
    pub fn coll(&self, c: Collection) -> Option<&BTreeMap<String, Resource>> {
        self.resources.get(&c)
    }

    /// A resource.
    pub fn get(&self, c: Collection, name: &str) -> Option<&Resource> {
        self.resources.get(&c).and_then(|m| m.get(name))
    }

    pub(super) fn exists(&self, c: Collection, name: &str) -> bool {
        self.get(c, name).is_some()
    }

    fn alloc_id(&mut self) -> u64 {
        self.next_id += 1;
        // Real ids are large uint64s; keep them recognisable but realistic in size.
        4_000_000_000_000_000_000 + self.next_id * 7919
    }

    fn alloc_ip(&mut self) -> String {
        loop {
            let n = self.next_ip;
            self.next_ip += 1;
            let host = (n % 254 + 1) as u8;
            let mid = ((n / 254) % 256) as u8;
            let ip = Ipv4Addr::new(127, self.ip_block, mid, host).to_string();
            if self.ip_users(&ip).next().is_none() && self.address_by_ip(&ip).is_none() {
                return ip;
            }
        }
    }

    /// Forwarding rules using `ip`: (name, portRange).
    pub fn ip_users<'a>(
        &'a self,
        ip: &'a str,
    ) -> impl Iterator<Item = (&'a String, &'a Value)> + 'a {
        self.coll(Collection::ForwardingRules)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(move |(_, r)| r.json["IPAddress"] == ip)
            .map(|(n, r)| (n, &r.json["portRange"]))
    }

    pub(super) fn address_by_ip(&self, ip: &str) -> Option<String> {
        self.coll(Collection::Addresses)?
            .iter()
            .find(|(_, r)| r.json["address"] == ip)
            .map(|(n, _)| n.clone())
    }

    /// Applies an accepted mutation when its operation completes.
    pub fn apply(&mut self, project: &str, m: &Mutation) -> Result<Option<u64>, OpError> {
        let in_op = |e: GoogleError| OpError {
            code: match e.reason.as_str() {
                "resourceInUseByAnotherResource" => "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE".into(),
                "notFound" => "RESOURCE_NOT_FOUND".into(),
                "alreadyExists" => "RESOURCE_ALREADY_EXISTS".into(),
                _ => "INVALID_FIELD_VALUE".into(),
            },
            message: e.message,
            http_status: e.code,
        };
        match m {
            Mutation::Insert { coll, body } => {
                self.pending
                    .remove(&(*coll, body["name"].as_str().unwrap_or_default().to_string()));
                self.check_insert(project, *coll, body).map_err(in_op)?;
                self.insert(project, *coll, body.clone())
                    .map(Some)
                    .map_err(in_op)
            }
            Mutation::Delete { coll, name } => {
                self.check(project, m).map_err(in_op)?;
                let removed = self.resources.get_mut(coll).and_then(|c| c.remove(name));
                if *coll == Collection::ForwardingRules
                    && let Some(r) = &removed
                {
                    let link = self_link(project, *coll, name);
                    self.release_ip(r.json["IPAddress"].as_str().unwrap_or_default(), &link);
                }
                Ok(removed.and_then(|r| r.json["id"].as_str().and_then(|s| s.parse().ok())))
            }
            Mutation::SetSslCertificates { proxy, certs } => {
                self.check(project, m).map_err(in_op)?;
                let links: Vec<Value> = certs
                    .iter()
                    .filter_map(|c| parse_ref_in(project, c, Collection::SslCertificates))
                    .map(|n| json!(self_link(project, Collection::SslCertificates, &n)))
                    .collect();
                self.update(Collection::TargetHttpsProxies, proxy, |j| {
                    j["sslCertificates"] = Value::Array(links)
                })
            }
            Mutation::SetUrlMap {
                coll,
                proxy,
                url_map,
            } => {
                self.check(project, m).map_err(in_op)?;
                let name = parse_ref_in(project, url_map, Collection::UrlMaps).unwrap_or_default();
                let link = self_link(project, Collection::UrlMaps, &name);
                self.update(*coll, proxy, |j| j["urlMap"] = json!(link))
            }
            Mutation::SetTarget { rule, target } => {
                self.check(project, m).map_err(in_op)?;
                let (c, n) = parse_ref(project, target)
                    .unwrap_or((Collection::TargetHttpsProxies, String::new()));
                let link = self_link(project, c, &n);
                self.update(Collection::ForwardingRules, rule, |j| {
                    j["target"] = json!(link)
                })
            }
            Mutation::UpdateUrlMap { name, body } => {
                self.check(project, m).map_err(in_op)?;
                let mut new = body.clone();
                normalise_url_map(project, &mut new);
                self.update(Collection::UrlMaps, name, move |j| {
                    for (k, v) in new.as_object().into_iter().flatten() {
                        if !matches!(
                            k.as_str(),
                            "id" | "kind" | "selfLink" | "creationTimestamp" | "name"
                        ) {
                            j[k] = v.clone();
                        }
                    }
                })
            }
        }
    }

    fn update(
        &mut self,
        coll: Collection,
        name: &str,
        f: impl FnOnce(&mut Value),
    ) -> Result<Option<u64>, OpError> {
        let r = self
            .resources
            .get_mut(&coll)
            .and_then(|c| c.get_mut(name))
            .ok_or_else(|| OpError {
                code: "RESOURCE_NOT_FOUND".into(),
                message: format!("The resource '{name}' was not found"),
                http_status: 404,
            })?;
        f(&mut r.json);
        if r.json.get("fingerprint").is_some() {
            r.json["fingerprint"] = json!(fingerprint());
        }
        Ok(r.json["id"].as_str().and_then(|s| s.parse().ok()))
    }

    fn release_ip(&mut self, ip: &str, rule_link: &str) {
        if let Some(addr) = self.address_by_ip(ip)
            && let Some(r) = self
                .resources
                .get_mut(&Collection::Addresses)
                .and_then(|c| c.get_mut(&addr))
        {
            let users: Vec<Value> = string_list(&r.json["users"])
                .into_iter()
                .filter(|u| u != rule_link)
                .map(Value::from)
                .collect();
            r.json["status"] = json!(if users.is_empty() {
                "RESERVED"
            } else {
                "IN_USE"
            });
            if users.is_empty() {
                if let Some(o) = r.json.as_object_mut() {
                    o.remove("users");
                }
            } else {
                r.json["users"] = Value::Array(users);
            }
        }
    }

    fn insert(
        &mut self,
        project: &str,
        coll: Collection,
        mut body: Value,
    ) -> Result<u64, GoogleError> {
        let name = body["name"].as_str().unwrap_or_default().to_string();
        let id = self.alloc_id();
        let mut private_key = None;
        let obj = body
            .as_object_mut()
            .ok_or_else(|| GoogleError::invalid("body must be an object"))?;
        obj.insert("kind".into(), json!(coll.kind()));
        obj.insert("id".into(), json!(id.to_string()));
        obj.insert("creationTimestamp".into(), json!(creation_timestamp()));
        obj.insert("selfLink".into(), json!(self_link(project, coll, &name)));
        match coll {
            Collection::SslCertificates => {
                let (pem, key) = cert_and_key(&body);
                let pem = pem.unwrap_or_default().to_string();
                let key = SecretPem::new(key.unwrap_or_default().as_bytes().to_vec());
                let facts = certificate_facts(&pem, &key)?;
                private_key = Some(key);
                let obj = body
                    .as_object_mut()
                    .ok_or_else(|| GoogleError::invalid("body"))?;
                obj.remove("privateKey");
                if let Some(sm) = obj.get_mut("selfManaged").and_then(Value::as_object_mut) {
                    sm.remove("privateKey");
                }
                obj.insert("certificate".into(), json!(pem));
                obj.insert("type".into(), json!("SELF_MANAGED"));
                obj.insert("expireTime".into(), json!(compute_time(&facts.expire_time)));
                obj.insert("subjectAlternativeNames".into(), json!(facts.sans));
            }
            Collection::TargetHttpsProxies | Collection::TargetHttpProxies => {
                let um = parse_ref_in(
                    project,
                    body["urlMap"].as_str().unwrap_or_default(),
                    Collection::UrlMaps,
                )
                .unwrap_or_default();
                body["urlMap"] = json!(self_link(project, Collection::UrlMaps, &um));
                body["fingerprint"] = json!(fingerprint());
                if coll == Collection::TargetHttpsProxies {
                    let certs: Vec<Value> = string_list(&body["sslCertificates"])
                        .iter()
                        .filter_map(|c| parse_ref_in(project, c, Collection::SslCertificates))
                        .map(|n| json!(self_link(project, Collection::SslCertificates, &n)))
                        .collect();
                    body["sslCertificates"] = Value::Array(certs);
                    if body["quicOverride"].is_null() {
                        body["quicOverride"] = json!("NONE");
                    }
                }
            }
            Collection::UrlMaps => {
                normalise_url_map(project, &mut body);
                body["fingerprint"] = json!(fingerprint());
            }
            Collection::BackendServices => {
                body["fingerprint"] = json!(fingerprint());
            }
            Collection::ForwardingRules => {
                let link = self_link(project, coll, &name);
                let ip = match body["IPAddress"].as_str() {
                    Some(a) => self.requested_ip(project, a)?,
                    None => self.alloc_ip(),
                };
                if let Some(addr) = self.address_by_ip(&ip)
                    && let Some(r) = self
                        .resources
                        .get_mut(&Collection::Addresses)
                        .and_then(|c| c.get_mut(&addr))
                {
                    let mut users = string_list(&r.json["users"]);
                    users.push(link);
                    r.json["users"] = json!(users);
                    r.json["status"] = json!("IN_USE");
                }
                let (c, n) = parse_ref(project, body["target"].as_str().unwrap_or_default())
                    .unwrap_or((Collection::TargetHttpsProxies, String::new()));
                body["target"] = json!(self_link(project, c, &n));
                body["IPAddress"] = json!(ip);
                if body["IPProtocol"].is_null() {
                    body["IPProtocol"] = json!("TCP");
                }
                if let Some(p) = port_range(&body) {
                    body["portRange"] = json!(p);
                }
                if body["loadBalancingScheme"].is_null() {
                    body["loadBalancingScheme"] = json!("EXTERNAL");
                }
                body["networkTier"] = json!("PREMIUM");
                body["labelFingerprint"] = json!("42WmSpB8rSM=");
                body["fingerprint"] = json!(fingerprint());
            }
            Collection::Addresses => {
                let ip = match body["address"].as_str() {
                    Some(ip) => ip.to_string(),
                    None => self.alloc_ip(),
                };
                let users: Vec<String> = self
                    .ip_users(&ip)
                    .map(|(n, _)| self_link(project, Collection::ForwardingRules, n))
                    .collect();
                body["address"] = json!(ip);
                body["status"] = json!(if users.is_empty() {
                    "RESERVED"
                } else {
                    "IN_USE"
                });
                if !users.is_empty() {
                    body["users"] = json!(users);
                }
                if body["addressType"].is_null() {
                    body["addressType"] = json!("EXTERNAL");
                }
                body["networkTier"] = json!("PREMIUM");
                body["ipVersion"] = json!("IPV4");
                body["labelFingerprint"] = json!("42WmSpB8rSM=");
            }
        }
        self.resources.entry(coll).or_default().insert(
            name,
            Resource {
                json: body,
                created: Instant::now(),
                private_key,
            },
        );
        Ok(id)
    }
}

fn creation_timestamp() -> String {
    pacific(time::OffsetDateTime::now_utc())
}

/// A time as Compute writes it: milliseconds and a Pacific offset
/// (`2026-01-01T04:00:00.000-08:00`); clients must accept any offset.
fn pacific(t: time::OffsetDateTime) -> String {
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    );
    t.to_offset(time::macros::offset!(-8))
        .format(&fmt)
        .unwrap_or_default()
}

/// An RFC 3339 time (the certificate summary's `notAfter`) in Compute's form.
fn compute_time(rfc3339: &str) -> String {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .map(pacific)
        .unwrap_or_else(|_| rfc3339.to_string())
}

/// Every backend-service reference in a URL map.
pub fn url_map_services(j: &Value) -> Vec<Value> {
    let mut out = vec![j["defaultService"].clone()];
    for pm in j["pathMatchers"].as_array().into_iter().flatten() {
        out.push(pm["defaultService"].clone());
        for pr in pm["pathRules"].as_array().into_iter().flatten() {
            out.push(pr["service"].clone());
        }
    }
    out.retain(|v| v.is_string());
    out
}

fn normalise_url_map(project: &str, body: &mut Value) {
    let link = |v: &mut Value| {
        if let Some(n) = v
            .as_str()
            .and_then(|s| parse_ref_in(project, s, Collection::BackendServices))
        {
            *v = json!(self_link(project, Collection::BackendServices, &n));
        }
    };
    link(&mut body["defaultService"]);
    for pm in body["pathMatchers"].as_array_mut().into_iter().flatten() {
        link(&mut pm["defaultService"]);
        for pr in pm["pathRules"].as_array_mut().into_iter().flatten() {
            link(&mut pr["service"]);
        }
    }
}

/// A JSON array of strings as a `Vec`.
pub fn string_list(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(String::from))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_compute_writes_them() {
        assert_eq!(
            compute_time("2026-01-01T12:00:00Z"),
            "2026-01-01T04:00:00.000-08:00"
        );
        let created = creation_timestamp();
        assert!(
            created.ends_with("-08:00") && created.len() == 29,
            "{created}"
        );
    }
}
