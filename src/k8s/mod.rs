//! Kubernetes through kube-rs: the Ingress and Secret calls rotate-cert makes.
//!
//! Connection comes from the kubeconfig (`KUBECONFIG`, contexts, exec auth plugins —
//! everything kube-rs supports). Errors are typed ([`K8sError`]) and say whether a retry
//! can help; kube-rs itself already retries 429/503/504. Waiting on an Ingress is a watch
//! on that one object (resumed from the last resourceVersion, re-read on 410), never a
//! sleep loop. This module knows nothing about steps or rotations.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, DeleteParams, ListParams, PostParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::time::Instant;

/// A Kubernetes API error in rotate-cert's terms.
#[derive(Debug, thiserror::Error)]
pub enum K8sError {
    /// The object does not exist.
    #[error("{0}")]
    NotFound(String),
    /// An object with that name exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// Optimistic-concurrency conflict (stale resourceVersion).
    #[error("{0}")]
    Conflict(String),
    /// The server rejected the object (422).
    #[error("{0}")]
    Invalid(String),
    /// RBAC said no (403). The API server's message names the object and the verb
    /// (`ingresses.networking.k8s.io "web" is forbidden: User "…" cannot create …`).
    #[error("the Kubernetes API refused permission: {0}")]
    Forbidden(String),
    /// The credentials were refused (401).
    #[error("unauthorized: the Kubernetes API refused the credentials ({0})")]
    Unauthorized(String),
    /// The server is overloaded or failing (429/5xx).
    #[error("the Kubernetes API is unavailable: {0}")]
    Unavailable(String),
    /// No connection.
    #[error("cannot reach the Kubernetes API: {0}")]
    Transport(String),
    /// The kubeconfig could not be used.
    #[error("kubeconfig: {0}")]
    Config(String),
    /// A wait ran past its deadline.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
}

impl K8sError {
    /// Whether trying again later can help.
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            K8sError::Unavailable(_) | K8sError::Transport(_) | K8sError::Conflict(_)
        )
    }
}

impl From<kube::Error> for K8sError {
    fn from(e: kube::Error) -> Self {
        match e {
            kube::Error::Api(s) => {
                let msg = if s.message.is_empty() {
                    s.reason.clone()
                } else {
                    s.message.clone()
                };
                match s.code {
                    404 => K8sError::NotFound(msg),
                    409 if s.reason == "AlreadyExists" => K8sError::AlreadyExists(msg),
                    409 => K8sError::Conflict(msg),
                    422 | 400 => K8sError::Invalid(msg),
                    401 => K8sError::Unauthorized(msg),
                    403 => K8sError::Forbidden(msg),
                    410 => K8sError::Conflict(msg),
                    _ => K8sError::Unavailable(format!("{} {}: {msg}", s.code, s.reason)),
                }
            }
            kube::Error::Auth(e) => K8sError::Unauthorized(e.to_string()),
            other => K8sError::Transport(other.to_string()),
        }
    }
}

/// A connected Kubernetes client.
#[derive(Clone)]
pub struct K8s {
    client: kube::Client,
    /// The context in use.
    pub context: String,
    /// The API server URL.
    pub server: String,
}

impl std::fmt::Debug for K8s {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("K8s")
            .field("context", &self.context)
            .field("server", &self.server)
            .finish()
    }
}

/// What deleting an object did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deleted {
    /// The object is gone (or was already).
    Gone,
    /// The object is terminating; finalizers remain.
    Terminating,
}

impl K8s {
    /// Connects with the kubeconfig (from `KUBECONFIG` or `~/.kube/config`), using
    /// `context` or the current context.
    pub async fn connect(context: Option<&str>) -> Result<K8s, K8sError> {
        let kubeconfig = Kubeconfig::read().map_err(|e| K8sError::Config(e.to_string()))?;
        let current = context
            .map(str::to_string)
            .or_else(|| kubeconfig.current_context.clone())
            .unwrap_or_default();
        if let Some(c) = context
            && !kubeconfig.contexts.iter().any(|n| n.name == c)
        {
            let known: Vec<&str> = kubeconfig
                .contexts
                .iter()
                .map(|n| n.name.as_str())
                .collect();
            return Err(K8sError::Config(format!(
                "no context `{c}` in the kubeconfig (contexts: {})",
                known.join(", ")
            )));
        }
        let options = KubeConfigOptions {
            context: context.map(str::to_string),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| K8sError::Config(e.to_string()))?;
        let server = config.cluster_url.to_string();
        let client = kube::Client::try_from(config).map_err(|e| K8sError::Config(e.to_string()))?;
        Ok(K8s {
            client,
            context: current,
            server,
        })
    }

