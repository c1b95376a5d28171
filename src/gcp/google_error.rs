//! What Google's error bodies say: the legacy JSON error shape shared by Compute, Cloud
//! DNS and Monitoring (`{"error": {"code", "message", "status", "errors": [{"reason"}],
//! "details": [...]}}`), its variants (an array around it, an OAuth error, HTML from a
//! proxy, nothing at all), and the classification of status + reason into an
//! [`ErrorKind`].
//!
//! Reasons come in two spellings — lowerCamel in HTTP errors
//! (`resourceInUseByAnotherResource`), UPPER_SNAKE in canonical statuses, `ErrorInfo`
//! details and Compute operation errors (`RESOURCE_IN_USE_BY_ANOTHER_RESOURCE`) — and are
//! compared in one normalised form. Pure functions; nothing here sees a token.

use serde_json::Value;

use super::error::ErrorKind;

/// The fields of Google's JSON error body that matter, from any of its shapes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoogleErrorBody {
    /// `error.code`.
    pub code: Option<u16>,
    /// `error.message` (or an OAuth `error_description`).
    pub message: Option<String>,
    /// `error.errors[0].reason`, else an `ErrorInfo` detail's `reason`, else the OAuth
    /// `error` string.
    pub reason: Option<String>,
    /// `error.status` (`NOT_FOUND`, `RESOURCE_EXHAUSTED`, …).
    pub status: Option<String>,
}

