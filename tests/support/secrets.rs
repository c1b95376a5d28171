//! A reusable "no key material here" assertion for any suite: every form in which a
//! private key could leak into output, logs or files — the PEM marker, each base64 body
//! line of the PEM, pieces of the base64 of the key's DER (the PEM body without line
//! breaks, as a log line would join it), pieces of the base64 of the whole PEM file (how
//! Kubernetes stores `tls.key` in a Secret's `data`), the DER in hex, and the DER as a
//! Rust byte-slice `Debug` rendering.
//!
//! Parts of the key that are public anyway (an EC or PKCS#8 key holds its public key
//! and algorithm identifiers, which its certificate carries too) are not looked for.
//!
//! ```ignore
//! let key = KeyMaterial::new(&sb.new_key_pem(), &sb.sandbox.certs().renewed.chain_pem);
//! key.assert_absent_in_run(&run, "rotate -vvv");
//! key.assert_absent_in_dir(sb.work_dir(), &[sb.files.renewed_key.as_path()]);
//! ```

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::cli::Run;

/// How long a piece of an encoding must be to count: long enough never to occur by
/// chance, short enough to catch any excerpt of a key.
const PIECE: usize = 24;

/// Every searchable form of one private key.
#[derive(Debug, Clone)]
pub struct KeyMaterial {
    /// (what the needle is, the needle).
    needles: Vec<(String, String)>,
}

fn pieces(what: &str, s: &str, out: &mut Vec<(String, String)>) {
    let bytes = s.as_bytes();
    let mut at = 0;
    while at + PIECE <= bytes.len() {
        out.push((format!("{what} @{at}"), s[at..at + PIECE].to_string()));
        at += PIECE / 2;
    }
}

/// The DER of each PEM block of `pem`.
fn pem_ders(pem: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut body = String::new();
    for line in pem.lines().map(str::trim) {
        if line.starts_with("-----BEGIN") {
            body.clear();
        } else if line.starts_with("-----END") {
            out.push(STANDARD.decode(&body).expect("a PEM body is base64"));
        } else {
            body.push_str(line);
        }
    }
    out
}

/// `{:?}` of 16-byte windows of `der`, without the brackets.
fn debug_windows(what: &str, der: &[u8], out: &mut Vec<(String, String)>) {
    for at in (0..der.len().saturating_sub(16)).step_by(8) {
        let d = format!("{:?}", &der[at..at + 16]);
        out.push((
            format!("{what} @{at}"),
            d.trim_matches(['[', ']']).to_string(),
        ));
    }
}

impl KeyMaterial {
    /// The forms of the PEM private key `key_pem`, less whatever also occurs in the
    /// public material `public_pem` (its certificate chain: an EC or PKCS#8 key holds its
    /// public key and algorithm identifiers, which the certificate carries too).
    pub fn new(key_pem: &str, public_pem: &str) -> KeyMaterial {
        let mut needles = vec![("the PEM marker".to_string(), "PRIVATE KEY".to_string())];
        let body: Vec<&str> = key_pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("-----"))
            .collect();
        for (i, line) in body.iter().enumerate() {
            if line.len() >= 16 {
                needles.push((format!("PEM body line {i}"), line.to_string()));
            }
        }
        let der_b64: String = body.concat();
        let der = STANDARD
            .decode(&der_b64)
            .expect("the key's PEM body is base64");
        assert!(der.len() > 32, "a real key");
        // The DER base64-encoded in one piece, and the whole PEM file as a Secret's data.
        pieces("base64 of the key's DER", &der_b64, &mut needles);
        pieces(
            "base64 of the PEM (Secret data)",
            &STANDARD.encode(key_pem.as_bytes()),
            &mut needles,
        );
        pieces("hex of the key's DER", &hex::encode(&der), &mut needles);
        debug_windows("Debug of the key's bytes", &der, &mut needles);

        let mut public = vec![public_pem.to_string(), STANDARD.encode(public_pem)];
        for d in pem_ders(public_pem) {
            public.push(STANDARD.encode(&d));
            public.push(hex::encode(&d));
            public.push(format!("{d:?}"));
        }
        needles.retain(|(_, n)| !public.iter().any(|p| p.contains(n.as_str())));
        for kind in [
            "PEM body line",
            "base64 of the key's DER",
            "hex of",
            "Debug of",
        ] {
            assert!(
                needles.iter().any(|(w, _)| w.starts_with(kind)),
                "no private part of the key left to look for as {kind}"
            );
        }
        KeyMaterial { needles }
    }

    /// The first form of the key found in `text`, if any, and where.
    pub fn find_in(&self, text: &str) -> Option<(&str, usize)> {
        self.needles
            .iter()
            .find_map(|(what, n)| text.find(n.as_str()).map(|at| (what.as_str(), at)))
    }

    /// Panics, naming `what`, the form found and the text around it, if `text` holds
    /// any form of the key.
    #[track_caller]
    pub fn assert_absent(&self, text: &str, what: &str) {
        if let Some((form, at)) = self.find_in(text) {
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let boundary = |mut i: usize, up: bool| {
                while !text.is_char_boundary(i) {
                    i = if up { i + 1 } else { i - 1 };
                }
                i
            };
            let from = boundary(line_start.max(at.saturating_sub(600)), false);
            let to = boundary((at + 200).min(text.len()), true);
            panic!(
                "key material ({form}) in {what}, at byte {at}:\n…{}…",
                &text[from..to]
            );
        }
    }

    /// [`Self::assert_absent`] on a run's stdout and stderr.
    #[track_caller]
    pub fn assert_absent_in_run(&self, run: &Run, what: &str) {
        self.assert_absent(&run.stdout, &format!("stdout of {what}"));
        self.assert_absent(&run.stderr, &format!("stderr of {what}"));
    }

    /// [`Self::assert_absent`] on every file under `dir` (recursively), except `skip`
    /// (the key files themselves and other inputs); returns how many files were read.
    #[track_caller]
    pub fn assert_absent_in_dir(&self, dir: &Path, skip: &[&Path]) -> usize {
        let mut n = 0;
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read the directory") {
                let path = entry.expect("a directory entry").path();
                if skip.iter().any(|s| path.starts_with(s)) {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).expect("read the file");
                    self.assert_absent(
                        &String::from_utf8_lossy(&bytes),
                        &path.display().to_string(),
                    );
                    n += 1;
                }
            }
        }
        n
    }
}
