//! Compute operations: an insert goes PENDING, RUNNING, DONE and is visible only once DONE;
//! `wait` returns DONE, or returns early (still RUNNING) at its deadline.

use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_go_pending_running_done_and_wait_returns_done() {
    let sb = start(0.05).await;
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let op: Value = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "green-ip"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(op["status"], "PENDING", "{op}");
    let name = op["name"].as_str().unwrap();
    let before: Value = c
        .get(format!("{base}{p}/addresses/green-ip"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["error"]["code"], 404, "not visible before DONE");
    let done: Value = c
        .post(format!("{base}{p}/operations/{name}/wait"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(done["status"], "DONE");
    assert!(done.get("error").is_none());
    let addr: Value = c
        .get(format!("{base}{p}/addresses/green-ip"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(addr["status"], "RESERVED");
    assert!(addr["address"].as_str().unwrap().starts_with("127."));
    let dup = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "green-ip"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let bad = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "Bad_Name"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let unknown = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "x", "colour": "red"}))
        .send()
        .await
        .unwrap();
    let body: Value = unknown.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Unknown name \"colour\""),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_wait_may_return_before_done() {
    rotate_cert::install_crypto_provider();
    let sb = Sandbox::start(SandboxOptions {
        time_scale: 0.01,
        delays: rotate_cert::sandbox::config::RealisticDelays {
            op_running: 150.0,
            op_wait_deadline: 50.0,
            ..Default::default()
        },
        seed_demo: false,
        ..Default::default()
    })
    .await
    .unwrap();
    let (c, base, token) = api(&sb);
    let p = "compute/v1/projects/sandbox-project/global";
    let op: Value = c
        .post(format!("{base}{p}/addresses"))
        .bearer_auth(&token)
        .json(&json!({"name": "slow-ip"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let name = op["name"].as_str().unwrap();
    let wait = || async {
        let started = std::time::Instant::now();
        let op: Value = c
            .post(format!("{base}{p}/operations/{name}/wait"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (op, started.elapsed())
    };
    let (first, took) = wait().await;
    assert_eq!(first["status"], "RUNNING", "{first}");
    assert!(took >= sb.world().core.timing.op_wait_deadline, "{took:?}");
    let mut done = first;
    while done["status"] != "DONE" {
        done = wait().await.0;
    }
    assert!(done.get("error").is_none(), "{done}");
    assert_eq!(done["progress"], 100);
}
