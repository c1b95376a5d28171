//! An Ingress's lifecycle: provisioned with its own IP, its certificate rotated on resync
//! (Secret change) or at once on an edit, and garbage-collected on delete in the real
//! order.

use std::time::{Duration, Instant};

use rotate_cert::sandbox::config::RealisticDelays;
use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_ingress_is_provisioned_rotated_on_resync_or_edit_and_garbage_collected() {
    let resync = Duration::from_secs(3);
    let env = Env::start(RealisticDelays {
        provision: 100.0,
        resync: resync.as_secs_f64() / 0.01,
        // Connections must outlive the test so the delete is what closes them.
        conn_max_age: 100_000.0,
        ..Default::default()
    })
    .await;
    let host = "shop.example.test";
    let demo_ip = rotate_cert::sandbox::seed::ingress_ip(env.world(), "default", "web").unwrap();

    // A Secret signed by the sandbox CA, then the Ingress, both with kubectl.
    let first = env.leaf(&[host]);
    let (crt, key) = env.write_leaf("first", &first);
    assert_eq!(
        env.ok(&[
            "create", "secret", "tls", "shop-tls", "--cert", &crt, "--key", &key
        ])
        .await
        .trim(),
        "secret/shop-tls created"
    );
    let manifest = env.write("shop.yaml", &ingress_yaml("shop", host, &["shop-tls"], ""));
    assert_eq!(
        env.ok(&["apply", "-f", &manifest]).await.trim(),
        "ingress.networking.k8s.io/shop created"
    );
    let fresh = env.ingress("shop").expect("created");
    assert!(
        annotation(&fresh, "url-map").is_none() && status_ip(&fresh).is_none(),
        "nothing before the provisioning delay: {fresh}"
    );

    // After the delay: its own IP, the v2 names, the finalizer.
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("shop")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some() && status_ip(i).is_some())
    })
    .await;
    let ip = status_ip(&ing).unwrap();
    assert_ne!(ip, demo_ip, "a load balancer of its own");
    assert!(ip.starts_with("127."), "{ip}");
    let names: Vec<String> = [
        "forwarding-rule",
        "target-proxy",
        "https-forwarding-rule",
        "https-target-proxy",
        "url-map",
        "static-ip",
        "ssl-cert",
    ]
    .iter()
    .map(|k| annotation(&ing, k).unwrap_or_else(|| panic!("annotation {k}: {ing}")))
    .collect();
    let [fr, tp, fs, ts, um, static_ip, cert] = names.try_into().unwrap();
    for (name, prefix) in [
        (&fr, "k8s2-fr-"),
        (&tp, "k8s2-tp-"),
        (&fs, "k8s2-fs-"),
        (&ts, "k8s2-ts-"),
        (&um, "k8s2-um-"),
        (&cert, "k8s2-cr-"),
    ] {
        assert!(name.starts_with(prefix), "{name}");
    }
    assert!(fs.ends_with(&fr["k8s2-fr-".len()..]) && fs.contains("-default-shop-"));
    assert_eq!(
        static_ip, fr,
        "the ephemeral IP is promoted under the HTTP rule's name"
    );
    assert!(
        cert.ends_with(&format!("-{}", fingerprint16(&first.chain_pem))),
        "certificate named by the content hash of tls.crt: {cert}"
    );
    assert_eq!(ing["metadata"]["finalizers"], json!([FINALIZER]));
    let backends: Value = serde_json::from_str(&annotation(&ing, "backends").unwrap()).unwrap();
    assert_eq!(backends.as_object().unwrap().len(), 3, "{backends}");

    // The Compute world agrees.
    let (status, rule) = env.compute(&format!("forwardingRules/{fs}")).await;
    assert_eq!(status, 200);
    assert_eq!(
        (rule["IPAddress"].as_str(), rule["portRange"].as_str()),
        (Some(ip.as_str()), Some("443-443"))
    );
    let (_, address) = env.compute(&format!("addresses/{static_ip}")).await;
    assert_eq!(address["status"], "IN_USE");
    assert_eq!(
        address["users"].as_array().map(Vec::len),
        Some(2),
        "{address}"
    );
    let (_, sc) = env.compute(&format!("sslCertificates/{cert}")).await;
    assert_eq!(sc["subjectAlternativeNames"], json!([host]));

    // It serves that Secret's certificate over TLS and routes by the URL map.
    assert_eq!(env.serving(host, &ip).await, der(&first.chain_pem));
    let (_, body, _) = env.probe(host, &ip, "/").await.unwrap();
    assert!(body.starts_with("backend=app lb=default/shop"), "{body}");
    let (_, body, _) = env.probe(host, &ip, "/static/x").await.unwrap();
    assert!(body.starts_with("backend=static lb=default/shop"), "{body}");

    let described = env.ok(&["describe", "ingress", "shop"]).await;
    for line in [
        "Scheduled for sync".to_string(),
        format!("IP is now {ip}"),
        format!("ForwardingRule \"{fs}\" created"),
    ] {
        let l = described
            .lines()
            .find(|l| l.contains(&line))
            .unwrap_or_else(|| panic!("{line:?} in {described}"));
        assert!(
            l.contains("Normal") && l.contains("loadbalancer-controller"),
            "{l}"
        );
    }

    // Steady: every backend healthy, so only resyncs and edits trigger syncs now.
    eventually(Duration::from_secs(10), || async {
        let i = env.ingress("shop")?;
        let b = annotation(&i, "backends")?;
        (!b.contains("UNHEALTHY")).then_some(())
    })
    .await;

    // A changed Secret is not watched: it is served only after the next resync.
    let scheduled = env.event_count("shop", "Scheduled for sync");
    eventually(resync + Duration::from_secs(3), || async {
        (env.event_count("shop", "Scheduled for sync") > scheduled).then_some(())
    })
    .await;
    let tick = Instant::now();
    let second = env.leaf(&[host]);
    env.replace_tls_secret("shop-tls", &second, "second").await;
    while tick.elapsed() < resync / 2 {
        let (_, _, leaf) = env.probe(host, &ip, "/").await.expect("serving");
        assert_eq!(leaf, der(&first.chain_pem), "changed before the resync");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eventually(resync + Duration::from_secs(3), || async {
        let (_, _, leaf) = env.probe(host, &ip, "/").await?;
        (leaf == der(&second.chain_pem)).then_some(())
    })
    .await;
    // The annotations follow once the old certificate is deleted (deferred, as upstream).
    let swapped = eventually(Duration::from_secs(3), || async {
        env.ingress("shop").filter(|i| {
            annotation(i, "ssl-cert")
                .is_some_and(|c| c.ends_with(&fingerprint16(&second.chain_pem)))
        })
    })
    .await;
    assert_eq!(status_ip(&swapped).as_deref(), Some(ip.as_str()), "same IP");
    eventually(Duration::from_secs(3), || async {
        (env.compute(&format!("sslCertificates/{cert}")).await.0 == 404).then_some(())
    })
    .await;
    assert!(env.event_count("shop", &format!("TargetProxy \"{ts}\" certs updated")) >= 1);

    // An edit of the Ingress is picked up at once, long before the next resync.
    let edit = Instant::now();
    let third = env.leaf(&[host]);
    env.replace_tls_secret("shop-tls", &third, "third").await;
    env.ok(&[
        "annotate",
        "ingress",
        "shop",
        "rotate-cert/bump=1",
        "--overwrite",
    ])
    .await;
    eventually(resync / 2, || async {
        let (_, _, leaf) = env.probe(host, &ip, "/").await?;
        (leaf == der(&third.chain_pem)).then_some(())
    })
    .await;
    assert!(
        edit.elapsed() < resync,
        "picked up by the edit, not a resync"
    );

    // Delete: Terminating while the controller garbage-collects, in the real order.
    let open = KeepAlive::open(&env, host, &ip).await;
    let ops_before = env.compute("operations").await.1["items"]
        .as_array()
        .map_or(0, Vec::len);
    let deleting = {
        let args = ["delete", "ingress", "shop", "--timeout=20s"];
        let cmd = tokio::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(env.path("kubeconfig"))
            .arg("--cache-dir")
            .arg(env.path("kube-cache"))
            .args(args)
            .output();
        tokio::spawn(cmd)
    };
    let mut terminating_with_resources = false;
    while !deleting.is_finished() {
        if let Some(i) = env.ingress("shop")
            && i["metadata"]["deletionTimestamp"].is_string()
            && env
                .world()
                .compute
                .get(
                    rotate_cert::sandbox::compute::links::Collection::UrlMaps,
                    &um,
                )
                .is_some()
        {
            assert_eq!(i["metadata"]["finalizers"], json!([FINALIZER]));
            terminating_with_resources = true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let out = deleting.await.unwrap().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "ingress.networking.k8s.io \"shop\" deleted"
    );
    assert!(
        terminating_with_resources,
        "the Ingress stays (Terminating) until its resources are gone"
    );
    assert!(env.ingress("shop").is_none());
    let third_cert = format!(
        "{}{}",
        &cert[..cert.len() - 16],
        fingerprint16(&third.chain_pem)
    );
    for path in [
        format!("forwardingRules/{fr}"),
        format!("forwardingRules/{fs}"),
        format!("targetHttpProxies/{tp}"),
        format!("targetHttpsProxies/{ts}"),
        format!("urlMaps/{um}"),
        format!("sslCertificates/{third_cert}"),
        format!("addresses/{static_ip}"),
    ] {
        let (status, body) = env.compute(&path).await;
        assert_eq!(status, 404, "{path} is gone: {body}");
        assert_eq!(body["error"]["errors"][0]["reason"], "notFound");
    }
    let ops = env.compute("operations").await.1["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let deleted: Vec<String> = ops[ops_before..]
        .iter()
        .filter(|o| o["operationType"] == "delete")
        .filter_map(|o| o["targetLink"].as_str())
        .map(|l| {
            l.rsplit('/')
                .take(2)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect();
    assert_eq!(
        deleted,
        [
            format!("forwardingRules/{fr}"),
            format!("targetHttpProxies/{tp}"),
            format!("addresses/{static_ip}"),
            format!("forwardingRules/{fs}"),
            format!("targetHttpsProxies/{ts}"),
            format!("sslCertificates/{third_cert}"),
            format!("urlMaps/{um}"),
        ],
        "ingress-gce's garbage-collection order (backend services stay: `web` uses them)"
    );
    assert!(
        open.closed_gracefully(Duration::from_secs(3)).await,
        "open keep-alive connections are closed gracefully"
    );
    let port = env.sandbox.endpoints().lb_port;
    let refused = eventually(Duration::from_secs(3), || async {
        match tokio::net::TcpStream::connect((ip.parse::<std::net::IpAddr>().unwrap(), port)).await
        {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => Some(e),
            _ => None,
        }
    })
    .await;
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let (status, _, _) = env.probe("www.example.test", &demo_ip, "/").await.unwrap();
    assert_eq!(status, 200, "the demo load balancer is untouched");

    // The inventory names everything but never shows key material.
    let inventory = env
        .http
        .get(format!(
            "{}sandbox/v1/inventory",
            env.sandbox.endpoints().base_url()
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(inventory.contains("web-tls") && inventory.contains("k8s2-cr-"));
    use base64::Engine;
    for leaf in [&first, &second, &third, &env.sandbox.certs().live] {
        let pem = std::str::from_utf8(leaf.key.expose()).unwrap();
        let body_line = pem.lines().nth(1).unwrap();
        let b64 = base64::engine::general_purpose::STANDARD.encode(leaf.key.expose());
        assert!(
            !inventory.contains(body_line) && !inventory.contains(&b64[..40]),
            "key material in the inventory"
        );
    }
    assert!(
        !inventory.contains("PRIVATE KEY"),
        "key material in the inventory"
    );
}
