//! Cloud Monitoring v3 `projects.timeSeries.list` for
//! `loadbalancing.googleapis.com/https/request_count` on `https_lb_rule`, fed by the
//! load-balancer listeners.
//!
//! Requests are counted into sampling periods (60 s, scaled) aligned to the epoch; a
//! period becomes visible only after the ingestion delay (210 s, scaled) has passed since
//! it ended, and a period without traffic produces no point at all — so "no data" right
//! after a change is not zero traffic, exactly the trap the real metric sets. Queries
//! support the filter subset clients use (`=`, `!=`, `starts_with`, `one_of`, joined by
//! `AND`), `ALIGN_NONE|DELTA|SUM|RATE`, `REDUCE_NONE|SUM` with repeated `groupByFields`,
//! int64 values as JSON strings, newest point first, and `{}` when nothing matches.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::World;
use super::core::lock;
use super::google::GoogleError;
use crate::util::time::{parse_rfc3339, rfc3339};

/// The metric the sandbox serves.
pub const REQUEST_COUNT: &str = "loadbalancing.googleapis.com/https/request_count";

/// The labels of one counted request stream.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesKey {
    forwarding_rule: String,
    url_map: String,
    target_proxy: String,
    backend: String,
    response_code: u16,
}

/// Request counters per series and sampling period.
#[derive(Debug, Default)]
pub struct Metrics {
    counts: Mutex<BTreeMap<SeriesKey, BTreeMap<i64, u64>>>,
}

/// Where a request was served, for counting.
#[derive(Debug, Clone)]
pub struct Served<'a> {
    /// HTTPS forwarding rule.
    pub forwarding_rule: &'a str,
    /// URL map.
    pub url_map: &'a str,
    /// Target HTTPS proxy.
    pub target_proxy: &'a str,
    /// Backend service (empty when none matched).
    pub backend: &'a str,
    /// HTTP status answered.
    pub response_code: u16,
}

fn period_index(t: SystemTime, period: Duration) -> i64 {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    (secs / period.as_secs_f64()).floor() as i64
}

fn period_start(index: i64, period: Duration) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs_f64(index.max(0) as f64 * period.as_secs_f64())
}

impl Metrics {
    /// Counts one request served now.
    pub fn record(&self, served: &Served<'_>, sampling: Duration) {
        let key = SeriesKey {
            forwarding_rule: served.forwarding_rule.to_string(),
            url_map: served.url_map.to_string(),
            target_proxy: served.target_proxy.to_string(),
            backend: served.backend.to_string(),
            response_code: served.response_code,
        };
        let idx = period_index(SystemTime::now(), sampling);
        *lock(&self.counts)
            .entry(key)
            .or_default()
            .entry(idx)
            .or_default() += 1;
    }

    /// Total requests per forwarding rule, all time (for the inventory).
    pub fn totals(&self) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (k, periods) in lock(&self.counts).iter() {
            *out.entry(k.forwarding_rule.clone()).or_insert(0) += periods.values().sum::<u64>();
        }
        out
    }
}

/// One comparison of the filter.
#[derive(Debug, Clone, PartialEq)]
enum Cond {
    Eq(String),
    Ne(String),
    StartsWith(String),
    OneOf(Vec<String>),
}

#[derive(Debug, Default)]
struct Filter {
    terms: Vec<(String, Cond)>,
}

fn filter_error(filter: &str) -> GoogleError {
    GoogleError::bad_request(format!(
        "Field filter had an invalid value of \"{filter}\": Could not parse filter \"{filter}\""
    ))
}

/// Removes parentheses that enclose a whole term (`(a = "b")`), but not
/// the ones closing a function call (`a = one_of("b","c")`).
fn strip_outer_parens(mut s: &str) -> &str {
    while let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        s = inner.trim();
    }
    s
}

fn unquote(s: &str) -> Option<String> {
    let s = s.trim();
    (s.len() >= 2 && s.starts_with('"') && s.ends_with('"')).then(|| s[1..s.len() - 1].to_string())
}

