//! Certificate and key generators for tests, all made at run time (no key files are
//! committed): `rcgen` for ECDSA P-256/P-384 and Ed25519 certificates, CAs and chains; the
//! `openssl` CLI for RSA, SEC1/PKCS#1 encodings, encrypted keys, other curves and DER.
//!
//! Everything panics on failure: these are test fixtures.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};
use time::{Duration, OffsetDateTime};

/// A certificate (PEM) and its private key (PEM).
#[derive(Debug, Clone)]
pub struct Pem {
    /// The certificate PEM (one block).
    pub cert: String,
    /// The private key PEM.
    pub key: String,
}

/// A certificate authority that can issue certificates.
pub struct Ca {
    /// Its common name.
    pub name: String,
    /// Its certificate, PEM.
    pub cert: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    /// The rcgen issuer, for custom certificates.
    pub fn issuer(&self) -> &Issuer<'static, KeyPair> {
        &self.issuer
    }
}

/// The key algorithms rcgen can make with ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256.
    P256,
    /// ECDSA P-384 with SHA-384.
    P384,
    /// Ed25519.
    Ed25519,
}

impl Alg {
    fn rcgen(self) -> &'static SignatureAlgorithm {
        match self {
            Alg::P256 => &rcgen::PKCS_ECDSA_P256_SHA256,
            Alg::P384 => &rcgen::PKCS_ECDSA_P384_SHA384,
            Alg::Ed25519 => &rcgen::PKCS_ED25519,
        }
    }
}

/// Now plus `n` days (negative for the past).
pub fn days(n: i64) -> OffsetDateTime {
    OffsetDateTime::now_utc() + Duration::days(n)
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    dn
}

/// A CA certificate for `name` (P-256, valid from yesterday for ten years), self-signed
/// when `parent` is `None`, else issued by `parent`.
pub fn ca_signed_by(name: &str, parent: Option<&Ca>) -> Ca {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name = dn(name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    params.not_before = days(-1);
    params.not_after = days(3650);
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = match parent {
        Some(parent) => params.signed_by(&key, parent.issuer()).unwrap(),
        None => params.self_signed(&key).unwrap(),
    };
    Ca {
        name: name.to_string(),
        cert: cert.pem(),
        issuer: Issuer::new(params, key),
    }
}

/// A self-signed root CA.
pub fn ca(name: &str) -> Ca {
    ca_signed_by(name, None)
}

/// An intermediate CA issued by `parent`.
pub fn intermediate(name: &str, parent: &Ca) -> Ca {
    ca_signed_by(name, Some(parent))
}

/// How to make a leaf certificate; `Leaf::new(sans).make()` gives a P-256 self-signed
/// server certificate valid for 90 days.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// DNS (or IP) SANs; the first is also the CN unless `cn` is set.
    pub sans: Vec<String>,
    /// The subject CN (defaults to the first SAN, or `leaf`).
    pub cn: Option<String>,
    /// Key algorithm.
    pub alg: Alg,
    /// Validity start.
    pub not_before: OffsetDateTime,
    /// Validity end.
    pub not_after: OffsetDateTime,
    /// Mark it `CA:TRUE`.
    pub is_ca: bool,
}

impl Leaf {
    /// A P-256 leaf for `sans`, valid from yesterday for 90 days.
    pub fn new(sans: &[&str]) -> Self {
        Leaf {
            sans: sans.iter().map(|s| s.to_string()).collect(),
            cn: None,
            alg: Alg::P256,
            not_before: days(-1),
            not_after: days(90),
            is_ca: false,
        }
    }

