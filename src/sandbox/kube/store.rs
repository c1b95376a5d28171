//! The object store behind the simulated API server: every object as JSON, keyed by
//! resource, namespace and name, with one global `resourceVersion` counter, a bounded
//! history of changes for watches to resume from, and a broadcast of every change.
//!
//! All writes go through here (HTTP handlers and the other sandbox parts alike), under
//! one short-held mutex; each write decodes, defaults, validates and then commits and
//! publishes in the same critical section, so a watch started under the lock sees every
//! later change exactly once. It owns the API server's write semantics: `409` on stale
//! `resourceVersion`, no-op writes that do not bump it, `deletionTimestamp` while
//! finalizers remain and removal when the last one goes, namespaces that must exist.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Mutex;

use serde_json::{Value, json};
use tokio::sync::broadcast;

pub use super::deletion::{DeleteOptions, Deletion};
pub use super::history::{EventType, KubeEvent};
use super::resources::{ResourceInfo, by_plural};
use super::schema::{self, DecodeError, FieldValidation};
use super::status::Status;
use super::strategy;
use super::validate::validate;
use crate::sandbox::core::lock;
use crate::util::time::now_rfc3339;

/// How a write is performed (from HTTP query parameters).
#[derive(Debug, Clone, Copy)]
pub struct WriteOptions {
    /// `dryRun=All`: validate and answer, change nothing.
    pub dry_run: bool,
    /// `fieldValidation`.
    pub validation: FieldValidation,
    /// Whether the body is the result of a PATCH (changes how decode errors read).
    pub patch: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            dry_run: false,
            validation: FieldValidation::Ignore,
            patch: false,
        }
    }
}

/// A successful write: the stored object and any warnings for the client.
#[derive(Debug, Clone)]
pub struct Written {
    /// The object as stored (or as it would be, for a dry run).
    pub object: Value,
    /// `Warning` header texts (unknown fields under `fieldValidation=Warn`).
    pub warnings: Vec<String>,
}

pub(super) type Key = (&'static str, String, String);

#[derive(Debug, Default)]
pub(super) struct State {
    pub(super) rv: u64,
    pub(super) objects: BTreeMap<Key, Value>,
    pub(super) history: VecDeque<KubeEvent>,
    pub(super) compacted: u64,
}

/// The Kubernetes objects of the sandbox.
#[derive(Debug)]
pub struct Kube {
    pub(super) state: Mutex<State>,
    pub(super) tx: broadcast::Sender<KubeEvent>,
    kube_system_uid: String,
}

impl Default for Kube {
    fn default() -> Self {
        Kube::new()
    }
}

pub(super) fn resource(plural: &str) -> Result<&'static ResourceInfo, Status> {
    by_plural(plural).ok_or_else(Status::no_route)
}

pub(super) fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj["metadata"][field].as_str()
}

pub(super) fn set_meta(obj: &mut Value, field: &str, v: Value) {
    if !obj["metadata"].is_object() {
        obj["metadata"] = json!({});
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        if v.is_null() {
            m.remove(field);
        } else {
            m.insert(field.to_string(), v);
        }
    }
}

fn decode_error(res: &ResourceInfo, e: DecodeError, patch: bool) -> Status {
    if patch {
        Status::bad_request(e.message())
    } else {
        Status::bad_request(format!(
            "{kind} in version \"{v}\" cannot be handled as a {kind}: {m}",
            kind = res.kind,
            v = res.version,
            m = e.message()
        ))
    }
}

/// Checks `apiVersion`/`kind` in a body (when present) and fills them in.
fn type_meta(res: &ResourceInfo, obj: &mut Value) -> Result<(), Status> {
    let api_version = res.api_version();
    if let Some(v) = obj["apiVersion"].as_str().filter(|v| !v.is_empty())
        && v != api_version
    {
        return Err(Status::bad_request(format!(
            "the API version in the data ({v}) does not match the expected API version ({api_version})"
        )));
    }
    if let Some(k) = obj["kind"].as_str().filter(|k| !k.is_empty())
        && k != res.kind
    {
        return Err(Status::bad_request(format!(
            "the kind in the data ({k}) does not match the expected kind ({})",
            res.kind
        )));
    }
    obj["apiVersion"] = json!(api_version);
    obj["kind"] = json!(res.kind);
    Ok(())
}

