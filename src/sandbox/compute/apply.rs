//! The rules of Compute mutations: what is refused up front (HTTP errors with lowerCamel
//! reasons) and what each mutation does to the world when its operation completes.
//!
//! Enforced as the real API does: resource-name syntax, duplicates (409), references to
//! missing resources (404), in-use deletes of certificates, proxies, URL maps and
//! backend services (400 `resourceInUseByAnotherResource`; an address in use can be
//! released, its rules keep the IP), at most 15 certificates per proxy, at most 5
//! certificates per chain, key/certificate match, one IP per port (a static IP cannot
//! serve two forwarding rules on the same port), reserved-IP promotion, address
//! `RESERVED` ⇄ `IN_USE` with `users[]`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::time::Instant;

use serde_json::{Value, json};

use super::links::{Collection, parse_ref, parse_ref_in, partial, self_link};
use super::ops::OpError;
use crate::sandbox::google::{GoogleError, valid_compute_name};
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

fn not_found(project: &str, coll: Collection, name: &str) -> GoogleError {
    GoogleError::not_found(format!(
        "The resource '{}' was not found",
        partial(project, coll, name)
    ))
}

fn in_use(project: &str, coll: Collection, name: &str, user: &str) -> GoogleError {
    GoogleError::new(
        400,
        "resourceInUseByAnotherResource",
        format!(
            "The {} resource '{}' is already being used by '{user}'",
            coll.noun(),
            partial(project, coll, name)
        ),
    )
}

fn invalid_field(field: &str, value: &str, why: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid value for field '{field}': '{value}'. {why}"
    ))
}

fn fingerprint() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(&uuid::Uuid::new_v4().as_bytes()[..8])
}

/// Facts the API derives from an uploaded certificate.
#[derive(Debug, Clone)]
pub struct CertFacts {
    /// Leaf `notAfter`, RFC 3339.
    pub expire_time: String,
    /// Leaf DNS SANs.
    pub sans: Vec<String>,
}