impl GoogleErrorBody {
    /// Parses a body; anything unparseable gives an empty result.
    pub fn parse(body: &[u8]) -> GoogleErrorBody {
        let Ok(v) = serde_json::from_slice::<Value>(body) else {
            return GoogleErrorBody::default();
        };
        // Some front ends wrap the error in a one-element array.
        let v = match v {
            Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            other => other,
        };
        let s = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
        match &v["error"] {
            Value::Object(e) => {
                let e = Value::Object(e.clone());
                let first_reason = e["errors"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|i| s(&i["reason"]));
                let info_reason = e["details"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find_map(|d| s(&d["reason"]));
                let message = s(&e["message"]).or_else(|| {
                    e["errors"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find_map(|i| s(&i["message"]))
                });
                GoogleErrorBody {
                    code: e["code"].as_u64().and_then(|c| u16::try_from(c).ok()),
                    message,
                    reason: first_reason.or(info_reason),
                    status: s(&e["status"]),
                }
            }
            // OAuth: {"error": "invalid_grant", "error_description": "..."}
            Value::String(code) => GoogleErrorBody {
                code: None,
                message: s(&v["error_description"]).or_else(|| Some(code.clone())),
                reason: Some(code.clone()),
                status: None,
            },
            _ => GoogleErrorBody::default(),
        }
    }
}

/// A reason or code in comparable form: lowercase without underscores, so
/// `resourceInUseByAnotherResource` and `RESOURCE_IN_USE_BY_ANOTHER_RESOURCE` are equal.
pub fn normalise(reason: &str) -> String {
    reason
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Decides the kind from the HTTP status and the body.
pub(crate) fn classify(status: u16, body: &GoogleErrorBody) -> ErrorKind {
    if status == 429 {
        return ErrorKind::RateLimited;
    }
    if status >= 500 || status == 408 {
        return ErrorKind::Unavailable;
    }
    if status == 412 {
        return ErrorKind::PreconditionFailed;
    }
    let reasons: Vec<String> = [&body.reason, &body.status]
        .into_iter()
        .flatten()
        .map(|r| normalise(r))
        .collect();
    for r in &reasons {
        let kind = match r.as_str() {
            "notfound" => ErrorKind::NotFound,
            "alreadyexists" | "duplicate" => ErrorKind::AlreadyExists,
            "conditionnotmet" | "preconditionfailed" => ErrorKind::PreconditionFailed,
            "resourceinusebyanotherresource" | "resourceinuse" => ErrorKind::InUse,
            "ratelimitexceeded" | "userratelimitexceeded" | "resourceexhausted" => {
                ErrorKind::RateLimited
            }
            "quotaexceeded" => ErrorKind::QuotaExceeded,
            "conflict" | "aborted" => ErrorKind::Conflict,
            "autherror" | "unauthenticated" | "unauthorized" => ErrorKind::Unauthenticated,
            "forbidden"
            | "permissiondenied"
            | "insufficientpermissions"
            | "accessnotconfigured" => ErrorKind::PermissionDenied,
            _ => continue,
        };
        return kind;
    }
    let message = body.message.as_deref().unwrap_or_default();
    match status {
        // ingress-gce's own test for "in use": a 400 saying "being used by".
        400 if message.contains("being used by") => ErrorKind::InUse,
        401 => ErrorKind::Unauthenticated,
        403 => ErrorKind::PermissionDenied,
        404 => ErrorKind::NotFound,
        409 => ErrorKind::AlreadyExists,
        _ => ErrorKind::Invalid,
    }
}

/// The first line of a non-JSON body (an HTML error page, plain text), shortened.
pub(crate) fn text_excerpt(body: &[u8]) -> Option<String> {
    if serde_json::from_slice::<Value>(body).is_ok() {
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let text = if text.starts_with('<') {
        // HTML: the <title> says most (`502 Server Error`).
        let lower = text.to_ascii_lowercase();
        let start = lower.find("<title>")? + "<title>".len();
        let end = lower[start..].find("</title>")? + start;
        text[start..end].trim().to_string()
    } else {
        text.lines().next().unwrap_or_default().trim().to_string()
    };
    if text.is_empty() {
        return None;
    }
    const MAX: usize = 200;
    Some(if text.chars().count() > MAX {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    } else {
        text
    })
}

/// The standard phrase for an HTTP status, for bodies that say nothing.
pub(crate) fn canonical_phrase(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("unexpected HTTP status")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gcp::endpoints::Api;
    use crate::gcp::error::GcpError;
    fn from(status: u16, body: &str) -> GcpError {
        GcpError::from_response(
            Api::Compute,
            "compute.globalAddresses.get",
            "projects/p/global/addresses/a",
            status,
            body.as_bytes(),
        )
    }

    fn google(status: u16, reason: &str, message: &str) -> GcpError {
        let body = serde_json::json!({"error": {"code": status, "message": message,
            "errors": [{"message": message, "domain": "global", "reason": reason}]}});
        from(status, &body.to_string())
    }

    #[test]
    fn classifies_google_reasons() {
        let cases = [
            (404, "notFound", ErrorKind::NotFound),
            (409, "alreadyExists", ErrorKind::AlreadyExists),
            (409, "conflict", ErrorKind::Conflict),
            (412, "conditionNotMet", ErrorKind::PreconditionFailed),
            (400, "resourceInUseByAnotherResource", ErrorKind::InUse),
            (429, "rateLimitExceeded", ErrorKind::RateLimited),
            (403, "rateLimitExceeded", ErrorKind::RateLimited),
            (403, "userRateLimitExceeded", ErrorKind::RateLimited),
            (403, "quotaExceeded", ErrorKind::QuotaExceeded),
            (429, "quotaExceeded", ErrorKind::RateLimited),
            (400, "invalid", ErrorKind::Invalid),
            (400, "badRequest", ErrorKind::Invalid),
            (403, "forbidden", ErrorKind::PermissionDenied),
            (403, "accessNotConfigured", ErrorKind::PermissionDenied),
            (401, "authError", ErrorKind::Unauthenticated),
            (500, "backendError", ErrorKind::Unavailable),
            (503, "backendError", ErrorKind::Unavailable),
            (502, "notFound", ErrorKind::Unavailable),
            (418, "teapot", ErrorKind::Invalid),
        ];
        for (status, reason, want) in cases {
            let e = google(status, reason, "m");
            assert_eq!(e.kind(), &want, "{status} {reason}");
            assert_eq!(e.status(), Some(status));
            assert_eq!(e.reason(), Some(reason));
        }
    }

    #[test]
    fn upper_snake_and_lower_camel_are_the_same_reason() {
        assert_eq!(
            normalise("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"),
            normalise("resourceInUseByAnotherResource")
        );
        let by_status = from(
            409,
            r#"{"error":{"code":409,"message":"exists","status":"ALREADY_EXISTS"}}"#,
        );
        assert_eq!(by_status.kind(), &ErrorKind::AlreadyExists);
        assert_eq!(by_status.reason(), Some("ALREADY_EXISTS"));
        let info = from(
            403,
            r#"{"error":{"code":403,"message":"slow down","status":"PERMISSION_DENIED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED"}]}}"#,
        );
        assert_eq!(
            info.kind(),
            &ErrorKind::RateLimited,
            "ErrorInfo reason wins"
        );
        let op = GcpError::new(
            ErrorKind::OperationFailed {
                code: "RESOURCE_IN_USE_BY_ANOTHER_RESOURCE".into(),
            },
            Api::Compute,
            "compute.sslCertificates.delete",
            "projects/p/global/sslCertificates/c",
            "in use",
        );
        assert!(op.is_in_use() && !op.is_not_found());
        assert!(google(400, "resourceInUseByAnotherResource", "x").is_in_use());
        let in_use_by_message = google(
            400,
            "badRequest",
            "The ssl_certificate resource 'x' is already being used by 'y'",
        );
        assert_eq!(in_use_by_message.kind(), &ErrorKind::InUse);
    }

    #[test]
    fn odd_bodies_still_give_a_message() {
        let html = from(
            502,
            "<html><head><title>502 Server Error</title></head><body>…</body></html>",
        );
        assert_eq!(html.kind(), &ErrorKind::Unavailable);
        assert_eq!(html.message(), "502 Server Error");
        let empty = from(503, "");
        assert_eq!(empty.message(), "Service Unavailable");
        let text = from(404, "no such thing\nsecond line");
        assert_eq!(
            (text.kind(), text.message()),
            (&ErrorKind::NotFound, "no such thing")
        );
        let oauth = from(
            400,
            r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#,
        );
        assert_eq!(oauth.message(), "Invalid JWT Signature.");
        assert_eq!(oauth.reason(), Some("invalid_grant"));
        let array = from(
            404,
            r#"[{"error":{"code":404,"message":"gone","errors":[{"reason":"notFound"}]}}]"#,
        );
        assert_eq!(
            (array.kind(), array.message()),
            (&ErrorKind::NotFound, "gone")
        );
        let no_message = from(
            409,
            r#"{"error":{"code":409,"errors":[{"message":"dup","reason":"alreadyExists"}]}}"#,
        );
        assert_eq!(no_message.message(), "dup");
        let long = from(500, &"x".repeat(1000));
        assert!(long.message().chars().count() <= 201);
        let json_other = from(500, r#"{"unexpected": true}"#);
        assert_eq!(json_other.message(), "Internal Server Error");
    }
}
