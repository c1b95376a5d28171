//! File-format problems: DER, empty, trailing text, oversize, swapped files, CSRs, bad base64.

use crate::harness::*;
use crate::support::certs::*;
use crate::support::cli::rotate_cert;

#[test]
fn der_certificate_fails_with_conversion_command() {
    let pem = self_signed(Alg::P256, &["der.example.com"]);
    let (_, report) = case(cert_to_der(&pem.cert), &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "the certificate file is binary (DER), not PEM: convert it with `openssl x509 -inform der",
    );
    assert_check(&report, "parse-key", "pass", "ECDSA P-256");
    assert!(report["summary"].is_null());
}

#[test]
fn der_key_fails_with_conversion_command() {
    let pem = self_signed(Alg::P256, &["der.example.com"]);
    let der = key_to_der(&pem.key);
    let (run, report) = case(&pem.cert, &der).json(&[]);
    assert_check(
        &report,
        "parse-key",
        "fail",
        "the key file is binary (DER), not PEM: convert it with `openssl pkey -inform der",
    );
    assert_check(&report, "parse-chain", "pass", "1 certificate");
    run.assert_no_key(&pem.key);
}

#[test]
fn empty_certificate_and_empty_key() {
    let pem = self_signed(Alg::P256, &["empty.example.com"]);
    let (_, report) = case("", &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "the certificate file is empty",
    );
    let (_, report) = case(&pem.cert, "\n\n").json(&[]);
    assert_check(&report, "parse-key", "fail", "the key file is empty");
    assert_check(&report, "parse-chain", "pass", "1 certificate");
}

#[test]
fn trailing_garbage_after_last_block_fails() {
    let pem = self_signed(Alg::P256, &["junk.example.com"]);
    let lines = pem.cert.lines().count();
    let (_, report) = case(format!("{}\nthis is not PEM\n", pem.cert), &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        &format!(
            "the certificate file has text after the last PEM block (line {})",
            lines + 2
        ),
    );
}

#[test]
fn oversize_input_fails_without_reading_it_all() {
    let pem = self_signed(Alg::P256, &["big.example.com"]);
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write_files(dir.path(), &pem.cert, &pem.key);
    // a sparse 4 GiB file after the real certificate
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(&cert)
        .unwrap();
    file.set_len(4 * 1024 * 1024 * 1024).unwrap();
    let run = rotate_cert([
        "check-cert".as_ref(),
        "--cert".as_ref(),
        cert.as_os_str(),
        "--key".as_ref(),
        key.as_os_str(),
        "--output".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let report = run.json();
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "the certificate file is larger than the 1 MiB limit for PEM input",
    );
}

#[test]
fn swapped_certificate_and_key_files() {
    let pem = self_signed(Alg::P256, &["swap.example.com"]);
    let (_, report) = case(&pem.key, &pem.cert).json(&[]);
    assert_eq!(failed_ids(&report), ["parse-chain", "parse-key"]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "the certificate file holds a private key (`PRIVATE KEY`), not a certificate: were the certificate and key files swapped?",
    );
    assert_check(
        &report,
        "parse-key",
        "fail",
        "the key file holds a certificate, not a private key: were the certificate and key files swapped?",
    );
    let leaked = rotate_cert(case(&pem.key, &pem.cert).args(&[]));
    leaked.assert_no_key(&pem.key);
}

#[test]
fn csr_given_as_certificate() {
    let pem = self_signed(Alg::P256, &["csr.example.com"]);
    let csr = openssl_csr(&pem.key, "csr.example.com");
    let (_, report) = case(&csr, &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "holds a certificate signing request (`CERTIFICATE REQUEST`), not a certificate: send the CSR to your CA",
    );
}

#[test]
fn corrupt_base64_block_fails() {
    let pem = self_signed(Alg::P256, &["b64.example.com"]);
    let broken = pem.cert.replacen("MII", "M!I", 1);
    let (_, report) = case(&broken, &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "PEM block 1 (`CERTIFICATE`) in the certificate file cannot be parsed: its content is not valid base64",
    );
}

#[test]
fn private_key_inside_the_certificate_file_fails() {
    let pem = self_signed(Alg::P256, &["combo.example.com"]);
    let (_, report) = case(format!("{}{}", pem.cert, pem.key), &pem.key).json(&[]);
    assert_check(
        &report,
        "parse-chain",
        "fail",
        "the certificate file also holds a private key (`PRIVATE KEY`, block 2)",
    );
}
