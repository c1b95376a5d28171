//! Dates, hostnames (RFC 6125), `--hostname` validation and several failures in one run.

use crate::harness::*;
use crate::support::certs::*;

#[test]
fn expired_certificate_fails() {
    let root = ca("Old Root");
    let leaf = leaf_signed_by(&root, &["old.example.com"], days(-100), days(-3));
    let (_, report) = case(chain(&[&leaf.cert, &root.cert]), &leaf.key).json(&[]);
    assert_eq!(failed_ids(&report), ["validity"]);
    assert_check(&report, "validity", "fail", "the certificate expired at ");
    assert_check(&report, "validity", "fail", "(3 days ago)");
}

#[test]
fn not_yet_valid_certificate_fails() {
    let pem = Leaf {
        not_before: days(5),
        not_after: days(95),
        ..Leaf::new(&["future.example.com"])
    }
    .make();
    let (_, report) = pair(&pem).json(&[]);
    assert_eq!(failed_ids(&report), ["validity"]);
    assert_check(
        &report,
        "validity",
        "fail",
        "the certificate is not valid until ",
    );
    assert_check(&report, "validity", "fail", "(in 5 days)");
}

#[test]
fn expiring_within_min_validity_fails() {
    let pem = Leaf {
        not_after: days(10),
        ..Leaf::new(&["soon.example.com"])
    }
    .make();
    let c = pair(&pem);
    let (_, report) = c.json(&[]); // default --min-validity 14d
    assert_check(
        &report,
        "validity",
        "fail",
        "sooner than the required minimum validity of 14d (`--min-validity`)",
    );
    assert_check(&report, "validity", "fail", "(in 10 days)");
    let (_, report) = c.json(&["--min-validity", "30d"]);
    assert_check(&report, "validity", "fail", "minimum validity of 30d");
    let (_, report) = c.json(&["--min-validity", "5d"]);
    assert_passes(&report);
    assert_check(&report, "validity", "pass", "valid until ");
}

#[test]
fn hostname_not_covered_fails() {
    let pem = self_signed(Alg::P256, &["www.example.com"]);
    let (_, report) = pair(&pem).json(&[
        "--hostname",
        "www.example.com",
        "--hostname",
        "api.example.org",
    ]);
    assert_eq!(failed_ids(&report), ["hostnames"]);
    assert_check(
        &report,
        "hostnames",
        "fail",
        "not covered by the certificate's SANs (`www.example.com`): `api.example.org`",
    );
}

#[test]
fn wildcard_covers_exactly_one_label_and_not_the_apex() {
    let pem = self_signed(Alg::P256, &["*.example.com"]);
    let c = pair(&pem);
    let (_, report) = c.json(&[
        "--hostname",
        "www.example.com",
        "--hostname",
        "API.Example.com",
    ]);
    assert_passes(&report);
    let (_, report) = c.json(&[
        "--hostname",
        "www.example.com",
        "--hostname",
        "example.com",
        "--hostname",
        "a.b.example.com",
    ]);
    assert_check(
        &report,
        "hostnames",
        "fail",
        "`example.com` (`*.example.com` does not cover the apex `example.com`: add `example.com` as a SAN)",
    );
    assert_check(
        &report,
        "hostnames",
        "fail",
        "`a.b.example.com` (`*.example.com` covers exactly one label, not `a.b.example.com`)",
    );
    assert!(
        !check(&report, "hostnames")
            .1
            .contains("`www.example.com` (")
    );
}

#[test]
fn certificate_without_sans_fails_hostnames() {
    let pem = Leaf {
        sans: vec![],
        cn: Some("nosan.example.com".into()),
        ..Leaf::new(&[])
    }
    .make();
    let c = pair(&pem);
    let (_, report) = c.json(&["--hostname", "nosan.example.com"]);
    assert_eq!(failed_ids(&report), ["hostnames"]);
    assert_check(
        &report,
        "hostnames",
        "fail",
        "the certificate has no subject alternative names, so it is valid for no hostname: clients ignore the subject CN (`nosan.example.com`) (RFC 6125)",
    );
    let (_, report) = c.json(&[]);
    assert_check(&report, "hostnames", "warn", "no subject alternative names");
    assert_eq!(report["summary"]["sans"], serde_json::json!([]));
}

#[test]
fn invalid_hostname_flags_are_bad_input() {
    let pem = self_signed(Alg::P256, &["flags.example.com"]);
    let c = pair(&pem);
    for (bad, fragment) in [
        ("", "empty hostname"),
        ("a b.example.com", "contains whitespace"),
        (
            "https://flags.example.com/",
            "is a URL, not a hostname (drop `https://`)",
        ),
        (
            "flags.example.com:443",
            "has a port: give only the hostname, e.g. `flags.example.com`",
        ),
    ] {
        let run = c.human(&["--hostname", bad]);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("error: invalid `--hostname`: "),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(fragment), "{bad:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn several_failures_are_reported_in_one_run() {
    let root = ca("Many Root");
    let leaf = leaf_signed_by(&root, &["many.example.com"], days(-30), days(-1));
    let other_key = openssl_rsa(1024, false);
    let c = case(chain(&[&root.cert, &leaf.cert]), &other_key);
    let (_, report) = c.json(&["--hostname", "other.example.com"]);
    assert_eq!(
        failed_ids(&report),
        [
            "key-match",
            "chain-order",
            "leaf-not-ca",
            "key-type",
            "validity",
            "hostnames"
        ],
        "{report:#}"
    );
    assert_check(
        &report,
        "chain-order",
        "fail",
        "certificate 1 (`Many Root`) is not issued by certificate 2 (`many.example.com`)",
    );
    assert_check(
        &report,
        "validity",
        "fail",
        "certificate 2 (`many.example.com`) expired at",
    );
    assert_check(
        &report,
        "key-type",
        "fail",
        "certificate: ECDSA P-256, accepted by Google Cloud for every load balancer; private key: RSA 1024 is too weak",
    );
    // in order, the same files still fail four ways
    let c = case(chain(&[&leaf.cert, &root.cert]), &other_key);
    let (_, report) = c.json(&["--hostname", "other.example.com"]);
    assert_eq!(
        failed_ids(&report),
        ["key-match", "key-type", "validity", "hostnames"]
    );
    let run = c.human(&["--hostname", "other.example.com"]);
    assert_eq!(run.code, 2);
    for line in [
        "FAIL  key-match",
        "FAIL  key-type",
        "FAIL  validity",
        "FAIL  hostnames",
        "ok    chain-order",
    ] {
        assert!(run.stdout.contains(line), "{line}: {}", run.stdout);
    }
    assert!(
        run.stdout
            .contains("result: FAILED (4 failed checks, 0 warnings)"),
        "{}",
        run.stdout
    );
}
