//! `drain` (blue, before cleanup) and `drain-green` (green, on rollback): wait until the
//! old load balancer has stopped receiving traffic.
//!
//! - *Idempotency*: read-only.
//! - *Observation*: Cloud Monitoring `https/request_count` of the old HTTPS forwarding
//!   rule, per sampling period. Only **settled** data counts: a period is final once the
//!   ingestion delay has passed since it ended, so "no point" in a settled period means
//!   zero requests, while no point in a recent period means nothing yet.
//! - *Waits*: at least the records' TTL (and `--min-drain`) after every nameserver
//!   answered the new IP — before that, resolvers may still hand out the old one — then
//!   until the settled data shows the rate at or below `--drain-threshold` for
//!   `--quiet-period`, and the settled data reaches past the TTL. Keep-alive connections
//!   to the old load balancer keep producing requests, so they are waited out too. One
//!   Monitoring query per sampling period. `--force` skips the wait (recorded).
//! - *Undo*: none needed.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;

use super::{Check, Cx, Evidence};
use crate::util::duration::format_duration;
use crate::util::time::{rfc3339, rfc3339_millis};

/// Which side drains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Blue, after DNS moved to green.
    Blue,
    /// Green, after a rollback moved DNS back to blue.
    Green,
}

/// `t` rounded down to a multiple of `period` since the epoch (in whole nanoseconds, so a
/// boundary never lands a rounding error early).
fn align_down(t: SystemTime, period: Duration) -> SystemTime {
    let ns = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_nanos();
    let p = period.as_nanos().max(1_000_000);
    let aligned = ns / p * p;
    UNIX_EPOCH
        + Duration::new(
            (aligned / 1_000_000_000) as u64,
            (aligned % 1_000_000_000) as u32,
        )
}

