//! The DNS-query and TLS-probe adapters against the sandbox's real DNS server and TLS
//! load balancers.

use std::net::IpAddr;
use std::time::Duration;

use rotate_cert::dns::{Nameserver, query_a};
use rotate_cert::sandbox::seed::{HOSTS, ingress_ip};
use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use rotate_cert::tls::Prober;

async fn start() -> Sandbox {
    rotate_cert::install_crypto_provider();
    Sandbox::start(SandboxOptions {
        time_scale: 0.01,
        ..Default::default()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nameserver_answers_the_record_with_its_ttl() {
    let sb = start().await;
    let ns = Nameserver {
        name: "sandbox".into(),
        addr: sb.endpoints().dns,
    };
    let ip = ingress_ip(sb.world(), "default", "web").unwrap();
    let a = query_a(&ns, "www.example.test", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(a.ips, vec![ip.parse::<std::net::Ipv4Addr>().unwrap()]);
    assert_eq!(a.ttl, Some(sb.world().core.timing.ttl_secs));
    let missing = query_a(&ns, "nope.example.test", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(missing.rcode, "NXDOMAIN");
    assert!(missing.ips.is_empty());
    let outside = query_a(&ns, "www.example.org", Duration::from_secs(2))
        .await
        .unwrap();
    assert_eq!(outside.rcode, "REFUSED");
    sb.world().core.faults.silence_dns(Duration::from_secs(5));
    let silent = query_a(&ns, "www.example.test", Duration::from_millis(300)).await;
    assert!(silent.is_err_and(|e| e.retryable()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probe_reports_leaf_verification_and_http_status() {
    let sb = start().await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &sb.certs().ca.pem).unwrap();
    let ip: IpAddr = ingress_ip(sb.world(), "default", "web")
        .unwrap()
        .parse()
        .unwrap();
    let live = rotate_cert::cert::parse_chain_pem(sb.certs().live.chain_pem.as_bytes()).unwrap();
    let want = rotate_cert::cert::sha256_hex(&live[0]);

    let trusting = Prober::new(Some(&ca), sb.endpoints().lb_port, Duration::from_secs(3)).unwrap();
    for host in HOSTS {
        let out = trusting.probe(ip, host).await.unwrap();
        assert_eq!(out.leaf_sha256, want);
        assert_eq!(out.verify_error, None, "{out:?}");
        assert_eq!(out.http_status, Some(200));
        assert!(out.healthy());
    }
    // Without the sandbox CA the chain does not verify, but the leaf is still reported.
    let system_only = Prober::new(None, sb.endpoints().lb_port, Duration::from_secs(3));
    if let Ok(p) = system_only {
        let out = p.probe(ip, "www.example.test").await.unwrap();
        assert_eq!(out.leaf_sha256, want);
        assert!(out.verify_error.is_some());
        assert!(!out.healthy());
    }
    // A name the certificate does not cover fails verification.
    let other = trusting.probe(ip, "other.example.test").await.unwrap();
    assert!(other.verify_error.is_some(), "{other:?}");
    // Nothing listens on an unused load-balancer IP.
    let nowhere = trusting
        .probe("127.250.250.250".parse().unwrap(), "www.example.test")
        .await;
    assert!(nowhere.is_err());
}
