//! Crash during `rollback`, then `rollback` again: the second rotation (blue on a static
//! IP rotate-cert reserved, so green has its own reserved address to release) is created
//! and switched to green, then `rollback` is aborted (`ROTATE_CERT_TEST_ABORT_AT`, which
//! dies like SIGKILL) at every point of its seven steps, or killed with SIGKILL at random
//! moments spread over its whole duration, every phase at least once (seeded; rerun with
//! `PROOF_CRASH_SEED=<seed>`; see `proof_crash_random.rs` for how moments are drawn).
//! A second `rollback --yes` must finish, and the world must be exactly as before the
//! rotation: green's Ingress, Secret, load balancer and address gone, DNS back on blue at
//! the nameserver, blue's Ingress, load balancer, Secret and certificate untouched.
//! A few random kills hit a rollback of a rotation that was only created (DNS never
//! switched), whose plan skips the DNS steps.

mod support;

#[path = "proof_crash/pool.rs"]
mod pool;
#[path = "proof_crash/scene.rs"]
mod scene;

use std::time::Duration;

use pool::{Job, finish, kill_times, killed_in_phase, run_all, timed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use scene::{ROLLBACK, Scene, Shape, assert_stale_lock_explained};

/// Random kills per starting point: after `switch-dns`, and after `create` only.
const RANDOM: [(bool, usize); 2] = [(true, 14), (false, 6)];

/// The second rotation, created (and switched to green when `switched`), ready to be
/// rolled back.
async fn ready(switched: bool) -> Scene {
    let scene = Scene::new(Shape::Second).await;
    scene.run_ok(&scene.start_args("create")).await;
    if switched {
        scene.run_ok(&scene.continue_args("switch-dns")).await;
    }
    scene
}

/// Runs `rollback` to the end after a dead one; checks the result.
async fn roll_back_again(scene: &Scene) {
    let again = scene.run_ok(&scene.continue_args("rollback")).await;
    assert_stale_lock_explained(&again);
    assert!(
        again.stderr.contains("rolled back:") || again.stderr.contains("already complete"),
        "{}",
        again.stderr
    );
    scene.assert_rolled_back().await;
}

/// Why a rollback `<step>:<point>` cannot be reached, when it cannot.
fn unreachable(step: &str, point: &str) -> Option<&'static str> {
    let gate = matches!(
        step,
        "rollback-verify-dns" | "drain-green" | "await-green-gone"
    );
    match point {
        "before-act" | "after-act" if gate => Some("a gate: nothing to act on"),
        "waiting" if step == "delete-green-secret" => {
            Some("its goal holds when the act returns: no wait")
        }
        _ => None,
    }
}

/// Whether a point must be reached (the others depend on timing).
fn must_reach(step: &str, point: &str) -> bool {
    point != "waiting"
        || matches!(
            step,
            "rollback-dns" | "drain-green" | "delete-green-ingress"
        )
}

