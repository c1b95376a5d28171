//! The Kubernetes `Status` object: the one error shape every failing Kubernetes route
//! answers with, and the field errors that make up a `422 Invalid`.
//!
//! Messages and reasons are the API server's own (`secrets "x" not found`,
//! `Operation cannot be fulfilled on …`, `Ingress.networking.k8s.io "x" is invalid: …`),
//! because kubectl prints them verbatim and clients branch on `reason` and `code`.
//! Nothing here knows about the store; it only formats.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::resources::ResourceInfo;
use crate::sandbox::core::InjectedStatus;

/// A Kubernetes `Status` error (`kind: Status`, `status: Failure`).
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    /// HTTP status code (also `code` in the body).
    pub code: u16,
    /// Machine-readable reason (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, …).
    pub reason: String,
    /// Human-readable message, exactly as the API server words it.
    pub message: String,
    /// `details` (name, group, kind, uid, causes, retryAfterSeconds), when any.
    pub details: Option<Value>,
    /// Seconds for a `Retry-After` header (429 and 503 answers).
    pub retry_after: Option<u64>,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.reason, self.message)
    }
}

impl std::error::Error for Status {}

impl Status {
    /// A failure with the given code, reason and message and no details.
    pub fn new(code: u16, reason: &str, message: impl Into<String>) -> Status {
        Status {
            code,
            reason: reason.to_string(),
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    fn with_details(mut self, details: Value) -> Status {
        self.details = Some(details);
        self
    }

    /// 404 `NotFound` for one object: `ingresses.networking.k8s.io "x" not found`.
    pub fn not_found(res: &ResourceInfo, name: &str) -> Status {
        Status::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", res.qualified()),
        )
        .with_details(details(res, name))
    }

    /// 404 for a path the server does not serve.
    pub fn no_route() -> Status {
        Status::new(
            404,
            "NotFound",
            "the server could not find the requested resource",
        )
        .with_details(json!({}))
    }

    /// 409 `AlreadyExists`.
    pub fn already_exists(res: &ResourceInfo, name: &str) -> Status {
        Status::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", res.qualified()),
        )
        .with_details(details(res, name))
    }

    /// 409 `Conflict` for a stale `resourceVersion`.
    pub fn conflict(res: &ResourceInfo, name: &str) -> Status {
        Status::conflict_because(
            res,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 409 `Conflict` with a specific cause (`Precondition failed: …`).
    pub fn conflict_because(res: &ResourceInfo, name: &str, why: &str) -> Status {
        Status::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                res.qualified()
            ),
        )
        .with_details(details(res, name))
    }

