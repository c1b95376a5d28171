//! Private keys and public keys: [`parse_key_pem`] (PKCS#8, PKCS#1, SEC1), [`KeyType`],
//! and whether a private key belongs to a certificate's public key.
//!
//! The public key is computed by `ring` (through rustls) when it can load the key — real
//! cryptography, which also checks the key is internally consistent. Keys ring refuses
//! (RSA under 2048 bits, P-521, secp256k1, Ed448) are still described from their DER
//! structure, and their embedded public part is used for the match where there is one.
//! This module must not print, and must never expose key bytes through `Debug`, `Display`
//! or an error.

use std::fmt;

use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

use super::der::{self, DerError, Reader, tag};
use super::error::{CertInputError, InputKind};
use super::pem;
use crate::secret::SecretPem;

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_ED448: &str = "1.3.101.113";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";

/// The kind and size of a key, as Google Cloud's rules talk about them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA with a modulus of `bits` bits.
    Rsa {
        /// Modulus size in bits.
        bits: u32,
    },
    /// ECDSA on NIST P-256 (prime256v1).
    EcdsaP256,
    /// ECDSA on NIST P-384 (secp384r1).
    EcdsaP384,
    /// ECDSA on another curve (`P-521`, `secp256k1`, or the curve's OID).
    EcdsaOther {
        /// The curve's common name, or its OID.
        curve: String,
    },
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Anything else (DSA, X25519, RSA-PSS-only keys...): its name or algorithm OID.
    Other(String),
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyType::EcdsaP256 => f.write_str("ECDSA P-256"),
            KeyType::EcdsaP384 => f.write_str("ECDSA P-384"),
            KeyType::EcdsaOther { curve } => write!(f, "ECDSA {curve}"),
            KeyType::Ed25519 => f.write_str("Ed25519"),
            KeyType::Ed448 => f.write_str("Ed448"),
            KeyType::Other(name) => f.write_str(name),
        }
    }
}

impl serde::Serialize for KeyType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

fn curve_type(curve_oid: Option<&str>) -> KeyType {
    match curve_oid {
        Some(OID_P256) => KeyType::EcdsaP256,
        Some(OID_P384) => KeyType::EcdsaP384,
        Some(other) => KeyType::EcdsaOther {
            curve: match other {
                "1.3.132.0.35" => "P-521".to_string(),
                "1.3.132.0.10" => "secp256k1".to_string(),
                "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".to_string(),
                "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".to_string(),
                "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".to_string(),
                oid => oid.to_string(),
            },
        },
        None => KeyType::EcdsaOther {
            curve: "with explicit or missing curve parameters".to_string(),
        },
    }
}

fn other_type(alg_oid: &str) -> KeyType {
    KeyType::Other(
        match alg_oid {
            "1.2.840.113549.1.1.10" => "RSA-PSS",
            "1.2.840.10040.4.1" => "DSA",
            "1.3.101.110" => "X25519",
            "1.3.101.111" => "X448",
            oid => return KeyType::Other(format!("algorithm {oid}")),
        }
        .to_string(),
    )
}

/// The encoding a private key came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum KeyFormat {
    /// PKCS#8 (`PRIVATE KEY`).
    #[serde(rename = "PKCS#8")]
    Pkcs8,
    /// PKCS#1 (`RSA PRIVATE KEY`).
    #[serde(rename = "PKCS#1")]
    Pkcs1,
    /// SEC1 (`EC PRIVATE KEY`).
    #[serde(rename = "SEC1")]
    Sec1,
}

impl fmt::Display for KeyFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyFormat::Pkcs8 => "PKCS#8",
            KeyFormat::Pkcs1 => "PKCS#1",
            KeyFormat::Sec1 => "SEC1",
        })
    }
}

/// The public part of a key, normalised so two encodings of one key compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PublicParts {
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    Ec {
        curve: Option<String>,
        point: Vec<u8>,
    },
    Raw {
        algorithm: String,
        key: Vec<u8>,
    },
}

impl PublicParts {
    fn same_key(&self, other: &PublicParts) -> bool {
        match (self, other) {
            (
                PublicParts::Ec {
                    curve: c1,
                    point: p1,
                },
                PublicParts::Ec {
                    curve: c2,
                    point: p2,
                },
            ) => c1 == c2 && same_point(p1, p2),
            (a, b) => a == b,
        }
    }
}

/// Compares EC points that may be compressed (`02`/`03` || X) or not (`04` || X || Y).
fn same_point(a: &[u8], b: &[u8]) -> bool {
    fn x_and_parity(p: &[u8]) -> Option<(&[u8], u8)> {
        match p.split_first()? {
            (&prefix @ (2 | 3), x) => Some((x, prefix & 1)),
            (&4, xy) if xy.len() % 2 == 0 && !xy.is_empty() => {
                let (x, y) = xy.split_at(xy.len() / 2);
                Some((x, y.last().copied().unwrap_or(0) & 1))
            }
            _ => None,
        }
    }
    a == b || matches!((x_and_parity(a), x_and_parity(b)), (Some(pa), Some(pb)) if pa == pb)
}

