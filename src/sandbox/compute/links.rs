//! Compute resource collections and the URLs that name their resources.
//!
//! Real responses carry `selfLink`s on `https://www.googleapis.com/compute/v1/`, while
//! request bodies may reference resources by full URL, by partial URL
//! (`projects/p/global/urlMaps/x`, `global/urlMaps/x`) or, for addresses, by bare name.
//! Everything is normalised here to `(collection, name)` so comparisons ignore host and
//! version, as ingress-gce's `EqualResourceIDs` does.

use std::fmt;

/// The global Compute collections the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Collection {
    /// `sslCertificates`
    SslCertificates,
    /// `targetHttpsProxies`
    TargetHttpsProxies,
    /// `targetHttpProxies`
    TargetHttpProxies,
    /// `urlMaps`
    UrlMaps,
    /// `backendServices`
    BackendServices,
    /// `forwardingRules` (global)
    ForwardingRules,
    /// `addresses` (global)
    Addresses,
}

impl Collection {
    /// Every collection, in deletion-safe order for inventories.
    pub const ALL: [Collection; 7] = [
        Collection::ForwardingRules,
        Collection::TargetHttpsProxies,
        Collection::TargetHttpProxies,
        Collection::UrlMaps,
        Collection::BackendServices,
        Collection::SslCertificates,
        Collection::Addresses,
    ];

    /// The path segment (`sslCertificates`).
    pub fn path(self) -> &'static str {
        match self {
            Collection::SslCertificates => "sslCertificates",
            Collection::TargetHttpsProxies => "targetHttpsProxies",
            Collection::TargetHttpProxies => "targetHttpProxies",
            Collection::UrlMaps => "urlMaps",
            Collection::BackendServices => "backendServices",
            Collection::ForwardingRules => "forwardingRules",
            Collection::Addresses => "addresses",
        }
    }

    /// The resource `kind` (`compute#sslCertificate`).
    pub fn kind(self) -> &'static str {
        match self {
            Collection::SslCertificates => "compute#sslCertificate",
            Collection::TargetHttpsProxies => "compute#targetHttpsProxy",
            Collection::TargetHttpProxies => "compute#targetHttpProxy",
            Collection::UrlMaps => "compute#urlMap",
            Collection::BackendServices => "compute#backendService",
            Collection::ForwardingRules => "compute#forwardingRule",
            Collection::Addresses => "compute#address",
        }
    }

    /// The discovery schema of a resource body (`SslCertificate`).
    pub fn schema(self) -> &'static str {
        match self {
            Collection::SslCertificates => "SslCertificate",
            Collection::TargetHttpsProxies => "TargetHttpsProxy",
            Collection::TargetHttpProxies => "TargetHttpProxy",
            Collection::UrlMaps => "UrlMap",
            Collection::BackendServices => "BackendService",
            Collection::ForwardingRules => "ForwardingRule",
            Collection::Addresses => "Address",
        }
    }

    /// The discovery resource name used in method ids (`globalForwardingRules`).
    pub fn method_resource(self) -> &'static str {
        match self {
            Collection::ForwardingRules => "globalForwardingRules",
            Collection::Addresses => "globalAddresses",
            other => other.path(),
        }
    }

    /// The singular snake_case noun real error messages use (`ssl_certificate`).
    pub fn noun(self) -> &'static str {
        match self {
            Collection::SslCertificates => "ssl_certificate",
            Collection::TargetHttpsProxies => "target_https_proxy",
            Collection::TargetHttpProxies => "target_http_proxy",
            Collection::UrlMaps => "url_map",
            Collection::BackendServices => "backend_service",
            Collection::ForwardingRules => "forwarding_rule",
            Collection::Addresses => "address",
        }
    }

    /// The collection whose path segment is `s`.
    pub fn from_path(s: &str) -> Option<Collection> {
        Collection::ALL.into_iter().find(|c| c.path() == s)
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// The host real `selfLink`s use.
pub const LINK_BASE: &str = "https://www.googleapis.com/compute/v1/";

/// `projects/{p}/global/{coll}/{name}`.
pub fn partial(project: &str, coll: Collection, name: &str) -> String {
    format!("projects/{project}/global/{}/{name}", coll.path())
}

/// The full `selfLink` of a resource.
pub fn self_link(project: &str, coll: Collection, name: &str) -> String {
    format!("{LINK_BASE}{}", partial(project, coll, name))
}

/// Parses a reference (full URL, partial URL) into `(collection, name)`; the project
/// must match when present.
pub fn parse_ref(project: &str, reference: &str) -> Option<(Collection, String)> {
    let tail = match reference.find("projects/") {
        Some(i) => {
            let rest = &reference[i + "projects/".len()..];
            let (proj, rest) = rest.split_once('/')?;
            if proj != project {
                return None;
            }
            rest
        }
        None => reference,
    };
    let rest = tail.strip_prefix("global/")?;
    let (coll, name) = rest.split_once('/')?;
    if name.is_empty() || name.contains('/') {
        return None;
    }
    Some((Collection::from_path(coll)?, name.to_string()))
}

/// Parses a reference that must point into `expected`.
pub fn parse_ref_in(project: &str, reference: &str, expected: Collection) -> Option<String> {
    match parse_ref(project, reference) {
        Some((c, name)) if c == expected => Some(name),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_normalise() {
        let p = "sandbox-project";
        let want = Some((Collection::UrlMaps, "um".to_string()));
        assert_eq!(
            parse_ref(
                p,
                "https://www.googleapis.com/compute/v1/projects/sandbox-project/global/urlMaps/um"
            ),
            want
        );
        assert_eq!(
            parse_ref(
                p,
                "https://compute.googleapis.com/compute/beta/projects/sandbox-project/global/urlMaps/um"
            ),
            want
        );
        assert_eq!(
            parse_ref(p, "projects/sandbox-project/global/urlMaps/um"),
            want
        );
        assert_eq!(parse_ref(p, "global/urlMaps/um"), want);
        assert_eq!(parse_ref(p, "projects/other/global/urlMaps/um"), None);
        assert_eq!(parse_ref(p, "um"), None);
        assert_eq!(
            parse_ref_in(p, "global/urlMaps/um", Collection::SslCertificates),
            None
        );
        assert_eq!(
            self_link(p, Collection::Addresses, "a"),
            format!("{LINK_BASE}projects/sandbox-project/global/addresses/a")
        );
    }
}