    /// 422 `Invalid` listing every field error.
    pub fn invalid(res: &ResourceInfo, name: &str, errors: &[FieldError]) -> Status {
        let kind = if res.group.is_empty() {
            res.kind.to_string()
        } else {
            format!("{}.{}", res.kind, res.group)
        };
        let list = match errors {
            [one] => one.to_string(),
            many => format!(
                "[{}]",
                many.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.kind.reason(), "message": e.detail_message(), "field": e.field}))
            .collect();
        let mut d = json!({"name": name, "group": res.group, "kind": res.kind, "causes": causes});
        if res.group.is_empty()
            && let Some(m) = d.as_object_mut()
        {
            m.remove("group");
        }
        Status::new(
            422,
            "Invalid",
            format!("{kind} \"{name}\" is invalid: {list}"),
        )
        .with_details(d)
    }

    /// 422 with the API server's generic message and one `UnexpectedServerResponse`
    /// cause (what a failed JSON-patch `test` produces).
    pub fn unprocessable(cause: &str) -> Status {
        Status::new(
            422,
            "Invalid",
            "the server rejected our request due to an error in our request",
        )
        .with_details(json!({"causes": [{"reason": "UnexpectedServerResponse", "message": cause}]}))
    }

    /// 400 `BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Status {
        Status::new(400, "BadRequest", message)
    }

    /// 403 `Forbidden` (a collection request such as a create names no object, as the
    /// API server's RBAC check runs before the body is read).
    pub fn forbidden(res: &ResourceInfo, name: &str, why: &str) -> Status {
        let subject = if name.is_empty() {
            res.qualified()
        } else {
            format!("{} \"{name}\"", res.qualified())
        };
        Status::new(403, "Forbidden", format!("{subject} is forbidden: {why}"))
            .with_details(details(res, name))
    }

    /// 401 `Unauthorized`.
    pub fn unauthorized() -> Status {
        Status::new(401, "Unauthorized", "Unauthorized")
    }

    /// 405 `MethodNotAllowed`.
    pub fn method_not_allowed() -> Status {
        Status::new(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
        )
        .with_details(json!({}))
    }

    /// 415 `UnsupportedMediaType` for a PATCH body type the server does not accept.
    pub fn unsupported_patch(content_type: &str) -> Status {
        Status::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {content_type:?})"
            ),
        )
    }

    /// 410 `Expired` for a watch or list from a compacted resourceVersion.
    pub fn expired(requested: u64, oldest: u64) -> Status {
        Status::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// 500 `InternalError`.
    pub fn internal(message: &str) -> Status {
        Status::new(
            500,
            "InternalError",
            format!("Internal error occurred: {message}"),
        )
        .with_details(json!({"causes": [{"message": message}]}))
    }

    /// Renders an injected fault as the Status the API server would send for that code.
    pub fn injected(fault: &InjectedStatus, res: Option<&ResourceInfo>, name: &str) -> Status {
        let custom = fault
            .reason
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
            .then(|| fault.reason.clone());
        let mut status = match (fault.status, res) {
            (404, Some(res)) => Status::not_found(res, name),
            (409, Some(res)) => Status::conflict(res, name),
            (429, _) => {
                let mut s = Status::new(
                    429,
                    "TooManyRequests",
                    "Too many requests, please try again later.",
                )
                .with_details(json!({"retryAfterSeconds": 1}));
                s.retry_after = Some(1);
                s
            }
            (500, _) => Status::internal("injected fault"),
            (503, _) => Status::new(
                503,
                "ServiceUnavailable",
                "The server is currently unable to handle the request",
            ),
            (504, _) => Status::new(
                504,
                "Timeout",
                "Timeout: request did not complete within requested timeout - context deadline exceeded",
            ),
            (401, _) => Status::unauthorized(),
            (403, Some(res)) => Status::forbidden(res, name, "injected fault"),
            (403, None) => Status::new(403, "Forbidden", "forbidden: injected fault"),
            (400, _) => Status::bad_request("injected fault"),
            (code, _) => Status::new(
                code,
                "Unknown",
                format!(
                    "the server responded with the status code {code} but did not return more information"
                ),
            ),
        };
        if let Some(reason) = custom {
            status.reason = reason;
        }
        status
    }

    /// The `Status` JSON body.
    pub fn body(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let (Some(d), Some(m)) = (&self.details, v.as_object_mut()) {
            m.insert("details".into(), d.clone());
        }
        v
    }
}

fn details(res: &ResourceInfo, name: &str) -> Value {
    let mut d = json!({"name": name, "group": res.group, "kind": res.plural});
    if res.group.is_empty()
        && let Some(m) = d.as_object_mut()
    {
        m.remove("group");
    }
    d
}

impl IntoResponse for Status {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut resp = (code, axum::Json(self.body())).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

/// What is wrong with one field (the API server's `field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `Required value`.
    Required,
    /// `Invalid value: <value>`.
    Invalid,
    /// `Unsupported value: <value>: supported values: …`.
    NotSupported,
    /// `Forbidden`.
    Forbidden,
    /// `Too long: may not be more than …`.
    TooLong,
}

