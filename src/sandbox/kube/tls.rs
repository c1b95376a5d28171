//! The API server's HTTPS endpoint and the sandbox cluster's certificate authority.
//!
//! kubectl (client-go's `clientcmd`) sends a kubeconfig's bearer token only over TLS, so
//! the Kubernetes API is also served over HTTPS, as a real GKE control plane is: a
//! per-process cluster CA (ECDSA P-256, generated on first use) signs a serving
//! certificate for `127.0.0.1`, `localhost` and `kubernetes.default.svc`, and
//! kubeconfigs carry the CA as `certificate-authority-data`. The listener serves the
//! same router as the plain HTTP port (HTTP/1.1 only) and honours the fault plan's
//! dropped responses the same way.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::sandbox::core::DropResponse;
use crate::sandbox::http::Dropped;

/// The cluster CA and the API server's serving certificate.
struct Authority {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key_der: Vec<u8>,
}

fn authority() -> Result<&'static Authority, String> {
    static AUTHORITY: OnceLock<Result<Authority, String>> = OnceLock::new();
    AUTHORITY
        .get_or_init(|| generate().map_err(|e| format!("sandbox cluster CA: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

fn generate() -> Result<Authority, rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.distinguished_name
        .push(DnType::CommonName, "sandbox-cluster-ca");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::new(vec![
        "localhost".to_string(),
        "kubernetes".to_string(),
        "kubernetes.default".to_string(),
        "kubernetes.default.svc".to_string(),
        "kubernetes.default.svc.cluster.local".to_string(),
    ])?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::from([127, 0, 0, 1])));
    leaf.distinguished_name
        .push(DnType::CommonName, "kube-apiserver");
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let leaf_key = KeyPair::generate()?;
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
    Ok(Authority {
        ca_pem: ca_cert.pem(),
        chain: vec![leaf_cert.der().clone()],
        key_der: leaf_key.serialize_der(),
    })
}

/// The cluster CA certificate (PEM), as kubeconfigs carry it.
pub fn ca_pem() -> Option<String> {
    authority().ok().map(|a| a.ca_pem.clone())
}

/// Binds the HTTPS listener on `127.0.0.1:port` (0 = any free port) and serves `router`
/// there until `shutdown` turns true.
pub async fn start(
    router: Router,
    port: u16,
    shutdown: watch::Receiver<bool>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<SocketAddr> {
    let auth = authority().map_err(|e| anyhow::anyhow!(e))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(auth.key_der.clone()));
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_single_cert(auth.chain.clone(), key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    tasks.push(tokio::spawn(serve(listener, acceptor, router, shutdown)));
    Ok(addr)
}

async fn serve(
    listener: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let acceptor = acceptor.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(stream).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let router = router.clone();
                async move {
                    let resp = match router.oneshot(req.map(Body::new)).await {
                        Ok(resp) => resp,
                        Err(never) => match never {},
                    };
                    if resp.extensions().get::<DropResponse>().is_some() {
                        return Err::<_, Dropped>(Dropped);
                    }
                    Ok(resp)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(tls), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = conn_shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}
