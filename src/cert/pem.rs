//! PEM framing: splits certificate and key inputs into labelled blocks, decodes their
//! base64, and decides which blocks an input may hold (certificates only in the chain,
//! exactly one unencrypted private key in the key file).
//!
//! Written by hand rather than with a PEM crate so that every way an input can be wrong
//! gets its own [`CertInputError`] (DER instead of PEM, trailing text, encrypted keys,
//! swapped files). It must not interpret the DER inside a block beyond checking that a
//! certificate parses, and it must never put block contents into an error or `Debug`.

use std::fmt;

use base64::Engine;
use rustls_pki_types::CertificateDer;
use x509_parser::prelude::{FromDer, X509Certificate};

use super::MAX_INPUT_BYTES;
use super::error::{CertInputError, InputKind};

/// The PEM label of a certificate.
pub(crate) const CERTIFICATE: &str = "CERTIFICATE";
/// PKCS#8 private key.
pub(crate) const PKCS8: &str = "PRIVATE KEY";
/// PKCS#1 RSA private key.
pub(crate) const PKCS1: &str = "RSA PRIVATE KEY";
/// SEC1 EC private key.
pub(crate) const SEC1: &str = "EC PRIVATE KEY";
/// PKCS#8 encrypted private key.
const ENCRYPTED_PKCS8: &str = "ENCRYPTED PRIVATE KEY";
/// Curve parameters `openssl ecparam -genkey` writes before a SEC1 key.
const EC_PARAMETERS: &str = "EC PARAMETERS";

