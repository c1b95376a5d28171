//! Unit tests of the `cert` module as a whole: the preflight at a fixed time, robustness
//! against arbitrary input, and [`CertBundle`]. Per-file tests live beside each file; the
//! end-to-end cases (openssl-made keys, the real binary) are in `tests/check_cert.rs`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

use super::*;

/// 2030-01-01T00:00:00Z.
const NOW: u64 = 1_893_456_000;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn cert_valid(sans: &[&str], from: u64, to: u64) -> (String, SecretPem) {
    let mut params =
        CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, sans.first().copied().unwrap_or("leaf"));
    params.distinguished_name = dn;
    params.not_before = time::OffsetDateTime::from_unix_timestamp(from as i64).unwrap();
    params.not_after = time::OffsetDateTime::from_unix_timestamp(to as i64).unwrap();
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), SecretPem::new(key.serialize_pem().into_bytes()))
}

fn opts(hostnames: &[&str], min_days: u64) -> PreflightOptions {
    PreflightOptions {
        hostnames: hostnames.iter().map(|s| s.to_string()).collect(),
        min_validity: Duration::from_secs(min_days * 86_400),
        now: at(NOW),
    }
}

const DAY: u64 = 86_400;

#[test]
fn sha256_hex_is_lowercase_64_chars() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(sha256_hex(b"abc").len(), 64);
}

#[test]
fn validity_messages_at_a_fixed_time() {
    let (cert, key) = cert_valid(&["t.example.com"], NOW - DAY, NOW + 90 * DAY);
    let report = preflight(cert.as_bytes(), &key, &opts(&[], 14));
    assert!(report.passed(), "{report:#?}");
    assert_eq!(
        report.check(ids::VALIDITY).unwrap().message,
        "valid until 2030-04-01T00:00:00Z (in 90 days)"
    );
    let s = report.summary.as_ref().unwrap();
    assert_eq!(s.not_before, "2029-12-31T00:00:00Z");
    assert_eq!(s.not_after, "2030-04-01T00:00:00Z");

    let (cert, key) = cert_valid(&["t.example.com"], NOW - 90 * DAY, NOW - 5 * DAY);
    let report = preflight(cert.as_bytes(), &key, &opts(&[], 14));
    assert_eq!(
        report.check(ids::VALIDITY).unwrap().message,
        "the certificate expired at 2029-12-27T00:00:00Z (5 days ago)"
    );

    let (cert, key) = cert_valid(&["t.example.com"], NOW + 2 * 3600, NOW + 3 * DAY);
    let report = preflight(cert.as_bytes(), &key, &opts(&[], 14));
    let check = report.check(ids::VALIDITY).unwrap();
    assert_eq!(check.status, CheckStatus::Fail);
    assert_eq!(
        check.message,
        "the certificate is not valid until 2030-01-01T02:00:00Z (in 2 hours); the certificate expires at 2030-01-04T00:00:00Z (in 3 days), sooner than the required minimum validity of 14d (`--min-validity`)"
    );
}

#[test]
fn report_serialises_with_stable_ids_and_lowercase_statuses() {
    let (cert, key) = cert_valid(&["j.example.com"], NOW - DAY, NOW + 90 * DAY);
    let report = preflight(cert.as_bytes(), &key, &opts(&["j.example.com"], 14));
    let json = serde_json::to_value(&report).unwrap();
    let ids: Vec<&str> = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "parse-chain",
            "parse-key",
            "key-match",
            "chain-order",
            "chain-length",
            "leaf-not-ca",
            "key-type",
            "validity",
            "hostnames"
        ]
    );
    assert!(
        json["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pass")
    );
    assert_eq!(json["summary"]["key_type"], "ECDSA P-256");
    assert_eq!(report.count(CheckStatus::Pass), 9);
}

