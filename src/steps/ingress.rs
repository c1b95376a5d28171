//! Ingresses and their load balancers: `create-ingress` and `await-load-balancer` (green),
//! `delete-blue-ingress` and `await-blue-gone` (cleanup), `delete-green-ingress` and
//! `await-green-gone` (rollback).
//!
//! - *Idempotency*: the green name is deterministic and the object carries rotate-cert's
//!   labels with the rotation id; `AlreadyExists` is settled by checking again. Deleting a
//!   missing Ingress counts as done.
//! - *Observation*: the Ingress (status IP, ingress-gce's annotations: forwarding rules,
//!   proxies, URL map, `ssl-cert`, `backends` health), then Compute: the HTTPS forwarding
//!   rule's IP and the certificates on the HTTPS proxy (one must be the new leaf). For
//!   deletions: the object gone (its finalizer released by ingress-gce), then every
//!   recorded load-balancer resource answering 404 in Compute.
//! - *Waits*: a watch on the one Ingress (not a poll); Compute checks by poll.
//! - *Undo*: `delete-green-ingress`. Blue is deleted only in cleanup, after DNS is verified
//!   on green and the drain is satisfied (the engine's step order).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context;
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::json;

use super::{Check, Cx, Evidence, Transient};
use crate::gcp::ResourceKind;
use crate::k8s::K8sError;
use crate::plan::{ROTATION_LABEL, ingress_ip, is_managed, label_value, lb_names};
use crate::workflow::record::LbNames;

/// Which stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The live stack.
    Blue,
    /// The stack rotate-cert builds.
    Green,
}

fn name_of(cx: &Cx<'_>, side: Side) -> String {
    match side {
        Side::Blue => cx.rot.blue.name.clone(),
        Side::Green => cx.rot.green.ingress.clone(),
    }
}

fn ours(cx: &Cx<'_>, ing: &Ingress) -> bool {
    is_managed(&ing.metadata)
        && ing
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(ROTATION_LABEL))
            .map(String::as_str)
            == Some(label_value(&cx.rot.rotation_id).as_str())
}

/// `create-ingress`: does the green Ingress exist (ours)?
pub async fn check_create(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = cx.rot.green.ingress.clone();
    match cx.env.k8s.ingress(&ns, &name).await? {
        None => Ok(Check::NeedsAct),
        Some(ing) if !ours(cx, &ing) => Ok(Check::Blocked(format!(
            "ingress `{ns}/{name}` exists but was not created by this rotation (rotation {})",
            cx.rot.rotation_id
        ))),
        Some(ing) if ing.metadata.deletion_timestamp.is_some() => Ok(Check::Blocked(format!(
            "ingress `{ns}/{name}` is being deleted"
        ))),
        Some(ing) => Ok(Check::Done(Evidence::from([
            ("ingress".into(), json!(format!("{ns}/{name}"))),
            ("uid".into(), json!(ing.metadata.uid)),
        ]))),
    }
}

/// `create-ingress`: creates the green Ingress from the planned manifest.
pub async fn create(cx: &mut Cx<'_>) -> anyhow::Result<()> {
    let ns = cx.rot.blue.namespace.clone();
    let ing: Ingress = serde_json::from_value(cx.rot.green.manifest.clone())
        .context("the planned green ingress in the state file is not a valid Ingress")?;
    match cx.env.k8s.create_ingress(&ns, &ing).await {
        Ok(_) | Err(K8sError::AlreadyExists(_)) => Ok(()),
        Err(e) => {
            Err(e).with_context(|| format!("cannot create ingress `{ns}/{}`", cx.rot.green.ingress))
        }
    }
}

