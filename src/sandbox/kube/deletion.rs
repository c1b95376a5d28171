//! Deletion as the API server performs it: preconditions, `deletionTimestamp` while
//! finalizers remain (the object goes when an update empties them, see the store's
//! update path), immediate removal otherwise, and namespace termination (phase
//! `Terminating`, contents deleted, the namespace removed once empty).

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::history::{EventType, KubeEvent};
use super::resources::ResourceInfo;
use super::status::Status;
use super::store::{Key, Kube, State, meta_str, resource, set_meta};
use crate::sandbox::core::lock;
use crate::util::time::now_rfc3339;

/// What a DELETE did.
#[derive(Debug, Clone)]
pub enum Deletion {
    /// Finalizers remain: the object now carries `deletionTimestamp`.
    Pending(Value),
    /// The object is gone (its last state).
    Gone(Value),
}

/// DELETE preconditions and options.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    /// `dryRun=All`.
    pub dry_run: bool,
    /// `preconditions.uid`.
    pub uid: Option<String>,
    /// `preconditions.resourceVersion`.
    pub resource_version: Option<String>,
}

impl State {
    /// Removes a terminating namespace once nothing is left in it.
    pub(super) fn reap_namespace(&mut self, tx: &broadcast::Sender<KubeEvent>, ns: &str) {
        let key: Key = ("namespaces", String::new(), ns.to_string());
        let terminating = self
            .objects
            .get(&key)
            .is_some_and(|n| n["status"]["phase"] == "Terminating");
        if !terminating || self.objects.keys().any(|(_, n, _)| n == ns) {
            return;
        }
        if let Some(mut obj) = self.objects.remove(&key) {
            self.rv += 1;
            set_meta(&mut obj, "resourceVersion", json!(self.rv.to_string()));
            let ev = KubeEvent {
                event_type: EventType::Deleted,
                resource: "namespaces",
                object: obj.clone(),
                old_object: Some(obj),
                resource_version: self.rv,
            };
            self.publish(tx, ev);
        }
    }
}

impl Kube {
    /// Deletes an object: returns it with `deletionTimestamp` while finalizers remain,
    /// else its last state.
    pub fn delete(&self, resource: &str, ns: Option<&str>, name: &str) -> Result<Value, Status> {
        match self.delete_obj(
            self::resource(resource)?,
            ns,
            name,
            &DeleteOptions::default(),
        )? {
            Deletion::Pending(v) | Deletion::Gone(v) => Ok(v),
        }
    }

    /// Deletes an object, honouring finalizers and preconditions.
    pub(super) fn delete_obj(
        &self,
        res: &ResourceInfo,
        ns: Option<&str>,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Deletion, Status> {
        let mut st = lock(&self.state);
        let key = State::key(res, ns, name);
        let current = st
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| Status::not_found(res, name))?;
        let cur_uid = meta_str(&current, "uid").unwrap_or_default();
        if let Some(uid) = opts.uid.as_deref().filter(|u| *u != cur_uid) {
            let why = format!(
                "Precondition failed: UID in precondition: {uid}, UID in object meta: {cur_uid}"
            );
            return Err(Status::conflict_because(res, name, &why));
        }
        let cur_rv = meta_str(&current, "resourceVersion").unwrap_or_default();
        if let Some(rv) = opts.resource_version.as_deref().filter(|r| *r != cur_rv) {
            let why = format!(
                "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {cur_rv}"
            );
            return Err(Status::conflict_because(res, name, &why));
        }
        if current["metadata"].get("deletionTimestamp").is_some() {
            return Ok(Deletion::Pending(current));
        }
        let has_finalizers = current["metadata"]["finalizers"]
            .as_array()
            .is_some_and(|f| !f.is_empty());
        let is_namespace = res.plural == "namespaces";
        if has_finalizers || is_namespace {
            let mut new = current.clone();
            set_meta(&mut new, "deletionTimestamp", json!(now_rfc3339()));
            set_meta(&mut new, "deletionGracePeriodSeconds", json!(0));
            if let Some(g) = current["metadata"]["generation"].as_i64() {
                set_meta(&mut new, "generation", json!(g + 1));
            }
            if is_namespace {
                new["status"]["phase"] = json!("Terminating");
            }
            if opts.dry_run {
                return Ok(Deletion::Pending(new));
            }
            st.rv += 1;
            let rv = st.rv;
            set_meta(&mut new, "resourceVersion", json!(rv.to_string()));
            st.objects.insert(key, new.clone());
            let ev = KubeEvent {
                event_type: EventType::Modified,
                resource: res.plural,
                object: new.clone(),
                old_object: Some(current),
                resource_version: rv,
            };
            st.publish(&self.tx, ev);
            if is_namespace {
                drop(st);
                self.empty_namespace(name);
                return Ok(Deletion::Pending(
                    self.get("namespaces", None, name).unwrap_or(new),
                ));
            }
            return Ok(Deletion::Pending(new));
        }
        if opts.dry_run {
            return Ok(Deletion::Gone(current));
        }
        st.rv += 1;
        let rv = st.rv;
        let mut gone = current.clone();
        set_meta(&mut gone, "resourceVersion", json!(rv.to_string()));
        st.objects.remove(&key);
        let ev = KubeEvent {
            event_type: EventType::Deleted,
            resource: res.plural,
            object: gone.clone(),
            old_object: Some(current),
            resource_version: rv,
        };
        st.publish(&self.tx, ev);
        st.reap_namespace(&self.tx, ns.unwrap_or_default());
        Ok(Deletion::Gone(gone))
    }

