//! Shared by the `sandbox_dns` tests: the environment (sandbox, seeded zone, API client),
//! Google's error shape, `dig` run and parsed, and polling.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::config::RealisticDelays;
use rotate_cert::sandbox::{Sandbox, SandboxOptions, World};
use serde_json::{Value, json};

pub const ZONE: &str = "example-test";
pub const WWW_IP: &str = "192.0.2.10";
pub const API_IP: &str = "192.0.2.11";

pub struct Env {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub token: String,
}

impl Env {
    pub async fn start() -> Env {
        Env::start_with(RealisticDelays::default()).await
    }

    pub async fn start_with(delays: RealisticDelays) -> Env {
        rotate_cert::install_crypto_provider();
        let sandbox = Sandbox::start(SandboxOptions {
            time_scale: 0.01,
            delays,
            seed_demo: false,
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let world = sandbox.world().clone();
        let ttl = world.core.timing.ttl_secs;
        world
            .dns
            .create_zone(ZONE, "example.test.", "sandbox test zone");
        world
            .dns
            .upsert_rrset(ZONE, "www.example.test.", "A", ttl, vec![WWW_IP.into()]);
        world
            .dns
            .upsert_rrset(ZONE, "api.example.test.", "A", ttl, vec![API_IP.into()]);
        let token = world.tokens.issue();
        Env {
            sandbox,
            http: reqwest::Client::new(),
            token,
        }
    }

    pub fn world(&self) -> &Arc<World> {
        self.sandbox.world()
    }

    pub fn dns_port(&self) -> u16 {
        self.sandbox.endpoints().dns.port()
    }

    pub fn base(&self) -> String {
        self.sandbox.endpoints().base_url()
    }

    pub fn zone_url(&self, rest: &str) -> String {
        format!(
            "{}dns/v1/projects/sandbox-project/managedZones/{ZONE}{rest}",
            self.base()
        )
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.bearer_auth(&self.token).send().await.expect("response");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    pub async fn get(&self, url: &str) -> (u16, Value) {
        self.send(self.http.get(url)).await
    }

    pub async fn change(&self, body: Value) -> (u16, Value) {
        self.send(self.http.post(self.zone_url("/changes")).json(&body))
            .await
    }

    pub async fn dig(&self, args: &[&str]) -> Dig {
        dig(self.dns_port(), args).await
    }
}

pub fn a_set(name: &str, ttl: u32, ips: &[&str]) -> Value {
    json!({"name": name, "type": "A", "ttl": ttl, "rrdatas": ips})
}

/// Asserts Google's error shape and returns `(reason, message)`.
pub fn google_error(status: u16, body: &Value, expected: u16) -> (String, String) {
    assert_eq!(status, expected, "{body}");
    let e = &body["error"];
    assert_eq!(e["code"], expected, "{body}");
    let item = &e["errors"][0];
    assert_eq!(item["domain"], "global", "{body}");
    assert_eq!(item["message"], e["message"], "{body}");
    (
        item["reason"].as_str().unwrap_or_default().to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

/// What dig printed, parsed.
#[derive(Debug)]
pub struct Dig {
    pub status: String,
    pub flags: Vec<String>,
    pub answers: Vec<(String, u32, String, String)>,
    pub authority: Vec<String>,
    pub raw: String,
}

impl Dig {
    pub fn parse(raw: String) -> Dig {
        let status = raw
            .split("status: ")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .unwrap_or_default()
            .to_string();
        let flags = raw
            .lines()
            .find_map(|l| l.strip_prefix(";; flags: "))
            .and_then(|l| l.split(';').next())
            .map(|f| f.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let section = |title: &str| -> Vec<String> {
            raw.lines()
                .skip_while(|l| !l.starts_with(title))
                .skip(1)
                .take_while(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect()
        };
        let answers = section(";; ANSWER SECTION:")
            .iter()
            .filter_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                let [name, ttl, _class, rtype, data @ ..] = f.as_slice() else {
                    return None;
                };
                Some((
                    name.to_string(),
                    ttl.parse().ok()?,
                    rtype.to_string(),
                    data.join(" "),
                ))
            })
            .collect();
        Dig {
            status,
            flags,
            answers,
            authority: section(";; AUTHORITY SECTION:"),
            raw,
        }
    }

    pub fn data(&self) -> Vec<String> {
        self.answers.iter().map(|a| a.3.clone()).collect()
    }
}

pub fn require_tool(name: &str, hint: &str, err: &std::io::Error) -> ! {
    panic!("`{name}` could not be run ({err}): these tests need it; install it with {hint}")
}

pub async fn dig(port: u16, args: &[&str]) -> Dig {
    let out = tokio::process::Command::new("dig")
        .arg("@127.0.0.1")
        .arg("-p")
        .arg(port.to_string())
        .args(["+time=2", "+tries=1"])
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| require_tool("dig", "`apt-get install -y bind9-dnsutils`", &e));
    Dig::parse(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Polls `f` until it returns `Some`, for at most `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}
