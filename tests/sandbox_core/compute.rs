//! The Compute API: it lists and reads resources, refuses to delete a certificate in use,
//! answers 401 without a token and 404 for what is missing, and rejects bodies (types,
//! enums, unknown fields, names, JSON, requestId, references) the way Google does.

use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_api_lists_reads_and_refuses_in_use_deletes() {
    let sb = start(0.01).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let rules: Value = c
        .get(format!("{base}{p}/forwardingRules"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = rules["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "HTTP and HTTPS rules: {rules}");
    let https = items.iter().find(|r| r["portRange"] == "443-443").unwrap();
    let proxy = https["target"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let cert = {
        let p: Value = c
            .get(format!("{base}{p}/targetHttpsProxies/{proxy}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        p["sslCertificates"][0]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string()
    };
    let del = c
        .delete(format!("{base}{p}/sslCertificates/{cert}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 400);
    let body: Value = del.json().await.unwrap();
    assert_eq!(
        body["error"]["errors"][0]["reason"],
        "resourceInUseByAnotherResource"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is already being used by")
    );
    let unauth = c
        .get(format!("{base}{p}/forwardingRules"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauth.status(), 401);
    let missing = c
        .get(format!("{base}{p}/urlMaps/nope"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}

/// Asserts Google's error shape: status, `error.code`, one `errors[]` item with the same
/// message, domain `global` and `reason`; returns the message.
async fn google_error(resp: reqwest::Response, status: u16, reason: &str) -> String {
    assert_eq!(resp.status().as_u16(), status);
    let body: Value = resp.json().await.unwrap();
    let e = &body["error"];
    assert_eq!(e["code"], status, "{body}");
    assert_eq!(e["errors"][0]["reason"], reason, "{body}");
    assert_eq!(e["errors"][0]["domain"], "global", "{body}");
    assert_eq!(e["errors"][0]["message"], e["message"], "{body}");
    e["message"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compute_rejects_bodies_google_would_reject() {
    let sb = start(0.01).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project";
    let post = |path: &str, body: Value| {
        c.post(format!("{base}{p}/{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let um = "global/urlMaps/k8s2-um-x";
    let fr = |extra: Value| {
        let mut b = json!({"name": "green-fs", "target": "global/targetHttpsProxies/none", "portRange": "443-443"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    // Wrong JSON types.
    let m = google_error(
        post("global/forwardingRules", fr(json!({"portRange": 443})))
            .await
            .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert_eq!(
        m,
        "Invalid value at 'resource.portRange' (TYPE_STRING), 443"
    );
    let m = google_error(
        post(
            "global/urlMaps",
            json!({"name": "u", "hostRules": {"hosts": ["a"]}}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(m.contains("'resource.hostRules' (TYPE_LIST)"), "{m}");
    let m = google_error(
        post(
            "targetHttpsProxies/p/setSslCertificates",
            json!({"sslCertificates": "global/sslCertificates/c"}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(m.contains("'resource.sslCertificates' (TYPE_LIST)"), "{m}");
    // A bad enum value.
    let m = google_error(
        post("global/forwardingRules", fr(json!({"IPProtocol": "HTTP"})))
            .await
            .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert!(
        m.starts_with("Invalid value at 'resource.IPProtocol'") && m.ends_with("\"HTTP\""),
        "{m}"
    );
    google_error(
        post(
            "global/forwardingRules",
            fr(json!({"loadBalancingScheme": "EXTERNAL_ISH"})),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    // An unknown field, nested.
    let m = google_error(
        post(
            "global/urlMaps",
            json!({"name": "u", "defaultService": "global/backendServices/x",
                   "pathMatchers": [{"name": "m", "pathRules": [{"paths": ["/*"], "servce": "x"}]}]}),
        )
        .await
        .unwrap(),
        400,
        "invalid",
    )
    .await;
    assert_eq!(
        m,
        "Invalid JSON payload received. Unknown name \"servce\" at 'resource.pathMatchers[0].pathRules[0]': Cannot find field."
    );
    // Bad names: syntax, length, missing.
    for bad in ["Green", "green-", "9green", "green_ip", &"g".repeat(64)] {
        let m = google_error(
            post("global/addresses", json!({"name": bad}))
                .await
                .unwrap(),
            400,
            "invalid",
        )
        .await;
        assert_eq!(
            m,
            format!(
                "Invalid value for field 'resource.name': '{bad}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?)'"
            )
        );
    }
    let ok63 = "g".repeat(63);
    let resp = post("global/addresses", json!({"name": ok63}))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "63 characters are allowed");
    let m = google_error(
        post("global/addresses", json!({"description": "no name"}))
            .await
            .unwrap(),
        400,
        "required",
    )
    .await;
    assert!(m.contains("'resource.name'"), "{m}");
    // Not JSON at all, and a bad requestId.
    let resp = c
        .post(format!("{base}{p}/global/addresses"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    let m = google_error(resp, 400, "badRequest").await;
    assert!(m.starts_with("Invalid JSON payload received."), "{m}");
    let resp = c
        .post(format!("{base}{p}/global/addresses?requestId=not-a-uuid"))
        .bearer_auth(&token)
        .json(&json!({"name": "req"}))
        .send()
        .await
        .unwrap();
    google_error(resp, 400, "invalid").await;
    // A reference to something that does not exist.
    let m = google_error(
        post(
            "global/targetHttpsProxies",
            json!({"name": "p", "urlMap": um, "sslCertificates": ["global/sslCertificates/nope"]}),
        )
        .await
        .unwrap(),
        404,
        "notFound",
    )
    .await;
    assert!(m.contains("urlMaps/k8s2-um-x"), "{m}");
}
