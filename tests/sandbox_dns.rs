//! The sandbox's Cloud DNS against real clients: `dig` and `hickory-resolver` on its
//! DNS port, reqwest and `gcloud` on its REST API.
//!
//! Each test starts its own sandbox on ephemeral ports with a zone `example-test`
//! (`example.test.`) seeded through the Rust API. `dig` (package `bind9-dnsutils`) and
//! `gcloud` must be installed: a test that needs one fails, saying so, when it is not.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::config::RealisticDelays;
use rotate_cert::sandbox::core::{FaultAction, FaultSpec};
use rotate_cert::sandbox::{Sandbox, SandboxOptions, World};
use serde_json::{Value, json};

const ZONE: &str = "example-test";
const WWW_IP: &str = "192.0.2.10";
const API_IP: &str = "192.0.2.11";

struct Env {
    sandbox: Sandbox,
    http: reqwest::Client,
    token: String,
}

impl Env {
    async fn start() -> Env {
        Env::start_with(RealisticDelays::default()).await
    }

    async fn start_with(delays: RealisticDelays) -> Env {
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

    fn world(&self) -> &Arc<World> {
        self.sandbox.world()
    }

    fn dns_port(&self) -> u16 {
        self.sandbox.endpoints().dns.port()
    }

    fn base(&self) -> String {
        self.sandbox.endpoints().base_url()
    }

    fn zone_url(&self, rest: &str) -> String {
        format!(
            "{}dns/v1/projects/sandbox-project/managedZones/{ZONE}{rest}",
            self.base()
        )
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = req.bearer_auth(&self.token).send().await.expect("response");
        let status = resp.status().as_u16();
        let body = resp.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    async fn get(&self, url: &str) -> (u16, Value) {
        self.send(self.http.get(url)).await
    }

    async fn change(&self, body: Value) -> (u16, Value) {
        self.send(self.http.post(self.zone_url("/changes")).json(&body))
            .await
    }

    async fn dig(&self, args: &[&str]) -> Dig {
        dig(self.dns_port(), args).await
    }
}

fn a_set(name: &str, ttl: u32, ips: &[&str]) -> Value {
    json!({"name": name, "type": "A", "ttl": ttl, "rrdatas": ips})
}

/// Asserts Google's error shape and returns `(reason, message)`.
fn google_error(status: u16, body: &Value, expected: u16) -> (String, String) {
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
struct Dig {
    status: String,
    flags: Vec<String>,
    answers: Vec<(String, u32, String, String)>,
    authority: Vec<String>,
    raw: String,
}

impl Dig {
    fn parse(raw: String) -> Dig {
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

    fn data(&self) -> Vec<String> {
        self.answers.iter().map(|a| a.3.clone()).collect()
    }
}

fn require_tool(name: &str, hint: &str, err: &std::io::Error) -> ! {
    panic!("`{name}` could not be run ({err}): these tests need it; install it with {hint}")
}

async fn dig(port: u16, args: &[&str]) -> Dig {
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
async fn eventually<T, F, Fut>(limit: Duration, mut f: F) -> T
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_authoritative_answers_over_udp_and_tcp() {
    let env = Env::start().await;
    let ttl = env.world().core.timing.ttl_secs;
    for transport in ["+notcp", "+tcp"] {
        let d = env.dig(&[transport, "www.example.test", "A"]).await;
        assert_eq!(d.status, "NOERROR", "{}", d.raw);
        assert!(d.flags.contains(&"aa".to_string()), "{}", d.raw);
        assert!(!d.flags.contains(&"ra".to_string()), "{}", d.raw);
        assert_eq!(
            d.answers,
            [(
                "www.example.test.".to_string(),
                ttl,
                "A".to_string(),
                WWW_IP.to_string()
            )],
            "{}",
            d.raw
        );
    }
    let mixed = env.dig(&["API.Example.Test", "A"]).await;
    assert_eq!(mixed.data(), [API_IP], "{}", mixed.raw);
    let nx = env.dig(&["nope.example.test", "A"]).await;
    assert_eq!(nx.status, "NXDOMAIN", "{}", nx.raw);
    assert!(nx.flags.contains(&"aa".to_string()), "{}", nx.raw);
    assert!(nx.authority.iter().any(|l| l.contains("SOA")), "{}", nx.raw);
    let nodata = env.dig(&["www.example.test", "AAAA"]).await;
    assert_eq!(
        (nodata.status.as_str(), nodata.answers.len()),
        ("NOERROR", 0)
    );
    assert!(
        nodata.authority.iter().any(|l| l.contains("SOA")),
        "{}",
        nodata.raw
    );
    let refused = env.dig(&["www.example.org", "A"]).await;
    assert_eq!(refused.status, "REFUSED", "{}", refused.raw);
    let ns = env.dig(&["example.test", "NS"]).await;
    assert_eq!(ns.answers.len(), 4, "{}", ns.raw);
    assert!(
        ns.raw.contains("EDNS: version: 0"),
        "EDNS echoed: {}",
        ns.raw
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_answers_truncate_over_udp_and_complete_over_tcp() {
    let env = Env::start().await;
    let many: Vec<String> = (0..40)
        .map(|i| format!("\"record {i:02} with some padding to make it long\""))
        .collect();
    env.world()
        .dns
        .upsert_rrset(ZONE, "big.example.test.", "TXT", 60, many);
    let udp_only = env
        .dig(&["+ignore", "+bufsize=1232", "big.example.test", "TXT"])
        .await;
    assert!(
        udp_only.flags.contains(&"tc".to_string()),
        "{}",
        udp_only.raw
    );
    assert!(udp_only.answers.is_empty());
    let retried = env.dig(&["big.example.test", "TXT"]).await;
    assert_eq!(
        retried.answers.len(),
        40,
        "dig retried over TCP: {}",
        retried.raw
    );

    let resolver = resolver(env.dns_port());
    let txt = resolver
        .lookup(
            "big.example.test.",
            hickory_resolver::proto::rr::RecordType::TXT,
        )
        .await
        .expect("TXT lookup");
    assert_eq!(txt.answers().len(), 40);
}

fn resolver(port: u16) -> hickory_resolver::TokioResolver {
    use hickory_resolver::config::{NameServerConfig, ResolverConfig};
    let mut ns = NameServerConfig::udp_and_tcp(IpAddr::V4(Ipv4Addr::LOCALHOST));
    for c in &mut ns.connections {
        c.port = port;
    }
    hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], vec![ns]),
        hickory_resolver::net::runtime::TokioRuntimeProvider::default(),
    )
    .build()
    .expect("resolver")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hickory_resolver_gets_the_answer() {
    let env = Env::start().await;
    let resolver = resolver(env.dns_port());
    let ips = resolver
        .lookup_ip("www.example.test.")
        .await
        .expect("lookup");
    let ips: Vec<IpAddr> = ips.iter().collect();
    assert_eq!(ips, [WWW_IP.parse::<IpAddr>().unwrap()]);
    let missing = resolver.lookup_ip("missing.example.test.").await;
    assert!(missing.is_err(), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connection_carries_several_queries_and_garbage_gets_formerr() {
    use hickory_resolver::proto::op::{Message, Query, ResponseCode};
    use hickory_resolver::proto::rr::{Name, RecordType};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let env = Env::start().await;
    let addr: SocketAddr = env.sandbox.endpoints().dns;
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    for (i, name) in [
        "www.example.test.",
        "api.example.test.",
        "nope.example.test.",
    ]
    .iter()
    .enumerate()
    {
        let mut q = Message::query();
        q.metadata.id = 100 + i as u16;
        q.add_query(Query::query(Name::from_ascii(name).unwrap(), RecordType::A));
        let bytes = q.to_vec().unwrap();
        conn.write_all(&(bytes.len() as u16).to_be_bytes())
            .await
            .unwrap();
        conn.write_all(&bytes).await.unwrap();
        let len = conn.read_u16().await.expect("framed answer");
        let mut buf = vec![0; usize::from(len)];
        conn.read_exact(&mut buf).await.unwrap();
        let r = Message::from_vec(&buf).unwrap();
        assert_eq!(r.metadata.id, 100 + i as u16);
        let expected = if i == 2 {
            ResponseCode::NXDomain
        } else {
            ResponseCode::NoError
        };
        assert_eq!(r.metadata.response_code, expected);
    }

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut garbage = vec![0x12, 0x34, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0];
    garbage.extend_from_slice(b"\x03www\x07exa");
    udp.send_to(&garbage, addr).await.unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), udp.recv_from(&mut buf))
        .await
        .expect("FORMERR arrives")
        .unwrap();
    let r = Message::from_vec(&buf[..n]).unwrap();
    assert_eq!(
        (r.metadata.id, r.metadata.response_code),
        (0x1234, ResponseCode::FormErr)
    );
    let still = env.dig(&["www.example.test", "A"]).await;
    assert_eq!(still.data(), [WWW_IP]);
}

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
