//! Crash and resume at random moments: `rotate` is killed with SIGKILL at a random time
//! (seeded; the seed is printed and named in any failure, rerun with
//! `PROOF_CRASH_SEED=<seed>`), and `resume --yes` must finish the rotation with the world
//! exactly as after an uninterrupted one. Kills are spread over the whole duration of a
//! rotation: uninterrupted rotations are timed first, phase by phase, then every phase
//! gets at least one kill and the rest go in proportion to the phases' lengths, each at a
//! uniformly random moment within its phase (counted from when this run reached the
//! phase, so a slower or faster run still dies in it). So the kills land in planning (no
//! state file yet: nothing may have changed, and `rotate` again starts afresh) and in
//! every step. Every third run also has its first `resume` killed at a random time.
//!
//! Two shapes: a first rotation of the demo Ingress, and a second rotation (blue on a
//! static IP and a Secret that rotate-cert made, so all twelve steps run); see
//! `proof_crash/scene.rs`.

mod support;

#[path = "proof_crash/pool.rs"]
mod pool;
#[path = "proof_crash/scene.rs"]
mod scene;

use std::collections::BTreeMap;
use std::time::Duration;

use pool::{Job, Timeline, finish, kill_times, killed_after, killed_in_phase, run_all, timed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use scene::{FORWARD, Scene, Shape};

/// Kills of `rotate` planned per shape (a few may land after the run finished, which is
/// reported and not counted).
const PLANNED: [(Shape, usize); 2] = [(Shape::First, 42), (Shape::Second, 22)];

/// Kills of `rotate` that must really have hit a running process.
const REQUIRED_KILLS: usize = 50;

/// What one run did.
struct Outcome {
    /// Whether `rotate` was running when the kill came.
    killed: bool,
    /// The step the state file shows in progress after the kill.
    step: String,
    /// Whether a `resume` was killed too.
    resume_killed: bool,
    /// For the report.
    line: String,
}

/// An uninterrupted `rotate` of `shape`, timed phase by phase; checked like any other.
async fn uninterrupted(shape: Shape) -> Timeline {
    let scene = Scene::new(shape).await;
    let t = timed(&scene, &scene.start_args("rotate"), &FORWARD).await;
    scene.assert_rotated().await;
    t
}

/// Kills `rotate` `delay` into `phase` (and, with `resume_delay`, the first `resume`
/// that long after it started), then finishes and checks the rotation.
async fn kill_then_resume(
    shape: Shape,
    phase: String,
    delay: Duration,
    resume_delay: Option<Duration>,
) -> Outcome {
    let scene = Scene::new(shape).await;
    let (run, delay) =
        killed_in_phase(&scene, &scene.start_args("rotate"), &FORWARD, &phase, delay).await;
    if run.code != -1 {
        assert_eq!(run.code, 0, "rotate: {}", run.stderr);
        scene.assert_rotated().await;
        return Outcome {
            killed: false,
            step: "-".into(),
            resume_killed: false,
            line: format!("finished before the kill at {delay:.2?}"),
        };
    }
    let step = scene.current_step(&FORWARD);
    let mut line = format!("killed at {delay:.2?} in `{step}`");
    let mut resume_killed = false;
    if scene.doc().is_none() {
        // Killed while planning: nothing was changed, and the same command starts over.
        assert_eq!(
            scene.sb.objects(),
            scene.before,
            "killed before a state file was written, yet the world changed"
        );
        scene.run_ok(&scene.start_args("rotate")).await;
        line.push_str("; no state: `rotate` again finished");
    } else {
        if let Some(d) = resume_delay {
            let (again, d) = killed_after(&scene, &scene.continue_args("resume"), d).await;
            if again.code == -1 {
                resume_killed = true;
                line.push_str(&format!(
                    "; resume killed at {d:.2?} in `{}`",
                    scene.current_step(&FORWARD)
                ));
            } else {
                assert_eq!(again.code, 0, "resume: {}", again.stderr);
            }
        }
        let resume = scene.run_ok(&scene.continue_args("resume")).await;
        resume.assert_no_key(&std::fs::read_to_string(&scene.key).unwrap());
        line.push_str("; resumed");
    }
    scene.assert_rotated().await;
    Outcome {
        killed: true,
        step,
        resume_killed,
        line: line + " to a complete rotation",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn resume_finishes_after_sigkill_at_random_times() {
    let seed = pool::seed();
    let mut rng = StdRng::seed_from_u64(seed);

    // How long each phase of a rotation takes here, now, under the same load (as many
    // uninterrupted rotations at once as kill scenes will run).
    let calibration: Vec<(String, Job<Timeline>)> = [Shape::First, Shape::Second]
        .into_iter()
        .flat_map(|shape| {
            (0..pool::CONCURRENCY / 2).map(move |i| {
                let job: Job<Timeline> = Box::pin(uninterrupted(shape));
                (format!("{shape:?} uninterrupted #{i}"), job)
            })
        })
        .collect();
    let measured = run_all(calibration).await;
    let mut timelines: BTreeMap<String, Vec<Timeline>> = BTreeMap::new();
    let mut report = Vec::new();
    for (label, r) in measured {
        match r {
            Ok(t) => {
                report.push((label.clone(), Ok(format!("complete in {:.2?}", t.total))));
                let shape = label.split(' ').next().unwrap().to_string();
                timelines.entry(shape).or_default().push(t);
            }
            Err(e) => report.push((label, Err(e))),
        }
    }
    finish("uninterrupted rotations", Some(seed), &report);

    let mut jobs: Vec<(String, Job<Outcome>)> = Vec::new();
    for (shape, n) in PLANNED {
        // The median run's phases.
        let mut ts = timelines.remove(&format!("{shape:?}")).unwrap();
        ts.sort_by_key(|t| t.total);
        let t = ts.swap_remove(ts.len() / 2);
        for (i, (phase, at)) in kill_times(&t, n, &mut rng).into_iter().enumerate() {
            let resume_at = (i % 3 == 0).then(|| t.total.mul_f64(rng.random::<f64>() * 0.6));
            jobs.push((
                format!("{shape:?} kill #{i:02} ({at:.2?} into `{phase}`)"),
                Box::pin(kill_then_resume(shape, phase, at, resume_at)),
            ));
        }
    }
    // Mixed order, so every batch of concurrent scenes has kills early and late.
    for i in (1..jobs.len()).rev() {
        let j = rng.random_range(0..=i);
        jobs.swap(i, j);
    }
    let mut results = run_all(jobs).await;
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let mut kills = 0;
    let mut resume_kills = 0;
    let mut per_step: BTreeMap<String, usize> = BTreeMap::new();
    let mut report = Vec::new();
    for (label, r) in results {
        match r {
            Ok(o) => {
                if o.killed {
                    kills += 1;
                    *per_step.entry(o.step.clone()).or_default() += 1;
                }
                resume_kills += usize::from(o.resume_killed);
                report.push((label, Ok(o.line)));
            }
            Err(e) => report.push((label, Err(e))),
        }
    }
    finish("SIGKILL at random times", Some(seed), &report);
    println!("== {kills} kills of `rotate` and {resume_kills} of `resume`; where `rotate` died:");
    for (step, n) in &per_step {
        println!("  {n:3}  {step}");
    }
    assert!(
        kills >= REQUIRED_KILLS,
        "only {kills} of the planned kills hit a running `rotate` (seed {seed})"
    );
}
