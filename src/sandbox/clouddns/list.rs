//! List parameters of the Cloud DNS API: query-string parsing, `maxResults` and
//! opaque `pageToken` paging, and the record-set selectors (`name`, `type`, `filter`).
//!
//! A page token is the base64url of the sort key of the last item returned, so paging
//! stays correct when items are added or removed between pages (a new item sorting
//! after the token shows on a later page; nothing is repeated). Without `maxResults` the
//! server picks the page size ([`DEFAULT_PAGE`]), as the discovery document allows, so
//! clients must follow `nextPageToken`.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::model::{RecordSet, SUPPORTED_TYPES, name_key};
use super::rules::invalid_value;
use crate::sandbox::google::GoogleError;

/// The page size when the client does not ask for one.
pub const DEFAULT_PAGE: usize = 100;
/// The largest page the server returns, whatever the client asks.
pub const MAX_PAGE: usize = 1000;

/// Decoded query-string parameters (the last value wins for a repeated name).
#[derive(Debug, Default, Clone)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses a raw query string.
    pub fn parse(raw: Option<&str>) -> Params {
        Params(
            url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// One parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `maxResults`: a positive integer, at most [`MAX_PAGE`].
    pub fn max_results(&self) -> Result<usize, GoogleError> {
        match self.get("maxResults") {
            None => Ok(DEFAULT_PAGE),
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n > 0 => Ok(usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE)),
                Ok(_) => Err(invalid_value("parameters.maxResults", s)),
                Err(_) => Err(GoogleError::invalid(format!(
                    "Invalid integer value: '{s}'."
                ))),
            },
        }
    }
}

/// One page of `items`, which are in list order with strictly increasing sort keys.
/// Returns the page and the token of the next one.
pub fn page<T>(
    items: Vec<(String, T)>,
    token: Option<&str>,
    max: usize,
) -> Result<(Vec<T>, Option<String>), GoogleError> {
    let after = match token.filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let key = URL_SAFE_NO_PAD
                .decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| invalid_value("parameters.pageToken", t))?;
            Some(key)
        }
    };
    let mut rest = items
        .into_iter()
        .filter(|(k, _)| after.as_ref().is_none_or(|a| k > a))
        .peekable();
    let mut out = Vec::new();
    let mut last = None;
    while out.len() < max {
        let Some((k, v)) = rest.next() else { break };
        out.push(v);
        last = Some(k);
    }
    let next = match (rest.peek(), last) {
        (Some(_), Some(k)) => Some(URL_SAFE_NO_PAD.encode(k)),
        _ => None,
    };
    Ok((out, next))
}

/// Which record sets `rrsets.list` returns.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RrsetSelector {
    name: Option<Vec<String>>,
    suffix: Option<String>,
    rtype: Option<String>,
}

impl RrsetSelector {
    /// Reads `name`, `type` and `filter`. `type` needs `name`; `filter` (the AIP-160
    /// subset Cloud DNS documents: `name="…"`, `type="…"`, `name=has_suffix("…")`,
    /// joined by `AND`) cannot be combined with either.
    pub fn from_params(p: &Params) -> Result<RrsetSelector, GoogleError> {
        let name = p.get("name");
        let rtype = p.get("type");
        if let Some(filter) = p.get("filter") {
            if name.is_some() || rtype.is_some() {
                return Err(invalid_value("parameters.filter", filter));
            }
            return Self::from_filter(filter);
        }
        if let Some(n) = name
            && !n.ends_with('.')
        {
            return Err(invalid_value("parameters.name", n));
        }
        if let Some(t) = rtype {
            if name.is_none() {
                return Err(invalid_value("parameters.name", ""));
            }
            if !SUPPORTED_TYPES.contains(&t) {
                return Err(invalid_value("parameters.type", t));
            }
        }
        Ok(RrsetSelector {
            name: name.map(name_key),
            suffix: None,
            rtype: rtype.map(str::to_string),
        })
    }