/// Parses an uploaded chain and key the way the real API does, with its messages.
pub fn certificate_facts(chain_pem: &str, key: &SecretPem) -> Result<CertFacts, GoogleError> {
    use crate::cert::{
        CertBundle, CertInputError, InputKind, KeyMatch, MAX_CHAIN_LEN, parse_key_pem,
    };
    let bundle = CertBundle::from_pem(chain_pem.as_bytes(), key.clone()).map_err(
        |e: CertInputError| match e.kind() {
            InputKind::Certificate => {
                GoogleError::bad_request("The SSL certificate could not be parsed.")
            }
            InputKind::Key => GoogleError::bad_request("The SSL key could not be parsed."),
        },
    )?;
    if bundle.chain.len() > MAX_CHAIN_LEN {
        return Err(GoogleError::bad_request(format!(
            "The SSL certificate chain is too long: at most {MAX_CHAIN_LEN} certificates are allowed."
        )));
    }
    let parsed = parse_key_pem(key)
        .map_err(|_| GoogleError::bad_request("The SSL key could not be parsed."))?;
    let leaf_spki = x509_parser::parse_x509_certificate(&bundle.chain[0])
        .map(|(_, c)| c.public_key().raw.to_vec())
        .map_err(|_| GoogleError::bad_request("The SSL certificate could not be parsed."))?;
    if parsed.matches_spki(&leaf_spki) != KeyMatch::Matches {
        return Err(GoogleError::bad_request(
            "The SSL certificate and key do not match.",
        ));
    }
    Ok(CertFacts {
        expire_time: bundle.summary.not_after,
        sans: bundle.summary.sans,
    })
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

    fn exists(&self, c: Collection, name: &str) -> bool {
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

    fn address_by_ip(&self, ip: &str) -> Option<String> {
        self.coll(Collection::Addresses)?
            .iter()
            .find(|(_, r)| r.json["address"] == ip)
            .map(|(n, _)| n.clone())
    }

    fn resolve_ref(
        &self,
        project: &str,
        field: &str,
        reference: &str,
        want: Collection,
    ) -> Result<String, GoogleError> {
        let name = parse_ref_in(project, reference, want).ok_or_else(|| {
            invalid_field(
                field,
                reference,
                &format!(
                    "The URL is malformed or does not refer to a {}.",
                    want.noun()
                ),
            )
        })?;
        if !self.exists(want, &name) {
            return Err(not_found(project, want, &name));
        }
        Ok(name)
    }

    /// Who references `(coll, name)`, as a partial URL (for in-use errors).
    fn referenced_by(&self, project: &str, coll: Collection, name: &str) -> Option<String> {
        let is = |v: &Value| {
            v.as_str()
                .and_then(|s| parse_ref(project, s))
                .is_some_and(|(c, n)| c == coll && n == name)
        };
        let scan = |c: Collection, f: &dyn Fn(&Value) -> bool| {
            self.coll(c)?
                .iter()
                .find(|(_, r)| f(&r.json))
                .map(|(n, _)| partial(project, c, n))
        };
        match coll {
            Collection::SslCertificates => scan(Collection::TargetHttpsProxies, &|j| {
                j["sslCertificates"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(is))
            }),
            Collection::UrlMaps => scan(Collection::TargetHttpsProxies, &|j| is(&j["urlMap"]))
                .or_else(|| scan(Collection::TargetHttpProxies, &|j| is(&j["urlMap"]))),
            Collection::TargetHttpsProxies | Collection::TargetHttpProxies => {
                scan(Collection::ForwardingRules, &|j| is(&j["target"]))
            }
            Collection::BackendServices => {
                scan(Collection::UrlMaps, &|j| url_map_services(j).iter().any(is))
            }
            // Releasing an address in use is allowed: its forwarding rules keep the IP
            // (as an ephemeral one) until they are deleted. ingress-gce relies on it: its
            // garbage collection deletes the promoted address before the HTTPS rule.
            Collection::Addresses | Collection::ForwardingRules => None,
        }
    }

    /// Checks a mutation before accepting it (synchronous errors).
    pub fn check(&self, project: &str, m: &Mutation) -> Result<(), GoogleError> {
        match m {
            Mutation::Insert { coll, body } => self.check_insert(project, *coll, body),
            Mutation::Delete { coll, name } => {
                if !self.exists(*coll, name) {
                    return Err(not_found(project, *coll, name));
                }
                match self.referenced_by(project, *coll, name) {
                    Some(user) => Err(in_use(project, *coll, name, &user)),
                    None => Ok(()),
                }
            }
            Mutation::SetSslCertificates { proxy, certs } => {
                if !self.exists(Collection::TargetHttpsProxies, proxy) {
                    return Err(not_found(project, Collection::TargetHttpsProxies, proxy));
                }
                self.check_cert_list(project, certs)
            }
            Mutation::SetUrlMap {
                coll,
                proxy,
                url_map,
            } => {
                if !self.exists(*coll, proxy) {
                    return Err(not_found(project, *coll, proxy));
                }
                self.resolve_ref(project, "urlMap", url_map, Collection::UrlMaps)
                    .map(|_| ())
            }
            Mutation::SetTarget { rule, target } => {
                if !self.exists(Collection::ForwardingRules, rule) {
                    return Err(not_found(project, Collection::ForwardingRules, rule));
                }
                self.check_target(project, target)
            }
            Mutation::UpdateUrlMap { name, body } => {
                let Some(current) = self.get(Collection::UrlMaps, name) else {
                    return Err(not_found(project, Collection::UrlMaps, name));
                };
                if let Some(fp) = body["fingerprint"].as_str()
                    && current.json["fingerprint"].as_str() != Some(fp)
                {
                    return Err(GoogleError::new(
                        412,
                        "conditionNotMet",
                        "Invalid fingerprint: the resource was modified since it was read",
                    ));
                }
                self.check_url_map(project, body)
            }
        }
    }

    fn check_cert_list(&self, project: &str, certs: &[String]) -> Result<(), GoogleError> {
        if certs.is_empty() {
            return Err(GoogleError::invalid(
                "Invalid value for field 'resource.sslCertificates': ''. At least one SSL certificate must be specified.",
            ));
        }
        if certs.len() > 15 {
            return Err(GoogleError::invalid(format!(
                "Invalid value for field 'resource.sslCertificates': ''. Too many SslCertificates: {} (maximum 15 per target HTTPS proxy).",
                certs.len()
            )));
        }
        for (i, c) in certs.iter().enumerate() {
            self.resolve_ref(
                project,
                &format!("resource.sslCertificates[{i}]"),
                c,
                Collection::SslCertificates,
            )?;
        }
        Ok(())
    }

    fn check_target(&self, project: &str, target: &str) -> Result<(), GoogleError> {
        match parse_ref(project, target) {
            Some((c @ (Collection::TargetHttpsProxies | Collection::TargetHttpProxies), name)) => {
                if self.exists(c, &name) {
                    Ok(())
                } else {
                    Err(not_found(project, c, &name))
                }
            }
            _ => Err(invalid_field(
                "resource.target",
                target,
                "The target must be a target HTTP(S) proxy.",
            )),
        }
    }

    fn check_url_map(&self, project: &str, body: &Value) -> Result<(), GoogleError> {
        if body["defaultService"].as_str().is_none() && body["defaultUrlRedirect"].is_null() {
            return Err(GoogleError::invalid(
                "Invalid value for field 'resource.defaultService': ''. A default service or redirect is required.",
            ));
        }
        for s in url_map_services(body) {
            if let Some(s) = s.as_str() {
                self.resolve_ref(
                    project,
                    "resource.defaultService",
                    s,
                    Collection::BackendServices,
                )?;
            }
        }
        Ok(())
    }

    fn check_insert(
        &self,
        project: &str,
        coll: Collection,
        body: &Value,
    ) -> Result<(), GoogleError> {
        let name = body["name"].as_str().unwrap_or_default();
        if name.is_empty() {
            return Err(GoogleError::new(
                400,
                "required",
                "Required field 'resource.name' not specified",
            ));
        }
        if !valid_compute_name(name) {
            return Err(invalid_field(
                "resource.name",
                name,
                "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
            ));
        }
        if self.exists(coll, name) || self.pending.contains(&(coll, name.to_string())) {
            return Err(GoogleError::already_exists(format!(
                "The resource '{}' already exists",
                partial(project, coll, name)
            )));
        }
        match coll {
            Collection::SslCertificates => {
                if body["type"] == "MANAGED" {
                    return Err(GoogleError::invalid(
                        "Google-managed certificates are not simulated by the sandbox; upload a SELF_MANAGED certificate.",
                    ));
                }
                let (pem, key) = cert_and_key(body);
                let (Some(pem), Some(key)) = (pem, key) else {
                    return Err(GoogleError::new(
                        400,
                        "required",
                        "Required field 'resource.certificate' and 'resource.privateKey' must be specified for a self-managed certificate",
                    ));
                };
                certificate_facts(pem, &SecretPem::new(key.as_bytes().to_vec())).map(|_| ())
            }
            Collection::TargetHttpsProxies => {
                let url_map = body["urlMap"].as_str().ok_or_else(|| {
                    GoogleError::new(
                        400,
                        "required",
                        "Required field 'resource.urlMap' not specified",
                    )
                })?;
                self.resolve_ref(project, "resource.urlMap", url_map, Collection::UrlMaps)?;
                let certs = string_list(&body["sslCertificates"]);
                if body["certificateMap"].is_null() {
                    self.check_cert_list(project, &certs)?;
                }
                Ok(())
            }
            Collection::TargetHttpProxies => {
                let url_map = body["urlMap"].as_str().ok_or_else(|| {
                    GoogleError::new(
                        400,
                        "required",
                        "Required field 'resource.urlMap' not specified",
                    )
                })?;
                self.resolve_ref(project, "resource.urlMap", url_map, Collection::UrlMaps)
                    .map(|_| ())
            }
            Collection::UrlMaps => self.check_url_map(project, body),
            Collection::BackendServices => Ok(()),
            Collection::ForwardingRules => {
                let target = body["target"].as_str().ok_or_else(|| {
                    GoogleError::new(
                        400,
                        "required",
                        "Required field 'resource.target' not specified",
                    )
                })?;
                self.check_target(project, target)?;
                let port = port_range(body).ok_or_else(|| {
                    invalid_field(
                        "resource.portRange",
                        body["portRange"].as_str().unwrap_or_default(),
                        "Port range must be specified for a target proxy.",
                    )
                })?;
                if let Some(addr) = body["IPAddress"].as_str() {
                    let ip = self.requested_ip(project, addr)?;
                    if self.ip_users(&ip).any(|(_, p)| p == port.as_str()) {
                        return Err(invalid_field(
                            "resource.IPAddress",
                            &ip,
                            "Specified IP address is in-use and would result in a conflict.",
                        ));
                    }
                }
                Ok(())
            }
            Collection::Addresses => {
                if let Some(ip) = body["address"].as_str() {
                    if ip.parse::<Ipv4Addr>().is_err() {
                        return Err(invalid_field(
                            "resource.address",
                            ip,
                            "Must be a valid IPv4 address.",
                        ));
                    }
                    if let Some(owner) = self.address_by_ip(ip) {
                        return Err(GoogleError::new(
                            409,
                            "alreadyExists",
                            format!(
                                "IP address '{ip}' is already reserved by '{}'",
                                partial(project, coll, &owner)
                            ),
                        ));
                    }
                }
                Ok(())
            }
        }
    }

    /// The IP a forwarding rule's `IPAddress` names: a literal IP that a reserved address
    /// holds, or an address by URL or name.
    fn requested_ip(&self, project: &str, addr: &str) -> Result<String, GoogleError> {
        if addr.parse::<Ipv4Addr>().is_ok() {
            if self.address_by_ip(addr).is_some() {
                return Ok(addr.to_string());
            }
            return Err(invalid_field(
                "resource.IPAddress",
                addr,
                "The IP address is not reserved; reserve it as a global address first.",
            ));
        }
        let name =
            parse_ref_in(project, addr, Collection::Addresses).unwrap_or_else(|| addr.to_string());
        let res = self
            .get(Collection::Addresses, &name)
            .ok_or_else(|| not_found(project, Collection::Addresses, &name))?;
        Ok(res.json["address"].as_str().unwrap_or_default().to_string())
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
                obj.insert("expireTime".into(), json!(facts.expire_time));
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
    // Real Compute timestamps carry a Pacific offset; clients must accept any offset.
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(-8));
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3][offset_hour sign:mandatory]:[offset_minute]"
    );
    now.format(&fmt).unwrap_or_default()
}

/// The certificate PEM and key of an SslCertificate body (top-level or `selfManaged`).
pub fn cert_and_key(body: &Value) -> (Option<&str>, Option<&str>) {
    let pem = body["certificate"]
        .as_str()
        .or_else(|| body["selfManaged"]["certificate"].as_str());
    let key = body["privateKey"]
        .as_str()
        .or_else(|| body["selfManaged"]["privateKey"].as_str());
    (pem, key)
}

/// `portRange` normalised to `"443-443"`.
fn port_range(body: &Value) -> Option<String> {
    let raw = body["portRange"].as_str()?;
    let (a, b) = raw.split_once('-').unwrap_or((raw, raw));
    let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a > 0 && a <= b).then(|| format!("{a}-{b}"))
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
