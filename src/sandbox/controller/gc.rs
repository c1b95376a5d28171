//! Garbage collection of one Ingress's load balancer, in ingress-gce's order (`L7.Cleanup`):
//! HTTP forwarding rule → HTTP proxy → the promoted static IP (only if the controller
//! made it) → HTTPS forwarding rule → HTTPS proxy → this load balancer's certificates →
//! URL map; then the backend services no other Ingress of class gce still uses; then the
//! finalizer is released. A 404 counts as done; any other failure stops the collection
//! (to be retried) and leaves the finalizer in place.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::FINALIZER;
use super::namer::Namer;
use super::sync::{ANN, delete_if_exists, is_gce};
use super::translate::translate;
use crate::sandbox::World;
use crate::sandbox::compute::apply::string_list;
use crate::sandbox::compute::links::Collection;

/// Deletes the load balancer in ingress-gce's order, then releases the finalizer.
pub(super) async fn garbage_collect(
    world: &Arc<World>,
    ing: &Value,
    namer: &Namer,
    uid: &str,
) -> Result<(), String> {
    let ns = ing["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let name = ing["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let finalizers = string_list(&ing["metadata"]["finalizers"]);
    if !finalizers.iter().any(|f| f == FINALIZER) {
        return Ok(());
    }
    delete_if_exists(world, Collection::ForwardingRules, &namer.http_rule()).await?;
    delete_if_exists(world, Collection::TargetHttpProxies, &namer.http_proxy()).await?;
    if ing["metadata"]["annotations"][format!("{ANN}static-ip")].as_str()
        == Some(namer.http_rule().as_str())
    {
        delete_if_exists(world, Collection::Addresses, &namer.http_rule()).await?;
    }
    delete_if_exists(world, Collection::ForwardingRules, &namer.https_rule()).await?;
    let prefix = namer.cert_prefix();
    let certs: Vec<String> = world
        .compute
        .list(Collection::SslCertificates)
        .iter()
        .filter_map(|c| c["name"].as_str().map(String::from))
        .filter(|n| n.starts_with(&prefix))
        .collect();
    delete_if_exists(world, Collection::TargetHttpsProxies, &namer.https_proxy()).await?;
    for c in certs {
        delete_if_exists(world, Collection::SslCertificates, &c).await?;
    }
    delete_if_exists(world, Collection::UrlMaps, &namer.url_map()).await?;
    // Backend services are shared: delete those no other Ingress still uses.
    if let Ok((_, mine)) = translate(world, ing, namer, uid) {
        let mut used = BTreeSet::new();
        for other in world.kube.list("ingresses", None) {
            if other["metadata"]["uid"] == ing["metadata"]["uid"]
                || !other["metadata"]["deletionTimestamp"].is_null()
                || !is_gce(&other)
            {
                continue;
            }
            let ons = other["metadata"]["namespace"].as_str().unwrap_or("default");
            let oname = other["metadata"]["name"].as_str().unwrap_or_default();
            if let Ok((_, theirs)) = translate(world, &other, &Namer::new(uid, ons, oname), uid) {
                used.extend(theirs.into_iter().map(|b| b.bs));
            }
        }
        for b in mine {
            if !used.contains(&b.bs) {
                delete_if_exists(world, Collection::BackendServices, &b.bs).await?;
            }
        }
    }
    let remaining: Vec<String> = finalizers.into_iter().filter(|f| f != FINALIZER).collect();
    world
        .kube
        .patch_merge(
            "ingresses",
            Some(&ns),
            &name,
            &json!({"metadata": {"finalizers": remaining}}),
            true,
        )
        .map_err(|e| format!("cannot remove finalizer: {e:?}"))?;
    Ok(())
}
