//! Decoding request bodies the way the API server's typed decoder does: the known fields
//! of every served kind (`schema.json`), JSON type checks, unknown-field handling per
//! `fieldValidation`, and the normalisation Go's encoder applies on the way out.
//!
//! The API server decodes into Go structs and encodes them back, so an object read back
//! never has unknown fields, never has `null`s, omits empty `omitempty` fields, and
//! always has non-pointer struct fields (`"status": {"loadBalancer": {}}`). This module
//! reproduces that on a `serde_json::Value`, collecting unknown fields for `Strict`
//! (`strict decoding error: unknown field "spec.foo"`) or `Warn` (a `Warning` header).
//! It checks shapes only; semantic validation lives in `validate`.
//!
//! Schema grammar (a value in `schema.json`): `string`, `integer`, `boolean`, `bytes`
//! (base64), `time` (RFC 3339), `intorstring`, `any`, `[]T`, `map[T]` (string keys), or
//! the name of another entry (a struct). A `*` prefix is a Go pointer (kept even when
//! zero, dropped only when absent or null); `!` is a field without `omitempty` (kept
//! when zero). Non-pointer struct fields are always present.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use base64::Engine;
use serde_json::{Map, Value};

/// How to treat fields the schema does not know (`?fieldValidation=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldValidation {
    /// Reject the request (kubectl's default).
    Strict,
    /// Drop the fields and return a `Warning` header (the server's default).
    Warn,
    /// Drop the fields silently.
    Ignore,
}

