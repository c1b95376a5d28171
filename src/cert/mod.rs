//! Certificates and keys: parsing PEM input, describing a chain, and the preflight that
//! decides whether Google Cloud (and clients) will accept a chain and key.
//!
//! This module owns the rules of §1.6 of the GCP reference (PEM only, no passphrase, at
//! most 5 certificates leaf first, RSA 2048/3072/4096 or ECDSA P-256/P-384, key matching
//! the leaf) plus RFC 6125 hostname matching. It is a pure adapter over bytes: it must not
//! read files, look at the clock (callers pass `now`), print, or put key material into any
//! message, `Debug` output or serialised value.
//!
//! Files: `pem` (framing, which blocks an input may hold), `key` (private and public keys),
//! `der` (the small DER codec keys need), `summary` (what a chain is), `names` (hostname
//! rules), `chain` (order, length, leaf-not-CA) and `preflight` (the report).

mod chain;
mod der;
mod error;
mod key;
mod names;
mod pem;
mod preflight;
mod summary;

use std::fmt;

use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

pub use chain::MAX_CHAIN_LEN;
pub use error::{CertInputError, InputKind};
pub use key::{KeyFormat, KeyMatch, KeyType, ParsedKey, parse_key_pem};
pub use names::{hostname_covered, validate_hostname};
pub use pem::parse_chain_pem;
pub use preflight::{Check, CheckStatus, PreflightOptions, Report, ids, preflight};
pub use summary::CertSummary;

use crate::secret::SecretPem;

/// The largest certificate or key input accepted (1 MiB); a real chain is a few KiB.
pub const MAX_INPUT_BYTES: usize = 1024 * 1024;

/// SHA-256 of DER bytes as 64 lowercase hex characters: the certificate fingerprint format
/// used in state files, messages and comparisons.
pub fn sha256_hex(der: &[u8]) -> String {
    hex::encode(ring::digest::digest(&ring::digest::SHA256, der).as_ref())
}

/// A certificate chain and its private key, parsed and ready to upload. Parsing only: run
/// [`preflight`] to judge it. `Debug` never shows the key.
#[derive(Clone)]
pub struct CertBundle {
    /// The chain re-encoded as PEM, certificates only, leaf first (any text around the
    /// blocks dropped), so equal chains give equal text.
    pub chain_pem: String,
    /// The chain's DER certificates, leaf first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key re-encoded as a single PEM block in its original format.
    pub key: SecretPem,
    /// What the chain is.
    pub summary: CertSummary,
}

impl fmt::Debug for CertBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertBundle")
            .field("summary", &self.summary)
            .field("chain_len", &self.chain.len())
            .field("key", &self.key)
            .finish()
    }
}

impl CertBundle {
    /// Parses a PEM chain (leaf first) and private key.
    pub fn from_pem(chain_pem: &[u8], key: SecretPem) -> Result<CertBundle, CertInputError> {
        let chain = parse_chain_pem(chain_pem)?;
        let parsed = parse_key_pem(&key)?;
        let leaf_der = chain.first().ok_or(CertInputError::NoPemBlock {
            kind: InputKind::Certificate,
            found: Vec::new(),
        })?;
        let (_, leaf) =
            X509Certificate::from_der(leaf_der).map_err(|err| CertInputError::Malformed {
                kind: InputKind::Certificate,
                block: 1,
                label: pem::CERTIFICATE.to_string(),
                reason: format!("it is not a valid X.509 certificate ({err})"),
            })?;
        let summary = CertSummary::new(&leaf, leaf_der, chain.len());
        let chain_pem = chain
            .iter()
            .map(|der| pem::encode(pem::CERTIFICATE, der))
            .collect();
        let label = match parsed.format() {
            KeyFormat::Pkcs8 => pem::PKCS8,
            KeyFormat::Pkcs1 => pem::PKCS1,
            KeyFormat::Sec1 => pem::SEC1,
        };
        let key =
            SecretPem::new(pem::encode(label, parsed.private_key_der().secret_der()).into_bytes());
        Ok(CertBundle {
            chain_pem,
            chain,
            key,
            summary,
        })
    }

    /// SHA-256 of the leaf certificate (same as `summary.sha256`).
    pub fn fingerprint(&self) -> &str {
        &self.summary.sha256
    }
}

#[cfg(test)]
mod tests;
