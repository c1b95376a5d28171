//! Compute resource names and links: the global collections rotate-cert touches
//! ([`ResourceKind`]) and [`ResourceLink`], a parsed resource URL.
//!
//! Google's `selfLink`s use `https://www.googleapis.com/compute/v1/` even when the API is
//! called at `compute.googleapis.com` (or an override), and request bodies may use partial
//! links, so links are compared by their `projects/…` path, never by host or version.
//! Pure parsing; no I/O.

use std::fmt;

/// The global Compute collections rotate-cert reads, creates or garbage-checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ResourceKind {
    /// `sslCertificates`.
    SslCertificate,
    /// `targetHttpsProxies`.
    TargetHttpsProxy,
    /// `targetHttpProxies`.
    TargetHttpProxy,
    /// `urlMaps`.
    UrlMap,
    /// `backendServices`.
    BackendService,
    /// Global `forwardingRules`.
    ForwardingRule,
    /// Global `addresses`.
    Address,
}

impl ResourceKind {
    /// Every kind.
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::SslCertificate,
        ResourceKind::TargetHttpsProxy,
        ResourceKind::TargetHttpProxy,
        ResourceKind::UrlMap,
        ResourceKind::BackendService,
        ResourceKind::ForwardingRule,
        ResourceKind::Address,
    ];

    /// The collection's path segment (`sslCertificates`).
    pub fn collection(self) -> &'static str {
        match self {
            ResourceKind::SslCertificate => "sslCertificates",
            ResourceKind::TargetHttpsProxy => "targetHttpsProxies",
            ResourceKind::TargetHttpProxy => "targetHttpProxies",
            ResourceKind::UrlMap => "urlMaps",
            ResourceKind::BackendService => "backendServices",
            ResourceKind::ForwardingRule => "forwardingRules",
            ResourceKind::Address => "addresses",
        }
    }

    /// The kind whose collection segment is `collection`.
    pub fn from_collection(collection: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.collection() == collection)
    }

    /// The discovery resource name in method ids (`globalAddresses`).
    pub fn method_resource(self) -> &'static str {
        match self {
            ResourceKind::ForwardingRule => "globalForwardingRules",
            ResourceKind::Address => "globalAddresses",
            other => other.collection(),
        }
    }

    /// The `get` method id (`compute.globalAddresses.get`).
    pub fn get_method(self) -> &'static str {
        match self {
            ResourceKind::SslCertificate => "compute.sslCertificates.get",
            ResourceKind::TargetHttpsProxy => "compute.targetHttpsProxies.get",
            ResourceKind::TargetHttpProxy => "compute.targetHttpProxies.get",
            ResourceKind::UrlMap => "compute.urlMaps.get",
            ResourceKind::BackendService => "compute.backendServices.get",
            ResourceKind::ForwardingRule => "compute.globalForwardingRules.get",
            ResourceKind::Address => "compute.globalAddresses.get",
        }
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.collection())
    }
}

/// A parsed resource link: `[https://host/compute/v1/]projects/{project}/{scope…}/{collection}/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceLink {
    /// The project.
    pub project: String,
    /// `global`, `zones/us-central1-a`, `regions/europe-west1`, or empty.
    pub scope: String,
    /// The collection (`targetHttpsProxies`, `networkEndpointGroups`).
    pub collection: String,
    /// The resource name.
    pub name: String,
}

impl ResourceLink {
    /// Parses a full or partial link that starts at (or contains) `projects/`.
    pub fn parse(link: &str) -> Option<ResourceLink> {
        let link = link.trim();
        let start = if link.starts_with("projects/") {
            0
        } else {
            link.find("/projects/")? + 1
        };
        let path = link[start..].split(['?', '#']).next()?;
        let mut parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 4 || parts[0] != "projects" || parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        let name = parts.pop()?.to_string();
        let collection = parts.pop()?.to_string();
        Some(ResourceLink {
            project: parts[1].to_string(),
            scope: parts[2..].join("/"),
            collection,
            name,
        })
    }

    /// The link's `projects/…` path.
    pub fn path(&self) -> String {
        if self.scope.is_empty() {
            format!(
                "projects/{}/{}/{}",
                self.project, self.collection, self.name
            )
        } else {
            format!(
                "projects/{}/{}/{}/{}",
                self.project, self.scope, self.collection, self.name
            )
        }
    }

    /// The global resource kind this link points to, if it is one.
    pub fn kind(&self) -> Option<ResourceKind> {
        (self.scope == "global")
            .then(|| ResourceKind::from_collection(&self.collection))
            .flatten()
    }

    /// Whether two links name the same resource, whatever their host and API version.
    pub fn same_resource(a: &str, b: &str) -> bool {
        match (ResourceLink::parse(a), ResourceLink::parse(b)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for ResourceLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// `projects/{project}/global/{collection}/{name}`.
pub fn global_path(project: &str, kind: ResourceKind, name: &str) -> String {
    format!("projects/{project}/global/{}/{name}", kind.collection())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_compare_by_path_not_host() {
        let a = "https://www.googleapis.com/compute/v1/projects/p/global/urlMaps/um";
        let b = "http://127.0.0.1:4000/compute/v1/projects/p/global/urlMaps/um";
        assert!(ResourceLink::same_resource(a, b));
        assert!(ResourceLink::same_resource(
            a,
            "projects/p/global/urlMaps/um"
        ));
        assert!(!ResourceLink::same_resource(
            a,
            "projects/q/global/urlMaps/um"
        ));
        assert!(!ResourceLink::same_resource(
            a,
            "projects/p/global/urlMaps/other"
        ));
        assert!(!ResourceLink::same_resource(a, "um"));
    }

    #[test]
    fn parses_scopes_and_kinds() {
        let l = ResourceLink::parse(
            "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/networkEndpointGroups/neg",
        );
        let l = l.as_ref();
        assert_eq!(l.map(|l| l.scope.as_str()), Some("zones/us-central1-a"));
        assert_eq!(l.map(|l| l.name.as_str()), Some("neg"));
        assert_eq!(l.and_then(ResourceLink::kind), None);
        let g = ResourceLink::parse("projects/p/global/targetHttpsProxies/x");
        assert_eq!(
            g.as_ref().and_then(ResourceLink::kind),
            Some(ResourceKind::TargetHttpsProxy)
        );
        assert_eq!(
            g.map(|g| g.path()).as_deref(),
            Some("projects/p/global/targetHttpsProxies/x")
        );
        let no_scope = ResourceLink::parse("projects/p/targetHttpsProxies/x");
        assert_eq!(
            no_scope.map(|l| l.path()).as_deref(),
            Some("projects/p/targetHttpsProxies/x")
        );
        for bad in [
            "",
            "projects/p",
            "projects/p/global/urlMaps/",
            "global/urlMaps/x",
        ] {
            assert_eq!(ResourceLink::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in ResourceKind::ALL {
            assert_eq!(ResourceKind::from_collection(k.collection()), Some(k));
            assert_eq!(
                k.get_method(),
                format!("compute.{}.get", k.method_resource())
            );
        }
        assert_eq!(
            global_path("p", ResourceKind::Address, "a"),
            "projects/p/global/addresses/a"
        );
    }
}
