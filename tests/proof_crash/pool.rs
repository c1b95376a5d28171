//! The crash suites' pool: runs many scenes (`scene.rs`) concurrently, each with its own
//! sandbox, and reports every one (a failure names its scene and the RNG seed); and the
//! tools of the random-kill suites: timing a run phase by phase, drawing kill moments
//! spread over it, and killing a run with SIGKILL at such a moment.
#![allow(dead_code)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rand::Rng;
use rand::rngs::StdRng;
use rotate_cert::util::time::parse_rfc3339;

use crate::scene::Scene;
use crate::support::cli::Run;

/// How many scenes run at once. Each one mostly waits on the sandbox's simulated delays
/// (a rotation costs the client well under a tenth of a second of CPU), so two cores
/// carry many.
pub const CONCURRENCY: usize = 10;

/// When each phase of an uninterrupted run began, from the start of the process:
/// `planning` (everything before the first step) at zero, then every step of the run at its
/// `started_at`; and when the process ended.
pub struct Timeline {
    /// `(phase, when it began)`, in order.
    pub phases: Vec<(String, Duration)>,
    /// How long the whole run took.
    pub total: Duration,
}

impl Timeline {
    /// The phases as `(name, from, to)`.
    pub fn windows(&self) -> Vec<(String, Duration, Duration)> {
        let mut out = Vec::new();
        for (i, (name, from)) in self.phases.iter().enumerate() {
            let to = self.phases.get(i + 1).map_or(self.total, |p| p.1);
            out.push((name.clone(), *from, to.max(*from)));
        }
        out
    }
}

/// Runs `args` to success and times its phases: the steps of `steps` that started.
pub async fn timed(scene: &Scene, args: &[String], steps: &[&str]) -> Timeline {
    let (start, wall) = (Instant::now(), SystemTime::now());
    scene.run_ok(args).await;
    let total = start.elapsed();
    let doc = scene.doc().expect("a state file");
    let mut phases = vec![("planning".to_string(), Duration::ZERO)];
    for step in doc["steps"].as_array().unwrap() {
        let name = step["name"].as_str().unwrap();
        if let Some(at) = step["started_at"].as_str().and_then(parse_rfc3339)
            && steps.contains(&name)
        {
            let offset = at.duration_since(wall).unwrap_or_default();
            phases.push((name.to_string(), offset));
        }
    }
    phases.sort_by_key(|p| p.1);
    Timeline { phases, total }
}

/// `n` kill moments: at least one in each phase of `t`, the rest spread in proportion to
/// the phases' lengths, each uniformly random within its phase. Returns (phase, how long
/// after the phase began).
pub fn kill_times(t: &Timeline, n: usize, rng: &mut StdRng) -> Vec<(String, Duration)> {
    let windows = t.windows();
    let mut counts = vec![1usize; windows.len()];
    let spare = n.saturating_sub(windows.len());
    let total = t.total.as_secs_f64().max(1e-9);
    let mut shares: Vec<(f64, usize)> = windows
        .iter()
        .enumerate()
        .map(|(i, (_, a, b))| (spare as f64 * (*b - *a).as_secs_f64() / total, i))
        .collect();
    for (share, i) in &shares {
        counts[*i] += share.floor() as usize;
    }
    shares.sort_by(|a, b| (b.0.fract()).total_cmp(&a.0.fract()));
    let given: usize = counts.iter().sum();
    for (_, i) in shares.iter().take(n.saturating_sub(given)) {
        counts[*i] += 1;
    }
    let mut out = Vec::new();
    for ((name, a, b), count) in windows.iter().zip(counts) {
        for _ in 0..count {
            out.push((name.clone(), (*b - *a).mul_f64(rng.random::<f64>())));
        }
    }
    out
}

