//! The preflight: every check rotate-cert makes on a certificate chain and key before
//! Google Cloud sees them, reported all at once as a [`Report`].
//!
//! [`preflight`] is a pure function of its inputs and `opts.now`: it never panics, never
//! stops at the first problem, and never reads files, the clock or the network. It must not
//! print, and its messages must never contain key material.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use x509_parser::prelude::{FromDer, X509Certificate};

use super::chain;
use super::key::{KeyMatch, KeyType, ParsedKey, parse_key_pem, spki_key_type};
use super::names::{hostname_covered, wildcard_near_miss};
use super::pem::parse_chain_pem;
use super::summary::{CertSummary, short_name, subject_alt_names, system_time};
use crate::secret::SecretPem;
use crate::util::duration::format_duration;
use crate::util::time::rfc3339;

/// The check ids, stable for scripts reading `--output json`.
pub mod ids {
    /// The certificate chain parses as PEM and X.509.
    pub const PARSE_CHAIN: &str = "parse-chain";
    /// The private key parses.
    pub const PARSE_KEY: &str = "parse-key";
    /// The private key belongs to the leaf certificate.
    pub const KEY_MATCH: &str = "key-match";
    /// Each certificate is issued and signed by the next.
    pub const CHAIN_ORDER: &str = "chain-order";
    /// At most 5 certificates.
    pub const CHAIN_LENGTH: &str = "chain-length";
    /// The leaf is not a CA certificate.
    pub const LEAF_NOT_CA: &str = "leaf-not-ca";
    /// Google Cloud accepts the key type.
    pub const KEY_TYPE: &str = "key-type";
    /// Valid now and for at least the minimum validity.
    pub const VALIDITY: &str = "validity";
    /// Every requested hostname is covered by a SAN.
    pub const HOSTNAMES: &str = "hostnames";
}

/// What the preflight checks against.
#[derive(Debug, Clone)]
pub struct PreflightOptions {
    /// Hostnames the certificate must cover (already validated; compared case-insensitively).
    pub hostnames: Vec<String>,
    /// Fail when any certificate of the chain expires sooner than this from `now`.
    pub min_validity: Duration,
    /// The time to check validity at.
    pub now: SystemTime,
}

/// How a check came out, ordered from best to worst (so `max` gives the worse of two).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Fine.
    Pass,
    /// Works, but worth knowing (does not fail the preflight).
    Warn,
    /// Google Cloud or clients would refuse it: fails the preflight.
    Fail,
}

/// One check's verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// Stable id, one of [`ids`].
    pub id: &'static str,
    /// Pass, warn or fail.
    pub status: CheckStatus,
    /// What was found, lowercase, no trailing period; for a failure, what to do about it.
    pub message: String,
}

impl Check {
    /// A check result.
    pub fn new(id: &'static str, status: CheckStatus, message: impl Into<String>) -> Self {
        Check {
            id,
            status,
            message: message.into(),
        }
    }
}

/// Everything the preflight found. Checks that need an input which did not parse are left
/// out (the parse check's failure says why).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The chain's summary, when the chain parsed.
    pub summary: Option<CertSummary>,
    /// The checks, in a fixed order.
    pub checks: Vec<Check>,
}

impl Report {
    /// No check failed (warnings allowed).
    pub fn passed(&self) -> bool {
        !self.checks.iter().any(|c| c.status == CheckStatus::Fail)
    }

    /// The check with this id, if it ran.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// How many checks have this status.
    pub fn count(&self, status: CheckStatus) -> usize {
        self.checks.iter().filter(|c| c.status == status).count()
    }
}

