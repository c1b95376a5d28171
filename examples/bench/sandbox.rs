//! The sandbox as its own process (`rotate-cert sandbox up --dir D --time-scale F`), the
//! environment every child gets (the variables of `D/env`, `HOME` in a temporary
//! directory, and a short allow-list of the bench's own: `PATH`, locale, pyenv), its
//! control API (`/sandbox/v1/stats`, `seed`, `inventory`) and what `/proc` says about
//! its CPU time and memory.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rotate_cert::sandbox::config::{RealisticDelays, Timing};
use rotate_cert::sandbox::core::StatsSnapshot;
use rotate_cert::sandbox::files::read_env;
use serde_json::{Value, json};

use super::http;

/// Variables of the bench's own environment that children may need (tools on `PATH`,
/// pyenv shims for gcloud's Python, locale). Everything else is cleared.
const PASS_THROUGH: [&str; 9] = [
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "TMPDIR",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "CLOUDSDK_PYTHON",
    "SSL_CERT_FILE",
];

/// A running sandbox process.
pub struct Sandbox {
    child: Child,
    _stdout: ChildStdout,
    /// Its directory (`env`, kubeconfig, key file, `certs/`).
    pub dir: PathBuf,
    /// `HOME` of every child run against it.
    pub home: PathBuf,
    /// The variables of its env file.
    pub vars: Vec<(String, String)>,
    /// `http://127.0.0.1:PORT/`.
    pub base: String,
    /// Its timing, from its own inventory.
    pub timing: Timing,
}

/// One seeded site (from `POST /sandbox/v1/seed`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Site {
    /// `namespace/name`.
    pub ingress: String,
    /// Renewed certificate, PEM.
    pub renewed_cert: String,
    /// Its key, PEM.
    pub renewed_key: String,
}

/// CPU time and memory of a process, from `/proc`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ProcUsage {
    /// utime + stime, seconds (`/proc/<pid>/stat`).
    pub cpu_secs: f64,
    /// Peak resident set, kB (`VmHWM` in `/proc/<pid>/status`).
    pub peak_rss_kb: u64,
}

impl Sandbox {
    /// Starts `bin sandbox up` in `dir` at `scale` and waits until it is ready.
    pub fn start(bin: &Path, dir: &Path, scale: f64) -> anyhow::Result<Sandbox> {
        let home = dir.join("home");
        fs::create_dir_all(&home)?;
        let files = dir.join("sandbox");
        let log = fs::File::create(dir.join("sandbox.log"))?;
        let mut cmd = Command::new(bin);
        cmd.args(["sandbox", "up", "--output", "json", "--dir"])
            .arg(&files)
            .args(["--time-scale", &scale.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log);
        base_env(&mut cmd, &home);
        let mut child = cmd
            .spawn()
            .context("cannot start `rotate-cert sandbox up`")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                if serde_json::from_str::<Value>(&line).is_ok_and(|v| v["event"] == "ready") {
                    let _ = tx.send(());
                    break;
                }
                line.clear();
            }
            lines.into_inner()
        });
        if rx.recv_timeout(Duration::from_secs(60)).is_err() {
            let _ = child.kill();
            let _ = child.wait();
            bail!(
                "the sandbox did not get ready; its log: {}",
                fs::read_to_string(dir.join("sandbox.log")).unwrap_or_default()
            );
        }
        let stdout = reader
            .join()
            .map_err(|_| anyhow::anyhow!("stdout reader panicked"))?;
        let vars = read_env(&files.join("env"))?;
        let base = vars
            .iter()
            .find(|(k, _)| k == "CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS")
            .map(|(_, v)| v.clone())
            .context("the env file names no API endpoint")?;
        let inventory = http::request(&base, "GET", "/sandbox/v1/inventory", None)?;
        let realistic: RealisticDelays =
            serde_json::from_value(inventory["timing"]["realistic"].clone())
                .context("the inventory has no timing")?;
        let timing = Timing::new(
            inventory["timing"]["scale"].as_f64().unwrap_or(scale),
            realistic,
        );
        if inventory["timing"]["ttl_secs"].as_u64() != Some(u64::from(timing.ttl_secs)) {
            bail!(
                "the sandbox's timing does not follow `Timing::new`: {}",
                inventory["timing"]
            );
        }
        Ok(Sandbox {
            child,
            _stdout: stdout,
            dir: files,
            home,
            vars,
            base,
            timing,
        })
    }

    /// The sandbox process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A command for `program` with the sandbox's environment and nothing else.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut cmd = Command::new(program);
        base_env(&mut cmd, &self.home);
        cmd.envs(self.vars.iter().map(|(k, v)| (k, v)));
        cmd.stdin(Stdio::null());
        cmd
    }

    /// The renewed certificate and key `sandbox up` wrote for the demo Ingress.
    pub fn renewed(&self) -> (PathBuf, PathBuf) {
        (
            self.dir.join("certs/renewed.pem"),
            self.dir.join("certs/renewed.key"),
        )
    }

    /// Forgets the request counts.
    pub fn reset_stats(&self) -> anyhow::Result<()> {
        http::request(&self.base, "DELETE", "/sandbox/v1/stats", None).map(drop)
    }

    /// Request counts per API and method since the last reset.
    pub fn stats(&self) -> anyhow::Result<StatsSnapshot> {
        let v = http::request(&self.base, "GET", "/sandbox/v1/stats", None)?;
        Ok(serde_json::from_value(v)?)
    }

    /// Seeds `count` more provisioned sites.
    pub fn seed(&self, count: usize) -> anyhow::Result<Vec<Site>> {
        let v = http::request(
            &self.base,
            "POST",
            "/sandbox/v1/seed",
            Some(&json!({"count": count})),
        )?;
        Ok(serde_json::from_value(v["sites"].clone())?)
    }

    /// CPU time and peak memory so far.
    pub fn usage(&self) -> anyhow::Result<ProcUsage> {
        proc_usage(self.pid())
    }

    /// Stops the sandbox (SIGTERM, then SIGKILL after 5 s).
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.terminate();
    }
}

/// Clears the environment but for [`PASS_THROUGH`] and sets `HOME`.
pub fn base_env(cmd: &mut Command, home: &Path) {
    cmd.env_clear();
    for k in PASS_THROUGH {
        if let Some(v) = std::env::var_os(k) {
            cmd.env(k, v);
        }
    }
    cmd.env("HOME", home);
}

/// utime + stime and `VmHWM` of a live process.
pub fn proc_usage(pid: u32) -> anyhow::Result<ProcUsage> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which may hold spaces) start with field 3.
    let rest = stat.rsplit_once(')').context("odd /proc/pid/stat")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| -> anyhow::Result<f64> {
        Ok(fields
            .get(i)
            .context("short /proc/pid/stat")?
            .parse::<u64>()? as f64)
    };
    let hz = nix::unistd::sysconf(nix::unistd::SysconfVar::CLK_TCK)
        .ok()
        .flatten()
        .unwrap_or(100) as f64;
    // utime is field 14, stime field 15: indexes 11 and 12 after field 2.
    let cpu_secs = (ticks(11)? + ticks(12)?) / hz;
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let peak_rss_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .context("no VmHWM in /proc/pid/status")?;
    Ok(ProcUsage {
        cpu_secs,
        peak_rss_kb,
    })
}

/// Writes a private file (mode 0600), for keys.
pub fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    Ok(())
}
