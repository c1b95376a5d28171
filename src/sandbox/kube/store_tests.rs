//! Unit tests of the store's create and update rules.

use super::*;

#[test]
fn create_rules() {
    let kube = Kube::new();
    let err = kube
        .create("secrets", Some("nope"), json!({"metadata": {"name": "s"}}))
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (404, "namespaces \"nope\" not found")
    );
    let err = kube
        .create(
            "secrets",
            Some("default"),
            json!({"metadata": {"name": "s", "resourceVersion": "3"}}),
        )
        .unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (
            400,
            "resourceVersion should not be set on objects to be created"
        )
    );
    let err = kube
        .create(
            "secrets",
            Some("default"),
            json!({"metadata": {"name": "Bad_Name"}}),
        )
        .unwrap_err();
    assert_eq!(err.code, 422);
    let res = by_plural("secrets").unwrap();
    let dry = WriteOptions {
        dry_run: true,
        ..WriteOptions::default()
    };
    let w = kube
        .create_obj(
            res,
            Some("default"),
            json!({"metadata": {"generateName": "tls-"}}),
            dry,
        )
        .unwrap();
    let name = w.object["metadata"]["name"].as_str().unwrap();
    assert!(name.starts_with("tls-") && name.len() == 9, "{name}");
    assert!(
        kube.list("secrets", Some("default")).is_empty(),
        "dry run stores nothing"
    );
    assert_eq!(
        Kube::with_kube_system_uid("kubesystem-uid1").kube_system_uid(),
        "kubesystem-uid1"
    );
    assert_eq!(
        kube.kube_system_uid(),
        kube.get("namespaces", None, "kube-system").unwrap()["metadata"]["uid"]
    );
}

#[test]
fn updates_check_versions_and_keep_system_fields() {
    let kube = Kube::new();
    let res = by_plural("ingresses").unwrap();
    let ing = kube
        .create(
            "ingresses",
            Some("default"),
            json!({"metadata": {"name": "web"},
            "spec": {"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}}}),
        )
        .unwrap();
    let mut stale = ing.clone();
    let lb = json!({"metadata": {"annotations": {"ingress.kubernetes.io/url-map": "um"}},
        "status": {"loadBalancer": {"ingress": [{"ip": "34.1.2.3"}]}}});
    let with_status = kube
        .patch_merge("ingresses", Some("default"), "web", &lb, true)
        .unwrap();
    assert_eq!(
        with_status["status"]["loadBalancer"]["ingress"][0]["ip"],
        "34.1.2.3"
    );
    assert_eq!(
        with_status["metadata"]["annotations"]["ingress.kubernetes.io/url-map"], "um",
        "/status takes metadata"
    );
    assert_eq!(with_status["metadata"]["generation"], 1);
    stale["spec"]["defaultBackend"]["service"]["port"]["number"] = json!(8080);
    let err = kube
        .update_obj(
            res,
            Some("default"),
            "web",
            false,
            WriteOptions::default(),
            |_| Ok(stale.clone()),
        )
        .unwrap_err();
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    stale["metadata"]["resourceVersion"] = with_status["metadata"]["resourceVersion"].clone();
    stale["metadata"]["creationTimestamp"] = json!("2000-01-01T00:00:00Z");
    stale["status"] = json!({});
    let w = kube
        .update_obj(
            res,
            Some("default"),
            "web",
            false,
            WriteOptions::default(),
            |_| Ok(stale.clone()),
        )
        .unwrap();
    assert_eq!(w.object["metadata"]["generation"], 2);
    assert_eq!(
        w.object["metadata"]["creationTimestamp"],
        ing["metadata"]["creationTimestamp"]
    );
    assert_eq!(
        w.object["status"], with_status["status"],
        "the main resource cannot change status"
    );
    let renamed = kube.update_obj(
        res,
        Some("default"),
        "web",
        false,
        WriteOptions::default(),
        |mut o| {
            o["metadata"]["name"] = json!("other");
            Ok(o)
        },
    );
    assert_eq!(renamed.unwrap_err().code, 400);
}