impl State {
    pub(super) fn key(res: &ResourceInfo, ns: Option<&str>, name: &str) -> Key {
        let ns = if res.namespaced {
            ns.unwrap_or_default()
        } else {
            ""
        };
        (res.plural, ns.to_string(), name.to_string())
    }

    fn taken(&self) -> (BTreeSet<String>, BTreeSet<i64>) {
        let mut ips = BTreeSet::new();
        let mut ports = BTreeSet::new();
        for ((r, _, _), svc) in &self.objects {
            if *r != "services" {
                continue;
            }
            if let Some(ip) = svc["spec"]["clusterIP"].as_str() {
                ips.insert(ip.to_string());
            }
            for p in svc["spec"]["ports"].as_array().into_iter().flatten() {
                if let Some(n) = p["nodePort"].as_i64() {
                    ports.insert(n);
                }
            }
        }
        (ips, ports)
    }

    fn check_namespace(
        &self,
        res: &ResourceInfo,
        ns: Option<&str>,
        name: &str,
    ) -> Result<(), Status> {
        if !res.namespaced {
            return Ok(());
        }
        let ns = ns.unwrap_or_default();
        let nsres = resource("namespaces")?;
        let Some(obj) = self
            .objects
            .get(&("namespaces", String::new(), ns.to_string()))
        else {
            return Err(Status::not_found(nsres, ns));
        };
        if obj["status"]["phase"] == "Terminating" {
            return Err(Status::forbidden(
                res,
                name,
                &format!(
                    "unable to create new content in namespace {ns} because it is being terminated"
                ),
            ));
        }
        Ok(())
    }
}

impl Kube {
    /// A cluster as GKE creates it: namespaces `default`, `kube-system`, `kube-public`
    /// and `kube-node-lease`, the `kubernetes` and `default-http-backend` Services, and
    /// the `gce` IngressClass.
    /// The `kube-system` namespace gets a random UID, as on a real cluster.
    pub fn new() -> Self {
        Kube::with_kube_system_uid(&uuid::Uuid::new_v4().to_string())
    }

