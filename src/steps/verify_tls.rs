//! `verify-tls`: proves by TLS handshake that the green IP serves the new certificate.
//!
//! - *Idempotency*: read-only.
//! - *Observation*: for every host, a TLS handshake to the green IP with the host as SNI:
//!   the leaf must be the new certificate (SHA-256), its chain must verify for the host
//!   (system roots plus `--ca-file`), and `GET /` must answer without a 5xx (front ends
//!   answer 502 until they are programmed).
//! - *Waits*: polls until every host passes or the create deadline.
//! - *Undo*: none needed.

use std::net::IpAddr;

use serde_json::json;

use super::{Check, Cx, Evidence, short};
use crate::plan::check_name;

/// Probes every host on the green IP.
pub async fn check(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let Some(ip) = cx.rot.green.ip.clone() else {
        return Ok(Check::Blocked(
            "the green IP is unknown: `await-load-balancer` has not recorded it".into(),
        ));
    };
    let ip: IpAddr = ip
        .parse()
        .map_err(|_| anyhow::anyhow!("recorded green IP `{ip}` is not an IP address"))?;
    let want = cx.rot.cert.sha256.clone();
    let mut evidence = serde_json::Map::new();
    let mut waiting = Vec::new();
    // The certificate is checked against the TLS hosts (older state files: every host).
    let hosts = if cx.rot.blue.tls_hosts.is_empty() {
        cx.rot.blue.hosts.clone()
    } else {
        cx.rot.blue.tls_hosts.clone()
    };
    for host in hosts {
        let name = check_name(&host);
        match cx.env.prober.probe(ip, &name).await {
            Err(e) => waiting.push(format!("{host}: {e}")),
            Ok(p) => {
                if p.leaf_sha256 != want {
                    waiting.push(format!(
                        "{host}: serves certificate {} instead of {}",
                        short(&p.leaf_sha256),
                        short(&want)
                    ));
                } else if let Some(err) = &p.verify_error {
                    // The right leaf with a chain that does not verify will not fix itself.
                    return Ok(Check::Blocked(format!(
                        "{host}: the green IP serves the new certificate but its chain does not verify: {err} (pass `--ca-file` for a private CA)"
                    )));
                } else {
                    match (p.http_status, &p.http_error) {
                        (Some(s), _) if s < 500 => {}
                        (Some(s), _) => waiting.push(format!("{host}: HTTP {s}")),
                        (None, Some(e)) => {
                            waiting.push(format!("{host}: HTTP request failed: {e}"))
                        }
                        (None, None) => waiting.push(format!("{host}: no HTTP answer")),
                    }
                }
                evidence.insert(
                    host.clone(),
                    json!({
                        "leaf_sha256": p.leaf_sha256,
                        "verified": p.verify_error.is_none(),
                        "http_status": p.http_status,
                    }),
                );
            }
        }
    }
    if waiting.is_empty() {
        Ok(Check::Done(Evidence::from([
            ("ip".into(), json!(ip.to_string())),
            ("port".into(), json!(cx.env.prober.port())),
            ("hosts".into(), serde_json::Value::Object(evidence)),
        ])))
    } else {
        Ok(Check::Pending(waiting.join("; ")))
    }
}