#[test]
fn preflight_never_panics_on_mangled_input() {
    let (cert, key) = cert_valid(&["f.example.com"], NOW - DAY, NOW + 90 * DAY);
    let o = opts(&["f.example.com"], 14);
    let der = parse_chain_pem(cert.as_bytes()).unwrap().remove(0).to_vec();
    let key_text = String::from_utf8_lossy(key.expose()).into_owned();
    // every truncation of both inputs
    for cut in (0..cert.len()).step_by(7) {
        let report = preflight(&cert.as_bytes()[..cut], &key, &o);
        // only the final newline may go
        assert!(!report.passed() || cut + 1 >= cert.len());
    }
    for cut in (0..key_text.len()).step_by(5) {
        let truncated = SecretPem::new(key_text.as_bytes()[..cut].to_vec());
        let report = preflight(cert.as_bytes(), &truncated, &o);
        assert!(!report.passed() || cut + 1 >= key_text.len());
    }
    // single-byte corruptions of the certificate's DER, re-wrapped as valid PEM
    for i in (0..der.len()).step_by(3) {
        let mut bad = der.clone();
        bad[i] ^= 0x5a;
        let text = pem::encode(pem::CERTIFICATE, &bad);
        let _ = preflight(text.as_bytes(), &key, &o);
    }
    // corruptions of the key's DER
    let key_der = pem::key_block(key.expose()).unwrap().der.clone();
    for i in 0..key_der.len() {
        let mut bad = key_der.clone();
        bad[i] ^= 0xa5;
        let text = SecretPem::new(pem::encode(pem::PKCS8, &bad).into_bytes());
        let _ = preflight(cert.as_bytes(), &text, &o);
        let sec1 = SecretPem::new(pem::encode(pem::SEC1, &bad).into_bytes());
        let _ = preflight(cert.as_bytes(), &sec1, &o);
        let pkcs1 = SecretPem::new(pem::encode(pem::PKCS1, &bad).into_bytes());
        let _ = preflight(cert.as_bytes(), &pkcs1, &o);
    }
    // arbitrary bytes
    let mut seed = 0x1234_5678_u32;
    for len in [1usize, 2, 10, 100, 1000] {
        let junk: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                seed as u8
            })
            .collect();
        let report = preflight(&junk, &SecretPem::new(junk.clone()), &o);
        assert!(!report.passed());
        assert!(report.summary.is_none());
    }
}

#[test]
fn bundle_normalises_pem_and_hides_the_key() {
    let (cert, key) = cert_valid(&["b.example.com"], NOW - DAY, NOW + 90 * DAY);
    let input = format!("subject=CN = b.example.com\n\n{cert}\n\n");
    let key_text = String::from_utf8_lossy(key.expose()).into_owned();
    let bundle = CertBundle::from_pem(input.as_bytes(), key.clone()).unwrap();
    assert!(
        bundle
            .chain_pem
            .starts_with("-----BEGIN CERTIFICATE-----\n")
    );
    assert_eq!(
        bundle.chain_pem.trim_end(),
        cert.trim_end().replace("\r\n", "\n")
    );
    assert_eq!(bundle.chain.len(), 1);
    assert_eq!(bundle.fingerprint(), sha256_hex(&bundle.chain[0]));
    assert_eq!(bundle.summary.sans, ["b.example.com"]);
    assert_eq!(bundle.summary.chain_len, 1);
    assert_eq!(
        String::from_utf8_lossy(bundle.key.expose()).trim_end(),
        key_text.trim_end()
    );
    let shown = format!("{bundle:?}");
    for line in key_text.lines().filter(|l| !l.starts_with("-----")) {
        assert!(!shown.contains(line), "{shown}");
    }
    assert!(shown.contains(crate::secret::REDACTED));

    let err = CertBundle::from_pem(b"", key).unwrap_err();
    assert_eq!(err, CertInputError::Empty(InputKind::Certificate));
    assert_eq!(err.kind(), InputKind::Certificate);
}

#[test]
fn error_messages_follow_house_style() {
    let samples = [
        CertInputError::Empty(InputKind::Key),
        CertInputError::TooLarge {
            kind: InputKind::Certificate,
            limit: MAX_INPUT_BYTES,
        },
        CertInputError::Der {
            kind: InputKind::Key,
        },
        CertInputError::NoPemBlock {
            kind: InputKind::Certificate,
            found: vec!["X509 CRL".into()],
        },
        CertInputError::EncryptedKey { legacy: false },
        CertInputError::MultipleKeys { count: 3 },
        CertInputError::TrailingGarbage {
            kind: InputKind::Key,
            line: 9,
        },
        CertInputError::UnsupportedKeyFormat {
            label: "DSA PRIVATE KEY".into(),
        },
    ];
    for err in samples {
        let text = err.to_string();
        let first = text.chars().find(|c| c.is_alphabetic()).unwrap();
        assert!(
            first.is_lowercase() || text.starts_with("PEM") || text.starts_with('`'),
            "{text}"
        );
        assert!(!text.ends_with('.'), "{text}");
    }
    assert_eq!(
        CertInputError::NoPemBlock {
            kind: InputKind::Certificate,
            found: vec!["X509 CRL".into()]
        }
        .to_string(),
        "the certificate file has no `-----BEGIN CERTIFICATE-----` PEM block (found `X509 CRL`)"
    );
}
