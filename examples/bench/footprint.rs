//! Start-up and footprint: wall time and peak RSS of short commands, median of several
//! runs.
//!
//! Peak RSS is measured honestly by re-running the bench binary in a "measure one
//! command" mode (`bench --measure-one -- CMD ARGS…`): that process spawns the command,
//! waits for it, and reads `getrusage(RUSAGE_CHILDREN).ru_maxrss` — the kernel's
//! high-water mark of the resident set of the children it waited for, i.e. of exactly
//! that one command, up to its exit. (Sampling `/proc/<pid>/status` from outside would
//! miss whatever happens between the last sample and exit; `RUSAGE_CHILDREN` of the
//! bench itself would include the sandbox and every earlier child.)

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::{Value, json};

use super::sandbox::Sandbox;

/// The `--measure-one` mode: runs `cmd`, prints `{"wall_s", "maxrss_kb", "code"}`.
pub fn measure_one(cmd: &[String]) -> anyhow::Result<()> {
    let (program, args) = cmd.split_first().context("--measure-one needs a command")?;
    let started = Instant::now();
    let status = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .with_context(|| format!("cannot run {program}"))?;
    let wall = started.elapsed().as_secs_f64();
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN)?;
    // Linux reports ru_maxrss in kilobytes.
    println!(
        "{}",
        json!({"wall_s": wall, "maxrss_kb": usage.max_rss(), "code": status.code()})
    );
    Ok(())
}

/// Medians of one command.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Footprint {
    /// What was run.
    pub command: String,
    /// Runs measured.
    pub runs: usize,
    /// Median wall time, milliseconds.
    pub wall_ms: f64,
    /// Fastest and slowest run, milliseconds.
    pub wall_ms_range: (f64, f64),
    /// Median peak RSS, MB (10^6 bytes).
    pub peak_rss_mb: f64,
    /// Exit code of the runs.
    pub code: Option<i32>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Runs `bin ARGS` `runs` times (after one unmeasured warm-up) through `--measure-one`,
/// with the sandbox's environment.
pub fn measure(
    sbx: &Sandbox,
    bench: &Path,
    bin: &Path,
    label: &str,
    args: &[String],
    runs: usize,
) -> anyhow::Result<Footprint> {
    let mut walls = Vec::new();
    let mut rss = Vec::new();
    let mut code = None;
    for i in 0..=runs {
        let out = sbx
            .command(bench)
            .arg("--measure-one")
            .arg("--")
            .arg(bin)
            .args(args)
            .output()
            .context("cannot run the bench in --measure-one mode")?;
        let v: Value = serde_json::from_slice(&out.stdout).with_context(|| {
            format!(
                "--measure-one printed no result: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
        code = v["code"].as_i64().map(|c| c as i32);
        if i == 0 {
            continue;
        }
        walls.push(v["wall_s"].as_f64().unwrap_or(f64::NAN) * 1000.0);
        rss.push(v["maxrss_kb"].as_f64().unwrap_or(f64::NAN) * 1024.0 / 1e6);
    }
    if code != Some(0) {
        bail!("`rotate-cert {label}` exited with {code:?}");
    }
    let min = walls.iter().copied().fold(f64::INFINITY, f64::min);
    let max = walls.iter().copied().fold(0.0, f64::max);
    Ok(Footprint {
        command: label.to_string(),
        runs,
        wall_ms: median(walls),
        wall_ms_range: (min, max),
        peak_rss_mb: median(rss),
        code,
    })
}
