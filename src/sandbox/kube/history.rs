//! The change history and its broadcast: every write publishes one [`KubeEvent`] with
//! the `resourceVersion` it produced, kept in a bounded log for watches that resume from
//! a version, and sent to live subscribers (watch streams and the simulated
//! controller).
//!
//! A watch that starts under the store's lock gets the backlog and a receiver at the
//! same instant, so it sees every later change exactly once; a version older than the
//! log (after [`Kube::compact`] or once it overflows) answers `410 Expired`.

use serde_json::Value;
use tokio::sync::broadcast;

use super::resources::ResourceInfo;
use super::status::Status;
use super::store::{Kube, State, meta_str};
use crate::sandbox::core::lock;

/// How many changes are kept for watches to resume from.
const HISTORY: usize = 4096;

/// The type of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// An object was created.
    Added,
    /// An object was changed.
    Modified,
    /// An object was removed.
    Deleted,
}

impl EventType {
    /// `ADDED`, `MODIFIED` or `DELETED`, as in a watch stream.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change to one object.
#[derive(Debug, Clone)]
pub struct KubeEvent {
    /// What happened.
    pub event_type: EventType,
    /// The plural resource name (`ingresses`).
    pub resource: &'static str,
    /// The object after the change (for `Deleted`, its last state).
    pub object: Value,
    /// The object before the change (`Modified` and `Deleted`).
    pub old_object: Option<Value>,
    /// The `resourceVersion` this change produced.
    pub resource_version: u64,
}

impl KubeEvent {
    /// The namespace of the changed object (`None` for cluster-scoped ones).
    pub fn namespace(&self) -> Option<&str> {
        self.object["metadata"]["namespace"].as_str()
    }
}

impl State {
    pub(super) fn publish(&mut self, tx: &broadcast::Sender<KubeEvent>, ev: KubeEvent) {
        self.history.push_back(ev.clone());
        while self.history.len() > HISTORY {
            if let Some(old) = self.history.pop_front() {
                self.compacted = old.resource_version;
            }
        }
        // No receivers is fine: nobody is watching.
        let _ = tx.send(ev);
    }
}

impl Kube {
    /// Every later change, as it happens. A receiver more than 1024 changes behind
    /// gets `RecvError::Lagged` and should re-read the objects it cares about.
    pub fn subscribe(&self) -> broadcast::Receiver<KubeEvent> {
        self.tx.subscribe()
    }

    /// The current global `resourceVersion`.
    pub fn resource_version(&self) -> u64 {
        lock(&self.state).rv
    }

    /// Forgets the change history (like an etcd compaction): watches resuming from an
    /// earlier `resourceVersion` get `410 Expired`.
    pub fn compact(&self) {
        let mut st = lock(&self.state);
        st.compacted = st.rv;
        st.history.clear();
    }

    /// Starts a watch on `res`: the backlog to send first (synthetic `ADDED`s when
    /// `from` is `None`, else the history after `from`), a receiver for what follows,
    /// and the current `resourceVersion`.
    pub(super) fn watch_start(
        &self,
        res: &ResourceInfo,
        from: Option<u64>,
    ) -> Result<(Vec<KubeEvent>, broadcast::Receiver<KubeEvent>, u64), Status> {
        let st = lock(&self.state);
        let backlog = match from {
            None => st
                .objects
                .iter()
                .filter(|((r, _, _), _)| *r == res.plural)
                .map(|(_, obj)| KubeEvent {
                    event_type: EventType::Added,
                    resource: res.plural,
                    object: obj.clone(),
                    old_object: None,
                    resource_version: meta_str(obj, "resourceVersion")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                })
                .collect(),
            Some(rv) if rv < st.compacted => return Err(Status::expired(rv, st.compacted + 1)),
            Some(rv) => st
                .history
                .iter()
                .filter(|e| e.resource == res.plural && e.resource_version > rv)
                .cloned()
                .collect(),
        };
        Ok((backlog, self.tx.subscribe(), st.rv))
    }

    /// Whether a list/watch `resourceVersion` is older than the kept history.
    pub(super) fn too_old(&self, rv: u64) -> Option<Status> {
        let st = lock(&self.state);
        (rv < st.compacted).then(|| Status::expired(rv, st.compacted + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::by_plural;
    use serde_json::json;

    #[test]
    fn watches_replay_history_and_expire_after_compaction() {
        let kube = Kube::new();
        let res = by_plural("secrets").unwrap();
        let start = kube.resource_version();
        kube.create(
            "secrets",
            Some("default"),
            json!({"metadata": {"name": "a"}}),
        )
        .unwrap();
        kube.patch_merge(
            "secrets",
            Some("default"),
            "a",
            &json!({"metadata": {"labels": {"k": "v"}}}),
            false,
        )
        .unwrap();
        let rv = kube.resource_version();
        kube.patch_merge(
            "secrets",
            Some("default"),
            "a",
            &json!({"metadata": {"labels": {"k": "v"}}}),
            false,
        )
        .unwrap();
        assert_eq!(kube.resource_version(), rv, "a no-op write bumps nothing");
        let (backlog, _rx, now) = kube.watch_start(res, Some(start)).unwrap();
        assert_eq!(now, rv);
        let types: Vec<EventType> = backlog.iter().map(|e| e.event_type).collect();
        assert_eq!(types, [EventType::Added, EventType::Modified]);
        let (initial, _, _) = kube.watch_start(res, None).unwrap();
        assert_eq!(
            initial.len(),
            1,
            "a fresh watch starts with the current objects"
        );
        kube.compact();
        let err = kube.watch_start(res, Some(start)).unwrap_err();
        assert_eq!((err.code, err.reason.as_str()), (410, "Expired"));
        assert!(
            kube.watch_start(res, Some(rv)).is_ok(),
            "the current version stays valid"
        );
    }
}
