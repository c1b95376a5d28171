//! Ingress classes: only class `gce` is provisioned, naming a new static IP moves the
//! forwarding rules, and a class change garbage-collects the load balancer.

use std::time::Duration;

use rotate_cert::sandbox::config::RealisticDelays;
use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_class_gce_is_provisioned_a_new_static_ip_moves_the_rules_and_a_class_change_cleans_up()
 {
    let env = Env::start(RealisticDelays::default()).await;
    // `spec.ingressClassName: gce` without the annotation: ingress-gce ignores it.
    let by_field = ingress_yaml("by-field", "www.example.test", &["web-tls"], "")
        .replace("  annotations:\n    kubernetes.io/ingress.class: gce\n", "");
    let by_field = by_field.replace("spec:\n", "spec:\n  ingressClassName: gce\n");
    let moved = ingress_yaml("moved", "www.example.test", &["web-tls"], "");
    let by_field = env.write("by-field.yaml", &by_field);
    let moved = env.write("moved.yaml", &moved);
    env.ok(&["apply", "-f", &by_field, "-f", &moved]).await;
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("moved")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some())
    })
    .await;
    // Both were seen at once; give the other one as long again.
    tokio::time::sleep(env.world().core.timing.provision).await;
    let ignored = env.ingress("by-field").unwrap();
    assert!(annotation(&ignored, "url-map").is_none(), "{ignored}");
    assert_eq!(ignored["metadata"]["finalizers"], Value::Null, "{ignored}");
    assert!(env.event_count("by-field", "Scheduled for sync") == 0);
    assert!(
        env.world()
            .compute
            .list(rotate_cert::sandbox::compute::links::Collection::UrlMaps)
            .iter()
            .all(|u| !u["name"].as_str().unwrap().contains("-default-by-field-")),
        "no load balancer for an Ingress of another class"
    );

    // Naming a static IP for a running Ingress recreates its forwarding rules on it.
    let old_ip = status_ip(&ing).unwrap();
    let (status, op) = env
        .compute_post("addresses", json!({"name": "moved-ip"}))
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let new_ip = env.compute("addresses/moved-ip").await.1["address"]
        .as_str()
        .unwrap()
        .to_string();
    env.ok(&[
        "annotate",
        "ingress",
        "moved",
        "kubernetes.io/ingress.global-static-ip-name=moved-ip",
    ])
    .await;
    eventually(Duration::from_secs(10), || async {
        (status_ip(&env.ingress("moved")?).as_deref() == Some(new_ip.as_str())).then_some(())
    })
    .await;
    for key in ["forwarding-rule", "https-forwarding-rule"] {
        let rule = annotation(&ing, key).unwrap();
        let (_, fr) = env.compute(&format!("forwardingRules/{rule}")).await;
        assert_eq!(fr["IPAddress"], new_ip.as_str(), "{fr}");
    }
    assert_eq!(env.event_count("moved", &format!("IP is now {new_ip}")), 1);
    assert_eq!(
        env.serving("www.example.test", &new_ip).await,
        der(&env.sandbox.certs().live.chain_pem)
    );
    let port = env.sandbox.endpoints().lb_port;
    let old = old_ip.parse::<std::net::IpAddr>().unwrap();
    eventually(Duration::from_secs(3), || async {
        tokio::net::TcpStream::connect((old, port))
            .await
            .is_err()
            .then_some(())
    })
    .await;

    // Moving an Ingress to another class garbage-collects its load balancer and
    // releases the finalizer, as upstream's NeedsCleanup does.
    let um = annotation(&ing, "url-map").unwrap();
    env.ok(&[
        "annotate",
        "ingress",
        "moved",
        "kubernetes.io/ingress.class=nginx",
        "--overwrite",
    ])
    .await;
    eventually(Duration::from_secs(10), || async {
        let i = env.ingress("moved")?;
        i["metadata"]["finalizers"].is_null().then_some(())
    })
    .await;
    let (status, _) = env.compute(&format!("urlMaps/{um}")).await;
    assert_eq!(status, 404);
    assert!(
        env.world()
            .compute
            .https_rules("sandbox-project")
            .keys()
            .all(|r| !r.contains("-default-moved-")),
    );
}
