//! Global addresses: `reserve-address` (green needs its own static IP when blue uses one:
//! one static IP cannot serve two forwarding rules on the same port), and releasing an
//! address rotate-cert reserved (`release-green-address` on rollback, `release-blue-address`
//! in cleanup of an earlier rotation's address).
//!
//! - *Idempotency*: deterministic name; the insert carries a `requestId` stored in the
//!   state file before the call, so a retry after a lost answer returns the same operation.
//!   An operation that finished with an error reserved nothing: the next attempt draws a
//!   new `requestId` (the old one would only return the same failed operation).
//! - *Observation*: `globalAddresses.get`; rotate-cert's addresses carry a description
//!   marker.
//! - *Waits*: the Compute operation (`globalOperations.wait`).
//! - *Undo*: `release-green-address`.

use serde_json::json;

use super::{Check, Cx, Evidence};
use crate::gcp::{AddressStatus, ErrorKind, NewAddress, RequestId};
use crate::plan::{address_description, reserved_for};

/// Which side's address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Blue's (only when rotate-cert reserved it).
    Blue,
    /// Green's.
    Green,
}

fn request_id(cx: &mut Cx<'_>) -> RequestId {
    match cx
        .rot
        .green
        .address_request_id
        .as_deref()
        .and_then(|s| s.parse::<RequestId>().ok())
    {
        Some(id) => id,
        None => {
            let id = RequestId::new();
            cx.rot.green.address_request_id = Some(id.to_string());
            id
        }
    }
}

/// `reserve-address`: does the green address exist (and is it ours)?
pub async fn check_reserve(cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let Some(name) = cx.rot.green.address.clone() else {
        return Ok(Check::Done(Evidence::new()));
    };
    let (ns, green) = (cx.rot.blue.namespace.clone(), cx.rot.green.ingress.clone());
    match cx.env.gcp.compute.get_address(&name).await {
        Ok(a) if reserved_for(a.description.as_deref().unwrap_or_default(), &ns, &green) => {
            Ok(Check::Done(Evidence::from([
                ("address".into(), json!(name)),
                ("ip".into(), json!(a.address.map(|ip| ip.to_string()))),
            ])))
        }
        Ok(a) => Ok(Check::Blocked(format!(
            "global address `{name}` exists and was not reserved by rotate-cert for ingress `{ns}/{green}` (its description: \"{}\")",
            a.description.unwrap_or_default()
        ))),
        Err(e) if e.is_not_found() => Ok(Check::NeedsAct),
        Err(e) => Err(e.into()),
    }
}

/// `reserve-address`: reserves the green address.
pub async fn reserve(cx: &mut Cx<'_>) -> anyhow::Result<()> {
    let Some(name) = cx.rot.green.address.clone() else {
        return Ok(());
    };
    let rid = request_id(cx);
    let new = NewAddress {
        name: name.clone(),
        description: Some(address_description(
            &cx.rot.blue.namespace,
            &cx.rot.green.ingress,
        )),
        address: None,
    };
    let op = match cx.env.gcp.compute.insert_address(&new, &rid).await {
        Ok(op) => op,
        Err(e) if e.is_already_exists() => return Ok(()),
        Err(e) => return Err(failed_insert(cx, e)),
    };
    let left = cx
        .deadline
        .saturating_duration_since(std::time::Instant::now());
    match cx.env.gcp.compute.wait_operation_for(&op, left).await {
        Ok(_) => Ok(()),
        Err(e) => Err(failed_insert(cx, e)),
    }
}

/// An insert whose operation finished with an error reserved nothing, and Compute
/// answers every later insert carrying the same `requestId` with that same failed
/// operation: the next attempt (a retry, or `resume`) needs a new id.
fn failed_insert(cx: &mut Cx<'_>, e: crate::gcp::GcpError) -> anyhow::Error {
    if matches!(e.kind(), ErrorKind::OperationFailed { .. }) {
        cx.rot.green.address_request_id = Some(RequestId::new().to_string());
    }
    e.into()
}

/// The Ingress an address of `side` was reserved for: green's, or — for blue's, reserved
/// by the rotation that made blue — blue's own name.
fn reserved_ingress(cx: &Cx<'_>, side: Side) -> String {
    match side {
        Side::Green => cx.rot.green.ingress.clone(),
        Side::Blue => cx.rot.blue.name.clone(),
    }
}

fn address_of(cx: &Cx<'_>, side: Side) -> Option<String> {
    match side {
        Side::Green => cx.rot.green.address.clone(),
        Side::Blue => cx
            .rot
            .blue
            .static_ip_name
            .clone()
            .filter(|_| cx.rot.blue.static_ip_managed),
    }
}

/// `release-*-address`: is the address gone (or kept because someone uses it)?
pub async fn check_released(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    let Some(name) = address_of(cx, side) else {
        return Ok(Check::Done(Evidence::new()));
    };
    match cx.env.gcp.compute.get_address(&name).await {
        Err(e) if e.is_not_found() => Ok(Check::Done(Evidence::from([(
            "released".into(),
            json!(name),
        )]))),
        Err(e) => Err(e.into()),
        Ok(a)
            if !reserved_for(
                a.description.as_deref().unwrap_or_default(),
                &cx.rot.blue.namespace,
                &reserved_ingress(cx, side),
            ) =>
        {
            Ok(Check::Done(Evidence::from([(
                "kept".into(),
                json!(format!(
                    "{name} was not reserved by rotate-cert for ingress `{}/{}`",
                    cx.rot.blue.namespace,
                    reserved_ingress(cx, side)
                )),
            )])))
        }
        Ok(a) if a.status == AddressStatus::InUse => Ok(Check::Pending(format!(
            "address `{name}` is still in use by {}",
            a.users
                .iter()
                .map(|u| u.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        Ok(_) => Ok(Check::NeedsAct),
    }
}

/// `release-*-address`: deletes the address.
pub async fn release(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<()> {
    let Some(name) = address_of(cx, side) else {
        return Ok(());
    };
    let rid = RequestId::new();
    match cx.env.gcp.compute.delete_address(&name, &rid).await {
        Ok(op) => {
            let left = cx
                .deadline
                .saturating_duration_since(std::time::Instant::now());
            cx.env.gcp.compute.wait_operation_for(&op, left).await?;
            Ok(())
        }
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e.into()),
    }
}