/// Checks a PEM chain (leaf first) and private key for use as a Google Cloud self-managed
/// certificate, reporting every problem found.
pub fn preflight(chain_pem: &[u8], key: &SecretPem, opts: &PreflightOptions) -> Report {
    let mut checks = Vec::new();

    let ders = match parse_chain_pem(chain_pem) {
        Ok(ders) => ders,
        Err(err) => {
            checks.push(Check::new(
                ids::PARSE_CHAIN,
                CheckStatus::Fail,
                err.to_string(),
            ));
            Vec::new()
        }
    };
    let mut certs = Vec::with_capacity(ders.len());
    for der in &ders {
        if let Ok((_, cert)) = X509Certificate::from_der(der) {
            certs.push(cert);
        }
    }
    if certs.len() != ders.len() {
        // parse_chain_pem already parsed each one; kept so this can never index out of range
        checks.push(Check::new(
            ids::PARSE_CHAIN,
            CheckStatus::Fail,
            "a certificate could not be parsed",
        ));
        certs.clear();
    } else if let Some(leaf) = certs.first() {
        let n = certs.len();
        checks.push(Check::new(
            ids::PARSE_CHAIN,
            CheckStatus::Pass,
            format!(
                "{n} certificate{}, leaf `{}`",
                if n == 1 { "" } else { "s" },
                short_name(leaf)
            ),
        ));
    }

    let key = match parse_key_pem(key) {
        Ok(key) => {
            checks.push(Check::new(
                ids::PARSE_KEY,
                CheckStatus::Pass,
                format!("{} private key ({})", key.key_type(), key.format()),
            ));
            Some(key)
        }
        Err(err) => {
            checks.push(Check::new(
                ids::PARSE_KEY,
                CheckStatus::Fail,
                err.to_string(),
            ));
            None
        }
    };

    if let (Some(key), Some(leaf)) = (&key, certs.first()) {
        checks.push(key_match(leaf, &certs, key));
    }
    if !certs.is_empty() {
        checks.push(chain::order(&certs));
        checks.push(chain::length(&certs));
        checks.push(chain::leaf_not_ca(&certs));
    }
    let leaf_type = certs
        .first()
        .map(|leaf| spki_key_type(leaf.public_key().raw));
    let key_type = key.as_ref().map(|k| k.key_type().clone());
    match (leaf_type, key_type) {
        (Some(leaf), Some(key)) if leaf != key => {
            // a mismatch (key-match fails too): judge both, so a weak key is named as such
            let on_leaf = key_type_check(&leaf);
            let on_key = key_type_check(&key);
            checks.push(Check::new(
                ids::KEY_TYPE,
                on_leaf.status.max(on_key.status),
                format!(
                    "certificate: {}; private key: {}",
                    on_leaf.message, on_key.message
                ),
            ));
        }
        (Some(key_type), _) | (None, Some(key_type)) => checks.push(key_type_check(&key_type)),
        (None, None) => {}
    }
    if let Some(leaf) = certs.first() {
        checks.push(validity(leaf, &certs, opts));
        checks.push(hostnames(leaf, &opts.hostnames));
    }

    let summary = match (certs.first(), ders.first()) {
        (Some(leaf), Some(der)) => Some(CertSummary::new(leaf, der, certs.len())),
        _ => None,
    };
    Report { summary, checks }
}

/// `leaf` is `certs[0]`; the others are searched for the key when it does not match.
fn key_match(leaf: &X509Certificate<'_>, certs: &[X509Certificate<'_>], key: &ParsedKey) -> Check {
    let id = ids::KEY_MATCH;
    match key.matches_spki(leaf.public_key().raw) {
        KeyMatch::Matches => Check::new(
            id,
            CheckStatus::Pass,
            "the private key matches the leaf certificate's public key",
        ),
        KeyMatch::Unknown(why) => Check::new(
            id,
            CheckStatus::Warn,
            format!("cannot check that the private key matches the leaf certificate: {why}"),
        ),
        KeyMatch::Differs => {
            let leaf_type = spki_key_type(leaf.public_key().raw);
            let mut message = format!(
                "the private key does not match the leaf certificate `{}`",
                short_name(leaf)
            );
            if &leaf_type != key.key_type() {
                message.push_str(&format!(
                    ": the key is {}, the certificate's public key is {leaf_type}",
                    key.key_type()
                ));
            } else {
                message.push_str(": it is the key of another certificate");
            }
            let other = certs
                .iter()
                .enumerate()
                .skip(1)
                .find(|(_, c)| key.matches_spki(c.public_key().raw) == KeyMatch::Matches);
            match other {
                Some((i, c)) => message.push_str(&format!(
                    "; it matches certificate {} (`{}`): the leaf certificate must come first",
                    i + 1,
                    short_name(c)
                )),
                None => message.push_str("; use the key the certificate was issued for"),
            }
            Check::new(id, CheckStatus::Fail, message)
        }
    }
}

