//! What other sandbox parts write or read besides plain objects: core/v1 Events in the
//! shape client-go's event recorder produces (repeats fold into one Event whose `count`
//! grows, so `kubectl describe` shows `(x3 over 2m)`), and the redacted snapshot of
//! every object for the sandbox inventory.
//!
//! The snapshot never contains Secret values: `data` is reduced to key names and byte
//! sizes, and kubectl's `last-applied-configuration` annotation (which would repeat the
//! data) is redacted.

use base64::Engine;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use super::resources::RESOURCES;
use super::status::Status;
use super::store::Kube;
use crate::util::time::now_rfc3339;

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

impl Kube {
    /// Records a controller event about `involved_object` (`type_` is `Normal` or
    /// `Warning`), folding a repeat of the same event into a higher `count`. Like
    /// client-go's recorder, a failure is logged and otherwise ignored.
    pub fn record_event(
        &self,
        ns: &str,
        involved_object: &Value,
        type_: &str,
        reason: &str,
        message: &str,
        source_component: &str,
    ) {
        let recorded = self.write_event(
            ns,
            involved_object,
            type_,
            reason,
            message,
            source_component,
        );
        if let Err(e) = recorded {
            tracing::warn!("sandbox: could not record event {reason:?} in {ns}: {e}");
        }
    }

    /// [`Kube::record_event`], returning the Event written.
    pub fn write_event(
        &self,
        ns: &str,
        involved_object: &Value,
        type_: &str,
        reason: &str,
        message: &str,
        source_component: &str,
    ) -> Result<Value, Status> {
        let meta = &involved_object["metadata"];
        let mut involved = json!({
            "kind": involved_object["kind"],
            "namespace": meta["namespace"].as_str().unwrap_or(ns),
            "name": meta["name"],
            "uid": meta["uid"],
            "apiVersion": involved_object["apiVersion"],
            "resourceVersion": meta["resourceVersion"],
        });
        if let Some(m) = involved.as_object_mut() {
            m.retain(|_, v| !v.is_null());
        }
        let same = |e: &Value| {
            let io = &e["involvedObject"];
            ["kind", "namespace", "name", "uid", "apiVersion"]
                .iter()
                .all(|k| io[k] == involved[k])
                && e["type"] == type_
                && e["reason"] == reason
                && e["message"] == message
                && e["source"]["component"] == source_component
        };
        let now = now_rfc3339();
        // client-go names an Event `<object>.<hex>`; deriving the hex from what makes two
        // events "the same" finds the one to fold into without scanning the namespace
        // (a controller records one per Ingress on every resync).
        let key = format!(
            "{}|{}|{}|{type_}|{reason}|{message}|{source_component}",
            involved["kind"], involved["namespace"], involved["uid"]
        );
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
        let hex: String = digest.as_ref()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let name = format!("{}.{hex}", meta["name"].as_str().unwrap_or("unknown"));
        if let Some(existing) = self.get("events", Some(ns), &name).filter(same) {
            let count = existing["count"].as_i64().unwrap_or(1) + 1;
            return self.patch_merge(
                "events",
                Some(ns),
                &name,
                &json!({"count": count, "lastTimestamp": now}),
                false,
            );
        }
        self.create(
            "events",
            Some(ns),
            json!({
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": {"component": source_component},
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
                "type": type_,
                "reportingComponent": source_component,
                "reportingInstance": "",
            }),
        )
    }

    /// Every object, grouped by plural resource name, for the sandbox inventory.
    /// Secret values are never included.
    pub fn snapshot(&self) -> Value {
        let mut out = BTreeMap::new();
        for res in RESOURCES {
            let mut items = self.list(res.plural, None);
            if res.plural == "secrets" {
                items.iter_mut().for_each(redact_secret);
            }
            out.insert(res.plural.to_string(), Value::Array(items));
        }
        json!({
            "resourceVersion": self.resource_version().to_string(),
            "kubeSystemUid": self.kube_system_uid(),
            "objects": out,
        })
    }
}

/// Replaces a Secret's values with their sizes.
pub fn redact_secret(secret: &mut Value) {
    let engine = base64::engine::general_purpose::STANDARD;
    if let Some(data) = secret.get_mut("data").and_then(Value::as_object_mut) {
        for v in data.values_mut() {
            let bytes = v
                .as_str()
                .and_then(|s| engine.decode(s).ok())
                .map_or(0, |b| b.len());
            *v = json!({"bytes": bytes});
        }
    }
    if let Some(a) = secret["metadata"]
        .get_mut("annotations")
        .and_then(Value::as_object_mut)
        && a.contains_key(LAST_APPLIED)
    {
        a.insert(LAST_APPLIED.into(), json!("<redacted>"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_fold_repeats() {
        let kube = Kube::new();
        let ing = kube
            .create(
                "ingresses",
                Some("default"),
                json!({"metadata": {"name": "web"}, "spec": {"defaultBackend": {"service": {"name": "s", "port": {"number": 80}}}}}),
            )
            .unwrap();
        let a = kube
            .write_event(
                "default",
                &ing,
                "Normal",
                "Sync",
                "Scheduled for sync",
                "loadbalancer-controller",
            )
            .unwrap();
        let b = kube
            .write_event(
                "default",
                &ing,
                "Normal",
                "Sync",
                "Scheduled for sync",
                "loadbalancer-controller",
            )
            .unwrap();
        assert_eq!(a["metadata"]["name"], b["metadata"]["name"]);
        assert_eq!(b["count"], 2);
        assert_eq!(b["involvedObject"]["kind"], "Ingress");
        assert_eq!(b["involvedObject"]["apiVersion"], "networking.k8s.io/v1");
        kube.record_event(
            "default",
            &ing,
            "Warning",
            "Sync",
            "Error syncing",
            "loadbalancer-controller",
        );
        assert_eq!(kube.list("events", Some("default")).len(), 2);
    }

    #[test]
    fn snapshot_hides_secret_values() {
        let kube = Kube::new();
        kube.create(
            "secrets",
            Some("default"),
            json!({"metadata": {"name": "s", "annotations": {LAST_APPLIED: "{\"data\":{\"k\":\"c2VjcmV0\"}}"}},
                "stringData": {"k": "secret"}}),
        )
        .unwrap();
        let snap = kube.snapshot();
        let text = snap.to_string();
        assert!(
            !text.contains("c2VjcmV0") && !text.contains("secret\""),
            "{text}"
        );
        let s = &snap["objects"]["secrets"][0];
        assert_eq!(s["data"]["k"], json!({"bytes": 6}));
        assert_eq!(snap["objects"]["namespaces"].as_array().unwrap().len(), 4);
        assert_eq!(snap["kubeSystemUid"], kube.kube_system_uid());
    }
}
