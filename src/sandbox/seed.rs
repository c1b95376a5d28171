//! The demo world every sandbox starts with, and the certificates it hands the user.
//!
//! Project `sandbox-project`; Services `app` and `static`; Secret `default/web-tls` with a
//! certificate for `www.example.test` and `api.example.test` that expires soon; Ingress
//! `default/web` (class gce, both hosts, `/static/*` → static, `/` → app, TLS from
//! `web-tls`) already provisioned; Cloud DNS zone `example-test` with A records for both
//! hosts pointing at the Ingress's IP. The sandbox CA signs every certificate; the user
//! gets it with a renewed certificate ready to rotate to.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::World;
use crate::secret::SecretPem;

/// The demo hosts.
pub const HOSTS: [&str; 2] = ["www.example.test", "api.example.test"];
/// The demo zone.
pub const ZONE: &str = "example-test";
/// The demo zone's DNS name.
pub const ZONE_DNS: &str = "example.test.";
/// The demo Ingress.
pub const INGRESS: (&str, &str) = ("default", "web");
/// The demo TLS Secret.
pub const SECRET: &str = "web-tls";

/// The sandbox's certificate authority: a root (what clients trust) and an intermediate
/// that signs the leaves, as public CAs do.
pub struct Ca {
    issuer: Issuer<'static, KeyPair>,
    /// The root CA certificate, PEM (what `certs/ca.pem` holds).
    pub pem: String,
    /// The intermediate CA certificate, PEM (sent after every leaf).
    pub intermediate_pem: String,
}

impl std::fmt::Debug for Ca {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ca")
            .field("pem", &self.pem)
            .finish_non_exhaustive()
    }
}

/// A leaf certificate and its key.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// The chain (leaf, then the intermediate), PEM.
    pub chain_pem: String,
    /// The key, PEM (PKCS#8).
    pub key: SecretPem,
}

impl Ca {
    /// A fresh CA (ECDSA P-256).
    pub fn new() -> anyhow::Result<Ca> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params = CertificateParams::default();
        params
            .distinguished_name
            .push(DnType::CommonName, "rotate-cert sandbox CA");
        params
            .distinguished_name
            .push(DnType::OrganizationName, "rotate-cert sandbox");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(365);
        params.not_after = now + time::Duration::days(3650);
        let cert = params.self_signed(&key)?;
        let pem = cert.pem();
        let root = Issuer::new(params, key);
        let ikey = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut iparams = CertificateParams::default();
        iparams
            .distinguished_name
            .push(DnType::CommonName, "rotate-cert sandbox issuing CA");
        iparams
            .distinguished_name
            .push(DnType::OrganizationName, "rotate-cert sandbox");
        iparams.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        iparams.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        iparams.use_authority_key_identifier_extension = true;
        iparams.not_before = now - time::Duration::days(365);
        iparams.not_after = now + time::Duration::days(1825);
        let icert = iparams.signed_by(&ikey, &root)?;
        Ok(Ca {
            issuer: Issuer::new(iparams, ikey),
            pem,
            intermediate_pem: icert.pem(),
        })
    }

    /// A leaf for `hosts`, valid from `not_before_ago` ago for `valid_for` from now.
    pub fn leaf(
        &self,
        hosts: &[&str],
        not_before_ago: Duration,
        valid_for: Duration,
    ) -> anyhow::Result<Leaf> {
        let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
        let mut params =
            CertificateParams::new(hosts.iter().map(|h| h.to_string()).collect::<Vec<_>>())?;
        params.distinguished_name.push(
            DnType::CommonName,
            hosts.first().copied().unwrap_or("sandbox"),
        );
        let now = OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::try_from(not_before_ago)?;
        params.not_after = now + time::Duration::try_from(valid_for)?;
        params.use_authority_key_identifier_extension = true;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(Leaf {
            chain_pem: format!("{}{}", cert.pem(), self.intermediate_pem),
            key: SecretPem::new(key.serialize_pem().into_bytes()),
        })
    }
}

const DAY: Duration = Duration::from_secs(86400);

/// The demo world's certificates.
#[derive(Debug)]
pub struct DemoCerts {
    /// The CA.
    pub ca: Ca,
    /// The live certificate (expires in 10 days).
    pub live: Leaf,
    /// The renewed one (90 days).
    pub renewed: Leaf,
}

impl DemoCerts {
    /// Generates the demo certificates.
    pub fn generate() -> anyhow::Result<DemoCerts> {
        let ca = Ca::new()?;
        let live = ca.leaf(&HOSTS, 80 * DAY, 10 * DAY)?;
        let renewed = ca.leaf(&HOSTS, Duration::from_secs(3600), 90 * DAY)?;
        Ok(DemoCerts { ca, live, renewed })
    }
}

/// A TLS Secret object.
pub fn tls_secret(ns: &str, name: &str, leaf: &Leaf) -> Value {
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": ns},
        "data": {"tls.crt": b64(leaf.chain_pem.as_bytes()), "tls.key": b64(leaf.key.expose())},
    })
}

fn service(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"type": "ClusterIP", "selector": {"app": name},
                 "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]},
    })
}

