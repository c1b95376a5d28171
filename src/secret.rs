//! Key material that cannot leak by accident.
//!
//! [`SecretPem`] holds a private key (PEM bytes) and refuses to show itself: `Debug` and
//! `Display` print a redaction marker, it has no `Serialize`, and its bytes are wiped on
//! drop. The only way to the bytes is [`SecretPem::expose`], which call sites use for
//! exactly two things: parsing the key and sending it to Kubernetes.

use std::fmt;

/// Private-key PEM bytes with redacted `Debug`/`Display` and zeroing on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretPem(Vec<u8>);

/// What `Debug`/`Display` print instead of key material.
pub const REDACTED: &str = "<redacted private key>";

impl SecretPem {
    /// Wraps key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretPem(bytes)
    }

    /// The key bytes. Never log, print or store what this returns.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes (safe to show).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl fmt::Display for SecretPem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Drop for SecretPem {
    fn drop(&mut self) {
        // Best effort: overwrite before the allocator reuses the memory.
        for b in self.0.iter_mut() {
            // A volatile-free wipe is enough here; the goal is not leaving keys in
            // reused buffers that later end up in logs or core dumps by accident.
            *b = 0;
        }
        std::hint::black_box(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_its_bytes() {
        let key = SecretPem::new(b"-----BEGIN PRIVATE KEY-----\nMIIEsecret\n".to_vec());
        let shown = format!("{key} {key:?} {:?}", Some(&key));
        assert!(!shown.contains("MIIEsecret"), "{shown}");
        assert!(shown.contains(REDACTED));
        assert_eq!(key.expose().len(), key.len());
    }
}
