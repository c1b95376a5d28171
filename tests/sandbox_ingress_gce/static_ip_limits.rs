//! Static IPs and limits: one static IP serves one Ingress at a time and is never deleted,
//! a proxy takes at most 15 certificates (via ingress-gce and the API), SNI picks the
//! certificate, and a certificate in use cannot be deleted.

use std::time::Duration;

use rotate_cert::sandbox::config::RealisticDelays;
use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_static_ip_serves_one_ingress_and_a_proxy_takes_at_most_15_certificates() {
    let env = Env::start(RealisticDelays::default()).await;
    let host = "www.example.test";

    // A user-reserved address is RESERVED with no users.
    let (status, op) = env
        .compute_post("addresses", json!({"name": "shared-ip"}))
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let (_, reserved) = env.compute("addresses/shared-ip").await;
    assert_eq!(reserved["status"], "RESERVED");
    assert!(reserved.get("users").is_none(), "{reserved}");
    let shared = reserved["address"].as_str().unwrap().to_string();

    let static_ip = "    kubernetes.io/ingress.global-static-ip-name: shared-ip\n";
    let first = env.write(
        "first.yaml",
        &ingress_yaml("first", host, &["web-tls"], static_ip),
    );
    env.ok(&["apply", "-f", &first]).await;
    let ing = eventually(Duration::from_secs(10), || async {
        env.ingress("first")
            .filter(|i| annotation(i, "https-forwarding-rule").is_some())
    })
    .await;
    assert_eq!(status_ip(&ing).as_deref(), Some(shared.as_str()));
    assert!(
        annotation(&ing, "static-ip").is_none(),
        "the user owns the address; nothing is promoted"
    );
    let fr = annotation(&ing, "forwarding-rule").unwrap();
    let fs = annotation(&ing, "https-forwarding-rule").unwrap();
    let (_, in_use) = env.compute("addresses/shared-ip").await;
    assert_eq!(in_use["status"], "IN_USE");
    let mut users: Vec<String> = in_use["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().rsplit('/').next().unwrap().to_string())
        .collect();
    users.sort();
    assert_eq!(users, [fr.clone(), fs.clone()]);

    // The second Ingress naming the same address cannot have its rules.
    let second = env.write(
        "second.yaml",
        &ingress_yaml("second", host, &["web-tls"], static_ip),
    );
    env.ok(&["apply", "-f", &second]).await;
    let warning = eventually(Duration::from_secs(10), || async {
        env.warnings("second")
            .into_iter()
            .find(|w| w.contains("Specified IP address is in-use"))
    })
    .await;
    assert!(
        warning.starts_with("Error syncing to GCP: googleapi: Error 400:"),
        "{warning}"
    );
    let described = env.ok(&["describe", "ingress", "second"]).await;
    assert!(
        described
            .lines()
            .any(|l| l.contains("Warning") && l.contains("Sync") && l.contains("in-use")),
        "{described}"
    );
    let blocked = env.ingress("second").unwrap();
    assert!(
        annotation(&blocked, "https-forwarding-rule").is_none(),
        "{blocked}"
    );
    assert!(status_ip(&blocked).is_none());
    assert!(
        env.world()
            .compute
            .https_rules("sandbox-project")
            .keys()
            .all(|r| !r.contains("-default-second-")),
        "no HTTPS forwarding rule for the second Ingress"
    );
    assert_eq!(
        env.serving(host, &shared).await,
        der(&env.sandbox.certs().live.chain_pem)
    );

    // 16 TLS Secrets: ingress-gce uploads them, then the proxy refuses the 16th.
    let mut secrets = Vec::new();
    for i in 0..16 {
        let leaf = env.leaf(&[&format!("h{i}.example.test")]);
        let name = format!("many-{i}");
        env.world()
            .kube
            .create(
                "secrets",
                Some("default"),
                rotate_cert::sandbox::seed::tls_secret("default", &name, &leaf),
            )
            .unwrap();
        secrets.push(name);
    }
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let many = env.write(
        "many.yaml",
        &ingress_yaml("many", "h0.example.test", &refs, ""),
    );
    env.ok(&["apply", "-f", &many]).await;
    let warning = eventually(Duration::from_secs(10), || async {
        env.warnings("many")
            .into_iter()
            .find(|w| w.contains("Too many SslCertificates"))
    })
    .await;
    assert!(warning.contains("Error 400"), "{warning}");
    assert!(annotation(&env.ingress("many").unwrap(), "https-target-proxy").is_none());
    // The same rule through the API, on a proxy of our own in front of the demo's URL
    // map: 16 certificates are refused on insert and on setSslCertificates, 15 taken.
    let many_certs: Vec<String> = env
        .world()
        .compute
        .list(rotate_cert::sandbox::compute::links::Collection::SslCertificates)
        .iter()
        .filter(|c| {
            c["description"]
                .as_str()
                .unwrap_or_default()
                .contains("default/many")
        })
        .filter_map(|c| c["selfLink"].as_str().map(String::from))
        .collect();
    assert_eq!(many_certs.len(), 16, "ingress-gce uploaded every Secret");
    let web = env.ingress("web").unwrap();
    let web_um = format!("global/urlMaps/{}", annotation(&web, "url-map").unwrap());
    let (status, body) = env
        .compute_post(
            "targetHttpsProxies",
            json!({"name": "api-proxy", "urlMap": web_um, "sslCertificates": many_certs}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["errors"][0]["reason"], "invalid");
    let (status, op) = env
        .compute_post(
            "targetHttpsProxies",
            json!({"name": "api-proxy", "urlMap": web_um, "sslCertificates": many_certs[..15]}),
        )
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let (status, body) = env
        .compute_post(
            "/targetHttpsProxies/api-proxy/setSslCertificates",
            json!({"sslCertificates": many_certs}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, op) = env
        .compute_post(
            "forwardingRules",
            json!({"name": "api-fs", "target": "global/targetHttpsProxies/api-proxy", "portRange": "443"}),
        )
        .await;
    assert_eq!(status, 200, "{op}");
    env.wait_op(&op).await;
    let api_ip = env.compute("forwardingRules/api-fs").await.1["IPAddress"]
        .as_str()
        .unwrap()
        .to_string();
    // Each SNI name gets its certificate; a client without SNI gets the first one.
    let on_proxy: Vec<Value> =
        env.compute("targetHttpsProxies/api-proxy").await.1["sslCertificates"]
            .as_array()
            .unwrap()
            .clone();
    let sans_of = |link: &Value| -> Vec<String> {
        let name = link.as_str().unwrap().rsplit('/').next().unwrap();
        env.world()
            .compute
            .get(
                rotate_cert::sandbox::compute::links::Collection::SslCertificates,
                name,
            )
            .unwrap()["subjectAlternativeNames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let seventh = sans_of(&on_proxy[7]);
    let leaf = eventually(Duration::from_secs(5), || async {
        match env.probe(&seventh[0], &api_ip, "/").await {
            Some((200, _, leaf)) => Some(leaf),
            _ => None,
        }
    })
    .await;
    assert_eq!(x509_sans(&leaf), seventh);
    let out = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("{api_ip}:{}", env.sandbox.endpoints().lb_port),
            "-noservername",
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("openssl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let default_cn = &sans_of(&on_proxy[0])[0];
    assert!(
        text.contains(&format!("subject=CN = {default_cn}")),
        "{default_cn} expected: {text}"
    );

    // Deleting a certificate a proxy uses is refused.
    let in_use_cert = on_proxy[3].as_str().unwrap().rsplit('/').next().unwrap();
    let resp = env
        .http
        .delete(format!(
            "{}{COMPUTE}/sslCertificates/{in_use_cert}",
            env.sandbox.endpoints().base_url()
        ))
        .bearer_auth(&env.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "resourceInUseByAnotherResource"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .ends_with("is already being used by 'projects/sandbox-project/global/targetHttpsProxies/api-proxy'"),
        "{body}"
    );
    for path in ["forwardingRules/api-fs", "targetHttpsProxies/api-proxy"] {
        let resp = env
            .http
            .delete(format!(
                "{}{COMPUTE}/{path}",
                env.sandbox.endpoints().base_url()
            ))
            .bearer_auth(&env.token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        env.wait_op(&resp.json().await.unwrap()).await;
    }

    // Once the first lets go of the address, the controller's retries give it to the
    // second; with both gone it is RESERVED again, and never deleted (the user owns it).
    env.ok(&["delete", "ingress", "first"]).await;
    let taken = eventually(Duration::from_secs(10), || async {
        env.ingress("second")
            .filter(|i| status_ip(i).as_deref() == Some(shared.as_str()))
    })
    .await;
    assert!(annotation(&taken, "https-forwarding-rule").is_some());
    env.ok(&["delete", "ingress", "second", "many"]).await;
    let (_, released) = env.compute("addresses/shared-ip").await;
    assert_eq!(released["status"], "RESERVED", "{released}");
    assert!(released.get("users").is_none(), "{released}");
}
