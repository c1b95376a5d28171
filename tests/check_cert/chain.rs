//! Chain structure: order, length, CA leaves, missing intermediates.

use crate::harness::*;
use crate::support::certs::*;

#[test]
fn chain_out_of_order_fails_and_names_the_real_issuer() {
    let root = ca("Shuffle Root");
    let int = intermediate("Shuffle Issuing CA", &root);
    let leaf = leaf_signed_by(&int, &["shuffle.example.com"], days(-1), days(60));
    let (_, report) = case(chain(&[&leaf.cert, &root.cert, &int.cert]), &leaf.key).json(&[]);
    assert_eq!(failed_ids(&report), ["chain-order"]);
    assert_check(
        &report,
        "chain-order",
        "fail",
        "certificate 1 (`shuffle.example.com`) is not issued by certificate 2 (`Shuffle Root`): its issuer is `CN=Shuffle Issuing CA`, not `CN=Shuffle Root`; it is issued by certificate 3 (`Shuffle Issuing CA`)",
    );
    assert_check(&report, "chain-order", "fail", "order the chain leaf first");
}

#[test]
fn chain_of_six_fails_length() {
    let root = ca("Deep Root");
    let mut cas = vec![root];
    for i in 1..=4 {
        let next = intermediate(&format!("Deep CA {i}"), cas.last().unwrap());
        cas.push(next);
    }
    let leaf = leaf_signed_by(
        cas.last().unwrap(),
        &["deep.example.com"],
        days(-1),
        days(60),
    );
    let mut parts = vec![leaf.cert.as_str()];
    parts.extend(cas.iter().rev().map(|c| c.cert.as_str()));
    let (_, report) = case(chain(&parts), &leaf.key).json(&[]);
    assert_eq!(failed_ids(&report), ["chain-length"]);
    assert_check(
        &report,
        "chain-length",
        "fail",
        "6 certificates, more than the 5 Google Cloud accepts",
    );
    assert_check(
        &report,
        "chain-order",
        "pass",
        "`deep.example.com` → `Deep CA 4`",
    );
}

#[test]
fn leaf_that_is_a_ca_fails() {
    let root = ca("CA Root");
    let leaf = Leaf {
        is_ca: true,
        ..Leaf::new(&["ca-leaf.example.com"])
    }
    .make_by(Some(&root));
    let (_, report) = case(chain(&[&leaf.cert, &root.cert]), &leaf.key).json(&[]);
    assert_eq!(failed_ids(&report), ["leaf-not-ca"]);
    assert_check(
        &report,
        "leaf-not-ca",
        "fail",
        "the leaf certificate `ca-leaf.example.com` is a CA certificate (basicConstraints CA:TRUE)",
    );
}

#[test]
fn openssl_default_self_signed_ca_only_warns() {
    let key = openssl_rsa(2048, false);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.pem"), &key).unwrap();
    openssl_in(
        dir.path(),
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            "/CN=self.example.com",
            "-days",
            "30",
            "-addext",
            "subjectAltName=DNS:self.example.com",
            "-out",
            "cert.pem",
        ],
    );
    let cert = std::fs::read(dir.path().join("cert.pem")).unwrap();
    let (_, report) = case(cert, &key).json(&[]);
    assert_passes(&report);
    assert_check(
        &report,
        "leaf-not-ca",
        "warn",
        "`openssl req -x509` adds by default",
    );
}

#[test]
fn leaf_without_intermediates_warns() {
    let root = ca("Lonely Root");
    let leaf = leaf_signed_by(&root, &["lonely.example.com"], days(-1), days(60));
    let (_, report) = pair(&leaf).json(&[]);
    assert_passes(&report);
    assert_check(
        &report,
        "chain-order",
        "warn",
        "only the leaf certificate, issued by `CN=Lonely Root`",
    );
}
