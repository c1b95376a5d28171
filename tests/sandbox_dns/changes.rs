//! The changes API: a change is pending, then done and only then served; change rules and
//! body checks (against the discovery schema) answer like Google.

use std::time::Duration;

use rotate_cert::sandbox::config::RealisticDelays;
use serde_json::json;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_is_pending_then_done_and_only_then_served() {
    let delays = RealisticDelays {
        dns_change: 100.0,
        ..RealisticDelays::default()
    };
    let env = Env::start_with(delays).await;
    let ttl = env.world().core.timing.ttl_secs;
    let (status, change) = env
        .change(json!({
            "deletions": [a_set("www.example.test.", ttl, &[WWW_IP])],
            "additions": [a_set("www.example.test.", 60, &["192.0.2.99"])],
        }))
        .await;
    assert_eq!(status, 200, "{change}");
    assert_eq!(change["status"], "pending");
    assert_eq!(change["kind"], "dns#change");
    let id = change["id"].as_str().expect("id").to_string();
    assert_eq!(id, "3", "0 = zone creation, 1 and 2 = seeding");
    let (_, rrset) = env.get(&env.zone_url("/rrsets/www.example.test./A")).await;
    assert_eq!(
        rrset["rrdatas"],
        json!(["192.0.2.99"]),
        "API view moves at once"
    );
    let before = env.dig(&["www.example.test", "A"]).await;
    assert_eq!(before.data(), [WWW_IP], "DNS still serves the old IP");

    let url = env.zone_url(&format!("/changes/{id}"));
    eventually(Duration::from_secs(5), || async {
        let (_, c) = env.get(&url).await;
        (c["status"] == "done").then_some(())
    })
    .await;
    let after = env.dig(&["www.example.test", "A"]).await;
    assert_eq!(after.data(), ["192.0.2.99"], "{}", after.raw);
    assert_eq!(after.answers[0].1, 60, "new TTL served");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_rules_answer_like_google() {
    let env = Env::start().await;
    let ttl = env.world().core.timing.ttl_secs;
    let www = a_set("www.example.test.", ttl, &[WWW_IP]);

    let (s, b) = env
        .change(json!({"deletions": [a_set("www.example.test.", ttl + 1, &[WWW_IP])]}))
        .await;
    let (reason, message) = google_error(s, &b, 412);
    assert_eq!(reason, "conditionNotMet");
    assert_eq!(
        message,
        "Precondition not met for 'entity.change.deletions[0]'"
    );

    let (s, b) = env
        .change(json!({"deletions": [www.clone(), a_set("gone.example.test.", 5, &["192.0.2.1"])]}))
        .await;
    let (reason, message) = google_error(s, &b, 404);
    assert_eq!(reason, "notFound");
    assert_eq!(
        message,
        "The 'entity.change.deletions[1]' resource named 'gone.example.test. (A)' does not exist."
    );

    let (s, b) = env
        .change(json!({"additions": [a_set("www.example.test.", 5, &["192.0.2.1"])]}))
        .await;
    let (reason, message) = google_error(s, &b, 409);
    assert_eq!(reason, "alreadyExists");
    assert_eq!(
        message,
        "The resource 'entity.change.additions[www.example.test.][A]' named 'www.example.test. (A)' already exists"
    );

    let (s, b) = env.change(json!({})).await;
    let (reason, message) = google_error(s, &b, 400);
    assert_eq!(reason, "required");
    assert_eq!(
        message,
        "The 'entity.change' parameter is required but was missing."
    );

    let invalid = [
        (
            a_set("www.other.test.", 5, &["192.0.2.1"]),
            "additions[0].name",
        ),
        (
            a_set("new.example.test", 5, &["192.0.2.1"]),
            "additions[0].name",
        ),
        (
            a_set("new.example.test.", 5, &["192.0.2"]),
            "additions[0].rrdata[0]",
        ),
        (
            json!({"name": "new.example.test.", "type": "A", "ttl": -5, "rrdatas": ["192.0.2.1"]}),
            "additions[0].ttl",
        ),
    ];
    for (set, field) in invalid {
        let (s, b) = env.change(json!({"additions": [set]})).await;
        let (reason, message) = google_error(s, &b, 400);
        assert_eq!(reason, "invalid", "{message}");
        assert!(
            message.starts_with(&format!("Invalid value for 'entity.change.{field}'")),
            "{message}"
        );
    }
    let cname = json!({"name": "www.example.test.", "type": "CNAME", "ttl": 5, "rrdatas": ["api.example.test."]});
    let (s, b) = env.change(json!({"additions": [cname]})).await;
    let (reason, _) = google_error(s, &b, 400);
    assert_eq!(reason, "cnameResourceRecordSetConflict");

    // Atomic: a good addition next to one bad deletion changes nothing at all.
    let changes_before = env.get(&env.zone_url("/changes")).await.1["changes"]
        .as_array()
        .map(Vec::len);
    let (s, b) = env
        .change(json!({
            "additions": [a_set("fresh.example.test.", 5, &["192.0.2.50"]), a_set("www.example.test.", 5, &["192.0.2.51"])],
            "deletions": [a_set("www.example.test.", ttl, &["192.0.2.77"])],
        }))
        .await;
    google_error(s, &b, 412);
    let (s, _) = env
        .get(&env.zone_url("/rrsets/fresh.example.test./A"))
        .await;
    assert_eq!(s, 404, "the good addition was not applied");
    let (_, w) = env.get(&env.zone_url("/rrsets/www.example.test./A")).await;
    assert_eq!(w["rrdatas"], json!([WWW_IP]));
    let changes_after = env.get(&env.zone_url("/changes")).await.1["changes"]
        .as_array()
        .map(Vec::len);
    assert_eq!(changes_before, changes_after, "no change recorded");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(env.dig(&["fresh.example.test", "A"]).await.status == "NXDOMAIN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_checked_against_the_discovery_schema() {
    let env = Env::start().await;
    let bad_bodies = [
        (
            json!({"additions": [], "colour": "red"}),
            "Unknown name \"colour\"",
        ),
        (
            json!({"additions": [{"name": "x.example.test.", "type": "A", "ttl": "abc", "rrdatas": ["192.0.2.1"]}]}),
            "ttl",
        ),
        (
            json!({"additions": [{"name": "x.example.test.", "type": "A", "ttl": 5, "rrdatas": ["192.0.2.1"], "bogus": 1}]}),
            "bogus",
        ),
        (json!({"additions": "not a list"}), "additions"),
        (json!({"status": "finished"}), "status"),
    ];
    for (body, needle) in bad_bodies {
        let (s, b) = env.change(body.clone()).await;
        let (_, message) = google_error(s, &b, 400);
        assert!(message.contains(needle), "{body} → {message}");
    }
    let raw = env
        .http
        .post(env.zone_url("/changes"))
        .bearer_auth(&env.token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let status = raw.status().as_u16();
    let (reason, _) = google_error(status, &raw.json().await.unwrap(), 400);
    assert_eq!(reason, "parseError");
    let (s, b) = env
        .send(
            env.http
                .post(env.zone_url("/rrsets"))
                .json(&json!({"name": "x.example.test.", "type": "A", "ttl": 5, "rrdatas": ["192.0.2.1"], "extra": true})),
        )
        .await;
    google_error(s, &b, 400);
}
