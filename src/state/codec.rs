//! Bytes to [`Document`] and back, with the size cap, the schema gate and the key-material
//! guard.
//!
//! This module owns how a state file is read (capped at [`MAX_STATE_BYTES`], regular files
//! only), how its bytes are judged (empty, truncated, not JSON, wrong shape, newer schema,
//! older schema to migrate) and how a document is written out (pretty JSON in field order,
//! trailing newline). It must not write files or decide what to do about a bad one: it
//! only reports, in a [`StoreError`] that never quotes the content. Guarantees: [`encode`]
//! never returns bytes containing a PEM private-key header, nor more than the cap.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{CorruptKind, Document, MAX_STATE_BYTES, SCHEMA, StoreError, backup_path, migrate};

/// What marks PEM private-key material of any kind (`PRIVATE KEY`, `RSA PRIVATE KEY`,
/// `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, ...). JSON never escapes these characters,
/// so the marker survives serialisation verbatim.
const KEY_MARKER: &str = "PRIVATE KEY-----";

/// Reads a state file whole, refusing non-regular files and anything over the cap.
pub(crate) fn read_capped(path: &Path) -> Result<Vec<u8>, StoreError> {
    // `metadata` first: opening a FIFO by mistake would block.
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(err) => return Err(StoreError::io("read", path, err)),
    };
    if !meta.is_file() {
        return Err(StoreError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let too_large = |size: u64| StoreError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit: MAX_STATE_BYTES,
    };
    if meta.len() > MAX_STATE_BYTES {
        return Err(too_large(meta.len()));
    }
    let file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        Err(err) => return Err(StoreError::io("open", path, err)),
    };
    // `meta.len()` is at most the 16 MiB cap here, so it fits in usize.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| StoreError::io("read", path, err))?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Judges the bytes of the state file at `path` and decodes them, migrating an older
/// schema.
pub(crate) fn decode<T: DeserializeOwned>(
    path: &Path,
    bytes: &[u8],
) -> Result<Document<T>, StoreError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(corrupt(path, CorruptKind::Empty, String::new(), 0, 0));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|err| parse_error(path, &err))?;
    let Some(object) = value.as_object() else {
        return Err(shape(path, "the top level is not a JSON object"));
    };
    let Some(schema) = object.get("schema").and_then(Value::as_u64) else {
        return Err(shape(path, "missing or invalid `schema`"));
    };
    let tool_version = object
        .get("tool_version")
        .and_then(Value::as_str)
        .unwrap_or("unknown")
        .to_string();
    if schema > u64::from(SCHEMA) {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            schema,
            tool_version,
        });
    }
    // Not above SCHEMA, so it fits in u32.
    let schema = schema as u32;
    if schema == SCHEMA {
        // From the bytes rather than the value: serde then reports line and column.
        return serde_json::from_slice(bytes).map_err(|err| parse_error(path, &err));
    }
    let migrated = migrate(value, schema).map_err(|source| StoreError::UnsupportedSchema {
        path: path.to_path_buf(),
        schema,
        tool_version,
        source,
    })?;
    serde_json::from_value(migrated).map_err(|err| {
        shape(
            path,
            &format!(
                "after migrating from schema {schema}: {}",
                strip_position(&err)
            ),
        )
    })
}

/// Serialises `doc` as pretty JSON with a trailing newline, refusing key material and
/// documents over the cap.
pub(crate) fn encode<T: Serialize>(path: &Path, doc: &Document<T>) -> Result<Vec<u8>, StoreError> {
    let mut bytes = serde_json::to_vec_pretty(doc).map_err(|source| StoreError::Encode {
        path: path.to_path_buf(),
        source,
    })?;
    bytes.push(b'\n');
    if contains(&bytes, KEY_MARKER.as_bytes()) {
        return Err(StoreError::KeyMaterial {
            path: path.to_path_buf(),
            pointer: locate_key_material(&bytes),
        });
    }
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(StoreError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_STATE_BYTES,
        });
    }
    Ok(bytes)
}

/// The rotation id recorded in some bytes, if they are JSON with one (for messages).
pub(crate) fn rotation_id_of(bytes: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    value.get("rotation_id")?.as_str().map(str::to_string)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The JSON pointer of the first string (or key) holding the marker, unless the pointer
/// itself would show the marker.
fn locate_key_material(bytes: &[u8]) -> Option<String> {
    fn walk(value: &Value, pointer: &mut String) -> Option<String> {
        match value {
            Value::String(s) if s.contains(KEY_MARKER) => Some(pointer.clone()),
            Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                let found = walk(item, pointer);
                pointer.truncate(len);
                found
            }),
            Value::Object(map) => map.iter().find_map(|(key, item)| {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let found = if key.contains(KEY_MARKER) {
                    Some(pointer.clone())
                } else {
                    walk(item, pointer)
                };
                pointer.truncate(len);
                found
            }),
            _ => None,
        }
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    walk(&value, &mut String::new()).filter(|p| !p.contains(KEY_MARKER))
}

