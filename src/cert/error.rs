//! [`CertInputError`]: every way a certificate or key PEM input can be unusable, each with
//! its own actionable message.
//!
//! Messages follow the house style (lowercase, no trailing period, commands in backticks)
//! and name no file paths (the caller knows which file it read). They must never include
//! key material: variants carry labels, counts and line numbers, not bytes.

use std::fmt;

/// Which input a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputKind {
    /// The certificate chain (PEM, leaf first).
    Certificate,
    /// The private key (PEM).
    Key,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Certificate => "certificate file",
            InputKind::Key => "key file",
        })
    }
}

impl InputKind {
    /// The `openssl` command that converts this kind of input from DER to PEM.
    pub fn der_to_pem_command(self) -> &'static str {
        match self {
            InputKind::Certificate => "openssl x509 -inform der -in cert.der -out cert.pem",
            InputKind::Key => "openssl pkey -inform der -in key.der -out key.pem",
        }
    }
}

/// Why a certificate or key input cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertInputError {
    /// Nothing but whitespace.
    #[error("the {0} is empty")]
    Empty(InputKind),

    /// Over [`super::MAX_INPUT_BYTES`].
    #[error(
        "the {kind} is larger than the {} limit for PEM input: a certificate chain or key is a few kilobytes, check that this is the right file",
        size_text(*.limit)
    )]
    TooLarge {
        /// Which input.
        kind: InputKind,
        /// The limit, in bytes.
        limit: usize,
    },

    /// Binary DER where PEM text was expected.
    #[error("the {kind} is binary (DER), not PEM: convert it with `{}`", .kind.der_to_pem_command())]
    Der {
        /// Which input.
        kind: InputKind,
    },

    /// The certificate input holds a private key and no certificate.
    #[error(
        "the certificate file holds a private key (`{label}`), not a certificate: were the certificate and key files swapped?"
    )]
    KeyGivenAsCertificate {
        /// The PEM label found.
        label: String,
    },

    /// The key input holds a certificate and no private key.
    #[error(
        "the key file holds a certificate, not a private key: were the certificate and key files swapped?"
    )]
    CertificateGivenAsKey,

    /// The certificate input holds a certificate signing request.
    #[error(
        "the certificate file holds a certificate signing request (`{label}`), not a certificate: send the CSR to your CA and use the certificate it issues"
    )]
    CsrGivenAsCertificate {
        /// The PEM label found.
        label: String,
    },

    /// No PEM block of the expected kind.
    #[error("{}", no_block_message(*.kind, .found))]
    NoPemBlock {
        /// Which input.
        kind: InputKind,
        /// The labels of the PEM blocks that were found instead (may be empty).
        found: Vec<String>,
    },

    /// A passphrase-protected key.
    #[error(
        "the private key is encrypted ({}) and Google Cloud does not accept passphrase-protected keys: decrypt it with `openssl pkey -in key.pem -out plain.pem` and keep the result private",
        if *.legacy { "`Proc-Type: 4,ENCRYPTED`" } else { "`ENCRYPTED PRIVATE KEY`" }
    )]
    EncryptedKey {
        /// Legacy OpenSSL encryption (`Proc-Type: 4,ENCRYPTED` header) rather than PKCS#8.
        legacy: bool,
    },

    /// A private key in a format Google Cloud does not take (OpenSSH, DSA).
    #[error("{}", unsupported_key_message(.label))]
    UnsupportedKeyFormat {
        /// The PEM label found.
        label: String,
    },

    /// Non-PEM text after the last block.
    #[error(
        "the {kind} has text after the last PEM block (line {line}): remove everything after the last `-----END ...-----` line"
    )]
    TrailingGarbage {
        /// Which input.
        kind: InputKind,
        /// 1-based line of the first offending text.
        line: usize,
    },

    /// More than one private key in the key input.
    #[error(
        "the key file holds {count} private keys: keep only the key that belongs to the certificate"
    )]
    MultipleKeys {
        /// How many were found.
        count: usize,
    },

    /// A block that does not belong in this input beside the expected ones.
    #[error("{}", unexpected_block_message(*.kind, .label, *.block))]
    UnexpectedBlock {
        /// Which input.
        kind: InputKind,
        /// The PEM label found.
        label: String,
        /// 1-based index of the block among the file's PEM blocks.
        block: usize,
    },

    /// A PEM block whose framing, base64 or DER does not parse.
    #[error("PEM block {block} (`{label}`) in the {kind} cannot be parsed: {reason}")]
    Malformed {
        /// Which input.
        kind: InputKind,
        /// 1-based index of the block among the file's PEM blocks.
        block: usize,
        /// The PEM label.
        label: String,
        /// What is wrong, never including the block's bytes.
        reason: String,
    },
}

impl CertInputError {
    /// Which input the problem is about.
    pub fn kind(&self) -> InputKind {
        match self {
            CertInputError::Empty(kind) => *kind,
            CertInputError::TooLarge { kind, .. }
            | CertInputError::Der { kind }
            | CertInputError::NoPemBlock { kind, .. }
            | CertInputError::TrailingGarbage { kind, .. }
            | CertInputError::UnexpectedBlock { kind, .. }
            | CertInputError::Malformed { kind, .. } => *kind,
            CertInputError::KeyGivenAsCertificate { .. }
            | CertInputError::CsrGivenAsCertificate { .. } => InputKind::Certificate,
            CertInputError::CertificateGivenAsKey
            | CertInputError::EncryptedKey { .. }
            | CertInputError::UnsupportedKeyFormat { .. }
            | CertInputError::MultipleKeys { .. } => InputKind::Key,
        }
    }
}

/// `1 MiB`, `64 KiB` or `1000 bytes`.
fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

fn found_suffix(found: &[String]) -> String {
    if found.is_empty() {
        String::new()
    } else {
        let labels: Vec<String> = found.iter().map(|l| format!("`{l}`")).collect();
        format!(" (found {})", labels.join(", "))
    }
}

fn no_block_message(kind: InputKind, found: &[String]) -> String {
    match kind {
        InputKind::Certificate => format!(
            "the certificate file has no `-----BEGIN CERTIFICATE-----` PEM block{}",
            found_suffix(found)
        ),
        InputKind::Key => format!(
            "the key file has no private key PEM block (`-----BEGIN PRIVATE KEY-----`, `RSA PRIVATE KEY` or `EC PRIVATE KEY`){}",
            found_suffix(found)
        ),
    }
}

fn unsupported_key_message(label: &str) -> String {
    if label.contains("OPENSSH") {
        format!(
            "the key is in OpenSSH format (`{label}`), which Google Cloud does not accept: convert a copy with `ssh-keygen -p -N '' -m PKCS8 -f key-copy`"
        )
    } else {
        format!(
            "`{label}` keys are not accepted by Google Cloud: use an RSA 2048 or ECDSA P-256 key"
        )
    }
}

fn unexpected_block_message(kind: InputKind, label: &str, block: usize) -> String {
    let is_key = label.contains("PRIVATE KEY");
    match (kind, is_key) {
        (InputKind::Certificate, true) => format!(
            "the certificate file also holds a private key (`{label}`, block {block}): keep the key in its own file, only certificates belong here"
        ),
        (InputKind::Certificate, false) => format!(
            "the certificate file holds an unexpected `{label}` block (block {block}): it should hold only `CERTIFICATE` blocks, leaf first"
        ),
        (InputKind::Key, _) => format!(
            "the key file also holds a `{label}` block (block {block}): it should hold only the private key"
        ),
    }
}
