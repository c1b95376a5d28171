//! TLS and routing: every demo host is served over TLS with the live certificate, and
//! routed by the URL map to the app and static backends.

use super::common::*;

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
