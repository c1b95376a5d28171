//! The sandbox's Compute API, simulated ingress-gce, load-balancer listeners and
//! Monitoring, exercised with real clients (reqwest, rustls) on loopback.

use std::sync::Arc;
use std::time::Duration;

use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

async fn start(scale: f64) -> Sandbox {
    rotate_cert::install_crypto_provider();
    Sandbox::start(SandboxOptions {
        time_scale: scale,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

fn https_client(sb: &Sandbox, host: &str, ip: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sb.certs().ca.pem.as_bytes()).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:{}", sb.endpoints().lb_port).parse().unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve(host, addr)
        .tls_info(true)
        .build()
        .unwrap()
}

fn api(sb: &Sandbox) -> (reqwest::Client, String, String) {
    let token = sb.world().tokens.issue();
    (reqwest::Client::new(), sb.endpoints().base_url(), token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_world_is_served_over_tls_and_routed_by_the_url_map() {
    let sb = start(0.01).await;
    let ip = rotate_cert::sandbox::seed::ingress_ip(sb.world(), "default", "web").unwrap();
    for host in rotate_cert::sandbox::seed::HOSTS {
        let client = https_client(&sb, host, &ip);
        let port = sb.endpoints().lb_port;
        let root = client
            .get(format!("https://{host}:{port}/"))
            .send()
            .await
            .expect("TLS to the load balancer");
        assert_eq!(root.status(), 200);
        let info = root
            .extensions()
            .get::<reqwest::tls::TlsInfo>()
            .cloned()
            .unwrap();
        let leaf = info.peer_certificate().unwrap().to_vec();
        let live =
            rotate_cert::cert::parse_chain_pem(sb.certs().live.chain_pem.as_bytes()).unwrap();
        assert_eq!(leaf, live[0].to_vec(), "serves the live certificate");
        assert!(
            root.text()
                .await
                .unwrap()
                .starts_with("backend=app lb=default/web")
        );
        let st = client
            .get(format!("https://{host}:{port}/static/x.css"))
            .send()
            .await
            .unwrap();
        assert!(st.text().await.unwrap().starts_with("backend=static"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_api_lists_reads_and_refuses_in_use_deletes() {
    let sb = start(0.01).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let rules: Value = c
        .get(format!("{base}{p}/forwardingRules"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = rules["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "HTTP and HTTPS rules: {rules}");
    let https = items.iter().find(|r| r["portRange"] == "443-443").unwrap();
    let proxy = https["target"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let cert = {
        let p: Value = c
            .get(format!("{base}{p}/targetHttpsProxies/{proxy}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        p["sslCertificates"][0]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let del = c
        .delete(format!("{base}{p}/sslCertificates/{cert}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 400);
    let body: Value = del.json().await.unwrap();
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "resourceInUseByAnotherResource"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is already being used by")
    );
    let unauth = c
        .get(format!("{base}{p}/forwardingRules"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let missing = c
        .get(format!("{base}{p}/urlMaps/nope"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_go_pending_running_done_and_wait_returns_done() {
    let sb = start(0.05).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let op: Value = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "green-ip"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(op["status"], "PENDING", "{op}");
    let name = op["name"].as_str().unwrap();
    let before: Value = c
        .get(format!("{base}{p}/addresses/green-ip"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["error"]["code"], 404, "not visible before DONE");
    let done: Value = c
        .post(format!("{base}{p}/operations/{name}/wait"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["status"], "DONE");
    assert!(done.get("error").is_none());
    let addr: Value = c
        .get(format!("{base}{p}/addresses/green-ip"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(addr["status"], "RESERVED");
    assert!(addr["address"].as_str().unwrap().starts_with("127."));
    let dup = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "green-ip"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let bad = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "Bad_Name"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unknown = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "x", "colour": "red"}))
        .send()
        .await
        .unwrap();
    let body: Value = unknown.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unknown name \"colour\""),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_counts_requests_after_the_ingestion_delay() {
    let sb = start(0.01).await;
    let ip = rotate_cert::sandbox::seed::ingress_ip(sb.world(), "default", "web").unwrap();
    let host = "www.example.test";
    let client = https_client(&sb, host, &ip);
    let port = sb.endpoints().lb_port;
    for _ in 0..20 {
        assert_eq!(
            client
                .get(format!("https://{host}:{port}/"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    let t = sb.world().core.timing;
    let rule = sb
        .world()
        .compute
        .https_rules("sandbox-project")
        .into_keys()
        .next()
        .unwrap();
    let (c, base, token) = api(&sb);
    let query = |end: String| {
        let c = c.clone();
        let base = base.clone();
        let token = token.clone();
        let rule = rule.clone();
        async move {
            let filter = format!(
                "metric.type = \"loadbalancing.googleapis.com/https/request_count\" AND resource.type = \"https_lb_rule\" AND resource.labels.forwarding_rule_name = \"{rule}\""
            );
            let period = format!("{}s", t.sampling.as_secs_f64());
            let r: Value = c
                .get(format!("{base}v3/projects/sandbox-project/timeSeries"))
                .bearer_auth(&token)
                .query(&[
                    ("filter", filter.as_str()),
                    ("interval.startTime", "2020-01-01T00:00:00Z"),
                    ("interval.endTime", end.as_str()),
                    ("aggregation.alignmentPeriod", period.as_str()),
                    ("aggregation.perSeriesAligner", "ALIGN_DELTA"),
                    ("aggregation.crossSeriesReducer", "REDUCE_SUM"),
                    (
                        "aggregation.groupByFields",
                        "resource.label.forwarding_rule_name",
                    ),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r
        }
    };
    let now = || rotate_cert::util::time::rfc3339_millis(std::time::SystemTime::now());
    let early = query(now()).await;
    assert_eq!(
        early,
        json!({}),
        "nothing visible before the ingestion delay"
    );
    tokio::time::sleep(t.sampling + t.ingestion + Duration::from_millis(200)).await;
    let later = query(now()).await;
    let total: u64 = later["timeSeries"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            p["value"]["int64Value"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    assert_eq!(total, 20, "{later}");
    let _ = Arc::clone(sb.world());
}
