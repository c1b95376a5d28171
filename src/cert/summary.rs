//! [`CertSummary`]: the facts about a certificate chain that rotate-cert prints, stores in
//! its state file and compares (subject, SANs, issuer, serial, validity, key type, leaf
//! fingerprint), and the small accessors over x509-parser the other `cert` files share.
//!
//! It describes; it must not judge (that is the preflight's job) and holds no key material.

use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::X509Certificate;

use super::key::{KeyType, spki_key_type};
use super::sha256_hex;
use crate::util::time::rfc3339;

/// What a certificate chain is, for people and for the state file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertSummary {
    /// The leaf's subject, RFC 4514 style (`CN=www.example.com, O=Example`).
    pub subject: String,
    /// The leaf's DNS subject alternative names, in certificate order.
    pub sans: Vec<String>,
    /// The leaf's IP address SANs (`10.0.0.1`, `2001:db8::1`), in certificate order; kept
    /// apart from `sans` so that list holds only names comparable with hostnames.
    pub ip_sans: Vec<String>,
    /// The leaf's issuer, RFC 4514 style.
    pub issuer: String,
    /// The leaf's serial number, lowercase hex bytes separated by colons.
    pub serial: String,
    /// Start of the leaf's validity, RFC 3339 UTC.
    pub not_before: String,
    /// End of the leaf's validity, RFC 3339 UTC.
    pub not_after: String,
    /// The leaf's public key type (`ECDSA P-256`, `RSA 2048`).
    pub key_type: KeyType,
    /// SHA-256 of the leaf's DER, lowercase hex: the fingerprint used everywhere.
    pub sha256: String,
    /// Number of certificates in the chain, leaf included.
    pub chain_len: usize,
}

impl CertSummary {
    /// Summarises a parsed chain (leaf first). `leaf_der` is the leaf's DER.
    pub(crate) fn new(leaf: &X509Certificate<'_>, leaf_der: &[u8], chain_len: usize) -> Self {
        let (sans, ip_sans) = subject_alt_names(leaf);
        CertSummary {
            subject: leaf.subject().to_string(),
            sans,
            ip_sans,
            issuer: leaf.issuer().to_string(),
            serial: serial_hex(leaf.raw_serial()),
            not_before: rfc3339(system_time(leaf.validity().not_before.timestamp())),
            not_after: rfc3339(system_time(leaf.validity().not_after.timestamp())),
            key_type: spki_key_type(leaf.public_key().raw),
            sha256: sha256_hex(leaf_der),
            chain_len,
        }
    }
}

/// Lowercase colon-separated hex (`01:ab:ff`).
fn serial_hex(raw: &[u8]) -> String {
    raw.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A Unix timestamp as a [`SystemTime`] (before 1970 too).
pub(crate) fn system_time(unix: i64) -> SystemTime {
    if unix >= 0 {
        UNIX_EPOCH + Duration::from_secs(unix.unsigned_abs())
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_secs(unix.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    }
}

/// The DNS and IP SANs of a certificate. A malformed or duplicated SAN extension yields
/// none (the hostname check then says the certificate has no SANs).
pub(crate) fn subject_alt_names(cert: &X509Certificate<'_>) -> (Vec<String>, Vec<String>) {
    let mut dns = Vec::new();
    let mut ips = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => dns.push(d.to_string()),
                GeneralName::IPAddress(bytes) => {
                    if let Some(ip) = ip_from_bytes(bytes) {
                        ips.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    (dns, ips)
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// A short name for a certificate in messages: its first CN, else its whole subject.
pub(crate) fn short_name(cert: &X509Certificate<'_>) -> String {
    cert.subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| {
            let subject = cert.subject().to_string();
            if subject.is_empty() {
                "empty subject".to_string()
            } else {
                subject
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_and_times() {
        assert_eq!(serial_hex(&[0x01, 0xab, 0xff]), "01:ab:ff");
        assert_eq!(rfc3339(system_time(1_700_000_000)), "2023-11-14T22:13:20Z");
        assert!(system_time(-10) < UNIX_EPOCH);
    }

    #[test]
    fn ip_sans_are_rendered() {
        assert_eq!(
            ip_from_bytes(&[10, 0, 0, 1]).map(|i| i.to_string()),
            Some("10.0.0.1".into())
        );
        assert_eq!(ip_from_bytes(&[1, 2, 3]), None);
    }
}