impl Filter {
    fn parse(filter: &str) -> Result<Filter, GoogleError> {
        let mut terms = Vec::new();
        for part in filter.split(" AND ") {
            let part = strip_outer_parens(part.trim());
            let (key, cond) = if let Some((k, v)) = part.split_once("!=") {
                (k, Cond::Ne(unquote(v).ok_or_else(|| filter_error(filter))?))
            } else if let Some((k, v)) = part.split_once('=') {
                let v = v.trim();
                let cond = if let Some(arg) = v
                    .strip_prefix("starts_with(")
                    .and_then(|r| r.strip_suffix(')'))
                {
                    Cond::StartsWith(unquote(arg).ok_or_else(|| filter_error(filter))?)
                } else if let Some(args) =
                    v.strip_prefix("one_of(").and_then(|r| r.strip_suffix(')'))
                {
                    let vals: Option<Vec<String>> = args.split(',').map(unquote).collect();
                    Cond::OneOf(vals.ok_or_else(|| filter_error(filter))?)
                } else {
                    Cond::Eq(unquote(v).ok_or_else(|| filter_error(filter))?)
                };
                (k, cond)
            } else {
                return Err(filter_error(filter));
            };
            let key = key
                .trim()
                .replace("resource.label.", "resource.labels.")
                .replace("metric.label.", "metric.labels.");
            if key.is_empty() || key.contains(' ') {
                return Err(filter_error(filter));
            }
            terms.push((key, cond));
        }
        Ok(Filter { terms })
    }

    fn get(&self, key: &str) -> Option<&Cond> {
        self.terms.iter().find(|(k, _)| k == key).map(|(_, c)| c)
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.terms.iter().all(|(k, cond)| {
            if k == "metric.type" || k == "resource.type" {
                return true;
            }
            let v = labels.get(k).map(String::as_str).unwrap_or("");
            match cond {
                Cond::Eq(x) => v == x,
                Cond::Ne(x) => v != x,
                Cond::StartsWith(p) => v.starts_with(p.as_str()),
                Cond::OneOf(xs) => xs.iter().any(|x| x == v),
            }
        })
    }
}

fn labels_of(project: &str, k: &SeriesKey) -> BTreeMap<String, String> {
    let mut l = BTreeMap::new();
    let r = |n: &str| format!("resource.labels.{n}");
    let m = |n: &str| format!("metric.labels.{n}");
    l.insert(r("project_id"), project.to_string());
    l.insert(r("region"), "global".to_string());
    l.insert(r("network_name"), String::new());
    l.insert(r("forwarding_rule_name"), k.forwarding_rule.clone());
    l.insert(r("url_map_name"), k.url_map.clone());
    l.insert(r("target_proxy_name"), k.target_proxy.clone());
    l.insert(r("backend_target_name"), k.backend.clone());
    l.insert(
        r("backend_target_type"),
        if k.backend.is_empty() {
            "UNKNOWN"
        } else {
            "BACKEND_SERVICE"
        }
        .to_string(),
    );
    l.insert(r("backend_name"), String::new());
    l.insert(r("backend_type"), "NETWORK_ENDPOINT_GROUP".to_string());
    l.insert(r("backend_scope"), "us-central1-a".to_string());
    l.insert(r("backend_scope_type"), "ZONE".to_string());
    l.insert(r("matched_url_path_rule"), "UNMATCHED".to_string());
    l.insert(m("response_code"), k.response_code.to_string());
    l.insert(
        m("response_code_class"),
        (k.response_code / 100 * 100).to_string(),
    );
    l.insert(m("protocol"), "HTTP/1.1".to_string());
    l.insert(m("proxy_continent"), "America".to_string());
    l.insert(m("cache_result"), "DISABLED".to_string());
    l.insert(m("load_balancing_scheme"), "EXTERNAL".to_string());
    l.insert(m("client_country"), "United States".to_string());
    l
}

