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
    assert_eq!(later["timeSeries"][0]["metricKind"], "DELTA");
    assert_eq!(later["timeSeries"][0]["valueType"], "INT64");

    // ALIGN_RATE: the same windows as a per-second GAUGE of doubles.
    let filter = format!(
        "metric.type = \"loadbalancing.googleapis.com/https/request_count\" AND resource.labels.forwarding_rule_name = \"{rule}\""
    );
    let period = format!("{}s", t.sampling.as_secs_f64());
    let rate: Value = c
        .get(format!("{base}v3/projects/sandbox-project/timeSeries"))
        .bearer_auth(&token)
        .query(&[
            ("filter", filter.as_str()),
            ("interval.startTime", "2020-01-01T00:00:00Z"),
            ("interval.endTime", now().as_str()),
            ("aggregation.alignmentPeriod", period.as_str()),
            ("aggregation.perSeriesAligner", "ALIGN_RATE"),
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
    let series = &rate["timeSeries"][0];
    assert_eq!(
        (&series["metricKind"], &series["valueType"]),
        (&json!("GAUGE"), &json!("DOUBLE")),
        "{rate}"
    );
    assert_eq!(
        series["resource"]["labels"],
        json!({"forwarding_rule_name": rule})
    );
    let requests: f64 = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"]["doubleValue"].as_f64().unwrap() * t.sampling.as_secs_f64())
        .sum();
    assert!((requests - 20.0).abs() < 1e-6, "{rate}");
    let ends: Vec<&str> = series["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["interval"]["endTime"].as_str().unwrap())
        .collect();
    let mut newest_first = ends.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(ends, newest_first, "newest point first");
    let _ = Arc::clone(sb.world());
}

/// Reads one HTTP/1.1 response (head and Content-Length body) from `stream`; returns the
/// head, or `None` when the server closed the connection first.
async fn read_response<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if body.len() >= len {
                return Some(head.to_ascii_lowercase());
            }
        }
    }
}