/// What a SubjectPublicKeyInfo says.
struct Spki {
    key_type: KeyType,
    public: PublicParts,
}

/// Parses a SubjectPublicKeyInfo (the leaf certificate's, or one rebuilt from a key).
fn parse_spki(spki: &[u8]) -> Result<Spki, DerError> {
    let mut outer = Reader::new(der::read_single(spki, tag::SEQUENCE)?);
    let mut alg = Reader::new(outer.read(tag::SEQUENCE)?);
    let bits = outer.read(tag::BIT_STRING)?;
    let key = bits.get(1..).ok_or(DerError)?;
    let oid = der::oid_to_string(alg.read(tag::OID)?);
    match oid.as_str() {
        OID_RSA => {
            let mut rsa = Reader::new(der::read_single(key, tag::SEQUENCE)?);
            let modulus = der::unsigned(rsa.read(tag::INTEGER)?);
            let exponent = der::unsigned(rsa.read(tag::INTEGER)?);
            Ok(Spki {
                key_type: KeyType::Rsa {
                    bits: der::bit_len(modulus),
                },
                public: PublicParts::Rsa {
                    modulus: modulus.to_vec(),
                    exponent: exponent.to_vec(),
                },
            })
        }
        OID_EC => {
            let curve = alg.read_optional(tag::OID)?.map(der::oid_to_string);
            Ok(Spki {
                key_type: curve_type(curve.as_deref()),
                public: PublicParts::Ec {
                    curve,
                    point: key.to_vec(),
                },
            })
        }
        _ => Ok(Spki {
            key_type: match oid.as_str() {
                OID_ED25519 => KeyType::Ed25519,
                OID_ED448 => KeyType::Ed448,
                other => other_type(other),
            },
            public: PublicParts::Raw {
                algorithm: oid,
                key: key.to_vec(),
            },
        }),
    }
}

/// The key type of a SubjectPublicKeyInfo, e.g. a certificate's public key.
pub(crate) fn spki_key_type(spki: &[u8]) -> KeyType {
    parse_spki(spki)
        .map(|s| s.key_type)
        .unwrap_or_else(|_| KeyType::Other("unparseable public key".to_string()))
}

/// A parsed, unencrypted private key. Its `Debug` shows the format and type only.
pub struct ParsedKey {
    format: KeyFormat,
    key_type: KeyType,
    spki: Option<Vec<u8>>,
    computed: bool,
    der: PrivateKeyDer<'static>,
}

impl fmt::Debug for ParsedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedKey")
            .field("format", &self.format)
            .field("key_type", &self.key_type)
            .field("public_key_computed", &self.computed)
            .field("der", &crate::secret::REDACTED)
            .finish()
    }
}

/// Whether a private key belongs to a public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMatch {
    /// Same public key.
    Matches,
    /// A different public key.
    Differs,
    /// Cannot tell; the reason says why.
    Unknown(String),
}

impl ParsedKey {
    /// The encoding the key came in.
    pub fn format(&self) -> KeyFormat {
        self.format
    }

    /// The key's type and size.
    pub fn key_type(&self) -> &KeyType {
        &self.key_type
    }

    /// The DER SubjectPublicKeyInfo of the key's public half, when it is known: computed by
    /// ring for the types it supports, else taken from the public part the key file embeds.
    pub fn spki_der(&self) -> Option<&[u8]> {
        self.spki.as_deref()
    }

    /// Whether [`Self::spki_der`] was computed from the private key by ring (rather than
    /// copied from the file's structure).
    pub fn public_key_computed(&self) -> bool {
        self.computed
    }

    /// The key as rustls takes it (for TLS servers). Never log or print it.
    pub fn private_key_der(&self) -> &PrivateKeyDer<'static> {
        &self.der
    }

    /// Whether this key belongs to the public key `spki` (DER SubjectPublicKeyInfo, e.g.
    /// a certificate's). Compares the public parts, not the encodings.
    pub fn matches_spki(&self, spki: &[u8]) -> KeyMatch {
        let Some(mine) = self.spki.as_deref() else {
            return KeyMatch::Unknown(format!(
                "the {} key file does not include its public key and ring cannot compute it for {}",
                self.format, self.key_type
            ));
        };
        match (parse_spki(mine), parse_spki(spki)) {
            (Ok(a), Ok(b)) if a.public.same_key(&b.public) => KeyMatch::Matches,
            (Ok(_), Ok(_)) => KeyMatch::Differs,
            _ => KeyMatch::Unknown("a public key could not be parsed".to_string()),
        }
    }
}

