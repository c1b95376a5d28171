//! Cloud Monitoring v3: how many requests a load balancer's forwarding rule served, per
//! aligned period — the evidence that the old ("blue") load balancer has drained.
//!
//! One query shape: `loadbalancing.googleapis.com/https/request_count` on `https_lb_rule`
//! for one forwarding rule, `ALIGN_DELTA` + `REDUCE_SUM` grouped by
//! `resource.label.forwarding_rule_name`. An empty answer (`{}`) means "no points", which
//! is not an error — and, because points appear only after an ingestion delay (up to
//! 210 s), not proof of zero traffic either: the caller decides how long to wait. Values
//! arrive as int64 strings, newest first; [`Monitoring::request_counts`] returns them
//! oldest first. This module does not judge drain.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::client::{ApiClient, ApiRequest};
use super::endpoints::Api;
use super::error::{ErrorKind, GcpError};

/// The metric queried.
pub const REQUEST_COUNT_METRIC: &str = "loadbalancing.googleapis.com/https/request_count";

/// Requests counted in one aligned period `(start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountPoint {
    /// Start of the period (exclusive).
    pub start: SystemTime,
    /// End of the period (inclusive).
    pub end: SystemTime,
    /// Requests served in it.
    pub count: u64,
}

/// The Cloud Monitoring v3 client for one project.
#[derive(Debug, Clone)]
pub struct Monitoring {
    client: Arc<ApiClient>,
    project: Arc<str>,
}

impl Monitoring {
    pub(crate) fn new(client: Arc<ApiClient>, project: Arc<str>) -> Monitoring {
        Monitoring { client, project }
    }

    /// Request counts of `forwarding_rule` in `(start, end]`, per `alignment_period`,
    /// **sorted oldest first** (the API sends newest first). Periods without traffic have
    /// no point; an empty vector means no points at all (`{}`), not an error.
    pub async fn request_counts(
        &self,
        forwarding_rule: &str,
        start: SystemTime,
        end: SystemTime,
        alignment_period: Duration,
    ) -> Result<Vec<CountPoint>, GcpError> {
        self.request_counts_of(&[forwarding_rule], start, end, alignment_period)
            .await
    }

    /// [`Monitoring::request_counts`] summed over several forwarding rules (a load
    /// balancer's HTTPS and HTTP rules), in one query.
    pub async fn request_counts_of(
        &self,
        forwarding_rules: &[&str],
        start: SystemTime,
        end: SystemTime,
        alignment_period: Duration,
    ) -> Result<Vec<CountPoint>, GcpError> {
        let method = "monitoring.projects.timeSeries.list";
        let resource = format!("projects/{}/timeSeries", self.project);
        let invalid = |why: &str| {
            GcpError::new(
                ErrorKind::Invalid,
                Api::Monitoring,
                method,
                resource.clone(),
                why,
            )
        };
        if alignment_period.is_zero() {
            return Err(invalid("the alignment period must be positive"));
        }
        if start > end {
            return Err(invalid("the interval starts after it ends"));
        }
        if forwarding_rules.is_empty()
            || forwarding_rules
                .iter()
                .any(|r| r.is_empty() || r.contains('"'))
        {
            return Err(invalid(
                "a forwarding rule name is missing, empty or contains `\"`",
            ));
        }
        let base = ApiRequest::get(
            Api::Monitoring,
            method,
            vec![
                "v3".to_string(),
                "projects".to_string(),
                self.project.to_string(),
                "timeSeries".to_string(),
            ],
            resource.clone(),
        )
        .query("filter", request_count_filter_of(forwarding_rules))
        .query(
            "interval.startTime",
            crate::util::time::rfc3339_millis(start),
        )
        .query("interval.endTime", crate::util::time::rfc3339_millis(end))
        .query(
            "aggregation.alignmentPeriod",
            google_duration(alignment_period),
        )
        .query("aggregation.perSeriesAligner", "ALIGN_DELTA")
        .query("aggregation.crossSeriesReducer", "REDUCE_SUM")
        .query(
            "aggregation.groupByFields",
            "resource.label.forwarding_rule_name",
        );
        // Sum per period across series and pages (one series is expected).
        let mut periods: BTreeMap<Period, u64> = BTreeMap::new();
        let mut token: Option<String> = None;
        let mut pages = 0u32;
        loop {
            pages += 1;
            let mut req = base.clone();
            if let Some(t) = &token {
                req = req.query("pageToken", t.clone());
            }
            let page: Value = self.client.call(&req).await?;
            let decode = |why| {
                GcpError::new(
                    ErrorKind::Decode,
                    Api::Monitoring,
                    method,
                    resource.clone(),
                    why,
                )
            };
            for (key, n) in points(&page).map_err(decode)? {
                *periods.entry(key).or_default() += n;
            }
            match page["nextPageToken"].as_str().filter(|t| !t.is_empty()) {
                None => break,
                Some(next) if token.as_deref() == Some(next) || pages >= 1000 => {
                    return Err(decode(format!(
                        "paging does not end (page {pages}, token repeated or too many pages)"
                    )));
                }
                Some(next) => token = Some(next.to_string()),
            }
        }
        Ok(periods
            .into_iter()
            .map(|((start, end), count)| CountPoint { start, end, count })
            .collect())
    }
}

