//! Shared by the `sandbox_core` tests: a sandbox at a given time scale, an HTTPS client
//! pinned to the sandbox CA and a load balancer's IP, and an authenticated API client.

use rotate_cert::sandbox::{Sandbox, SandboxOptions};

pub async fn start(scale: f64) -> Sandbox {
    rotate_cert::install_crypto_provider();
    Sandbox::start(SandboxOptions {
        time_scale: scale,
        ..Default::default()
    })
    .await
    .expect("sandbox starts")
}

pub fn https_client(sb: &Sandbox, host: &str, ip: &str) -> reqwest::Client {
    let ca = reqwest::Certificate::from_pem(sb.certs().ca.pem.as_bytes()).unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:{}", sb.endpoints().lb_port).parse().unwrap();
    reqwest::Client::builder()
        .tls_certs_only([ca])
        .resolve(host, addr)
        .tls_info(true)
        .build()
        .unwrap()
}

pub fn api(sb: &Sandbox) -> (reqwest::Client, String, String) {
    let token = sb.world().tokens.issue();
    (reqwest::Client::new(), sb.endpoints().base_url(), token)
}