/// What the green Ingress still lacks, or its load balancer.
fn lb_state(ing: Option<&Ingress>) -> Result<(String, LbNames), String> {
    let Some(ing) = ing else {
        return Err("the green ingress does not exist".into());
    };
    let ip = ingress_ip(ing).ok_or("ingress-gce has not assigned an IP yet")?;
    let lb = lb_names(ing).ok_or_else(|| {
        format!("IP {ip}; ingress-gce has not written the HTTPS load-balancer annotations yet")
    })?;
    if lb.ssl_certs.is_empty() {
        return Err(format!("IP {ip}; no certificate on the HTTPS proxy yet"));
    }
    let unhealthy: Vec<String> = lb
        .backends
        .iter()
        .filter(|(_, h)| h.as_str() != "HEALTHY")
        .map(|(b, h)| format!("{b} {h}"))
        .collect();
    if lb.backends.is_empty() {
        return Err(format!("IP {ip}; backend health not reported yet"));
    }
    if !unhealthy.is_empty() {
        return Err(format!(
            "IP {ip}; backends not healthy yet: {}",
            unhealthy.join(", ")
        ));
    }
    Ok((ip, lb))
}

/// Confirms in Compute what the annotations claim: the HTTPS rule has the IP and the
/// proxy serves the new certificate.
async fn confirm_in_compute(
    cx: &mut Cx<'_>,
    ip: &str,
    lb: &LbNames,
) -> anyhow::Result<Result<Evidence, String>> {
    let compute = &cx.env.gcp.compute;
    let rule = compute
        .get_forwarding_rule(&lb.https_forwarding_rule)
        .await?;
    if rule.ip_address.to_string() != ip {
        return Ok(Err(format!(
            "forwarding rule `{}` has IP {} but the ingress says {ip}",
            lb.https_forwarding_rule, rule.ip_address
        )));
    }
    let proxy = compute
        .get_target_https_proxy(&lb.https_target_proxy)
        .await?;
    let mut fingerprints = BTreeMap::new();
    for cert in &proxy.ssl_certificates {
        let c = compute.get_ssl_certificate(cert).await?;
        fingerprints.insert(cert.clone(), c.leaf_sha256.clone().unwrap_or_default());
    }
    if !fingerprints.values().any(|f| *f == cx.rot.cert.sha256) {
        return Ok(Err(format!(
            "the green HTTPS proxy `{}` does not carry the new certificate yet",
            lb.https_target_proxy
        )));
    }
    Ok(Ok(Evidence::from([
        ("ip".into(), json!(ip)),
        (
            "https_forwarding_rule".into(),
            json!(lb.https_forwarding_rule),
        ),
        ("https_target_proxy".into(), json!(lb.https_target_proxy)),
        ("url_map".into(), json!(lb.url_map)),
        ("ssl_certificates".into(), json!(fingerprints)),
        ("backends".into(), json!(lb.backends)),
    ])))
}

/// `await-load-balancer`: is the green load balancer built and healthy?
pub async fn check_load_balancer(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let ing = cx.env.k8s.ingress(&ns, &cx.rot.green.ingress).await?;
    match lb_state(ing.as_ref()) {
        Err(why) => Ok(Check::Pending(why)),
        Ok((ip, lb)) => match confirm_in_compute(cx, &ip, &lb).await? {
            Ok(ev) => {
                cx.rot.green.ip = Some(ip);
                cx.rot.green.lb = Some(lb);
                Ok(Check::Done(ev))
            }
            Err(why) => Ok(Check::Pending(why)),
        },
    }
}