/// Parses an unencrypted private key: PKCS#8 (`PRIVATE KEY`), PKCS#1 (`RSA PRIVATE KEY`)
/// or SEC1 (`EC PRIVATE KEY`). Exactly one key may be in the input.
pub fn parse_key_pem(key: &SecretPem) -> Result<ParsedKey, CertInputError> {
    let block = pem::key_block(key.expose())?;
    let malformed = |what: &str| CertInputError::Malformed {
        kind: InputKind::Key,
        block: block.index,
        label: block.label.clone(),
        reason: format!("it is not a valid {what} private key"),
    };
    let (format, structure) = match block.label.as_str() {
        pem::PKCS1 => (KeyFormat::Pkcs1, parse_pkcs1(&block.der)),
        pem::SEC1 => (KeyFormat::Sec1, parse_sec1(&block.der, None)),
        _ => (KeyFormat::Pkcs8, parse_pkcs8(&block.der)),
    };
    let (key_type, embedded) = structure.map_err(|_| malformed(&format.to_string()))?;
    let der: PrivateKeyDer<'static> = match format {
        KeyFormat::Pkcs8 => PrivatePkcs8KeyDer::from(block.der.clone()).into(),
        KeyFormat::Pkcs1 => PrivatePkcs1KeyDer::from(block.der.clone()).into(),
        KeyFormat::Sec1 => PrivateSec1KeyDer::from(block.der.clone()).into(),
    };
    let computed = rustls::crypto::ring::sign::any_supported_type(&der)
        .ok()
        .and_then(|k| k.public_key().map(|spki| spki.as_ref().to_vec()));
    let is_computed = computed.is_some();
    Ok(ParsedKey {
        format,
        key_type,
        spki: computed.or(embedded),
        computed: is_computed,
        der,
    })
}

type Structure = Result<(KeyType, Option<Vec<u8>>), DerError>;

/// RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, privateExponent, ... }
fn parse_pkcs1(der: &[u8]) -> Structure {
    let mut seq = Reader::new(der::read_single(der, tag::SEQUENCE)?);
    seq.read(tag::INTEGER)?;
    let modulus = seq.read(tag::INTEGER)?;
    let exponent = seq.read(tag::INTEGER)?;
    seq.read(tag::INTEGER)?;
    let rsa_public = der::encode(
        tag::SEQUENCE,
        &[
            der::encode(tag::INTEGER, modulus),
            der::encode(tag::INTEGER, exponent),
        ]
        .concat(),
    );
    let alg = der::encode(
        tag::SEQUENCE,
        &[
            der::encode(
                tag::OID,
                &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01],
            ),
            der::encode(tag::NULL, &[]),
        ]
        .concat(),
    );
    let spki = build_spki(alg, &rsa_public);
    Ok((
        KeyType::Rsa {
            bits: der::bit_len(modulus),
        },
        Some(spki),
    ))
}

/// ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
///   [0] parameters OID OPTIONAL, [1] publicKey BIT STRING OPTIONAL }
fn parse_sec1(der: &[u8], outer_curve: Option<&[u8]>) -> Structure {
    let mut seq = Reader::new(der::read_single(der, tag::SEQUENCE)?);
    seq.read(tag::INTEGER)?;
    seq.read(tag::OCTET_STRING)?;
    let mut curve = outer_curve;
    let mut public = None;
    while !seq.is_empty() {
        match seq.read_any()? {
            (0xa0, params) => curve = Some(der::read_single(params, tag::OID)?),
            (0xa1, key) => {
                let bits = der::read_single(key, tag::BIT_STRING)?;
                public = Some(bits.get(1..).ok_or(DerError)?);
            }
            _ => return Err(DerError),
        }
    }
    let curve_name = curve.map(der::oid_to_string);
    let spki = match (curve, public) {
        (Some(curve), Some(point)) => {
            let alg = der::encode(
                tag::SEQUENCE,
                &[
                    der::encode(tag::OID, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]),
                    der::encode(tag::OID, curve),
                ]
                .concat(),
            );
            Some(build_spki(alg, point))
        }
        _ => None,
    };
    Ok((curve_type(curve_name.as_deref()), spki))
}

