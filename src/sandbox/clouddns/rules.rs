//! The rules Cloud DNS enforces on every mutation, with Google's status codes, reasons
//! and messages: record-set syntax (400 `required`/`invalid`), exact-match deletions
//! (404 `notFound`, 412 `conditionNotMet`), duplicate additions (409 `alreadyExists`),
//! the zone apex (400 `invalidZoneApex`) and CNAME exclusivity (400
//! `cnameResourceRecordSetConflict`).
//!
//! Everything here is pure: it reads the API view of one zone and either accepts a
//! change whole or names the first thing wrong with it, so a change is atomic by
//! construction — nothing is written until every rule has passed. Messages are Google's
//! where they are known (the reference, issue threads quoting real responses, Google's
//! own local Cloud DNS helper); the rest follow the same patterns and say so in the code.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::model::{
    RecordSet, RrKey, SUPPORTED_TYPES, in_zone, name_key, normalize_name, parse_rdata,
    valid_owner_name,
};
use crate::sandbox::google::GoogleError;

/// Which API shape a mutation came through; it decides how errors name the record set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// `changes.create`: `entity.change.additions[N]` / `entity.change.deletions[N]`.
    Change,
    /// `resourceRecordSets.create/patch/delete`: `entity.rrset`.
    Rrset,
}

impl Ctx {
    /// The path of item `i` of `list` (`additions` or `deletions`).
    pub fn item(self, list: &str, i: usize) -> String {
        match self {
            Ctx::Change => format!("entity.change.{list}[{i}]"),
            Ctx::Rrset => "entity.rrset".to_string(),
        }
    }

    /// The name-and-type path Google uses in newer messages
    /// (`entity.change.additions[www.example.com.][A]`).
    fn keyed(self, list: &str, rr: &RecordSet) -> String {
        match self {
            Ctx::Change => format!("entity.change.{list}[{}][{}]", rr.name, rr.rtype),
            Ctx::Rrset => "entity.rrset".to_string(),
        }
    }
}

/// 400 `required`.
pub fn required(at: &str) -> GoogleError {
    GoogleError::new(
        400,
        "required",
        format!("The '{at}' parameter is required but was missing."),
    )
}

/// 400 `invalid` with Google's `Invalid value for '<at>': '<value>'`.
pub fn invalid_value(at: &str, value: &str) -> GoogleError {
    GoogleError::invalid(format!("Invalid value for '{at}': '{value}'"))
}

fn apex_error(at: &str, rtype: &str) -> GoogleError {
    GoogleError::new(
        400,
        "invalidZoneApex",
        format!(
            "The resource record set '{at}' is invalid because a zone must contain exactly one resource record set of type '{rtype}' at the apex."
        ),
    )
}

/// A string field of a record set: `None` when absent or null, 400 when not a string.
fn text_field<'a>(v: &'a Value, field: &str, at: &str) -> Result<Option<&'a str>, GoogleError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(invalid_value(&format!("{at}.{field}"), &other.to_string())),
    }
}

/// Parses and checks one record set of a request body found at `at`, for the zone
/// whose DNS name is `apex`.
pub fn parse_rrset(v: &Value, at: &str, apex: &str) -> Result<RecordSet, GoogleError> {
    if v.get("routingPolicy").is_some_and(|p| !p.is_null()) {
        // Geo/WRR/failover answers depend on the client's location and health checks,
        // which the sandbox does not simulate: refuse rather than serve something else.
        return Err(GoogleError::invalid(format!(
            "Invalid value for '{at}.routingPolicy': routing policies are not supported by the sandbox"
        )));
    }
    let name = match text_field(v, "name", at)? {
        None | Some("") => return Err(required(&format!("{at}.name"))),
        Some(n) => n,
    };
    if !valid_owner_name(name) || !in_zone(name, apex) {
        return Err(invalid_value(&format!("{at}.name"), name));
    }
    let rtype = match text_field(v, "type", at)? {
        None | Some("") => return Err(required(&format!("{at}.type"))),
        Some(t) => t,
    };
    if !SUPPORTED_TYPES.contains(&rtype) {
        return Err(invalid_value(&format!("{at}.type"), rtype));
    }
    let ttl_value = v.get("ttl").filter(|t| !t.is_null());
    let ttl = match ttl_value {
        None => return Err(required(&format!("{at}.ttl"))),
        Some(t) => t
            .as_i64()
            .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            .ok_or_else(|| invalid_value(&format!("{at}.ttl"), &t.to_string()))?,
    };
    let ttl = u32::try_from(ttl)
        .ok()
        .filter(|t| i32::try_from(*t).is_ok())
        .ok_or_else(|| invalid_value(&format!("{at}.ttl"), &ttl.to_string()))?;
    let rrdatas: Vec<String> = match v.get("rrdatas").and_then(Value::as_array) {
        None => return Err(required(&format!("{at}.rrdata"))),
        Some(items) if items.is_empty() => return Err(required(&format!("{at}.rrdata"))),
        Some(items) => items
            .iter()
            .map(|d| d.as_str().unwrap_or_default().to_string())
            .collect(),
    };
    let mut seen = HashSet::new();
    for (j, data) in rrdatas.iter().enumerate() {
        let bad = parse_rdata(rtype, data).is_none()
            || !seen.insert(data.as_str())
            || (j > 0 && (rtype == "CNAME" || rtype == "SOA"));
        if bad {
            return Err(invalid_value(&format!("{at}.rrdata[{j}]"), data));
        }
    }
    Ok(RecordSet {
        name: normalize_name(name),
        rtype: rtype.to_string(),
        ttl,
        rrdatas,
    })
}

