//! Label and field selectors (`?labelSelector=`, `?fieldSelector=`), parsed and matched
//! as the API server does.
//!
//! Label selectors support `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
//! `k notin (a,b)`, `k>n`, `k<n`; field selectors `=`, `==`, `!=` on the field labels
//! each resource supports (`metadata.name` and `metadata.namespace` everywhere, the
//! `involvedObject.*` fields on events that `kubectl describe` uses, …). An unsupported
//! field label is a `400 BadRequest`, as on a real server.

use serde_json::Value;

use super::resources::ResourceInfo;
use super::status::Status;

#[derive(Debug, Clone, PartialEq)]
enum Req {
    Exists(String),
    NotExists(String),
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Gt(String, i64),
    Lt(String, i64),
}

/// A parsed label selector (empty = everything).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector(Vec<Req>);

fn split_top(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn bad(req: &str) -> Status {
    Status::bad_request(format!(
        "unable to parse requirement: {req:?}: found unexpected token"
    ))
}

fn key_ok(k: &str) -> bool {
    !k.is_empty() && super::validate::qualified_name(k).is_empty()
}

impl LabelSelector {
    /// Parses a selector string.
    pub fn parse(s: &str) -> Result<LabelSelector, Status> {
        let mut reqs = Vec::new();
        for raw in split_top(s) {
            let r = raw.trim();
            if r.is_empty() {
                continue;
            }
            let req = if let Some(k) = r.strip_prefix('!') {
                Req::NotExists(k.trim().to_string())
            } else if let Some((k, rest)) = set_op(r) {
                let (op, values) = rest;
                let list = values
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect();
                if op == "in" {
                    Req::In(k, list)
                } else {
                    Req::NotIn(k, list)
                }
            } else if let Some((k, v)) = r.split_once("!=") {
                Req::NotEq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = r.split_once("==") {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = r.split_once('=') {
                Req::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = r.split_once('>') {
                Req::Gt(k.trim().into(), v.trim().parse().map_err(|_| bad(r))?)
            } else if let Some((k, v)) = r.split_once('<') {
                Req::Lt(k.trim().into(), v.trim().parse().map_err(|_| bad(r))?)
            } else {
                Req::Exists(r.to_string())
            };
            let key = match &req {
                Req::Exists(k)
                | Req::NotExists(k)
                | Req::Eq(k, _)
                | Req::NotEq(k, _)
                | Req::In(k, _)
                | Req::NotIn(k, _)
                | Req::Gt(k, _)
                | Req::Lt(k, _) => k,
            };
            if !key_ok(key) {
                return Err(bad(r));
            }
            reqs.push(req);
        }
        Ok(LabelSelector(reqs))
    }

    /// Whether an object's labels match.
    pub fn matches(&self, obj: &Value) -> bool {
        let labels = &obj["metadata"]["labels"];
        let get = |k: &str| labels.get(k).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Req::Exists(k) => get(k).is_some(),
            Req::NotExists(k) => get(k).is_none(),
            Req::Eq(k, v) => get(k) == Some(v.as_str()),
            Req::NotEq(k, v) => get(k) != Some(v.as_str()),
            Req::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Req::NotIn(k, vs) => get(k).is_none_or(|x| !vs.iter().any(|v| v == x)),
            Req::Gt(k, n) => get(k)
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x > *n),
            Req::Lt(k, n) => get(k)
                .and_then(|x| x.parse::<i64>().ok())
                .is_some_and(|x| x < *n),
        })
    }
}

/// `key in (a,b)` / `key notin (a,b)` → (key, (op, "a,b")).
fn set_op(r: &str) -> Option<(String, (&'static str, &str))> {
    let open = r.find('(')?;
    let close = r.rfind(')')?;
    let head = r[..open].trim();
    let (key, op) = if let Some(k) = head.strip_suffix("notin") {
        (k, "notin")
    } else if let Some(k) = head.strip_suffix("in") {
        (k, "in")
    } else {
        return None;
    };
    if !key.ends_with(char::is_whitespace) || close < open {
        return None;
    }
    Some((key.trim().to_string(), (op, &r[open + 1..close])))
}

/// A parsed field selector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

fn field_labels(res: &ResourceInfo) -> &'static [&'static str] {
    match res.plural {
        "secrets" => &["type"],
        "namespaces" => &["status.phase"],
        "services" => &["spec.clusterIP", "spec.type"],
        "events" => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        _ => &[],
    }
}

impl FieldSelector {
    /// Parses a selector for `res`, rejecting field labels it does not support.
    pub fn parse(s: &str, res: &ResourceInfo) -> Result<FieldSelector, Status> {
        let mut reqs = Vec::new();
        for raw in s.split(',') {
            let r = raw.trim();
            if r.is_empty() {
                continue;
            }
            let (k, eq, v) = if let Some((k, v)) = r.split_once("!=") {
                (k, false, v)
            } else if let Some((k, v)) = r.split_once("==") {
                (k, true, v)
            } else if let Some((k, v)) = r.split_once('=') {
                (k, true, v)
            } else {
                return Err(Status::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{r}'"
                )));
            };
            let k = k.trim();
            if !["metadata.name", "metadata.namespace"].contains(&k)
                && !field_labels(res).contains(&k)
            {
                return Err(Status::bad_request(format!(
                    "field label not supported: {k}"
                )));
            }
            reqs.push((k.to_string(), eq, v.trim().to_string()));
        }
        Ok(FieldSelector(reqs))
    }

    /// Whether an object matches.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(k, eq, v)| {
            let path = if k == "source" { "source.component" } else { k };
            let actual = path
                .split('.')
                .try_fold(obj, |o, p| o.get(p))
                .map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_default();
            (actual == *v) == *eq
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::lookup;
    use serde_json::json;

    #[test]
    fn label_selector_ops() {
        let obj = json!({"metadata": {"labels": {"app": "web", "tier": "fe", "n": "5"}}});
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&obj);
        assert!(m(""));
        assert!(m("app=web,tier"));
        assert!(m("app==web"));
        assert!(!m("app!=web"));
        assert!(m("app in (web, api),tier notin (be)"));
        assert!(!m("app notin (web)"));
        assert!(m("!missing"));
        assert!(m("missing!=x"));
        assert!(m("n>3") && !m("n<3"));
        assert!(LabelSelector::parse("bad key=1").is_err());
    }

    #[test]
    fn field_selector_fields() {
        let ev = lookup("", "events").unwrap();
        let obj = json!({"metadata": {"name": "e1", "namespace": "default"},
            "involvedObject": {"kind": "Ingress", "name": "web"}, "source": {"component": "lb"}});
        let s = FieldSelector::parse(
            "involvedObject.name=web,involvedObject.kind=Ingress,source=lb",
            ev,
        )
        .unwrap();
        assert!(s.matches(&obj));
        assert!(
            !FieldSelector::parse("metadata.name!=e1", ev)
                .unwrap()
                .matches(&obj)
        );
        let ing = lookup("networking.k8s.io", "ingresses").unwrap();
        let web = json!({"metadata": {"name": "web"}});
        assert!(
            FieldSelector::parse("metadata.name=web", ing)
                .unwrap()
                .matches(&web)
        );
        let err = FieldSelector::parse("spec.foo=1", ing).unwrap_err();
        assert_eq!(err.message, "field label not supported: spec.foo");
    }
}
