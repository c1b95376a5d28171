//! Faults in what a rotation waits on — the nameservers and Cloud Monitoring — run by the
//! real binary against the sandbox: the DNS server silent during `verify-dns` (shorter
//! than `--dns-timeout`: the step waits; longer: a resumable stop before anything of blue
//! is touched), Monitoring failing for a while or refusing outright during the drain,
//! Monitoring with no points at all (an idle blue: only settled periods count, after
//! the TTL), and a client that never re-resolves keeping blue busy (the drain waits for
//! its traffic to stop).
//!
//! As in `proof_faults.rs`: every run completes or stops resumably and the printed
//! resume completes it; every run is proven safe from the outside and ends with exactly
//! the inventory of a clean rotation.

mod support;

use std::time::{Duration, Instant, SystemTime};

use support::cli::Run;
use support::faults::{assert_resumable_stop, first_error, on, status};
use support::load::{PATHS, finished_at, started_at, step, time_of};
use support::safety::{Watcher, assert_safe};
use support::sandbox::{HOSTS, RUN_TIMEOUT, TestSandbox, step_is, wait_for_state};
use tokio::process::Child;

/// Waits for a spawned run (at most [`RUN_TIMEOUT`]).
async fn finish(child: Child) -> Run {
    let out = tokio::time::timeout(RUN_TIMEOUT, child.wait_with_output())
        .await
        .expect("the run ends")
        .expect("wait for rotate-cert");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Starts `rotate` and returns once the state file says `ready`.
async fn rotate_until(sb: &TestSandbox, ready: impl Fn(&serde_json::Value) -> bool) -> Child {
    let child = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    wait_for_state(&sb.state_path(), ready).await;
    child
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nameservers_silent_for_a_while_during_verify_dns_are_waited_for() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    let child = rotate_until(&sb, |d| step_is(d, "switch-dns", "started")).await;
    let silence = Duration::from_millis(1500);
    sb.sandbox.world().core.faults.silence_dns(silence);
    let silent_until = SystemTime::now() + silence;
    let run = finish(child).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    eprintln!("DNS silent {silence:?} during verify-dns: completed");
    let doc = sb.state();
    assert!(
        finished_at(&doc, "verify-dns") >= silent_until,
        "verify-dns saw every nameserver answer, which they did only after the silence"
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nameservers_silent_past_the_dns_timeout_stop_resumably_before_the_drain() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    let child = rotate_until(&sb, |d| step_is(d, "switch-dns", "started")).await;
    // Longer than --dns-timeout (600 s scaled: 3 s).
    sb.sandbox
        .world()
        .core
        .faults
        .silence_dns(Duration::from_secs(5));
    let run = finish(child).await;
    let resume = assert_resumable_stop(&run);
    assert!(
        run.stderr.contains("step `verify-dns` failed")
            && run.stderr.contains("did not finish within --dns-timeout")
            && run.stderr.contains("still waiting for: "),
        "what was missing and which setting gave up: {}",
        run.stderr
    );
    let steps = sb.steps();
    assert_eq!(steps["verify-dns"], "failed");
    assert_eq!(steps["drain"], "pending", "the drain never began");
    assert_eq!(
        sb.ingress_names(support::sandbox::NS).len(),
        2,
        "blue is still there"
    );
    sb.clear_faults();
    let again = sb.run(&resume).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    eprintln!(
        "DNS silent past --dns-timeout: stopped 1 time(s), then resumed: {}",
        first_error(&run)
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

/// Requests `host` on blue's IP every few milliseconds — a client that never resolves
/// again — until `stop` turns true; returns how many it made.
async fn pinned_client(
    sb: &TestSandbox,
    ip: String,
    stop: tokio::sync::watch::Receiver<bool>,
) -> u64 {
    let mut n = 0;
    while !*stop.borrow() {
        let got = sb.curl(HOSTS[0], &ip, PATHS[0]).await;
        assert_eq!(got.status, 200, "{}", got.body);
        assert_eq!(
            got.leaf_sha256,
            sb.old_fp(),
            "blue serves the old certificate"
        );
        n += 1;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_waits_while_a_client_that_never_resolves_again_keeps_blue_busy() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let child = sb.spawn(&sb.start_args("rotate", &[]), &[]);
    let pinned = pinned_client(&sb, sb.blue_ip.clone(), stop_rx);
    let release = async {
        wait_for_state(&sb.state_path(), |d| step_is(d, "verify-dns", "done")).await;
        // Keep blue busy well past the TTL and several quiet periods.
        tokio::time::sleep(Duration::from_secs(4)).await;
        let _ = stop_tx.send(true);
        SystemTime::now()
    };
    let (requests, released) = tokio::join!(pinned, release);
    let run = finish(child).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    eprintln!("a pinned client on blue ({requests} requests): completed after it stopped");
    let doc = sb.state();
    assert!(
        finished_at(&doc, "drain") > released,
        "the drain ended while the pinned client still used blue"
    );
    let drain = &step(&doc, "drain")["evidence"];
    assert_eq!(drain["saw_traffic"], true, "{drain}");
    let last = time_of(&drain["last_traffic"], "the drain's last traffic");
    assert!(
        last > finished_at(&doc, "verify-dns"),
        "the pinned client's traffic after the switch was seen: {drain}"
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_failing_for_a_while_during_the_drain_is_waited_out() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    sb.fault(on("monitoring.projects.timeSeries.list", status(503)));
    let child = rotate_until(&sb, |d| step_is(d, "verify-dns", "done")).await;
    // The TTL and the ingestion delay pass, then a little more, with no data.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let outage_ended = SystemTime::now();
    sb.clear_faults();
    let run = finish(child).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    eprintln!("Monitoring 503 for 4 s during the drain: completed");
    let doc = sb.state();
    assert!(
        finished_at(&doc, "drain") > outage_ended,
        "the drain did not finish without data"
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_refusing_the_drain_stops_resumably_with_blue_untouched() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    sb.fault(on("monitoring.projects.timeSeries.list", status(403)));
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    let resume = assert_resumable_stop(&run);
    assert!(run.stderr.contains("step `drain` failed"), "{}", run.stderr);
    assert_eq!(sb.steps()["drain"], "failed");
    assert_eq!(sb.steps()["delete-blue-ingress"], "pending");
    assert!(
        sb.ingress(support::sandbox::NS, "web").is_some(),
        "blue stays"
    );
    sb.clear_faults();
    let again = sb.run(&resume).await;
    assert_eq!(again.code, 0, "{}", again.stderr);
    eprintln!(
        "Monitoring 403 during the drain: stopped 1 time(s), then resumed: {}",
        first_error(&run)
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_blue_with_no_points_drains_only_on_settled_periods_past_the_ttl() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    let began = Instant::now();
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    eprintln!(
        "Monitoring without points (idle blue): completed in {:?}",
        began.elapsed()
    );
    let doc = sb.state();
    let drain = &step(&doc, "drain")["evidence"];
    // Nothing but rotate-cert's own look at blue (the plan's TLS probe, a quiet period
    // before the switch at this pace) may show: no request after the switch.
    let verified = finished_at(&doc, "verify-dns");
    if drain["saw_traffic"] == true {
        assert!(
            time_of(&drain["last_traffic"], "last_traffic") < verified,
            "an idle blue showed traffic after the switch: {drain}"
        );
    } else {
        assert_eq!(drain["last_traffic"], serde_json::Value::Null, "{drain}");
    }
    assert_eq!(drain["max_rate_in_window"], 0.0, "{drain}");
    let t = sb.sandbox.world().core.timing;
    let ttl = Duration::from_secs(u64::from(t.ttl_secs));
    assert!(
        time_of(&drain["settled_until"], "settled_until") >= verified + ttl,
        "no points counted as zero only once settled and past the TTL: {drain}"
    );
    assert!(finished_at(&doc, "drain") >= verified + ttl + t.ingestion);
    assert!(started_at(&doc, "delete-blue-ingress") >= finished_at(&doc, "drain"));
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_refusing_for_good_is_passed_only_by_a_recorded_force() {
    let sb = TestSandbox::new().await;
    let watcher = Watcher::start(&sb);
    sb.fault(on("monitoring.projects.timeSeries.list", status(403)));
    let run = sb.run(&sb.start_args("rotate", &[])).await;
    let mut resume = assert_resumable_stop(&run);
    // The printed resume keeps refusing while Monitoring does: blue stays.
    let again = sb.run(&resume).await;
    assert_resumable_stop(&again);
    assert!(
        sb.ingress(support::sandbox::NS, "web").is_some(),
        "blue stays"
    );
    resume.push("--force".into());
    let forced = sb.run(&resume).await;
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(
        forced.stderr.contains("skipped with --force"),
        "the skipped drain is said: {}",
        forced.stderr
    );
    eprintln!(
        "Monitoring 403 for good: stopped 2 time(s), then `resume --force`: {}",
        first_error(&again)
    );
    let doc = sb.state();
    assert_eq!(step(&doc, "drain")["evidence"]["forced"], true);
    assert!(
        doc["journal"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["step"] == "drain" && e["event"] == "forced"),
        "the force is journalled"
    );
    assert_safe(&sb, watcher);
    sb.assert_rotated().await;
}