/// Checks a change against the zone's current record sets (`records`, the API view).
/// On success the change can be applied as a whole with [`apply`].
pub fn check_change(
    records: &BTreeMap<RrKey, RecordSet>,
    apex: &str,
    additions: &[RecordSet],
    deletions: &[RecordSet],
    ctx: Ctx,
) -> Result<(), GoogleError> {
    if additions.is_empty() && deletions.is_empty() {
        return Err(required("entity.change"));
    }
    // The same record set twice in one list (message inferred; Google's wording for
    // this case is not on record).
    for (list, sets) in [("additions", additions), ("deletions", deletions)] {
        let mut keys = HashSet::new();
        for (i, rr) in sets.iter().enumerate() {
            if !keys.insert(rr.key()) {
                return Err(invalid_value(&ctx.item(list, i), &rr.label()));
            }
        }
    }
    for (i, del) in deletions.iter().enumerate() {
        match records.get(&del.key()) {
            None => {
                return Err(GoogleError::not_found(format!(
                    "The '{}' resource named '{}' does not exist.",
                    ctx.item("deletions", i),
                    del.label()
                )));
            }
            Some(current) if !current.same_as(del) => {
                return Err(GoogleError::new(
                    412,
                    "conditionNotMet",
                    format!("Precondition not met for '{}'", ctx.item("deletions", i)),
                ));
            }
            Some(_) => {}
        }
    }
    let deleted: HashSet<RrKey> = deletions.iter().map(RecordSet::key).collect();
    for add in additions {
        if records.contains_key(&add.key()) && !deleted.contains(&add.key()) {
            return Err(GoogleError::already_exists(format!(
                "The resource '{}' named '{}' already exists",
                ctx.keyed("additions", add),
                add.label()
            )));
        }
    }
    check_apex(apex, additions, deletions, ctx)?;
    check_cname(records, &deleted, additions, ctx)
}

fn check_apex(
    apex: &str,
    additions: &[RecordSet],
    deletions: &[RecordSet],
    ctx: Ctx,
) -> Result<(), GoogleError> {
    let apex_key = name_key(apex);
    let at_apex = |rr: &RecordSet| name_key(&rr.name) == apex_key;
    for (i, add) in additions.iter().enumerate() {
        if add.rtype == "SOA" && !at_apex(add) {
            return Err(apex_error(&ctx.item("additions", i), "SOA"));
        }
    }
    for (i, del) in deletions.iter().enumerate() {
        let replaced = additions.iter().any(|a| a.rtype == del.rtype && at_apex(a));
        if (del.rtype == "SOA" || del.rtype == "NS") && at_apex(del) && !replaced {
            return Err(apex_error(&ctx.item("deletions", i), &del.rtype));
        }
    }
    Ok(())
}

fn check_cname(
    records: &BTreeMap<RrKey, RecordSet>,
    deleted: &HashSet<RrKey>,
    additions: &[RecordSet],
    ctx: Ctx,
) -> Result<(), GoogleError> {
    for add in additions {
        let key = add.key();
        // Every type the name holds once the change is applied, except `add` itself.
        let mut others: Vec<&str> = records
            .range(RrKey::first_of(key.name.clone())..)
            .take_while(|(k, _)| k.name == key.name)
            .filter(|(k, _)| !deleted.contains(k) && k.rtype != add.rtype)
            .map(|(k, _)| k.rtype.as_str())
            .collect();
        others.extend(
            additions
                .iter()
                .filter(|a| a.key().name == key.name && a.rtype != add.rtype)
                .map(|a| a.rtype.as_str()),
        );
        let conflict = if add.rtype == "CNAME" {
            others.first().copied()
        } else {
            others.iter().find(|t| **t == "CNAME").copied()
        };
        if let Some(other) = conflict {
            return Err(GoogleError::new(
                400,
                "cnameResourceRecordSetConflict",
                format!(
                    "The resource record set '{}' is invalid because the DNS name '{}' has a resource record set of the type '{other}'. A DNS name may have either one CNAME resource record set or resource record sets of other types, but not both.",
                    ctx.keyed("additions", add),
                    add.name
                ),
            ));
        }
    }
    Ok(())
}