    /// Issues it: by `issuer`, or self-signed when `None`.
    pub fn make_by(&self, issuer: Option<&Ca>) -> Pem {
        let mut params = CertificateParams::new(self.sans.clone()).unwrap();
        let cn = self
            .cn
            .clone()
            .or_else(|| self.sans.first().cloned())
            .unwrap_or_else(|| "leaf".to_string());
        params.distinguished_name = dn(&cn);
        params.not_before = self.not_before;
        params.not_after = self.not_after;
        if self.is_ca {
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        } else {
            params.is_ca = IsCa::ExplicitNoCa;
        }
        let key = KeyPair::generate_for(self.alg.rcgen()).unwrap();
        let cert = match issuer {
            Some(ca) => params.signed_by(&key, ca.issuer()).unwrap(),
            None => params.self_signed(&key).unwrap(),
        };
        Pem {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }

    /// Self-signed.
    pub fn make(&self) -> Pem {
        self.make_by(None)
    }
}

/// A self-signed P-256 (or other `alg`) server certificate for `sans`, valid 90 days.
pub fn self_signed(alg: Alg, sans: &[&str]) -> Pem {
    Leaf {
        alg,
        ..Leaf::new(sans)
    }
    .make()
}

/// A P-256 leaf for `sans` issued by `ca` with the given validity.
pub fn leaf_signed_by(
    ca: &Ca,
    sans: &[&str],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Pem {
    Leaf {
        not_before,
        not_after,
        ..Leaf::new(sans)
    }
    .make_by(Some(ca))
}

/// Concatenates PEM texts into one chain file body.
pub fn chain(parts: &[&str]) -> String {
    parts.concat()
}

/// Runs `openssl` with `args` in `dir`; panics with its stderr on failure.
pub fn openssl_in(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` CLI must be installed to run these tests");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `openssl` on `input` (written to `in.pem`) and returns what it writes to `out`.
/// Use `in.pem` and `out` in `args`.
pub fn openssl_transform(input: &[u8], args: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.pem"), input).unwrap();
    openssl_in(dir.path(), args);
    std::fs::read(dir.path().join("out")).unwrap()
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap()
}

/// Generates a private key with `openssl genpkey` (PKCS#8 PEM). `opts` are the extra
/// `genpkey` arguments, e.g. `["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"]`.
pub fn openssl_genpkey(opts: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["genpkey"];
    args.extend_from_slice(opts);
    args.extend(["-out", "out"]);
    openssl_in(dir.path(), &args);
    text(std::fs::read(dir.path().join("out")).unwrap())
}

/// An RSA key of `bits` bits, PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`). Keys
/// are generated once per size per test process (RSA 4096 takes seconds).
pub fn openssl_rsa(bits: u32, pkcs1: bool) -> String {
    static CACHE: OnceLock<Mutex<HashMap<u32, String>>> = OnceLock::new();
    let pkcs8 = {
        let mut cache = CACHE
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        cache
            .entry(bits)
            .or_insert_with(|| {
                openssl_genpkey(&[
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    &format!("rsa_keygen_bits:{bits}"),
                ])
            })
            .clone()
    };
    if pkcs1 { to_traditional(&pkcs8) } else { pkcs8 }
}

/// An EC key on `curve` (`P-256`, `P-384`, `P-521`, `secp256k1`), SEC1 (`EC PRIVATE KEY`)
/// or PKCS#8.
pub fn openssl_ec(curve: &str, sec1: bool) -> String {
    let pkcs8 = openssl_genpkey(&[
        "-algorithm",
        "EC",
        "-pkeyopt",
        &format!("ec_paramgen_curve:{curve}"),
    ]);
    if sec1 { to_traditional(&pkcs8) } else { pkcs8 }
}

/// Re-encodes a key in OpenSSL's traditional format (PKCS#1 for RSA, SEC1 for EC).
pub fn to_traditional(key_pem: &str) -> String {
    text(openssl_transform(
        key_pem.as_bytes(),
        &["pkey", "-in", "in.pem", "-traditional", "-out", "out"],
    ))
}

/// The key encrypted as PKCS#8 (`ENCRYPTED PRIVATE KEY`), passphrase `secret`.
pub fn encrypt_pkcs8(key_pem: &str) -> String {
    text(openssl_transform(
        key_pem.as_bytes(),
        &[
            "pkey",
            "-in",
            "in.pem",
            "-aes256",
            "-passout",
            "pass:secret",
            "-out",
            "out",
        ],
    ))
}

/// The key encrypted the legacy OpenSSL way (`Proc-Type: 4,ENCRYPTED`), passphrase `secret`.
pub fn encrypt_legacy(key_pem: &str) -> String {
    text(openssl_transform(
        key_pem.as_bytes(),
        &[
            "pkey",
            "-in",
            "in.pem",
            "-traditional",
            "-aes256",
            "-passout",
            "pass:secret",
            "-out",
            "out",
        ],
    ))
}

/// A self-signed server certificate for `key_pem` made by `openssl req -x509`, with the
/// SANs as DNS names, `CA:FALSE`, valid `days` days.
pub fn openssl_self_signed(key_pem: &str, sans: &[&str], days: u32) -> String {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("key.pem"), key_pem).unwrap();
    let cn = format!("/CN={}", sans.first().copied().unwrap_or("leaf"));
    let days = days.to_string();
    let mut args = vec![
        "req",
        "-x509",
        "-new",
        "-key",
        "key.pem",
        "-subj",
        &cn,
        "-days",
        &days,
        "-out",
        "out",
        "-addext",
        "basicConstraints=critical,CA:FALSE",
    ];
    let san = sans
        .iter()
        .map(|s| format!("DNS:{s}"))
        .collect::<Vec<_>>()
        .join(",");
    let san_ext = format!("subjectAltName={san}");
    if !sans.is_empty() {
        args.extend(["-addext", &san_ext]);
    }
    openssl_in(dir.path(), &args);
    text(std::fs::read(dir.path().join("out")).unwrap())
}

/// A certificate signing request for `key_pem`.
pub fn openssl_csr(key_pem: &str, cn: &str) -> String {
    let subj = format!("/CN={cn}");
    text(openssl_transform(
        key_pem.as_bytes(),
        &[
            "req", "-new", "-key", "in.pem", "-subj", &subj, "-out", "out",
        ],
    ))
}

/// A certificate PEM as DER.
pub fn cert_to_der(cert_pem: &str) -> Vec<u8> {
    openssl_transform(
        cert_pem.as_bytes(),
        &["x509", "-in", "in.pem", "-outform", "der", "-out", "out"],
    )
}

/// A private key PEM as DER (PKCS#8).
pub fn key_to_der(key_pem: &str) -> Vec<u8> {
    openssl_transform(
        key_pem.as_bytes(),
        &["pkey", "-in", "in.pem", "-outform", "der", "-out", "out"],
    )
}

/// Writes `chain` to `dir/cert.pem` and `key` to `dir/key.pem`; returns both paths.
pub fn write_files(
    dir: &Path,
    chain: impl AsRef<[u8]>,
    key: impl AsRef<[u8]>,
) -> (PathBuf, PathBuf) {
    let cert_path = dir.join("cert.pem");
    let key_path = dir.join("key.pem");
    std::fs::write(&cert_path, chain).unwrap();
    std::fs::write(&key_path, key).unwrap();
    (cert_path, key_path)
}

/// The base64 body lines of a PEM key (what must never be printed).
pub fn secret_lines(key_pem: &str) -> Vec<String> {
    key_pem
        .lines()
        .map(str::trim)
        .filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(':'))
        .map(str::to_string)
        .collect()
}
