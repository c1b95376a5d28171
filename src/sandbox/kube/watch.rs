//! `?watch=true`: a chunked stream of `{"type","object"}` lines, as the API server sends.
//!
//! A watch starts from the current state (synthetic `ADDED`s) when no
//! `resourceVersion` (or `0`) is given, else replays the store's history after it; a
//! version older than the history gets one `ERROR` event carrying a `410 Expired`
//! `Status` (HTTP 200, as the real server does). Selectors apply per event with the
//! server's transitions (an object leaving the selector is `DELETED`, entering it is
//! `ADDED`). `allowWatchBookmarks` adds periodic `BOOKMARK`s, `sendInitialEvents` ends
//! the initial burst with the `k8s.io/initial-events-end` bookmark, `timeoutSeconds` ends
//! the stream. A client too slow to keep up is disconnected and resumes from its last
//! version, like a real watch that fell behind.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::resources::ResourceInfo;
use super::select::{FieldSelector, LabelSelector};
use super::status::Status;
use super::store::{EventType, KubeEvent};
use super::table::{Format, partial, table};
use crate::sandbox::World;

/// What a watch sends and filters.
struct Filter {
    res: &'static ResourceInfo,
    ns: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
    format: Format,
}

impl Filter {
    fn matches(&self, obj: &Value) -> bool {
        let ns_ok = self
            .ns
            .as_deref()
            .is_none_or(|ns| obj["metadata"]["namespace"] == ns);
        ns_ok && self.labels.matches(obj) && self.fields.matches(obj)
    }

    fn render(&self, obj: &Value) -> Value {
        match self.format {
            Format::Full => obj.clone(),
            Format::Metadata => partial(obj),
            Format::Table => table(self.res, std::slice::from_ref(obj), None, false),
        }
    }

    /// The line to send for one change, if any (after selector transitions).
    fn line(&self, ev: &KubeEvent) -> Option<Bytes> {
        if ev.resource != self.res.plural {
            return None;
        }
        let now = self.matches(&ev.object);
        let before = ev.old_object.as_ref().is_some_and(|o| self.matches(o));
        let ty = match ev.event_type {
            EventType::Added if now => "ADDED",
            EventType::Deleted if before || now => "DELETED",
            EventType::Modified if now && before => "MODIFIED",
            EventType::Modified if now => "ADDED",
            EventType::Modified if before => "DELETED",
            _ => return None,
        };
        Some(event_line(ty, &self.render(&ev.object)))
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string(), "creationTimestamp": null});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let obj =
            json!({"kind": self.res.kind, "apiVersion": self.res.api_version(), "metadata": meta});
        event_line("BOOKMARK", &obj)
    }
}

fn event_line(ty: &str, obj: &Value) -> Bytes {
    let mut s = json!({"type": ty, "object": obj}).to_string();
    s.push('\n');
    Bytes::from(s)
}

fn flag(q: &HashMap<String, String>, k: &str) -> bool {
    matches!(q.get(k).map(String::as_str), Some("true" | "1"))
}

/// Serves one watch request.
pub(super) fn watch(
    world: Arc<World>,
    res: &'static ResourceInfo,
    ns: Option<String>,
    q: &HashMap<String, String>,
    format: Format,
) -> Result<Response, Status> {
    let filter = Filter {
        res,
        ns,
        labels: LabelSelector::parse(q.get("labelSelector").map_or("", String::as_str))?,
        fields: FieldSelector::parse(q.get("fieldSelector").map_or("", String::as_str), res)?,
        format,
    };
    let initial = flag(q, "sendInitialEvents");
    let bookmarks = flag(q, "allowWatchBookmarks") && format != Format::Table;
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let from = match q.get("resourceVersion").map(String::as_str) {
        None | Some("") | Some("0") => None,
        _ if initial => None,
        Some(rv) => Some(
            rv.parse::<u64>()
                .map_err(|_| Status::bad_request(format!("invalid resource version: {rv}")))?,
        ),
    };
    let bookmark_every = world
        .core
        .timing
        .scaled(Duration::from_secs(60))
        .max(Duration::from_millis(200));
    let (tx, rx) = mpsc::channel::<Bytes>(256);
    match world.kube.watch_start(res, from) {
        Err(status) => {
            let line = event_line("ERROR", &status.body());
            tokio::spawn(async move {
                let _ = tx.send(line).await;
            });
        }
        Ok((backlog, sub, start_rv)) => {
            tokio::spawn(pump(
                filter,
                backlog,
                sub,
                start_rv,
                tx,
                initial,
                bookmarks,
                timeout,
                bookmark_every,
            ));
        }
    }
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<_, Infallible>(b), rx))
    });
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-cache, private"),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

#[allow(clippy::too_many_arguments)]
async fn pump(
    filter: Filter,
    backlog: Vec<KubeEvent>,
    mut sub: broadcast::Receiver<KubeEvent>,
    start_rv: u64,
    tx: mpsc::Sender<Bytes>,
    initial: bool,
    bookmarks: bool,
    timeout: Duration,
    bookmark_every: Duration,
) {
    let mut last_rv = start_rv;
    for ev in &backlog {
        if let Some(line) = filter.line(ev)
            && tx.send(line).await.is_err()
        {
            return;
        }
    }
    if initial && bookmarks && tx.send(filter.bookmark(last_rv, true)).await.is_err() {
        return;
    }
    let deadline = tokio::time::sleep(timeout);
    tokio::pin!(deadline);
    let mut ticker = tokio::time::interval(bookmark_every);
    ticker.tick().await;
    loop {
        let line = tokio::select! {
            ev = sub.recv() => match ev {
                Ok(ev) => {
                    last_rv = last_rv.max(ev.resource_version);
                    filter.line(&ev)
                }
                Err(broadcast::error::RecvError::Lagged(_) | broadcast::error::RecvError::Closed) => return,
            },
            _ = &mut deadline => return,
            _ = ticker.tick() => bookmarks.then(|| filter.bookmark(last_rv, false)),
            _ = tx.closed() => return,
        };
        if let Some(line) = line
            && tx.send(line).await.is_err()
        {
            return;
        }
    }
}