    fn ingresses(&self, ns: &str) -> Api<Ingress> {
        Api::namespaced(self.client.clone(), ns)
    }

    fn secrets(&self, ns: &str) -> Api<Secret> {
        Api::namespaced(self.client.clone(), ns)
    }

    /// An Ingress, if it exists.
    pub async fn ingress(&self, ns: &str, name: &str) -> Result<Option<Ingress>, K8sError> {
        Ok(self.ingresses(ns).get_opt(name).await?)
    }

    /// Ingresses in a namespace.
    pub async fn list_ingresses(&self, ns: &str) -> Result<Vec<Ingress>, K8sError> {
        Ok(self.ingresses(ns).list(&ListParams::default()).await?.items)
    }

    /// Creates an Ingress.
    pub async fn create_ingress(&self, ns: &str, ing: &Ingress) -> Result<Ingress, K8sError> {
        Ok(self
            .ingresses(ns)
            .create(&PostParams::default(), ing)
            .await?)
    }

    /// Deletes an Ingress (a missing one counts as gone).
    ///
    /// With `uid`, the server deletes the object only if it is still that very object (a
    /// precondition), never one recreated under the same name.
    pub async fn delete_ingress(
        &self,
        ns: &str,
        name: &str,
        uid: Option<&str>,
    ) -> Result<Deleted, K8sError> {
        let mut params = DeleteParams::default();
        if let Some(uid) = uid {
            params.preconditions = Some(kube::api::Preconditions {
                uid: Some(uid.to_string()),
                resource_version: None,
            });
        }
        match self.ingresses(ns).delete(name, &params).await {
            Ok(either) => Ok(if either.is_left() {
                Deleted::Terminating
            } else {
                Deleted::Gone
            }),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(Deleted::Gone),
            Err(e) => Err(e.into()),
        }
    }

    /// A Secret, if it exists.
    pub async fn secret(&self, ns: &str, name: &str) -> Result<Option<Secret>, K8sError> {
        Ok(self.secrets(ns).get_opt(name).await?)
    }

    /// Creates a Secret.
    pub async fn create_secret(&self, ns: &str, secret: &Secret) -> Result<Secret, K8sError> {
        Ok(self
            .secrets(ns)
            .create(&PostParams::default(), secret)
            .await?)
    }

