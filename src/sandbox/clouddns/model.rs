//! The values Cloud DNS stores — resource record sets keyed by name and type — and the
//! DNS-name and record-data rules both the API and the DNS server rely on.
//!
//! Names are compared case-insensitively and kept in canonical DNS order (RFC 4034
//! §6.1: by reversed labels), so a zone's apex lists first and every descendant of a
//! name sorts right after it. Record data is stored exactly as the client wrote it
//! (deletions must repeat it exactly, as on Google) and parsed with `hickory-proto`'s
//! presentation-format parser only to validate it and to serve it.

use std::net::Ipv4Addr;
use std::str::FromStr;

use hickory_proto::rr::{RData, RecordType};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The record types the sandbox accepts and serves. Cloud DNS knows a few more
/// (`DNSKEY`, `DS`, `IPSECKEY`, `SPF`); the sandbox refuses those with 400 rather than
/// store data it could not serve.
pub const SUPPORTED_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA", "SRV", "SSHFP",
    "SVCB", "TLSA", "TXT",
];

/// One resource record set, as the Cloud DNS API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Owner name, fully qualified with a trailing dot, lowercase.
    pub name: String,
    /// Record type (`A`, `CNAME`, …).
    #[serde(rename = "type")]
    pub rtype: String,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Record data in presentation format, as written by the client.
    pub rrdatas: Vec<String>,
}

impl RecordSet {
    /// A record set.
    pub fn new(name: &str, rtype: &str, ttl: u32, rrdatas: Vec<String>) -> Self {
        RecordSet {
            name: normalize_name(name),
            rtype: rtype.to_ascii_uppercase(),
            ttl,
            rrdatas,
        }
    }

    /// The API's JSON (`dns#resourceRecordSet`).
    pub fn to_json(&self) -> Value {
        json!({
            "kind": "dns#resourceRecordSet",
            "name": self.name,
            "type": self.rtype,
            "ttl": self.ttl,
            "rrdatas": self.rrdatas,
        })
    }

    /// The map key of this set.
    pub fn key(&self) -> RrKey {
        RrKey::new(&self.name, &self.rtype)
    }

    /// `name (TYPE)`, the way Google's error messages name a record set.
    pub fn label(&self) -> String {
        format!("{} ({})", self.name, self.rtype)
    }

    /// Whether `other` is the same set: same name, type and TTL, and the same record
    /// data in any order (compared exactly, as written).
    pub fn same_as(&self, other: &RecordSet) -> bool {
        if self.key() != other.key() || self.ttl != other.ttl {
            return false;
        }
        let mut a: Vec<&str> = self.rrdatas.iter().map(String::as_str).collect();
        let mut b: Vec<&str> = other.rrdatas.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        a == b
    }
}

/// A record-set key: the owner name's labels, reversed and lowercased (canonical DNS
/// order), then the type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RrKey {
    /// Reversed lowercase labels (`www.example.test.` → `["test", "example", "www"]`).
    pub name: Vec<String>,
    /// Record type, uppercase.
    pub rtype: String,
}

impl RrKey {
    /// The key of `name`/`rtype`.
    pub fn new(name: &str, rtype: &str) -> Self {
        RrKey {
            name: name_key(name),
            rtype: rtype.to_ascii_uppercase(),
        }
    }

    /// The smallest key owned by `name` (for range scans over one name and its
    /// descendants).
    pub fn first_of(name: Vec<String>) -> Self {
        RrKey {
            name,
            rtype: String::new(),
        }
    }

    /// A string that sorts exactly like the key (for opaque page tokens).
    pub fn sort_string(&self) -> String {
        format!("{}\u{0}{}", self.name.join("\u{1}"), self.rtype)
    }
}

/// Lowercases a name and makes sure it ends with one dot.
pub fn normalize_name(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    if lower.ends_with('.') {
        lower
    } else {
        format!("{lower}.")
    }
}

/// The reversed lowercase labels of `name` (the root is empty).
pub fn name_key(name: &str) -> Vec<String> {
    let lower = name.to_ascii_lowercase();
    let trimmed = lower.strip_suffix('.').unwrap_or(&lower);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed.rsplit('.').map(str::to_string).collect()
}

/// Turns a key's labels back into a fully qualified name.
pub fn key_to_name(labels: &[String]) -> String {
    if labels.is_empty() {
        return ".".to_string();
    }
    let mut parts: Vec<&str> = labels.iter().map(String::as_str).collect();
    parts.reverse();
    format!("{}.", parts.join("."))
}

/// Whether `name` is a syntactically valid fully qualified owner name: a trailing dot,
/// labels of 1–63 letters, digits, `-` or `_`, a `*` only as the whole first label, at
/// most 253 characters before the final dot.
pub fn valid_owner_name(name: &str) -> bool {
    let Some(body) = name.strip_suffix('.') else {
        return false;
    };
    if body.is_empty() || body.len() > 253 {
        return false;
    }
    body.split('.').enumerate().all(|(i, label)| {
        (i == 0 && label == "*")
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'))
    })
}

