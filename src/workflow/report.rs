//! Progress events from the engine to whoever shows them (the CLI implements
//! [`Reporter`] with indicatif for people and JSON lines for machines).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

/// Something worth telling the user while a rotation runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// A step begins (or resumes).
    StepStarted {
        /// Step name.
        step: String,
        /// What it does, for people.
        title: String,
    },
    /// A wait is in progress.
    Progress {
        /// Step name.
        step: String,
        /// What is being waited for and where it stands.
        message: String,
        /// Seconds until the step's deadline.
        #[serde(skip_serializing_if = "Option::is_none")]
        deadline_secs: Option<f64>,
        /// Seconds still expected at least, when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        expected_secs: Option<f64>,
    },
    /// A step is done.
    StepDone {
        /// Step name.
        step: String,
        /// One line for people.
        summary: String,
        /// How long the step took in this run.
        elapsed_secs: f64,
        /// What proves it.
        evidence: BTreeMap<String, Value>,
    },
    /// A step does not apply.
    StepSkipped {
        /// Step name.
        step: String,
        /// Why.
        reason: String,
    },
    /// A step failed.
    StepFailed {
        /// Step name.
        step: String,
        /// The error.
        error: String,
    },
    /// A warning.
    Warning {
        /// The warning.
        message: String,
    },
}

/// Receives progress events.
pub trait Reporter: Send + Sync {
    /// Handles one event.
    fn report(&self, event: Event);
}

/// Discards every event.
#[derive(Debug, Default)]
pub struct Silent;

impl Reporter for Silent {
    fn report(&self, _event: Event) {}
}

/// Builds a progress event.
pub fn progress(
    step: &str,
    message: impl Into<String>,
    deadline: Option<Duration>,
    expected: Option<Duration>,
) -> Event {
    Event::Progress {
        step: step.to_string(),
        message: message.into(),
        deadline_secs: deadline.map(|d| d.as_secs_f64()),
        expected_secs: expected.map(|d| d.as_secs_f64()),
    }
}
