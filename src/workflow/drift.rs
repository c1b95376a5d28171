//! Drift: before `resume` or `rollback` acts, the world must still be what the completed
//! steps say it is. Anything else — blue deleted by someone mid-rotation, green deleted,
//! DNS records changed by another hand — is reported and the run refuses: continuing
//! from a guess is how outages happen.
//!
//! A rollback is judged against where it is going, not where the rotation was: green
//! gone, or records already back on blue, are what a rollback makes anyway, so they do
//! not block it (blue changed still does: there would be nothing to go back to). Refusing
//! there would leave DNS on a dying green with no way back but editing the state file.

use crate::state::{Document, StepStatus};
use crate::workflow::Env;
use crate::workflow::record::Rotation;

fn status(doc: &Document<Rotation>, step: &str) -> StepStatus {
    doc.step(step)
        .map(|s| s.status)
        .unwrap_or(StepStatus::Pending)
}

fn started(doc: &Document<Rotation>, step: &str) -> bool {
    doc.step(step).is_some_and(|s| s.acted())
}

/// Every way the world drifted from the state file; empty when it did not.
/// `rolling_back`: the run goes (or keeps going) back to blue.
pub async fn check(
    doc: &Document<Rotation>,
    env: &Env,
    rolling_back: bool,
) -> anyhow::Result<Vec<String>> {
    let rot = &doc.rotation;
    let ns = &rot.blue.namespace;
    let mut problems = Vec::new();

    if !started(doc, "delete-blue-ingress") {
        match env.k8s.ingress(ns, &rot.blue.name).await? {
            None => problems.push(format!(
                "the blue ingress `{ns}/{}` was deleted by someone else mid-rotation (rotate-cert had not deleted it)",
                rot.blue.name
            )),
            Some(ing) if ing.metadata.uid.as_deref() != Some(rot.blue.uid.as_str()) => problems.push(format!(
                "the blue ingress `{ns}/{}` was deleted and recreated by someone else (uid changed)",
                rot.blue.name
            )),
            Some(ing) if ing.metadata.deletion_timestamp.is_some() => problems.push(format!(
                "the blue ingress `{ns}/{}` is being deleted by someone else",
                rot.blue.name
            )),
            Some(_) => {}
        }
    }
    if !rolling_back
        && status(doc, "create-ingress") == StepStatus::Done
        && !started(doc, "delete-green-ingress")
    {
        match env.k8s.ingress(ns, &rot.green.ingress).await? {
            None => problems.push(format!(
                "the green ingress `{ns}/{}` was deleted by someone else after rotate-cert created it",
                rot.green.ingress
            )),
            Some(ing) if ing.metadata.deletion_timestamp.is_some() => problems.push(format!(
                "the green ingress `{ns}/{}` is being deleted by someone else",
                rot.green.ingress
            )),
            Some(_) => {}
        }
    }
    let green_ip = rot.green.ip.clone();
    let switch_started = started(doc, "switch-dns");
    let switch_done = status(doc, "switch-dns") == StepStatus::Done;
    let rollback_started = started(doc, "rollback-dns");
    let rollback_done = status(doc, "rollback-dns") == StepStatus::Done;
    for rec in &rot.records {
        let sets = env
            .gcp
            .dns
            .list_record_sets(&rec.zone, Some(&rec.name), Some("A"))
            .await?;
        let Some(set) = sets
            .into_iter()
            .find(|s| s.name == rec.name && s.rtype == "A")
        else {
            problems.push(format!(
                "the A record `{}` in zone `{}` was deleted by someone else",
                rec.name, rec.zone
            ));
            continue;
        };
        let mut now = set.rrdatas.clone();
        now.sort();
        let mut blue = rec.blue_rrdatas.clone();
        blue.sort();
        let is_blue = now == blue;
        let is_green = green_ip.as_ref().is_some_and(|g| now == vec![g.clone()]);
        let expected_ok = if rollback_done {
            is_blue
        } else if rollback_started || (rolling_back && switch_started) {
            is_blue || is_green
        } else if switch_done {
            is_green
        } else if switch_started {
            is_blue || is_green
        } else {
            is_blue
        };
        if !expected_ok {
            problems.push(format!(
                "the A record `{}` points at {} — not what the rotation left it at (blue {}{}): someone else changed it",
                rec.name,
                set.rrdatas.join(", "),
                rec.blue_rrdatas.join(", "),
                green_ip.as_ref().map(|g| format!(", green {g}")).unwrap_or_default()
            ));
        }
    }
    Ok(problems)
}