    /// Deletes a Secret (a missing one counts as gone).
    pub async fn delete_secret(&self, ns: &str, name: &str) -> Result<(), K8sError> {
        match self
            .secrets(ns)
            .delete(name, &DeleteParams::default())
            .await
        {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Watches one Ingress until `done` returns `Some` for its current state (`None` =
    /// the Ingress does not exist), or `deadline`.
    ///
    /// `done` is evaluated on the current state first, then on every change; the watch is
    /// resumed from the last resourceVersion when the server ends it, and restarted from a
    /// fresh read on `410 Gone`. A server that keeps ending watches at once (or answering
    /// `410`) is met with a growing pause (100 ms doubling to 5 s), not a tight loop.
    pub async fn wait_ingress<T>(
        &self,
        ns: &str,
        name: &str,
        deadline: Instant,
        mut done: impl FnMut(Option<&Ingress>) -> Option<T>,
    ) -> Result<T, K8sError> {
        let api = self.ingresses(ns);
        let started = Instant::now();
        let timeout = |now: Instant| K8sError::Timeout(now.saturating_duration_since(started));
        let mut quick_ends = Backoff::default();
        'relist: loop {
            let current = api.get_opt(name).await?;
            if let Some(t) = done(current.as_ref()) {
                return Ok(t);
            }
            let mut rv = match &current {
                Some(i) => i
                    .metadata
                    .resource_version
                    .clone()
                    .unwrap_or_else(|| "0".into()),
                None => {
                    let list = api
                        .list(&ListParams::default().fields(&format!("metadata.name={name}")))
                        .await?;
                    list.metadata.resource_version.unwrap_or_else(|| "0".into())
                }
            };
            loop {
                let remaining = deadline.saturating_duration_since(Instant::now());
                if remaining.is_zero() {
                    return Err(timeout(Instant::now()));
                }
                let secs = remaining.as_secs().clamp(1, 290) as u32;
                let wp = WatchParams::default()
                    .fields(&format!("metadata.name={name}"))
                    .timeout(secs);
                let stream = match tokio::time::timeout(remaining, api.watch(&wp, &rv)).await {
                    Err(_) => return Err(timeout(Instant::now())),
                    Ok(s) => s?,
                };
                let mut stream = stream.boxed();
                let opened = Instant::now();
                let mut events = 0usize;
                loop {
                    let next = match tokio::time::timeout_at(deadline, stream.try_next()).await {
                        Err(_) => return Err(timeout(Instant::now())),
                        Ok(n) => n,
                    };
                    if matches!(next, Ok(Some(_))) {
                        events += 1;
                    }
                    match next {
                        Ok(Some(WatchEvent::Added(i))) | Ok(Some(WatchEvent::Modified(i))) => {
                            rv = i.metadata.resource_version.clone().unwrap_or(rv);
                            if let Some(t) = done(Some(&i)) {
                                return Ok(t);
                            }
                        }
                        Ok(Some(WatchEvent::Deleted(i))) => {
                            rv = i.metadata.resource_version.clone().unwrap_or(rv);
                            if let Some(t) = done(None) {
                                return Ok(t);
                            }
                        }
                        Ok(Some(WatchEvent::Bookmark(b))) => rv = b.metadata.resource_version,
                        Ok(Some(WatchEvent::Error(s))) if s.code == 410 => {
                            quick_ends.pause_if_quick(opened, 0, deadline).await;
                            continue 'relist;
                        }
                        Ok(Some(WatchEvent::Error(s))) => {
                            return Err(kube::Error::Api(s).into());
                        }
                        Ok(None) => {
                            quick_ends.pause_if_quick(opened, events, deadline).await;
                            break;
                        }
                        Err(e) => {
                            tracing::debug!("ingress watch interrupted: {e}; resuming from {rv}");
                            quick_ends.pause_if_quick(opened, 0, deadline).await;
                            break;
                        }
                    }
                }
            }
        }
    }
}

/// The pause before re-opening a watch that ended at once: 100 ms, doubling to 5 s while
/// watches keep ending within a second with nothing in them; back to nothing after one
/// that lasted or delivered.
#[derive(Debug, Default)]
struct Backoff {
    next: Option<Duration>,
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(5);
    const QUICK: Duration = Duration::from_secs(1);

    /// The pause after a watch that lasted `lasted` and delivered `events` (none when it
    /// was not quick), updating the pause for the next one.
    fn after(&mut self, lasted: Duration, events: usize) -> Option<Duration> {
        if events > 0 || lasted >= Self::QUICK {
            self.next = None;
            return None;
        }
        let pause = self.next.unwrap_or(Self::FIRST);
        self.next = Some((pause * 2).min(Self::MAX));
        Some(pause)
    }

    async fn pause_if_quick(&mut self, opened: Instant, events: usize, deadline: Instant) {
        if let Some(pause) = self.after(opened.elapsed(), events) {
            tokio::time::sleep_until(deadline.min(Instant::now() + pause)).await;
        }
    }
}

#[cfg(test)]
mod backoff_tests {
    use super::*;

    #[test]
    fn watches_that_end_at_once_back_off_and_a_lasting_one_resets() {
        let mut b = Backoff::default();
        let quick = Duration::from_millis(5);
        let ms = |d: Option<Duration>| d.map(|d| d.as_millis());
        assert_eq!(ms(b.after(quick, 0)), Some(100));
        assert_eq!(ms(b.after(quick, 0)), Some(200));
        assert_eq!(ms(b.after(quick, 0)), Some(400));
        for _ in 0..10 {
            b.after(quick, 0);
        }
        assert_eq!(ms(b.after(quick, 0)), Some(5000));
        assert_eq!(b.after(quick, 3), None, "a watch that delivered resets");
        assert_eq!(ms(b.after(quick, 0)), Some(100));
        assert_eq!(
            b.after(Duration::from_secs(30), 0),
            None,
            "a lasting one too"
        );
        assert_eq!(ms(b.after(quick, 0)), Some(100));
    }
}
