//! [`GcpError`]: every way a Google Cloud call can fail, classified so callers can decide
//! without string matching: whether a retry can help ([`GcpError::retryable`]) and whether
//! a mutation may have happened although no answer says so ([`GcpError::outcome_unknown`]).
//!
//! The kind comes from the HTTP status and Google's reason in either spelling
//! (lowerCamel `resourceInUseByAnotherResource` in HTTP errors, UPPER_SNAKE
//! `RESOURCE_IN_USE_BY_ANOTHER_RESOURCE` inside finished Compute operations); the body
//! parsing lives in [`super::google_error`].
//!
//! Errors carry the API method id, the resource, the HTTP status, Google's reason and
//! message: never request or response bodies beyond Google's message, never tokens.

use std::fmt;
use std::time::Duration;

use super::endpoints::Api;
use super::google_error::{GoogleErrorBody, canonical_phrase, classify, normalise, text_excerpt};

/// What went wrong, as far as a caller needs to know to decide what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404 / `notFound`.
    NotFound,
    /// 409 `alreadyExists` (or `duplicate`).
    AlreadyExists,
    /// 412 / `conditionNotMet`: a fingerprint or a Cloud DNS deletion did not match.
    PreconditionFailed,
    /// `resourceInUseByAnotherResource`: a delete refused because something references
    /// the resource.
    InUse,
    /// 409 other than "already exists" (`conflict`, `ABORTED`): a concurrent change.
    Conflict,
    /// 429, or 403 `rateLimitExceeded` / `userRateLimitExceeded`.
    RateLimited,
    /// 403 `quotaExceeded`: a resource quota (for example `SSL_CERTIFICATES`) is full.
    QuotaExceeded,
    /// 400 (and other 4xx without a better kind): the request is wrong; also local
    /// argument checks.
    Invalid,
    /// 403 other than quota and rate limits.
    PermissionDenied,
    /// 401: the token was refused.
    Unauthenticated,
    /// 5xx, or 408.
    Unavailable,
    /// No HTTP response: connect failure, timeout, connection closed.
    Transport,
    /// A Compute operation finished (`DONE`) with an error.
    OperationFailed {
        /// Google's UPPER_SNAKE code (`QUOTA_EXCEEDED`, `RESOURCE_IN_USE_BY_ANOTHER_RESOURCE`).
        code: String,
    },
    /// A Compute operation or Cloud DNS change was still in progress at the deadline.
    Timeout,
    /// A response could not be read as the expected JSON.
    Decode,
    /// No access token could be obtained.
    Credentials,
    /// The adapter could not be set up (HTTP client).
    Setup,
}

