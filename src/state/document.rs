//! The state document: what one rotation has done so far, as plain data.
//!
//! [`Document`] owns the shape of the JSON (field order, lowercase step statuses, sorted
//! maps) and the small bookkeeping verbs the engine uses to record progress: mark a step
//! started, done, failed or skipped, and append to the journal. It must not do I/O (the
//! store saves it) and must not decide anything about the rotation itself: the payload `T`
//! belongs to the engine. Guarantees: the journal is append-only through these verbs;
//! every verb records a journal entry stamped with the current serial; timestamps are
//! RFC 3339 UTC.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::{SCHEMA, TOOL_VERSION};
use crate::util::time::now_rfc3339_millis as now_rfc3339;

/// One rotation's state file, with the engine's rotation-specific payload `T`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document<T> {
    /// The document schema ([`SCHEMA`] when written by this rotate-cert).
    pub schema: u32,
    /// The rotation's id, e.g. `rot-20261127T030412Z-7f3a9c` ([`new_rotation_id`]).
    pub rotation_id: String,
    /// Bumped on every save; the store refuses to overwrite a serial it did not load.
    pub serial: u64,
    /// The version of rotate-cert that last wrote the file.
    pub tool_version: String,
    /// When the rotation was created (RFC 3339 UTC).
    pub created_at: String,
    /// When the file was last saved (RFC 3339 UTC).
    pub updated_at: String,
    /// What is being rotated.
    pub target: Target,
    /// Every step the rotation has touched, in order.
    pub steps: Vec<StepRecord>,
    /// What happened, in order; append-only.
    pub journal: Vec<JournalEntry>,
    /// The engine's rotation-specific data (plan, "before" facts, certificates by
    /// fingerprint).
    pub rotation: T,
}

/// The Ingress a rotation works on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// Kubernetes namespace of the Ingress.
    pub namespace: String,
    /// Name of the (blue) Ingress.
    pub ingress: String,
    /// Google Cloud project, when given explicitly.
    pub project: Option<String>,
    /// Kubernetes context, when given explicitly.
    pub context: Option<String>,
}

/// Where one step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// Not begun.
    Pending,
    /// Begun and saved before acting (write-ahead); after a crash it is settled by
    /// checking again.
    Started,
    /// Finished, with evidence.
    Done,
    /// Stopped with an error; `resume` retries it.
    Failed,
    /// Not needed (the reason is in the evidence and the journal).
    Skipped,
}

impl StepStatus {
    /// Whether the step needs no more work (done or skipped).
    pub fn is_finished(self) -> bool {
        matches!(self, StepStatus::Done | StepStatus::Skipped)
    }

    /// The lowercase name used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Started => "started",
            StepStatus::Done => "done",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
        }
    }
}

impl fmt::Display for StepStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step's progress and evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step's name, unique within a document.
    pub name: String,
    /// Where it stands.
    pub status: StepStatus,
    /// When the latest attempt started.
    pub started_at: Option<String>,
    /// When it last finished (done, failed or skipped).
    pub finished_at: Option<String>,
    /// How many times it was started.
    pub attempts: u32,
    /// What proves it (fingerprints, IPs, change ids, operation ids); never key material.
    pub evidence: BTreeMap<String, serde_json::Value>,
    /// The latest error, while failed.
    pub error: Option<String>,
}

impl StepRecord {
    /// Whether the step's change may have been sent: it was recorded `started` before
    /// acting at least once (a step refused at its first look never was), or it is done.
    pub fn acted(&self) -> bool {
        self.attempts > 0 || self.status == StepStatus::Done
    }

    /// A step that has not begun.
    pub fn pending(name: impl Into<String>) -> Self {
        StepRecord {
            name: name.into(),
            status: StepStatus::Pending,
            started_at: None,
            finished_at: None,
            attempts: 0,
            evidence: BTreeMap::new(),
            error: None,
        }
    }
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// When it happened (RFC 3339 UTC).
    pub at: String,
    /// The document's serial when the entry was recorded; the entry is on disk from the
    /// next save on.
    pub serial: u64,
    /// The step it concerns, if any.
    pub step: Option<String>,
    /// What happened, kebab-case: `step-started`, `step-done`, `rotation-created`, ...
    pub event: String,
    /// The details, for people.
    pub message: String,
}

