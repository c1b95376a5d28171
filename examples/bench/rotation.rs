//! One `rotate-cert rotate --yes` as a user runs it: the real binary, its own state file,
//! against a sandbox, timed from spawn to exit; then its per-step record read back with
//! `rotate-cert status --state F --output json --offline`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Instant, SystemTime};

use anyhow::{Context, bail};
use rotate_cert::util::time::parse_rfc3339;
use serde_json::Value;

use super::sandbox::Sandbox;

/// One recorded step.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    /// Its name.
    pub name: String,
    /// `done`, `skipped`, …
    pub status: String,
    /// Seconds it took (None when skipped).
    pub seconds: Option<f64>,
    /// When it started.
    #[serde(skip)]
    pub started: Option<SystemTime>,
    /// When it finished.
    #[serde(skip)]
    pub finished: Option<SystemTime>,
}

/// A finished rotation.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// Spawn to exit, seconds.
    pub wall: f64,
    /// When it was spawned.
    pub spawned: SystemTime,
    /// Whether it exited 0.
    pub ok: bool,
    /// Its steps, in order.
    pub steps: Vec<Step>,
    /// Its log (stderr), for failures.
    pub log: PathBuf,
}

impl Rotation {
    /// A step by name.
    pub fn step(&self, name: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.name == name)
    }

    /// Seconds of the named steps, summed.
    pub fn seconds(&self, names: &[&str]) -> f64 {
        names.iter().filter_map(|n| self.step(n)?.seconds).sum()
    }

    /// From spawn to the first step's start: process start-up, credentials, `plan`.
    pub fn startup_and_plan(&self) -> f64 {
        self.steps
            .iter()
            .filter_map(|s| s.started)
            .min()
            .and_then(|t| t.duration_since(self.spawned).ok())
            .map_or(0.0, |d| d.as_secs_f64())
    }
}

/// A started `rotate` process.
pub struct Running {
    child: Child,
    started: Instant,
    spawned: SystemTime,
    state: PathBuf,
    log: PathBuf,
}

/// Spawns `bin rotate --ingress ING --cert C --key K --yes --state S` (log next to S).
pub fn spawn(
    sbx: &Sandbox,
    bin: &Path,
    ingress: &str,
    cert: &Path,
    key: &Path,
    state: &Path,
) -> anyhow::Result<Running> {
    let log = state.with_extension("log");
    let mut cmd = sbx.command(bin);
    cmd.args(["rotate", "--yes", "--ingress", ingress, "--cert"])
        .arg(cert)
        .arg("--key")
        .arg(key)
        .arg("--state")
        .arg(state)
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log)?);
    let spawned = SystemTime::now();
    let started = Instant::now();
    let child = cmd.spawn().context("cannot start `rotate-cert rotate`")?;
    Ok(Running {
        child,
        started,
        spawned,
        state: state.to_path_buf(),
        log,
    })
}

/// An exited `rotate` process.
pub struct Exited {
    /// When it exited.
    pub ended: Instant,
    wall: f64,
    ok: bool,
    spawned: SystemTime,
    state: PathBuf,
    log: PathBuf,
}

impl Running {
    /// Waits for exit.
    pub fn wait(mut self) -> anyhow::Result<Exited> {
        let status = self.child.wait()?;
        let ended = Instant::now();
        Ok(Exited {
            ended,
            wall: (ended - self.started).as_secs_f64(),
            ok: status.success(),
            spawned: self.spawned,
            state: self.state,
            log: self.log,
        })
    }
}

impl Exited {
    /// Reads the state file back.
    pub fn read(self, sbx: &Sandbox, bin: &Path) -> anyhow::Result<Rotation> {
        let steps = if self.state.exists() {
            read_steps(sbx, bin, &self.state)?
        } else {
            Vec::new()
        };
        Ok(Rotation {
            wall: self.wall,
            spawned: self.spawned,
            ok: self.ok,
            steps,
            log: self.log,
        })
    }
}

/// Rotates and waits; fails with the log when the rotation failed.
pub fn rotate(
    sbx: &Sandbox,
    bin: &Path,
    ingress: &str,
    cert: &Path,
    key: &Path,
    state: &Path,
) -> anyhow::Result<Rotation> {
    let r = spawn(sbx, bin, ingress, cert, key, state)?
        .wait()?
        .read(sbx, bin)?;
    if !r.ok {
        bail!(
            "`rotate-cert rotate` failed:\n{}",
            fs::read_to_string(&r.log).unwrap_or_default()
        );
    }
    Ok(r)
}

fn read_steps(sbx: &Sandbox, bin: &Path, state: &Path) -> anyhow::Result<Vec<Step>> {
    let out = sbx
        .command(bin)
        .args(["status", "--offline", "--output", "json", "--state"])
        .arg(state)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let status: Value = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "status")
        .with_context(|| {
            format!(
                "`rotate-cert status` printed no status: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let time = |v: &Value| v.as_str().and_then(parse_rfc3339);
    Ok(status["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| Step {
            name: s["step"].as_str().unwrap_or_default().to_string(),
            status: s["status"].as_str().unwrap_or_default().to_string(),
            seconds: s["seconds"].as_f64(),
            started: time(&s["started_at"]),
            finished: time(&s["finished_at"]),
        })
        .collect())
}