/// The filter for one forwarding rule's request count.
pub fn request_count_filter(forwarding_rule: &str) -> String {
    request_count_filter_of(&[forwarding_rule])
}

/// The filter for the request count of any of `rules`.
pub fn request_count_filter_of(rules: &[&str]) -> String {
    let rule = match rules {
        [one] => format!("\"{one}\""),
        many => format!(
            "one_of({})",
            many.iter()
                .map(|r| format!("\"{r}\""))
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    format!(
        "metric.type = \"{REQUEST_COUNT_METRIC}\" AND resource.type = \"https_lb_rule\" AND resource.labels.forwarding_rule_name = {rule}"
    )
}

/// A duration in Google's JSON form: seconds with up to nine fractional digits and an `s`
/// (`60s`, `0.5s`, `1.000000001s`).
pub fn google_duration(d: Duration) -> String {
    let nanos = d.subsec_nanos();
    if nanos == 0 {
        format!("{}s", d.as_secs())
    } else {
        let frac = format!("{nanos:09}");
        format!("{}.{}s", d.as_secs(), frac.trim_end_matches('0'))
    }
}

/// A period's `(start, end)`.
type Period = (SystemTime, SystemTime);

/// Every `(start, end) → count` point of a `ListTimeSeriesResponse` page.
fn points(page: &Value) -> Result<Vec<(Period, u64)>, String> {
    let mut out = Vec::new();
    for series in page["timeSeries"].as_array().into_iter().flatten() {
        for p in series["points"].as_array().into_iter().flatten() {
            let time = |field: &str| -> Result<Option<SystemTime>, String> {
                match p["interval"][field].as_str() {
                    None => Ok(None),
                    Some(t) => crate::util::time::parse_rfc3339(t)
                        .map(Some)
                        .ok_or_else(|| {
                            format!("`interval.{field}` is not an RFC 3339 time: `{t}`")
                        }),
                }
            };
            let end = time("endTime")?.ok_or("a point has no `interval.endTime`")?;
            let start = time("startTime")?.unwrap_or(end);
            let value = &p["value"];
            let count = match (&value["int64Value"], &value["doubleValue"]) {
                (Value::String(s), _) => s
                    .parse::<u64>()
                    .map_err(|_| format!("`int64Value` is not a count: `{s}`"))?,
                (Value::Number(n), _) => n
                    .as_u64()
                    .ok_or_else(|| format!("`int64Value` is not a count: {n}"))?,
                (_, Value::Number(n)) => n.as_f64().map(|f| f.max(0.0).round() as u64).unwrap_or(0),
                _ => return Err("a point has no `int64Value`".to_string()),
            };
            out.push(((start, end), count));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::UNIX_EPOCH;

    #[test]
    fn durations_in_google_form() {
        assert_eq!(google_duration(Duration::from_secs(60)), "60s");
        assert_eq!(google_duration(Duration::from_millis(500)), "0.5s");
        assert_eq!(google_duration(Duration::from_millis(600)), "0.6s");
        assert_eq!(
            google_duration(Duration::from_nanos(1_000_000_001)),
            "1.000000001s"
        );
        assert_eq!(google_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn filter_names_metric_resource_and_rule() {
        assert_eq!(
            request_count_filter("k8s2-fs-x"),
            "metric.type = \"loadbalancing.googleapis.com/https/request_count\" AND resource.type = \"https_lb_rule\" AND resource.labels.forwarding_rule_name = \"k8s2-fs-x\""
        );
    }

    #[test]
    fn points_parse_int64_strings_and_empty_pages() -> Result<(), String> {
        assert!(points(&json!({}))?.is_empty());
        assert!(points(&json!({"unit": "1"}))?.is_empty());
        let page = json!({"timeSeries": [{"points": [
            {"interval": {"startTime": "1970-01-01T00:02:00Z", "endTime": "1970-01-01T00:03:00Z"}, "value": {"int64Value": "42"}},
            {"interval": {"startTime": "1970-01-01T00:01:00Z", "endTime": "1970-01-01T00:02:00Z"}, "value": {"int64Value": 7}},
        ]}]});
        let p = points(&page)?;
        let t = |s| UNIX_EPOCH + Duration::from_secs(s);
        assert_eq!(p, vec![((t(120), t(180)), 42), ((t(60), t(120)), 7)]);
        assert!(points(&json!({"timeSeries": [{"points": [{"interval": {"endTime": "x"}, "value": {"int64Value": "1"}}]}]})).is_err());
        assert!(points(&json!({"timeSeries": [{"points": [{"interval": {"endTime": "1970-01-01T00:03:00Z"}, "value": {"int64Value": "-1"}}]}]})).is_err());
        Ok(())
    }
}