    /// The namespace controller: deletes everything in a terminating namespace.
    fn empty_namespace(&self, ns: &str) {
        let keys: Vec<Key> = lock(&self.state)
            .objects
            .keys()
            .filter(|(_, n, _)| n == ns)
            .cloned()
            .collect();
        for (plural, _, name) in keys {
            if let Ok(res) = resource(plural) {
                // Objects with finalizers stay until their controllers let go.
                let _ = self.delete_obj(res, Some(ns), &name, &DeleteOptions::default());
            }
        }
        let mut st = lock(&self.state);
        st.reap_namespace(&self.tx, ns);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::history::EventType;
    use crate::sandbox::kube::resources::by_plural;

    fn ingress(name: &str, finalizers: Value) -> Value {
        json!({"metadata": {"name": name, "finalizers": finalizers},
            "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}})
    }

    #[test]
    fn finalizers_hold_the_object_until_removed() {
        let kube = Kube::new();
        let mut events = kube.subscribe();
        kube.create(
            "ingresses",
            Some("default"),
            ingress("web", json!(["networking.gke.io/ingress-finalizer-V2"])),
        )
        .unwrap();
        let pending = kube.delete("ingresses", Some("default"), "web").unwrap();
        assert!(pending["metadata"]["deletionTimestamp"].is_string());
        assert_eq!(pending["metadata"]["deletionGracePeriodSeconds"], 0);
        assert_eq!(pending["metadata"]["generation"], 2);
        let again = kube.delete("ingresses", Some("default"), "web").unwrap();
        assert_eq!(again, pending, "a second delete changes nothing");
        let gone = kube
            .patch_merge(
                "ingresses",
                Some("default"),
                "web",
                &json!({"metadata": {"finalizers": null}}),
                true,
            )
            .unwrap();
        assert!(kube.get("ingresses", Some("default"), "web").is_none());
        let types: Vec<EventType> = std::iter::from_fn(|| events.try_recv().ok())
            .map(|e| e.event_type)
            .collect();
        assert_eq!(
            types,
            [EventType::Added, EventType::Modified, EventType::Deleted]
        );
        assert_eq!(
            gone["metadata"]["resourceVersion"],
            kube.resource_version().to_string()
        );
    }

    #[test]
    fn preconditions_and_dry_run() {
        let kube = Kube::new();
        let res = by_plural("secrets").unwrap();
        let s = kube
            .create(
                "secrets",
                Some("default"),
                json!({"metadata": {"name": "s"}}),
            )
            .unwrap();
        let wrong = DeleteOptions {
            uid: Some("nope".into()),
            ..DeleteOptions::default()
        };
        let err = kube
            .delete_obj(res, Some("default"), "s", &wrong)
            .unwrap_err();
        assert_eq!(err.code, 409);
        assert!(
            err.message
                .contains("Precondition failed: UID in precondition: nope"),
            "{}",
            err.message
        );
        let dry = DeleteOptions {
            dry_run: true,
            ..DeleteOptions::default()
        };
        assert!(matches!(
            kube.delete_obj(res, Some("default"), "s", &dry),
            Ok(Deletion::Gone(_))
        ));
        assert!(kube.get("secrets", Some("default"), "s").is_some());
        let right = DeleteOptions {
            uid: s["metadata"]["uid"].as_str().map(String::from),
            ..DeleteOptions::default()
        };
        assert!(matches!(
            kube.delete_obj(res, Some("default"), "s", &right),
            Ok(Deletion::Gone(_))
        ));
        assert_eq!(
            kube.delete("secrets", Some("default"), "s")
                .unwrap_err()
                .code,
            404
        );
    }

    #[test]
    fn namespaces_terminate_after_their_contents() {
        let kube = Kube::new();
        kube.create("namespaces", None, json!({"metadata": {"name": "prod"}}))
            .unwrap();
        kube.create("secrets", Some("prod"), json!({"metadata": {"name": "s"}}))
            .unwrap();
        kube.create(
            "ingresses",
            Some("prod"),
            ingress("web", json!(["example.com/hold"])),
        )
        .unwrap();
        let ns = kube.delete("namespaces", None, "prod").unwrap();
        assert_eq!(ns["status"]["phase"], "Terminating");
        assert!(kube.get("secrets", Some("prod"), "s").is_none());
        let err = kube
            .create("secrets", Some("prod"), json!({"metadata": {"name": "t"}}))
            .unwrap_err();
        assert_eq!(err.code, 403);
        assert!(err.message.ends_with(
            "unable to create new content in namespace prod because it is being terminated"
        ));
        kube.patch_merge(
            "ingresses",
            Some("prod"),
            "web",
            &json!({"metadata": {"finalizers": []}}),
            false,
        )
        .unwrap();
        assert!(
            kube.get("namespaces", None, "prod").is_none(),
            "removed once empty"
        );
    }
}