/// One decoded PEM block. The DER is wiped on drop (it may be a private key).
pub(crate) struct Block {
    /// The label between `BEGIN ` and `-----`.
    pub(crate) label: String,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`), names and values trimmed.
    pub(crate) headers: Vec<(String, String)>,
    /// The decoded content.
    pub(crate) der: Vec<u8>,
    /// 1-based position among the input's blocks.
    pub(crate) index: usize,
}

impl fmt::Debug for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Block({} #{}, {} bytes)",
            self.label,
            self.index,
            self.der.len()
        )
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        self.der.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&self.der);
    }
}

impl Block {
    fn is_private_key(&self) -> bool {
        self.label.ends_with("PRIVATE KEY")
    }

    fn is_legacy_encrypted(&self) -> bool {
        self.headers.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("Proc-Type")
                && value.to_ascii_uppercase().contains("ENCRYPTED")
        })
    }
}

/// Whether the bytes look like binary data rather than text.
fn is_binary(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Err(_) => true,
        Ok(text) => text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
    }
}

/// Splits an input into PEM blocks. Text before and between blocks is allowed (openssl
/// writes `Bag Attributes` and `subject=` lines there); text after the last block is not.
pub(crate) fn scan(bytes: &[u8], kind: InputKind) -> Result<Vec<Block>, CertInputError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(CertInputError::TooLarge {
            kind,
            limit: MAX_INPUT_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CertInputError::Empty(kind));
    }
    if !bytes.windows(10).any(|w| w == b"-----BEGIN") {
        if is_binary(bytes) && bytes.first() == Some(&0x30) {
            return Err(CertInputError::Der { kind });
        }
        return Err(CertInputError::NoPemBlock {
            kind,
            found: Vec::new(),
        });
    }

    struct Open {
        label: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    }
    let mut blocks = Vec::new();
    let mut open: Option<Open> = None;
    let mut text_after_end: Option<usize> = None;
    let malformed = |block: usize, label: &str, reason: &str| CertInputError::Malformed {
        kind,
        block,
        label: label.to_string(),
        reason: reason.to_string(),
    };

    for (i, raw_line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = raw_line.trim_ascii();
        let index = blocks.len() + 1;
        match open.as_mut() {
            None => {
                if let Some(label) = frame(line, b"-----BEGIN ") {
                    open = Some(Open {
                        label,
                        headers: Vec::new(),
                        body: Vec::new(),
                    });
                    text_after_end = None;
                } else if !line.is_empty() && text_after_end.is_none() {
                    text_after_end = Some(i + 1);
                }
            }
            Some(block) => {
                if let Some(label) = frame(line, b"-----END ") {
                    if label != block.label {
                        return Err(malformed(
                            index,
                            &block.label,
                            &format!("it ends with `-----END {label}-----`"),
                        ));
                    }
                    let Some(done) = open.take() else { continue };
                    let der = decode_body(&done.body)
                        .map_err(|reason| malformed(index, &done.label, reason))?;
                    blocks.push(Block {
                        label: done.label,
                        headers: done.headers,
                        der,
                        index,
                    });
                } else if frame(line, b"-----BEGIN ").is_some() {
                    return Err(malformed(
                        index,
                        &block.label,
                        &format!(
                            "no `-----END {}-----` line before the next block",
                            block.label
                        ),
                    ));
                } else if block.body.is_empty() && line.contains(&b':') {
                    let text = String::from_utf8_lossy(line);
                    let (name, value) = text.split_once(':').unwrap_or((&text, ""));
                    block
                        .headers
                        .push((name.trim().to_string(), value.trim().to_string()));
                } else {
                    block.body.extend_from_slice(line);
                }
            }
        }
    }
    if let Some(block) = open {
        return Err(malformed(
            blocks.len() + 1,
            &block.label,
            &format!(
                "no `-----END {}-----` line (is the file truncated?)",
                block.label
            ),
        ));
    }
    if let Some(line) = text_after_end {
        return Err(CertInputError::TrailingGarbage { kind, line });
    }
    Ok(blocks)
}

/// The label of a `-----BEGIN LABEL-----` / `-----END LABEL-----` line.
fn frame(line: &[u8], prefix: &[u8]) -> Option<String> {
    let label = line.strip_prefix(prefix)?.strip_suffix(b"-----")?;
    Some(String::from_utf8_lossy(label).into_owned())
}

fn decode_body(body: &[u8]) -> Result<Vec<u8>, &'static str> {
    if body.is_empty() {
        return Err("the block is empty");
    }
    let compact: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(&compact)
        .map_err(|_| "its content is not valid base64")?;
    if der.is_empty() {
        return Err("the block is empty");
    }
    Ok(der)
}

/// Encodes DER as a PEM block with 64-column lines. The intermediate base64 is wiped (the
/// DER may be a private key) and the output is allocated once, so no copy is left behind.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let mut b64 = base64::engine::general_purpose::STANDARD
        .encode(der)
        .into_bytes();
    let begin = format!("-----BEGIN {label}-----\n");
    let end = format!("-----END {label}-----\n");
    let mut out = String::with_capacity(begin.len() + end.len() + b64.len() + b64.len() / 64 + 1);
    out.push_str(&begin);
    for chunk in b64.chunks(64) {
        // base64 output is ASCII
        out.extend(chunk.iter().map(|b| char::from(*b)));
        out.push('\n');
    }
    out.push_str(&end);
    b64.iter_mut().for_each(|b| *b = 0);
    std::hint::black_box(&b64);
    out
}

fn labels(blocks: &[Block]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for b in blocks {
        if !found.contains(&b.label) {
            found.push(b.label.clone());
        }
    }
    found
}

/// Parses a PEM certificate chain, leaf first. Every block must be a `CERTIFICATE` that
/// parses as X.509.
pub fn parse_chain_pem(bytes: &[u8]) -> Result<Vec<CertificateDer<'static>>, CertInputError> {
    let kind = InputKind::Certificate;
    let blocks = scan(bytes, kind)?;
    if !blocks.iter().any(|b| b.label == CERTIFICATE) {
        if let Some(key) = blocks.iter().find(|b| b.is_private_key()) {
            return Err(CertInputError::KeyGivenAsCertificate {
                label: key.label.clone(),
            });
        }
        if let Some(csr) = blocks
            .iter()
            .find(|b| b.label.contains("CERTIFICATE REQUEST"))
        {
            return Err(CertInputError::CsrGivenAsCertificate {
                label: csr.label.clone(),
            });
        }
        return Err(CertInputError::NoPemBlock {
            kind,
            found: labels(&blocks),
        });
    }
    if let Some(other) = blocks.iter().find(|b| b.label != CERTIFICATE) {
        return Err(CertInputError::UnexpectedBlock {
            kind,
            label: other.label.clone(),
            block: other.index,
        });
    }
    let mut chain = Vec::with_capacity(blocks.len());
    for block in &blocks {
        match X509Certificate::from_der(&block.der) {
            Ok(([], _)) => {
                chain.push(CertificateDer::from(block.der.clone()));
            }
            Ok(_) => {
                return Err(CertInputError::Malformed {
                    kind,
                    block: block.index,
                    label: block.label.clone(),
                    reason: "it has extra bytes after the certificate".to_string(),
                });
            }
            Err(err) => {
                return Err(CertInputError::Malformed {
                    kind,
                    block: block.index,
                    label: block.label.clone(),
                    reason: format!("it is not a valid X.509 certificate ({err})"),
                });
            }
        }
    }
    Ok(chain)
}

/// Finds the one private key block of a key input, refusing encrypted keys, several
/// keys, swapped files and unsupported formats.
pub(crate) fn key_block(bytes: &[u8]) -> Result<Block, CertInputError> {
    let kind = InputKind::Key;
    let mut blocks = scan(bytes, kind)?;
    if blocks.iter().any(|b| b.label == ENCRYPTED_PKCS8) {
        return Err(CertInputError::EncryptedKey { legacy: false });
    }
    if blocks
        .iter()
        .any(|b| b.is_private_key() && b.is_legacy_encrypted())
    {
        return Err(CertInputError::EncryptedKey { legacy: true });
    }
    let keys = blocks.iter().filter(|b| b.is_private_key()).count();
    if keys > 1 {
        return Err(CertInputError::MultipleKeys { count: keys });
    }
    if keys == 0 {
        if blocks.iter().any(|b| b.label == CERTIFICATE) {
            return Err(CertInputError::CertificateGivenAsKey);
        }
        return Err(CertInputError::NoPemBlock {
            kind,
            found: labels(&blocks),
        });
    }
    if let Some(other) = blocks
        .iter()
        .find(|b| !b.is_private_key() && b.label != EC_PARAMETERS)
    {
        return Err(CertInputError::UnexpectedBlock {
            kind,
            label: other.label.clone(),
            block: other.index,
        });
    }
    let position = blocks.iter().position(Block::is_private_key).unwrap_or(0);
    let key = blocks.swap_remove(position);
    if ![PKCS8, PKCS1, SEC1].contains(&key.label.as_str()) {
        return Err(CertInputError::UnsupportedKeyFormat {
            label: key.label.clone(),
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(label: &str, body: &[u8]) -> String {
        encode(label, body)
    }

    fn kinds(bytes: &[u8]) -> Result<Vec<String>, CertInputError> {
        scan(bytes, InputKind::Certificate).map(|b| b.iter().map(|b| b.label.clone()).collect())
    }

    #[test]
    fn accepts_leading_and_between_text_but_not_trailing_text() {
        let a = pem("CERTIFICATE", b"\x30\x00");
        let input = format!(
            "Bag Attributes\n    localKeyID: 01\nsubject=/CN=x\n{a}\nissuer=/CN=y\n{a}\n\n"
        );
        assert_eq!(kinds(input.as_bytes()).unwrap().len(), 2);
        let trailing = format!("{a}{a}garbage here\n");
        assert_eq!(
            kinds(trailing.as_bytes()).unwrap_err(),
            CertInputError::TrailingGarbage {
                kind: InputKind::Certificate,
                line: 7
            }
        );
    }

    #[test]
    fn classifies_empty_der_and_text() {
        assert_eq!(
            kinds(b" \n\t\n").unwrap_err(),
            CertInputError::Empty(InputKind::Certificate)
        );
        assert_eq!(
            kinds(b"\x30\x82\x01\x00\x00\xff").unwrap_err(),
            CertInputError::Der {
                kind: InputKind::Certificate
            }
        );
        assert!(matches!(
            kinds(b"hello world\n").unwrap_err(),
            CertInputError::NoPemBlock { .. }
        ));
        let big = vec![b'a'; MAX_INPUT_BYTES + 1];
        assert!(matches!(
            kinds(&big).unwrap_err(),
            CertInputError::TooLarge { .. }
        ));
    }

    #[test]
    fn reports_broken_framing_and_base64() {
        let truncated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        let err = kinds(truncated.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        let mismatched = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END PRIVATE KEY-----\n";
        let err = kinds(mismatched.as_bytes()).unwrap_err();
        assert!(
            err.to_string()
                .contains("it ends with `-----END PRIVATE KEY-----`"),
            "{err}"
        );
        let bad = "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n";
        let err = kinds(bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PEM block 1 (`CERTIFICATE`) in the certificate file cannot be parsed: its content is not valid base64"
        );
    }

    #[test]
    fn key_file_rules() {
        let key = pem(PKCS8, b"\x30\x00");
        let two = format!("{key}{key}");
        assert_eq!(
            key_block(two.as_bytes()).unwrap_err(),
            CertInputError::MultipleKeys { count: 2 }
        );
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nMAA=\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            key_block(legacy.as_bytes()).unwrap_err(),
            CertInputError::EncryptedKey { legacy: true }
        );
        let with_params = format!("{}{key}", pem(EC_PARAMETERS, b"\x06\x00"));
        assert_eq!(key_block(with_params.as_bytes()).unwrap().label, PKCS8);
        let ssh = pem("OPENSSH PRIVATE KEY", b"openssh-key-v1");
        assert!(matches!(
            key_block(ssh.as_bytes()).unwrap_err(),
            CertInputError::UnsupportedKeyFormat { .. }
        ));
        let cert = pem(CERTIFICATE, b"\x30\x00");
        assert_eq!(
            key_block(cert.as_bytes()).unwrap_err(),
            CertInputError::CertificateGivenAsKey
        );
        let both = format!("{key}{cert}");
        assert!(matches!(
            key_block(both.as_bytes()).unwrap_err(),
            CertInputError::UnexpectedBlock { block: 2, .. }
        ));
    }

    #[test]
    fn chain_rules() {
        let key = pem(PKCS8, b"\x30\x00");
        assert_eq!(
            parse_chain_pem(key.as_bytes()).unwrap_err(),
            CertInputError::KeyGivenAsCertificate {
                label: PKCS8.to_string()
            }
        );
        let csr = pem("CERTIFICATE REQUEST", b"\x30\x00");
        assert!(matches!(
            parse_chain_pem(csr.as_bytes()).unwrap_err(),
            CertInputError::CsrGivenAsCertificate { .. }
        ));
        let junk = pem(CERTIFICATE, b"\x30\x03\x02\x01\x00");
        let err = parse_chain_pem(junk.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("not a valid X.509 certificate"),
            "{err}"
        );
    }

    #[test]
    fn encode_wraps_at_64() {
        let text = encode("X", &[0u8; 100]);
        assert!(
            text.lines()
                .all(|l| l.len() <= 64 || l.starts_with("-----"))
        );
        assert_eq!(
            scan(text.as_bytes(), InputKind::Key).unwrap()[0].der,
            vec![0u8; 100]
        );
    }
}