impl FieldErrorKind {
    fn reason(self) -> &'static str {
        match self {
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::NotSupported => "FieldValueNotSupported",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
            FieldErrorKind::TooLong => "FieldValueTooLong",
        }
    }
}

/// One field error inside a `422 Invalid`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The field path (`spec.rules[0].http.paths[0].pathType`).
    pub field: String,
    /// The error type.
    pub kind: FieldErrorKind,
    /// The offending value, already rendered (quoted strings), for Invalid/NotSupported.
    pub value: Option<String>,
    /// The explanation after the type.
    pub detail: String,
}

impl FieldError {
    /// `Required value[: detail]`.
    pub fn required(field: impl Into<String>, detail: &str) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::Required,
            value: None,
            detail: detail.to_string(),
        }
    }

    /// `Invalid value: "value": detail` (a string value).
    pub fn invalid(field: impl Into<String>, value: &str, detail: &str) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::Invalid,
            value: Some(format!("{value:?}")),
            detail: detail.to_string(),
        }
    }

    /// `Invalid value: <raw>: detail` (a value rendered by the caller, e.g. a number).
    pub fn invalid_raw(field: impl Into<String>, raw: &str, detail: &str) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::Invalid,
            value: Some(raw.to_string()),
            detail: detail.to_string(),
        }
    }

    /// `Unsupported value: "value": supported values: "a", "b"`.
    pub fn not_supported(field: impl Into<String>, value: &str, supported: &[&str]) -> FieldError {
        let list = supported
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::NotSupported,
            value: Some(format!("{value:?}")),
            detail: format!("supported values: {list}"),
        }
    }

    /// `Forbidden: detail`.
    pub fn forbidden(field: impl Into<String>, detail: &str) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::Forbidden,
            value: None,
            detail: detail.to_string(),
        }
    }

    /// `Too long: may not be more than N bytes`.
    pub fn too_long(field: impl Into<String>, max: usize) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorKind::TooLong,
            value: None,
            detail: format!("may not be more than {max} bytes"),
        }
    }

    /// The message without the field path (what `details.causes[].message` carries).
    pub fn detail_message(&self) -> String {
        let head = match self.kind {
            FieldErrorKind::Required => "Required value".to_string(),
            FieldErrorKind::Invalid => {
                format!("Invalid value: {}", self.value.as_deref().unwrap_or("null"))
            }
            FieldErrorKind::NotSupported => {
                format!(
                    "Unsupported value: {}",
                    self.value.as_deref().unwrap_or("null")
                )
            }
            FieldErrorKind::Forbidden => "Forbidden".to_string(),
            FieldErrorKind::TooLong => "Too long".to_string(),
        };
        if self.detail.is_empty() {
            head
        } else {
            format!("{head}: {}", self.detail)
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.detail_message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::kube::resources::lookup;

    #[test]
    fn messages_match_the_api_server() {
        let ing = lookup("networking.k8s.io", "ingresses").unwrap();
        let sec = lookup("", "secrets").unwrap();
        assert_eq!(
            Status::not_found(ing, "x").message,
            "ingresses.networking.k8s.io \"x\" not found"
        );
        let b = Status::not_found(sec, "x").body();
        assert_eq!(b["details"], json!({"name": "x", "kind": "secrets"}));
        let inv = Status::invalid(
            ing,
            "web",
            &[FieldError::required(
                "spec.rules[0].http.paths[0].pathType",
                "pathType must be specified",
            )],
        );
        assert_eq!(
            inv.message,
            "Ingress.networking.k8s.io \"web\" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
        );
        assert_eq!(
            inv.body()["details"]["causes"][0]["reason"],
            "FieldValueRequired"
        );
        let two = Status::invalid(
            sec,
            "s",
            &[
                FieldError::required("data[tls.crt]", ""),
                FieldError::required("data[tls.key]", ""),
            ],
        );
        assert_eq!(
            two.message,
            "Secret \"s\" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]"
        );
    }
}
