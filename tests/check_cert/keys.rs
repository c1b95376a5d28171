//! Key types Google Cloud accepts or refuses, and key problems: mismatch, encryption, two keys.

use crate::harness::*;
use crate::support::certs::*;

#[test]
fn p384_warns_but_passes() {
    let (_, report) = pair(&self_signed(Alg::P384, &["p384.example.com"])).json(&[]);
    assert_passes(&report);
    assert_check(
        &report,
        "key-type",
        "warn",
        "ECDSA P-384 is accepted by Google Cloud, but only RSA 2048 and ECDSA P-256",
    );
    assert_check(&report, "key-match", "pass", "matches");
}

#[test]
fn rsa4096_warns_but_passes() {
    let key = openssl_rsa(4096, false);
    let cert = openssl_self_signed(&key, &["big.example.com"], 90);
    let c = case(&cert, &key);
    let (_, report) = c.json(&[]);
    assert_passes(&report);
    assert_check(&report, "key-type", "warn", "RSA 4096 is accepted");
    let run = c.human(&[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("warn  key-type"), "{}", run.stdout);
    assert!(
        run.stdout.contains("result: passed with 1 warning"),
        "{}",
        run.stdout
    );
}

#[test]
fn rsa1024_fails_key_type_but_still_matches() {
    let key = openssl_rsa(1024, true);
    let cert = openssl_self_signed(&key, &["weak.example.com"], 90);
    let (_, report) = case(&cert, &key).json(&[]);
    assert_eq!(failed_ids(&report), ["key-type"]);
    assert_check(&report, "key-type", "fail", "RSA 1024 is too weak");
    assert_check(
        &report,
        "parse-key",
        "pass",
        "RSA 1024 private key (PKCS#1)",
    );
    // ring refuses RSA-1024, so the match is made from the key's embedded public part
    assert_check(&report, "key-match", "pass", "matches");
}

#[test]
fn p521_and_secp256k1_fail_key_type() {
    for (curve, shown) in [("P-521", "ECDSA P-521"), ("secp256k1", "ECDSA secp256k1")] {
        let key = openssl_ec(curve, false);
        let cert = openssl_self_signed(&key, &["curve.example.com"], 90);
        let (_, report) = case(&cert, &key).json(&[]);
        assert_eq!(failed_ids(&report), ["key-type"], "{curve}");
        assert_check(
            &report,
            "key-type",
            "fail",
            &format!("{shown} is not accepted"),
        );
        assert_check(&report, "key-type", "fail", "P-256 or P-384 only");
        assert_check(&report, "parse-key", "pass", shown);
        assert_check(&report, "key-match", "pass", "matches");
    }
}

#[test]
fn p521_sec1_key_mismatch_is_detected_without_ring() {
    let key = openssl_ec("P-521", true);
    let other = openssl_ec("P-521", false);
    let cert = openssl_self_signed(&other, &["curve.example.com"], 90);
    let (_, report) = case(&cert, &key).json(&[]);
    assert_check(
        &report,
        "parse-key",
        "pass",
        "ECDSA P-521 private key (SEC1)",
    );
    assert_check(
        &report,
        "key-match",
        "fail",
        "it is the key of another certificate",
    );
}

#[test]
fn ed25519_fails_key_type() {
    let (_, report) = pair(&self_signed(Alg::Ed25519, &["ed.example.com"])).json(&[]);
    assert_eq!(failed_ids(&report), ["key-type"]);
    assert_check(
        &report,
        "key-type",
        "fail",
        "Ed25519 is not accepted: Google Cloud does not take EdDSA keys",
    );
    assert_check(&report, "key-match", "pass", "matches");
}

#[test]
fn ed448_fails_and_its_match_cannot_be_checked() {
    let key = openssl_genpkey(&["-algorithm", "ED448"]);
    let cert = openssl_self_signed(&key, &["ed448.example.com"], 90);
    let (_, report) = case(&cert, &key).json(&[]);
    assert_check(&report, "key-type", "fail", "Ed448 is not accepted");
    assert_check(
        &report,
        "key-match",
        "warn",
        "cannot check that the private key matches",
    );
}

#[test]
fn mismatched_key_fails() {
    let a = self_signed(Alg::P256, &["a.example.com"]);
    let b = self_signed(Alg::P256, &["b.example.com"]);
    let (_, report) = case(&a.cert, &b.key).json(&[]);
    assert_eq!(failed_ids(&report), ["key-match"]);
    assert_check(
        &report,
        "key-match",
        "fail",
        "the private key does not match the leaf certificate `a.example.com`: it is the key of another certificate",
    );
    let rsa = openssl_rsa(2048, false);
    let (_, report) = case(&a.cert, &rsa).json(&[]);
    assert_check(
        &report,
        "key-match",
        "fail",
        "the key is RSA 2048, the certificate's public key is ECDSA P-256",
    );
    assert_eq!(failed_ids(&report), ["key-match"]);
    assert_check(
        &report,
        "key-type",
        "pass",
        "certificate: ECDSA P-256, accepted by Google Cloud for every load balancer; private key: RSA 2048, accepted",
    );
}

#[test]
fn key_of_second_certificate_means_leaf_is_not_first() {
    let root = ca("Order Root");
    let int = intermediate("Order Issuing CA", &root);
    let leaf = leaf_signed_by(&int, &["order.example.com"], days(-1), days(60));
    let (_, report) = case(chain(&[&int.cert, &leaf.cert]), &leaf.key).json(&[]);
    assert_check(
        &report,
        "key-match",
        "fail",
        "it matches certificate 2 (`order.example.com`): the leaf certificate must come first",
    );
    assert_check(
        &report,
        "leaf-not-ca",
        "fail",
        "`Order Issuing CA` is a CA certificate",
    );
}

#[test]
fn encrypted_pkcs8_key_fails_with_decrypt_command() {
    let pem = self_signed(Alg::P256, &["enc.example.com"]);
    let key = encrypt_pkcs8(&pem.key);
    assert!(key.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    let (_, report) = case(&pem.cert, &key).json(&[]);
    assert_eq!(failed_ids(&report), ["parse-key"]);
    assert_check(
        &report,
        "parse-key",
        "fail",
        "the private key is encrypted (`ENCRYPTED PRIVATE KEY`) and Google Cloud does not accept passphrase-protected keys",
    );
    assert_check(
        &report,
        "parse-key",
        "fail",
        "`openssl pkey -in key.pem -out plain.pem`",
    );
    // the certificate is still checked
    assert_check(&report, "key-type", "pass", "ECDSA P-256");
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "key-match")
    );
}

#[test]
fn legacy_encrypted_pkcs1_key_fails() {
    let key = openssl_rsa(2048, true);
    let cert = openssl_self_signed(&key, &["legacy.example.com"], 90);
    let encrypted = encrypt_legacy(&key);
    assert!(encrypted.contains("Proc-Type: 4,ENCRYPTED"), "{encrypted}");
    let (_, report) = case(&cert, &encrypted).json(&[]);
    assert_check(
        &report,
        "parse-key",
        "fail",
        "encrypted (`Proc-Type: 4,ENCRYPTED`)",
    );
    assert_check(
        &report,
        "parse-key",
        "fail",
        "openssl pkey -in key.pem -out plain.pem",
    );
}

#[test]
fn two_keys_in_one_file_fail() {
    let pem = self_signed(Alg::P256, &["two.example.com"]);
    let other = self_signed(Alg::P256, &["other.example.com"]);
    let (_, report) = case(&pem.cert, format!("{}{}", pem.key, other.key)).json(&[]);
    assert_eq!(failed_ids(&report), ["parse-key"]);
    assert_check(
        &report,
        "parse-key",
        "fail",
        "the key file holds 2 private keys: keep only the key that belongs to the certificate",
    );
}
