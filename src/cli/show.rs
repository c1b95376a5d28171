//! Renders plans, status and summaries for people (and their JSON twins).

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use crate::ops::status::Live;
use crate::plan::Plan;
use crate::state::{Document, StepStatus};
use crate::steps::short;
use crate::util::duration::format_duration;
use crate::workflow::record::Rotation;

/// A plan, as text.
pub fn plan_text(plan: &Plan) -> String {
    let r = &plan.rotation;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "plan: rotate ingress `{}/{}` (project `{}`)",
        r.blue.namespace, r.blue.name, r.settings.project
    );
    let _ = writeln!(
        out,
        "  new certificate  {} · {} · SANs {} · expires {} · {}",
        short(&r.cert.sha256),
        r.cert.subject,
        r.cert.sans.join(", "),
        r.cert.not_after,
        r.cert.key_type
    );
    let serving: Vec<String> = r
        .blue
        .serving
        .iter()
        .map(|(h, f)| format!("{h} {}", short(f)))
        .collect();
    let _ = writeln!(
        out,
        "  blue             {} · {} · serving {}",
        r.blue.ip,
        r.blue.lb.https_forwarding_rule,
        if serving.is_empty() {
            "?".into()
        } else {
            serving.join(", ")
        }
    );
    for rec in &r.records {
        let ns = r
            .zones
            .iter()
            .find(|z| z.name == rec.zone)
            .map(|z| z.nameservers.len())
            .unwrap_or(0);
        let _ = writeln!(
            out,
            "  record           {} A {}s → {} (zone `{}`, {ns} nameserver(s) to verify)",
            rec.name,
            rec.ttl,
            rec.blue_rrdatas.join(","),
            rec.zone
        );
    }
    let _ = writeln!(out, "changes:");
    for (i, c) in plan.changes.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {:>2}. {:<20} {} {} `{}` — {}",
            i + 1,
            c.step,
            c.action,
            c.kind,
            c.name,
            c.detail
        );
    }
    let _ = writeln!(out, "waits:");
    for w in &plan.waits {
        let mut line = format!("  {:<22} {}", w.step, w.what);
        if let Some(a) = w.at_least {
            line.push_str(&format!(" · at least {}", format_duration(a)));
        }
        if let Some(d) = w.deadline {
            line.push_str(&format!(" · gives up after {}", format_duration(d)));
        }
        let _ = writeln!(out, "{line}");
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// A plan, as JSON.
pub fn plan_json(plan: &Plan) -> Value {
    let r = &plan.rotation;
    json!({
        "event": "plan",
        "ingress": format!("{}/{}", r.blue.namespace, r.blue.name),
        "project": r.settings.project,
        "nothing_to_do": plan.nothing_to_do,
        "certificate": r.cert,
        "blue": {"ip": r.blue.ip, "https_forwarding_rule": r.blue.lb.https_forwarding_rule, "serving": r.blue.serving, "hosts": r.blue.hosts},
        "green": {"ingress": r.green.ingress, "secret": r.green.secret, "address": r.green.address},
        "records": r.records,
        "zones": r.zones.iter().map(|z| json!({"name": z.name, "dns_name": z.dns_name, "nameservers": z.nameservers})).collect::<Vec<_>>(),
        "changes": plan.changes,
        "waits": plan.waits,
        "warnings": plan.warnings,
    })
}

fn step_secs(doc: &Document<Rotation>, name: &str) -> Option<f64> {
    let s = doc.step(name)?;
    let a = crate::util::time::parse_rfc3339(s.started_at.as_deref()?)?;
    let b = crate::util::time::parse_rfc3339(s.finished_at.as_deref()?)?;
    b.duration_since(a).ok().map(|d| d.as_secs_f64())
}

/// The steps of a rotation with their status and duration.
pub fn steps_json(doc: &Document<Rotation>) -> Value {
    Value::Array(
        doc.steps
            .iter()
            .map(|s| {
                json!({
                    "step": s.name, "status": s.status.to_string(), "started_at": s.started_at,
                    "finished_at": s.finished_at, "seconds": step_secs(doc, &s.name), "error": s.error,
                })
            })
            .collect(),
    )
}

/// The closing summary of a run.
pub fn summary_json(
    doc: &Document<Rotation>,
    path: &std::path::Path,
    ok: bool,
    elapsed: Duration,
) -> Value {
    let r = &doc.rotation;
    json!({
        "event": "summary",
        "ok": ok,
        "rotation_id": doc.rotation_id,
        "state_file": path.display().to_string(),
        "ingress": {"from": format!("{}/{}", r.blue.namespace, r.blue.name), "to": format!("{}/{}", r.blue.namespace, r.green.ingress)},
        "ip": {"from": r.blue.ip, "to": r.green.ip},
        "certificate": r.cert.sha256,
        "rolled_back": r.rolling_back,
        "warnings": r.warnings,
        "elapsed_secs": elapsed.as_secs_f64(),
        "steps": steps_json(doc),
    })
}

/// The closing summary, as text.
pub fn summary_text(doc: &Document<Rotation>, elapsed: Duration) -> String {
    let r = &doc.rotation;
    let mut out = String::new();
    if r.rolling_back {
        // A green Ingress found not to be this rotation's was left alone, not removed.
        let green_kept = doc
            .step("delete-green-ingress")
            .is_some_and(|s| s.evidence.contains_key("kept"));
        let _ = writeln!(
            out,
            "rolled back: ingress `{}/{}` on {} serves the old certificate; green `{}` {} ({})",
            r.blue.namespace,
            r.blue.name,
            r.blue.ip,
            r.green.ingress,
            if green_kept {
                "left alone (not created by this rotation)"
            } else {
                "removed"
            },
            format_duration(elapsed)
        );
    } else {
        let _ = writeln!(
            out,
            "rotated: `{}/{}` → `{}/{}`, IP {} → {}, certificate {} ({})",
            r.blue.namespace,
            r.blue.name,
            r.blue.namespace,
            r.green.ingress,
            r.blue.ip,
            r.green.ip.clone().unwrap_or_default(),
            short(&r.cert.sha256),
            format_duration(elapsed)
        );
    }
    // Certificate warnings were shown with the plan; repeat only what the run added.
    for w in r
        .warnings
        .iter()
        .filter(|w| !w.starts_with("certificate `"))
    {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// `status`, as text.
pub fn status_text(
    doc: &Document<Rotation>,
    path: &std::path::Path,
    live: Option<&Live>,
) -> String {
    let r = &doc.rotation;
    let mut out = String::new();
    let complete = crate::ops::rotation::is_complete(doc);
    let phase = match (r.rolling_back, complete) {
        (true, true) => "rolled back",
        (true, false) => "rolling back",
        (false, true) => "complete",
        (false, false) => "in progress",
    };
    let _ = writeln!(
        out,
        "rotation {} of ingress `{}/{}`: {phase}\n  state file       {} (serial {}, updated {})",
        doc.rotation_id,
        r.blue.namespace,
        r.blue.name,
        path.display(),
        doc.serial,
        doc.updated_at
    );
    let _ = writeln!(
        out,
        "  certificate      {} → {} (expires {})",
        short(
            r.blue
                .serving
                .values()
                .next()
                .map(String::as_str)
                .unwrap_or("?")
        ),
        short(&r.cert.sha256),
        r.cert.not_after
    );
    let _ = writeln!(out, "  blue             `{}` {}", r.blue.name, r.blue.ip);
    let _ = writeln!(
        out,
        "  green            `{}` {}",
        r.green.ingress,
        r.green.ip.clone().unwrap_or_else(|| "(no IP yet)".into())
    );
    let _ = writeln!(out, "steps:");
    let forward: Vec<&str> = crate::steps::forward().iter().map(|k| k.name()).collect();
    for s in &doc.steps {
        if r.rolling_back && s.status == StepStatus::Pending && forward.contains(&s.name.as_str()) {
            continue;
        }
        let dur = step_secs(doc, &s.name)
            .map(|d| format!(" ({})", format_duration(Duration::from_secs_f64(d))))
            .unwrap_or_default();
        let mark = match s.status {
            StepStatus::Done => "done   ",
            StepStatus::Skipped => "skipped",
            StepStatus::Started => "started",
            StepStatus::Failed => "FAILED ",
            StepStatus::Pending => "pending",
        };
        let err = s
            .error
            .as_ref()
            .map(|e| format!(" — {e}"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {mark} {}{dur}{err}", s.name);
    }
    if let Some(live) = live {
        let _ = writeln!(out, "live:");
        for a in &live.dns {
            let ans = if a.answer.is_empty() {
                a.error.clone().unwrap_or_default()
            } else {
                a.answer.join(",")
            };
            let side = if r
                .green
                .ip
                .as_ref()
                .is_some_and(|g| a.answer == vec![g.clone()])
            {
                " (green)"
            } else if a.answer == vec![r.blue.ip.clone()] {
                " (blue)"
            } else {
                ""
            };
            let _ = writeln!(out, "  dns    {} @{} → {ans}{side}", a.host, a.nameserver);
        }
        for s in &live.served {
            let what = match (&s.leaf_sha256, s.certificate) {
                (Some(f), Some(c)) => format!(
                    "serves {c} certificate {}{}",
                    short(f),
                    if s.verified {
                        ""
                    } else {
                        " (chain does not verify)"
                    }
                ),
                _ => format!(
                    "no TLS answer: {}",
                    s.error.as_deref().unwrap_or("unknown error")
                ),
            };
            let http = s
                .http_status
                .map(|h| format!(", HTTP {h}"))
                .unwrap_or_default();
            let _ = writeln!(out, "  {:<6} {} {} {what}{http}", s.side, s.ip, s.host);
        }
        for i in &live.ingresses {
            let backends: Vec<String> =
                i.backends.iter().map(|(b, h)| format!("{b} {h}")).collect();
            let _ = writeln!(
                out,
                "  {:<6} ingress `{}` {}{}",
                i.side,
                i.name,
                i.state,
                if backends.is_empty() {
                    String::new()
                } else {
                    format!(" · backends {}", backends.join(", "))
                }
            );
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}
