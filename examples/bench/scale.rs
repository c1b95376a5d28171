//! Scale: N Ingresses seeded into a fresh sandbox (`POST /sandbox/v1/seed`) and rotated
//! all at once, one `rotate-cert rotate --yes` process each with its own state file and
//! its own renewed certificate and key (written from the seed answer into a private
//! temporary directory, keys mode 0600, removed afterwards).

use std::fs;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use super::bound;
use super::rotation;
use super::sandbox::{ProcUsage, Sandbox, write_private};

/// The outcome at one N.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScaleRun {
    /// Ingresses rotated in parallel.
    pub n: usize,
    /// First spawn to last exit, seconds.
    pub wall: f64,
    /// Rotations that did not exit 0.
    pub failures: usize,
    /// Mean of each rotation's wall time over its own exact lower bound.
    pub mean_overhead: f64,
    /// API requests in all, per rotation.
    pub requests_per_rotation: f64,
    /// The sandbox process at the end (CPU time, peak RSS).
    pub sandbox: ProcUsage,
    /// The sandbox's CPU time spent during the rotations alone, seconds.
    pub sandbox_cpu_during: f64,
    /// Each phase's time and bound, averaged over the successful rotations.
    pub mean_phases: Vec<bound::Phase>,
}

/// Seeds `n` sites into `sbx` and rotates them in parallel.
pub fn run(sbx: &Sandbox, bin: &Path, work: &Path, n: usize) -> anyhow::Result<ScaleRun> {
    let sites = sbx.seed(n).context("seeding")?;
    let keys = work.join("keys");
    fs::create_dir_all(&keys)?;
    let mut files = Vec::new();
    for (i, site) in sites.iter().enumerate() {
        let cert = keys.join(format!("site-{i}.pem"));
        let key = keys.join(format!("site-{i}.key"));
        fs::write(&cert, &site.renewed_cert)?;
        write_private(&key, site.renewed_key.as_bytes())?;
        files.push((
            site.ingress.clone(),
            cert,
            key,
            work.join(format!("site-{i}.state.json")),
        ));
    }
    sbx.reset_stats()?;
    let cpu_before = sbx.usage()?.cpu_secs;
    let started = Instant::now();
    let running: Vec<_> = files
        .iter()
        .map(|(ing, cert, key, state)| rotation::spawn(sbx, bin, ing, cert, key, state))
        .collect::<anyhow::Result<_>>()?;
    let exited: Vec<_> = running
        .into_iter()
        .map(rotation::Running::wait)
        .collect::<anyhow::Result<_>>()?;
    let last = exited.iter().map(|e| e.ended).max().unwrap_or(started);
    let wall = (last - started).as_secs_f64();
    let usage = sbx.usage()?;
    let stats = sbx.stats()?;
    let done: Vec<_> = exited.into_iter().map(|e| e.read(sbx, bin)).collect();
    let _ = fs::remove_dir_all(&keys);
    let mut failures = 0;
    let mut ratios = Vec::new();
    let mut phases: Vec<bound::Phase> = Vec::new();
    for r in done {
        match r {
            Ok(r) if r.ok => {
                if let Some(b) = bound::exact(&sbx.timing, &r) {
                    ratios.push(r.wall / b);
                }
                let these = bound::attribute(&sbx.timing, &r);
                if phases.is_empty() {
                    phases = these;
                } else {
                    for (sum, p) in phases.iter_mut().zip(these) {
                        sum.measured += p.measured;
                        sum.bound += p.bound;
                    }
                }
            }
            Ok(r) => {
                failures += 1;
                eprintln!(
                    "bench: a rotation failed at N={n}:\n{}",
                    fs::read_to_string(&r.log).unwrap_or_default()
                );
            }
            Err(e) => {
                failures += 1;
                eprintln!("bench: a rotation failed at N={n}: {e:#}");
            }
        }
    }
    let ok = ratios.len().max(1) as f64;
    for p in &mut phases {
        p.measured /= ok;
        p.bound /= ok;
    }
    Ok(ScaleRun {
        n,
        wall,
        failures,
        mean_overhead: ratios.iter().sum::<f64>() / ok,
        requests_per_rotation: stats.total() as f64 / n as f64,
        sandbox: usage,
        sandbox_cpu_during: usage.cpu_secs - cpu_before,
        mean_phases: phases,
    })
}
