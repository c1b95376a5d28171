//! Compute `Operation`s as rotate-cert sees them: every mutation returns one, it is
//! finished only at `DONE`, and a failure found after acceptance is reported inside it
//! (`error.errors[].code` in UPPER_SNAKE plus `httpErrorStatusCode`), never as an HTTP
//! error. Pure conversion from Google's JSON; waiting lives in [`super::compute`].

use serde_json::Value;

use super::links::ResourceLink;

/// A Compute operation's phase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationStatus {
    /// Accepted.
    Pending,
    /// In progress.
    Running,
    /// Finished, successfully or not.
    Done,
    /// A status this version does not know (treated as not finished).
    Other(String),
}

/// The first failure inside a finished operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationError {
    /// UPPER_SNAKE code (`QUOTA_EXCEEDED`).
    pub code: String,
    /// Google's messages, joined with `; ` when there are several.
    pub message: String,
    /// `httpErrorStatusCode`.
    pub http_status: Option<u16>,
}

/// A Compute operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name (opaque).
    pub name: String,
    /// Its phase.
    pub status: OperationStatus,
    /// `insert`, `delete`, `setSslCertificates`, …
    pub operation_type: String,
    /// The resource it acts on.
    pub target: Option<ResourceLink>,
    /// The `requestId` it was created with.
    pub client_operation_id: Option<String>,
    /// Its failure, once done.
    pub error: Option<OperationError>,
}

impl Operation {
    /// Whether it is `DONE`.
    pub fn is_done(&self) -> bool {
        self.status == OperationStatus::Done
    }
}

/// An `Operation` → [`Operation`].
pub fn operation(v: &Value) -> Result<Operation, String> {
    let name = v["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .ok_or("the operation has no `name`")?
        .to_string();
    let status = match v["status"].as_str().unwrap_or_default() {
        "PENDING" => OperationStatus::Pending,
        "RUNNING" => OperationStatus::Running,
        "DONE" => OperationStatus::Done,
        other => OperationStatus::Other(other.to_string()),
    };
    let items = v["error"]["errors"].as_array().cloned().unwrap_or_default();
    let http_status = v["httpErrorStatusCode"]
        .as_u64()
        .and_then(|s| u16::try_from(s).ok());
    let error = if items.is_empty() {
        // An `error` without items, or only an HTTP status, still means failure.
        (v["error"].is_object() || http_status.is_some_and(|s| s >= 400)).then(|| OperationError {
            code: "UNKNOWN".to_string(),
            message: v["httpErrorMessage"]
                .as_str()
                .unwrap_or("the operation failed without details")
                .to_string(),
            http_status,
        })
    } else {
        let messages: Vec<&str> = items.iter().filter_map(|i| i["message"].as_str()).collect();
        Some(OperationError {
            code: items[0]["code"].as_str().unwrap_or("UNKNOWN").to_string(),
            message: messages.join("; "),
            http_status,
        })
    };
    Ok(Operation {
        name,
        status,
        operation_type: v["operationType"].as_str().unwrap_or_default().to_string(),
        target: v["targetLink"].as_str().and_then(ResourceLink::parse),
        client_operation_id: v["clientOperationId"].as_str().map(str::to_string),
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const L: &str = "https://www.googleapis.com/compute/v1/projects/p/global/";

    #[test]
    fn operations_and_their_errors() -> Result<(), String> {
        let running = operation(&json!({"name": "operation-1", "status": "RUNNING",
            "operationType": "insert", "targetLink": format!("{L}addresses/ip"), "clientOperationId": "r"}))?;
        assert!(!running.is_done() && running.error.is_none());
        assert_eq!(running.target.map(|t| t.name).as_deref(), Some("ip"));
        let failed = operation(&json!({"name": "operation-2", "status": "DONE",
            "error": {"errors": [{"code": "QUOTA_EXCEEDED", "message": "a"}, {"code": "X", "message": "b"}]},
            "httpErrorStatusCode": 403}))?;
        assert_eq!(
            failed.error,
            Some(OperationError {
                code: "QUOTA_EXCEEDED".into(),
                message: "a; b".into(),
                http_status: Some(403)
            })
        );
        let bare = operation(
            &json!({"name": "o", "status": "DONE", "httpErrorStatusCode": 500, "httpErrorMessage": "INTERNAL"}),
        )?;
        assert_eq!(bare.error.map(|e| e.code).as_deref(), Some("UNKNOWN"));
        assert!(operation(&json!({"status": "DONE"})).is_err());
        Ok(())
    }
}