/// Whether `name` is `apex` or below it (label-wise: `evilexample.test.` is not under
/// `example.test.`).
pub fn in_zone(name: &str, apex: &str) -> bool {
    name_key(name).starts_with(&name_key(apex))
}

/// Parses one rrdata of `rtype` the way the DNS server will serve it; `None` when it is
/// not valid presentation format for the type. Beyond the parser's rules: `A` data must
/// be a dotted-quad IPv4 address and every domain name inside the data must be fully
/// qualified (end with a dot), as Cloud DNS requires.
pub fn parse_rdata(rtype: &str, data: &str) -> Option<RData> {
    let record_type = RecordType::from_str(rtype).ok()?;
    if record_type == RecordType::A && Ipv4Addr::from_str(data.trim()).is_err() {
        return None;
    }
    let rdata = RData::try_from_str(record_type, data).ok()?;
    let names_fqdn = match &rdata {
        RData::CNAME(n) => n.0.is_fqdn(),
        RData::NS(n) => n.0.is_fqdn(),
        RData::PTR(n) => n.0.is_fqdn(),
        RData::MX(mx) => mx.exchange.is_fqdn(),
        RData::SRV(srv) => srv.target.is_fqdn(),
        RData::SOA(soa) => soa.mname.is_fqdn() && soa.rname.is_fqdn(),
        _ => true,
    };
    names_fqdn.then_some(rdata)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_canonically() {
        let mut keys = [
            RrKey::new("www.example.test.", "A"),
            RrKey::new("example.test.", "SOA"),
            RrKey::new("api.example.test.", "A"),
            RrKey::new("example.test.", "NS"),
            RrKey::new("a.b.example.test.", "A"),
            RrKey::new("b.example.test.", "TXT"),
        ];
        keys.sort();
        let names: Vec<String> = keys
            .iter()
            .map(|k| format!("{} {}", key_to_name(&k.name), k.rtype))
            .collect();
        assert_eq!(
            names,
            [
                "example.test. NS",
                "example.test. SOA",
                "api.example.test. A",
                "b.example.test. TXT",
                "a.b.example.test. A",
                "www.example.test. A"
            ]
        );
        let mut strings: Vec<String> = keys.iter().map(RrKey::sort_string).collect();
        let before = strings.clone();
        strings.sort();
        assert_eq!(strings, before, "sort strings order like keys");
    }

    #[test]
    fn names() {
        assert!(valid_owner_name("www.example.test."));
        assert!(valid_owner_name("*.example.test."));
        assert!(valid_owner_name("_acme-challenge.example.test."));
        for bad in ["www.example.test", "a..b.", ".", "a.*.b.", "sp ace.x."] {
            assert!(!valid_owner_name(bad), "{bad}");
        }
        assert!(in_zone("WWW.Example.test.", "example.test."));
        assert!(in_zone("example.test.", "example.test."));
        assert!(!in_zone("evilexample.test.", "example.test."));
        assert_eq!(normalize_name("WWW.example.TEST"), "www.example.test.");
    }

    #[test]
    fn rdata_rules() {
        assert!(parse_rdata("A", "192.0.2.1").is_some());
        for bad in ["192.0.2", "1.2.3.4.5", "hello", "::1", "192.0.2.256"] {
            assert!(parse_rdata("A", bad).is_none(), "{bad}");
        }
        assert!(parse_rdata("AAAA", "2001:db8::1").is_some());
        assert!(parse_rdata("CNAME", "target.example.test.").is_some());
        assert!(parse_rdata("CNAME", "target.example.test").is_none());
        assert!(parse_rdata("TXT", "\"hello world\"").is_some());
        assert!(parse_rdata("MX", "10 mail.example.test.").is_some());
        assert!(
            parse_rdata(
                "SOA",
                "ns.example.test. hostmaster.example.test. 1 21600 3600 259200 300"
            )
            .is_some()
        );
        assert!(parse_rdata("BOGUS", "x").is_none());
    }

    #[test]
    fn same_as_ignores_order_only() {
        let a = RecordSet::new("x.t.", "A", 60, vec!["1.1.1.1".into(), "2.2.2.2".into()]);
        let b = RecordSet::new("X.T.", "A", 60, vec!["2.2.2.2".into(), "1.1.1.1".into()]);
        assert!(a.same_as(&b));
        let c = RecordSet {
            ttl: 61,
            ..b.clone()
        };
        assert!(!a.same_as(&c));
        let d = RecordSet::new("x.t.", "A", 60, vec!["1.1.1.1".into()]);
        assert!(!a.same_as(&d));
    }
}
