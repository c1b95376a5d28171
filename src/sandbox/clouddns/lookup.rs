//! Authoritative resolution over one zone's served record sets: what an authoritative
//! name server answers for a name and type (RFC 1034 §4.3.2, RFC 2308, RFC 4592).
//!
//! It distinguishes an answer, NODATA (the name exists, including as an empty
//! non-terminal, but not with that type), NXDOMAIN, a referral below a delegation (an
//! `NS` set under the apex), wildcard synthesis, and CNAME chains followed inside the
//! zone (a chain leaving the zone stops there; the resolver chases it). Negative answers
//! carry the zone's SOA with TTL `min(SOA TTL, SOA minimum)` as RFC 2308 asks. Pure:
//! the wire format is `wire.rs`'s job.

use std::collections::BTreeMap;

use super::model::{RecordSet, RrKey, key_to_name, name_key, parse_rdata};

/// How many CNAMEs a chain may have inside one answer.
const MAX_CHAIN: usize = 16;

/// What the DNS server answers for one question, from the served view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedAnswer {
    /// The zone (its DNS name) the answer comes from.
    pub zone: String,
    /// The AA bit: false only for a referral to a delegated child zone.
    pub authoritative: bool,
    /// NXDOMAIN (the final name of the chain does not exist).
    pub nxdomain: bool,
    /// Answer section, one entry per record set (CNAMEs of the chain first).
    pub answers: Vec<RecordSet>,
    /// Authority section: the SOA on negative answers, the child's NS on a referral.
    pub authority: Vec<RecordSet>,
}

/// Record sets owned exactly by `name`.
fn sets_at<'a>(served: &'a BTreeMap<RrKey, RecordSet>, name: &[String]) -> Vec<&'a RecordSet> {
    served
        .range(RrKey::first_of(name.to_vec())..)
        .take_while(|(k, _)| k.name == name)
        .map(|(_, v)| v)
        .collect()
}

/// Whether `name` exists: it owns records or has descendants (an empty non-terminal).
fn exists(served: &BTreeMap<RrKey, RecordSet>, name: &[String]) -> bool {
    served
        .range(RrKey::first_of(name.to_vec())..)
        .next()
        .is_some_and(|(k, _)| k.name.starts_with(name))
}

/// The `NS` set of the highest delegation point strictly below the apex, at or above
/// `name`.
fn delegation<'a>(
    served: &'a BTreeMap<RrKey, RecordSet>,
    apex: &[String],
    name: &[String],
) -> Option<&'a RecordSet> {
    (apex.len() + 1..=name.len()).find_map(|len| {
        served.get(&RrKey {
            name: name[..len].to_vec(),
            rtype: "NS".to_string(),
        })
    })
}

/// The zone's SOA as it goes into the authority section of a negative answer.
fn negative_soa(served: &BTreeMap<RrKey, RecordSet>, apex: &[String]) -> Vec<RecordSet> {
    let key = RrKey {
        name: apex.to_vec(),
        rtype: "SOA".to_string(),
    };
    served
        .get(&key)
        .map(|soa| {
            let minimum = soa
                .rrdatas
                .first()
                .and_then(|d| d.split_whitespace().last())
                .and_then(|m| m.parse::<u32>().ok())
                .unwrap_or(soa.ttl);
            RecordSet {
                ttl: soa.ttl.min(minimum),
                ..soa.clone()
            }
        })
        .into_iter()
        .collect()
}

