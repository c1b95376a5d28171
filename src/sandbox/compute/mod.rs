//! Compute Engine v1, global resources: the store, its operations, and the views other
//! sandbox parts read (load-balancer listeners, the controller, the inventory).
//!
//! Mutations go through [`mutate`]: checked synchronously ([`apply::Inner::check`], rules in `check.rs`),
//! turned into an [`ops::Operation`], and applied when the operation reaches `DONE` on
//! the sandbox clock. The simulated ingress-gce controller uses the same path as API
//! clients, so its resources obey the same rules and take the same time.

pub mod apply;
pub mod check;
pub mod links;
mod listing;
pub mod ops;
pub mod routes;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use self::apply::{Inner, Mutation, string_list};
use self::links::{Collection, parse_ref, parse_ref_in};
use self::ops::{OpError, Operation, Phase};
use super::World;
use super::core::{InjectedOpError, lock};
use super::google::GoogleError;
use crate::secret::SecretPem;

/// The Compute world.
#[derive(Debug)]
pub struct Compute {
    inner: Mutex<Inner>,
    operations: Mutex<BTreeMap<String, Operation>>,
    request_ids: Mutex<HashMap<String, String>>,
    op_done: Notify,
    changed: watch::Sender<u64>,
}

impl Compute {
    /// An empty project whose load-balancer IPs are `127.<ip_block>.x.y`.
    pub fn new(ip_block: u8) -> Self {
        let inner = Inner {
            ip_block,
            ..Inner::default()
        };
        Compute {
            inner: Mutex::new(inner),
            operations: Mutex::new(BTreeMap::new()),
            request_ids: Mutex::new(HashMap::new()),
            op_done: Notify::new(),
            changed: watch::channel(0).0,
        }
    }

