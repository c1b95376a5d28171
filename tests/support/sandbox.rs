//! A sandbox for end-to-end tests of the rotation flow: an in-process
//! [`rotate_cert::sandbox::Sandbox`] with its files written into a temporary directory,
//! and the real binary run against it with exactly the variables of the sandbox's `env`
//! file (plus `HOME` in the temporary directory, so no real gcloud or ADC configuration
//! is picked up): to its end, aborted at a named point, or killed with SIGKILL. Views of
//! the simulated world for assertions are in `world.rs`.
//!
//! Every helper panics on failure: these are test fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use rotate_cert::sandbox::files::Files;
use rotate_cert::sandbox::{Sandbox, SandboxOptions};
use serde_json::Value;
use tempfile::TempDir;
use tokio::process::{Child, Command};

use super::cli::Run;

/// The time scale the rotation tests run the sandbox at: a whole rotation takes about
/// 4 s (most of it the drain: TTL 2 s, then settled Monitoring data).
pub const SCALE: f64 = 0.005;

/// How long one run of the binary may take before the test gives up on it.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(90);

/// The demo Ingress.
pub const INGRESS: &str = "default/web";
/// Its namespace.
pub const NS: &str = "default";
/// The demo hosts.
pub const HOSTS: [&str; 2] = rotate_cert::sandbox::seed::HOSTS;
/// The demo zone.
pub const ZONE: &str = rotate_cert::sandbox::seed::ZONE;
/// The state file `--ingress default/web` uses, in the working directory.
pub const STATE_FILE: &str = "rotate-cert.default.web.state.json";

/// A running sandbox with its files, and the environment to run the binary with.
pub struct TestSandbox {
    /// The sandbox (in this process).
    pub sandbox: Sandbox,
    /// Where its files, the child's `HOME` and working directory live.
    pub dir: TempDir,
    /// The files `sandbox up` would write.
    pub files: Files,
    /// The variables of the `env` file, in order.
    pub vars: Vec<(String, String)>,
    /// The blue IP at start.
    pub blue_ip: String,
}

/// Parses the `export K='V'` lines of a sandbox `env` file.
pub fn parse_env_file(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.strip_prefix("export "))
        .map(|l| {
            let (k, v) = l.split_once('=').expect("K=V");
            let v = v
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .unwrap_or(v)
                .replace("'\\''", "'");
            (k.to_string(), v)
        })
        .collect()
}

/// SHA-256 of the leaf of a PEM chain (lowercase hex).
pub fn leaf_sha256(chain_pem: &str) -> String {
    let certs = rotate_cert::cert::parse_chain_pem(chain_pem.as_bytes()).expect("a PEM chain");
    rotate_cert::cert::sha256_hex(&certs[0])
}

impl TestSandbox {
    /// Starts a sandbox at `scale` and writes its files.
    pub async fn start(scale: f64) -> TestSandbox {
        rotate_cert::install_crypto_provider();
        let sandbox = Sandbox::start(SandboxOptions {
            time_scale: scale,
            ..Default::default()
        })
        .await
        .expect("the sandbox starts");
        let dir = tempfile::tempdir().expect("a temporary directory");
        let files = rotate_cert::sandbox::files::write(dir.path(), &sandbox).expect("files");
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let vars = parse_env_file(&std::fs::read_to_string(&files.env).unwrap());
        let blue_ip =
            rotate_cert::sandbox::seed::ingress_ip(sandbox.world(), "default", "web").unwrap();
        TestSandbox {
            sandbox,
            dir,
            files,
            vars,
            blue_ip,
        }
    }

    /// Starts a sandbox at [`SCALE`].
    pub async fn new() -> TestSandbox {
        TestSandbox::start(SCALE).await
    }

    /// The working directory of every run (canonical: the state files live here).
    pub fn work_dir(&self) -> &Path {
        &self.files.dir
    }

