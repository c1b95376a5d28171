//! One sync of one Ingress, as the controller's work queue runs it: garbage-collect a
//! deleted Ingress (or one no longer of class gce) and release its finalizer, wait out
//! the provisioning delay of a new one, else make its load balancer match
//! (`ensure.rs`). Errors become `Warning` events and a retry, as upstream. Also the
//! helpers every step shares: Compute mutations run to completion, events, and the
//! instant provisioning the demo seed uses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::ensure::ensure;
use super::gc::garbage_collect;
use super::namer::Namer;
use super::translate::translate;
use super::{COMPONENT, Controller, FINALIZER};
use crate::sandbox::World;
use crate::sandbox::compute::apply::{Mutation, string_list};
use crate::sandbox::compute::links::Collection;
use crate::sandbox::compute::mutate;

/// The prefix of the annotations the controller writes.
pub(super) const ANN: &str = "ingress.kubernetes.io/";
/// The user's static IP (a global address name).
pub(super) const STATIC_IP: &str = "kubernetes.io/ingress.global-static-ip-name";
/// `"false"` turns the HTTP (port 80) frontend off.
pub(super) const ALLOW_HTTP: &str = "kubernetes.io/ingress.allow-http";

tokio::task_local! {
    /// Set while seeding: operations complete at once.
    static INSTANT: bool;
}

/// Whether ingress-gce (external class) processes this Ingress, as upstream's
/// `IsGCEIngress` decides: the `kubernetes.io/ingress.class` annotation `gce`, or neither
/// the annotation nor `spec.ingressClassName` set. ingress-gce registers no class that
/// `spec.ingressClassName` could name, so an Ingress that sets only that field (even to
/// `gce`) is left alone.
pub fn is_gce(ing: &Value) -> bool {
    match ing["metadata"]["annotations"]["kubernetes.io/ingress.class"].as_str() {
        Some("") | None => ing["spec"]["ingressClassName"].is_null(),
        Some(class) => class == "gce",
    }
}

/// Whether the controller has put its finalizer on `ing` (it owns a load balancer, or
/// is about to).
pub(super) fn owns(ing: &Value) -> bool {
    string_list(&ing["metadata"]["finalizers"])
        .iter()
        .any(|f| f == FINALIZER)
}

/// Runs one sync; returns when to run again, if a retry or a timed transition is due.
pub async fn sync(ctl: &Arc<Controller>, key: &str) -> Option<Duration> {
    let world = &ctl.world;
    let (ns, name) = key.split_once('/')?;
    let Some(ing) = world.kube.get("ingresses", Some(ns), name) else {
        ctl.forget(key);
        return None;
    };
    let uid = world.kube.kube_system_uid();
    let namer = Namer::new(&uid, ns, name);
    let retry = world
        .core
        .timing
        .scaled(Duration::from_secs(10))
        .max(Duration::from_millis(50));
    // Upstream's `NeedsCleanup`: deleted, or no longer of class gce (its finalizer tells
    // whether the controller ever owned it).
    if !ing["metadata"]["deletionTimestamp"].is_null() || !is_gce(&ing) {
        return match garbage_collect(world, &ing, &namer, &uid).await {
            Ok(()) => {
                ctl.forget(key);
                None
            }
            Err(e) => {
                warn(
                    world,
                    &ing,
                    "GarbageCollection",
                    &format!("Error during garbage collection: {e}"),
                );
                Some(retry)
            }
        };
    }
    let has_lb = ing["metadata"]["annotations"][format!("{ANN}url-map")].is_string();
    if !has_lb {
        let ready_at = ctl.first_seen(key) + world.core.timing.provision;
        let now = Instant::now();
        if now < ready_at {
            return Some(ready_at - now);
        }
    }
    match ensure(world, &ing, &namer, &uid).await {
        Ok(next) => next,
        Err(e) => {
            warn(world, &ing, "Sync", &format!("Error syncing to GCP: {e}"));
            Some(retry)
        }
    }
}

pub(super) fn warn(world: &World, ing: &Value, reason: &str, message: &str) {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    world
        .kube
        .record_event(ns, ing, "Warning", reason, message, COMPONENT);
}

pub(super) fn normal(world: &World, ing: &Value, reason: &str, message: &str) {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    world
        .kube
        .record_event(ns, ing, "Normal", reason, message, COMPONENT);
}

/// Runs one Compute mutation to completion.
pub(super) async fn exec(world: &Arc<World>, m: Mutation) -> Result<(), String> {
    let instant = INSTANT.try_with(|i| *i).unwrap_or(false);
    let op = mutate(world, m, None, None, instant)
        .map_err(|e| format!("googleapi: Error {}: {}, {}", e.code, e.message, e.reason))?;
    let name = op["name"].as_str().unwrap_or_default().to_string();
    world.compute.wait_done(&name).await.map_err(|e| {
        format!(
            "googleapi: Error {}: {} - {}",
            e.http_status, e.code, e.message
        )
    })
}

/// Deletes a resource if it exists (a 404 meanwhile counts as deleted).
pub(super) async fn delete_if_exists(
    world: &Arc<World>,
    coll: Collection,
    name: &str,
) -> Result<(), String> {
    if world.compute.get(coll, name).is_none() {
        return Ok(());
    }
    match exec(
        world,
        Mutation::Delete {
            coll,
            name: name.to_string(),
        },
    )
    .await
    {
        Err(e) if e.contains("404") || e.contains("RESOURCE_NOT_FOUND") => Ok(()),
        other => other,
    }
}

/// Provisions `ns/name` at once (operations complete instantly) and backdates its
/// resources so the load balancer is programmed and healthy: a world that has been
/// running for a while.
pub async fn provision_now(world: &Arc<World>, ns: &str, name: &str) -> Result<(), String> {
    let uid = world.kube.kube_system_uid();
    let namer = Namer::new(&uid, ns, name);
    let ing = world
        .kube
        .get("ingresses", Some(ns), name)
        .ok_or("ingress not found")?;
    INSTANT
        .scope(true, ensure(world, &ing, &namer, &uid))
        .await?;
    let (_, backends) = translate(world, &ing, &namer, &uid)?;
    let day = Duration::from_secs(86400);
    for c in Collection::ALL {
        for r in world.compute.list(c) {
            let Some(n) = r["name"].as_str() else {
                continue;
            };
            if n.contains(&namer.lb_name) || backends.iter().any(|b| b.bs == n) {
                crate::sandbox::compute::backdate(world, c, n, day);
            }
        }
    }
    // A second pass records the (now healthy) backends.
    let ing = world
        .kube
        .get("ingresses", Some(ns), name)
        .ok_or("ingress not found")?;
    INSTANT
        .scope(true, ensure(world, &ing, &namer, &uid))
        .await?;
    Ok(())
}
