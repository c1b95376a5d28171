//! One sync of one Ingress: translate it, make the Compute world match, write back
//! annotations and status; or, for a deleted Ingress, garbage-collect and release the
//! finalizer. Errors become `Warning` events and a retry, as upstream.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use super::namer::{Namer, backend_service};
use super::{COMPONENT, Controller, FINALIZER};
use crate::sandbox::World;
use crate::sandbox::compute::apply::{Mutation, string_list};
use crate::sandbox::compute::links::{Collection, self_link};
use crate::sandbox::compute::mutate;

const ANN: &str = "ingress.kubernetes.io/";

tokio::task_local! {
    /// Set while seeding: operations complete at once.
    static INSTANT: bool;
}
const STATIC_IP: &str = "kubernetes.io/ingress.global-static-ip-name";
const ALLOW_HTTP: &str = "kubernetes.io/ingress.allow-http";
const PRE_SHARED: &str = "ingress.gcp.kubernetes.io/pre-shared-cert";

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

fn warn(world: &World, ing: &Value, reason: &str, message: &str) {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    world
        .kube
        .record_event(ns, ing, "Warning", reason, message, COMPONENT);
}

fn normal(world: &World, ing: &Value, reason: &str, message: &str) {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    world
        .kube
        .record_event(ns, ing, "Normal", reason, message, COMPONENT);
}

