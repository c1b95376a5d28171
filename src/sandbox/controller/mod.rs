//! A simulated ingress-gce ("GLBC"): turns every Ingress of class `gce` into a global
//! external HTTPS load balancer, the way the real controller does (see `DEVELOPERS.md`
//! and the reference notes it cites).
//!
//! It watches Ingresses (never Secrets: a changed Secret reaches the load balancer only
//! on the next resync or Ingress edit, as upstream), records `Scheduled for sync` on
//! every add, update and periodic resync, waits the provisioning delay for a new
//! Ingress, then creates through the Compute API — with real operations and their
//! delays — the backend services, URL map, HTTP proxy and rule, the promoted static IP,
//! one SslCertificate per TLS Secret (content-hash names), the HTTPS proxy and rule; it
//! writes its annotations, `status.loadBalancer` and finalizer, and records events. On
//! delete, or when the Ingress leaves class gce, it garbage-collects in the real order,
//! then drops the finalizer.
//!
//! Files: `sync.rs` (one queued sync and shared helpers), `translate.rs` (Ingress → URL
//! map and backends), `ensure.rs` (the sync order and forwarding rules), `https.rs`
//! (certificates and the HTTPS proxy), `gc.rs` (garbage collection), `namer.rs` (v2
//! names).

mod ensure;
mod gc;
mod https;
pub mod namer;
mod sync;
mod translate;

pub use sync::{is_gce, provision_now};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{broadcast, watch};

use super::World;
use super::core::lock;
use super::kube::EventType;

/// The finalizer the v2 naming scheme uses.
pub const FINALIZER: &str = "networking.gke.io/ingress-finalizer-V2";
/// The controller's event source component.
pub const COMPONENT: &str = "loadbalancer-controller";

#[derive(Debug, Default)]
struct KeyState {
    dirty: bool,
}

/// The controller's work queue: one sync per Ingress at a time, re-run when an event
/// arrived meanwhile.
#[derive(Debug)]
pub struct Controller {
    world: Arc<World>,
    running: Mutex<HashMap<String, KeyState>>,
    first_seen: Mutex<HashMap<String, Instant>>,
}

impl Controller {
    /// Queues a sync of `ns/name`.
    fn enqueue(self: &Arc<Self>, key: String) {
        {
            let mut running = lock(&self.running);
            if let Some(state) = running.get_mut(&key) {
                state.dirty = true;
                return;
            }
            running.insert(key.clone(), KeyState::default());
        }
        let this = self.clone();
        tokio::spawn(async move {
            loop {
                let requeue = sync::sync(&this, &key).await;
                if let Some(after) = requeue {
                    this.enqueue_after(key.clone(), after);
                }
                let mut running = lock(&this.running);
                match running.get_mut(&key) {
                    Some(state) if state.dirty => state.dirty = false,
                    _ => {
                        running.remove(&key);
                        return;
                    }
                }
            }
        });
    }

    /// Queues a sync of `key` after `delay`.
    fn enqueue_after(self: &Arc<Self>, key: String, delay: Duration) {
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            this.enqueue(key);
        });
    }

    /// The informer's periodic resync: every Ingress is "updated" unchanged, so each one
    /// of class gce is scheduled (with its event) and synced.
    fn resync_all(self: &Arc<Self>) {
        for ing in self.world.kube.list("ingresses", None) {
            self.on_ingress(&ing, None);
        }
    }

    /// The Ingress informer's add/update handler: an Ingress of class gce gets a
    /// `Scheduled for sync` event and is queued; one that just stopped being of class gce
    /// is queued too, so its load balancer is garbage-collected.
    fn on_ingress(self: &Arc<Self>, ing: &serde_json::Value, old: Option<&serde_json::Value>) {
        let Some(key) = key_of(ing) else { return };
        if is_gce(ing) {
            let ns = ing["metadata"]["namespace"].as_str().unwrap_or("default");
            self.world.kube.record_event(
                ns,
                ing,
                "Normal",
                "Sync",
                "Scheduled for sync",
                COMPONENT,
            );
            self.enqueue(key);
        } else if old.is_some_and(is_gce) || sync::owns(ing) {
            self.enqueue(key);
        }
    }

    /// When the controller first saw `key` (for the provisioning delay).
    fn first_seen(&self, key: &str) -> Instant {
        *lock(&self.first_seen)
            .entry(key.to_string())
            .or_insert_with(Instant::now)
    }

    fn forget(&self, key: &str) {
        lock(&self.first_seen).remove(key);
    }
}

/// `namespace/name` of an object.
pub fn key_of(obj: &serde_json::Value) -> Option<String> {
    let m = &obj["metadata"];
    Some(format!(
        "{}/{}",
        m["namespace"].as_str()?,
        m["name"].as_str()?
    ))
}

/// Runs the controller until `shutdown`.
pub async fn run(world: Arc<World>, mut shutdown: watch::Receiver<bool>) {
    let mut events = world.kube.subscribe();
    let controller = Arc::new(Controller {
        world: world.clone(),
        running: Mutex::new(HashMap::new()),
        first_seen: Mutex::new(HashMap::new()),
    });
    controller.resync_all();
    let resync = world.core.timing.resync.max(Duration::from_millis(50));
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + resync, resync);
    loop {
        tokio::select! {
            ev = events.recv() => match ev {
                Ok(ev) if ev.resource == "ingresses" => match ev.event_type {
                    EventType::Deleted => {
                        if let Some(key) = key_of(&ev.object) {
                            controller.enqueue(key);
                        }
                    }
                    _ => controller.on_ingress(&ev.object, ev.old_object.as_ref()),
                },
                Ok(_) => {}
                Err(broadcast::error::RecvError::Lagged(_)) => controller.resync_all(),
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = ticker.tick() => controller.resync_all(),
            _ = shutdown.changed() => return,
        }
    }
}