/// The demo Ingress object (named `name`, TLS from `secret`).
pub fn ingress(ns: &str, name: &str, secret: &str, hosts: &[&str]) -> Value {
    let paths = json!([
        {"path": "/static/*", "pathType": "ImplementationSpecific", "backend": {"service": {"name": "static", "port": {"number": 80}}}},
        {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"number": 80}}}},
    ]);
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": name, "namespace": ns, "annotations": {"kubernetes.io/ingress.class": "gce"}},
        "spec": {
            "rules": hosts.iter().map(|h| json!({"host": h, "http": {"paths": paths}})).collect::<Vec<_>>(),
            "tls": [{"hosts": hosts, "secretName": secret}],
        },
    })
}

/// Seeds the demo world and provisions its load balancer at once. Returns the IP.
pub async fn demo(world: &Arc<World>) -> anyhow::Result<String> {
    seed_ingress(
        world,
        INGRESS.0,
        INGRESS.1,
        SECRET,
        &world.certs.live,
        &HOSTS,
    )
    .await?;
    let ip = ingress_ip(world, INGRESS.0, INGRESS.1)?;
    world
        .dns
        .create_zone(ZONE, ZONE_DNS, "rotate-cert sandbox demo zone");
    for h in HOSTS {
        world.dns.upsert_rrset(
            ZONE,
            &format!("{h}."),
            "A",
            world.core.timing.ttl_secs,
            vec![ip.clone()],
        );
    }
    Ok(ip)
}

/// Creates the Services (once), a TLS Secret and an Ingress, and provisions the Ingress's
/// load balancer immediately, as if it had been running for a long time.
pub async fn seed_ingress(
    world: &Arc<World>,
    ns: &str,
    name: &str,
    secret: &str,
    leaf: &Leaf,
    hosts: &[&str],
) -> anyhow::Result<()> {
    let kube = &world.kube;
    for (sns, s) in [
        (ns, "app"),
        (ns, "static"),
        ("kube-system", "default-http-backend"),
    ] {
        if kube.get("services", Some(sns), s).is_none() {
            kube.create("services", Some(sns), service(sns, s))
                .map_err(|e| anyhow::anyhow!("seeding service {s}: {e:?}"))?;
        }
    }
    kube.create("secrets", Some(ns), tls_secret(ns, secret, leaf))
        .map_err(|e| anyhow::anyhow!("seeding secret {secret}: {e:?}"))?;
    kube.create("ingresses", Some(ns), ingress(ns, name, secret, hosts))
        .map_err(|e| anyhow::anyhow!("seeding ingress {name}: {e:?}"))?;
    super::controller::provision_now(world, ns, name)
        .await
        .map_err(|e| anyhow::anyhow!("provisioning {ns}/{name}: {e}"))
}

/// The IP in an Ingress's status.
pub fn ingress_ip(world: &World, ns: &str, name: &str) -> anyhow::Result<String> {
    world
        .kube
        .get("ingresses", Some(ns), name)
        .and_then(|i| {
            i["status"]["loadBalancer"]["ingress"][0]["ip"]
                .as_str()
                .map(String::from)
        })
        .ok_or_else(|| anyhow::anyhow!("ingress {ns}/{name} has no IP after provisioning"))
}

/// One more provisioned site, `site-N`, as the scale benchmark seeds them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Site {
    /// `namespace/name` of its Ingress.
    pub ingress: String,
    /// Its hosts.
    pub hosts: Vec<String>,
    /// Its IP.
    pub ip: String,
    /// A renewed certificate for its hosts, PEM.
    pub renewed_cert: String,
    /// Its key. Serialized only for the control API's caller on loopback; never logged.
    #[serde(serialize_with = "expose_key")]
    pub renewed_key: SecretPem,
}

fn expose_key<S: serde::Serializer>(k: &SecretPem, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&String::from_utf8_lossy(k.expose()))
}

/// Seeds `count` more sites (Ingress `default/site-N`, Secret `site-N-tls`, records
/// `site-N.example.test` and `api-N.example.test` in the demo zone), numbered after the
/// existing ones.
pub async fn sites(world: &Arc<World>, count: usize) -> anyhow::Result<Vec<Site>> {
    let start = world.kube.list("ingresses", Some("default")).len();
    if world.dns.snapshot()["zones"]
        .as_array()
        .is_none_or(|z| z.is_empty())
    {
        world
            .dns
            .create_zone(ZONE, ZONE_DNS, "rotate-cert sandbox demo zone");
    }
    let mut out = Vec::new();
    for i in start..start + count {
        let name = format!("site-{i}");
        let hosts = [
            format!("site-{i}.example.test"),
            format!("api-{i}.example.test"),
        ];
        let host_refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
        let live = world.certs.ca.leaf(&host_refs, 80 * DAY, 10 * DAY)?;
        let renewed = world
            .certs
            .ca
            .leaf(&host_refs, Duration::from_secs(3600), 90 * DAY)?;
        seed_ingress(
            world,
            "default",
            &name,
            &format!("{name}-tls"),
            &live,
            &host_refs,
        )
        .await?;
        let ip = ingress_ip(world, "default", &name)?;
        for h in &hosts {
            world.dns.upsert_rrset(
                ZONE,
                &format!("{h}."),
                "A",
                world.core.timing.ttl_secs,
                vec![ip.clone()],
            );
        }
        out.push(Site {
            ingress: format!("default/{name}"),
            hosts: hosts.to_vec(),
            ip,
            renewed_cert: renewed.chain_pem,
            renewed_key: renewed.key,
        });
    }
    Ok(out)
}