/// `await-load-balancer`: watches the green Ingress until its load balancer is ready.
pub async fn wait_load_balancer(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = cx.rot.green.ingress.clone();
    let step = super::Kind::AwaitLoadBalancer.name();
    loop {
        let deadline = tokio::time::Instant::from_std(cx.deadline);
        let mut last = String::new();
        let ready = {
            let cx_ref = &*cx;
            cx_ref
                .env
                .k8s
                .wait_ingress(&ns, &name, deadline, |ing| match lb_state(ing) {
                    Ok(v) => Some(Ok(v)),
                    Err(why) if ing.is_none() => Some(Err(why)),
                    Err(why) => {
                        if why != last {
                            cx_ref.progress(step, format!("waiting for ingress-gce: {why}"), None);
                            last = why;
                        }
                        crate::workflow::hooks::point(step, "waiting");
                        None
                    }
                })
                .await
        };
        let (ip, lb) = match ready {
            Ok(Ok(v)) => v,
            Ok(Err(why)) => return Ok(Check::Blocked(format!("{why}: someone deleted it"))),
            Err(K8sError::Timeout(t)) => anyhow::bail!(
                "the green load balancer was not ready after {} ({last})",
                crate::util::duration::format_duration(t)
            ),
            Err(e) => return Err(e.into()),
        };
        match confirm_in_compute(cx, &ip, &lb).await? {
            Ok(ev) => {
                cx.rot.green.ip = Some(ip);
                cx.rot.green.lb = Some(lb);
                return Ok(Check::Done(ev));
            }
            Err(why) => {
                cx.progress(step, why, None);
                cx.check_deadline(step, "the green load balancer")?;
                tokio::time::sleep(super::poll_interval(
                    super::Kind::AwaitLoadBalancer,
                    &cx.rot.settings,
                ))
                .await;
            }
        }
    }
}

/// `delete-*-ingress`: is the Ingress gone?
pub async fn check_deleted(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = name_of(cx, side);
    match cx.env.k8s.ingress(&ns, &name).await? {
        None => Ok(Check::Done(Evidence::from([(
            "deleted".into(),
            json!(format!("{ns}/{name}")),
        )]))),
        Some(ing)
            if side == Side::Blue
                && ing.metadata.uid.as_deref() != Some(cx.rot.blue.uid.as_str()) =>
        {
            Ok(Check::Blocked(format!(
                "ingress `{ns}/{name}` was replaced by another object (uid changed) since the plan: it is not the blue ingress any more"
            )))
        }
        Some(ing) if side == Side::Green && !ours(cx, &ing) => Ok(Check::Done(Evidence::from([(
            "kept".into(),
            json!(format!("{ns}/{name} was not created by this rotation")),
        )]))),
        Some(ing) if ing.metadata.deletion_timestamp.is_some() => Ok(Check::Pending(format!(
            "ingress `{ns}/{name}` is terminating: ingress-gce is removing its load balancer"
        ))),
        Some(_) if side == Side::Blue => {
            // The last look before the only irreversible change: green must still stand
            // where the rotation left it, and every record must still point at it
            // (someone — or a DNS controller reconciling the blue Ingress — may have moved
            // it back during the drain, or deleted green).
            if let Err(why) = green_stands(cx).await? {
                return Ok(Check::Blocked(format!("blue is not deleted: {why}")));
            }
            match super::dns::still_on(cx, super::dns::Direction::ToGreen).await? {
                Ok(()) => Ok(Check::NeedsAct),
                Err(why) => Ok(Check::Blocked(format!("blue is not deleted: {why}"))),
            }
        }
        Some(_) => Ok(Check::NeedsAct),
    }
}

/// Whether green still stands where the rotation left it: its Ingress is there, is this
/// rotation's, is not being deleted, and still has the IP DNS was switched to.
pub(super) async fn green_stands(cx: &Cx<'_>) -> anyhow::Result<Result<(), String>> {
    let ns = cx.rot.blue.namespace.clone();
    let name = cx.rot.green.ingress.clone();
    let Some(ing) = cx.env.k8s.ingress(&ns, &name).await? else {
        return Ok(Err(format!(
            "the green ingress `{ns}/{name}` was deleted by someone else"
        )));
    };
    if !ours(cx, &ing) {
        return Ok(Err(format!(
            "ingress `{ns}/{name}` is not the green ingress of this rotation any more"
        )));
    }
    if ing.metadata.deletion_timestamp.is_some() {
        return Ok(Err(format!(
            "the green ingress `{ns}/{name}` is being deleted by someone else"
        )));
    }
    let ip = ingress_ip(&ing);
    if ip.is_none() || ip != cx.rot.green.ip {
        return Ok(Err(format!(
            "the green ingress `{ns}/{name}` has IP {} now, not {} that DNS points at",
            ip.as_deref().unwrap_or("none"),
            cx.rot.green.ip.as_deref().unwrap_or("unknown")
        )));
    }
    Ok(Ok(()))
}

