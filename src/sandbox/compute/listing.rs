//! Compute list responses: the `filter` subset clients send (comparisons on fields
//! joined by `AND`, in the AIP-160 style or the regex style with `eq`/`ne`), and paging
//! with `maxResults` (0–500, default 500) and opaque `pageToken`s; `items` is omitted
//! when a page is empty, as the real API does.

use std::collections::HashMap;

use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::links::LINK_BASE;
use crate::sandbox::google::GoogleError;

/// One page of a list response: `items` omitted when empty, `nextPageToken` when more.
pub(super) fn page(
    items: Vec<Value>,
    q: &HashMap<String, String>,
    kind: &str,
    project: &str,
    path: &str,
) -> Response {
    let max: usize = match q.get("maxResults").map(|m| m.parse::<usize>()) {
        None => 500,
        Some(Ok(m)) if m <= 500 => {
            if m == 0 {
                500
            } else {
                m
            }
        }
        Some(_) => {
            return GoogleError::invalid(
                "Invalid value for field 'maxResults': must be between 0 and 500.",
            )
            .into_response();
        }
    };
    let start = match q.get("pageToken") {
        None => 0,
        Some(t) => match base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|s| s.parse::<usize>().ok())
        {
            Some(n) => n,
            None => {
                return GoogleError::invalid("Invalid value for field 'pageToken'.")
                    .into_response();
            }
        },
    };
    let total = items.len();
    let slice: Vec<Value> = items.into_iter().skip(start).take(max).collect();
    let mut body = json!({
        "kind": kind,
        "id": format!("projects/{project}/global/{path}"),
        "selfLink": format!("{LINK_BASE}projects/{project}/global/{path}"),
    });
    if !slice.is_empty() {
        body["items"] = Value::Array(slice);
    }
    if start + max < total {
        body["nextPageToken"] = json!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode((start + max).to_string())
        );
    }
    axum::Json(body).into_response()
}

/// The list `filter` subset the sandbox understands: comparisons on top-level string
/// fields joined by `AND` — `name = "x"`, `name != "x"`, `name = x*` (prefix), and the
/// regex style `name eq 'k8s2-.*'` / `name ne '…'` with `.*` wildcards.
#[derive(Debug)]
pub(super) struct Filter(Vec<(String, bool, String)>);

impl Filter {
    pub(super) fn parse(s: &str) -> Result<Filter, GoogleError> {
        let bad = || {
            GoogleError::invalid(format!(
                "Invalid value for field 'filter': '{s}'. Invalid list filter expression."
            ))
        };
        let mut terms = Vec::new();
        for part in s.split(" AND ") {
            let part = part
                .trim()
                .trim_start_matches('(')
                .trim_end_matches(')')
                .trim();
            let (field, eq, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once(" eq ") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once(" ne ") {
                (f, false, v)
            } else {
                return Err(bad());
            };
            let field = field.trim();
            if field.is_empty()
                || !field
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            {
                return Err(bad());
            }
            let value = value
                .trim()
                .trim_matches('"')
                .trim_matches('\'')
                .replace(".*", "*");
            terms.push((field.to_string(), eq, value));
        }
        Ok(Filter(terms))
    }

    pub(super) fn matches(&self, item: &Value) -> bool {
        self.0.iter().all(|(field, eq, pattern)| {
            let v = field.split('.').fold(item, |v, k| &v[k]);
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            glob(pattern, &s) == *eq
        })
    }
}

fn glob(pattern: &str, s: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == s;
    }
    let mut rest = s;
    for (i, p) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(p) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(p);
        } else {
            match rest.find(p) {
                Some(idx) => rest = &rest[idx + p.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let item = json!({"name": "k8s2-fs-abc", "IPAddress": "127.1.0.1"});
        assert!(
            Filter::parse("name = \"k8s2-fs-abc\"")
                .unwrap()
                .matches(&item)
        );
        assert!(
            !Filter::parse("name != \"k8s2-fs-abc\"")
                .unwrap()
                .matches(&item)
        );
        assert!(Filter::parse("name eq 'k8s2-.*'").unwrap().matches(&item));
        assert!(
            Filter::parse("(name eq 'k8s2-.*') AND (IPAddress = \"127.1.0.1\")")
                .unwrap()
                .matches(&item)
        );
        assert!(!Filter::parse("name ne '.*abc'").unwrap().matches(&item));
        assert!(Filter::parse("garbage").is_err());
    }
}
