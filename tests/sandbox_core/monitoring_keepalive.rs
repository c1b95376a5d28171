//! Monitoring and keep-alive: request counts appear only after the ingestion delay
//! (ALIGN_DELTA and ALIGN_RATE), and the load balancer closes busy and idle keep-alive
//! connections at their maximum age.

use std::sync::Arc;
use std::time::Duration;

use rotate_cert::sandbox::Sandbox;
use serde_json::{Value, json};

use super::common::*;

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