/// The drain verdict at `now`, and when looking again can change it.
async fn evaluate(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<(Check, Option<SystemTime>)> {
    let kind = match side {
        Side::Blue => super::Kind::Drain,
        Side::Green => super::Kind::DrainGreen,
    };
    // A load balancer's HTTP and HTTPS rules both count: clients may use either.
    let (lb, after, forced) = match side {
        Side::Blue => (
            Some(cx.rot.blue.lb.clone()),
            "verify-dns",
            cx.rot.force_drain,
        ),
        Side::Green => (
            cx.rot.green.lb.clone(),
            "rollback-verify-dns",
            cx.rot.force_green_drain,
        ),
    };
    let Some(lb) = lb else {
        return Ok((
            Check::Done(Evidence::from([(
                "summary".into(),
                json!("no green load balancer was built: nothing to drain"),
            )])),
            None,
        ));
    };
    let mut rules = vec![lb.https_forwarding_rule.clone()];
    rules.extend(lb.forwarding_rule.clone());
    let rule = lb.https_forwarding_rule.clone();
    let Some(t0) = cx.finished_at(after) else {
        return Ok((
            Check::Blocked(format!(
                "`{after}` has not finished: the drain has no starting point"
            )),
            None,
        ));
    };
    if forced {
        let warning =
            format!("drain of `{rule}` skipped with --force: clients may still have been using it");
        if !cx.rot.warnings.contains(&warning) {
            cx.rot.warnings.push(warning.clone());
        }
        return Ok((
            Check::Done(Evidence::from([
                ("forced".into(), json!(true)),
                ("dns_verified_at".into(), json!(rfc3339_millis(t0))),
                ("summary".into(), json!(warning)),
            ])),
            None,
        ));
    }
    let s = &cx.rot.settings;
    let period = s
        .metric_sampling_period
        .get()
        .max(Duration::from_millis(100));
    let delay = s.metric_ingestion_delay.get();
    let quiet = s.quiet_period.get();
    let ttl = Duration::from_secs(cx.rot.max_ttl() as u64);
    let earliest = t0 + ttl.max(s.min_drain.get());
    let now = SystemTime::now();
    let settled = align_down(now.checked_sub(delay).unwrap_or(UNIX_EPOCH), period);
    let next_settle = settled + period + delay;
    if settled < earliest {
        let ready = align_down(earliest, period) + period + delay;
        let msg = format!(
            "waiting out the old TTL ({}s) and the metric's ingestion delay ({}) before trusting Monitoring",
            ttl.as_secs(),
            format_duration(delay)
        );
        let expected = ready.duration_since(now).unwrap_or_default()
            + quiet.saturating_sub(ttl.max(s.min_drain.get()));
        cx.progress(kind.name(), msg.clone(), Some(expected));
        return Ok((Check::Pending(msg), Some(ready)));
    }
    let window_start = settled.checked_sub(quiet).unwrap_or(UNIX_EPOCH);
    // Look back a quiet period before the switch too: a load balancer that shows no
    // request at all, ever, is worth a warning (wrong project, no permission, or idle).
    let query_start = window_start
        .min(t0.checked_sub(quiet).unwrap_or(UNIX_EPOCH))
        .checked_sub(period)
        .unwrap_or(UNIX_EPOCH);
    let rule_refs: Vec<&str> = rules.iter().map(String::as_str).collect();
    let points = cx
        .env
        .gcp
        .monitoring
        .request_counts_of(&rule_refs, query_start, settled, period)
        .await?;
    let rate = |count: u64| count as f64 / period.as_secs_f64();
    let threshold = s.drain_threshold;
    let in_window: Vec<_> = points
        .iter()
        .filter(|p| p.end > window_start && p.end <= settled)
        .collect();
    let max_rate = in_window.iter().map(|p| rate(p.count)).fold(0.0, f64::max);
    let last_busy = points
        .iter()
        .filter(|p| rate(p.count) > threshold)
        .map(|p| p.end)
        .max();
    let saw_traffic = points.iter().any(|p| p.count > 0);
    let quiet_ok = in_window.iter().all(|p| rate(p.count) <= threshold);
    let quiet_since = last_busy.unwrap_or(query_start);
    let quiet_for = settled.duration_since(quiet_since).unwrap_or_default();
    if quiet_ok {
        if !saw_traffic {
            let warning = format!(
                "Cloud Monitoring showed no request at all on `{rule}`, before or after the switch: an idle load balancer, or check that Monitoring is readable in project `{}`",
                cx.rot.settings.project
            );
            if !cx.rot.warnings.contains(&warning) {
                cx.rot.warnings.push(warning);
            }
        }
        let summary = format!(
            "`{rule}` at ≤ {threshold} req/s for {} of settled data (up to {} ago); last traffic {}",
            format_duration(quiet),
            format_duration(now.duration_since(settled).unwrap_or_default()),
            last_busy.map(rfc3339).unwrap_or_else(|| "none seen".into())
        );
        return Ok((
            Check::Done(Evidence::from([
                ("forwarding_rule".into(), json!(rule)),
                ("forwarding_rules".into(), json!(rules)),
                // Milliseconds: the proof of the drain must hold at any pace.
                ("dns_verified_at".into(), json!(rfc3339_millis(t0))),
                ("earliest".into(), json!(rfc3339_millis(earliest))),
                ("settled_until".into(), json!(rfc3339_millis(settled))),
                ("quiet_window_secs".into(), json!(quiet.as_secs_f64())),
                ("max_rate_in_window".into(), json!(max_rate)),
                ("last_traffic".into(), json!(last_busy.map(rfc3339_millis))),
                ("saw_traffic".into(), json!(saw_traffic)),
                ("summary".into(), json!(summary)),
            ])),
            None,
        ));
    }
    let latest_rate = in_window
        .iter()
        .max_by_key(|p| p.end)
        .map(|p| rate(p.count))
        .unwrap_or(0.0);
    let msg = format!(
        "`{rule}` still serves {latest_rate:.1} req/s (settled data up to {} ago); quiet for {} of {}",
        format_duration(now.duration_since(settled).unwrap_or_default()),
        format_duration(quiet_for),
        format_duration(quiet)
    );
    let expected = quiet.saturating_sub(quiet_for) + delay;
    cx.progress(kind.name(), msg.clone(), Some(expected));
    Ok((Check::Pending(msg), Some(next_settle)))
}

/// One evaluation.
pub async fn check(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    Ok(evaluate(cx, side).await?.0)
}

/// Waits, looking again only when new settled data can exist.
pub async fn wait(cx: &mut Cx<'_>, side: Side) -> anyhow::Result<Check> {
    let kind = match side {
        Side::Blue => super::Kind::Drain,
        Side::Green => super::Kind::DrainGreen,
    };
    loop {
        let (check, next) = match evaluate(cx, side).await {
            Ok(v) => v,
            Err(e) if super::retryable(&e) => {
                cx.progress(kind.name(), format!("{e:#}; retrying"), None);
                (
                    Check::Pending(String::new()),
                    Some(SystemTime::now() + cx.rot.settings.metric_sampling_period.get()),
                )
            }
            Err(e) => return Err(e),
        };
        match check {
            Check::Pending(_) => {}
            other => return Ok(other),
        }
        crate::workflow::hooks::point(kind.name(), "waiting");
        if std::time::Instant::now() >= cx.deadline {
            anyhow::bail!(
                "the drain did not finish within --drain-timeout ({}); run `resume` to keep waiting, or `resume --force` to skip the drain",
                cx.rot.settings.drain_timeout
            );
        }
        let sleep = next
            .and_then(|t| t.duration_since(SystemTime::now()).ok())
            .unwrap_or(Duration::from_millis(50))
            .max(Duration::from_millis(20))
            .min(
                cx.deadline
                    .saturating_duration_since(std::time::Instant::now()),
            );
        tokio::time::sleep(sleep).await;
    }
}