impl ErrorKind {
    fn phrase(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::PreconditionFailed => "precondition failed",
            ErrorKind::InUse => "in use by another resource",
            ErrorKind::Conflict => "conflicting change",
            ErrorKind::RateLimited => "rate limited",
            ErrorKind::QuotaExceeded => "quota exceeded",
            ErrorKind::Invalid => "invalid request",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::Unauthenticated => "not authenticated",
            ErrorKind::Unavailable => "service unavailable",
            ErrorKind::Transport => "no response",
            ErrorKind::OperationFailed { .. } => "operation failed",
            ErrorKind::Timeout => "still in progress at the deadline",
            ErrorKind::Decode => "unexpected response",
            ErrorKind::Credentials => "no access token",
            ErrorKind::Setup => "cannot set up the client",
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failed Google Cloud call (boxed: errors travel through many `Result`s).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct GcpError(Box<Details>);

/// Everything a [`GcpError`] knows.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.render())]
struct Details {
    kind: ErrorKind,
    api: Api,
    method: String,
    resource: String,
    status: Option<u16>,
    reason: Option<String>,
    message: String,
    retry_after: Option<Duration>,
    mutation: bool,
    request_sent: bool,
    after_lost_response: bool,
    attempts: u32,
    elapsed: Duration,
    #[source]
    source: Option<BoxError>,
}

impl GcpError {
    /// A new error of `kind` about `method` on `resource`.
    pub fn new(
        kind: ErrorKind,
        api: Api,
        method: impl Into<String>,
        resource: impl Into<String>,
        message: impl Into<String>,
    ) -> GcpError {
        GcpError(Box::new(Details {
            kind,
            api,
            method: method.into(),
            resource: resource.into(),
            status: None,
            reason: None,
            message: message.into(),
            retry_after: None,
            mutation: false,
            request_sent: true,
            after_lost_response: false,
            attempts: 1,
            elapsed: Duration::ZERO,
            source: None,
        }))
    }

    /// An error from a non-2xx HTTP response with Google's error body.
    pub fn from_response(
        api: Api,
        method: impl Into<String>,
        resource: impl Into<String>,
        status: u16,
        body: &[u8],
    ) -> GcpError {
        let parsed = GoogleErrorBody::parse(body);
        let kind = classify(status, &parsed);
        let message = parsed
            .message
            .clone()
            .or_else(|| text_excerpt(body))
            .unwrap_or_else(|| canonical_phrase(status).to_string());
        let mut e = GcpError::new(kind, api, method, resource, message);
        e.0.status = Some(status);
        e.0.reason = parsed.reason.or(parsed.status);
        e
    }

    /// Sets the HTTP status (for in-operation errors: `httpErrorStatusCode`).
    pub fn with_status(mut self, status: Option<u16>) -> Self {
        self.0.status = status;
        self
    }

    /// Sets Google's reason (or an operation's error code).
    pub fn with_reason(mut self, reason: impl Into<String>) -> Self {
        self.0.reason = Some(reason.into());
        self
    }

    /// Attaches the underlying error.
    pub fn with_source(mut self, source: impl Into<BoxError>) -> Self {
        self.0.source = Some(source.into());
        self
    }

    /// Records the server's `Retry-After`.
    pub(crate) fn with_retry_after(mut self, d: Option<Duration>) -> Self {
        self.0.retry_after = d;
        self
    }

    /// Records that the call was a mutation and whether its request may have reached the
    /// server.
    pub(crate) fn with_mutation(mut self, mutation: bool, request_sent: bool) -> Self {
        self.0.mutation = mutation;
        self.0.request_sent = request_sent;
        self
    }

    /// Records how many attempts were made, over how long, and whether an earlier
    /// attempt's response to this mutation was lost.
    pub(crate) fn with_attempts(mut self, attempts: u32, elapsed: Duration, lost: bool) -> Self {
        self.0.attempts = attempts;
        self.0.elapsed = elapsed;
        self.0.after_lost_response = lost;
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// Which API was called.
    pub fn api(&self) -> Api {
        self.0.api
    }

    /// The API method id (`compute.globalAddresses.insert`).
    pub fn method(&self) -> &str {
        &self.0.method
    }

    /// The resource concerned (`projects/p/global/addresses/x`).
    pub fn resource(&self) -> &str {
        &self.0.resource
    }

    /// The HTTP status (for an operation failure, its `httpErrorStatusCode`).
    pub fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// Google's reason (`notFound`), canonical status (`NOT_FOUND`) or operation code.
    pub fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// Google's message (or a description of the transport failure).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The operation's error code, when a Compute operation failed.
    pub fn operation_code(&self) -> Option<&str> {
        self.0.operation_code()
    }

    /// Whether trying again (later, or for an operation failure with a fresh request id)
    /// can help: rate limits, unavailability, transport failures, concurrent changes,
    /// deadlines, and operations that failed for one of those reasons.
    pub fn retryable(&self) -> bool {
        match &self.0.kind {
            ErrorKind::RateLimited
            | ErrorKind::Unavailable
            | ErrorKind::Transport
            | ErrorKind::Conflict
            | ErrorKind::Timeout => true,
            ErrorKind::OperationFailed { code } => {
                self.0.status.is_some_and(|s| s == 429 || s >= 500)
                    || matches!(
                        normalise(code).as_str(),
                        "resourcenotready" | "ratelimitexceeded" | "internalerror" | "backenderror"
                    )
            }
            _ => false,
        }
    }

    /// Whether this was a mutation that may have been applied although no response says
    /// so: the response was lost (or timed out) after the request was sent, the server
    /// failed with a 5xx, or an earlier attempt's response was lost and a retry then
    /// failed (a 409/412/404 then may mean "the first attempt worked"). Re-read the world
    /// before acting again.
    pub fn outcome_unknown(&self) -> bool {
        self.0.outcome_unknown()
    }

    /// Not found, as an HTTP 404 or an operation's `RESOURCE_NOT_FOUND`.
    pub fn is_not_found(&self) -> bool {
        self.0.kind == ErrorKind::NotFound || self.op_code_is("resourcenotfound")
    }

    /// Already exists, as an HTTP 409 or an operation's `RESOURCE_ALREADY_EXISTS`.
    pub fn is_already_exists(&self) -> bool {
        self.0.kind == ErrorKind::AlreadyExists || self.op_code_is("resourcealreadyexists")
    }

    /// In use, as an HTTP 400 `resourceInUseByAnotherResource` or an operation's
    /// `RESOURCE_IN_USE_BY_ANOTHER_RESOURCE`.
    pub fn is_in_use(&self) -> bool {
        self.0.kind == ErrorKind::InUse || self.op_code_is("resourceinusebyanotherresource")
    }

    fn op_code_is(&self, normalised: &str) -> bool {
        self.operation_code()
            .is_some_and(|c| normalise(c) == normalised)
    }
}

impl Details {
    fn render(&self) -> String {
        let mut out = format!("{} ", self.method);
        if !self.resource.is_empty() {
            out.push_str(&format!("`{}` ", self.resource));
        }
        out.push_str(&format!("failed: {}", self.kind.phrase()));
        if let ErrorKind::OperationFailed { code } = &self.kind {
            out.push_str(&format!(" with {code}"));
        }
        if !self.message.is_empty() {
            out.push_str(&format!(": {}", self.message));
        }
        let detail = match (self.status, self.reason.as_deref()) {
            (Some(s), Some(r)) if self.operation_code() != Some(r) => format!("HTTP {s}, {r}"),
            (Some(s), _) => format!("HTTP {s}"),
            (None, Some(r)) if self.operation_code() != Some(r) => r.to_string(),
            _ => String::new(),
        };
        if !detail.is_empty() {
            out.push_str(&format!(" ({detail})"));
        }
        if self.attempts > 1 {
            out.push_str(&format!(
                "; gave up after {} attempts in {}",
                self.attempts,
                crate::util::duration::format_duration(self.elapsed)
            ));
        }
        if self.outcome_unknown() {
            out.push_str("; the change may or may not have been applied");
        }
        out
    }

    fn operation_code(&self) -> Option<&str> {
        match &self.kind {
            ErrorKind::OperationFailed { code } => Some(code),
            _ => None,
        }
    }

    fn outcome_unknown(&self) -> bool {
        if !self.mutation {
            return false;
        }
        if self.after_lost_response {
            return true;
        }
        match self.kind {
            ErrorKind::Transport => self.request_sent,
            ErrorKind::Unavailable => true,
            _ => false,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.phrase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn retryable_and_outcome_unknown() {
        assert!(google(429, "rateLimitExceeded", "m").retryable());
        assert!(google(503, "backendError", "m").retryable());
        assert!(google(409, "conflict", "m").retryable());
        assert!(!google(404, "notFound", "m").retryable());
        assert!(!google(403, "quotaExceeded", "m").retryable());
        assert!(!google(412, "conditionNotMet", "m").retryable());
        let transport = || {
            GcpError::new(
                ErrorKind::Transport,
                Api::Dns,
                "dns.changes.create",
                "z",
                "closed",
            )
        };
        assert!(transport().retryable());
        assert!(!transport().outcome_unknown(), "a read is never unknown");
        assert!(transport().with_mutation(true, true).outcome_unknown());
        assert!(
            !transport().with_mutation(true, false).outcome_unknown(),
            "never sent"
        );
        assert!(
            google(500, "backendError", "m")
                .with_mutation(true, true)
                .outcome_unknown()
        );
        let conflict_after_loss = google(412, "conditionNotMet", "m")
            .with_mutation(true, true)
            .with_attempts(2, Duration::from_secs(1), true);
        assert!(conflict_after_loss.outcome_unknown());
        assert!(
            conflict_after_loss
                .to_string()
                .contains("may or may not have been applied")
        );
        let op = |code: &str, status| {
            GcpError::new(
                ErrorKind::OperationFailed { code: code.into() },
                Api::Compute,
                "m",
                "r",
                "x",
            )
            .with_status(status)
        };
        assert!(!op("QUOTA_EXCEEDED", Some(403)).retryable());
        assert!(op("RESOURCE_NOT_READY", Some(400)).retryable());
        assert!(op("INTERNAL_ERROR", Some(503)).retryable());
    }

    #[test]
    fn display_names_method_resource_status_and_attempts() {
        let e = google(429, "rateLimitExceeded", "Rate Limit Exceeded").with_attempts(
            3,
            Duration::from_millis(2100),
            false,
        );
        assert_eq!(
            e.to_string(),
            "compute.globalAddresses.get `projects/p/global/addresses/a` failed: rate limited: Rate Limit Exceeded (HTTP 429, rateLimitExceeded); gave up after 3 attempts in 2.1s"
        );
        let op = GcpError::new(
            ErrorKind::OperationFailed {
                code: "QUOTA_EXCEEDED".into(),
            },
            Api::Compute,
            "compute.globalAddresses.insert",
            "projects/p/global/addresses/a",
            "Quota exceeded",
        )
        .with_status(Some(403))
        .with_reason("QUOTA_EXCEEDED");
        assert_eq!(
            op.to_string(),
            "compute.globalAddresses.insert `projects/p/global/addresses/a` failed: operation failed with QUOTA_EXCEEDED: Quota exceeded (HTTP 403)"
        );
    }
}