/// Parses a Google duration string (`60s`, `0.5s`).
fn parse_google_duration(s: &str) -> Option<Duration> {
    let secs: f64 = s.strip_suffix('s')?.parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// A query, already validated.
#[derive(Debug)]
struct TimeSeriesQuery {
    filter: Filter,
    start: SystemTime,
    end: SystemTime,
    alignment: Option<Duration>,
    aligner: String,
    reducer: String,
    group_by: Vec<String>,
}

fn parse_query(
    params: &[(String, String)],
    sampling: Duration,
) -> Result<TimeSeriesQuery, GoogleError> {
    let one = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let filter_s = one("filter").ok_or_else(|| {
        GoogleError::bad_request("Field filter had an invalid value of \"\": must be specified")
    })?;
    let filter = Filter::parse(&filter_s)?;
    match filter.get("metric.type") {
        Some(Cond::Eq(t)) if t == REQUEST_COUNT => {}
        Some(Cond::Eq(t)) if t.starts_with("loadbalancing.googleapis.com/") => {
            return Err(GoogleError::bad_request(format!(
                "The sandbox serves only {REQUEST_COUNT}; {t} is not simulated."
            )));
        }
        _ => {
            return Err(GoogleError::bad_request(
                "The provided filter doesn't refer to any known metric.",
            ));
        }
    }
    if let Some(c) = filter.get("resource.type")
        && *c != Cond::Eq("https_lb_rule".into())
    {
        return Err(GoogleError::bad_request(
            "The supplied filter does not specify a valid combination of metric and monitored resource descriptors.",
        ));
    }
    let end_s = one("interval.endTime").ok_or_else(|| {
        GoogleError::bad_request(
            "Field interval.endTime had an invalid value of \"\": must be specified",
        )
    })?;
    let end = parse_rfc3339(&end_s).ok_or_else(|| {
        GoogleError::bad_request(format!(
            "Field interval.endTime had an invalid value of \"{end_s}\""
        ))
    })?;
    let start = match one("interval.startTime") {
        None => end,
        Some(s) => parse_rfc3339(&s).ok_or_else(|| {
            GoogleError::bad_request(format!(
                "Field interval.startTime had an invalid value of \"{s}\""
            ))
        })?,
    };
    if start > end {
        return Err(GoogleError::bad_request(
            "The interval start time must not be after the end time.",
        ));
    }
    let aligner = one("aggregation.perSeriesAligner").unwrap_or_else(|| "ALIGN_NONE".into());
    let reducer = one("aggregation.crossSeriesReducer").unwrap_or_else(|| "REDUCE_NONE".into());
    if !matches!(
        aligner.as_str(),
        "ALIGN_NONE" | "ALIGN_DELTA" | "ALIGN_SUM" | "ALIGN_RATE"
    ) {
        return Err(GoogleError::bad_request(format!(
            "The sandbox supports ALIGN_NONE, ALIGN_DELTA, ALIGN_SUM and ALIGN_RATE, not {aligner}"
        )));
    }
    if !matches!(reducer.as_str(), "REDUCE_NONE" | "REDUCE_SUM") {
        return Err(GoogleError::bad_request(format!(
            "The sandbox supports REDUCE_NONE and REDUCE_SUM, not {reducer}"
        )));
    }
    let alignment = match one("aggregation.alignmentPeriod") {
        None => None,
        Some(s) => Some(parse_google_duration(&s).ok_or_else(|| {
            GoogleError::bad_request(format!(
                "Field aggregation.alignmentPeriod had an invalid value of \"{s}\""
            ))
        })?),
    };
    if aligner != "ALIGN_NONE" {
        let Some(a) = alignment else {
            return Err(GoogleError::bad_request(
                "Field aggregation.alignmentPeriod had an invalid value: must be specified when perSeriesAligner is not ALIGN_NONE",
            ));
        };
        if a + Duration::from_millis(1) < sampling {
            return Err(GoogleError::bad_request(format!(
                "Field aggregation.alignmentPeriod had an invalid value of \"{}s\": must be at least {}s",
                a.as_secs_f64(),
                sampling.as_secs_f64()
            )));
        }
    } else if reducer != "REDUCE_NONE" {
        return Err(GoogleError::bad_request(
            "Field aggregation.crossSeriesReducer had an invalid value: a reducer requires an aligner other than ALIGN_NONE",
        ));
    }
    let group_by = params
        .iter()
        .filter(|(k, _)| k == "aggregation.groupByFields")
        .map(|(_, v)| {
            v.replace("resource.label.", "resource.labels.")
                .replace("metric.label.", "metric.labels.")
        })
        .collect();
    Ok(TimeSeriesQuery {
        filter,
        start,
        end,
        alignment,
        aligner,
        reducer,
        group_by,
    })
}

/// A series' labels and its visible (period end, count) points.
type RawSeries = (BTreeMap<String, String>, Vec<(SystemTime, u64)>);

/// Runs a query against the counters at time `now`.
fn run_query(world: &World, q: &TimeSeriesQuery, now: SystemTime) -> Value {
    let t = world.core.timing;
    let sampling = t.sampling;
    let visible_before = now.checked_sub(t.ingestion).unwrap_or(UNIX_EPOCH);
    let counts = lock(&world.metrics.counts);
    // Raw series: label set → [(period end, count)], only visible periods inside the interval.
    let mut raw: Vec<RawSeries> = Vec::new();
    for (key, periods) in counts.iter() {
        let labels = labels_of(&world.core.project, key);
        if !q.filter.matches(&labels) {
            continue;
        }
        let pts: Vec<(SystemTime, u64)> = periods
            .iter()
            .map(|(idx, n)| (period_start(idx + 1, sampling), *n))
            .filter(|(end, _)| *end <= visible_before && *end > q.start && *end <= q.end)
            .collect();
        if !pts.is_empty() {
            raw.push((labels, pts));
        }
    }
    drop(counts);
    let mut series: Vec<Value> = Vec::new();
    if q.aligner == "ALIGN_NONE" {
        for (labels, mut pts) in raw {
            pts.sort_by_key(|p| std::cmp::Reverse(p.0));
            let points: Vec<Value> = pts
                .iter()
                .map(|(end, n)| {
                    json!({"interval": {"startTime": rfc3339_frac(end.checked_sub(sampling).unwrap_or(UNIX_EPOCH)), "endTime": rfc3339_frac(*end)},
                           "value": {"int64Value": n.to_string()}})
                })
                .collect();
            series.push(series_json(&labels, None, "DELTA", "INT64", points));
        }
    } else {
        let a = q.alignment.unwrap_or(sampling);
        // Group (after alignment) by the groupBy fields when reducing, else per series.
        let mut groups: BTreeMap<Vec<(String, String)>, BTreeMap<u64, u64>> = BTreeMap::new();
        for (labels, pts) in raw {
            let key: Vec<(String, String)> = if q.reducer == "REDUCE_SUM" {
                q.group_by
                    .iter()
                    .map(|g| (g.clone(), labels.get(g).cloned().unwrap_or_default()))
                    .collect()
            } else {
                labels.into_iter().collect()
            };
            let windows = groups.entry(key).or_default();
            for (end, n) in pts {
                // Window k covers (end - (k+1)a, end - k a].
                let back = q.end.duration_since(end).unwrap_or_default().as_secs_f64();
                let k = (back / a.as_secs_f64()).floor() as u64;
                *windows.entry(k).or_default() += n;
            }
        }
        let rate = q.aligner == "ALIGN_RATE";
        for (key, windows) in groups {
            let labels: BTreeMap<String, String> = key.into_iter().collect();
            let points: Vec<Value> = windows
                .iter()
                .map(|(k, n)| {
                    let w_end = q.end.checked_sub(a.mul_f64(*k as f64)).unwrap_or(UNIX_EPOCH);
                    let w_start = w_end.checked_sub(a).unwrap_or(UNIX_EPOCH);
                    let value = if rate {
                        json!({"doubleValue": *n as f64 / a.as_secs_f64()})
                    } else {
                        json!({"int64Value": n.to_string()})
                    };
                    json!({"interval": {"startTime": rfc3339_frac(w_start), "endTime": rfc3339_frac(w_end)}, "value": value})
                })
                .collect();
            let (kind, vt) = if rate {
                ("GAUGE", "DOUBLE")
            } else {
                ("DELTA", "INT64")
            };
            let unit = if rate { Some("1/s") } else { None };
            series.push(series_json(&labels, unit, kind, vt, points));
        }
    }
    if series.is_empty() {
        json!({})
    } else {
        json!({"timeSeries": series, "unit": "1"})
    }
}

fn rfc3339_frac(t: SystemTime) -> String {
    crate::util::time::rfc3339_millis(t)
}

fn series_json(
    labels: &BTreeMap<String, String>,
    unit: Option<&str>,
    kind: &str,
    vt: &str,
    points: Vec<Value>,
) -> Value {
    let mut metric = serde_json::Map::new();
    let mut resource = serde_json::Map::new();
    for (k, v) in labels {
        if let Some(n) = k.strip_prefix("metric.labels.") {
            metric.insert(n.to_string(), json!(v));
        } else if let Some(n) = k.strip_prefix("resource.labels.") {
            resource.insert(n.to_string(), json!(v));
        }
    }
    let mut s = json!({
        "metric": {"type": REQUEST_COUNT, "labels": metric},
        "resource": {"type": "https_lb_rule", "labels": resource},
        "metricKind": kind,
        "valueType": vt,
        "points": points,
    });
    if let Some(u) = unit {
        s["unit"] = json!(u);
    }
    s
}

async fn list_time_series(
    State(world): State<Arc<World>>,
    headers: HeaderMap,
    Path(project): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let call = match world
        .core
        .begin("monitoring.projects.timeSeries.list")
        .await
    {
        Ok(c) => c,
        Err(i) => return GoogleError::new(i.status, &i.reason, "Injected failure").into_response(),
    };
    if let Err(e) = world.tokens.authorize(&headers) {
        return call.finish(e.into_response());
    }
    if project != world.core.project {
        return call.finish(
            GoogleError::new(403, "forbidden", format!("Permission monitoring.timeSeries.list denied (or the resource may not exist) on projects/{project}"))
                .into_response(),
        );
    }
    let resp = match parse_query(&params, world.core.timing.sampling) {
        Ok(q) => axum::Json(run_query(&world, &q, SystemTime::now())).into_response(),
        Err(e) => e.into_response(),
    };
    call.finish(resp)
}

/// The Monitoring route.
pub fn router() -> Router<Arc<World>> {
    Router::new().route("/v3/projects/{project}/timeSeries", get(list_time_series))
}

/// Now, as the RFC 3339 text Monitoring clients send.
pub fn now_text() -> String {
    rfc3339(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(rule: &str) -> BTreeMap<String, String> {
        BTreeMap::from([(
            "resource.labels.forwarding_rule_name".to_string(),
            rule.to_string(),
        )])
    }

    #[test]
    fn one_of_as_the_last_term_keeps_its_closing_parenthesis() {
        let f = Filter::parse(
            r#"metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule" AND resource.labels.forwarding_rule_name = one_of("fs-a","fr-a")"#,
        )
        .expect("a valid filter");
        assert!(f.matches(&labels("fs-a")));
        assert!(f.matches(&labels("fr-a")));
        assert!(!f.matches(&labels("fs-b")));
    }

    #[test]
    fn parenthesised_terms_and_singular_label_prefix_parse() {
        let f = Filter::parse(
            r#"(metric.type = "loadbalancing.googleapis.com/https/request_count") AND (resource.label.forwarding_rule_name = "fs-a")"#,
        )
        .expect("a valid filter");
        assert!(f.matches(&labels("fs-a")));
        assert!(!f.matches(&labels("fs-b")));
    }

    #[test]
    fn an_unbalanced_function_call_is_a_parse_error() {
        let err = Filter::parse(r#"resource.labels.forwarding_rule_name = one_of("a","b""#)
            .expect_err("unbalanced");
        assert!(format!("{err:?}").contains("Could not parse filter"));
    }
}