    fn from_filter(filter: &str) -> Result<RrsetSelector, GoogleError> {
        let bad = || invalid_value("parameters.filter", filter);
        let unquote = |v: &str| -> Option<String> {
            let v = v.trim();
            let inner = v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .unwrap_or(v);
            (!inner.is_empty() && !inner.contains('"')).then(|| inner.to_string())
        };
        let mut sel = RrsetSelector::default();
        for term in filter.split(" AND ") {
            let (field, value) = term.split_once('=').ok_or_else(bad)?;
            let value = value.trim();
            match field.trim() {
                "name" => {
                    if let Some(arg) = value
                        .strip_prefix("has_suffix(")
                        .and_then(|s| s.strip_suffix(')'))
                    {
                        sel.suffix = Some(unquote(arg).ok_or_else(bad)?.to_ascii_lowercase());
                    } else {
                        let n = unquote(value).ok_or_else(bad)?;
                        if !n.ends_with('.') {
                            return Err(bad());
                        }
                        sel.name = Some(name_key(&n));
                    }
                }
                "type" => {
                    let t = unquote(value).ok_or_else(bad)?;
                    if !SUPPORTED_TYPES.contains(&t.as_str()) {
                        return Err(bad());
                    }
                    sel.rtype = Some(t);
                }
                _ => return Err(bad()),
            }
        }
        Ok(sel)
    }

    /// Whether `rr` is selected.
    pub fn matches(&self, rr: &RecordSet) -> bool {
        self.name.as_ref().is_none_or(|n| *n == name_key(&rr.name))
            && self
                .suffix
                .as_ref()
                .is_none_or(|s| rr.name.to_ascii_lowercase().ends_with(s.as_str()))
            && self.rtype.as_ref().is_none_or(|t| *t == rr.rtype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str) -> Params {
        Params::parse(Some(q))
    }

    #[test]
    fn pages_follow_tokens() {
        let items: Vec<(String, u32)> = (0..5).map(|i| (format!("k{i}"), i)).collect();
        let (p1, t1) = page(items.clone(), None, 2).unwrap();
        assert_eq!(p1, [0, 1]);
        let (p2, t2) = page(items.clone(), t1.as_deref(), 2).unwrap();
        assert_eq!(p2, [2, 3]);
        let (p3, t3) = page(items.clone(), t2.as_deref(), 2).unwrap();
        assert_eq!((p3, t3), (vec![4], None));
        assert!(page(items, Some("!!"), 2).is_err());
        assert_eq!(params("maxResults=0").max_results().unwrap_err().code, 400);
        assert_eq!(params("maxResults=5000").max_results().unwrap(), MAX_PAGE);
        assert_eq!(params("").max_results().unwrap(), DEFAULT_PAGE);
    }

    #[test]
    fn selectors() {
        let www = RecordSet::new("www.example.test.", "A", 1, vec![]);
        let txt = RecordSet::new("www.example.test.", "TXT", 1, vec![]);
        let sel = RrsetSelector::from_params(&params("name=WWW.example.test.&type=A")).unwrap();
        assert!(sel.matches(&www) && !sel.matches(&txt));
        let f = params("filter=name%3D%22www.example.test.%22%20AND%20type%3D%22TXT%22");
        let sel = RrsetSelector::from_params(&f).unwrap();
        assert!(!sel.matches(&www) && sel.matches(&txt));
        let s =
            RrsetSelector::from_params(&params("filter=name%3Dhas_suffix(%22example.test.%22)"))
                .unwrap();
        assert!(s.matches(&www));
        for bad in [
            "type=A",
            "name=www.example.test",
            "name=x.&type=BOGUS",
            "filter=colour%3D%22red%22",
            "filter=name%3D%22a.%22&name=a.",
        ] {
            assert!(RrsetSelector::from_params(&params(bad)).is_err(), "{bad}");
        }
    }
}