    /// A receiver that ticks whenever a mutation lands.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.changed.subscribe()
    }

    /// A resource as `get` returns it.
    pub fn get(&self, coll: Collection, name: &str) -> Option<Value> {
        lock(&self.inner).get(coll, name).map(|r| r.json.clone())
    }

    /// When a resource was created.
    pub fn created(&self, coll: Collection, name: &str) -> Option<Instant> {
        lock(&self.inner).get(coll, name).map(|r| r.created)
    }

    /// Every resource of a collection, by name.
    pub fn list(&self, coll: Collection) -> Vec<Value> {
        lock(&self.inner)
            .coll(coll)
            .into_iter()
            .flatten()
            .map(|(_, r)| r.json.clone())
            .collect()
    }

    /// An operation's JSON.
    pub fn operation(&self, project: &str, name: &str) -> Option<Value> {
        lock(&self.operations)
            .get(name)
            .map(|op| op.to_json(project))
    }

    /// All operations' JSON, oldest first.
    pub fn operations(&self, project: &str) -> Vec<Value> {
        let ops = lock(&self.operations);
        let mut v: Vec<&Operation> = ops.values().collect();
        v.sort_by_key(|o| o.id);
        v.into_iter().map(|o| o.to_json(project)).collect()
    }

    /// Removes a finished operation record (`globalOperations.delete`).
    pub fn delete_operation(&self, name: &str) -> bool {
        lock(&self.operations).remove(name).is_some()
    }

    /// Waits until the operation is `DONE` or `deadline` passes; returns its JSON.
    pub async fn wait(&self, project: &str, name: &str, deadline: Duration) -> Option<Value> {
        let until = tokio::time::Instant::now() + deadline;
        loop {
            let notified = self.op_done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            {
                let ops = lock(&self.operations);
                let op = ops.get(name)?;
                if op.phase == Phase::Done {
                    return Some(op.to_json(project));
                }
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                return self.operation(project, name);
            }
        }
    }

    /// Waits for an operation to finish and returns its failure, if any (for the
    /// controller).
    pub async fn wait_done(&self, name: &str) -> Result<(), OpError> {
        loop {
            let notified = self.op_done.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match lock(&self.operations).get(name) {
                None => return Ok(()),
                Some(op) if op.phase == Phase::Done => return op.error.clone().map_or(Ok(()), Err),
                Some(_) => {}
            }
            notified.await;
        }
    }

    /// Whether a backend service's health checks pass (`None` if it does not exist).
    pub fn backend_healthy(&self, name: &str, health_delay: Duration) -> Option<bool> {
        self.created(Collection::BackendServices, name)
            .map(|c| c.elapsed() >= health_delay)
    }

    /// Everything, for the inventory (certificates without keys; keys are write-only).
    pub fn snapshot(&self) -> Value {
        let inner = lock(&self.inner);
        let mut out = serde_json::Map::new();
        for c in Collection::ALL {
            let items: Vec<Value> = inner
                .coll(c)
                .into_iter()
                .flatten()
                .map(|(_, r)| r.json.clone())
                .collect();
            out.insert(c.path().to_string(), Value::Array(items));
        }
        Value::Object(out)
    }

    /// What a load-balancer front end needs to serve the HTTPS forwarding rule `rule`.
    pub fn frontend(&self, project: &str, rule: &str) -> Option<Frontend> {
        let inner = lock(&self.inner);
        let fr = inner.get(Collection::ForwardingRules, rule)?;
        let (tc, tn) = parse_ref(project, fr.json["target"].as_str()?)?;
        if tc != Collection::TargetHttpsProxies {
            return None;
        }
        let proxy = inner.get(tc, &tn)?;
        let mut certs = Vec::new();
        for link in string_list(&proxy.json["sslCertificates"]) {
            let Some(name) = parse_ref_in(project, &link, Collection::SslCertificates) else {
                continue;
            };
            let Some(c) = inner.get(Collection::SslCertificates, &name) else {
                continue;
            };
            let (Some(pem), Some(key)) = (c.json["certificate"].as_str(), c.private_key.clone())
            else {
                continue;
            };
            certs.push(FrontendCert {
                name,
                chain_pem: pem.to_string(),
                key,
                sans: string_list(&c.json["subjectAlternativeNames"]),
            });
        }
        let um_name = parse_ref_in(project, proxy.json["urlMap"].as_str()?, Collection::UrlMaps)?;
        let url_map = inner.get(Collection::UrlMaps, &um_name)?.json.clone();
        let mut services = BTreeMap::new();
        for s in apply::url_map_services(&url_map) {
            if let Some(n) = s
                .as_str()
                .and_then(|s| parse_ref_in(project, s, Collection::BackendServices))
                && let Some(bs) = inner.get(Collection::BackendServices, &n)
            {
                services.insert(n, bs.json.clone());
            }
        }
        Some(Frontend {
            rule: rule.to_string(),
            ip: fr.json["IPAddress"].as_str()?.to_string(),
            created: fr.created,
            target_proxy: tn,
            url_map_name: um_name,
            url_map,
            certs,
            backend_services: services,
        })
    }

    /// HTTPS forwarding rules (those targeting an HTTPS proxy): name → IP.
    pub fn https_rules(&self, project: &str) -> BTreeMap<String, String> {
        let inner = lock(&self.inner);
        inner
            .coll(Collection::ForwardingRules)
            .into_iter()
            .flatten()
            .filter(|(_, r)| {
                r.json["target"]
                    .as_str()
                    .and_then(|t| parse_ref(project, t))
                    .is_some_and(|(c, _)| c == Collection::TargetHttpsProxies)
            })
            .map(|(n, r)| {
                (
                    n.clone(),
                    r.json["IPAddress"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn with_inner<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut lock(&self.inner))
    }
}

/// A certificate a front end serves.
#[derive(Debug, Clone)]
pub struct FrontendCert {
    /// SslCertificate name.
    pub name: String,
    /// The chain as uploaded.
    pub chain_pem: String,
    /// The key.
    pub key: SecretPem,
    /// Leaf DNS SANs.
    pub sans: Vec<String>,
}

/// One HTTPS load balancer as its front end sees it.
#[derive(Debug, Clone)]
pub struct Frontend {
    /// Forwarding rule name.
    pub rule: String,
    /// Its IP.
    pub ip: String,
    /// When the forwarding rule was created.
    pub created: Instant,
    /// Target HTTPS proxy name.
    pub target_proxy: String,
    /// URL map name.
    pub url_map_name: String,
    /// URL map JSON.
    pub url_map: Value,
    /// Certificates on the proxy, in order (the first is the default).
    pub certs: Vec<FrontendCert>,
    /// Backend services the URL map references, by name.
    pub backend_services: BTreeMap<String, Value>,
}

/// Accepts a mutation: checks it, records an operation and schedules its completion.
/// Returns the operation JSON (or the synchronous error).
pub fn mutate(
    world: &Arc<World>,
    m: Mutation,
    request_id: Option<String>,
    op_fault: Option<InjectedOpError>,
    instant: bool,
) -> Result<Value, GoogleError> {
    let project = world.core.project.clone();
    let compute = &world.compute;
    if let Some(rid) = &request_id {
        if uuid::Uuid::parse_str(rid).is_err() || rid.chars().all(|c| c == '0' || c == '-') {
            return Err(GoogleError::invalid(format!(
                "Invalid value for field 'requestId': '{rid}'. The requestId must be a valid, non-zero UUID."
            )));
        }
        let existing = lock(&compute.request_ids).get(rid).cloned();
        if let Some(op) = existing.and_then(|name| compute.operation(&project, &name)) {
            return Ok(op);
        }
    }
    let id = compute.with_inner(|inner| -> Result<u64, GoogleError> {
        inner.check(&project, &m)?;
        if let Mutation::Insert { coll, body } = &m {
            inner
                .pending
                .insert((*coll, body["name"].as_str().unwrap_or_default().to_string()));
        }
        inner.next_id += 1;
        Ok(inner.next_id)
    })?;
    let op = Operation::new(id, m.op_type(), m.target(), request_id.clone());
    let name = op.name.clone();
    let json = op.to_json(&project);
    lock(&compute.operations).insert(name.clone(), op);
    if let Some(rid) = request_id {
        lock(&compute.request_ids).insert(rid, name.clone());
    }
    let world = world.clone();
    tokio::spawn(async move {
        let t = world.core.timing;
        if !instant {
            tokio::time::sleep(t.op_pending).await;
        }
        if let Some(op) = lock(&world.compute.operations).get_mut(&name) {
            op.start();
        }
        if !instant {
            tokio::time::sleep(t.op_running).await;
        }
        let result = match op_fault {
            Some(f) => {
                if let Mutation::Insert { coll, body } = &m {
                    let key = (*coll, body["name"].as_str().unwrap_or_default().to_string());
                    world.compute.with_inner(|i| i.pending.remove(&key));
                }
                Err(OpError {
                    message: injected_message(&f.code, m.target().0),
                    code: f.code,
                    http_status: f.http_status,
                })
            }
            None => world
                .compute
                .with_inner(|inner| inner.apply(&world.core.project, &m)),
        };
        {
            let mut ops = lock(&world.compute.operations);
            if let Some(op) = ops.get_mut(&name) {
                match result {
                    Ok(target_id) => {
                        op.target_id = target_id;
                        op.finish(None);
                    }
                    Err(e) => op.finish(Some(e)),
                }
            }
        }
        world.compute.changed.send_modify(|n| *n += 1);
        world.compute.op_done.notify_waiters();
    });
    Ok(json)
}

/// The message Compute puts in a failed operation, naming the quota of the collection
/// the operation works on.
fn injected_message(code: &str, coll: Collection) -> String {
    let (quota, limit) = match coll {
        Collection::SslCertificates => ("SSL_CERTIFICATES", 10),
        Collection::Addresses => ("STATIC_ADDRESSES", 8),
        Collection::ForwardingRules => ("FORWARDING_RULES", 15),
        Collection::UrlMaps => ("URL_MAPS", 10),
        Collection::BackendServices => ("BACKEND_SERVICES", 9),
        Collection::TargetHttpsProxies => ("TARGET_HTTPS_PROXIES", 10),
        Collection::TargetHttpProxies => ("TARGET_HTTP_PROXIES", 10),
    };
    match code {
        "QUOTA_EXCEEDED" => format!("Quota '{quota}' exceeded.  Limit: {limit}.0 globally."),
        other => format!("Operation failed: {other}"),
    }
}

/// Backdates a resource's creation (seeding a world that has been running for a while).
pub fn backdate(world: &World, coll: Collection, name: &str, by: Duration) {
    world.compute.with_inner(|inner| {
        if let Some(r) = inner.resources.get_mut(&coll).and_then(|c| c.get_mut(name)) {
            r.created = r.created.checked_sub(by).unwrap_or(r.created);
        }
    });
}

/// Health of a backend service as `getHealth` reports it.
pub fn health_json(world: &World, name: &str, group: &str) -> Value {
    let healthy = world
        .compute
        .backend_healthy(name, world.core.timing.backend_health)
        .unwrap_or(false);
    json!({
        "kind": "compute#backendServiceGroupHealth",
        "healthStatus": [{
            "healthState": if healthy { "HEALTHY" } else { "UNHEALTHY" },
            "ipAddress": "10.8.0.12",
            "port": 8080,
            "instance": group,
        }],
    })
}