/// Runs one Compute mutation to completion.
async fn exec(world: &Arc<World>, m: Mutation) -> Result<(), String> {
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

async fn delete_if_exists(world: &Arc<World>, coll: Collection, name: &str) -> Result<(), String> {
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

fn description(ns: &str, name: &str) -> String {
    json!({"kubernetes.io/ingress-name": format!("{ns}/{name}")}).to_string()
}

/// A backend referenced by the Ingress: (backend service name, service, port).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct BackendRef {
    bs: String,
    service: String,
    port: String,
}

fn resolve_backend(
    world: &World,
    uid: &str,
    ns: &str,
    backend: &Value,
) -> Result<BackendRef, String> {
    let svc_name = backend["service"]["name"]
        .as_str()
        .ok_or("backend without a service name")?;
    let svc = world
        .kube
        .get("services", Some(ns), svc_name)
        .ok_or_else(|| format!("error while evaluating the ingress spec: could not find service \"{ns}/{svc_name}\""))?;
    let port = &backend["service"]["port"];
    let number = if let Some(n) = port["number"].as_u64() {
        n
    } else if let Some(pname) = port["name"].as_str() {
        svc["spec"]["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["name"] == pname)
            .and_then(|p| p["port"].as_u64())
            .ok_or_else(|| format!("error while evaluating the ingress spec: could not find port \"{pname}\" in service \"{ns}/{svc_name}\""))?
    } else {
        return Err(format!(
            "backend for service \"{ns}/{svc_name}\" has no port"
        ));
    };
    let port = number.to_string();
    Ok(BackendRef {
        bs: backend_service(uid, ns, svc_name, &port),
        service: format!("{ns}/{svc_name}"),
        port,
    })
}

/// The default backend ingress-gce uses when the Ingress has none.
fn default_backend(uid: &str) -> BackendRef {
    BackendRef {
        bs: backend_service(uid, "kube-system", "default-http-backend", "80"),
        service: "kube-system/default-http-backend".to_string(),
        port: "80".to_string(),
    }
}

/// Ingress paths → URL-map path rules (`Prefix /x` covers `/x` and `/x/*`).
fn gce_paths(path: &Value) -> Vec<String> {
    let p = path["path"].as_str().unwrap_or("/");
    match path["pathType"]
        .as_str()
        .unwrap_or("ImplementationSpecific")
    {
        "Exact" => vec![p.to_string()],
        "Prefix" if p == "/" => vec!["/*".to_string()],
        "Prefix" => {
            let base = p.trim_end_matches('/');
            vec![base.to_string(), format!("{base}/*")]
        }
        _ => vec![p.to_string()],
    }
}

/// Translates the Ingress into a URL map body and the backends it needs.
fn translate(
    world: &World,
    ing: &Value,
    namer: &Namer,
    uid: &str,
) -> Result<(Value, Vec<BackendRef>), String> {
    let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
    let name = ing["metadata"]["name"].as_str().unwrap_or_default();
    let project = &world.core.project;
    let link = |b: &BackendRef| self_link(project, Collection::BackendServices, &b.bs);
    let default = match ing["spec"]["defaultBackend"].is_object() {
        true => resolve_backend(world, uid, ns, &ing["spec"]["defaultBackend"])?,
        false => default_backend(uid),
    };
    let mut backends = BTreeSet::from([default.clone()]);
    let mut host_rules = Vec::new();
    let mut matchers = Vec::new();
    let mut by_host: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for rule in ing["spec"]["rules"].as_array().into_iter().flatten() {
        let host = rule["host"].as_str().unwrap_or("*").to_string();
        for path in rule["http"]["paths"].as_array().into_iter().flatten() {
            let b = resolve_backend(world, uid, ns, &path["backend"])?;
            backends.insert(b.clone());
            by_host
                .entry(host.clone())
                .or_default()
                .push(json!({"paths": gce_paths(path), "service": link(&b)}));
        }
    }
    for (i, (host, rules)) in by_host.into_iter().enumerate() {
        let matcher = format!(
            "host{}",
            super::namer::content_hash(&host, 8).get(..8).unwrap_or("0")
        );
        let matcher = if i == 0 && host == "*" {
            "default".to_string()
        } else {
            matcher
        };
        host_rules.push(json!({"hosts": [host], "pathMatcher": matcher}));
        matchers
            .push(json!({"name": matcher, "defaultService": link(&default), "pathRules": rules}));
    }
    let mut um = json!({
        "name": namer.url_map(),
        "description": description(ns, name),
        "defaultService": link(&default),
    });
    if !host_rules.is_empty() {
        um["hostRules"] = Value::Array(host_rules);
        um["pathMatchers"] = Value::Array(matchers);
    }
    Ok((um, backends.into_iter().collect()))
}

fn backend_service_body(world: &World, b: &BackendRef) -> Value {
    let p = &world.core.project;
    json!({
        "name": b.bs,
        "description": json!({"kubernetes.io/service-name": b.service, "kubernetes.io/service-port": b.port}).to_string(),
        "protocol": "HTTP",
        "port": 80,
        "portName": format!("port{}", b.port),
        "timeoutSec": 30,
        "loadBalancingScheme": "EXTERNAL",
        "backends": [{
            "group": format!("https://www.googleapis.com/compute/v1/projects/{p}/zones/us-central1-a/networkEndpointGroups/{}", b.bs),
            "balancingMode": "RATE",
            "maxRatePerEndpoint": 100000000.0,
            "capacityScaler": 1.0,
        }],
        "healthChecks": [format!("https://www.googleapis.com/compute/v1/projects/{p}/global/healthChecks/{}", b.bs)],
        "connectionDraining": {"drainingTimeoutSec": 0},
    })
}

/// Creates or updates everything; returns when to sync again (pending health).
pub(super) async fn ensure(
    world: &Arc<World>,
    ing: &Value,
    namer: &Namer,
    uid: &str,
) -> Result<Option<Duration>, String> {
    let project = world.core.project.clone();
    let ns = ing["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let name = ing["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let annotations = &ing["metadata"]["annotations"];

    let mut finalizers = string_list(&ing["metadata"]["finalizers"]);
    if !finalizers.iter().any(|f| f == FINALIZER) {
        finalizers.push(FINALIZER.to_string());
        world
            .kube
            .patch_merge(
                "ingresses",
                Some(&ns),
                &name,
                &json!({"metadata": {"finalizers": finalizers}}),
                false,
            )
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
            exec(
                world,
                Mutation::Insert {
                    coll: Collection::BackendServices,
                    body: backend_service_body(world, b),
                },
            )
            .await?;
        }
    }
    let um_name = namer.url_map();
    match world.compute.get(Collection::UrlMaps, &um_name) {
        None => {
            exec(
                world,
                Mutation::Insert {
                    coll: Collection::UrlMaps,
                    body: url_map.clone(),
                },
            )
            .await?
        }
        Some(current) => {
            let differs = ["defaultService", "hostRules", "pathMatchers"]
                .iter()
                .any(|k| current[*k] != url_map[*k]);
            if differs {
                exec(
                    world,
                    Mutation::UpdateUrlMap {
                        name: um_name.clone(),
                        body: url_map.clone(),
                    },
                )
                .await?;
            }
        }
    }
    let um_link = self_link(&project, Collection::UrlMaps, &um_name);

    let allow_http = annotations[ALLOW_HTTP]
        .as_str()
        .is_none_or(|v| !matches!(v.trim(), "false" | "False" | "FALSE" | "0" | "f" | "F"));
    let static_name = annotations[STATIC_IP].as_str().map(str::to_string);
    let tls_secrets: Vec<String> = ing["spec"]["tls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["secretName"].as_str().map(String::from))
        .collect();
    let pre_shared: Vec<String> = annotations[PRE_SHARED]
        .as_str()
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let want_tls = !tls_secrets.is_empty() || !pre_shared.is_empty();

    let static_link = match &static_name {
        Some(addr) => {
            if world.compute.get(Collection::Addresses, addr).is_none() {
                return Err(format!(
                    "error running load balancer syncing routine: loadbalancer {} does not exist: the given static IP name {addr} doesn't translate to an existing static IP.",
                    namer.lb_name
                ));
            }
            Some(self_link(&project, Collection::Addresses, addr))
        }
        None => None,
    };

    let desc = description(&ns, &name);
    let mut ip: Option<String> = None;
    let mut new_ann: BTreeMap<String, Option<String>> = BTreeMap::new();
    new_ann.insert(format!("{ANN}url-map"), Some(um_name.clone()));

    if allow_http {
        if world
            .compute
            .get(Collection::TargetHttpProxies, &namer.http_proxy())
            .is_none()
        {
            let body = json!({"name": namer.http_proxy(), "description": desc, "urlMap": um_link});
            exec(
                world,
                Mutation::Insert {
                    coll: Collection::TargetHttpProxies,
                    body,
                },
            )
            .await?;
        }
        if world
            .compute
            .get(Collection::ForwardingRules, &namer.http_rule())
            .is_none()
        {
            let mut body = json!({
                "name": namer.http_rule(), "description": desc, "IPProtocol": "TCP", "portRange": "80-80",
                "target": self_link(&project, Collection::TargetHttpProxies, &namer.http_proxy()),
            });
            if let Some(l) = &static_link {
                body["IPAddress"] = json!(l);
            } else if let Some(addr) = world.compute.get(Collection::Addresses, &namer.http_rule())
            {
                body["IPAddress"] = addr["address"].clone();
            }
            exec(
                world,
                Mutation::Insert {
                    coll: Collection::ForwardingRules,
                    body,
                },
            )
            .await?;
        }
        let fr = world
            .compute
            .get(Collection::ForwardingRules, &namer.http_rule())
            .ok_or("HTTP forwarding rule vanished")?;
        ip = fr["IPAddress"].as_str().map(String::from);
        new_ann.insert(format!("{ANN}forwarding-rule"), Some(namer.http_rule()));
        new_ann.insert(format!("{ANN}target-proxy"), Some(namer.http_proxy()));
        if want_tls && static_link.is_none() {
            if world
                .compute
                .get(Collection::Addresses, &namer.http_rule())
                .is_none()
            {
                let body = json!({"name": namer.http_rule(), "description": desc, "address": ip});
                match exec(
                    world,
                    Mutation::Insert {
                        coll: Collection::Addresses,
                        body,
                    },
                )
                .await
                {
                    Err(e) if e.contains("409") || e.contains("400") => {}
                    other => other?,
                }
            }
            new_ann.insert(format!("{ANN}static-ip"), Some(namer.http_rule()));
        }
    } else {
        delete_if_exists(world, Collection::ForwardingRules, &namer.http_rule()).await?;
        delete_if_exists(world, Collection::TargetHttpProxies, &namer.http_proxy()).await?;
        new_ann.insert(format!("{ANN}forwarding-rule"), None);
        new_ann.insert(format!("{ANN}target-proxy"), None);
    }

    if want_tls {
        let mut cert_names: Vec<String> = pre_shared.clone();
        for secret_name in &tls_secrets {
            let secret = world
                .kube
                .get("secrets", Some(&ns), secret_name)
                .ok_or_else(|| {
                    format!(
                        "error initializing translator env: secrets \"{secret_name}\" not found"
                    )
                })?;
            let field = |k: &str| -> Result<Vec<u8>, String> {
                let b64 = secret["data"][k].as_str().ok_or_else(|| {
                    let what = if k == "tls.crt" {
                        "cert"
                    } else {
                        "private key"
                    };
                    format!("secret \"{secret_name}\" does not specify {what} as string data")
                })?;
                base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .map_err(|e| format!("secret \"{secret_name}\": {e}"))
            };
            let (crt, key) = (field("tls.crt")?, field("tls.key")?);
            let cert_name = namer.cert(&crt);
            if world
                .compute
                .get(Collection::SslCertificates, &cert_name)
                .is_none()
            {
                let body = json!({
                    "name": cert_name, "description": desc,
                    "certificate": String::from_utf8_lossy(&crt), "privateKey": String::from_utf8_lossy(&key),
                });
                exec(
                    world,
                    Mutation::Insert {
                        coll: Collection::SslCertificates,
                        body,
                    },
                )
                .await
                .map_err(|e| format!("Cert creation failures - {cert_name} Error:{e}"))?;
            }
            if !cert_names.contains(&cert_name) {
                cert_names.push(cert_name);
            }
        }
        let cert_links: Vec<String> = cert_names
            .iter()
            .map(|c| self_link(&project, Collection::SslCertificates, c))
            .collect();
        match world
            .compute
            .get(Collection::TargetHttpsProxies, &namer.https_proxy())
        {
            None => {
                let body = json!({"name": namer.https_proxy(), "description": desc, "urlMap": um_link, "sslCertificates": cert_links});
                exec(
                    world,
                    Mutation::Insert {
                        coll: Collection::TargetHttpsProxies,
                        body,
                    },
                )
                .await?;
            }
            Some(proxy) => {
                if proxy["urlMap"].as_str() != Some(um_link.as_str()) {
                    let m = Mutation::SetUrlMap {
                        coll: Collection::TargetHttpsProxies,
                        proxy: namer.https_proxy(),
                        url_map: um_link.clone(),
                    };
                    exec(world, m).await?;
                }
                if string_list(&proxy["sslCertificates"]) != cert_links {
                    exec(
                        world,
                        Mutation::SetSslCertificates {
                            proxy: namer.https_proxy(),
                            certs: cert_links.clone(),
                        },
                    )
                    .await?;
                    normal(
                        world,
                        ing,
                        "Sync",
                        &format!("TargetProxy \"{}\" certs updated", namer.https_proxy()),
                    );
                }
            }
        }
        if world
            .compute
            .get(Collection::ForwardingRules, &namer.https_rule())
            .is_none()
        {
            let mut body = json!({
                "name": namer.https_rule(), "description": desc, "IPProtocol": "TCP", "portRange": "443-443",
                "target": self_link(&project, Collection::TargetHttpsProxies, &namer.https_proxy()),
            });
            if let Some(l) = &static_link {
                body["IPAddress"] = json!(l);
            } else if let Some(i) = &ip {
                body["IPAddress"] = json!(i);
            }
            exec(
                world,
                Mutation::Insert {
                    coll: Collection::ForwardingRules,
                    body,
                },
            )
            .await?;
            normal(
                world,
                ing,
                "Sync",
                &format!("ForwardingRule \"{}\" created", namer.https_rule()),
            );
        }
        let fs = world
            .compute
            .get(Collection::ForwardingRules, &namer.https_rule())
            .ok_or("HTTPS forwarding rule vanished")?;
        if ip.is_none() {
            ip = fs["IPAddress"].as_str().map(String::from);
        }
        // Deferred: delete this load balancer's certificates no longer on the proxy.
        let prefix = namer.cert_prefix();
        for c in world.compute.list(Collection::SslCertificates) {
            let Some(n) = c["name"].as_str() else {
                continue;
            };
            if n.starts_with(&prefix) && !cert_names.iter().any(|x| x == n) {
                let _ = delete_if_exists(world, Collection::SslCertificates, n).await;
            }
        }
        new_ann.insert(
            format!("{ANN}https-forwarding-rule"),
            Some(namer.https_rule()),
        );
        new_ann.insert(
            format!("{ANN}https-target-proxy"),
            Some(namer.https_proxy()),
        );
        new_ann.insert(format!("{ANN}ssl-cert"), Some(cert_names.join(",")));
    } else {
        delete_if_exists(world, Collection::ForwardingRules, &namer.https_rule()).await?;
        delete_if_exists(world, Collection::TargetHttpsProxies, &namer.https_proxy()).await?;
        for k in ["https-forwarding-rule", "https-target-proxy", "ssl-cert"] {
            new_ann.insert(format!("{ANN}{k}"), None);
        }
    }

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
    new_ann.insert(
        format!("{ANN}backends"),
        Some(Value::Object(health).to_string()),
    );

    // Write back only what changed (no-op syncs must not generate events).
    let mut ann_patch = serde_json::Map::new();
    for (k, v) in &new_ann {
        let current = annotations[k].as_str();
        if current != v.as_deref() {
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
        patch["status"] = json!({"loadBalancer": {"ingress": ip.as_ref().map(|i| vec![json!({"ip": i})]).unwrap_or_default()}});
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

/// Deletes the load balancer in ingress-gce's order, then releases the finalizer.
async fn garbage_collect(
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