impl FieldValidation {
    /// Parses the query parameter (absent or unknown = `Warn`, like the server).
    pub fn parse(s: Option<&str>) -> FieldValidation {
        match s {
            Some("Strict") => FieldValidation::Strict,
            Some("Ignore") => FieldValidation::Ignore,
            _ => FieldValidation::Warn,
        }
    }
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum DecodeError {
    /// Unknown fields under `Strict`: their paths.
    Unknown(Vec<String>),
    /// A JSON type mismatch or bad base64/time, as Go's decoder words it.
    Type(String),
}

impl DecodeError {
    /// The message after `<Kind> in version "v1" cannot be handled as a <Kind>: `.
    pub fn message(&self) -> String {
        match self {
            DecodeError::Unknown(fields) => format!(
                "strict decoding error: {}",
                fields
                    .iter()
                    .map(|f| format!("unknown field \"{f}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DecodeError::Type(m) => m.clone(),
        }
    }
}

type Schema = BTreeMap<String, BTreeMap<String, String>>;

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // The embedded file is checked by a unit test; an unparsable one yields an empty
        // schema (every field unknown), which that test would catch.
        serde_json::from_str(include_str!("schema.json")).unwrap_or_default()
    })
}

/// Decodes `obj` as `kind` in place: checks types, handles unknown fields per `mode`
/// and normalises. Returns the unknown-field warnings (for `Warn`).
pub fn decode(
    obj: &mut Value,
    kind: &str,
    mode: FieldValidation,
) -> Result<Vec<String>, DecodeError> {
    let mut ctx = Ctx {
        unknown: Vec::new(),
    };
    if !obj.is_object() {
        return Err(DecodeError::Type(format!(
            "json: cannot unmarshal {} into Go value of type v1.{kind}",
            json_type(obj)
        )));
    }
    walk(obj, kind, "", kind, &mut ctx)?;
    if ctx.unknown.is_empty() {
        return Ok(Vec::new());
    }
    match mode {
        FieldValidation::Strict => Err(DecodeError::Unknown(ctx.unknown)),
        FieldValidation::Warn => Ok(ctx
            .unknown
            .into_iter()
            .map(|f| format!("unknown field \"{f}\""))
            .collect()),
        FieldValidation::Ignore => Ok(Vec::new()),
    }
}

struct Ctx {
    unknown: Vec<String>,
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn go_type(ty: &str) -> String {
    let ty = ty.trim_start_matches(['*', '!']);
    if let Some(inner) = ty.strip_prefix("[]") {
        return format!("[]{}", go_type(inner));
    }
    if let Some(inner) = ty.strip_prefix("map[").and_then(|t| t.strip_suffix(']')) {
        return format!("map[string]{}", go_type(inner));
    }
    match ty {
        "string" | "time" => "string".into(),
        "integer" => "int32".into(),
        "boolean" => "bool".into(),
        "bytes" => "[]uint8".into(),
        "intorstring" => "intstr.IntOrString".into(),
        "any" => "interface {}".into(),
        other => format!("v1.{other}"),
    }
}

fn mismatch(v: &Value, ty: &str, parent: &str, path: &str) -> DecodeError {
    DecodeError::Type(format!(
        "json: cannot unmarshal {} into Go struct field {parent}.{path} of type {}",
        json_type(v),
        go_type(ty)
    ))
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Walks one value of type `ty`; returns whether the field should be kept.
fn walk(
    v: &mut Value,
    ty: &str,
    path: &str,
    parent: &str,
    ctx: &mut Ctx,
) -> Result<bool, DecodeError> {
    let pointer = ty.starts_with('*');
    let keep_zero = pointer || ty.starts_with('!');
    let base = ty.trim_start_matches(['*', '!']);
    if v.is_null() {
        return Ok(false);
    }
    let zero = match base {
        "string" => match v {
            Value::String(s) => s.is_empty(),
            _ => return Err(mismatch(v, base, parent, path)),
        },
        "time" => match v {
            Value::String(s) => {
                time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| {
                        DecodeError::Type(format!(
                            "parsing time \"{s}\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"{s}\" as \"2006\""
                        ))
                    })?;
                false
            }
            _ => return Err(mismatch(v, base, parent, path)),
        },
        "integer" => match v.as_i64() {
            Some(n) => n == 0,
            None => return Err(mismatch(v, base, parent, path)),
        },
        "boolean" => match v {
            Value::Bool(b) => !*b,
            _ => return Err(mismatch(v, base, parent, path)),
        },
        "intorstring" => match v {
            Value::String(_) => false,
            Value::Number(n) if n.is_i64() => false,
            _ => {
                return Err(DecodeError::Type(format!(
                    "json: cannot unmarshal {} into Go struct field {parent}.{path} of type intstr.IntOrString",
                    json_type(v)
                )));
            }
        },
        "bytes" => match v {
            Value::String(s) => {
                let canonical = canonical_base64(s)?;
                *v = Value::String(canonical);
                false
            }
            _ => return Err(mismatch(v, base, parent, path)),
        },
        "any" => false,
        list if list.starts_with("[]") => {
            let inner = &list[2..];
            let Value::Array(items) = v else {
                return Err(mismatch(v, base, parent, path));
            };
            for (i, item) in items.iter_mut().enumerate() {
                let p = format!("{path}[{i}]");
                if !walk(item, inner, &p, parent, ctx)? && item.is_null() {
                    // A null element of a struct list decodes to a zero struct.
                    if schema().contains_key(inner) {
                        *item = Value::Object(Map::new());
                    }
                }
            }
            items.is_empty()
        }
        map if map.starts_with("map[") => {
            let inner = map.trim_start_matches("map[").trim_end_matches(']');
            let Value::Object(entries) = v else {
                return Err(mismatch(v, base, parent, path));
            };
            for (k, item) in entries.iter_mut() {
                let p = format!("{path}[{k}]");
                if item.is_null() {
                    *item = Value::String(String::new());
                    continue;
                }
                walk(item, inner, &p, parent, ctx)?;
            }
            entries.is_empty()
        }
        name => {
            let Some(fields) = schema().get(name) else {
                return Ok(true);
            };
            let Value::Object(obj) = v else {
                return Err(mismatch(v, base, parent, path));
            };
            let keys: Vec<String> = obj.keys().cloned().collect();
            for key in keys {
                let p = join(path, &key);
                match fields.get(&key) {
                    None => {
                        ctx.unknown.push(p);
                        obj.remove(&key);
                    }
                    Some(fty) => {
                        let keep = match obj.get_mut(&key) {
                            Some(child) => walk(child, fty, &p, name, ctx)?,
                            None => true,
                        };
                        if !keep {
                            obj.remove(&key);
                        }
                    }
                }
            }
            // Non-pointer struct fields are always encoded.
            for (key, fty) in fields {
                let plain = fty.trim_start_matches('!');
                if !fty.starts_with('*') && schema().contains_key(plain) && !obj.contains_key(key) {
                    let mut empty = Value::Object(Map::new());
                    walk(&mut empty, plain, &join(path, key), name, ctx)?;
                    obj.insert(key.clone(), empty);
                }
            }
            return Ok(true);
        }
    };
    Ok(keep_zero || !zero)
}

/// Decodes base64 like Go's `encoding/base64.StdEncoding` (newlines ignored) and returns
/// the canonical encoding the server would send back.
pub fn canonical_base64(s: &str) -> Result<String, DecodeError> {
    let cleaned: String = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
    let engine = base64::engine::general_purpose::STANDARD;
    match engine.decode(cleaned.as_bytes()) {
        Ok(bytes) => Ok(engine.encode(bytes)),
        Err(e) => {
            let at = match e {
                base64::DecodeError::InvalidByte(i, _) => i,
                base64::DecodeError::InvalidLastSymbol(i, _) => i,
                base64::DecodeError::InvalidLength(n) => n - n % 4,
                base64::DecodeError::InvalidPadding => cleaned.find('=').unwrap_or(0),
            };
            Err(DecodeError::Type(format!(
                "illegal base64 data at input byte {at}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schema_parses_and_every_reference_resolves() {
        let s = schema();
        assert!(s.len() > 20);
        for (name, fields) in s {
            for (f, ty) in fields {
                let mut t = ty.trim_start_matches(['*', '!']);
                t = t.trim_start_matches("[]");
                t = t.trim_start_matches("map[").trim_end_matches(']');
                let scalar = [
                    "string",
                    "integer",
                    "boolean",
                    "bytes",
                    "time",
                    "intorstring",
                    "any",
                ];
                assert!(
                    scalar.contains(&t) || s.contains_key(t),
                    "{name}.{f}: unknown type {ty}"
                );
            }
        }
    }

    #[test]
    fn normalises_like_the_go_encoder() {
        let mut ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "web", "labels": {}, "annotations": null},
            "spec": {"ingressClassName": "", "rules": [{"host": "", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}]}});
        let warnings = decode(&mut ing, "Ingress", FieldValidation::Strict).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(ing["metadata"], json!({"name": "web"}));
        assert_eq!(
            ing["spec"]["ingressClassName"], "",
            "pointers keep zero values"
        );
        assert_eq!(
            ing["spec"]["rules"][0],
            json!({"http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}})
        );
        assert_eq!(ing["status"], json!({"loadBalancer": {}}));
    }

    #[test]
    fn unknown_fields_per_mode() {
        let body = json!({"metadata": {"name": "x", "bogus": 1}, "spec": {"foo": 1, "rules": [{"bar": 2}]}});
        let mut strict = body.clone();
        let err = decode(&mut strict, "Ingress", FieldValidation::Strict).unwrap_err();
        assert_eq!(
            err.message(),
            "strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec.foo\", unknown field \"spec.rules[0].bar\""
        );
        let mut warn = body.clone();
        let w = decode(&mut warn, "Ingress", FieldValidation::Warn).unwrap();
        assert_eq!(w.len(), 3);
        assert!(warn["spec"].get("foo").is_none());
    }

    #[test]
    fn type_errors_and_base64() {
        let mut bad = json!({"spec": {"rules": "nope"}});
        let err = decode(&mut bad, "Ingress", FieldValidation::Ignore).unwrap_err();
        assert_eq!(
            err.message(),
            "json: cannot unmarshal string into Go struct field IngressSpec.spec.rules of type []v1.IngressRule"
        );
        let mut sec = json!({"data": {"a": "aGVsbG8=\n", "b": "***"}});
        let err = decode(&mut sec, "Secret", FieldValidation::Strict).unwrap_err();
        assert_eq!(err.message(), "illegal base64 data at input byte 0");
        let mut ok = json!({"data": {"a": "aGVs\nbG8="}});
        decode(&mut ok, "Secret", FieldValidation::Strict).unwrap();
        assert_eq!(ok["data"]["a"], "aGVsbG8=");
    }
}