/// OneAsymmetricKey ::= SEQUENCE { version, AlgorithmIdentifier, privateKey OCTET STRING,
///   [0] attributes OPTIONAL, [1] publicKey OPTIONAL }
fn parse_pkcs8(der: &[u8]) -> Structure {
    let mut seq = Reader::new(der::read_single(der, tag::SEQUENCE)?);
    seq.read(tag::INTEGER)?;
    let alg_der = seq.read(tag::SEQUENCE)?;
    let mut alg = Reader::new(alg_der);
    let oid = der::oid_to_string(alg.read(tag::OID)?);
    let inner = seq.read(tag::OCTET_STRING)?;
    let mut public = None;
    while !seq.is_empty() {
        match seq.read_any()? {
            (0xa0, _) => {}
            (0x81, bits) => public = Some(bits.get(1..).ok_or(DerError)?),
            _ => return Err(DerError),
        }
    }
    match oid.as_str() {
        OID_RSA => parse_pkcs1(inner),
        OID_EC => {
            let curve = alg.read_optional(tag::OID)?;
            parse_sec1(inner, curve)
        }
        _ => {
            let key_type = match oid.as_str() {
                OID_ED25519 => KeyType::Ed25519,
                OID_ED448 => KeyType::Ed448,
                other => other_type(other),
            };
            let alg_tlv = der::encode(tag::SEQUENCE, alg_der);
            Ok((key_type, public.map(|p| build_spki(alg_tlv, p))))
        }
    }
}

/// SubjectPublicKeyInfo ::= SEQUENCE { AlgorithmIdentifier, BIT STRING }
fn build_spki(alg: Vec<u8>, public_key: &[u8]) -> Vec<u8> {
    let mut bits = Vec::with_capacity(public_key.len() + 1);
    bits.push(0); // no unused bits
    bits.extend_from_slice(public_key);
    der::encode(
        tag::SEQUENCE,
        &[alg, der::encode(tag::BIT_STRING, &bits)].concat(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rcgen_key(alg: &'static rcgen::SignatureAlgorithm) -> (rcgen::KeyPair, SecretPem) {
        let key = rcgen::KeyPair::generate_for(alg).unwrap();
        let pem = SecretPem::new(key.serialize_pem().into_bytes());
        (key, pem)
    }

    #[test]
    fn display_names() {
        assert_eq!(KeyType::Rsa { bits: 2048 }.to_string(), "RSA 2048");
        assert_eq!(KeyType::EcdsaP256.to_string(), "ECDSA P-256");
        assert_eq!(KeyType::EcdsaP384.to_string(), "ECDSA P-384");
        assert_eq!(curve_type(Some("1.3.132.0.35")).to_string(), "ECDSA P-521");
        assert_eq!(KeyType::Ed25519.to_string(), "Ed25519");
        assert_eq!(other_type("1.2.840.10040.4.1").to_string(), "DSA");
    }

    #[test]
    fn computes_and_matches_public_keys() {
        for (alg, expected) in [
            (&rcgen::PKCS_ECDSA_P256_SHA256, KeyType::EcdsaP256),
            (&rcgen::PKCS_ECDSA_P384_SHA384, KeyType::EcdsaP384),
            (&rcgen::PKCS_ED25519, KeyType::Ed25519),
        ] {
            let (pair, pem) = rcgen_key(alg);
            let parsed = parse_key_pem(&pem).unwrap();
            assert_eq!(parsed.key_type(), &expected);
            assert_eq!(parsed.format(), KeyFormat::Pkcs8);
            assert!(parsed.public_key_computed());
            let spki = rcgen::PublicKeyData::subject_public_key_info(&pair);
            assert_eq!(parsed.matches_spki(&spki), KeyMatch::Matches);
            let (other, _) = rcgen_key(alg);
            let other_spki = rcgen::PublicKeyData::subject_public_key_info(&other);
            assert_eq!(parsed.matches_spki(&other_spki), KeyMatch::Differs);
        }
    }

    #[test]
    fn debug_hides_key_material() {
        let (_, pem) = rcgen_key(&rcgen::PKCS_ECDSA_P256_SHA256);
        let parsed = parse_key_pem(&pem).unwrap();
        let shown = format!("{parsed:?}");
        assert!(shown.contains("EcdsaP256") && shown.contains(crate::secret::REDACTED));
        let body = String::from_utf8_lossy(pem.expose())
            .lines()
            .nth(1)
            .unwrap()
            .to_string();
        assert!(!shown.contains(&body));
    }

    #[test]
    fn compressed_and_uncompressed_points_compare() {
        let x = [7u8; 32];
        let mut uncompressed = vec![4u8];
        uncompressed.extend_from_slice(&x);
        uncompressed.extend_from_slice(&[9u8; 32]); // odd y
        let mut compressed = vec![3u8];
        compressed.extend_from_slice(&x);
        assert!(same_point(&uncompressed, &compressed));
        compressed[0] = 2;
        assert!(!same_point(&uncompressed, &compressed));
    }

    #[test]
    fn malformed_key_der_is_reported_without_bytes() {
        let pem = SecretPem::new(pem::encode(pem::PKCS8, b"\x30\x03\x02\x01\x00").into_bytes());
        let err = parse_key_pem(&pem).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PEM block 1 (`PRIVATE KEY`) in the key file cannot be parsed: it is not a valid PKCS#8 private key"
        );
    }
}
