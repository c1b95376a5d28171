//! Compute `Operation`s: every mutation returns one, it goes `PENDING` → `RUNNING` →
//! `DONE` on the sandbox clock, and its effect lands in the world only at `DONE` (so a
//! `get` before then still sees the old world, as with the real API). A failure found
//! while running is reported inside the operation (`error.errors[].code` in UPPER_SNAKE
//! plus `httpErrorStatusCode`), never as an HTTP error.

use serde_json::{Value, json};

use super::links::{Collection, LINK_BASE, self_link};
use crate::util::time::rfc3339_millis;

/// The lifecycle phase of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Accepted, not started.
    Pending,
    /// In progress.
    Running,
    /// Finished (successfully or not).
    Done,
}

impl Phase {
    fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "PENDING",
            Phase::Running => "RUNNING",
            Phase::Done => "DONE",
        }
    }
}

/// A failure inside an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct OpError {
    /// UPPER_SNAKE code (`RESOURCE_IN_USE_BY_ANOTHER_RESOURCE`, `QUOTA_EXCEEDED`).
    pub code: String,
    /// Human message.
    pub message: String,
    /// `httpErrorStatusCode`.
    pub http_status: u16,
}

/// One operation record.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operation-<ms>-<hex>-<hex>-<hex>`.
    pub name: String,
    /// Numeric id (string in JSON).
    pub id: u64,
    /// `insert`, `delete`, `setSslCertificates`, …
    pub op_type: String,
    /// The resource the operation acts on.
    pub target: (Collection, String),
    /// Numeric id of the target when known.
    pub target_id: Option<u64>,
    /// Phase.
    pub phase: Phase,
    /// Failure, once `DONE`.
    pub error: Option<OpError>,
    /// The `requestId` the client sent.
    pub client_operation_id: Option<String>,
    /// RFC 3339 timestamps.
    pub insert_time: String,
    /// Set when it starts running.
    pub start_time: Option<String>,
    /// Set when done.
    pub end_time: Option<String>,
}

impl Operation {
    /// A new `PENDING` operation.
    pub fn new(
        id: u64,
        op_type: &str,
        target: (Collection, String),
        client_operation_id: Option<String>,
    ) -> Self {
        let now = std::time::SystemTime::now();
        let ms = now
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis();
        let r = uuid::Uuid::new_v4().simple().to_string();
        Operation {
            name: format!("operation-{ms}-{}-{}-{}", &r[0..13], &r[13..21], &r[21..29]),
            id,
            op_type: op_type.to_string(),
            target,
            target_id: None,
            phase: Phase::Pending,
            error: None,
            client_operation_id,
            insert_time: rfc3339_millis(now),
            start_time: None,
            end_time: None,
        }
    }

    /// Marks the operation running.
    pub fn start(&mut self) {
        if self.phase == Phase::Pending {
            self.phase = Phase::Running;
            self.start_time = Some(rfc3339_millis(std::time::SystemTime::now()));
        }
    }

    /// Marks the operation done, with an optional failure.
    pub fn finish(&mut self, error: Option<OpError>) {
        self.start();
        self.phase = Phase::Done;
        self.error = error;
        self.end_time = Some(rfc3339_millis(std::time::SystemTime::now()));
    }

    /// The `Operation` resource JSON.
    pub fn to_json(&self, project: &str) -> Value {
        let mut op = json!({
            "kind": "compute#operation",
            "id": self.id.to_string(),
            "name": self.name,
            "operationType": self.op_type,
            "targetLink": self_link(project, self.target.0, &self.target.1),
            "status": self.phase.as_str(),
            "user": super::super::token::CLIENT_EMAIL,
            "progress": if self.phase == Phase::Done { 100 } else { 0 },
            "insertTime": self.insert_time,
            "selfLink": format!("{LINK_BASE}projects/{project}/global/operations/{}", self.name),
        });
        if let Some(id) = self.target_id {
            op["targetId"] = json!(id.to_string());
        }
        if let Some(c) = &self.client_operation_id {
            op["clientOperationId"] = json!(c);
        }
        if let Some(t) = &self.start_time {
            op["startTime"] = json!(t);
        }
        if let Some(t) = &self.end_time {
            op["endTime"] = json!(t);
        }
        if let Some(e) = &self.error {
            op["error"] = json!({"errors": [{"code": e.code, "message": e.message}]});
            op["httpErrorStatusCode"] = json!(e.http_status);
            op["httpErrorMessage"] = json!(http_message(e.http_status));
        }
        op
    }
}

fn http_message(status: u16) -> &'static str {
    match status {
        400 => "BAD REQUEST",
        403 => "FORBIDDEN",
        404 => "NOT FOUND",
        409 => "CONFLICT",
        412 => "PRECONDITION FAILED",
        429 => "TOO MANY REQUESTS",
        500 => "INTERNAL SERVER ERROR",
        503 => "SERVICE UNAVAILABLE",
        _ => "ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_and_json() {
        let mut op = Operation::new(
            7,
            "insert",
            (Collection::UrlMaps, "um".into()),
            Some("req-1".into()),
        );
        assert!(op.name.starts_with("operation-"));
        assert_eq!(op.to_json("p")["status"], "PENDING");
        op.start();
        assert_eq!(op.to_json("p")["status"], "RUNNING");
        op.finish(Some(OpError {
            code: "QUOTA_EXCEEDED".into(),
            message: "Quota exceeded".into(),
            http_status: 403,
        }));
        let j = op.to_json("p");
        assert_eq!(j["status"], "DONE");
        assert_eq!(j["error"]["errors"][0]["code"], "QUOTA_EXCEEDED");
        assert_eq!(j["httpErrorStatusCode"], 403);
        assert_eq!(j["clientOperationId"], "req-1");
        assert_eq!(j["id"], "7");
    }
}
