//! kube-rs with k8s-openapi types: create, list, patch, replace and delete, and a watch
//! that sees changes and resumes.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use serde_json::json;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_creates_lists_patches_replaces_and_deletes() {
    let env = Env::start().await;
    let client = env.client().await;
    let ingresses: Api<Ingress> = Api::namespaced(client.clone(), "default");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");

    let secret: Secret =
        serde_json::from_value(json!({"metadata": {"name": "s1", "labels": {"app": "web"}},
        "type": "kubernetes.io/tls", "stringData": {"tls.crt": "CRT", "tls.key": "KEY"}}))
        .expect("secret");
    let created = secrets
        .create(&PostParams::default(), &secret)
        .await
        .expect("create secret");
    assert!(
        created.string_data.is_none(),
        "stringData is never returned"
    );
    assert_eq!(created.data.expect("data")["tls.crt"].0, b"CRT");
    let no_key: Secret = serde_json::from_value(json!({"metadata": {"name": "s2"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "Q1JU"}})).expect("secret");
    let (code, reason, message) = api_status(
        secrets
            .create(&PostParams::default(), &no_key)
            .await
            .expect_err("invalid"),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));
    assert_eq!(
        message,
        "Secret \"s2\" is invalid: data[tls.key]: Required value"
    );

    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("blue", json!({"color": "blue", "app": "web"})),
        )
        .await
        .expect("blue");
    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("green", json!({"color": "green", "app": "web"})),
        )
        .await
        .expect("green");
    let (code, reason, _) = api_status(
        ingresses
            .create(&PostParams::default(), &typed_ingress("blue", json!({})))
            .await
            .expect_err("dup"),
    );
    assert_eq!((code, reason.as_str()), (409, "AlreadyExists"));
    let names = |l: kube::core::ObjectList<Ingress>| {
        l.items
            .into_iter()
            .map(|i| i.metadata.name.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color=green"))
                .await
                .expect("list")
        ),
        ["green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color in (blue,green),app"))
                .await
                .expect("list")
        ),
        ["blue", "green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().labels("color!=blue"))
                .await
                .expect("list")
        ),
        ["green"]
    );
    assert_eq!(
        names(
            ingresses
                .list(&ListParams::default().fields("metadata.name=blue"))
                .await
                .expect("list")
        ),
        ["blue"]
    );

    let patched = ingresses
        .patch(
            "blue",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"annotations": {"rotate-cert/phase": "drain"}}})),
        )
        .await
        .expect("merge patch");
    assert_eq!(
        patched.metadata.annotations.expect("annotations")["rotate-cert/phase"],
        "drain"
    );
    // kube's `Patch::Json` needs its `jsonpatch` feature; send the same request raw.
    let req =
        axum::http::Request::patch("/apis/networking.k8s.io/v1/namespaces/default/ingresses/blue")
            .header("content-type", "application/json-patch+json")
            .body(
                serde_json::to_vec(
                    &json!([{"op": "add", "path": "/metadata/labels/extra", "value": "1"}]),
                )
                .expect("body"),
            )
            .expect("request");
    let patched: Ingress = client.request(req).await.expect("json patch");
    assert_eq!(patched.metadata.labels.expect("labels")["extra"], "1");
    let req =
        axum::http::Request::patch("/apis/networking.k8s.io/v1/namespaces/default/ingresses/blue")
            .header("content-type", "application/json-patch+json")
            .body(
                serde_json::to_vec(
                    &json!([{"op": "test", "path": "/metadata/labels/extra", "value": "2"}]),
                )
                .expect("body"),
            )
            .expect("request");
    let (code, reason, _) = api_status(
        client
            .request::<Ingress>(req)
            .await
            .expect_err("failed test op"),
    );
    assert_eq!((code, reason.as_str()), (422, "Invalid"));

    let stale = ingresses.get("green").await.expect("get");
    ingresses
        .patch(
            "green",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
        )
        .await
        .expect("bump");
    let (code, reason, message) = api_status(
        ingresses
            .replace("green", &PostParams::default(), &stale)
            .await
            .expect_err("stale"),
    );
    assert_eq!((code, reason.as_str()), (409, "Conflict"));
    assert_eq!(
        message,
        "Operation cannot be fulfilled on ingresses.networking.k8s.io \"green\": the object has been modified; please apply your changes to the latest version and try again"
    );
    let fresh = ingresses.get("green").await.expect("get");
    let replaced = ingresses
        .replace("green", &PostParams::default(), &fresh)
        .await
        .expect("replace with current RV");
    assert_eq!(
        replaced.metadata.resource_version, fresh.metadata.resource_version,
        "a no-op write keeps the version"
    );

    let dry = DeleteParams {
        dry_run: true,
        ..DeleteParams::default()
    };
    ingresses
        .delete("blue", &dry)
        .await
        .expect("dry-run delete");
    assert!(
        ingresses.get_opt("blue").await.expect("get").is_some(),
        "dry run changes nothing"
    );
    let gone = ingresses
        .delete("blue", &DeleteParams::default())
        .await
        .expect("delete");
    assert!(
        gone.is_right(),
        "an Ingress without finalizers is gone at once (Status answer)"
    );
    assert!(ingresses.get_opt("blue").await.expect("get").is_none());
    let (code, reason, message) = api_status(secrets.get("nope").await.expect_err("missing"));
    assert_eq!(
        (code, reason.as_str(), message.as_str()),
        (404, "NotFound", "secrets \"nope\" not found")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kube_rs_watch_sees_changes_and_resumes() {
    let env = Env::start().await;
    let ingresses: Api<Ingress> = Api::namespaced(env.client().await, "default");
    let start = ingresses
        .list(&ListParams::default())
        .await
        .expect("list")
        .metadata
        .resource_version
        .expect("rv");
    let wp = WatchParams::default().timeout(10);
    let mut stream = ingresses.watch(&wp, &start).await.expect("watch").boxed();

    ingresses
        .create(
            &PostParams::default(),
            &typed_ingress("web", json!({"app": "web"})),
        )
        .await
        .expect("create");
    let mut with_finalizer = ingresses
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": [FINALIZER]}})),
        )
        .await
        .expect("patch");
    let mid = with_finalizer.metadata.resource_version.take().expect("rv");
    ingresses
        .delete("web", &DeleteParams::default())
        .await
        .expect("delete");
    env.sandbox
        .world()
        .kube
        .patch_merge(
            "ingresses",
            Some("default"),
            "web",
            &json!({"metadata": {"finalizers": null}}),
            true,
        )
        .expect("finalizer removed");

    let mut seen = Vec::new();
    while seen.len() < 4 {
        let ev = tokio::time::timeout(Duration::from_secs(5), stream.try_next())
            .await
            .expect("event in time")
            .expect("ok")
            .expect("open");
        match ev {
            WatchEvent::Added(i) => seen.push(("ADDED", i.metadata.deletion_timestamp.is_some())),
            WatchEvent::Modified(i) => {
                seen.push(("MODIFIED", i.metadata.deletion_timestamp.is_some()))
            }
            WatchEvent::Deleted(i) => {
                seen.push(("DELETED", i.metadata.deletion_timestamp.is_some()))
            }
            WatchEvent::Bookmark(_) => {}
            WatchEvent::Error(e) => panic!("watch error {e:?}"),
        }
    }
    assert_eq!(
        seen,
        [
            ("ADDED", false),
            ("MODIFIED", false),
            ("MODIFIED", true),
            ("DELETED", true)
        ]
    );

    let mut resumed = ingresses.watch(&wp, &mid).await.expect("resume").boxed();
    let first = resumed.try_next().await.expect("ok").expect("event");
    assert!(
        matches!(first, WatchEvent::Modified(ref i) if i.metadata.deletion_timestamp.is_some()),
        "{first:?}"
    );
    assert!(matches!(
        resumed.try_next().await.expect("ok").expect("event"),
        WatchEvent::Deleted(_)
    ));

    env.sandbox.world().kube.compact();
    let mut expired = ingresses.watch(&wp, &start).await.expect("watch").boxed();
    match expired.try_next().await.expect("ok").expect("event") {
        WatchEvent::Error(e) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("expected 410 Expired, got {other:?}"),
    }

    let mut bookmarks = ingresses
        .watch(&WatchParams::default().timeout(10).labels("app=web"), "0")
        .await
        .expect("watch")
        .boxed();
    let ev = tokio::time::timeout(Duration::from_secs(5), bookmarks.try_next())
        .await
        .expect("bookmark in time")
        .expect("ok")
        .expect("event");
    assert!(matches!(ev, WatchEvent::Bookmark(_)), "{ev:?}");
}