fn corrupt(
    path: &Path,
    kind: CorruptKind,
    detail: String,
    line: usize,
    column: usize,
) -> StoreError {
    let backup = backup_path(path);
    StoreError::Corrupt {
        path: path.to_path_buf(),
        kind,
        detail,
        line,
        column,
        backup: backup.is_file().then_some(backup),
    }
}

fn shape(path: &Path, detail: &str) -> StoreError {
    corrupt(path, CorruptKind::Shape, detail.to_string(), 0, 0)
}

fn parse_error(path: &Path, err: &serde_json::Error) -> StoreError {
    use serde_json::error::Category;
    let kind = match err.classify() {
        Category::Eof => CorruptKind::Truncated,
        Category::Syntax | Category::Io => CorruptKind::Syntax,
        Category::Data => CorruptKind::Shape,
    };
    corrupt(path, kind, strip_position(err), err.line(), err.column())
}

/// serde_json's message without its ` at line L column C` suffix (reported separately).
fn strip_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Target;

    fn doc() -> Document<Value> {
        let target = Target {
            namespace: "shop".into(),
            ingress: "web".into(),
            project: None,
            context: None,
        };
        Document::new(
            target,
            serde_json::json!({"green": {"fingerprint": "sha256:ab"}}),
        )
    }

    fn decode_err(bytes: &[u8]) -> StoreError {
        match decode::<Value>(Path::new("/nowhere/s.json"), bytes) {
            Ok(doc) => panic!("decoded {doc:?}"),
            Err(err) => err,
        }
    }

    #[test]
    fn encodes_pretty_with_trailing_newline_and_round_trips() {
        let doc = doc();
        let bytes = encode(Path::new("s.json"), &doc).unwrap();
        assert!(bytes.ends_with(b"}\n"));
        assert!(bytes.starts_with(b"{\n  \"schema\": 1,"));
        let back: Document<Value> = decode(Path::new("s.json"), &bytes).unwrap();
        assert_eq!(back, doc);
    }

    #[test]
    fn classifies_bad_bytes() {
        let good = encode(Path::new("s.json"), &doc()).unwrap();
        let cases: [(&[u8], CorruptKind); 5] = [
            (b"", CorruptKind::Empty),
            (b" \n", CorruptKind::Empty),
            (&good[..good.len() / 2], CorruptKind::Truncated),
            (b"schema = 1\n", CorruptKind::Syntax),
            (b"[1, 2]", CorruptKind::Shape),
        ];
        for (bytes, want) in cases {
            match decode_err(bytes) {
                StoreError::Corrupt { kind, .. } => {
                    assert_eq!(kind, want, "{:?}", String::from_utf8_lossy(bytes))
                }
                other => panic!("{other}"),
            }
        }
    }

    #[test]
    fn wrong_shape_reports_field_and_position() {
        let text = String::from_utf8(encode(Path::new("s.json"), &doc()).unwrap()).unwrap();
        let text = text.replace("\"serial\": 0", "\"serial\": \"zero\"");
        let err = decode_err(text.as_bytes());
        let StoreError::Corrupt {
            kind, line, detail, ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!(*kind, CorruptKind::Shape);
        assert_eq!(*line, 4, "{err}");
        assert!(detail.contains("invalid type"), "{detail}");
        assert!(!detail.contains(" at line "), "{detail}");
        assert!(err.to_string().contains("at line 4 column"), "{err}");
    }

    #[test]
    fn schema_gate() {
        let err = decode_err(br#"{"schema": 2, "tool_version": "9.1.0", "other": true}"#);
        assert!(
            matches!(&err, StoreError::NewerSchema { schema: 2, tool_version, .. } if tool_version == "9.1.0"),
            "{err}"
        );
        let err = decode_err(br#"{"schema": 0, "serial": 3}"#);
        assert!(
            matches!(err, StoreError::UnsupportedSchema { schema: 0, .. }),
            "{err}"
        );
        let err = decode_err(br#"{"serial": 3}"#);
        assert!(
            err.to_string().contains("missing or invalid `schema`"),
            "{err}"
        );
    }

    #[test]
    fn key_material_is_refused_without_echoing_it() {
        let mut doc = doc();
        doc.rotation["leak"] = serde_json::json!({
            "pem": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIsecretbits\n-----END EC PRIVATE KEY-----\n"
        });
        let err = encode(Path::new("s.json"), &doc).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, StoreError::KeyMaterial { .. }), "{text}");
        assert!(text.contains("`/rotation/leak/pem`"), "{text}");
        assert!(!text.contains("secretbits"), "{text}");
        assert!(!text.contains(KEY_MARKER), "{text}");

        // A certificate is fine.
        let mut doc = self::doc();
        doc.rotation["cert"] = serde_json::json!("-----BEGIN CERTIFICATE-----\nMIIB\n");
        assert!(encode(Path::new("s.json"), &doc).is_ok());
    }

    #[test]
    fn key_marker_in_a_key_is_not_echoed_in_the_pointer() {
        let mut doc = doc();
        doc.rotation["-----BEGIN PRIVATE KEY-----"] = serde_json::json!(1);
        match encode(Path::new("s.json"), &doc) {
            Err(StoreError::KeyMaterial { pointer, .. }) => assert_eq!(pointer, None),
            other => panic!("{other:?}"),
        }
    }
}
