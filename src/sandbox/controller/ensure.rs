//! One sync of a live Ingress, in ingress-gce's order: finalizer, backend services, URL
//! map, then the HTTP hop (proxy, forwarding rule on port 80, promotion of its IP to the
//! address `k8s2-fr-…` when TLS is configured too), the HTTPS hop (see `https.rs`), the
//! `backends` health, and finally the annotations and `status.loadBalancer`, written only
//! when they change (a no-op sync writes nothing, so it triggers nothing).
//!
//! Forwarding rules follow upstream's `checkForwardingRule`: a rule whose IP is not the
//! one it must have (the user's static address, else the promoted one) or whose port
//! range differs is deleted and recreated — a real outage on the old IP — and a rule
//! whose target differs gets `setTarget`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::FINALIZER;
use super::namer::Namer;
use super::sync::{ALLOW_HTTP, ANN, STATIC_IP, delete_if_exists, exec, normal, warn};
use super::translate::{backend_service_body, description, translate};
use crate::sandbox::World;
use crate::sandbox::compute::apply::{Mutation, string_list};
use crate::sandbox::compute::links::{Collection, parse_ref, self_link};

/// What one sync of one Ingress works with.
pub(super) struct Sync<'a> {
    pub(super) world: &'a Arc<World>,
    pub(super) ing: &'a Value,
    pub(super) namer: &'a Namer,
    pub(super) project: String,
    /// The `description` of every resource.
    pub(super) desc: String,
    /// The URL map's selfLink.
    pub(super) um_link: String,
    /// The user's static address (`global-static-ip-name`), as a selfLink.
    pub(super) static_link: Option<String>,
    /// The IP the forwarding rules must have, when one is decided: the user's static
    /// address, else the address the controller promoted (upstream `getEffectiveIP`).
    pub(super) want_ip: Option<String>,
    /// Annotations to set (`Some`) or remove (`None`).
    pub(super) annotations: BTreeMap<String, Option<String>>,
}

impl Sync<'_> {
    pub(super) fn set(&mut self, key: &str, value: Option<String>) {
        self.annotations.insert(format!("{ANN}{key}"), value);
    }

    /// Makes forwarding rule `rule` exist with `port` and `target`, recreating it when its
    /// IP or port range is wrong; `fallback_ip` is used when no IP is decided (the HTTPS
    /// rule shares the HTTP rule's). Returns the rule.
    pub(super) async fn ensure_rule(
        &self,
        rule: &str,
        port: &str,
        target: String,
        fallback_ip: Option<&str>,
    ) -> Result<Value, String> {
        let world = self.world;
        if let Some(existing) = world.compute.get(Collection::ForwardingRules, rule) {
            let wrong_ip = self
                .want_ip
                .as_deref()
                .is_some_and(|want| existing["IPAddress"].as_str() != Some(want));
            if wrong_ip || existing["portRange"].as_str() != Some(port) {
                delete_if_exists(world, Collection::ForwardingRules, rule).await?;
            } else {
                let same_target = existing["target"]
                    .as_str()
                    .and_then(|t| parse_ref(&self.project, t))
                    == parse_ref(&self.project, &target);
                if !same_target {
                    let m = Mutation::SetTarget {
                        rule: rule.to_string(),
                        target,
                    };
                    exec(world, m).await?;
                }
                return world
                    .compute
                    .get(Collection::ForwardingRules, rule)
                    .ok_or_else(|| format!("forwarding rule {rule} vanished"));
            }
        }
        let mut body = json!({
            "name": rule, "description": self.desc, "IPProtocol": "TCP", "portRange": port,
            "target": target,
        });
        if let Some(l) = &self.static_link {
            body["IPAddress"] = json!(l);
        } else if let Some(ip) = self.want_ip.as_deref().or(fallback_ip) {
            body["IPAddress"] = json!(ip);
        }
        let coll = Collection::ForwardingRules;
        exec(world, Mutation::Insert { coll, body }).await?;
        if port == "443-443" {
            normal(
                world,
                self.ing,
                "Sync",
                &format!("ForwardingRule \"{rule}\" created"),
            );
        }
        world
            .compute
            .get(Collection::ForwardingRules, rule)
            .ok_or_else(|| format!("forwarding rule {rule} vanished"))
    }
}