/// Google Cloud's accepted key types: RSA 2048/3072/4096 and ECDSA P-256/P-384, of which
/// only RSA 2048 and P-256 are documented for every load balancer (gcp-gke-api.md §1.6).
fn key_type_check(key_type: &KeyType) -> Check {
    let id = ids::KEY_TYPE;
    const SAFE: &str = "use RSA 2048 or ECDSA P-256";
    match key_type {
        KeyType::Rsa { bits: 2048 } | KeyType::EcdsaP256 => Check::new(
            id,
            CheckStatus::Pass,
            format!("{key_type}, accepted by Google Cloud for every load balancer"),
        ),
        KeyType::Rsa { bits: 3072 | 4096 } | KeyType::EcdsaP384 => Check::new(
            id,
            CheckStatus::Warn,
            format!(
                "{key_type} is accepted by Google Cloud, but only RSA 2048 and ECDSA P-256 are documented for global external load balancers: prefer those"
            ),
        ),
        KeyType::Rsa { bits } if *bits < 2048 => Check::new(
            id,
            CheckStatus::Fail,
            format!(
                "{key_type} is too weak: Google Cloud requires RSA keys of at least 2048 bits; {SAFE}"
            ),
        ),
        KeyType::Rsa { .. } => Check::new(
            id,
            CheckStatus::Fail,
            format!(
                "{key_type} is not accepted: Google Cloud takes RSA keys of 2048, 3072 or 4096 bits only; {SAFE}"
            ),
        ),
        KeyType::EcdsaOther { .. } => Check::new(
            id,
            CheckStatus::Fail,
            format!(
                "{key_type} is not accepted: Google Cloud takes ECDSA keys on P-256 or P-384 only; {SAFE}"
            ),
        ),
        KeyType::Ed25519 | KeyType::Ed448 => Check::new(
            id,
            CheckStatus::Fail,
            format!("{key_type} is not accepted: Google Cloud does not take EdDSA keys; {SAFE}"),
        ),
        KeyType::Other(name) => Check::new(
            id,
            CheckStatus::Fail,
            format!("{name} keys are not accepted by Google Cloud; {SAFE}"),
        ),
    }
}

/// Seconds since the Unix epoch, negative before it.
fn unix(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => i64::try_from(e.duration().as_secs()).map_or(i64::MIN, |s| -s),
    }
}

/// A rough distance for people, rounded to the nearest unit: `3 days`, `5 hours`.
fn approx(secs: u64) -> String {
    let unit = match secs {
        s if s >= 2 * 86_400 - 43_200 => (86_400, "day"),
        s if s >= 2 * 3_600 - 1_800 => (3_600, "hour"),
        s if s >= 2 * 60 - 30 => (60, "minute"),
        _ => (1, "second"),
    };
    let n = (secs + unit.0 / 2) / unit.0;
    format!("{n} {}{}", unit.1, if n == 1 { "" } else { "s" })
}

