//! What Compute refuses up front, with the real API's HTTP errors (lowerCamel reasons):
//! resource-name syntax, duplicates (409 `alreadyExists`, in flight included), references
//! to missing resources (404), in-use deletes of certificates, proxies, URL maps and
//! backend services (400 `resourceInUseByAnotherResource`), at most 15 certificates per
//! proxy, uploaded chains (1 to 5 certificates, parseable, matching their key), and one
//! IP per port. The same checks run again when an operation completes, where a failure
//! becomes the operation's error instead.

use std::net::Ipv4Addr;

use serde_json::Value;

use super::apply::{Inner, Mutation, string_list, url_map_services};
use super::links::{Collection, parse_ref, parse_ref_in, partial};
use crate::sandbox::google::{GoogleError, valid_compute_name};
use crate::secret::SecretPem;

pub(super) fn not_found(project: &str, coll: Collection, name: &str) -> GoogleError {
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

pub(super) fn invalid_field(field: &str, value: &str, why: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid value for field '{field}': '{value}'. {why}"
    ))
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
pub(super) fn port_range(body: &Value) -> Option<String> {
    let raw = body["portRange"].as_str()?;
    let (a, b) = raw.split_once('-').unwrap_or((raw, raw));
    let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a > 0 && a <= b).then(|| format!("{a}-{b}"))
}

impl Inner {
    pub(super) fn resolve_ref(
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

    pub(super) fn check_insert(
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
    pub(super) fn requested_ip(&self, project: &str, addr: &str) -> Result<String, GoogleError> {
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
}