/// A new rotation id: `rot-<UTC time, basic format>-<6 random hex digits>`, e.g.
/// `rot-20261127T030412Z-7f3a9c`.
pub fn new_rotation_id() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let now = time::OffsetDateTime::now_utc();
    // Formatting a valid UTC date with numeric components only cannot fail; fall back to
    // the Unix time rather than panic all the same.
    let stamp = now
        .format(&format)
        .unwrap_or_else(|_| now.unix_timestamp().to_string());
    // A simple UUID is always 32 hex digits, so the slice below cannot panic.
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("rot-{stamp}-{}", &random[..6])
}

impl<T> Document<T> {
    /// A new document for `target` with the engine's payload: schema [`SCHEMA`], a fresh
    /// rotation id, serial 0, no steps, and a `rotation-created` journal entry.
    pub fn new(target: Target, rotation: T) -> Self {
        let now = now_rfc3339();
        let mut doc = Document {
            schema: SCHEMA,
            rotation_id: new_rotation_id(),
            serial: 0,
            tool_version: TOOL_VERSION.to_string(),
            created_at: now.clone(),
            updated_at: now,
            target,
            steps: Vec::new(),
            journal: Vec::new(),
            rotation,
        };
        let message = format!(
            "rotation `{}` created for ingress `{}/{}`",
            doc.rotation_id, doc.target.namespace, doc.target.ingress
        );
        doc.record(None, "rotation-created", message);
        doc
    }

    /// The step named `name`, if it was ever touched.
    pub fn step(&self, name: &str) -> Option<&StepRecord> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// The step named `name`, mutably, if it was ever touched.
    pub fn step_mut(&mut self, name: &str) -> Option<&mut StepRecord> {
        self.steps.iter_mut().find(|s| s.name == name)
    }

    /// The step named `name`, appended as pending if it is not there yet.
    pub fn ensure_step(&mut self, name: &str) -> &mut StepRecord {
        let index = match self.steps.iter().position(|s| s.name == name) {
            Some(index) => index,
            None => {
                self.steps.push(StepRecord::pending(name));
                self.steps.len() - 1
            }
        };
        &mut self.steps[index]
    }

    /// Records a new attempt at `name`: status `started`, one more attempt, the previous
    /// error and finish time cleared. The engine saves right after (write-ahead).
    pub fn mark_started(&mut self, name: &str) -> &mut StepRecord {
        let now = now_rfc3339();
        let step = self.ensure_step(name);
        step.status = StepStatus::Started;
        step.started_at = Some(now);
        step.finished_at = None;
        step.attempts = step.attempts.saturating_add(1);
        step.error = None;
        let attempt = step.attempts;
        self.record(
            Some(name),
            "step-started",
            format!("step `{name}` started (attempt {attempt})"),
        );
        self.ensure_step(name)
    }

    /// Records `name` as done, merging `evidence` into what the step already recorded
    /// (later keys win).
    pub fn mark_done(
        &mut self,
        name: &str,
        evidence: BTreeMap<String, serde_json::Value>,
    ) -> &mut StepRecord {
        let now = now_rfc3339();
        let step = self.ensure_step(name);
        step.status = StepStatus::Done;
        step.finished_at = Some(now);
        step.error = None;
        step.evidence.extend(evidence);
        self.record(Some(name), "step-done", format!("step `{name}` done"));
        self.ensure_step(name)
    }

    /// Records `name` as failed with `error` (never key material).
    pub fn mark_failed(&mut self, name: &str, error: impl Into<String>) -> &mut StepRecord {
        let now = now_rfc3339();
        let error = error.into();
        let step = self.ensure_step(name);
        step.status = StepStatus::Failed;
        step.finished_at = Some(now);
        step.error = Some(error.clone());
        self.record(Some(name), "step-failed", error);
        self.ensure_step(name)
    }

    /// Records `name` as skipped; the reason goes to the evidence (`reason`) and the
    /// journal.
    pub fn mark_skipped(&mut self, name: &str, reason: impl Into<String>) -> &mut StepRecord {
        let now = now_rfc3339();
        let reason = reason.into();
        let step = self.ensure_step(name);
        step.status = StepStatus::Skipped;
        step.finished_at = Some(now);
        step.error = None;
        step.evidence.insert(
            "reason".to_string(),
            serde_json::Value::from(reason.clone()),
        );
        self.record(Some(name), "step-skipped", reason);
        self.ensure_step(name)
    }

