//! Showing a running rotation: [`Human`] draws one line per step and an indicatif spinner
//! with the reason and time left on every wait (only on a terminal, never with
//! `--quiet` or `NO_COLOR`); [`Json`] writes one JSON event per line on stdout.

use std::io::Write;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::Printer;
use crate::util::duration::format_duration;
use crate::util::time::now_rfc3339_millis as now_rfc3339;
use crate::workflow::report::{Event, Reporter};

/// People: step lines on stderr and a spinner while waiting.
pub struct Human {
    printer: Printer,
    spinner: Mutex<Option<ProgressBar>>,
}

impl Human {
    /// A reporter for `printer`'s settings.
    pub fn new(printer: &Printer) -> Human {
        Human {
            printer: printer.clone(),
            spinner: Mutex::new(None),
        }
    }

    fn spinner(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.spinner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn finish_spinner(&self) {
        if let Some(pb) = self.spinner().take() {
            pb.finish_and_clear();
        }
    }
}

fn secs(s: Option<f64>) -> Option<Duration> {
    s.filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

impl Reporter for Human {
    fn report(&self, event: Event) {
        match event {
            Event::StepStarted { step, title } => {
                self.finish_spinner();
                if self.printer.progress_enabled() {
                    let pb = ProgressBar::new_spinner();
                    pb.set_style(
                        ProgressStyle::with_template("{spinner} {prefix:.bold} {wide_msg}")
                            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    );
                    pb.set_prefix(step);
                    pb.set_message(title);
                    pb.enable_steady_tick(Duration::from_millis(120));
                    *self.spinner() = Some(pb);
                } else if self.printer.verbose > 0 {
                    self.printer.note(format!("  … {step}: {title}"));
                }
            }
            Event::Progress {
                step,
                message,
                deadline_secs,
                expected_secs,
            } => {
                let mut text = message.clone();
                if let Some(e) = secs(expected_secs) {
                    text.push_str(&format!(" · ~{} left", format_duration(e)));
                }
                if let Some(d) = secs(deadline_secs) {
                    text.push_str(&format!(" · gives up in {}", format_duration(d)));
                }
                let guard = self.spinner();
                match guard.as_ref() {
                    Some(pb) => pb.set_message(text),
                    None => {
                        if self.printer.verbose > 1 {
                            self.printer.note(format!("    {step}: {text}"));
                        }
                    }
                }
            }
            Event::StepDone {
                step,
                summary,
                elapsed_secs,
                ..
            } => {
                self.finish_spinner();
                self.printer.note(format!(
                    "✓ {step:<22} {summary} ({})",
                    format_duration(Duration::from_secs_f64(elapsed_secs.max(0.0)))
                ));
            }
            Event::StepSkipped { step, reason } => {
                self.finish_spinner();
                self.printer.note(format!("- {step:<22} skipped: {reason}"));
            }
            Event::StepFailed { step, error } => {
                self.finish_spinner();
                self.printer.note(format!("✗ {step:<22} {error}"));
            }
            // Warnings show even with `--quiet`, like every other warning.
            Event::Warning { message } => {
                let guard = self.spinner();
                match guard.as_ref() {
                    Some(pb) => pb.println(format!("warning: {message}")),
                    None => self.printer.warn(message),
                }
            }
        }
    }
}

impl Drop for Human {
    fn drop(&mut self) {
        self.finish_spinner();
    }
}

/// Machines: one JSON object per event per line on stdout, with a timestamp.
#[derive(Debug, Default)]
pub struct Json;

impl Reporter for Json {
    fn report(&self, event: Event) {
        let mut value = serde_json::to_value(&event).unwrap_or_default();
        if let Some(o) = value.as_object_mut() {
            o.insert("ts".into(), serde_json::Value::String(now_rfc3339()));
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{value}");
        let _ = out.flush();
    }
}
