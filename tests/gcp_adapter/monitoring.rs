//! Cloud Monitoring v3: empty before traffic, counts after sampling + ingestion.

use std::time::{Duration, SystemTime};

use rotate_cert::gcp::ErrorKind;

use crate::harness::{fast_retries, harness, https_rule};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_is_empty_before_traffic_and_counts_it_after_ingestion() {
    let h = harness(fast_retries(3)).await;
    let rule = https_rule(&h.sb);
    let t = h.sb.world().core.timing;
    let since = SystemTime::now() - Duration::from_secs(3600);
    let m = &h.gcp.monitoring;
    let before = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert!(before.is_empty(), "{before:?}");

    let ip = rotate_cert::sandbox::seed::ingress_ip(h.sb.world(), "default", "web").unwrap();
    let host = "www.example.test";
    let ca = reqwest::Certificate::from_pem(h.sb.certs().ca.pem.as_bytes()).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:{}", h.sb.endpoints().lb_port)
        .parse()
        .unwrap();
    let lb = reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve(host, addr)
        .build()
        .unwrap();
    let port = h.sb.endpoints().lb_port;
    for _ in 0..12 {
        let r = lb
            .get(format!("https://{host}:{port}/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    tokio::time::sleep(t.sampling + t.ingestion + Duration::from_millis(300)).await;
    let after = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert_eq!(after.iter().map(|p| p.count).sum::<u64>(), 12, "{after:?}");
    assert!(
        after.windows(2).all(|w| w[0].end < w[1].end),
        "oldest first: {after:?}"
    );
    assert!(after.iter().all(|p| p.start < p.end));
    let other_rule = m
        .request_counts("k8s2-fs-none", since, SystemTime::now(), t.sampling)
        .await
        .unwrap();
    assert!(other_rule.is_empty());
    let too_fine = m
        .request_counts(&rule, since, SystemTime::now(), t.sampling / 10)
        .await
        .unwrap_err();
    assert_eq!(too_fine.kind(), &ErrorKind::Invalid, "{too_fine}");
    assert!(h.gcp.request_counts().monitoring >= 4);
}