async fn tls_connect(
    sb: &Sandbox,
    host: &str,
    ip: &str,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    for c in rotate_cert::cert::parse_chain_pem(sb.certs().ca.pem.as_bytes()).unwrap() {
        roots.add(c).unwrap();
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect((
        ip.parse::<std::net::IpAddr>().unwrap(),
        sb.endpoints().lb_port,
    ))
    .await
    .unwrap();
    let name = rustls_pki_types::ServerName::try_from(host.to_string()).unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_balancer_closes_connections_at_their_maximum_age() {
    use tokio::io::AsyncWriteExt;
    let sb = start(0.005).await;
    let max_age = sb.world().core.timing.conn_max_age;
    let ip = rotate_cert::sandbox::seed::ingress_ip(sb.world(), "default", "web").unwrap();
    let host = "www.example.test";
    let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\n\r\n");

    // A busy keep-alive connection ends at its maximum age: a response in flight then
    // says `Connection: close`, or the server closes it between two requests.
    let mut busy = tls_connect(&sb, host, &ip).await;
    let opened = std::time::Instant::now();
    let mut answered = 0;
    loop {
        let head = match busy.write_all(request.as_bytes()).await {
            Ok(()) => read_response(&mut busy).await,
            Err(_) => None,
        };
        let Some(head) = head else {
            assert!(opened.elapsed() >= max_age, "closed before its maximum age");
            break;
        };
        assert!(head.starts_with("http/1.1 200"), "{head}");
        answered += 1;
        if head.contains("connection: close") {
            assert!(opened.elapsed() >= max_age, "closed before its maximum age");
            assert!(
                read_response(&mut busy).await.is_none(),
                "then it is closed"
            );
            break;
        }
        assert!(
            opened.elapsed() < max_age * 3,
            "still open after {answered} requests"
        );
        tokio::time::sleep(max_age / 8).await;
    }
    assert!(answered > 1, "the connection was kept alive until then");

    // An idle one is closed by the server once it reaches that age.
    let mut idle = tls_connect(&sb, host, &ip).await;
    let opened = std::time::Instant::now();
    idle.write_all(request.as_bytes()).await.unwrap();
    let head = read_response(&mut idle).await.expect("a response");
    assert!(!head.contains("connection: close"), "{head}");
    let closed = tokio::time::timeout(max_age * 3, read_response(&mut idle)).await;
    assert_eq!(
        closed.ok(),
        Some(None),
        "the server closes an idle connection"
    );
    assert!(opened.elapsed() >= max_age);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_wait_may_return_before_done() {
    rotate_cert::install_crypto_provider();
    let sb = Sandbox::start(SandboxOptions {
        time_scale: 0.01,
        delays: rotate_cert::sandbox::config::RealisticDelays {
            op_running: 150.0,
            op_wait_deadline: 50.0,
            ..Default::default()
        },
        seed_demo: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let op: Value = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "slow-ip"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name = op["name"].as_str().unwrap();
    let wait = || async {
        let started = std::time::Instant::now();
        let op: Value = c
            .post(format!("{base}{p}/operations/{name}/wait"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (op, started.elapsed())
    };
    let (first, took) = wait().await;
    assert_eq!(first["status"], "RUNNING", "{first}");
    assert!(took >= sb.world().core.timing.op_wait_deadline, "{took:?}");
    let mut done = first;
    while done["status"] != "DONE" {
        done = wait().await.0;
    }
    assert!(done.get("error").is_none(), "{done}");
    assert_eq!(done["progress"], 100);
}

/// Asserts Google's error shape: status, `error.code`, one `errors[]` item with the same
/// message, domain `global` and `reason`; returns the message.
async fn google_error(resp: reqwest::Response, status: u16, reason: &str) -> String {
    assert_eq!(resp.status().as_u16(), status);
    let body: Value = resp.json().await.unwrap();
    let e = &body["error"];
    assert_eq!(e["code"], status, "{body}");
    assert_eq!(e["errors"][0]["reason"], reason, "{body}");
    assert_eq!(e["errors"][0]["domain"], "global", "{body}");
    assert_eq!(e["errors"][0]["message"], e["message"], "{body}");
    e["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_rejects_bodies_google_would_reject() {
    let sb = start(0.01).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project";
    let post = |path: &str, body: Value| {
        c.post(format!("{base}{p}/{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let um = "global/urlMaps/k8s2-um-x";
    let fr = |extra: Value| {
        let mut b = json!({"name": "green-fs", "target": "global/targetHttpsProxies/none", "portRange": "443-443"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    // Wrong JSON types.
    let m = google_error(
        post("global/forwardingRules", fr(json!({"portRange": 443})))
            .await
            .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert_eq!(
        m,
        "Invalid value at 'resource.portRange' (TYPE_STRING), 443"
    );
    let m = google_error(
        post(
            "global/urlMaps",
            json!({"name": "u", "hostRules": {"hosts": ["a"]}}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(m.contains("'resource.hostRules' (TYPE_LIST)"), "{m}");
    let m = google_error(
        post(
            "targetHttpsProxies/p/setSslCertificates",
            json!({"sslCertificates": "global/sslCertificates/c"}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(m.contains("'resource.sslCertificates' (TYPE_LIST)"), "{m}");
    // A bad enum value.
    let m = google_error(
        post("global/forwardingRules", fr(json!({"IPProtocol": "HTTP"})))
            .await
            .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(
        m.starts_with("Invalid value at 'resource.IPProtocol'") && m.ends_with("\"HTTP\""),
        "{m}"
    );
    google_error(
        post(
            "global/forwardingRules",
            fr(json!({"loadBalancingScheme": "EXTERNAL_ISH"})),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    // An unknown field, nested.
    let m = google_error(
        post(
            "global/urlMaps",
            json!({"name": "u", "defaultService": "global/backendServices/x",
                   "pathMatchers": [{"name": "m", "pathRules": [{"paths": ["/*"], "servce": "x"}]}]}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert_eq!(
        m,
        "Invalid JSON payload received. Unknown name \"servce\" at 'resource.pathMatchers[0].pathRules[0]': Cannot find field."
    );
    // Bad names: syntax, length, missing.
    for bad in ["Green", "green-", "9green", "green_ip", &"g".repeat(64)] {
        let m = google_error(
            post("global/addresses", json!({"name": bad}))
                .await
                .unwrap(),
            400,
            "invalid",
        )
        .await;
        assert_eq!(
            m,
            format!(
                "Invalid value for field 'resource.name': '{bad}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?)'"
            )
        );
    }
    let ok63 = "g".repeat(63);
    let resp = post("global/addresses", json!({"name": ok63}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "63 characters are allowed");
    let m = google_error(
        post("global/addresses", json!({"description": "no name"}))
            .await
            .unwrap(),
        400,
        "required",
    )
    .await;
    assert!(m.contains("'resource.name'"), "{m}");
    // Not JSON at all, and a bad requestId.
    let resp = c
        .post(format!("{base}{p}/global/addresses"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let m = google_error(resp, 400, "badRequest").await;
    assert!(m.starts_with("Invalid JSON payload received."), "{m}");
    let resp = c
        .post(format!("{base}{p}/global/addresses?requestId=not-a-uuid"))
        .bearer_auth(&token)
        .json(&json!({"name": "req"}))
        .send()
        .await
        .unwrap();
    google_error(resp, 400, "invalid").await;
    // A reference to something that does not exist.
    let m = google_error(
        post(
            "global/targetHttpsProxies",
            json!({"name": "p", "urlMap": um, "sslCertificates": ["global/sslCertificates/nope"]}),
        )
        .await
        .unwrap(),
        404,
        "notFound",
    )
    .await;
    assert!(m.contains("urlMaps/k8s2-um-x"), "{m}");
}
