//! The green TLS Secret (`create-secret`, undone by `delete-green-secret`) and blue
//! Secrets rotate-cert itself created in an earlier rotation (`delete-blue-secret`).
//!
//! - *Idempotency*: the green name is derived from the base name and the certificate
//!   fingerprint; an existing Secret with rotate-cert's label and the same fingerprint
//!   annotation is this step's own work (`AlreadyExists` is settled by checking again).
//! - *Observation*: `GET` the Secret; its labels and `rotate-cert.io/certificate-sha256`.
//! - *Waits*: none.
//! - *Undo*: `delete-green-secret`. Blue Secrets are deleted only when rotate-cert created
//!   them (label), cert-manager does not own them, and no other Ingress references them.

use std::collections::BTreeMap;

use anyhow::Context;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use super::{Check, Cx, Evidence};
use crate::cert::CertBundle;
use crate::k8s::{K8s, K8sError};
use crate::plan::{
    BASE_NAME_LABEL, CERT_ANNOTATION, MANAGED_BY, ROTATION_LABEL, is_cert_manager, is_managed,
    label_value,
};
use crate::secret::SecretPem;
use crate::workflow::record::{CertRecord, CertSource};

/// Loads the new certificate and key from their source and checks the fingerprint still
/// matches the one planned (the files or Secret may not change under a rotation).
pub async fn load_new_cert(record: &CertRecord, k8s: &K8s) -> anyhow::Result<CertBundle> {
    let bundle = load_source(&record.source, k8s).await?;
    if bundle.fingerprint() != record.sha256 {
        anyhow::bail!(
            "the certificate at {} changed since the rotation was planned (planned {}, now {}): roll back, or finish with the planned certificate restored",
            describe_source(&record.source),
            super::short(&record.sha256),
            super::short(bundle.fingerprint())
        );
    }
    Ok(bundle)
}

/// Where a certificate comes from, for messages.
pub fn describe_source(source: &CertSource) -> String {
    match source {
        CertSource::Files { cert, key } => format!("`{}` + `{}`", cert.display(), key.display()),
        CertSource::Secret { namespace, name } => format!("secret `{namespace}/{name}`"),
    }
}

/// Reads a certificate and key from their source.
pub async fn load_source(source: &CertSource, k8s: &K8s) -> anyhow::Result<CertBundle> {
    match source {
        CertSource::Files { cert, key } => {
            let chain = read_capped(cert)
                .with_context(|| format!("cannot read certificate `{}`", cert.display()))?;
            let key_bytes =
                read_capped(key).with_context(|| format!("cannot read key `{}`", key.display()))?;
            CertBundle::from_pem(&chain, SecretPem::new(key_bytes)).with_context(|| {
                format!(
                    "cannot load the certificate from {}",
                    describe_source(source)
                )
            })
        }
        CertSource::Secret { namespace, name } => {
            let secret = k8s
                .secret(namespace, name)
                .await?
                .ok_or_else(|| anyhow::anyhow!("secret `{namespace}/{name}` not found"))?;
            let data = secret.data.unwrap_or_default();
            let crt = data
                .get("tls.crt")
                .ok_or_else(|| anyhow::anyhow!("secret `{namespace}/{name}` has no `tls.crt`"))?;
            let key = data
                .get("tls.key")
                .ok_or_else(|| anyhow::anyhow!("secret `{namespace}/{name}` has no `tls.key`"))?;
            CertBundle::from_pem(&crt.0, SecretPem::new(key.0.clone())).with_context(|| {
                format!("cannot load the certificate from secret `{namespace}/{name}`")
            })
        }
    }
}

fn read_capped(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut buf = Vec::new();
    std::fs::File::open(path)?
        .take(crate::cert::MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}

/// `create-secret`: is the green Secret there, ours, with the planned certificate?
pub async fn check_green(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = cx.rot.green.secret.clone();
    let Some(secret) = cx.env.k8s.secret(&ns, &name).await? else {
        return Ok(Check::NeedsAct);
    };
    if !is_managed(&secret.metadata) {
        return Ok(Check::Blocked(format!(
            "secret `{ns}/{name}` exists and was not created by rotate-cert"
        )));
    }
    let fp = secret
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CERT_ANNOTATION))
        .cloned()
        .unwrap_or_default();
    if fp != cx.rot.cert.sha256 {
        return Ok(Check::Blocked(format!(
            "secret `{ns}/{name}` holds another certificate ({}) than planned ({})",
            super::short(&fp),
            super::short(&cx.rot.cert.sha256)
        )));
    }
    Ok(Check::Done(Evidence::from([
        ("secret".into(), json!(format!("{ns}/{name}"))),
        ("sha256".into(), json!(fp)),
    ])))
}

