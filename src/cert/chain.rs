//! The checks on the chain's structure: order (each certificate issued and signed by the
//! next), length (Google's limit of 5) and that the leaf is not a CA.
//!
//! Each function takes certificates that already parsed and returns one [`Check`]. They
//! must not look at the private key, the clock or hostnames (see `preflight`).

use x509_parser::error::X509Error;
use x509_parser::prelude::X509Certificate;

use super::key::{KeyType, spki_key_type};
use super::preflight::{Check, CheckStatus, ids};
use super::summary::short_name;

/// Google Cloud's limit on certificates in a self-managed SslCertificate.
pub const MAX_CHAIN_LEN: usize = 5;

/// Whether a certificate names itself as its issuer.
pub(crate) fn self_issued(cert: &X509Certificate<'_>) -> bool {
    same_name(cert.issuer(), cert.subject())
}

fn same_name(a: &x509_parser::x509::X509Name<'_>, b: &x509_parser::x509::X509Name<'_>) -> bool {
    a.as_raw() == b.as_raw() || a.to_string() == b.to_string()
}

enum Link {
    Ok,
    Unverifiable(String),
    Broken(String),
}

/// Whether `parent` issued and signed `child`.
fn link(child: &X509Certificate<'_>, parent: &X509Certificate<'_>) -> Link {
    if !same_name(child.issuer(), parent.subject()) {
        return Link::Broken(format!(
            "its issuer is `{}`, not `{}`",
            child.issuer(),
            parent.subject()
        ));
    }
    match child.verify_signature(Some(parent.public_key())) {
        Ok(()) => Link::Ok,
        Err(X509Error::SignatureUnsupportedAlgorithm) => Link::Unverifiable(format!(
            "its signature algorithm is not supported here ({})",
            describe_alg(child)
        )),
        Err(_) => match spki_key_type(parent.public_key().raw) {
            KeyType::Rsa { bits } if bits < 2048 => Link::Unverifiable(format!(
                "the issuer's key is RSA {bits}, too small to verify"
            )),
            _ => Link::Broken(
                "the names match, but its signature does not verify with that certificate's public key"
                    .to_string(),
            ),
        },
    }
}

fn describe_alg(cert: &X509Certificate<'_>) -> String {
    cert.signature_algorithm.algorithm.to_id_string()
}

/// Each certificate must be issued and signed by the next one.
pub(crate) fn order(certs: &[X509Certificate<'_>]) -> Check {
    let id = ids::CHAIN_ORDER;
    let Some(leaf) = certs.first() else {
        return Check::new(id, CheckStatus::Fail, "the chain is empty");
    };
    if certs.len() == 1 {
        return if self_issued(leaf) {
            Check::new(
                id,
                CheckStatus::Pass,
                "a single self-signed certificate: Google Cloud accepts it, and only clients that trust it directly will",
            )
        } else {
            Check::new(
                id,
                CheckStatus::Warn,
                format!(
                    "only the leaf certificate, issued by `{}`: add the CA's intermediate certificates after the leaf so clients can build the chain",
                    leaf.issuer()
                ),
            )
        };
    }
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    for (i, (child, parent)) in certs.iter().zip(certs.iter().skip(1)).enumerate() {
        match link(child, parent) {
            Link::Ok => {}
            Link::Unverifiable(why) => warnings.push(format!(
                "cannot verify that certificate {} (`{}`) is signed by certificate {} (`{}`): {why}",
                i + 1,
                short_name(child),
                i + 2,
                short_name(parent)
            )),
            Link::Broken(why) => {
                // Looking for the real issuer costs a signature check per candidate, so
                // only for chains of a plausible length (the input may hold thousands).
                let searchable = certs.len() <= 2 * MAX_CHAIN_LEN;
                let real_issuer = certs.iter().enumerate().find(|(j, candidate)| {
                    searchable
                        && *j != i
                        && *j != i + 1
                        && matches!(link(child, candidate), Link::Ok)
                });
                let hint = match real_issuer {
                    Some((j, c)) => format!(
                        "; it is issued by certificate {} (`{}`)",
                        j + 1,
                        short_name(c)
                    ),
                    None => String::new(),
                };
                problems.push(format!(
                    "certificate {} (`{}`) is not issued by certificate {} (`{}`): {why}{hint}",
                    i + 1,
                    short_name(child),
                    i + 2,
                    short_name(parent)
                ));
            }
        }
    }
    if !problems.is_empty() {
        problems.extend(warnings);
        return Check::new(
            id,
            CheckStatus::Fail,
            format!(
                "{}; order the chain leaf first, then each certificate's issuer, and leave out certificates that do not belong",
                problems.join("; ")
            ),
        );
    }
    if !warnings.is_empty() {
        return Check::new(id, CheckStatus::Warn, warnings.join("; "));
    }
    let path: Vec<String> = certs
        .iter()
        .map(|c| format!("`{}`", short_name(c)))
        .collect();
    Check::new(
        id,
        CheckStatus::Pass,
        format!(
            "each certificate is issued and signed by the next: {}",
            path.join(" → ")
        ),
    )
}

/// At most [`MAX_CHAIN_LEN`] certificates.
pub(crate) fn length(certs: &[X509Certificate<'_>]) -> Check {
    let n = certs.len();
    let plural = if n == 1 { "" } else { "s" };
    if n <= MAX_CHAIN_LEN {
        Check::new(
            ids::CHAIN_LENGTH,
            CheckStatus::Pass,
            format!("{n} certificate{plural}, within Google Cloud's limit of {MAX_CHAIN_LEN}"),
        )
    } else {
        Check::new(
            ids::CHAIN_LENGTH,
            CheckStatus::Fail,
            format!(
                "{n} certificates, more than the {MAX_CHAIN_LEN} Google Cloud accepts: leave out the root certificate (clients have their own) and any certificate the chain does not need"
            ),
        )
    }
}

/// The leaf must not be a CA certificate. A single self-signed CA certificate (what
/// `openssl req -x509` makes by default) only warns: Google Cloud accepts it.
pub(crate) fn leaf_not_ca(certs: &[X509Certificate<'_>]) -> Check {
    let id = ids::LEAF_NOT_CA;
    let Some(leaf) = certs.first() else {
        return Check::new(id, CheckStatus::Fail, "the chain is empty");
    };
    match leaf.basic_constraints() {
        Err(_) => Check::new(
            id,
            CheckStatus::Fail,
            "the leaf certificate has a malformed or repeated basicConstraints extension",
        ),
        Ok(Some(bc)) if bc.value.ca => {
            if certs.len() == 1 && self_issued(leaf) {
                Check::new(
                    id,
                    CheckStatus::Warn,
                    "the self-signed certificate is marked as a CA (basicConstraints CA:TRUE, which `openssl req -x509` adds by default): some clients refuse a CA certificate as a server certificate; reissue it with `-addext basicConstraints=critical,CA:FALSE`",
                )
            } else {
                Check::new(
                    id,
                    CheckStatus::Fail,
                    format!(
                        "the leaf certificate `{}` is a CA certificate (basicConstraints CA:TRUE): use the server certificate the CA issued, leaf first",
                        short_name(leaf)
                    ),
                )
            }
        }
        Ok(_) => Check::new(id, CheckStatus::Pass, "the leaf is not a CA certificate"),
    }
}
