//! Crash and resume at every kill point of the forward steps: `rotate` is aborted
//! (`ROTATE_CERT_TEST_ABORT_AT=<step>:<point>`, which dies like SIGKILL: no state save, no
//! unlock) at each `before-act`, `after-act`, `waiting` and `after-done` of the twelve
//! steps of a second rotation (blue on a static IP rotate-cert reserved, blue's Secret
//! made by rotate-cert, so every step applies), then `resume --yes` must finish and the
//! world must be exactly a finished rotation's (see `proof_crash/scene.rs`).
//!
//! A point that cannot be reached is not tried: a gate step has no act (`before-act`,
//! `after-act`), and a step whose goal holds as soon as its act returns never waits. A
//! `waiting` point that depends on timing (the goal may already hold at the first look)
//! is tried; if the run finishes without reaching it, the rotation must still be
//! complete, and the report says "not reached". The report lists every point and its
//! outcome (`cargo test --test proof_crash_points -- --nocapture`).

mod support;

#[path = "proof_crash/pool.rs"]
mod pool;
#[path = "proof_crash/scene.rs"]
mod scene;

use pool::{Job, finish, run_all};
use scene::{FORWARD, Scene, Shape, assert_stale_lock_explained};

/// Why a `<step>:<point>` cannot be reached, when it cannot.
fn unreachable(step: &str, point: &str) -> Option<&'static str> {
    let gate = matches!(
        step,
        "await-load-balancer" | "verify-tls" | "verify-dns" | "drain" | "await-blue-gone"
    );
    match point {
        "before-act" | "after-act" if gate => Some("a gate: nothing to act on"),
        "waiting"
            if matches!(
                step,
                "create-secret" | "reserve-address" | "create-ingress" | "delete-blue-secret"
            ) =>
        {
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
            "await-load-balancer" | "switch-dns" | "drain" | "delete-blue-ingress"
        )
}

/// Aborts the second rotation at `point`, checks what the state file recorded, resumes,
/// and checks the finished rotation.
async fn kill_and_resume(step: &'static str, at: &'static str) -> String {
    let scene = Scene::new(Shape::Second).await;
    let point = format!("{step}:{at}");
    let Some(_) = scene
        .run_aborting(&scene.start_args("rotate"), &point)
        .await
    else {
        assert!(!must_reach(step, at), "{point} was never reached");
        scene.assert_rotated().await;
        return "not reached (the goal held at the first look); rotation complete".into();
    };
    let recorded = scene.step(step);
    match at {
        // Write-ahead: `started` is saved before the act; the act's outcome is not.
        "before-act" | "after-act" => assert_eq!(recorded, "started", "{point}"),
        "after-done" => assert_eq!(recorded, "done", "{point}"),
        _ => assert!(
            recorded == "started" || recorded == "pending",
            "{point}: {recorded}"
        ),
    }
    let resume = scene.run_ok(&scene.continue_args("resume")).await;
    assert_stale_lock_explained(&resume);
    resume.assert_no_key(&std::fs::read_to_string(&scene.key).unwrap());
    scene.assert_rotated().await;
    format!("reached (state: {step} {recorded}); resumed to a complete rotation")
}

/// Every forward `<step>:<point>` with its scene, or why it is not tried.
fn points() -> (Vec<(String, Job)>, Vec<String>) {
    let mut jobs: Vec<(String, Job)> = Vec::new();
    let mut skipped = Vec::new();
    for step in FORWARD {
        for at in ["before-act", "after-act", "waiting", "after-done"] {
            match unreachable(step, at) {
                Some(why) => skipped.push(format!("{step}:{at}: not applicable ({why})")),
                None => jobs.push((
                    format!("{step}:{at}"),
                    Box::pin(kill_and_resume(step, at)) as Job,
                )),
            }
        }
    }
    (jobs, skipped)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_finishes_after_a_crash_at_every_forward_kill_point() {
    let (jobs, skipped) = points();
    assert_eq!(jobs.len() + skipped.len(), FORWARD.len() * 4);
    let results = run_all(jobs).await;
    println!("== points not applicable ({})", skipped.len());
    for s in &skipped {
        println!("  n/a   {s}");
    }
    finish("forward kill points", None, &results);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_rotation_resumes_after_a_crash_at_each_step_boundary() {
    // The shape most rotations have (ephemeral IP, the user's Secret): a crash right after
    // each applicable step finished, before the next one started.
    const STEPS: [&str; 9] = [
        "create-secret",
        "create-ingress",
        "await-load-balancer",
        "verify-tls",
        "switch-dns",
        "verify-dns",
        "drain",
        "delete-blue-ingress",
        "await-blue-gone",
    ];
    let jobs: Vec<(String, Job)> = STEPS
        .iter()
        .map(|&step| {
            let job: Job = Box::pin(async move {
                let scene = Scene::new(Shape::First).await;
                let point = format!("{step}:after-done");
                scene
                    .run_aborting(&scene.start_args("rotate"), &point)
                    .await
                    .unwrap_or_else(|| panic!("{point} was never reached"));
                assert_eq!(scene.step(step), "done");
                let resume = scene.run_ok(&scene.continue_args("resume")).await;
                assert_stale_lock_explained(&resume);
                scene.assert_rotated().await;
                "reached; resumed to a complete rotation".to_string()
            });
            (format!("first rotation {step}:after-done"), job)
        })
        .collect();
    finish("first-rotation step boundaries", None, &run_all(jobs).await);
}
