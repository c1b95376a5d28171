//! Cloud DNS: `switch-dns` (blue → green) and `rollback-dns` (green → blue), each one
//! atomic change per zone, and `verify-dns` / `rollback-verify-dns`, which ask every
//! authoritative nameserver directly.
//!
//! - *Idempotency*: the change deletes exactly the record set observed (name, type, TTL,
//!   data) and adds the same name and TTL with the new IP, so Cloud DNS refuses it (412)
//!   if anything changed; it carries a `clientOperationId` stored before the call, so a
//!   retry after a lost answer is the same change. A record already on the target is done.
//! - *Observation*: `resourceRecordSets.list` for each record; a record that is neither
//!   the source nor the target was changed by someone else and blocks the step.
//! - *Waits*: `changes.get` until `done`; then each nameserver is queried (no recursion,
//!   no cache) until every one answers the target IP.
//! - *Undo*: `rollback-dns` (the same change in the other direction).

use std::collections::BTreeMap;
use std::time::Instant;

use serde_json::json;

use super::{Check, Cx, Evidence, Transient};
use crate::gcp::dns::{ChangeRequest, RecordSet};
use crate::gcp::{ErrorKind, RequestId};
use crate::plan::check_name;
use crate::workflow::record::DnsRecord;

/// Which way a switch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// blue → green (`switch-dns`).
    ToGreen,
    /// green → blue (`rollback-dns`).
    ToBlue,
}

fn green_ip(cx: &Cx<'_>) -> anyhow::Result<String> {
    cx.rot.green.ip.clone().ok_or_else(|| {
        anyhow::anyhow!("the green IP is unknown: the green load balancer was never recorded")
    })
}

/// (from, to) rrdatas of a record for a direction.
fn endpoints(
    cx: &Cx<'_>,
    rec: &DnsRecord,
    dir: Direction,
) -> anyhow::Result<(Vec<String>, Vec<String>)> {
    let green = vec![green_ip(cx)?];
    Ok(match dir {
        Direction::ToGreen => (rec.blue_rrdatas.clone(), green),
        Direction::ToBlue => (green, rec.blue_rrdatas.clone()),
    })
}

