//! The step runner: observe → record `started` → act → wait → record `done`, saving the
//! state file at each boundary, with a retry budget for retryable errors, per-step
//! deadlines and Ctrl-C handling.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::hooks;
use super::record::Rotation;
use super::report::{Event, Reporter};
use crate::gcp::Gcp;
use crate::k8s::K8s;
use crate::state::{Document, FileStore, StateStore, StepStatus};
use crate::steps::{Check, Cx, Kind};
use crate::tls::Prober;

/// The adapters a rotation talks to the world through.
#[derive(Debug, Clone)]
pub struct Env {
    /// Kubernetes.
    pub k8s: K8s,
    /// Compute, Cloud DNS, Monitoring.
    pub gcp: Gcp,
    /// TLS probes.
    pub prober: Prober,
}

/// Why a run stopped before finishing its steps.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Ctrl-C / SIGTERM: the state is saved; `resume` continues.
    #[error("interrupted during `{step}`")]
    Interrupted {
        /// The step that was running.
        step: String,
    },
    /// A step failed; the state is saved; `resume` retries it or `rollback` undoes.
    #[error("step `{step}` failed: {error:#}")]
    Failed {
        /// The step.
        step: String,
        /// What went wrong.
        error: anyhow::Error,
    },
    /// The world is not what the rotation expects (drift): nothing unsafe was done.
    #[error("step `{step}` refused: {reason}")]
    Refused {
        /// The step.
        step: String,
        /// Why.
        reason: String,
    },
    /// The state file could not be saved.
    #[error("cannot save the state file: {0}")]
    Store(#[from] crate::state::StoreError),
}

/// Runs steps against one state document.
pub struct Engine<'a> {
    /// Adapters.
    pub env: &'a Env,
    /// Progress sink.
    pub reporter: &'a dyn Reporter,
    /// Where the document is saved.
    pub store: &'a FileStore,
    /// The rotation's state.
    pub doc: &'a mut Document<Rotation>,
    /// Turns true on Ctrl-C / SIGTERM.
    pub interrupt: watch::Receiver<bool>,
}

/// How long the engine keeps retrying retryable errors inside one step.
const RETRY_BUDGET: Duration = Duration::from_secs(120);