    /// Appends a journal entry stamped now and with the current serial.
    pub fn record(
        &mut self,
        step: Option<&str>,
        event: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.journal.push(JournalEntry {
            at: now_rfc3339(),
            serial: self.serial,
            step: step.map(str::to_string),
            event: event.into(),
            message: message.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            namespace: "shop".into(),
            ingress: "web".into(),
            project: Some("acme-prod".into()),
            context: None,
        }
    }

    #[test]
    fn rotation_ids_have_the_documented_shape() {
        let id = new_rotation_id();
        // rot-20261127T030412Z-7f3a9c
        assert_eq!(id.len(), 27, "{id}");
        assert!(id.starts_with("rot-"), "{id}");
        assert_eq!(&id[12..13], "T", "{id}");
        assert_eq!(&id[19..21], "Z-", "{id}");
        assert!(id[21..].chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert_ne!(new_rotation_id(), new_rotation_id());
    }

    #[test]
    fn new_document_is_schema_1_serial_0_with_a_creation_entry() {
        let doc = Document::new(target(), ());
        assert_eq!(doc.schema, SCHEMA);
        assert_eq!(doc.serial, 0);
        assert_eq!(doc.tool_version, TOOL_VERSION);
        assert_eq!(doc.created_at, doc.updated_at);
        assert!(doc.steps.is_empty());
        assert_eq!(doc.journal.len(), 1);
        assert_eq!(doc.journal[0].event, "rotation-created");
        assert!(doc.journal[0].message.contains("`shop/web`"));
    }

    #[test]
    fn step_verbs_track_status_attempts_and_journal() {
        let mut doc = Document::new(target(), ());
        assert!(doc.step("create-secret").is_none());
        doc.ensure_step("create-secret");
        doc.ensure_step("create-secret");
        assert_eq!(doc.steps.len(), 1);
        assert_eq!(doc.steps[0].status, StepStatus::Pending);

        doc.mark_started("create-secret");
        doc.mark_failed("create-secret", "quota exceeded");
        let step = doc.step("create-secret").unwrap();
        assert_eq!(step.status, StepStatus::Failed);
        assert_eq!(step.error.as_deref(), Some("quota exceeded"));

        doc.mark_started("create-secret");
        let mut first = BTreeMap::new();
        first.insert("secret".to_string(), serde_json::json!("web-tls-green"));
        doc.step_mut("create-secret")
            .unwrap()
            .evidence
            .extend(first);
        let mut evidence = BTreeMap::new();
        evidence.insert("fingerprint".to_string(), serde_json::json!("sha256:ab"));
        let step = doc.mark_done("create-secret", evidence);
        assert_eq!(step.status, StepStatus::Done);
        assert_eq!(step.attempts, 2);
        assert!(step.error.is_none());
        assert_eq!(step.evidence.len(), 2, "evidence is merged");
        assert!(step.status.is_finished());

        doc.mark_skipped("await-drain", "no traffic on blue");
        let skipped = doc.step("await-drain").unwrap();
        assert_eq!(skipped.status, StepStatus::Skipped);
        assert_eq!(skipped.evidence["reason"], "no traffic on blue");
        assert_eq!(skipped.attempts, 0);

        let events: Vec<&str> = doc.journal.iter().map(|e| e.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "rotation-created",
                "step-started",
                "step-failed",
                "step-started",
                "step-done",
                "step-skipped"
            ]
        );
        assert_eq!(doc.journal[2].message, "quota exceeded");
        assert_eq!(doc.journal[1].step.as_deref(), Some("create-secret"));
    }

    #[test]
    fn statuses_are_lowercase_in_json() {
        let json = serde_json::to_string(&StepStatus::Skipped).unwrap();
        assert_eq!(json, "\"skipped\"");
        let back: StepStatus = serde_json::from_str("\"started\"").unwrap();
        assert_eq!(back, StepStatus::Started);
        assert_eq!(StepStatus::Done.to_string(), "done");
    }

    #[test]
    fn serialises_fields_in_declared_order_and_maps_sorted() {
        let mut doc = Document::new(target(), serde_json::json!({}));
        let mut evidence = BTreeMap::new();
        evidence.insert("zone".to_string(), serde_json::json!("z"));
        evidence.insert("address".to_string(), serde_json::json!("10.0.0.1"));
        doc.mark_done("reserve-ip", evidence);
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let schema = text.find("\"schema\"").unwrap();
        let rotation_id = text.find("\"rotation_id\"").unwrap();
        let journal = text.find("\"journal\"").unwrap();
        assert!(schema < rotation_id && rotation_id < journal, "{text}");
        assert!(text.find("\"address\"").unwrap() < text.find("\"zone\"").unwrap());
        assert!(text.contains("\"status\": \"done\""), "{text}");
    }
}
