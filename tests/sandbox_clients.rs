//! Real clients against the sandbox, configured only by the files `sandbox up` writes:
//! `gcloud` (with the `env` file and a fresh `CLOUDSDK_CONFIG`), `curl` and
//! `openssl s_client` (with `certs/ca.pem`), `dig` (on the DNS port), `kubectl` (with
//! `kubeconfig`), and the `rotate-cert sandbox up` process itself.
//!
//! `gcloud`, `curl`, `openssl`, `dig` and `kubectl` must be installed: a test that needs one
//! fails, saying so, when it is not.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use rotate_cert::sandbox::seed::{HOSTS, INGRESS, ZONE, ingress_ip};
use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::AsyncBufReadExt;

fn require_tool(name: &str, err: &std::io::Error) -> ! {
    panic!("`{name}` could not be run ({err}): this test needs it installed")
}

/// A demo sandbox with its files written into a temp dir.
struct Env {
    sandbox: Sandbox,
    dir: TempDir,
}

impl Env {
    async fn start() -> Env {
        rotate_cert::install_crypto_provider();
        let sandbox = Sandbox::start(SandboxOptions {
            time_scale: 0.01,
            ..Default::default()
        })
        .await
        .expect("sandbox starts");
        let dir = tempfile::tempdir().expect("temp dir");
        rotate_cert::sandbox::files::write(dir.path(), &sandbox).expect("sandbox files");
        Env { sandbox, dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn ip(&self) -> String {
        ingress_ip(self.sandbox.world(), INGRESS.0, INGRESS.1).expect("demo IP")
    }

    fn port(&self) -> u16 {
        self.sandbox.endpoints().lb_port
    }
}

/// The variables the `env` file exports (`export K='v'` lines).
fn env_file(path: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(path)
        .expect("env file")
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .expect("single-quoted value");
            (k.to_string(), v.replace("'\\''", "'"))
        })
        .collect()
}

/// Runs gcloud with exactly the env file's variables and a fresh config dir.
async fn gcloud(env: &Env, args: &[&str]) -> Output {
    let config = tempfile::tempdir().expect("gcloud config dir");
    tokio::process::Command::new("gcloud")
        .args(args)
        .env("CLOUDSDK_CONFIG", config.path())
        .env("CLOUDSDK_CORE_DISABLE_PROMPTS", "1")
        .env("CLOUDSDK_CORE_CHECK_GCE_METADATA", "false")
        .env("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true")
        .envs(env_file(&env.path("env")))
        .output()
        .await
        .unwrap_or_else(|e| require_tool("gcloud", &e))
}

fn json_out(args: &[&str], out: &Output) -> Value {
    assert!(
        out.status.success(),
        "gcloud {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("gcloud printed JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gcloud_reads_the_demo_load_balancer_with_the_env_file() {
    let env = Env::start().await;
    let ip = env.ip();
    let world = env.sandbox.world();
    let ing = world.kube.get("ingresses", Some("default"), "web").unwrap();
    let ann = |k: &str| {
        ing["metadata"]["annotations"][format!("ingress.kubernetes.io/{k}")]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (cert, proxy, fs, fr) = (
        ann("ssl-cert"),
        ann("https-target-proxy"),
        ann("https-forwarding-rule"),
        ann("forwarding-rule"),
    );

    let commands: Vec<Vec<String>> = [
        vec!["compute", "ssl-certificates", "list"],
        vec!["compute", "ssl-certificates", "describe", &cert],
        vec!["compute", "target-https-proxies", "describe", &proxy],
        vec!["compute", "forwarding-rules", "list", "--global"],
        vec!["compute", "addresses", "list"],
        vec!["dns", "record-sets", "list", "--zone", ZONE],
        vec!["compute", "ssl-certificates", "delete", &cert, "--quiet"],
    ]
    .iter()
    .map(|c| c.iter().map(|s| s.to_string()).collect())
    .collect();
    // Each gcloud run costs about a second of CPU: run them side by side.
    let env_ref = &env;
    let runs = commands.iter().map(|c| async move {
        let mut args: Vec<&str> = c.iter().map(String::as_str).collect();
        if args[2] != "delete" {
            args.push("--format=json");
        }
        let out = gcloud(env_ref, &args).await;
        (args, out)
    });
    let outs = futures::future::join_all(runs).await;

    let (args, out) = &outs[0];
    let certs = json_out(args, out);
    let listed = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == cert.as_str())
        .unwrap_or_else(|| panic!("{cert} in {certs}"));
    assert_eq!(listed["type"], "SELF_MANAGED");
    let expires = listed["expireTime"].as_str().unwrap();
    assert!(
        expires.ends_with("-08:00") && expires.contains('.'),
        "Compute's time format: {expires}"
    );

    let (args, out) = &outs[1];
    let described = json_out(args, out);
    assert_eq!(described["name"], cert.as_str());
    assert_eq!(
        described["subjectAlternativeNames"],
        serde_json::json!(HOSTS)
    );
    assert!(described.get("privateKey").is_none(), "{described}");
    assert_eq!(
        described["certificate"],
        env.sandbox.certs().live.chain_pem.as_str()
    );

    let (args, out) = &outs[2];
    let p = json_out(args, out);
    assert_eq!(p["name"], proxy.as_str());
    assert!(
        p["sslCertificates"][0]
            .as_str()
            .unwrap()
            .ends_with(&format!("/global/sslCertificates/{cert}")),
        "{p}"
    );
    assert!(
        p["urlMap"]
            .as_str()
            .unwrap()
            .contains("/global/urlMaps/k8s2-um-")
    );

    let (args, out) = &outs[3];
    let rules = json_out(args, out);
    let mut named: Vec<(String, String, String)> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_string(),
                r["IPAddress"].as_str().unwrap().to_string(),
                r["portRange"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        [
            (fr.clone(), ip.clone(), "80-80".to_string()),
            (fs.clone(), ip.clone(), "443-443".to_string()),
        ]
    );

    let (args, out) = &outs[4];
    let addresses = json_out(args, out);
    let promoted = &addresses[0];
    assert_eq!(promoted["name"], fr.as_str(), "{addresses}");
    assert_eq!(promoted["address"], ip.as_str());
    assert_eq!(promoted["status"], "IN_USE");
    assert_eq!(promoted["users"].as_array().map(Vec::len), Some(2));

    let (args, out) = &outs[5];
    let sets = json_out(args, out);
    for host in HOSTS {
        let a = sets
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == format!("{host}.") && s["type"] == "A")
            .unwrap_or_else(|| panic!("{host} in {sets}"));
        assert_eq!(a["rrdatas"], serde_json::json!([ip]));
        assert_eq!(a["ttl"], world.core.timing.ttl_secs);
    }

    // gcloud renders Google's in-use refusal.
    let (_, out) = &outs[6];
    assert!(!out.status.success(), "an in-use certificate was deleted");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("is already being used by") && stderr.contains(&proxy),
        "{stderr}"
    );
    assert!(
        world
            .compute
            .list(rotate_cert::sandbox::compute::links::Collection::SslCertificates)
            .iter()
            .any(|c| c["name"] == cert.as_str())
    );
}