impl Engine<'_> {
    fn save(&mut self) -> Result<(), RunError> {
        self.store.save(self.doc)?;
        Ok(())
    }

    /// Runs `steps` in order; returns when all are done (or skipped).
    pub async fn run(&mut self, steps: &[Kind]) -> Result<(), RunError> {
        for kind in steps {
            self.run_step(*kind).await?;
        }
        Ok(())
    }

    async fn run_step(&mut self, kind: Kind) -> Result<(), RunError> {
        let name = kind.name();
        let status = self.doc.step(name).map(|s| s.status);
        if matches!(status, Some(StepStatus::Done) | Some(StepStatus::Skipped)) {
            return Ok(());
        }
        if let Some(reason) = kind.skip_reason(&self.doc.rotation) {
            self.doc.mark_skipped(name, reason.clone());
            self.save()?;
            self.reporter.report(Event::StepSkipped {
                step: name.into(),
                reason,
            });
            return Ok(());
        }
        let rec = self.doc.ensure_step(name);
        if rec.started_at.is_none() {
            rec.started_at = Some(crate::util::time::now_rfc3339_millis());
        }
        self.reporter.report(Event::StepStarted {
            step: name.into(),
            title: kind.title(&self.doc.rotation),
        });
        let started = Instant::now();
        let deadline = started + kind.deadline(&self.doc.rotation.settings);
        let mut interrupt = self.interrupt.clone();
        // A signal that arrived between two steps stops the run here, recorded like one
        // that arrives during a step.
        let outcome = if *interrupt.borrow() {
            Err(RunError::Interrupted { step: name.into() })
        } else {
            tokio::select! {
                r = self.drive(kind, deadline) => r,
                _ = wait_true(&mut interrupt) => Err(RunError::Interrupted { step: name.into() }),
            }
        };
        match outcome {
            Ok(evidence) => {
                let elapsed = started.elapsed();
                let summary = kind.summary(&self.doc.rotation, &evidence);
                self.doc.mark_done(name, evidence.clone());
                self.save()?;
                self.reporter.report(Event::StepDone {
                    step: name.into(),
                    summary,
                    elapsed_secs: elapsed.as_secs_f64(),
                    evidence,
                });
                hooks::point(name, "after-done");
                Ok(())
            }
            Err(RunError::Interrupted { step }) => {
                self.doc.record(
                    Some(name),
                    "interrupted",
                    "interrupted by a signal; resume continues here",
                );
                self.save()?;
                Err(RunError::Interrupted { step })
            }
            Err(RunError::Failed { step, error }) => {
                self.doc.mark_failed(name, format!("{error:#}"));
                self.save()?;
                self.reporter.report(Event::StepFailed {
                    step: name.into(),
                    error: format!("{error:#}"),
                });
                Err(RunError::Failed { step, error })
            }
            Err(RunError::Refused { step, reason }) => {
                self.doc.mark_failed(name, reason.clone());
                self.save()?;
                self.reporter.report(Event::StepFailed {
                    step: name.into(),
                    error: reason.clone(),
                });
                Err(RunError::Refused { step, reason })
            }
            Err(e) => Err(e),
        }
    }

    /// Check → act → wait for one step, retrying retryable errors inside the budget.
    async fn drive(
        &mut self,
        kind: Kind,
        deadline: Instant,
    ) -> Result<crate::steps::Evidence, RunError> {
        let name = kind.name();
        // The budget covers a streak of failures: it starts at the first error, and a new
        // streak starts when a failed attempt had been running longer than the budget
        // (it was waiting, making progress, when the error came).
        let mut streak: Option<Instant> = None;
        let mut attempt = 0u32;
        loop {
            let began = Instant::now();
            let result = self.attempt(kind, deadline).await;
            let now = Instant::now();
            if matches!(&result, Err(RunError::Failed { .. }))
                && (streak.is_none() || now.duration_since(began) >= RETRY_BUDGET)
            {
                streak = Some(now);
                attempt = 0;
            }
            let budget_end = streak.map_or(now, |s| s + RETRY_BUDGET);
            match result {
                Err(RunError::Failed { step, error })
                    if crate::steps::retryable(&error) && now < budget_end.min(deadline) =>
                {
                    attempt += 1;
                    let delay = backoff(attempt);
                    self.reporter.report(Event::Warning {
                        message: format!(
                            "`{step}`: {error:#}; retrying in {}",
                            crate::util::duration::format_duration(delay)
                        ),
                    });
                    self.doc.record(Some(name), "retry", format!("{error:#}"));
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    async fn attempt(
        &mut self,
        kind: Kind,
        deadline: Instant,
    ) -> Result<crate::steps::Evidence, RunError> {
        let name = kind.name();
        let failed = |error: anyhow::Error| RunError::Failed {
            step: name.into(),
            error,
        };
        let mut rotation = self.doc.rotation.clone();
        let steps = self.doc.steps.clone();
        let check = {
            let mut cx = Cx::new(self.env, &mut rotation, &steps, self.reporter, deadline);
            kind.check(&mut cx).await.map_err(failed)?
        };
        match check {
            Check::Done(ev) => {
                self.doc.rotation = rotation;
                Ok(ev)
            }
            Check::Blocked(reason) => Err(RunError::Refused {
                step: name.into(),
                reason,
            }),
            Check::Pending(_) => self.wait(kind, rotation, deadline).await,
            Check::NeedsAct => {
                self.doc.mark_started(name);
                self.doc.rotation = rotation.clone();
                self.save()?;
                hooks::point(name, "before-act");
                let acted = {
                    let mut cx = Cx::new(self.env, &mut rotation, &steps, self.reporter, deadline);
                    kind.act(&mut cx).await
                };
                if let Err(error) = acted {
                    // What the act learned before failing (a used idempotency key, a
                    // change id) is kept for the next attempt and saved with the failure.
                    self.doc.rotation = rotation;
                    return Err(failed(error));
                }
                hooks::point(name, "after-act");
                self.doc.rotation = rotation.clone();
                self.save()?;
                self.wait(kind, rotation, deadline).await
            }
        }
    }

    async fn wait(
        &mut self,
        kind: Kind,
        mut rotation: Rotation,
        deadline: Instant,
    ) -> Result<crate::steps::Evidence, RunError> {
        let name = kind.name();
        let steps = self.doc.steps.clone();
        let result = {
            let mut cx = Cx::new(self.env, &mut rotation, &steps, self.reporter, deadline);
            kind.wait(&mut cx).await
        };
        self.doc.rotation = rotation;
        match result {
            Ok(Check::Done(ev)) => Ok(ev),
            Ok(Check::Blocked(reason)) => Err(RunError::Refused {
                step: name.into(),
                reason,
            }),
            Ok(other) => Err(RunError::Failed {
                step: name.into(),
                error: anyhow::anyhow!("the wait ended without an outcome ({other:?})"),
            }),
            Err(error) => Err(RunError::Failed {
                step: name.into(),
                error,
            }),
        }
    }
}

async fn wait_true(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s … capped at 15 s.
fn backoff(attempt: u32) -> Duration {
    let cap = Duration::from_millis(500) * 2u32.saturating_pow(attempt.saturating_sub(1).min(5));
    let cap = cap.min(Duration::from_secs(15));
    cap.mul_f64(0.5 + rand::random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        for attempt in 1..20 {
            let d = backoff(attempt);
            assert!(d <= Duration::from_secs(15));
            assert!(d >= Duration::from_millis(250));
        }
        assert!(backoff(10) >= Duration::from_millis(7500));
    }
}
