//! A minimal DER reader and writer for the few ASN.1 structures x509-parser does not
//! cover: private keys (PKCS#8, PKCS#1, SEC1) and the SubjectPublicKeyInfo rebuilt from
//! them, plus OID rendering.
//!
//! It must never panic or allocate from an untrusted length, whatever the input; it knows
//! nothing about PEM, files, or what the structures mean.

/// Universal tags used by the key structures.
pub(crate) mod tag {
    /// `INTEGER`.
    pub const INTEGER: u8 = 0x02;
    /// `BIT STRING`.
    pub const BIT_STRING: u8 = 0x03;
    /// `OCTET STRING`.
    pub const OCTET_STRING: u8 = 0x04;
    /// `NULL`.
    pub const NULL: u8 = 0x05;
    /// `OBJECT IDENTIFIER`.
    pub const OID: u8 = 0x06;
    /// `SEQUENCE` (constructed).
    pub const SEQUENCE: u8 = 0x30;
}

/// The input is not the DER expected at this point. Carries no input bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError;

/// Reads consecutive TLVs from a slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Whether everything was read.
    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next TLV, if any.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads the next TLV: its tag and content. Only definite lengths of up to 4 bytes.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let (&tag, rest) = self.data.split_first().ok_or(DerError)?;
        if tag & 0x1f == 0x1f {
            return Err(DerError); // high tag numbers never occur in these structures
        }
        let (&first, rest) = rest.split_first().ok_or(DerError)?;
        let (len, rest) = if first < 0x80 {
            (usize::from(first), rest)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return Err(DerError);
            }
            let (len_bytes, rest) = rest.split_at(n);
            let len = len_bytes
                .iter()
                .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
            (len, rest)
        };
        if rest.len() < len {
            return Err(DerError);
        }
        let (content, rest) = rest.split_at(len);
        self.data = rest;
        Ok((tag, content))
    }

    /// Reads the next TLV, which must have `tag`, and returns its content.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        match self.read_any()? {
            (t, content) if t == tag => Ok(content),
            _ => Err(DerError),
        }
    }

    /// Reads the next TLV if it has `tag`.
    pub(crate) fn read_optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Reads `data` as exactly one TLV with `tag` and returns its content.
pub(crate) fn read_single(data: &[u8], tag: u8) -> Result<&[u8], DerError> {
    let mut r = Reader::new(data);
    let content = r.read(tag)?;
    if r.is_empty() {
        Ok(content)
    } else {
        Err(DerError)
    }
}

/// Encodes one TLV.
pub(crate) fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8); // < 0x80, fits
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let significant = &bytes[skip..];
        out.push(0x80 | significant.len() as u8); // at most 8, fits
        out.extend_from_slice(significant);
    }
    out.extend_from_slice(content);
    out
}

/// An INTEGER's content without its leading zero bytes (the magnitude of a positive one).
pub(crate) fn unsigned(int: &[u8]) -> &[u8] {
    let skip = int.iter().take_while(|b| **b == 0).count();
    &int[skip..]
}

/// The number of significant bits of a positive INTEGER's content.
pub(crate) fn bit_len(int: &[u8]) -> u32 {
    let mag = unsigned(int);
    match mag.first() {
        None => 0,
        Some(first) => (mag.len() as u32 - 1) * 8 + (8 - first.leading_zeros()),
    }
}

/// Renders an OBJECT IDENTIFIER's content in dotted form (`1.2.840.10045.3.1.7`).
pub(crate) fn oid_to_string(content: &[u8]) -> String {
    let mut arcs: Vec<u128> = Vec::new();
    let mut value: u128 = 0;
    for b in content {
        value = value.saturating_mul(128) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(|a| a.to_string())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_structures_and_rejects_truncation() {
        let inner = encode(tag::INTEGER, &[0x01, 0x00]);
        let seq = encode(tag::SEQUENCE, &inner);
        let content = read_single(&seq, tag::SEQUENCE).unwrap();
        assert_eq!(Reader::new(content).read(tag::INTEGER).unwrap(), &[1, 0]);
        for cut in 0..seq.len() {
            assert!(
                read_single(&seq[..cut], tag::SEQUENCE).is_err(),
                "cut {cut}"
            );
        }
        assert!(read_single(&seq, tag::INTEGER).is_err());
    }

    #[test]
    fn long_lengths_round_trip() {
        let content = vec![7u8; 300];
        let tlv = encode(tag::OCTET_STRING, &content);
        assert_eq!(&tlv[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(read_single(&tlv, tag::OCTET_STRING).unwrap(), &content[..]);
        // indefinite length (BER) and absurd lengths are refused without allocating
        assert!(Reader::new(&[0x30, 0x80, 0, 0]).read_any().is_err());
        assert!(
            Reader::new(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff])
                .read_any()
                .is_err()
        );
    }

    #[test]
    fn integers_and_oids() {
        assert_eq!(bit_len(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_len(&[0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(
            oid_to_string(&[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]),
            "1.2.840.10045.3.1.7"
        );
        assert_eq!(
            oid_to_string(&[0x2b, 0x81, 0x04, 0x00, 0x23]),
            "1.3.132.0.35"
        );
        assert_eq!(oid_to_string(&[0x2b, 0x65, 0x70]), "1.3.101.112");
    }
}