/// `leaf` is `certs[0]`.
fn validity(
    leaf: &X509Certificate<'_>,
    certs: &[X509Certificate<'_>],
    opts: &PreflightOptions,
) -> Check {
    let now = unix(opts.now);
    let min = i64::try_from(opts.min_validity.as_secs()).unwrap_or(i64::MAX);
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    for (i, cert) in certs.iter().enumerate() {
        let not_before = cert.validity().not_before.timestamp();
        let not_after = cert.validity().not_after.timestamp();
        let who = if i == 0 {
            "the certificate".to_string()
        } else {
            format!("certificate {} (`{}`)", i + 1, short_name(cert))
        };
        // A self-signed root at the end of the chain is not what clients check: they use
        // their own copy, so its dates only warn.
        let is_root = i > 0 && i + 1 == certs.len() && chain::self_issued(cert);
        let mut problems = Vec::new();
        if not_before > now {
            problems.push(format!(
                "{who} is not valid until {} (in {})",
                rfc3339(system_time(not_before)),
                approx(not_before.abs_diff(now))
            ));
        }
        if not_after <= now {
            problems.push(format!(
                "{who} expired at {} ({} ago)",
                rfc3339(system_time(not_after)),
                approx(now.abs_diff(not_after))
            ));
        } else if not_after.saturating_sub(now) < min {
            problems.push(format!(
                "{who} expires at {} (in {}), sooner than the required minimum validity of {} (`--min-validity`)",
                rfc3339(system_time(not_after)),
                approx(not_after.abs_diff(now)),
                format_duration(opts.min_validity)
            ));
        }
        if is_root {
            warns.extend(problems);
        } else {
            fails.extend(problems);
        }
    }
    let status = if !fails.is_empty() {
        CheckStatus::Fail
    } else if !warns.is_empty() {
        CheckStatus::Warn
    } else {
        let not_after = leaf.validity().not_after.timestamp();
        return Check::new(
            ids::VALIDITY,
            CheckStatus::Pass,
            format!(
                "valid until {} (in {})",
                rfc3339(system_time(not_after)),
                approx(not_after.abs_diff(now))
            ),
        );
    };
    fails.extend(warns);
    Check::new(ids::VALIDITY, status, fails.join("; "))
}

fn hostnames(leaf: &X509Certificate<'_>, wanted: &[String]) -> Check {
    let id = ids::HOSTNAMES;
    let (dns, ips) = subject_alt_names(leaf);
    let cn = leaf
        .subject()
        .iter_common_name()
        .next()
        .and_then(|a| a.as_str().ok())
        .map(str::to_string);
    if dns.is_empty() && ips.is_empty() {
        let cn_note = cn
            .as_deref()
            .map(|cn| format!(" (`{cn}`)"))
            .unwrap_or_default();
        let message = format!(
            "the certificate has no subject alternative names, so it is valid for no hostname: clients ignore the subject CN{cn_note} (RFC 6125); reissue it with the hostnames as DNS SANs"
        );
        let status = if wanted.is_empty() {
            CheckStatus::Warn
        } else {
            CheckStatus::Fail
        };
        return Check::new(id, status, message);
    }
    let listed: Vec<String> = dns.iter().chain(&ips).map(|n| format!("`{n}`")).collect();
    if wanted.is_empty() {
        return Check::new(
            id,
            CheckStatus::Pass,
            format!(
                "no hostname to check; the certificate covers {}",
                listed.join(", ")
            ),
        );
    }
    let mut missing = Vec::new();
    for host in wanted {
        let covered = match host.parse::<IpAddr>() {
            Ok(ip) => ips.iter().any(|s| s.parse::<IpAddr>() == Ok(ip)),
            Err(_) => dns.iter().any(|san| hostname_covered(san, host)),
        };
        if covered {
            continue;
        }
        let detail = dns
            .iter()
            .find_map(|san| wildcard_near_miss(san, host))
            .or_else(|| {
                cn.as_deref()
                    .filter(|cn| hostname_covered(cn, host))
                    .map(|cn| format!("the subject CN `{cn}` does not count (RFC 6125)"))
            });
        missing.push(match detail {
            Some(d) => format!("`{host}` ({d})"),
            None => format!("`{host}`"),
        });
    }
    if missing.is_empty() {
        let hosts: Vec<String> = wanted.iter().map(|h| format!("`{h}`")).collect();
        Check::new(
            id,
            CheckStatus::Pass,
            format!("covers {}", hosts.join(", ")),
        )
    } else {
        Check::new(
            id,
            CheckStatus::Fail,
            format!(
                "not covered by the certificate's SANs ({}): {}",
                listed.join(", "),
                missing.join(", ")
            ),
        )
    }
}