async fn run(cmd: &str, args: &[&str]) -> Output {
    tokio::process::Command::new(cmd)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| require_tool(cmd, &e))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_and_openssl_verify_the_chain_and_reach_both_backends() {
    let env = Env::start().await;
    let (ip, port) = (env.ip(), env.port());
    let ca = env.path("certs/ca.pem").display().to_string();
    for host in HOSTS {
        let resolve = format!("{host}:{port}:{ip}");
        for (path, backend) in [("/", "app"), ("/static/x", "static")] {
            let url = format!("https://{host}:{port}{path}");
            let out = run(
                "curl",
                &[
                    "-sS",
                    "--fail",
                    "--resolve",
                    &resolve,
                    "--cacert",
                    &ca,
                    &url,
                ],
            )
            .await;
            let body = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success(),
                "curl {url}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(
                body.starts_with(&format!(
                    "backend={backend} lb=default/web host={host} path={path}"
                )),
                "{body}"
            );
        }

        let connect = format!("{ip}:{port}");
        let out = tokio::process::Command::new("openssl")
            .args([
                "s_client",
                "-connect",
                &connect,
                "-servername",
                host,
                "-CAfile",
                &ca,
                "-verify_return_error",
                "-verify_hostname",
                host,
            ])
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap_or_else(|e| require_tool("openssl", &e));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
        assert!(
            text.contains("issuer=CN = rotate-cert sandbox issuing CA"),
            "{text}"
        );
    }

    // Without SNI the first certificate on the proxy is served.
    let out = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("{ip}:{port}"),
            "-noservername",
        ])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("subject=CN = www.example.test"), "{text}");

    // DNS for both hosts answers the load balancer's IP with the zone's TTL.
    let dns_port = env.sandbox.endpoints().dns.port().to_string();
    for host in HOSTS {
        let out = run(
            "dig",
            &[
                "@127.0.0.1",
                "-p",
                &dns_port,
                "+noall",
                "+answer",
                host,
                "A",
            ],
        )
        .await;
        let answer = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = answer.split_whitespace().collect();
        let ttl = env.sandbox.world().core.timing.ttl_secs.to_string();
        assert_eq!(
            fields,
            [
                format!("{host}.").as_str(),
                ttl.as_str(),
                "IN",
                "A",
                ip.as_str()
            ],
            "{answer}"
        );
    }

    // The checks can fail: another CA, or a name the certificate does not cover.
    let other = env.path("other-ca.pem");
    let foreign = rcgen::generate_simple_self_signed(vec!["other.test".to_string()]).unwrap();
    std::fs::write(&other, foreign.cert.pem()).unwrap();
    let other = other.display().to_string();
    let resolve = format!("www.example.test:{port}:{ip}");
    let url = format!("https://www.example.test:{port}/");
    let out = run(
        "curl",
        &["-sS", "--resolve", &resolve, "--cacert", &other, &url],
    )
    .await;
    assert!(!out.status.success(), "curl trusted a chain it should not");
    let connect = format!("{ip}:{port}");
    let out = tokio::process::Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &connect,
            "-servername",
            "www.example.test",
            "-CAfile",
            &other,
            "-verify_return_error",
        ])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success(), "openssl verified against another CA");
    let resolve = format!("elsewhere.test:{port}:{ip}");
    let url = format!("https://elsewhere.test:{port}/");
    let out = run(
        "curl",
        &["-sS", "--resolve", &resolve, "--cacert", &ca, &url],
    )
    .await;
    assert!(
        !out.status.success(),
        "a name outside the certificate must not verify (the default certificate is served)"
    );
}

