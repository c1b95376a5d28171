//! The HTTPS hop of a sync, as ingress-gce's `edgeHopHttps` does it: re-read every TLS
//! Secret the Ingress names (a missing one, or one without `tls.crt`/`tls.key`, aborts
//! the sync), upload one SslCertificate per distinct `tls.crt` under its content-hash
//! name (reusing one that exists: the key is never compared), put the pre-shared
//! certificates first, create the HTTPS proxy or `setUrlMap`/`setSslCertificates` on it
//! when they differ, make the HTTPS rule (port 443, the HTTP rule's IP), and only then
//! delete this load balancer's certificates no longer on the proxy (failures there are
//! ignored, as upstream only logs them). Without TLS the HTTPS proxy and rule go.

use base64::Engine;
use serde_json::{Value, json};

use super::ensure::Sync;
use super::sync::{delete_if_exists, exec, normal};
use crate::sandbox::compute::apply::{Mutation, string_list};
use crate::sandbox::compute::links::{Collection, self_link};

const PRE_SHARED: &str = "ingress.gcp.kubernetes.io/pre-shared-cert";

/// The TLS an Ingress asks for.
#[derive(Debug, Default)]
pub(super) struct Tls {
    /// `spec.tls[].secretName`, in order.
    secrets: Vec<String>,
    /// `ingress.gcp.kubernetes.io/pre-shared-cert` names, in order.
    pre_shared: Vec<String>,
}

impl Tls {
    pub(super) fn of(ing: &Value) -> Tls {
        let secrets = ing["spec"]["tls"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["secretName"].as_str().map(String::from))
            .collect();
        let pre_shared = ing["metadata"]["annotations"][PRE_SHARED]
            .as_str()
            .map(|s| {
                s.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Tls {
            secrets,
            pre_shared,
        }
    }

    /// Whether the load balancer needs an HTTPS frontend.
    pub(super) fn wanted(&self) -> bool {
        !self.secrets.is_empty() || !self.pre_shared.is_empty()
    }
}

/// Reads `tls.crt` and `tls.key` of Secret `name` in `ns`.
fn secret_pair(sync: &Sync<'_>, ns: &str, name: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let secret = sync
        .world
        .kube
        .get("secrets", Some(ns), name)
        .ok_or_else(|| {
            format!("error initializing translator env: secrets \"{name}\" not found")
        })?;
    let field = |k: &str| -> Result<Vec<u8>, String> {
        let b64 = secret["data"][k].as_str().ok_or_else(|| {
            let what = if k == "tls.crt" {
                "cert"
            } else {
                "private key"
            };
            format!("secret \"{name}\" does not specify {what} as string data")
        })?;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("secret \"{name}\": {e}"))
    };
    Ok((field("tls.crt")?, field("tls.key")?))
}

/// Runs the HTTPS hop; returns the HTTPS rule's IP when there is one.
pub(super) async fn https_hop(
    sync: &mut Sync<'_>,
    tls: &Tls,
    http_ip: Option<&str>,
) -> Result<Option<String>, String> {
    let (world, namer) = (sync.world, sync.namer);
    if !tls.wanted() {
        delete_if_exists(world, Collection::ForwardingRules, &namer.https_rule()).await?;
        delete_if_exists(world, Collection::TargetHttpsProxies, &namer.https_proxy()).await?;
        for k in ["https-forwarding-rule", "https-target-proxy", "ssl-cert"] {
            sync.set(k, None);
        }
        return Ok(None);
    }
    let ns = sync.ing["metadata"]["namespace"]
        .as_str()
        .unwrap_or("default")
        .to_string();
    let mut cert_names: Vec<String> = tls.pre_shared.clone();
    for secret_name in &tls.secrets {
        let (crt, key) = secret_pair(sync, &ns, secret_name)?;
        let cert_name = namer.cert(&crt);
        if world
            .compute
            .get(Collection::SslCertificates, &cert_name)
            .is_none()
        {
            let coll = Collection::SslCertificates;
            let body = json!({
                "name": cert_name, "description": sync.desc,
                "certificate": String::from_utf8_lossy(&crt), "privateKey": String::from_utf8_lossy(&key),
            });
            exec(world, Mutation::Insert { coll, body })
                .await
                .map_err(|e| format!("Cert creation failures - {cert_name} Error:{e}"))?;
        }
        if !cert_names.contains(&cert_name) {
            cert_names.push(cert_name);
        }
    }
    let cert_links: Vec<String> = cert_names
        .iter()
        .map(|c| self_link(&sync.project, Collection::SslCertificates, c))
        .collect();
    match world
        .compute
        .get(Collection::TargetHttpsProxies, &namer.https_proxy())
    {
        None => {
            let coll = Collection::TargetHttpsProxies;
            let body = json!({"name": namer.https_proxy(), "description": sync.desc, "urlMap": sync.um_link, "sslCertificates": cert_links});
            exec(world, Mutation::Insert { coll, body }).await?;
        }
        Some(proxy) => {
            if proxy["urlMap"].as_str() != Some(sync.um_link.as_str()) {
                let m = Mutation::SetUrlMap {
                    coll: Collection::TargetHttpsProxies,
                    proxy: namer.https_proxy(),
                    url_map: sync.um_link.clone(),
                };
                exec(world, m).await?;
            }
            if string_list(&proxy["sslCertificates"]) != cert_links {
                let m = Mutation::SetSslCertificates {
                    proxy: namer.https_proxy(),
                    certs: cert_links.clone(),
                };
                exec(world, m).await?;
                normal(
                    world,
                    sync.ing,
                    "Sync",
                    &format!("TargetProxy \"{}\" certs updated", namer.https_proxy()),
                );
            }
        }
    }
    let target = self_link(
        &sync.project,
        Collection::TargetHttpsProxies,
        &namer.https_proxy(),
    );
    let fs = sync
        .ensure_rule(&namer.https_rule(), "443-443", target, http_ip)
        .await?;
    // Deferred: delete this load balancer's certificates no longer on the proxy.
    let prefix = namer.cert_prefix();
    for c in world.compute.list(Collection::SslCertificates) {
        let Some(n) = c["name"].as_str() else {
            continue;
        };
        if n.starts_with(&prefix) && !cert_names.iter().any(|x| x == n) {
            let _ = delete_if_exists(world, Collection::SslCertificates, n).await;
        }
    }
    sync.set("https-forwarding-rule", Some(namer.https_rule()));
    sync.set("https-target-proxy", Some(namer.https_proxy()));
    sync.set("ssl-cert", Some(cert_names.join(",")));
    Ok(fs["IPAddress"].as_str().map(String::from))
}
