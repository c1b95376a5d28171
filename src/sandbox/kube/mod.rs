//! The Kubernetes API subset kube-rs and kubectl need (interim in-memory store; the full
//! API server lands with the kube module).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use serde_json::Value;
use tokio::sync::broadcast;

use super::World;
use super::core::lock;

/// The bearer token the sandbox's kubeconfig carries.
pub const TOKEN: &str = "sandbox-admin-token";

/// A change to an object.
#[derive(Debug, Clone)]
pub struct KubeEvent {
    /// Resource plural (`ingresses`).
    pub resource: String,
    /// ADDED, MODIFIED or DELETED.
    pub event_type: String,
    /// The object after the change.
    pub object: Value,
}

/// A Kubernetes Status error.
#[derive(Debug, Clone)]
pub struct Status(pub String);

/// The Kubernetes objects.
#[derive(Debug)]
pub struct Kube {
    objects: Mutex<BTreeMap<(String, String, String), Value>>,
    events: broadcast::Sender<KubeEvent>,
}

impl Default for Kube {
    fn default() -> Self {
        Self::new()
    }
}

impl Kube {
    /// An empty cluster.
    pub fn new() -> Self {
        Kube {
            objects: Mutex::new(BTreeMap::new()),
            events: broadcast::channel(1024).0,
        }
    }
    /// kube-system's UID.
    pub fn kube_system_uid(&self) -> String {
        "kubesystem-uid1".into()
    }
    /// Change events.
    pub fn subscribe(&self) -> broadcast::Receiver<KubeEvent> {
        self.events.subscribe()
    }
    fn key(resource: &str, ns: Option<&str>, name: &str) -> (String, String, String) {
        (resource.into(), ns.unwrap_or("").into(), name.into())
    }
    /// An object.
    pub fn get(&self, resource: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        lock(&self.objects)
            .get(&Self::key(resource, ns, name))
            .cloned()
    }
    /// Objects of a resource.
    pub fn list(&self, resource: &str, ns: Option<&str>) -> Vec<Value> {
        lock(&self.objects)
            .iter()
            .filter(|((r, n, _), _)| r == resource && ns.is_none_or(|x| x == n))
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn emit(&self, resource: &str, t: &str, object: Value) {
        let _ = self.events.send(KubeEvent {
            resource: resource.into(),
            event_type: t.into(),
            object,
        });
    }
    /// Creates an object.
    pub fn create(
        &self,
        resource: &str,
        ns: Option<&str>,
        mut obj: Value,
    ) -> Result<Value, Status> {
        let name = obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        obj["metadata"]["uid"] = Value::String(uuid::Uuid::new_v4().to_string());
        if let Some(n) = ns {
            obj["metadata"]["namespace"] = Value::String(n.into());
        }
        let k = Self::key(resource, ns, &name);
        if lock(&self.objects).insert(k, obj.clone()).is_some() {
            return Err(Status("AlreadyExists".into()));
        }
        self.emit(resource, "ADDED", obj.clone());
        Ok(obj)
    }
    /// Merge-patches an object.
    pub fn patch_merge(
        &self,
        resource: &str,
        ns: Option<&str>,
        name: &str,
        patch: &Value,
        _status: bool,
    ) -> Result<Value, Status> {
        let k = Self::key(resource, ns, name);
        let mut objs = lock(&self.objects);
        let obj = objs.get_mut(&k).ok_or_else(|| Status("NotFound".into()))?;
        merge(obj, patch);
        let out = obj.clone();
        let gone = !out["metadata"]["deletionTimestamp"].is_null()
            && out["metadata"]["finalizers"]
                .as_array()
                .is_none_or(|f| f.is_empty());
        if gone {
            objs.remove(&k);
        }
        drop(objs);
        self.emit(
            resource,
            if gone { "DELETED" } else { "MODIFIED" },
            out.clone(),
        );
        Ok(out)
    }
    /// Deletes an object (honouring finalizers).
    pub fn delete(&self, resource: &str, ns: Option<&str>, name: &str) -> Result<Value, Status> {
        let k = Self::key(resource, ns, name);
        let mut objs = lock(&self.objects);
        let obj = objs.get_mut(&k).ok_or_else(|| Status("NotFound".into()))?;
        if obj["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty())
        {
            obj["metadata"]["deletionTimestamp"] = Value::String(crate::util::time::now_rfc3339());
            let out = obj.clone();
            drop(objs);
            self.emit(resource, "MODIFIED", out.clone());
            return Ok(out);
        }
        let out = objs.remove(&k).unwrap_or_default();
        drop(objs);
        self.emit(resource, "DELETED", out.clone());
        Ok(out)
    }
    /// Records an event.
    pub fn record_event(
        &self,
        _ns: &str,
        _involved: &Value,
        _type: &str,
        reason: &str,
        message: &str,
        _component: &str,
    ) {
        tracing::debug!("event {reason}: {message}");
    }
    /// All objects.
    pub fn snapshot(&self) -> Value {
        Value::Array(lock(&self.objects).values().cloned().collect())
    }
}

fn merge(target: &mut Value, patch: &Value) {
    if let Value::Object(p) = patch {
        if !target.is_object() {
            *target = Value::Object(Default::default());
        }
        for (k, v) in p {
            if v.is_null() {
                if let Some(o) = target.as_object_mut() {
                    o.remove(k);
                }
            } else {
                merge(&mut target[k], v);
            }
        }
    } else {
        *target = patch.clone();
    }
}

/// A kubeconfig for the sandbox.
pub fn kubeconfig_yaml(server_url: &str, token: &str, context_name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {context_name}\n  cluster:\n    server: {server_url}\nusers:\n- name: {context_name}\n  user:\n    token: {token}\ncontexts:\n- name: {context_name}\n  context:\n    cluster: {context_name}\n    user: {context_name}\n    namespace: default\ncurrent-context: {context_name}\n"
    )
}

/// The Kubernetes routes.
pub fn router() -> Router<Arc<World>> {
    Router::new()
}