fn same(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// The current A record set of each record.
async fn current(cx: &Cx<'_>) -> anyhow::Result<BTreeMap<String, Option<RecordSet>>> {
    let mut out = BTreeMap::new();
    for rec in &cx.rot.records {
        let sets = cx
            .env
            .gcp
            .dns
            .list_record_sets(&rec.zone, Some(&rec.name), Some("A"))
            .await?;
        out.insert(
            rec.name.clone(),
            sets.into_iter()
                .find(|s| s.rtype == "A" && s.name == rec.name),
        );
    }
    Ok(out)
}

/// Which zones still need their change, or why the step is blocked.
async fn pending_zones(cx: &Cx<'_>, dir: Direction) -> anyhow::Result<Result<Vec<String>, String>> {
    let now = current(cx).await?;
    let mut zones = Vec::new();
    for rec in &cx.rot.records {
        let (from, to) = endpoints(cx, rec, dir)?;
        match now.get(&rec.name).cloned().flatten() {
            None => {
                return Ok(Err(format!(
                    "the A record `{}` in zone `{}` was deleted by someone else",
                    rec.name, rec.zone
                )));
            }
            Some(set) if same(&set.rrdatas, &to) => {}
            Some(set) if same(&set.rrdatas, &from) => {
                if !zones.contains(&rec.zone) {
                    zones.push(rec.zone.clone());
                }
            }
            Some(set) => {
                return Ok(Err(format!(
                    "the A record `{}` now points at {} — neither the blue ({}) nor the green IP: someone else changed it",
                    rec.name,
                    set.rrdatas.join(", "),
                    rec.blue_rrdatas.join(", ")
                )));
            }
        }
    }
    Ok(Ok(zones))
}

fn change_ids(cx: &Cx<'_>, dir: Direction) -> Vec<String> {
    cx.rot
        .zones
        .iter()
        .filter_map(|z| {
            let id = match dir {
                Direction::ToGreen => z.switch_change.as_ref(),
                Direction::ToBlue => z.rollback_change.as_ref(),
            };
            id.map(|i| format!("{}#{i}", z.name))
        })
        .collect()
}

/// Whether every record is on `dir`'s target (`Err` says which one is not, and where it
/// points).
pub async fn still_on(cx: &Cx<'_>, dir: Direction) -> anyhow::Result<Result<(), String>> {
    Ok(match pending_zones(cx, dir).await? {
        Ok(z) if z.is_empty() => Ok(()),
        Ok(z) => Err(format!(
            "the DNS records in zone(s) {} point at the old IP again",
            z.join(", ")
        )),
        Err(why) => Err(why),
    })
}

/// Is every record on the target?
pub async fn check_switch(cx: &mut Cx<'_>, dir: Direction) -> anyhow::Result<Check> {
    match pending_zones(cx, dir).await? {
        Err(why) => Ok(Check::Blocked(why)),
        Ok(z) if z.is_empty() => Ok(Check::Done(Evidence::from([
            (
                "records".into(),
                json!(
                    cx.rot
                        .records
                        .iter()
                        .map(|r| r.name.clone())
                        .collect::<Vec<_>>()
                ),
            ),
            ("changes".into(), json!(change_ids(cx, dir).join(", "))),
        ]))),
        Ok(_) if dir == Direction::ToGreen => {
            // Green was proven when it was created, maybe long ago: it must still be
            // there, with the IP the records are about to point at.
            match super::ingress::green_stands(cx).await? {
                Ok(()) => Ok(Check::NeedsAct),
                Err(why) => Ok(Check::Blocked(format!("DNS is not switched: {why}"))),
            }
        }
        Ok(_) => Ok(Check::NeedsAct),
    }
}

/// Sends one atomic change per zone that still needs it.
pub async fn switch(cx: &mut Cx<'_>, dir: Direction) -> anyhow::Result<()> {
    let zones = match pending_zones(cx, dir).await? {
        Ok(z) => z,
        Err(why) => anyhow::bail!(why),
    };
    for zone in zones {
        let mut deletions = Vec::new();
        let mut additions = Vec::new();
        for rec in cx.rot.records_in(&zone).cloned().collect::<Vec<_>>() {
            let (from, to) = endpoints(cx, &rec, dir)?;
            deletions.push(RecordSet {
                name: rec.name.clone(),
                rtype: "A".into(),
                ttl: rec.ttl,
                rrdatas: from,
            });
            additions.push(RecordSet {
                name: rec.name.clone(),
                rtype: "A".into(),
                ttl: rec.ttl,
                rrdatas: to,
            });
        }
        let Some(zrec) = cx.rot.zones.iter().find(|z| z.name == zone) else {
            continue;
        };
        let client_id = match dir {
            Direction::ToGreen => zrec.switch_client_id.clone(),
            Direction::ToBlue => zrec.rollback_client_id.clone(),
        };
        let request = ChangeRequest {
            additions,
            deletions,
            client_operation_id: client_id.parse::<RequestId>().ok(),
        };
        match cx.env.gcp.dns.create_change(&zone, &request).await {
            Ok(change) => {
                if let Some(z) = cx.rot.zones.iter_mut().find(|z| z.name == zone) {
                    match dir {
                        Direction::ToGreen => z.switch_change = Some(change.id),
                        Direction::ToBlue => z.rollback_change = Some(change.id),
                    }
                }
            }
            // Already applied (a lost answer), or changed under us: the wait's check
            // settles which, by observing the records.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::PreconditionFailed | ErrorKind::NotFound | ErrorKind::AlreadyExists
                ) =>
            {
                tracing::info!("dns change in zone {zone} answered {e}; settling by observation");
            }
            Err(e) if e.outcome_unknown() => {
                tracing::info!(
                    "dns change in zone {zone}: outcome unknown ({e}); settling by observation"
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Waits for the changes to be `done`, then for the records to read as the target.
pub async fn wait_switch(cx: &mut Cx<'_>, dir: Direction) -> anyhow::Result<Check> {
    let kind = match dir {
        Direction::ToGreen => super::Kind::SwitchDns,
        Direction::ToBlue => super::Kind::RollbackDns,
    };
    let interval = super::poll_interval(kind, &cx.rot.settings);
    for z in cx.rot.zones.clone() {
        let id = match dir {
            Direction::ToGreen => z.switch_change.clone(),
            Direction::ToBlue => z.rollback_change.clone(),
        };
        if let Some(id) = id {
            cx.progress(
                kind.name(),
                format!(
                    "waiting for Cloud DNS change {id} in zone `{}` to be done",
                    z.name
                ),
                None,
            );
            crate::workflow::hooks::point(kind.name(), "waiting");
            cx.env
                .gcp
                .dns
                .wait_change(&z.name, &id, interval, cx.deadline)
                .await
                .map_err(|e| {
                    let timed_out = matches!(e.kind(), ErrorKind::Timeout);
                    let e = anyhow::Error::from(e);
                    if timed_out {
                        e.context(format!(
                            "`{}` did not finish within {} ({}): Cloud DNS change {id} in zone `{}` was not done",
                            kind.name(),
                            kind.timeout_flag(),
                            cx.rot.settings.dns_timeout,
                            z.name
                        ))
                    } else {
                        e
                    }
                })?;
        }
    }
    match check_switch(cx, dir).await? {
        Check::NeedsAct => Err(Transient("the DNS change did not take effect".into()).into()),
        other => Ok(other),
    }
}

/// Does every authoritative nameserver answer the target for every record?
pub async fn check_served(cx: &mut Cx<'_>, dir: Direction) -> anyhow::Result<Check> {
    let timeout = super::poll_interval(super::Kind::VerifyDns, &cx.rot.settings)
        .max(std::time::Duration::from_millis(500));
    let mut answers = Vec::new();
    let mut waiting = Vec::new();
    let started = Instant::now();
    for zone in cx.rot.zones.clone() {
        for rec in cx.rot.records_in(&zone.name).cloned().collect::<Vec<_>>() {
            let (_, to) = endpoints(cx, &rec, dir)?;
            for ns in &zone.nameservers {
                match crate::dns::query_a(ns, &check_name(&rec.host), timeout).await {
                    Ok(a) => {
                        let got: Vec<String> = a.ips.iter().map(|i| i.to_string()).collect();
                        if !same(&got, &to) {
                            waiting.push(format!(
                                "{} answers {} for {}",
                                ns.name,
                                if got.is_empty() {
                                    a.rcode.clone()
                                } else {
                                    got.join(",")
                                },
                                rec.host
                            ));
                        }
                        answers.push(json!({"nameserver": ns.name, "host": rec.host, "answer": got, "ttl": a.ttl}));
                    }
                    Err(e) => waiting.push(e.to_string()),
                }
            }
        }
    }
    if waiting.is_empty() {
        Ok(Check::Done(Evidence::from([
            ("answers".into(), json!(answers)),
            ("query_secs".into(), json!(started.elapsed().as_secs_f64())),
        ])))
    } else {
        Ok(Check::Pending(waiting.join("; ")))
    }
}
