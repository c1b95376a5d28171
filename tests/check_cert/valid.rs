//! Inputs that pass: each supported key encoding, chains, openssl extras, IP SANs.

use crate::harness::*;
use crate::support::certs::*;

#[test]
fn valid_p256_pkcs8_passes_in_json_and_human_output() {
    let pem = self_signed(Alg::P256, &["www.example.com", "example.com"]);
    let c = pair(&pem);
    let (_, report) = c.json(&[
        "--hostname",
        "www.example.com",
        "--hostname",
        "EXAMPLE.com.",
    ]);
    assert_passes(&report);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "pass"),
        "{report:#}"
    );
    assert_check(
        &report,
        "parse-key",
        "pass",
        "ECDSA P-256 private key (PKCS#8)",
    );
    assert_check(&report, "key-match", "pass", "matches the leaf certificate");
    assert_check(
        &report,
        "chain-order",
        "pass",
        "single self-signed certificate",
    );
    assert_check(
        &report,
        "hostnames",
        "pass",
        "covers `www.example.com`, `example.com`",
    );
    let summary = &report["summary"];
    assert_eq!(summary["subject"], "CN=www.example.com");
    assert_eq!(
        summary["sans"],
        serde_json::json!(["www.example.com", "example.com"])
    );
    assert_eq!(summary["key_type"], "ECDSA P-256");
    assert_eq!(summary["chain_len"], 1);
    assert_eq!(summary["sha256"].as_str().unwrap().len(), 64);

    let run = c.human(&["--hostname", "www.example.com"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("subject     CN=www.example.com"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("key type    ECDSA P-256"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("ok    key-match"), "{}", run.stdout);
    assert!(run.stdout.ends_with("result: passed\n"), "{}", run.stdout);
}

#[test]
fn valid_rsa2048_pkcs1_and_pkcs8() {
    for (pkcs1, format) in [(true, "PKCS#1"), (false, "PKCS#8")] {
        let key = openssl_rsa(2048, pkcs1);
        assert_eq!(key.starts_with("-----BEGIN RSA PRIVATE KEY"), pkcs1);
        let cert = openssl_self_signed(&key, &["rsa.example.com"], 90);
        let (_, report) = case(&cert, &key).json(&["--hostname", "rsa.example.com"]);
        assert_passes(&report);
        assert_check(
            &report,
            "parse-key",
            "pass",
            &format!("RSA 2048 private key ({format})"),
        );
        assert_check(
            &report,
            "key-type",
            "pass",
            "RSA 2048, accepted by Google Cloud",
        );
        assert_check(&report, "key-match", "pass", "matches");
    }
}

#[test]
fn sec1_ec_key_with_ec_parameters_block() {
    let dir = tempfile::tempdir().unwrap();
    // `openssl ecparam -genkey` writes an `EC PARAMETERS` block before the SEC1 key
    let key = String::from_utf8(openssl_in(
        dir.path(),
        &["ecparam", "-name", "prime256v1", "-genkey"],
    ))
    .unwrap();
    assert!(key.contains("BEGIN EC PARAMETERS") && key.contains("BEGIN EC PRIVATE KEY"));
    let cert = openssl_self_signed(&key, &["ec.example.com"], 90);
    let (_, report) = case(&cert, &key).json(&[]);
    assert_passes(&report);
    assert_check(
        &report,
        "parse-key",
        "pass",
        "ECDSA P-256 private key (SEC1)",
    );
    assert_check(&report, "key-match", "pass", "matches");
}

#[test]
fn valid_leaf_intermediate_root_chain() {
    let root = ca("Example Root CA");
    let int = intermediate("Example Issuing CA", &root);
    let leaf = leaf_signed_by(&int, &["shop.example.com"], days(-1), days(60));
    let c = case(chain(&[&leaf.cert, &int.cert, &root.cert]), &leaf.key);
    let (_, report) = c.json(&["--hostname", "shop.example.com"]);
    assert_passes(&report);
    assert_check(
        &report,
        "chain-order",
        "pass",
        "`shop.example.com` → `Example Issuing CA` → `Example Root CA`",
    );
    assert_check(&report, "chain-length", "pass", "3 certificates");
    assert_eq!(report["summary"]["issuer"], "CN=Example Issuing CA");
    assert_eq!(report["summary"]["chain_len"], 3);
}

#[test]
fn leading_bag_attributes_text_is_accepted() {
    let pem = self_signed(Alg::P256, &["bag.example.com"]);
    let cert = format!(
        "Bag Attributes\n    localKeyID: 01 02 03\nsubject=CN = bag.example.com\nissuer=CN = bag.example.com\n{}",
        pem.cert
    );
    let key = format!(
        "Bag Attributes\n    localKeyID: 01 02 03\nKey Attributes: <No Attributes>\n{}",
        pem.key
    );
    let (_, report) = case(cert, key).json(&[]);
    assert_passes(&report);
}

#[test]
fn ip_sans_are_listed_and_matched() {
    let pem = self_signed(Alg::P256, &["api.example.com", "10.1.2.3"]);
    let (_, report) = pair(&pem).json(&["--hostname", "10.1.2.3", "--hostname", "10.9.9.9"]);
    assert_eq!(
        report["summary"]["ip_sans"],
        serde_json::json!(["10.1.2.3"])
    );
    assert_eq!(
        report["summary"]["sans"],
        serde_json::json!(["api.example.com"])
    );
    assert_check(&report, "hostnames", "fail", "`10.9.9.9`");
    assert!(!check(&report, "hostnames").1.contains("`10.1.2.3`,"));
}

#[test]
fn human_report_snapshot() {
    let root = ca("Snapshot Root CA");
    let int = intermediate("Snapshot Issuing CA", &root);
    let leaf = Leaf {
        alg: Alg::P384,
        not_before: days(-1),
        not_after: days(60),
        ..Leaf::new(&["www.example.com", "*.example.com"])
    }
    .make_by(Some(&int));
    let c = case(chain(&[&leaf.cert, &int.cert, &root.cert]), &leaf.key);
    let run = c.human(&["--hostname", "www.example.com", "--hostname", "example.com"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]"),
        (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        (r"\b(?:[0-9a-f]{2}:)+[0-9a-f]{2}\b", "[SERIAL]"),
    ]}, {
        insta::assert_snapshot!(run.stdout);
    });
}