/// `rotate-cert sandbox up` as a child process, its stdout read line by line.
struct Up {
    child: tokio::process::Child,
    dir: TempDir,
    stdout: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
}

impl Up {
    async fn start() -> (Up, String) {
        let dir = tempfile::tempdir().unwrap();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_rotate-cert"))
            .args(["sandbox", "up", "--time-scale", "0.01", "--dir"])
            .arg(dir.path().join("sb"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("rotate-cert runs");
        let mut stdout = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let ready = tokio::time::timeout(Duration::from_secs(20), stdout.next_line())
            .await
            .expect("ready in time")
            .unwrap()
            .expect("a ready line");
        (Up { child, dir, stdout }, ready)
    }

    fn sb(&self) -> PathBuf {
        self.dir.path().join("sb")
    }

    /// Sends `signal` and returns the exit status and how long the exit took.
    async fn stop(mut self, signal: &str) -> (std::process::ExitStatus, Duration, Vec<String>) {
        let pid = self.child.id().expect("running").to_string();
        let sent = Instant::now();
        let kill = run("kill", &[&format!("-{signal}"), &pid]).await;
        assert!(kill.status.success());
        let status = tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("exits after the signal")
            .unwrap();
        let took = sent.elapsed();
        let mut rest = Vec::new();
        while let Ok(Some(l)) = self.stdout.next_line().await {
            rest.push(l);
        }
        (status, took, rest)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_up_writes_its_files_serves_kubectl_and_stops_on_signals() {
    use std::os::unix::fs::PermissionsExt;
    let (up, ready) = Up::start().await;
    let dir = std::fs::canonicalize(up.sb()).unwrap();
    assert_eq!(
        ready,
        format!("sandbox ready: source {}", dir.join("env").display())
    );
    for (rel, private) in [
        ("env", false),
        ("kubeconfig", true),
        ("service-account.json", true),
        ("certs/ca.pem", false),
        ("certs/renewed.pem", false),
        ("certs/renewed.key", true),
    ] {
        let meta = std::fs::metadata(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(meta.len() > 0, "{rel} is empty");
        if private {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{rel}");
        }
    }
    let vars = env_file(&dir.join("env"));
    assert_eq!(
        vars["KUBECONFIG"],
        dir.join("kubeconfig").display().to_string()
    );
    let key: Value =
        serde_json::from_slice(&std::fs::read(dir.join("service-account.json")).unwrap()).unwrap();
    assert_eq!(key["type"], "service_account");
    assert!(
        key["token_uri"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let renewed = std::fs::read_to_string(dir.join("certs/renewed.pem")).unwrap();
    assert!(rotate_cert::cert::parse_chain_pem(renewed.as_bytes()).is_ok());

    let out = tokio::process::Command::new("kubectl")
        .args(["get", "ingress", "web", "--cache-dir"])
        .arg(up.dir.path().join("kube-cache"))
        .env("KUBECONFIG", &vars["KUBECONFIG"])
        .output()
        .await
        .unwrap_or_else(|e| require_tool("kubectl", &e));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let row = table.lines().nth(1).unwrap_or_default();
    assert!(
        row.starts_with("web ")
            && row.contains("www.example.test,api.example.test")
            && row.contains("80, 443"),
        "{table}"
    );

    let (status, took, rest) = up.stop("TERM").await;
    assert_eq!(status.code(), Some(0), "SIGTERM exits 0");
    assert!(
        took < Duration::from_secs(30),
        "stops promptly, took {took:?}"
    );
    assert!(rest.is_empty(), "one line on stdout only, then {rest:?}");

    let (up, ready) = Up::start().await;
    assert!(ready.starts_with("sandbox ready: source "), "{ready}");
    let (status, took, _) = up.stop("INT").await;
    assert_eq!(status.code(), Some(0), "SIGINT exits 0");
    assert!(
        took < Duration::from_secs(30),
        "stops promptly, took {took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_up_refuses_bad_time_scales() {
    let dir = tempfile::tempdir().unwrap();
    for bad in ["0", "-1", "nan", "inf", "abc", "11", "", "1e-9", "0.0009"] {
        let target = dir.path().join("never");
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_rotate-cert"))
            .args(["sandbox", "up", "--dir"])
            .arg(&target)
            .arg(format!("--time-scale={bad}"))
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "`{bad}` is not a time scale: expected a number in [0.001, 10]"
            )),
            "{bad:?}: {stderr}"
        );
        assert!(out.stdout.is_empty());
        assert!(!target.exists(), "nothing written for {bad:?}");
    }
}