    /// A path in the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.files.dir.join(name)
    }

    /// The value of a variable of the `env` file.
    pub fn var(&self, key: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("{key} is not in the env file"))
    }

    /// The command for the binary with the sandbox's environment and nothing else.
    fn command<S: AsRef<str>>(&self, args: &[S], extra: &[(&str, &str)]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rotate-cert"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100");
        for (k, v) in &self.vars {
            cmd.env(k, v);
        }
        for (k, v) in extra {
            cmd.env(k, v);
        }
        cmd.args(args.iter().map(AsRef::as_ref))
            .current_dir(self.work_dir())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// Runs the binary to its end (at most [`RUN_TIMEOUT`]).
    pub async fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        self.run_with(args, &[], RUN_TIMEOUT).await
    }

    /// Runs the binary with extra variables, giving up after `timeout` (the child is
    /// killed and the test fails).
    pub async fn run_with<S: AsRef<str>>(
        &self,
        args: &[S],
        extra: &[(&str, &str)],
        timeout: Duration,
    ) -> Run {
        let child = self
            .command(args, extra)
            .spawn()
            .expect("spawn rotate-cert");
        match tokio::time::timeout(timeout, child.wait_with_output()).await {
            Ok(out) => to_run(out.expect("wait for rotate-cert")),
            Err(_) => panic!("`rotate-cert {}` did not finish in {timeout:?}", join(args)),
        }
    }

    /// Runs the binary with `ROTATE_CERT_TEST_ABORT_AT=<point>`; it must abort there.
    pub async fn run_aborting_at<S: AsRef<str>>(&self, args: &[S], point: &str) -> Run {
        let run = self
            .run_with(args, &[("ROTATE_CERT_TEST_ABORT_AT", point)], RUN_TIMEOUT)
            .await;
        assert!(
            run.code == -1 && run.stderr.contains(&format!("aborting at {point}")),
            "expected an abort at {point}, got exit {}\nstdout: {}\nstderr: {}",
            run.code,
            run.stdout,
            run.stderr
        );
        run
    }

    /// Starts the binary without waiting for it.
    pub fn spawn<S: AsRef<str>>(&self, args: &[S], extra: &[(&str, &str)]) -> Child {
        self.command(args, extra)
            .spawn()
            .expect("spawn rotate-cert")
    }

    /// Runs the binary and kills it with SIGKILL after `delay` (if still running).
    pub async fn run_killed_after<S: AsRef<str>>(&self, args: &[S], delay: Duration) -> Run {
        let mut child = self.spawn(args, &[]);
        tokio::time::sleep(delay).await;
        let _ = child.start_kill();
        to_run(child.wait_with_output().await.expect("wait"))
    }

    /// Runs the binary and kills it with SIGKILL as soon as `ready` holds for the state
    /// file at `state` (polled). Panics if the run ends first, or after [`RUN_TIMEOUT`].
    pub async fn run_killed_when<S: AsRef<str>>(
        &self,
        args: &[S],
        state: &Path,
        ready: impl Fn(&Value) -> bool,
    ) -> Run {
        let mut child = self.spawn(args, &[]);
        let start = Instant::now();
        loop {
            if let Some(doc) = read_json(state)
                && ready(&doc)
            {
                break;
            }
            if let Some(status) = child.try_wait().expect("try_wait") {
                let out = child.wait_with_output().await.expect("wait");
                panic!(
                    "`rotate-cert {}` ended ({status}) before it could be killed\nstderr: {}",
                    join(args),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(start.elapsed() < RUN_TIMEOUT, "the condition never held");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        child.start_kill().expect("SIGKILL");
        let run = to_run(child.wait_with_output().await.expect("wait"));
        assert_eq!(run.code, -1, "killed by a signal: {}", run.stderr);
        run
    }

    // ---- the rotation's inputs -------------------------------------------------------

    /// `--cert FILE --key FILE` of the renewed certificate.
    pub fn cert_args(&self) -> Vec<String> {
        vec![
            "--cert".into(),
            self.files.renewed_cert.display().to_string(),
            "--key".into(),
            self.files.renewed_key.display().to_string(),
        ]
    }

    /// `<command> --yes --ingress default/web --cert … --key …` plus `more`.
    pub fn start_args(&self, command: &str, more: &[&str]) -> Vec<String> {
        let mut args = vec![
            command.to_string(),
            "--yes".into(),
            "--ingress".into(),
            INGRESS.into(),
        ];
        args.extend(self.cert_args());
        args.extend(more.iter().map(|s| s.to_string()));
        args
    }

    /// The renewed certificate's fingerprint.
    pub fn new_fp(&self) -> String {
        leaf_sha256(&self.sandbox.certs().renewed.chain_pem)
    }

    /// The live (old) certificate's fingerprint.
    pub fn old_fp(&self) -> String {
        leaf_sha256(&self.sandbox.certs().live.chain_pem)
    }

    /// The renewed key, PEM.
    pub fn new_key_pem(&self) -> String {
        String::from_utf8(self.sandbox.certs().renewed.key.expose().to_vec()).unwrap()
    }

    /// The green Ingress's name: `web-<first 8 of the new fingerprint>`.
    pub fn green_ingress(&self) -> String {
        format!("web-{}", &self.new_fp()[..8])
    }

    /// The green Secret's name.
    pub fn green_secret(&self) -> String {
        format!("web-tls-{}", &self.new_fp()[..8])
    }

    // ---- the state file --------------------------------------------------------------

    /// The default state file (`rotate-cert.default.web.state.json` in the work dir).
    pub fn state_path(&self) -> PathBuf {
        self.path(STATE_FILE)
    }

    /// The default state file, parsed.
    pub fn state(&self) -> Value {
        read_json(&self.state_path()).expect("the state file exists and parses")
    }

    /// Every step's status in the default state file.
    pub fn steps(&self) -> BTreeMap<String, String> {
        step_statuses(&self.state())
    }
}

fn join<S: AsRef<str>>(args: &[S]) -> String {
    args.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ")
}

fn to_run(out: std::process::Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A JSON file, parsed (None when missing or not JSON).
pub fn read_json(path: &Path) -> Option<Value> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// Waits until `ready` holds for the state file at `path` (polled; at most
/// [`RUN_TIMEOUT`]).
pub async fn wait_for_state(path: &Path, ready: impl Fn(&Value) -> bool) {
    let start = Instant::now();
    while !read_json(path).is_some_and(|doc| ready(&doc)) {
        assert!(
            start.elapsed() < RUN_TIMEOUT,
            "the state file never got there"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Every step's status in a state document.
pub fn step_statuses(doc: &Value) -> BTreeMap<String, String> {
    doc["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Whether step `name` is `status` in a state document.
pub fn step_is(doc: &Value, name: &str, status: &str) -> bool {
    doc["steps"]
        .as_array()
        .is_some_and(|s| s.iter().any(|s| s["name"] == name && s["status"] == status))
}

/// Every stdout line parsed as JSON; panics on any line that is not a JSON object.
pub fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {l}"));
            assert!(v.is_object(), "{l}");
            v
        })
        .collect()
}

/// Asserts a run's exit code, showing its output when it differs.
#[track_caller]
pub fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "exit code\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
}
