//! Google's JSON error shape (Compute, Cloud DNS and Monitoring all use it) and the
//! request-body validation that produces it.
//!
//! `{"error": {"code", "message", "status", "errors": [{"message", "domain", "reason"}]}}`
//! is what the Go and Python clients parse, so every failing Google route answers with
//! [`GoogleError`]. Bodies are checked against the field lists of the real discovery
//! documents (embedded in compact form, see `schemas.json`): unknown fields, wrong JSON
//! types and bad enum values are rejected as the real APIs do.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Google API error, rendered in the legacy JSON error shape.
#[derive(Debug, Clone, PartialEq)]
pub struct GoogleError {
    /// HTTP status.
    pub code: u16,
    /// Human message.
    pub message: String,
    /// `errors[0].reason`, lowerCamel (`notFound`, `alreadyExists`, …).
    pub reason: String,
}

impl GoogleError {
    /// An error with the given status, reason and message.
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Self {
        GoogleError {
            code,
            message: message.into(),
            reason: reason.to_string(),
        }
    }

    /// 404 `notFound`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "notFound", message)
    }

    /// 409 `alreadyExists`.
    pub fn already_exists(message: impl Into<String>) -> Self {
        Self::new(409, "alreadyExists", message)
    }

    /// 400 `invalid`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, "invalid", message)
    }

    /// 400 `badRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "badRequest", message)
    }

    /// 401 with Google's message for a missing or bad bearer token.
    pub fn unauthenticated() -> Self {
        Self::new(
            401,
            "authError",
            "Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
        )
    }

    /// The canonical `status` string for the HTTP code.
    fn status_name(&self) -> &'static str {
        match self.code {
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            409 => "ALREADY_EXISTS",
            412 => "FAILED_PRECONDITION",
            429 => "RESOURCE_EXHAUSTED",
            500 => "INTERNAL",
            503 => "UNAVAILABLE",
            _ => "UNKNOWN",
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({"error": {
            "code": self.code,
            "message": self.message,
            "status": self.status_name(),
            "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
        }})
    }
}

impl IntoResponse for GoogleError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (status, axum::Json(self.body())).into_response();
        if self.code == 429 || self.code == 503 {
            resp.headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("1"));
        }
        resp
    }
}

/// The compact discovery field lists: api → schema → field → type descriptor.
#[derive(Debug, serde::Deserialize)]
struct Schemas {
    compute: ApiSchemas,
    dns: ApiSchemas,
}

#[derive(Debug, serde::Deserialize)]
struct ApiSchemas {
    schemas: BTreeMap<String, BTreeMap<String, Value>>,
}

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        // The file is generated from the discovery documents and embedded at build
        // time; a parse failure is a build defect caught by the unit tests below.
        serde_json::from_str(include_str!("schemas.json")).unwrap_or(Schemas {
            compute: ApiSchemas {
                schemas: BTreeMap::new(),
            },
            dns: ApiSchemas {
                schemas: BTreeMap::new(),
            },
        })
    })
}

/// Which API's discovery document a schema name belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Compute Engine v1.
    Compute,
    /// Cloud DNS v1.
    Dns,
}

/// Checks a request body against a discovery schema, returning Google's 400 for the first
/// unknown field, wrong JSON type or bad enum value.
pub fn validate_body(api: Api, schema: &str, body: &Value) -> Result<(), GoogleError> {
    let all = match api {
        Api::Compute => &schemas().compute.schemas,
        Api::Dns => &schemas().dns.schemas,
    };
    let fields = all
        .get(schema)
        .ok_or_else(|| GoogleError::new(500, "backendError", "unknown schema"))?;
    check_object(all, fields, body, "resource")
}

fn unknown_name(field: &str, at: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid JSON payload received. Unknown name \"{field}\" at '{at}': Cannot find field."
    ))
}

fn bad_value(at: &str, value: &Value, expected: &str) -> GoogleError {
    GoogleError::invalid(format!(
        "Invalid value at '{at}' ({expected}), {}",
        serde_json::to_string(value).unwrap_or_default()
    ))
}

fn check_object(
    all: &BTreeMap<String, BTreeMap<String, Value>>,
    fields: &BTreeMap<String, Value>,
    value: &Value,
    at: &str,
) -> Result<(), GoogleError> {
    let Value::Object(map) = value else {
        return Err(GoogleError::invalid(format!(
            "Invalid JSON payload received. Expected an object at '{at}'."
        )));
    };
    for (k, v) in map {
        let desc = fields.get(k).ok_or_else(|| unknown_name(k, at))?;
        check_value(all, desc, v, &format!("{at}.{k}"))?;
    }
    Ok(())
}