/// `delete-*-ingress`: deletes the Ingress.
pub async fn delete(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<()> {
    let ns = cx.rot.blue.namespace.clone();
    let name = name_of(cx, side);
    cx.env
        .k8s
        .delete_ingress(
            &ns,
            &name,
            (side == Side::Blue)
                .then_some(cx.rot.blue.uid.as_str())
                .filter(|u| !u.is_empty()),
        )
        .await
        .with_context(|| format!("cannot delete ingress `{ns}/{name}`"))?;
    Ok(())
}

/// `delete-*-ingress`: watches until the Ingress object is gone (its finalizer released
/// after ingress-gce garbage-collected the load balancer).
pub async fn wait_deleted(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    let ns = cx.rot.blue.namespace.clone();
    let name = name_of(cx, side);
    let step = match side {
        Side::Blue => super::Kind::DeleteBlueIngress,
        Side::Green => super::Kind::DeleteGreenIngress,
    }
    .name();
    let deadline = tokio::time::Instant::from_std(cx.deadline);
    let started = Instant::now();
    let cx_ref = &*cx;
    let result = cx_ref
        .env
        .k8s
        .wait_ingress(&ns, &name, deadline, |ing| match ing {
            None => Some(()),
            Some(_) => {
                cx_ref.progress(step, format!("ingress `{ns}/{name}` is terminating: ingress-gce is removing its load balancer"), None);
                crate::workflow::hooks::point(step, "waiting");
                None
            }
        })
        .await;
    match result {
        Ok(()) => Ok(Check::Done(Evidence::from([
            ("deleted".into(), json!(format!("{ns}/{name}"))),
            ("waited_secs".into(), json!(started.elapsed().as_secs_f64())),
        ]))),
        Err(K8sError::Timeout(t)) => Err(Transient(format!(
            "ingress `{ns}/{name}` still exists after {} (finalizer not released)",
            crate::util::duration::format_duration(t)
        ))
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// `await-*-gone`: are the load balancer's resources gone from Compute?
pub async fn check_lb_gone(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    let lb = match side {
        Side::Blue => Some(cx.rot.blue.lb.clone()),
        Side::Green => cx.rot.green.lb.clone(),
    };
    let Some(lb) = lb else {
        return Ok(Check::Done(Evidence::from([(
            "note".into(),
            json!("no load balancer was recorded"),
        )])));
    };
    let mut remaining = Vec::new();
    let mut checked = Vec::new();
    let mut items: Vec<(ResourceKind, String)> = vec![
        (
            ResourceKind::ForwardingRule,
            lb.https_forwarding_rule.clone(),
        ),
        (
            ResourceKind::TargetHttpsProxy,
            lb.https_target_proxy.clone(),
        ),
        (ResourceKind::UrlMap, lb.url_map.clone()),
    ];
    if let Some(r) = &lb.forwarding_rule {
        items.push((ResourceKind::ForwardingRule, r.clone()));
    }
    if let Some(p) = &lb.target_proxy {
        items.push((ResourceKind::TargetHttpProxy, p.clone()));
    }
    // Only the certificates ingress-gce made from Secrets are its to delete; pre-shared
    // and Google-managed ones (`mcrt-…`) belong to the user and stay.
    for c in &lb.ssl_certs {
        if c.starts_with("k8s2-cr-") || c.starts_with("k8s-ssl-") {
            items.push((ResourceKind::SslCertificate, c.clone()));
        }
    }
    for (kind, name) in items {
        checked.push(format!("{kind:?} {name}"));
        if cx.env.gcp.compute.exists(kind, &name).await? {
            remaining.push(format!("{kind:?} `{name}`"));
        }
    }
    if remaining.is_empty() {
        Ok(Check::Done(Evidence::from([(
            "gone".into(),
            json!(checked),
        )])))
    } else {
        Ok(Check::Pending(format!(
            "still in Compute: {}",
            remaining.join(", ")
        )))
    }
}
