//! The resource types the simulated API server serves, described once: group, version,
//! kind, plural and singular names, short names, scope, verbs and subresources.
//!
//! Discovery, routing, error messages (`ingresses.networking.k8s.io "x" not found`),
//! method ids for stats and faults, and the per-type rules in the store all read this
//! table, so adding a type means adding one entry here (and its schema and validation).

use std::collections::HashMap;
use std::sync::OnceLock;

/// One served resource type.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// API group (`""` for core).
    pub group: &'static str,
    /// API version.
    pub version: &'static str,
    /// Plural resource name (`ingresses`).
    pub plural: &'static str,
    /// Singular name (`ingress`).
    pub singular: &'static str,
    /// Kind (`Ingress`).
    pub kind: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
    /// Short names (`ing`).
    pub short_names: &'static [&'static str],
    /// Categories (`all`).
    pub categories: &'static [&'static str],
    /// Whether a `/status` subresource exists (and `status` is ignored on the main
    /// resource).
    pub status_subresource: bool,
    /// Whether `metadata.generation` is maintained (bumped on spec changes).
    pub generation: bool,
    /// Whether DELETE answers with the deleted object instead of a Success `Status`.
    pub delete_returns_object: bool,
}

const VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

impl ResourceInfo {
    /// `plural.group`, or just `plural` for the core group (as in error messages).
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `apiVersion` of objects of this type (`v1`, `networking.k8s.io/v1`).
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// The verbs discovery advertises.
    pub fn verbs(&self) -> &'static [&'static str] {
        VERBS
    }

    /// The stats/fault method id `kubernetes.<plural>.<verb>` (or
    /// `kubernetes.<plural>.status.<verb>` for the status subresource).
    pub fn method(&self, verb: &str, status: bool) -> &'static str {
        static IDS: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
        let ids = IDS.get_or_init(|| {
            let mut ids = HashMap::new();
            for r in RESOURCES {
                for v in [
                    "get", "list", "watch", "create", "update", "patch", "delete",
                ] {
                    for (sub, infix) in [(false, ""), (true, ".status")] {
                        let id = format!("kubernetes.{}{infix}.{v}", r.plural);
                        // A bounded, one-time set of ids: leaking gives them the
                        // `'static` lifetime the stats API wants.
                        let leaked: &'static str = Box::leak(id.clone().into_boxed_str());
                        ids.insert(format!("{}|{sub}|{v}", r.plural), leaked);
                    }
                }
            }
            ids
        });
        ids.get(&format!("{}|{status}|{verb}", self.plural))
            .copied()
            .unwrap_or("kubernetes.unknown")
    }
}

/// Every served type.
pub static RESOURCES: &[ResourceInfo] = &[
    ResourceInfo {
        group: "",
        version: "v1",
        plural: "namespaces",
        singular: "namespace",
        kind: "Namespace",
        namespaced: false,
        short_names: &["ns"],
        categories: &[],
        status_subresource: true,
        generation: false,
        delete_returns_object: true,
    },
    ResourceInfo {
        group: "",
        version: "v1",
        plural: "secrets",
        singular: "secret",
        kind: "Secret",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        generation: false,
        delete_returns_object: false,
    },
    ResourceInfo {
        group: "",
        version: "v1",
        plural: "services",
        singular: "service",
        kind: "Service",
        namespaced: true,
        short_names: &["svc"],
        categories: &["all"],
        status_subresource: true,
        generation: false,
        delete_returns_object: true,
    },
    ResourceInfo {
        group: "",
        version: "v1",
        plural: "endpoints",
        singular: "endpoints",
        kind: "Endpoints",
        namespaced: true,
        short_names: &["ep"],
        categories: &[],
        status_subresource: false,
        generation: false,
        delete_returns_object: false,
    },
    ResourceInfo {
        group: "",
        version: "v1",
        plural: "events",
        singular: "event",
        kind: "Event",
        namespaced: true,
        short_names: &["ev"],
        categories: &[],
        status_subresource: false,
        generation: false,
        delete_returns_object: false,
    },
    ResourceInfo {
        group: "discovery.k8s.io",
        version: "v1",
        plural: "endpointslices",
        singular: "endpointslice",
        kind: "EndpointSlice",
        namespaced: true,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        generation: false,
        delete_returns_object: false,
    },
    ResourceInfo {
        group: "networking.k8s.io",
        version: "v1",
        plural: "ingresses",
        singular: "ingress",
        kind: "Ingress",
        namespaced: true,
        short_names: &["ing"],
        categories: &[],
        status_subresource: true,
        generation: true,
        delete_returns_object: false,
    },
    ResourceInfo {
        group: "networking.k8s.io",
        version: "v1",
        plural: "ingressclasses",
        singular: "ingressclass",
        kind: "IngressClass",
        namespaced: false,
        short_names: &[],
        categories: &[],
        status_subresource: false,
        generation: true,
        delete_returns_object: false,
    },
];

/// The type served under `group` with plural name `plural`.
pub fn lookup(group: &str, plural: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.group == group && r.plural == plural)
}

/// The type named by a plural resource name alone (the store's Rust API takes these).
pub fn by_plural(plural: &str) -> Option<&'static ResourceInfo> {
    RESOURCES.iter().find(|r| r.plural == plural)
}

/// The API groups other than core, with their versions.
pub fn groups() -> Vec<&'static str> {
    let mut g: Vec<&'static str> = RESOURCES
        .iter()
        .map(|r| r.group)
        .filter(|g| !g.is_empty())
        .collect();
    g.sort_unstable();
    g.dedup();
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_method_ids() {
        let ing = lookup("networking.k8s.io", "ingresses").unwrap();
        assert_eq!(ing.qualified(), "ingresses.networking.k8s.io");
        assert_eq!(ing.api_version(), "networking.k8s.io/v1");
        assert_eq!(ing.method("patch", false), "kubernetes.ingresses.patch");
        assert_eq!(
            ing.method("patch", true),
            "kubernetes.ingresses.status.patch"
        );
        assert_eq!(by_plural("secrets").unwrap().qualified(), "secrets");
        assert_eq!(groups(), vec!["discovery.k8s.io", "networking.k8s.io"]);
    }
}