/// `create-secret`: creates the green TLS Secret.
pub async fn create_green(cx: &mut Cx<'_>) -> anyhow::Result<()> {
    let bundle = load_new_cert(&cx.rot.cert, &cx.env.k8s).await?;
    let ns = cx.rot.blue.namespace.clone();
    let labels = BTreeMap::from([
        (MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string()),
        (BASE_NAME_LABEL.to_string(), cx.rot.blue.base_name.clone()),
        (ROTATION_LABEL.to_string(), label_value(&cx.rot.rotation_id)),
    ]);
    let secret = Secret {
        metadata: ObjectMeta {
            name: Some(cx.rot.green.secret.clone()),
            namespace: Some(ns.clone()),
            labels: Some(labels),
            annotations: Some(BTreeMap::from([(
                CERT_ANNOTATION.to_string(),
                cx.rot.cert.sha256.clone(),
            )])),
            ..Default::default()
        },
        type_: Some("kubernetes.io/tls".into()),
        data: Some(BTreeMap::from([
            (
                "tls.crt".to_string(),
                ByteString(bundle.chain_pem.clone().into_bytes()),
            ),
            (
                "tls.key".to_string(),
                ByteString(bundle.key.expose().to_vec()),
            ),
        ])),
        ..Default::default()
    };
    match cx.env.k8s.create_secret(&ns, &secret).await {
        Ok(_) | Err(K8sError::AlreadyExists(_)) => Ok(()),
        Err(e) => {
            Err(e).with_context(|| format!("cannot create secret `{ns}/{}`", cx.rot.green.secret))
        }
    }
}

/// Names of Secrets referenced by Ingresses other than `except`.
async fn referenced_elsewhere(
    cx: &Cx<'_>,
    except: &[&str],
) -> anyhow::Result<BTreeMap<String, String>> {
    let ns = &cx.rot.blue.namespace;
    let mut refs = BTreeMap::new();
    for ing in cx.env.k8s.list_ingresses(ns).await? {
        let name = ing.metadata.name.clone().unwrap_or_default();
        if except.contains(&name.as_str()) || ing.metadata.deletion_timestamp.is_some() {
            continue;
        }
        for t in ing.spec.and_then(|s| s.tls).unwrap_or_default() {
            if let Some(s) = t.secret_name {
                refs.insert(s, name.clone());
            }
        }
    }
    Ok(refs)
}

/// `delete-blue-secret`: are blue's rotate-cert Secrets gone (or kept for a reason)?
pub async fn check_blue_deleted(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let blue = cx.rot.blue.name.clone();
    let refs = referenced_elsewhere(cx, &[&blue]).await?;
    let mut kept = Vec::new();
    for name in cx.rot.blue.managed_secrets.clone() {
        let Some(s) = cx.env.k8s.secret(&ns, &name).await? else {
            continue;
        };
        if let Some(user) = refs.get(&name) {
            kept.push(format!("{name} (still used by ingress {user})"));
        } else if !is_managed(&s.metadata) || is_cert_manager(&s.metadata) {
            kept.push(format!("{name} (no longer rotate-cert's)"));
        } else {
            return Ok(Check::NeedsAct);
        }
    }
    Ok(Check::Done(Evidence::from([
        ("deleted".into(), json!(cx.rot.blue.managed_secrets)),
        ("kept".into(), json!(kept)),
    ])))
}

/// `delete-blue-secret`: deletes blue's rotate-cert Secrets no one else uses.
pub async fn delete_blue(cx: &mut Cx<'_>) -> anyhow::Result<()> {
    let ns = cx.rot.blue.namespace.clone();
    let blue = cx.rot.blue.name.clone();
    let refs = referenced_elsewhere(cx, &[&blue]).await?;
    for name in cx.rot.blue.managed_secrets.clone() {
        if refs.contains_key(&name) {
            continue;
        }
        if let Some(s) = cx.env.k8s.secret(&ns, &name).await?
            && is_managed(&s.metadata)
            && !is_cert_manager(&s.metadata)
        {
            cx.env.k8s.delete_secret(&ns, &name).await?;
        }
    }
    Ok(())
}

/// `delete-green-secret`: is the green Secret gone?
pub async fn check_green_deleted(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = cx.rot.green.secret.clone();
    match cx.env.k8s.secret(&ns, &name).await? {
        None => Ok(Check::Done(Evidence::from([(
            "deleted".into(),
            json!(format!("{ns}/{name}")),
        )]))),
        Some(s)
            if !is_managed(&s.metadata)
                || s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(ROTATION_LABEL))
                    .map(String::as_str)
                    != Some(label_value(&cx.rot.rotation_id).as_str()) =>
        {
            Ok(Check::Done(Evidence::from([(
                "kept".into(),
                json!(format!("{ns}/{name} was not created by this rotation")),
            )])))
        }
        Some(_) => {
            let green = cx.rot.green.ingress.clone();
            if let Some(user) = referenced_elsewhere(cx, &[&green]).await?.get(&name) {
                return Ok(Check::Done(Evidence::from([(
                    "kept".into(),
                    json!(format!("{ns}/{name} is used by ingress {user}")),
                )])));
            }
            Ok(Check::NeedsAct)
        }
    }
}

/// `delete-green-secret`: deletes the green Secret.
pub async fn delete_green(cx: &mut Cx<'_>) -> anyhow::Result<()> {
    let ns = cx.rot.blue.namespace.clone();
    cx.env.k8s.delete_secret(&ns, &cx.rot.green.secret).await?;
    Ok(())
}