fn check_value(
    all: &BTreeMap<String, BTreeMap<String, Value>>,
    desc: &Value,
    value: &Value,
    at: &str,
) -> Result<(), GoogleError> {
    if value.is_null() {
        return Ok(());
    }
    match desc {
        Value::String(t) => match t.as_str() {
            "string" if value.is_string() => Ok(()),
            "string" => Err(bad_value(at, value, "TYPE_STRING")),
            // proto3 JSON: 64-bit integers are strings, but numbers are accepted too.
            "int64" if value.as_str().is_some_and(|s| s.parse::<i128>().is_ok()) => Ok(()),
            "int64" if value.as_i64().is_some() || value.as_u64().is_some() => Ok(()),
            "int64" => Err(bad_value(at, value, "TYPE_INT64")),
            "integer" if value.as_i64().is_some() || value.as_u64().is_some() => Ok(()),
            "integer" if value.as_str().is_some_and(|s| s.parse::<i64>().is_ok()) => Ok(()),
            "integer" => Err(bad_value(at, value, "TYPE_INT32")),
            "number" if value.is_number() => Ok(()),
            "number" => Err(bad_value(at, value, "TYPE_DOUBLE")),
            "boolean" if value.is_boolean() => Ok(()),
            "boolean" => Err(bad_value(at, value, "TYPE_BOOL")),
            "any" => Ok(()),
            e if e.starts_with("enum:") => {
                let allowed = &e["enum:".len()..];
                match value.as_str() {
                    Some(s) if allowed.split('|').any(|a| a == s) => Ok(()),
                    _ => Err(bad_value(at, value, "TYPE_ENUM")),
                }
            }
            _ => Ok(()),
        },
        Value::Object(d) => {
            if let Some(Value::String(r)) = d.get("ref") {
                let fields = all
                    .get(r)
                    .ok_or_else(|| GoogleError::new(500, "backendError", "unknown schema"))?;
                return check_object(all, fields, value, at);
            }
            if let Some(item) = d.get("array") {
                let Value::Array(items) = value else {
                    return Err(bad_value(at, value, "TYPE_LIST"));
                };
                for (i, v) in items.iter().enumerate() {
                    check_value(all, item, v, &format!("{at}[{i}]"))?;
                }
                return Ok(());
            }
            if let Some(item) = d.get("map") {
                let Value::Object(m) = value else {
                    return Err(bad_value(at, value, "TYPE_MESSAGE"));
                };
                for (k, v) in m {
                    check_value(all, item, v, &format!("{at}[{k}]"))?;
                }
                return Ok(());
            }
            if let Some(Value::Object(inner)) = d.get("object") {
                let fields: BTreeMap<String, Value> = inner.clone().into_iter().collect();
                return check_object(all, &fields, value, at);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Compute's resource-name rule (RFC 1035 label, 1–63 characters).
pub fn valid_compute_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[b.len() - 1] != b'-'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_schemas_parse() {
        assert!(schemas().compute.schemas.contains_key("SslCertificate"));
        assert!(schemas().dns.schemas.contains_key("Change"));
    }

    #[test]
    fn rejects_unknown_fields_types_and_enums() {
        let ok =
            json!({"name": "c", "certificate": "x", "privateKey": "y", "type": "SELF_MANAGED"});
        assert_eq!(validate_body(Api::Compute, "SslCertificate", &ok), Ok(()));
        let unknown = validate_body(
            Api::Compute,
            "SslCertificate",
            &json!({"name": "c", "colour": 1}),
        );
        assert!(
            unknown
                .unwrap_err()
                .message
                .contains("Unknown name \"colour\"")
        );
        let wrong = validate_body(Api::Compute, "SslCertificate", &json!({"name": 5}));
        assert_eq!(wrong.unwrap_err().code, 400);
        let bad_enum = validate_body(Api::Compute, "SslCertificate", &json!({"type": "MAGIC"}));
        assert!(bad_enum.is_err());
        let nested = validate_body(
            Api::Dns,
            "Change",
            &json!({"additions": [{"name": "a.", "type": "A", "ttl": 300, "rrdatas": ["1.2.3.4"], "bogus": true}]}),
        );
        assert!(nested.unwrap_err().message.contains("bogus"));
        let ttl_type = validate_body(Api::Dns, "Change", &json!({"additions": [{"ttl": "abc"}]}));
        assert!(ttl_type.is_err());
    }

    #[test]
    fn compute_names() {
        assert!(valid_compute_name("k8s2-fs-abc"));
        for bad in ["", "A", "1abc", "abc-", "a_b", &"a".repeat(64)] {
            assert!(!valid_compute_name(bad), "{bad}");
        }
    }

    #[test]
    fn error_shape() {
        let e = GoogleError::not_found("The resource 'x' was not found").body();
        assert_eq!(e["error"]["code"], 404);
        assert_eq!(e["error"]["errors"][0]["reason"], "notFound");
        assert_eq!(e["error"]["errors"][0]["domain"], "global");
    }
}
