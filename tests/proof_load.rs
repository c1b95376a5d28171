//! Zero downtime under load: many HTTPS clients that behave like real ones (each resolves
//! through the sandbox's DNS server with a TTL-honouring cache, keeps its connections
//! alive, verifies the chain against the sandbox CA) hit both hosts and both paths while
//! the real binary runs a full `rotate --yes`. Proves, over at least 20 000 requests:
//!
//! - not one request failed (transport error, cut-short body or non-2xx);
//! - the old certificate was served only from the blue IP, the new one only from green;
//! - every client went from blue to green exactly once and never back, the move coming
//!   from the records' TTL and the front end's keep-alive maximum age (every client was
//!   made to reconnect on blue at least once, and kept reaching blue after every
//!   nameserver already answered green: the traffic the drain has to wait out);
//! - the drain saw blue's traffic in Cloud Monitoring and its last traffic precedes the
//!   cleanup, and no client reached blue once the cleanup had begun;
//! - after the cleanup, a final window of requests all landed on green with the new
//!   certificate;
//! - every (host, path) was answered by the backend the URL map names.
//!
//! The time scale (0.01: TTL 3 s, keep-alive maximum age 1.2 s, Monitoring sampling
//! 0.6 s and ingestion delay 2.1 s, quiet period 1.8 s) keeps every one of those
//! mechanisms several request round-trips long, so the clients really depend on them.
//!
//! The same holds when the rotation itself is in trouble: with one call in five to every
//! API failing and the green Ingress create refused once, the run stops, is resumed with
//! the command it printed, and the clients never notice.

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use rotate_cert::sandbox::core::FaultSpec;
use rotate_cert::sandbox::load::{LoadReport, Segment};
use support::faults::{on, rotate_through_faults, status};
use support::load::{PATHS, finished_at, run_load_until, started_at, step, time_of};
use support::sandbox::{HOSTS, TestSandbox, assert_code};

/// Every delay of the sandbox and of rotate-cert's settings, scaled.
const SCALE: f64 = 0.01;
/// Concurrent clients.
const CLIENTS: usize = 16;
/// Requests the proof needs at least.
const MIN_REQUESTS: u64 = 20_000;
/// Each client's pause between requests: enough requests, without taking every core
/// from the rotation and from tests running beside this one.
const PAUSE: Duration = Duration::from_millis(4);
/// Requests after the cleanup that must all be green.
const FINAL_WINDOW: u64 = 2_000;