/// Creates or updates everything; returns when to sync again (pending health).
pub(super) async fn ensure(
    world: &Arc<World>,
    ing: &Value,
    namer: &Namer,
    uid: &str,
) -> Result<Option<Duration>, String> {
    let project = world.core.project.clone();
    let meta = &ing["metadata"];
    let ns = meta["namespace"].as_str().unwrap_or("default").to_string();
    let name = meta["name"].as_str().unwrap_or_default().to_string();
    let annotations = &meta["annotations"];

    let mut finalizers = string_list(&meta["finalizers"]);
    if !finalizers.iter().any(|f| f == FINALIZER) {
        finalizers.push(FINALIZER.to_string());
        let patch = json!({"metadata": {"finalizers": finalizers}});
        world
            .kube
            .patch_merge("ingresses", Some(&ns), &name, &patch, false)
            .map_err(|e| format!("cannot add finalizer: {e:?}"))?;
    }

    let (url_map, backends) =
        translate(world, ing, namer, uid).inspect_err(|e| warn(world, ing, "Translate", e))?;
    for b in &backends {
        if world
            .compute
            .get(Collection::BackendServices, &b.bs)
            .is_none()
        {
            let coll = Collection::BackendServices;
            let body = backend_service_body(world, b);
            exec(world, Mutation::Insert { coll, body }).await?;
        }
    }
    let um_name = namer.url_map();
    match world.compute.get(Collection::UrlMaps, &um_name) {
        None => {
            let coll = Collection::UrlMaps;
            let body = url_map.clone();
            exec(world, Mutation::Insert { coll, body }).await?
        }
        Some(current) => {
            let differs = ["defaultService", "hostRules", "pathMatchers"]
                .iter()
                .any(|k| current[*k] != url_map[*k]);
            if differs {
                let name = um_name.clone();
                let body = url_map.clone();
                exec(world, Mutation::UpdateUrlMap { name, body }).await?;
            }
        }
    }

    let allow_http = annotations[ALLOW_HTTP]
        .as_str()
        .is_none_or(|v| !matches!(v.trim(), "false" | "False" | "FALSE" | "0" | "f" | "F"));
    let (static_link, want_ip) = match annotations[STATIC_IP].as_str() {
        Some(addr) => match world.compute.get(Collection::Addresses, addr) {
            Some(a) => (
                Some(self_link(&project, Collection::Addresses, addr)),
                a["address"].as_str().map(String::from),
            ),
            None => {
                return Err(format!(
                    "error running load balancer syncing routine: loadbalancer {} does not exist: the given static IP name {addr} doesn't translate to an existing static IP.",
                    namer.lb_name
                ));
            }
        },
        None => (
            None,
            world
                .compute
                .get(Collection::Addresses, &namer.http_rule())
                .and_then(|a| a["address"].as_str().map(String::from)),
        ),
    };
    let mut sync = Sync {
        world,
        ing,
        namer,
        um_link: self_link(&project, Collection::UrlMaps, &um_name),
        desc: description(&ns, &name),
        project,
        static_link,
        want_ip,
        annotations: BTreeMap::new(),
    };
    sync.set("url-map", Some(um_name));
    let tls = super::https::Tls::of(ing);

    let mut ip = None;
    if allow_http {
        ip = http_hop(&mut sync, tls.wanted()).await?;
    } else {
        delete_if_exists(world, Collection::ForwardingRules, &namer.http_rule()).await?;
        delete_if_exists(world, Collection::TargetHttpProxies, &namer.http_proxy()).await?;
        sync.set("forwarding-rule", None);
        sync.set("target-proxy", None);
    }
    let https_ip = super::https::https_hop(&mut sync, &tls, ip.as_deref()).await?;
    let ip = ip.or(https_ip);

    // Backend health, as the `backends` annotation reports it.
    let health_delay = world.core.timing.backend_health;
    let mut next: Option<Duration> = None;
    let mut health = serde_json::Map::new();
    for b in &backends {
        let healthy = world
            .compute
            .backend_healthy(&b.bs, health_delay)
            .unwrap_or(false);
        health.insert(
            b.bs.clone(),
            json!(if healthy { "HEALTHY" } else { "UNHEALTHY" }),
        );
        if !healthy && let Some(created) = world.compute.created(Collection::BackendServices, &b.bs)
        {
            let due = (created + health_delay).saturating_duration_since(Instant::now())
                + Duration::from_millis(10);
            next = Some(next.map_or(due, |n: Duration| n.min(due)));
        }
    }
    sync.set("backends", Some(Value::Object(health).to_string()));

    // Write back only what changed (no-op syncs must not generate events).
    let mut ann_patch = serde_json::Map::new();
    for (k, v) in &sync.annotations {
        if annotations[k].as_str() != v.as_deref() {
            ann_patch.insert(k.clone(), v.as_ref().map_or(Value::Null, |s| json!(s)));
        }
    }
    let current_ip = ing["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .map(String::from);
    let mut patch = json!({});
    if !ann_patch.is_empty() {
        patch["metadata"] = json!({"annotations": ann_patch});
    }
    if current_ip != ip {
        let entries: Vec<Value> = ip.iter().map(|i| json!({"ip": i})).collect();
        patch["status"] = json!({"loadBalancer": {"ingress": entries}});
    }
    if patch.as_object().is_some_and(|o| !o.is_empty()) {
        world
            .kube
            .patch_merge("ingresses", Some(&ns), &name, &patch, true)
            .map_err(|e| format!("cannot update Ingress status: {e:?}"))?;
        if current_ip != ip
            && let Some(i) = &ip
        {
            normal(world, ing, "IPChanged", &format!("IP is now {i}"));
        }
    }
    Ok(next)
}

/// The HTTP proxy and rule (port 80); with TLS wanted too, the rule's IP is promoted to
/// the controller's own address. Returns the rule's IP.
async fn http_hop(sync: &mut Sync<'_>, want_tls: bool) -> Result<Option<String>, String> {
    let (world, namer) = (sync.world, sync.namer);
    if world
        .compute
        .get(Collection::TargetHttpProxies, &namer.http_proxy())
        .is_none()
    {
        let coll = Collection::TargetHttpProxies;
        let body =
            json!({"name": namer.http_proxy(), "description": sync.desc, "urlMap": sync.um_link});
        exec(world, Mutation::Insert { coll, body }).await?;
    }
    let target = self_link(
        &sync.project,
        Collection::TargetHttpProxies,
        &namer.http_proxy(),
    );
    let fr = sync
        .ensure_rule(&namer.http_rule(), "80-80", target, None)
        .await?;
    let ip = fr["IPAddress"].as_str().map(String::from);
    sync.set("forwarding-rule", Some(namer.http_rule()));
    sync.set("target-proxy", Some(namer.http_proxy()));
    if want_tls && sync.static_link.is_none() {
        if world
            .compute
            .get(Collection::Addresses, &namer.http_rule())
            .is_none()
        {
            let coll = Collection::Addresses;
            let body = json!({"name": namer.http_rule(), "description": sync.desc, "address": ip});
            match exec(world, Mutation::Insert { coll, body }).await {
                // Upstream treats 409 and 400 alike: already reserved.
                Err(e) if e.contains("409") || e.contains("400") => {}
                other => other?,
            }
        }
        sync.set("static-ip", Some(namer.http_rule()));
    }
    Ok(ip)
}