/// Answers `qname`/`qtype` (`A`, `ANY`, …) from `served`, the record sets of the zone
/// whose apex labels are `apex`. The caller has checked that `qname` is in the zone.
pub fn resolve(
    served: &BTreeMap<RrKey, RecordSet>,
    apex: &[String],
    qname: &str,
    qtype: &str,
) -> ServedAnswer {
    let mut out = ServedAnswer {
        zone: key_to_name(apex),
        authoritative: true,
        nxdomain: false,
        answers: Vec::new(),
        authority: Vec::new(),
    };
    let mut name = name_key(qname);
    let mut visited: Vec<Vec<String>> = Vec::new();
    for _ in 0..MAX_CHAIN {
        if let Some(ns) = delegation(served, apex, &name) {
            if out.answers.is_empty() {
                out.authoritative = false;
                out.authority.push(ns.clone());
            }
            return out;
        }
        visited.push(name.clone());
        let mut sets = sets_at(served, &name);
        let mut synthesized = false;
        if sets.is_empty() && !exists(served, &name) {
            // RFC 4592: the closest encloser's `*` child answers for missing names.
            let mut encloser = name[..name.len().saturating_sub(1)].to_vec();
            while encloser.len() > apex.len() && !exists(served, &encloser) {
                encloser.pop();
            }
            encloser.push("*".to_string());
            sets = sets_at(served, &encloser);
            synthesized = true;
            if sets.is_empty() {
                out.nxdomain = true;
                out.authority = negative_soa(served, apex);
                return out;
            }
        }
        let owner = key_to_name(&name);
        let answer = |rr: &RecordSet| {
            if synthesized {
                RecordSet {
                    name: owner.clone(),
                    ..rr.clone()
                }
            } else {
                rr.clone()
            }
        };
        if qtype == "ANY" && !sets.is_empty() {
            out.answers.extend(sets.into_iter().map(answer));
            return out;
        }
        if let Some(hit) = sets.iter().find(|rr| rr.rtype == qtype) {
            out.answers.push(answer(hit));
            return out;
        }
        let Some(cname) = sets.iter().find(|rr| rr.rtype == "CNAME") else {
            out.authority = negative_soa(served, apex);
            return out;
        };
        out.answers.push(answer(cname));
        let target = cname
            .rrdatas
            .first()
            .and_then(|d| parse_rdata("CNAME", d))
            .map(|rdata| name_key(&rdata.to_string()));
        match target {
            Some(t) if t.starts_with(apex) && !visited.contains(&t) => name = t,
            _ => return out,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone() -> (BTreeMap<RrKey, RecordSet>, Vec<String>) {
        let apex = "example.test.";
        let mut m = BTreeMap::new();
        for rr in [
            RecordSet::new(
                apex,
                "SOA",
                21600,
                vec!["ns-sandbox-1.example.test. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300".into()],
            ),
            RecordSet::new(apex, "NS", 21600, vec!["ns-sandbox-1.example.test.".into()]),
            RecordSet::new("www.example.test.", "A", 30, vec!["192.0.2.1".into()]),
            RecordSet::new("alias.example.test.", "CNAME", 60, vec!["www.example.test.".into()]),
            RecordSet::new("out.example.test.", "CNAME", 60, vec!["www.elsewhere.test.".into()]),
            RecordSet::new("loop.example.test.", "CNAME", 60, vec!["loop.example.test.".into()]),
            RecordSet::new("a.b.example.test.", "A", 30, vec!["192.0.2.2".into()]),
            RecordSet::new("*.wild.example.test.", "A", 40, vec!["192.0.2.3".into()]),
            RecordSet::new("sub.example.test.", "NS", 300, vec!["ns.elsewhere.test.".into()]),
        ] {
            m.insert(rr.key(), rr);
        }
        (m, name_key(apex))
    }

    fn ask(qname: &str, qtype: &str) -> ServedAnswer {
        let (m, apex) = zone();
        resolve(&m, &apex, qname, qtype)
    }

    #[test]
    fn answers_nodata_and_nxdomain() {
        let a = ask("WWW.example.test.", "A");
        assert_eq!(a.answers.len(), 1);
        assert_eq!(a.answers[0].ttl, 30);
        assert!(a.authoritative && !a.nxdomain && a.authority.is_empty());
        let nodata = ask("www.example.test.", "AAAA");
        assert!(nodata.answers.is_empty() && !nodata.nxdomain);
        assert_eq!(nodata.authority[0].rtype, "SOA");
        assert_eq!(nodata.authority[0].ttl, 300, "min(SOA ttl, minimum)");
        let ent = ask("b.example.test.", "A");
        assert!(
            !ent.nxdomain && ent.answers.is_empty(),
            "empty non-terminal"
        );
        let nx = ask("nope.example.test.", "A");
        assert!(nx.nxdomain && nx.answers.is_empty());
        assert_eq!(nx.authority[0].rtype, "SOA");
    }

    #[test]
    fn cname_chains_wildcards_and_referrals() {
        let c = ask("alias.example.test.", "A");
        let types: Vec<&str> = c.answers.iter().map(|r| r.rtype.as_str()).collect();
        assert_eq!(types, ["CNAME", "A"]);
        assert_eq!(ask("alias.example.test.", "CNAME").answers.len(), 1);
        assert_eq!(
            ask("out.example.test.", "A").answers.len(),
            1,
            "stops outside"
        );
        assert_eq!(ask("loop.example.test.", "A").answers.len(), 1, "no loop");
        let w = ask("x.wild.example.test.", "A");
        assert_eq!(w.answers[0].name, "x.wild.example.test.");
        assert_eq!(w.answers[0].ttl, 40);
        let r = ask("host.sub.example.test.", "A");
        assert!(!r.authoritative && r.answers.is_empty());
        assert_eq!(r.authority[0].rtype, "NS");
        assert_eq!(ask("example.test.", "ANY").answers.len(), 2);
    }
}