fn is(seg: &Segment, ip: &str, fp: &str) -> bool {
    seg.served.ip == ip && seg.served.certificate == fp
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_while_rotate_moves_every_client_from_blue_to_green() {
    let sb = TestSandbox::start(SCALE).await;
    let t = sb.sandbox.world().core.timing;
    let began = Instant::now();
    let load = sb.start_load(CLIENTS, PAUSE);
    // Let every client settle on blue for a few sampling periods and keep-alive ages, so
    // Monitoring has blue's traffic and every client has reconnected at least once.
    tokio::time::sleep((t.sampling * 3).max(t.conn_max_age * 2)).await;

    let run = sb
        .run_with(&sb.start_args("rotate", &[]), &[], Duration::from_secs(240))
        .await;
    assert_code(&run, 0);
    let after_cleanup = SystemTime::now();
    let at_cleanup = load.report();
    sb.assert_rotated().await;

    run_load_until(
        &load,
        MIN_REQUESTS.max(at_cleanup.total() + FINAL_WINDOW),
        t.conn_max_age + Duration::from_secs(u64::from(t.ttl_secs)),
        Duration::from_secs(180),
    )
    .await;
    let report = load.stop().await;
    describe("rotate", &report, began.elapsed());
    assert!(
        report.total() >= MIN_REQUESTS,
        "{} requests",
        report.total()
    );
    assert_zero_downtime(&sb, &report, &at_cleanup, after_cleanup, FINAL_WINDOW, true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_request_fails_while_a_rotation_under_api_faults_stops_and_is_resumed() {
    let sb = TestSandbox::new().await;
    let t = sb.sandbox.world().core.timing;
    let began = Instant::now();
    let load = sb.start_load(CLIENTS / 2, PAUSE);
    tokio::time::sleep((t.sampling * 3).max(t.conn_max_age * 2)).await;
    // First in the plan, so it is the answer the first create gets.
    sb.fault(FaultSpec {
        times: Some(1),
        ..on("kubernetes.ingresses.create", status(403))
    });
    sb.fail_one_in_five("*");
    let outcome = rotate_through_faults(&sb, 3).await;
    assert!(
        !outcome.stops.is_empty(),
        "the refused create stopped the run"
    );
    let after_cleanup = SystemTime::now();
    let at_cleanup = load.report();
    sb.assert_rotated().await;
    run_load_until(
        &load,
        at_cleanup.total() + FINAL_WINDOW / 4,
        t.conn_max_age + Duration::from_secs(u64::from(t.ttl_secs)),
        Duration::from_secs(180),
    )
    .await;
    let report = load.stop().await;
    describe(
        &format!("rotate under 20% API errors ({})", outcome.describe()),
        &report,
        began.elapsed(),
    );
    // A stop between the switch and the drain may leave the clients time to move before
    // the resumed run verifies DNS: then the drain has nothing left to see.
    assert_zero_downtime(
        &sb,
        &report,
        &at_cleanup,
        after_cleanup,
        FINAL_WINDOW / 4,
        false,
    );
}

/// One line for the test's output: requests, failures, resends, rate.
fn describe(what: &str, report: &LoadReport, elapsed: Duration) {
    eprintln!(
        "load during {what}: {} requests ({} failed, {} resent after a kept-alive connection closed) in {:.1} s = {:.0} req/s; {} answered with Connection: close; served {:?}",
        report.total(),
        report.failed,
        report.retried,
        elapsed.as_secs_f64(),
        report.total() as f64 / elapsed.as_secs_f64(),
        report.closed_by_server,
        report.served,
    );
}

/// Everything the clients of a finished rotation must have seen: no failure, each
/// certificate from its own side, every client moved once, a final window all green,
/// and the right backend for every host and path; the drain's evidence agrees with the
/// clients — with `draining`, clients were still on blue after DNS was verified and the
/// drain saw that traffic stop.
fn assert_zero_downtime(
    sb: &TestSandbox,
    report: &LoadReport,
    at_cleanup: &LoadReport,
    after_cleanup: SystemTime,
    window: u64,
    draining: bool,
) {
    let (blue, old, new) = (sb.blue_ip.clone(), sb.old_fp(), sb.new_fp());
    let green = sb.ingress_ip(&sb.green_ingress()).expect("green's IP");
    assert_eq!(
        report.failed, 0,
        "failed requests (first ones): {:#?}",
        report.errors
    );
    // A resend answers only the race of a request going out on a kept-alive connection
    // the front end is closing at its maximum age: rare, or something else is wrong.
    assert!(
        report.retried * 100 < report.total(),
        "{} of {} requests had to be resent",
        report.retried,
        report.total()
    );

    // Each certificate from its own side only.
    let mut pairs: Vec<(String, String)> = report
        .pairs
        .iter()
        .map(|p| (p.ip.clone(), p.certificate.clone()))
        .collect();
    pairs.sort();
    let mut want = vec![(blue.clone(), old.clone()), (green.clone(), new.clone())];
    want.sort();
    assert_eq!(
        pairs, want,
        "(IP, certificate) pairs served: {:?}",
        report.served
    );

    // The rotation's own record of when things happened.
    let doc = sb.state();
    let switched = started_at(&doc, "switch-dns");
    let dns_verified = finished_at(&doc, "verify-dns");
    let cleanup = started_at(&doc, "delete-blue-ingress");
    assert_clients_moved_once(report, &blue, &old, &green, &new, switched, cleanup);
    let late_on_blue = report
        .segments()
        .any(|s| is(s, &blue, &old) && s.last > dns_verified);

    // The drain watched blue's traffic stop in Monitoring before the cleanup.
    let drain = &step(&doc, "drain")["evidence"];
    assert_eq!(drain["forced"], serde_json::Value::Null, "{drain}");
    if draining {
        assert!(
            late_on_blue,
            "no client reached blue after every nameserver answered green: the drain had nothing to wait for"
        );
        assert_eq!(drain["saw_traffic"], true, "{drain}");
        let last = time_of(&drain["last_traffic"], "the drain's last traffic on blue");
        assert!(
            last >= dns_verified,
            "{drain}: blue had traffic after the switch"
        );
    }
    if !drain["last_traffic"].is_null() {
        let last = time_of(&drain["last_traffic"], "the drain's last traffic on blue");
        assert!(
            last < cleanup,
            "{drain}: blue's last traffic after the cleanup began"
        );
    }

    // After the cleanup: a final window, all green with the new certificate.
    let final_window = final_window(at_cleanup, report);
    assert!(
        final_window.values().sum::<u64>() >= window,
        "{final_window:?}"
    );
    assert_eq!(
        final_window.keys().collect::<Vec<_>>(),
        vec![&format!("{green} {}", &new[..12])],
        "after the cleanup: {final_window:?}"
    );
    assert!(
        report
            .segments()
            .filter(|s| s.last >= after_cleanup)
            .all(|s| is(s, &green, &new))
    );

    // Every host and path, by the right backend.
    let mut answered: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for key in report.backends.keys() {
        let mut parts = key.split(' ');
        let (h, p, b) = (parts.next(), parts.next(), parts.next());
        answered
            .entry((h.unwrap().to_string(), p.unwrap().to_string()))
            .or_default()
            .push(b.unwrap_or_default().to_string());
    }
    let mut expected = BTreeMap::new();
    for host in HOSTS {
        expected.insert(
            (host.to_string(), PATHS[0].to_string()),
            vec!["backend=app".to_string()],
        );
        expected.insert(
            (host.to_string(), PATHS[1].to_string()),
            vec!["backend=static".to_string()],
        );
    }
    assert_eq!(answered, expected, "{:?}", report.backends);
}

/// Each client, for each host: first blue (old certificate), then green (new), never
/// back; it was made to reconnect on blue by the keep-alive maximum age at least once,
/// it reached green only after the DNS switch began, and blue never after the cleanup
/// began.
fn assert_clients_moved_once(
    report: &LoadReport,
    blue: &str,
    old: &str,
    green: &str,
    new: &str,
    switched: SystemTime,
    cleanup: SystemTime,
) {
    let clients: std::collections::BTreeSet<usize> =
        report.traces.iter().map(|t| t.client).collect();
    assert_eq!(report.traces.len(), clients.len() * HOSTS.len());
    for trace in &report.traces {
        let who = format!("client {} on {}", trace.client, trace.host);
        let segs = &trace.segments;
        let sides: Vec<&str> = segs
            .iter()
            .map(|s| {
                if is(s, blue, old) {
                    "blue"
                } else if is(s, green, new) {
                    "green"
                } else {
                    "?"
                }
            })
            .collect();
        assert_eq!(sides, ["blue", "green"], "{who}: {segs:#?}");
        let (b, g) = (&segs[0], &segs[1]);
        assert!(
            b.connections >= 2,
            "{who} never reconnected to blue (keep-alive maximum age): {b:?}"
        );
        assert!(
            g.connections >= 1,
            "{who} reached green without connecting: {g:?}"
        );
        assert!(
            g.first > switched,
            "{who} reached green before the switch: {g:?}"
        );
        assert!(
            b.last < cleanup,
            "{who} reached blue after the cleanup began: {b:?}"
        );
    }
}

/// The requests answered between two reports, per "IP certificate".
fn final_window(before: &LoadReport, after: &LoadReport) -> BTreeMap<String, u64> {
    after
        .served
        .iter()
        .map(|(k, n)| (k.clone(), n - before.served.get(k).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect()
}