/// Runs `args` and kills it with SIGKILL `delay` after it started (if it still runs);
/// returns the run and when the kill was really sent.
pub async fn killed_after(scene: &Scene, args: &[String], delay: Duration) -> (Run, Duration) {
    killed_in_phase(scene, args, &[], "planning", delay).await
}

/// Runs `args`, waits until the run reaches `phase` of `steps`, then `delay` more, and
/// kills it with SIGKILL if it still runs; returns the run and when (after its start)
/// the kill was sent. A phase begins, by the state file, when every step before it in
/// `steps` is done or skipped and the run has written its own record (a rotation: the
/// state file exists; a rollback: it is marked as rolling back); `planning` begins at
/// once. Timing a kill from its phase's real start keeps it in that phase however fast
/// or slow this run is.
pub async fn killed_in_phase(
    scene: &Scene,
    args: &[String],
    steps: &[&str],
    phase: &str,
    delay: Duration,
) -> (Run, Duration) {
    let mut child = scene.sb.spawn(args, &[]);
    let start = Instant::now();
    let rollback = args.first().is_some_and(|a| a == "rollback");
    if let Some(index) = steps.iter().position(|s| *s == phase) {
        loop {
            let begun = scene.doc().is_some_and(|d| {
                (!rollback || d["rotation"]["rolling_back"] == true)
                    && steps[..index].iter().all(|s| {
                        let st = scene_step(&d, s);
                        st == "done" || st == "skipped"
                    })
            });
            if begun || child.try_wait().expect("try_wait").is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    tokio::time::sleep(delay).await;
    let at = start.elapsed();
    let _ = child.start_kill();
    let out = child
        .wait_with_output()
        .await
        .expect("wait for rotate-cert");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    (run, at)
}

/// The status of `step` in a state document (empty when it is not there).
fn scene_step(doc: &serde_json::Value, step: &str) -> String {
    doc["steps"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["name"] == step))
        .and_then(|s| s["status"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// A scene's work: by default a one-line outcome for the report.
pub type Job<T = String> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Runs `jobs` (label, work) at most [`CONCURRENCY`] at a time; returns each label with
/// its outcome, or the panic message of a failed one, in the order given.
pub async fn run_all<T: Send + 'static>(
    jobs: Vec<(String, Job<T>)>,
) -> Vec<(String, Result<T, String>)> {
    let gate = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut handles = Vec::new();
    for (label, job) in jobs {
        let gate = gate.clone();
        handles.push((
            label,
            tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.expect("the pool is open");
                job.await
            }),
        ));
    }
    let mut out = Vec::new();
    for (label, handle) in handles {
        let result = handle.await.map_err(|e| match e.try_into_panic() {
            Ok(p) => p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()),
            Err(e) => e.to_string(),
        });
        out.push((label, result));
    }
    out
}

/// Prints the report and fails the test, naming every failed scene, if any failed.
pub fn finish(title: &str, seed: Option<u64>, results: &[(String, Result<String, String>)]) {
    println!("== {title} ({} scenes)", results.len());
    for (label, r) in results {
        match r {
            Ok(outcome) => println!("  ok    {label}: {outcome}"),
            Err(e) => println!("  FAIL  {label}: {}", e.lines().next().unwrap_or_default()),
        }
    }
    let failed: Vec<String> = results
        .iter()
        .filter_map(|(l, r)| r.as_ref().err().map(|e| format!("--- {l}\n{e}")))
        .collect();
    let seed = seed
        .map(|s| format!(" (seed {s}: rerun with PROOF_CRASH_SEED={s})"))
        .unwrap_or_default();
    assert!(
        failed.is_empty(),
        "{title}: {} of {} scenes failed{seed}\n{}",
        failed.len(),
        results.len(),
        failed.join("\n")
    );
}

/// The RNG seed: `PROOF_CRASH_SEED`, else drawn (and printed).
pub fn seed() -> u64 {
    let seed = std::env::var("PROOF_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("PROOF_CRASH_SEED={seed}");
    seed
}