/// Applies a checked change to a set of records: deletions first, then additions.
pub fn apply(
    records: &mut BTreeMap<RrKey, RecordSet>,
    additions: &[RecordSet],
    deletions: &[RecordSet],
) {
    for del in deletions {
        records.remove(&del.key());
    }
    for add in additions {
        records.insert(add.key(), add.clone());
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const APEX: &str = "example.test.";

    fn zone() -> BTreeMap<RrKey, RecordSet> {
        let mut m = BTreeMap::new();
        for rr in [
            RecordSet::new(APEX, "SOA", 21600, vec!["ns. h. 1 2 3 4 5".into()]),
            RecordSet::new(APEX, "NS", 21600, vec!["ns.".into()]),
            RecordSet::new("www.example.test.", "A", 300, vec!["192.0.2.1".into()]),
            RecordSet::new("txt.example.test.", "TXT", 300, vec!["\"x\"".into()]),
        ] {
            m.insert(rr.key(), rr);
        }
        m
    }

    fn a(name: &str, ttl: u32, ip: &str) -> RecordSet {
        RecordSet::new(name, "A", ttl, vec![ip.into()])
    }

    fn check(add: &[RecordSet], del: &[RecordSet]) -> Result<(), GoogleError> {
        check_change(&zone(), APEX, add, del, Ctx::Change)
    }

    #[test]
    fn exact_deletions() {
        let www = a("www.example.test.", 300, "192.0.2.1");
        assert_eq!(
            check(
                &[a("www.example.test.", 60, "192.0.2.2")],
                std::slice::from_ref(&www)
            ),
            Ok(())
        );
        let e = check(&[], &[a("www.example.test.", 301, "192.0.2.1")]).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (412, "conditionNotMet"));
        assert_eq!(
            e.message,
            "Precondition not met for 'entity.change.deletions[0]'"
        );
        let e = check(&[], &[www.clone(), a("nope.example.test.", 1, "192.0.2.1")]).unwrap_err();
        assert_eq!(e.code, 404);
        assert_eq!(
            e.message,
            "The 'entity.change.deletions[1]' resource named 'nope.example.test. (A)' does not exist."
        );
    }

    #[test]
    fn duplicates_apex_and_cname() {
        let e = check(&[a("www.example.test.", 300, "192.0.2.9")], &[]).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (409, "alreadyExists"));
        assert_eq!(
            e.message,
            "The resource 'entity.change.additions[www.example.test.][A]' named 'www.example.test. (A)' already exists"
        );
        let rrset = check_change(
            &zone(),
            APEX,
            &[a("www.example.test.", 300, "192.0.2.9")],
            &[],
            Ctx::Rrset,
        )
        .unwrap_err();
        assert_eq!(
            rrset.message,
            "The resource 'entity.rrset' named 'www.example.test. (A)' already exists"
        );
        let soa = zone()[&RrKey::new(APEX, "SOA")].clone();
        assert_eq!(check(&[], &[soa]).unwrap_err().reason, "invalidZoneApex");
        let cname = RecordSet::new(
            "txt.example.test.",
            "CNAME",
            60,
            vec!["www.example.test.".into()],
        );
        let e = check(&[cname], &[]).unwrap_err();
        assert_eq!(e.reason, "cnameResourceRecordSetConflict");
        assert!(e.message.contains("of the type 'TXT'"), "{}", e.message);
        assert_eq!(check(&[], &[]).unwrap_err().reason, "required");
    }

    #[test]
    fn rrset_syntax() {
        let ok =
            json!({"name": "www.example.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.3"]});
        assert_eq!(parse_rrset(&ok, "x", APEX).unwrap().ttl, 60);
        let cases = [
            (
                json!({"name": "www.example.test", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.3"]}),
                "Invalid value for 'x.name': 'www.example.test'",
            ),
            (
                json!({"name": "www.other.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2.3"]}),
                "Invalid value for 'x.name': 'www.other.test.'",
            ),
            (
                json!({"name": "www.example.test.", "type": "A", "ttl": -1, "rrdatas": ["192.0.2.3"]}),
                "Invalid value for 'x.ttl': '-1'",
            ),
            (
                json!({"name": "www.example.test.", "type": "A", "ttl": 60, "rrdatas": ["192.0.2"]}),
                "Invalid value for 'x.rrdata[0]': '192.0.2'",
            ),
            (
                json!({"name": "www.example.test.", "type": "WAT", "ttl": 60, "rrdatas": ["x"]}),
                "Invalid value for 'x.type': 'WAT'",
            ),
            (
                json!({"name": "c.example.test.", "type": "CNAME", "ttl": 60, "rrdatas": ["a.test.", "b.test."]}),
                "Invalid value for 'x.rrdata[1]': 'b.test.'",
            ),
        ];
        for (body, msg) in cases {
            let e = parse_rrset(&body, "x", APEX).unwrap_err();
            assert_eq!((e.code, e.message.as_str()), (400, msg));
        }
        let e = parse_rrset(&json!({"type": "A"}), "x", APEX).unwrap_err();
        assert_eq!(e.reason, "required");
        let e = parse_rrset(&json!({"name": 5, "type": "A"}), "x", APEX).unwrap_err();
        assert_eq!(
            (e.reason.as_str(), e.message.as_str()),
            ("invalid", "Invalid value for 'x.name': '5'")
        );
    }
}