    /// Like [`Kube::new`], with a fixed `kube-system` UID (for reproducible ingress-gce
    /// resource names).
    pub fn with_kube_system_uid(uid: &str) -> Self {
        let (tx, _) = broadcast::channel(1024);
        let kube = Kube {
            state: Mutex::new(State::default()),
            tx,
            kube_system_uid: uid.to_string(),
        };
        let seeds = [
            ("namespaces", None, json!({"metadata": {"name": "default"}})),
            (
                "namespaces",
                None,
                json!({"metadata": {"name": "kube-system"}}),
            ),
            (
                "namespaces",
                None,
                json!({"metadata": {"name": "kube-public"}}),
            ),
            (
                "namespaces",
                None,
                json!({"metadata": {"name": "kube-node-lease"}}),
            ),
            (
                "services",
                Some("default"),
                json!({"metadata": {"name": "kubernetes",
                "labels": {"component": "apiserver", "provider": "kubernetes"}},
                "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 443}]}}),
            ),
            (
                "services",
                Some("kube-system"),
                json!({"metadata": {"name": "default-http-backend",
                "labels": {"k8s-app": "glbc", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "GLBC"}},
                "spec": {"type": "NodePort", "selector": {"k8s-app": "glbc"},
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}}),
            ),
            (
                "ingressclasses",
                None,
                json!({"metadata": {"name": "gce",
                "annotations": {"ingressclass.kubernetes.io/is-default-class": "false"}},
                "spec": {"controller": "k8s.io/ingress-gce"}}),
            ),
        ];
        for (res, ns, obj) in seeds {
            let result =
                resource(res).and_then(|r| kube.create_obj(r, ns, obj, WriteOptions::default()));
            debug_assert!(result.is_ok(), "seed {res}: {result:?}");
        }
        if let Some(ks) =
            lock(&kube.state)
                .objects
                .get_mut(&("namespaces", String::new(), "kube-system".into()))
        {
            set_meta(ks, "uid", json!(kube.kube_system_uid));
        }
        kube
    }

    /// The `metadata.uid` of namespace `kube-system` (ingress-gce's cluster UID source).
    pub fn kube_system_uid(&self) -> String {
        self.kube_system_uid.clone()
    }

    /// One object, or `None`.
    pub fn get(&self, resource: &str, ns: Option<&str>, name: &str) -> Option<Value> {
        let res = by_plural(resource)?;
        lock(&self.state)
            .objects
            .get(&State::key(res, ns, name))
            .cloned()
    }

    /// Every object of `resource` (in `ns`, or in all namespaces when `None`), sorted by
    /// namespace and name.
    pub fn list(&self, resource: &str, ns: Option<&str>) -> Vec<Value> {
        match by_plural(resource) {
            Some(res) => self.list_rv(res, ns).0,
            None => Vec::new(),
        }
    }

    /// Creates an object (unknown fields are dropped).
    pub fn create(&self, resource: &str, ns: Option<&str>, obj: Value) -> Result<Value, Status> {
        self.create_obj(self::resource(resource)?, ns, obj, WriteOptions::default())
            .map(|w| w.object)
    }

    /// Applies a JSON merge patch to an object, or to its `/status` subresource when
    /// `subresource_status` (metadata changes are accepted there too, as ingress-gce
    /// relies on).
    pub fn patch_merge(
        &self,
        resource: &str,
        ns: Option<&str>,
        name: &str,
        patch: &Value,
        subresource_status: bool,
    ) -> Result<Value, Status> {
        let res = self::resource(resource)?;
        if subresource_status && !res.status_subresource {
            return Err(Status::no_route());
        }
        let opts = WriteOptions {
            patch: true,
            ..WriteOptions::default()
        };
        self.update_obj(res, ns, name, subresource_status, opts, |mut cur| {
            super::patch::merge_patch(&mut cur, patch);
            Ok(cur)
        })
        .map(|w| w.object)
    }

    /// Objects of `res` and the `resourceVersion` they were read at.
    pub(super) fn list_rv(&self, res: &ResourceInfo, ns: Option<&str>) -> (Vec<Value>, u64) {
        let st = lock(&self.state);
        let items = st
            .objects
            .iter()
            .filter(|((r, n, _), _)| *r == res.plural && ns.is_none_or(|ns| n == ns))
            .map(|(_, v)| v.clone())
            .collect();
        (items, st.rv)
    }

    /// Creates an object of `res` in `ns`.
    pub(super) fn create_obj(
        &self,
        res: &ResourceInfo,
        ns: Option<&str>,
        mut obj: Value,
        opts: WriteOptions,
    ) -> Result<Written, Status> {
        let warnings = schema::decode(&mut obj, res.kind, opts.validation)
            .map_err(|e| decode_error(res, e, false))?;
        type_meta(res, &mut obj)?;
        if meta_str(&obj, "resourceVersion").is_some_and(|v| !v.is_empty()) {
            return Err(Status::bad_request(
                "resourceVersion should not be set on objects to be created",
            ));
        }
        if res.namespaced {
            let url_ns = ns.unwrap_or("default");
            match meta_str(&obj, "namespace") {
                Some(n) if n != url_ns => {
                    return Err(Status::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => set_meta(&mut obj, "namespace", json!(url_ns)),
            }
        }
        let ns = meta_str(&obj, "namespace").map(str::to_string);
        let mut st = lock(&self.state);
        if meta_str(&obj, "name").is_none_or(str::is_empty) {
            if let Some(prefix) = meta_str(&obj, "generateName").filter(|p| !p.is_empty()) {
                let name = generate_name(prefix);
                set_meta(&mut obj, "name", json!(name));
            } else {
                set_meta(&mut obj, "name", Value::Null);
            }
        }
        let name = meta_str(&obj, "name").unwrap_or_default().to_string();
        st.check_namespace(res, ns.as_deref(), &name)?;
        let (ips, ports) = st.taken();
        strategy::prepare_create(res, &mut obj, &ips, &ports);
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "selfLink",
            "managedFields",
        ] {
            set_meta(&mut obj, f, Value::Null);
        }
        let errs = validate(res, &obj, None);
        if !errs.is_empty() {
            return Err(Status::invalid(res, &name, &errs));
        }
        let key = State::key(res, ns.as_deref(), &name);
        if st.objects.contains_key(&key) {
            return Err(Status::already_exists(res, &name));
        }
        set_meta(&mut obj, "uid", json!(uuid::Uuid::new_v4().to_string()));
        set_meta(&mut obj, "creationTimestamp", json!(now_rfc3339()));
        if res.generation {
            set_meta(&mut obj, "generation", json!(1));
        }
        if opts.dry_run {
            return Ok(Written {
                object: obj,
                warnings,
            });
        }
        st.rv += 1;
        let rv = st.rv;
        set_meta(&mut obj, "resourceVersion", json!(rv.to_string()));
        st.objects.insert(key, obj.clone());
        let ev = KubeEvent {
            event_type: EventType::Added,
            resource: res.plural,
            object: obj.clone(),
            old_object: None,
            resource_version: rv,
        };
        st.publish(&self.tx, ev);
        Ok(Written {
            object: obj,
            warnings,
        })
    }

    /// Replaces an object with `change(current)` (a PUT body or a patched copy).
    pub(super) fn update_obj(
        &self,
        res: &ResourceInfo,
        ns: Option<&str>,
        name: &str,
        status: bool,
        opts: WriteOptions,
        change: impl FnOnce(Value) -> Result<Value, Status>,
    ) -> Result<Written, Status> {
        let mut st = lock(&self.state);
        let key = State::key(res, ns, name);
        let current = st
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| Status::not_found(res, name))?;
        let mut new = change(current.clone())?;
        let warnings = schema::decode(&mut new, res.kind, opts.validation)
            .map_err(|e| decode_error(res, e, opts.patch))?;
        type_meta(res, &mut new)?;
        match meta_str(&new, "name") {
            Some(n) if n != name => {
                return Err(Status::bad_request(format!(
                    "the name of the object ({n}) does not match the name on the URL ({name})"
                )));
            }
            _ => set_meta(&mut new, "name", json!(name)),
        }
        if res.namespaced {
            match meta_str(&new, "namespace") {
                Some(n) if Some(n) != ns => {
                    return Err(Status::bad_request(
                        "the namespace of the provided object does not match the namespace sent on the request",
                    ));
                }
                _ => set_meta(
                    &mut new,
                    "namespace",
                    current["metadata"]["namespace"].clone(),
                ),
            }
        }
        let cur_rv = meta_str(&current, "resourceVersion")
            .unwrap_or_default()
            .to_string();
        if meta_str(&new, "resourceVersion").is_some_and(|rv| rv != cur_rv) {
            return Err(Status::conflict(res, name));
        }
        let cur_uid = meta_str(&current, "uid").unwrap_or_default().to_string();
        if let Some(uid) = meta_str(&new, "uid").filter(|u| *u != cur_uid) {
            let why = format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {cur_uid}"
            );
            return Err(Status::conflict_because(res, name, &why));
        }
        for f in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
            "resourceVersion",
        ] {
            set_meta(
                &mut new,
                f,
                current["metadata"].get(f).cloned().unwrap_or(Value::Null),
            );
        }
        for f in ["selfLink", "managedFields"] {
            set_meta(&mut new, f, Value::Null);
        }
        let (ips, ports) = st.taken();
        strategy::prepare_update(res, &mut new, &current, status, &ips, &ports);
        if let Some(g) = strategy::next_generation(res, &new, &current) {
            set_meta(&mut new, "generation", json!(g));
        }
        let errs = validate(res, &new, Some(&current));
        if !errs.is_empty() {
            return Err(Status::invalid(res, name, &errs));
        }
        if new == current || opts.dry_run {
            return Ok(Written {
                object: new,
                warnings,
            });
        }
        st.rv += 1;
        let rv = st.rv;
        set_meta(&mut new, "resourceVersion", json!(rv.to_string()));
        let finished = current["metadata"].get("deletionTimestamp").is_some()
            && new["metadata"]["finalizers"]
                .as_array()
                .is_none_or(Vec::is_empty);
        let event_type = if finished {
            st.objects.remove(&key);
            EventType::Deleted
        } else {
            st.objects.insert(key, new.clone());
            EventType::Modified
        };
        let ev = KubeEvent {
            event_type,
            resource: res.plural,
            object: new.clone(),
            old_object: Some(current),
            resource_version: rv,
        };
        st.publish(&self.tx, ev);
        if finished {
            st.reap_namespace(&self.tx, ns.unwrap_or_default());
        }
        Ok(Written {
            object: new,
            warnings,
        })
    }
}

fn generate_name(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{prefix}{suffix}")
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