async fn abort_rollback_at(step: &'static str, at: &'static str) -> String {
    let scene = ready(true).await;
    let point = format!("{step}:{at}");
    let Some(_) = scene
        .run_aborting(&scene.continue_args("rollback"), &point)
        .await
    else {
        assert!(!must_reach(step, at), "{point} was never reached");
        scene.assert_rolled_back().await;
        return "not reached (the goal held at the first look); rolled back".into();
    };
    let doc = scene.doc().expect("a state file");
    assert_eq!(doc["rotation"]["rolling_back"], true, "{point}");
    let recorded = scene.step(step);
    match at {
        "before-act" | "after-act" => assert_eq!(recorded, "started", "{point}"),
        "after-done" => assert_eq!(recorded, "done", "{point}"),
        _ => assert!(
            recorded == "started" || recorded == "pending",
            "{point}: {recorded}"
        ),
    }
    roll_back_again(&scene).await;
    format!("reached (state: {step} {recorded}); `rollback` again finished")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollback_again_finishes_after_a_crash_at_every_rollback_kill_point() {
    let mut jobs: Vec<(String, Job)> = Vec::new();
    let mut skipped = Vec::new();
    for step in ROLLBACK {
        for at in ["before-act", "after-act", "waiting", "after-done"] {
            match unreachable(step, at) {
                Some(why) => skipped.push(format!("{step}:{at}: not applicable ({why})")),
                None => jobs.push((
                    format!("{step}:{at}"),
                    Box::pin(abort_rollback_at(step, at)),
                )),
            }
        }
    }
    assert_eq!(jobs.len() + skipped.len(), ROLLBACK.len() * 4);
    let results = run_all(jobs).await;
    println!("== rollback points not applicable ({})", skipped.len());
    for s in &skipped {
        println!("  n/a   {s}");
    }
    finish("rollback kill points", None, &results);
}

/// Kills `rollback` after `delay`, rolls back again, checks.
async fn kill_rollback(switched: bool, phase: String, delay: Duration) -> (bool, String) {
    let scene = ready(switched).await;
    let args = scene.continue_args("rollback");
    let (run, at) = killed_in_phase(&scene, &args, &ROLLBACK, &phase, delay).await;
    if run.code != -1 {
        assert_eq!(run.code, 0, "rollback: {}", run.stderr);
        scene.assert_rolled_back().await;
        return (false, format!("finished before the kill at {at:.2?}"));
    }
    let step = scene.current_step(&ROLLBACK);
    let started = scene
        .doc()
        .is_some_and(|d| d["rotation"]["rolling_back"] == true);
    let again = scene.run_ok(&scene.continue_args("rollback")).await;
    assert!(
        again.stderr.contains("rolled back:") || again.stderr.contains("already complete"),
        "{}",
        again.stderr
    );
    scene.assert_rolled_back().await;
    let when = if started {
        format!("in `{step}`")
    } else {
        "before it recorded anything".to_string()
    };
    (
        true,
        format!("killed at {at:.2?} {when}; `rollback` again finished"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollback_again_finishes_after_sigkill_at_random_times() {
    let seed = pool::seed();
    let mut rng = StdRng::seed_from_u64(seed);
    // Time uninterrupted rollbacks from both starting points, phase by phase.
    let calibration: Vec<(String, Job<pool::Timeline>)> = RANDOM
        .iter()
        .flat_map(|&(switched, _)| {
            (0..3).map(move |i| {
                let job: Job<pool::Timeline> = Box::pin(async move {
                    let scene = ready(switched).await;
                    let t = timed(&scene, &scene.continue_args("rollback"), &ROLLBACK).await;
                    scene.assert_rolled_back().await;
                    t
                });
                (format!("switched={switched} uninterrupted #{i}"), job)
            })
        })
        .collect();
    let mut timelines = Vec::new();
    let mut report = Vec::new();
    for (label, r) in run_all(calibration).await {
        match r {
            Ok(t) => {
                report.push((label.clone(), Ok(format!("rolled back in {:.2?}", t.total))));
                timelines.push((label.starts_with("switched=true"), t));
            }
            Err(e) => report.push((label, Err(e))),
        }
    }
    finish("uninterrupted rollbacks", Some(seed), &report);

    let mut jobs: Vec<(String, Job<(bool, String)>)> = Vec::new();
    for (switched, n) in RANDOM {
        // The median run's phases.
        let mut ts: Vec<&pool::Timeline> = timelines
            .iter()
            .filter(|(s, _)| *s == switched)
            .map(|(_, t)| t)
            .collect();
        ts.sort_by_key(|t| t.total);
        let t = ts[ts.len() / 2];
        for (i, (phase, at)) in kill_times(t, n, &mut rng).into_iter().enumerate() {
            let from = if switched { "switched" } else { "created" };
            jobs.push((
                format!("{from} kill #{i:02} ({at:.2?} into `{phase}`)"),
                Box::pin(kill_rollback(switched, phase, at)),
            ));
        }
    }
    for i in (1..jobs.len()).rev() {
        let j = rng.random_range(0..=i);
        jobs.swap(i, j);
    }
    let mut results = run_all(jobs).await;
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let kills = results
        .iter()
        .filter(|(_, r)| r.as_ref().is_ok_and(|(killed, _)| *killed))
        .count();
    let report: Vec<(String, Result<String, String>)> = results
        .into_iter()
        .map(|(l, r)| (l, r.map(|(_, line)| line)))
        .collect();
    finish("SIGKILL during rollback", Some(seed), &report);
    println!("== {kills} kills of `rollback`");
    assert!(
        kills >= 12,
        "only {kills} kills hit a running `rollback` (seed {seed})"
    );
}
