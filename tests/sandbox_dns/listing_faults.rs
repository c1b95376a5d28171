//! Listing and faults: lists page, filter and sort; auth, wrong project, missing zone,
//! injected errors and client operation IDs; a dropped response still applies the change;
//! DNS silence times out, then answers again.

use std::process::Output;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use serde_json::json;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_page_filter_and_sort() {
    let env = Env::start().await;
    for i in 0..5 {
        let (s, b) = env
            .send(env.http.post(env.zone_url("/rrsets")).json(&a_set(
                &format!("host{i}.example.test."),
                30,
                &["192.0.2.1"],
            )))
            .await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b["kind"], "dns#resourceRecordSet");
    }
    // 2 apex + www + api + 5 hosts, two at a time.
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut url = format!("{}?maxResults=2", env.zone_url("/rrsets"));
        if let Some(t) = &token {
            url.push_str(&format!("&pageToken={t}"));
        }
        let (s, b) = env.get(&url).await;
        assert_eq!(s, 200, "{b}");
        pages += 1;
        for r in b["rrsets"].as_array().unwrap() {
            names.push(format!(
                "{} {}",
                r["name"].as_str().unwrap(),
                r["type"].as_str().unwrap()
            ));
        }
        match b["nextPageToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 5);
    assert_eq!(names.len(), 9);
    assert_eq!(names[..2], ["example.test. NS", "example.test. SOA"]);
    let mut sorted = names.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 9, "no duplicates across pages");

    let (_, one) = env
        .get(&format!(
            "{}?name=www.example.test.&type=A",
            env.zone_url("/rrsets")
        ))
        .await;
    assert_eq!(one["rrsets"].as_array().map(Vec::len), Some(1));
    let (s, b) = env
        .get(&format!("{}?type=A", env.zone_url("/rrsets")))
        .await;
    google_error(s, &b, 400);
    let filter = "filter=name%3Dhas_suffix(%22host1.example.test.%22)";
    let (_, f) = env
        .get(&format!("{}?{filter}", env.zone_url("/rrsets")))
        .await;
    assert_eq!(f["rrsets"][0]["name"], "host1.example.test.");

    let zones = format!("{}dns/v1/projects/sandbox-project/managedZones", env.base());
    let (_, z) = env.get(&format!("{zones}?dnsName=example.test.")).await;
    assert_eq!(z["managedZones"][0]["name"], ZONE);
    let id = z["managedZones"][0]["id"].as_str().unwrap().to_string();
    let (_, none) = env.get(&format!("{zones}?dnsName=other.test.")).await;
    assert!(none["managedZones"].as_array().is_none_or(Vec::is_empty));
    let (s, by_id) = env.get(&format!("{zones}/{id}")).await;
    assert_eq!((s, by_id["dnsName"].as_str()), (200, Some("example.test.")));

    let (_, desc) = env
        .get(&format!(
            "{}?sortBy=changeSequence&sortOrder=descending&maxResults=3",
            env.zone_url("/changes")
        ))
        .await;
    let ids: Vec<&str> = desc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["7", "6", "5"]);
    let next = desc["nextPageToken"].as_str().expect("more changes");
    let (_, rest) = env
        .get(&format!(
            "{}?sortOrder=descending&pageToken={next}",
            env.zone_url("/changes")
        ))
        .await;
    assert_eq!(rest["changes"].as_array().map(Vec::len), Some(5));
    assert_eq!(rest["changes"][4]["id"], "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_project_faults_and_client_operation_ids() {
    let env = Env::start().await;
    let anonymous = env.http.get(env.zone_url("/rrsets")).send().await.unwrap();
    let status = anonymous.status().as_u16();
    google_error(status, &anonymous.json().await.unwrap(), 401);
    let other = format!("{}dns/v1/projects/someone-else/managedZones", env.base());
    let (s, b) = env.get(&other).await;
    assert_eq!(google_error(s, &b, 403).0, "forbidden");
    let missing = format!(
        "{}dns/v1/projects/sandbox-project/managedZones/nope",
        env.base()
    );
    let (s, b) = env.get(&missing).await;
    let (_, message) = google_error(s, &b, 404);
    assert_eq!(
        message,
        "The 'parameters.managedZone' resource named 'nope' does not exist."
    );

    env.world().core.faults.add(FaultSpec {
        method: "dns.changes.get".into(),
        action: FaultAction::Status {
            status: 503,
            reason: None,
        },
        times: Some(1),
        probability: 1.0,
        after: 0,
    });
    let (s, b) = env.get(&env.zone_url("/changes/0")).await;
    assert_eq!(google_error(s, &b, 503).0, "backendError");
    let (s, _) = env.get(&env.zone_url("/changes/0")).await;
    assert_eq!(s, 200, "the fault fired once");

    let body = json!({"additions": [a_set("op.example.test.", 5, &["192.0.2.5"])]});
    let url = format!("{}?clientOperationId=op-1", env.zone_url("/changes"));
    let (s1, c1) = env.send(env.http.post(&url).json(&body)).await;
    let (s2, c2) = env.send(env.http.post(&url).json(&body)).await;
    assert_eq!((s1, s2), (200, 200), "{c2}");
    assert_eq!(c1["id"], c2["id"], "replayed, not applied twice");
    let stats = env.world().core.stats.snapshot();
    assert_eq!(stats.methods["dns.changes.create"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_response_still_applies_the_change() {
    let env = Env::start().await;
    let ttl = env.world().core.timing.ttl_secs;
    env.world().core.faults.add(FaultSpec {
        method: "dns.changes.create".into(),
        action: FaultAction::DropResponse,
        times: Some(1),
        probability: 1.0,
        after: 0,
    });
    let sent = env
        .http
        .post(env.zone_url("/changes"))
        .bearer_auth(&env.token)
        .json(&json!({
            "deletions": [a_set("api.example.test.", ttl, &[API_IP])],
            "additions": [a_set("api.example.test.", ttl, &["192.0.2.42"])],
        }))
        .send()
        .await;
    let err = sent.expect_err("the connection closes without an answer");
    assert!(!err.is_status(), "{err}");
    let (_, rrset) = env.get(&env.zone_url("/rrsets/api.example.test./A")).await;
    assert_eq!(rrset["rrdatas"], json!(["192.0.2.42"]), "applied anyway");
    let (_, changes) = env
        .get(&env.zone_url("/changes?sortOrder=descending&maxResults=1"))
        .await;
    assert_eq!(
        changes["changes"][0]["additions"][0]["rrdatas"][0],
        "192.0.2.42"
    );
    let served = eventually(Duration::from_secs(5), || async {
        let d = env.dig(&["api.example.test", "A"]).await;
        (d.data() == ["192.0.2.42"]).then_some(d)
    })
    .await;
    assert!(served.flags.contains(&"aa".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_silence_times_out_then_answers_again() {
    let env = Env::start().await;
    let silence = Duration::from_millis(1800);
    let started = Instant::now();
    env.world().core.faults.silence_dns(silence);
    let out: Output = tokio::process::Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &env.dns_port().to_string(),
            "+time=1",
            "+tries=1",
        ])
        .args(["www.example.test", "A"])
        .output()
        .await
        .unwrap_or_else(|e| require_tool("dig", "`apt-get install -y bind9-dnsutils`", &e));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "dig got an answer during silence: {text}"
    );
    assert!(text.contains("timed out"), "{text}");
    tokio::time::sleep(silence.saturating_sub(started.elapsed()) + Duration::from_millis(50)).await;
    let d = env.dig(&["www.example.test", "A"]).await;
    assert_eq!(d.data(), [WWW_IP], "{}", d.raw);
}
