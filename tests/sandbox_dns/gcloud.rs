//! The installed `gcloud` lists and updates record sets through the sandbox's API.

use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use super::common::*;

/// Runs gcloud against the sandbox: a fresh config dir, the sandbox project, the DNS
/// endpoint override and the sandbox's credentials.
async fn gcloud(
    env: &Env,
    auth: &[(String, String)],
    config: &std::path::Path,
    args: &[&str],
) -> Output {
    tokio::process::Command::new("gcloud")
        .args(args)
        .env("CLOUDSDK_CONFIG", config)
        .env("CLOUDSDK_CORE_PROJECT", "sandbox-project")
        .env("CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS", env.base())
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false")
        .env("CLOUDSDK_CORE_DISABLE_USAGE_REPORTING", "true")
        .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
        .envs(auth.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .output()
        .await
        .unwrap_or_else(|e| {
            require_tool(
                "gcloud",
                "the Google Cloud CLI (https://cloud.google.com/sdk/docs/install)",
                &e,
            )
        })
}

fn json_stdout(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "gcloud failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("gcloud printed JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcloud_lists_and_updates_through_the_api() {
    let env = Env::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("gcloud");
    // gcloud authenticates here with a token the sandbox issued; the service-account
    // path of the `env` file (CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE with
    // CLOUDSDK_AUTH_TOKEN_HOST) is exercised by `tests/sandbox_clients.rs`.
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, env.world().tokens.issue()).unwrap();
    let auth = [(
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE".to_string(),
        token_file.display().to_string(),
    )];

    let zones = json_stdout(
        &gcloud(
            &env,
            &auth,
            &config,
            &["dns", "managed-zones", "list", "--format=json"],
        )
        .await,
    );
    assert_eq!(zones[0]["name"], ZONE, "{zones}");
    assert_eq!(zones[0]["dnsName"], "example.test.");

    let sets = json_stdout(
        &gcloud(
            &env,
            &auth,
            &config,
            &[
                "dns",
                "record-sets",
                "list",
                "--zone",
                ZONE,
                "--format=json",
            ],
        )
        .await,
    );
    let www = sets
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "www.example.test." && s["type"] == "A")
        .unwrap_or_else(|| panic!("www in {sets}"));
    assert_eq!(www["rrdatas"], json!([WWW_IP]));

    let updated = gcloud(
        &env,
        &auth,
        &config,
        &[
            "dns",
            "record-sets",
            "update",
            "www.example.test.",
            "--type",
            "A",
            "--ttl",
            "300",
            "--rrdatas",
            "127.0.0.9",
            "--zone",
            ZONE,
            "--format=json",
        ],
    )
    .await;
    json_stdout(&updated);
    let stats = env.world().core.stats.snapshot();
    assert_eq!(stats.methods.get("dns.resourceRecordSets.patch"), Some(&1));
    assert_eq!(stats.methods.get("dns.managedZones.list"), Some(&1));
    let d = eventually(Duration::from_secs(5), || async {
        let d = env.dig(&["www.example.test", "A"]).await;
        (d.data() == ["127.0.0.9"]).then_some(d)
    })
    .await;
    assert_eq!(d.answers[0].1, 300);
}
