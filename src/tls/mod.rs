//! TLS probes: what a load-balancer IP actually serves for a host name.
//!
//! A probe connects to `IP:port`, sends the host as SNI, records the certificate chain the
//! server presents and whether it verifies (system roots plus an optional private CA),
//! then asks `GET /` over the same connection and records the HTTP status. The handshake
//! is completed even when verification fails, so rotate-cert can say *what* is served
//! (the old certificate? an unknown one?) instead of only that something is wrong; the
//! handshake signature itself is always checked. Probes never change anything.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// What one probe saw.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProbeOutcome {
    /// The IP probed.
    pub ip: IpAddr,
    /// The SNI / Host name used.
    pub host: String,
    /// SHA-256 of the leaf certificate presented (lowercase hex).
    pub leaf_sha256: String,
    /// How many certificates the server sent.
    pub chain_len: usize,
    /// Why the chain did not verify for `host`, if it did not.
    pub verify_error: Option<String>,
    /// The HTTP status of `GET /`, if the request got an answer.
    pub http_status: Option<u16>,
    /// Why the HTTP request failed, if it did.
    pub http_error: Option<String>,
}

impl ProbeOutcome {
    /// Whether the chain verified and the request answered without a 5xx.
    pub fn healthy(&self) -> bool {
        self.verify_error.is_none() && self.http_status.is_some_and(|s| s < 500)
    }
}

/// Why a probe could not complete a handshake.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// TCP connect failed or timed out.
    #[error("cannot connect to {addr}: {detail}")]
    Connect {
        /// Where.
        addr: SocketAddr,
        /// Why.
        detail: String,
    },
    /// The TLS handshake failed (not for verification reasons).
    #[error("TLS handshake with {addr} for `{host}` failed: {detail}")]
    Handshake {
        /// Where.
        addr: SocketAddr,
        /// SNI.
        host: String,
        /// Why.
        detail: String,
    },
    /// The host is not a valid server name.
    #[error("`{0}` is not a valid TLS server name")]
    BadHost(String),
}

/// Reusable probe settings: trusted roots, port and timeout.
#[derive(Clone)]
pub struct Prober {
    roots: Arc<RootCertStore>,
    port: u16,
    timeout: Duration,
}

impl fmt::Debug for Prober {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prober")
            .field("roots", &self.roots.len())
            .field("port", &self.port)
            .finish()
    }
}

/// The port probes use unless told otherwise.
pub const DEFAULT_PORT: u16 = 443;

impl Prober {
    /// Trusts the system roots plus the PEM certificates in `ca_file`.
    pub fn new(ca_file: Option<&Path>, port: u16, timeout: Duration) -> Result<Prober, String> {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            let _ = roots.add(cert);
        }
        if let Some(path) = ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| format!("cannot read --ca-file `{}`: {e}", path.display()))?;
            let certs = crate::cert::parse_chain_pem(&pem)
                .map_err(|e| format!("--ca-file `{}`: {e}", path.display()))?;
            for c in certs {
                roots
                    .add(c)
                    .map_err(|e| format!("--ca-file `{}`: {e}", path.display()))?;
            }
        }
        if roots.is_empty() {
            return Err("no trusted root certificates: the system store is empty and no --ca-file was given".into());
        }
        Ok(Prober {
            roots: Arc::new(roots),
            port,
            timeout,
        })
    }

    /// The port probed.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Probes `ip` for `host`.
    pub async fn probe(&self, ip: IpAddr, host: &str) -> Result<ProbeOutcome, ProbeError> {
        let addr = SocketAddr::new(ip, self.port);
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| ProbeError::BadHost(host.to_string()))?;
        let inner = WebPkiServerVerifier::builder(self.roots.clone())
            .build()
            .map_err(|e| ProbeError::Handshake {
                addr,
                host: host.to_string(),
                detail: e.to_string(),
            })?;
        let seen = Arc::new(Mutex::new(None));
        let verifier = Arc::new(Recording {
            inner,
            seen: seen.clone(),
        });
        let mut config = rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = TlsConnector::from(Arc::new(config));
        let tcp = tokio::time::timeout(self.timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| ProbeError::Connect {
                addr,
                detail: format!("timed out after {:?}", self.timeout),
            })?
            .map_err(|e| ProbeError::Connect {
                addr,
                detail: e.to_string(),
            })?;
        let mut tls = tokio::time::timeout(self.timeout, connector.connect(name, tcp))
            .await
            .map_err(|_| ProbeError::Handshake {
                addr,
                host: host.to_string(),
                detail: "timed out".into(),
            })?
            .map_err(|e| ProbeError::Handshake {
                addr,
                host: host.to_string(),
                detail: e.to_string(),
            })?;
        let (leaf, chain_len, verify_error) = {
            let guard = seen.lock().unwrap_or_else(|e| e.into_inner());
            match guard.as_ref() {
                Some(s) => (s.leaf_sha256.clone(), s.chain_len, s.error.clone()),
                None => (
                    String::new(),
                    0,
                    Some("the server presented no certificate".into()),
                ),
            }
        };
        let request = format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: rotate-cert/{}\r\nAccept: */*\r\nConnection: close\r\n\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let (http_status, http_error) = match tokio::time::timeout(self.timeout, async {
            tls.write_all(request.as_bytes()).await?;
            let mut buf = Vec::with_capacity(256);
            let mut chunk = [0u8; 256];
            while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 4096 {
                let n = tls.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            Ok::<_, std::io::Error>(buf)
        })
        .await
        {
            Err(_) => (
                None,
                Some("timed out waiting for the HTTP response".to_string()),
            ),
            Ok(Err(e)) => (None, Some(e.to_string())),
            Ok(Ok(buf)) => match parse_status(&buf) {
                Some(code) => (Some(code), None),
                None => (
                    None,
                    Some("no HTTP status line in the response".to_string()),
                ),
            },
        };
        Ok(ProbeOutcome {
            ip,
            host: host.to_string(),
            leaf_sha256: leaf,
            chain_len,
            verify_error,
            http_status,
            http_error,
        })
    }
}

fn parse_status(buf: &[u8]) -> Option<u16> {
    let line = buf.split(|b| *b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

#[derive(Debug, Clone)]
struct Seen {
    leaf_sha256: String,
    chain_len: usize,
    error: Option<String>,
}

/// Verifies like webpki but records the outcome instead of aborting, so the presented
/// chain is always known. Handshake signatures are still verified.
#[derive(Debug)]
struct Recording {
    inner: Arc<WebPkiServerVerifier>,
    seen: Arc<Mutex<Option<Seen>>>,
}

impl ServerCertVerifier for Recording {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        let seen = Seen {
            leaf_sha256: crate::cert::sha256_hex(end_entity),
            chain_len: 1 + intermediates.len(),
            error: result.err().map(|e| e.to_string()),
        };
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some(seen);
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status(b"HTTP/1.1 502 Bad Gateway\r\n"), Some(502));
        assert_eq!(parse_status(b"HTTP/1.0 200 OK\r\nx"), Some(200));
        assert_eq!(parse_status(b"SSH-2.0\r\n"), None);
    }
}
