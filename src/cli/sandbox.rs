//! `rotate-cert sandbox …`: the simulated GKE + Google Cloud as a user-facing feature.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Printer;
use crate::exit::ExitCode;
use crate::sandbox::config::DEFAULT_TIME_SCALE;
use crate::sandbox::load::{Load, LoadConfig, LoadReport};
use crate::sandbox::{Sandbox, SandboxOptions, files};

/// `sandbox` subcommands.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Start the sandbox on loopback, write its files into DIR, and serve until Ctrl-C
    #[command(
        long_about = "Start the sandbox on loopback and serve until SIGINT/SIGTERM.\n\n\
It simulates GKE and Google Cloud with the real wire protocols: Compute v1, Cloud DNS v1, Cloud \
Monitoring v3, an OAuth token endpoint and the Kubernetes API on one HTTP port; a real DNS server \
(UDP and TCP); real TLS listeners on 127.x.y.z addresses for every load balancer; and a simulated \
ingress-gce controller. It seeds a demo world (Ingress `default/web` serving www.example.test and \
api.example.test with a certificate that expires soon) and writes into DIR:\n\n  \
env                   `export` lines pointing rotate-cert, gcloud and kubectl at the sandbox\n  \
kubeconfig            a kubeconfig for the sandbox's API server\n  \
service-account.json  a service-account key whose token_uri is the sandbox\n  \
certs/ca.pem          the sandbox CA\n  \
certs/renewed.pem     a renewed certificate for both hosts (and certs/renewed.key)\n\n\
Then: `source DIR/env && rotate-cert rotate --ingress default/web --cert DIR/certs/renewed.pem --key DIR/certs/renewed.key`"
    )]
    Up(UpArgs),

    /// Start a sandbox, put it under load, rotate its Ingress, and report what clients saw
    #[command(
        long_about = "Start a sandbox, run a load of HTTPS clients against its demo Ingress (each resolving \
through the sandbox DNS and honouring TTLs, keeping connections alive, verifying the certificate), perform a \
full `rotate` to the renewed certificate with progress shown, and end with a summary: requests served and \
failed, old and new IP, and the time each step took. About a minute at the default time scale. Exit 0 when \
the rotation succeeded and no request failed."
    )]
    Demo(DemoArgs),

    /// Run HTTPS clients against a running sandbox (resolving through its DNS) and report
    Load(LoadArgs),
}

/// Arguments of `sandbox demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Multiply every realistic delay by this factor
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_TIME_SCALE, value_parser = parse_scale)]
    pub time_scale: f64,
    /// Concurrent clients
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub clients: u16,
    /// Keep the sandbox files and the state file in DIR (default: a temporary directory, removed at the end)
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `sandbox load`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The directory `sandbox up` wrote (its `env` names the DNS server, port and CA)
    #[arg(long, value_name = "DIR", default_value = "rotate-cert-sandbox")]
    pub dir: PathBuf,
    /// Concurrent clients
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=500))]
    pub clients: u16,
    /// Stop after this long (default: at Ctrl-C)
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<crate::util::duration::HumanDuration>,
    /// Host to request (repeatable)
    #[arg(long = "host", value_name = "HOST", default_values_t = crate::sandbox::seed::HOSTS.map(String::from))]
    pub hosts: Vec<String>,
}

/// Arguments of `sandbox up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Directory for the env file, kubeconfig, key file and certificates
    #[arg(long, value_name = "DIR", default_value = "rotate-cert-sandbox")]
    pub dir: PathBuf,
    /// Multiply every realistic delay by this factor (1 = real pace: a rotation takes
    /// about 20 minutes; the default makes it about a minute)
    #[arg(long, value_name = "FACTOR", default_value_t = DEFAULT_TIME_SCALE, value_parser = parse_scale)]
    pub time_scale: f64,
    /// HTTP port on 127.0.0.1 (0 = any free port)
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub http_port: u16,
    /// DNS port on 127.0.0.1, UDP and TCP (0 = any free port)
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub dns_port: u16,
    /// The load balancers' TLS port (0 = any free port)
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub lb_port: u16,
}

fn parse_scale(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        // Below 0.001 the 60 s Monitoring sampling period and the front ends' connection
        // age shrink under a few tens of milliseconds, shorter than the work they pace.
        Ok(f) if f.is_finite() && (0.001..=10.0).contains(&f) => Ok(f),
        _ => Err(format!(
            "`{s}` is not a time scale: expected a number in [0.001, 10], e.g. 0.05"
        )),
    }
}

/// Runs a `sandbox` subcommand.
pub async fn run(printer: &Printer, cmd: SandboxCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SandboxCommand::Up(args) => up(printer, args).await,
        SandboxCommand::Demo(args) => demo(printer, args).await,
        SandboxCommand::Load(args) => load(printer, args).await,
    }
}

async fn up(printer: &Printer, args: UpArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    // Listen before saying "ready": a SIGTERM sent as soon as the ready line appears must
    // stop the sandbox cleanly, not kill it with the default action.
    let stop = StopSignals::listen()?;
    let opts = SandboxOptions {
        time_scale: args.time_scale,
        http_port: args.http_port,
        dns_port: args.dns_port,
        lb_port: args.lb_port,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(opts)
        .await
        .context("cannot start the sandbox")?;
    let written = files::write(&args.dir, &sandbox).with_context(|| {
        format!(
            "cannot write the sandbox files into `{}`",
            args.dir.display()
        )
    })?;
    let ep = sandbox.endpoints();
    if printer.human() {
        printer.note(format!(
            "sandbox: HTTP http://{} · DNS {} (udp+tcp) · load balancers on port {} · time scale {}",
            ep.http, ep.dns, ep.lb_port, args.time_scale
        ));
        printer.data(format!("sandbox ready: source {}\n", written.env.display()));
    } else {
        printer.json(&serde_json::json!({
            "event": "ready", "dir": written.dir, "env": written.env, "http": ep.http.to_string(),
            "dns": ep.dns.to_string(), "lb_port": ep.lb_port, "time_scale": args.time_scale,
        }));
    }
    stop.wait().await;
    printer.note("sandbox: stopping");
    sandbox.stop().await;
    Ok(ExitCode::Success)
}

/// SIGINT and SIGTERM, listened for from the moment this is made (the default action,
/// ending the process at once, no longer applies).
struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn listen() -> anyhow::Result<StopSignals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopSignals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// Waits for either.
    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}

/// The demo's load: both hosts, the app and the static path.
fn demo_load(
    dns: std::net::SocketAddr,
    port: u16,
    ca_pem: String,
    clients: usize,
    hosts: Vec<String>,
) -> LoadConfig {
    LoadConfig {
        hosts,
        paths: vec!["/".into(), "/static/app.css".into()],
        clients,
        dns,
        port,
        ca_pem,
        pause: std::time::Duration::from_millis(20),
    }
}

async fn demo(printer: &Printer, args: DemoArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let started = std::time::Instant::now();
    let opts = SandboxOptions {
        time_scale: args.time_scale,
        ..SandboxOptions::default()
    };
    let sandbox = Sandbox::start(opts)
        .await
        .context("cannot start the sandbox")?;
    let temp = args.dir.is_none();
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("rotate-cert-demo-{}", std::process::id()))
    });
    let files = files::write(&dir, &sandbox)
        .with_context(|| format!("cannot write the sandbox files into `{}`", dir.display()))?;
    let ep = sandbox.endpoints().clone();
    printer.note(format!(
        "demo: sandbox on http://{} (time scale {}), {} clients on www.example.test and api.example.test",
        ep.http, args.time_scale, args.clients
    ));
    let hosts: Vec<String> = crate::sandbox::seed::HOSTS
        .iter()
        .map(|h| h.to_string())
        .collect();
    let load = Load::start(demo_load(
        ep.dns,
        ep.lb_port,
        sandbox.certs().ca.pem.clone(),
        args.clients as usize,
        hosts,
    ))
    .map_err(|e| anyhow::anyhow!("cannot start the clients: {e}"))?;
    // Let the clients settle on blue first, so the drain has traffic to watch.
    tokio::time::sleep(sandbox.world().core.timing.sampling).await;
    let state = files.dir.join("rotation.state.json");
    let exe = std::env::current_exe().context("cannot find the rotate-cert executable")?;
    let mut cmd = tokio::process::Command::new(exe);
    cmd.args(["rotate", "--yes", "--ingress", "default/web", "--cert"])
        .arg(&files.renewed_cert)
        .arg("--key")
        .arg(&files.renewed_key)
        .arg("--state")
        .arg(&state)
        .arg("--output")
        .arg(if printer.human() { "human" } else { "json" })
        .envs(files.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("HOME", &files.dir)
        .kill_on_drop(true);
    if printer.quiet {
        cmd.arg("--quiet");
    }
    let status = cmd
        .status()
        .await
        .context("cannot run `rotate-cert rotate`")?;
    let report = load.stop().await;
    let doc = crate::ops::rotation::read(&state).ok();
    let summary = demo_summary(&report, doc.as_ref(), started.elapsed());
    if printer.human() {
        printer.data(summary);
    } else {
        printer.json(&serde_json::json!({
            "event": "demo-summary",
            "rotation_ok": status.success(),
            "requests": report.total(),
            "failed": report.failed,
            "load": report,
            "steps": doc.as_ref().map(super::show::steps_json),
            "ip": doc.as_ref().map(|d| serde_json::json!({"from": d.rotation.blue.ip, "to": d.rotation.green.ip})),
        }));
    }
    sandbox.stop().await;
    if temp {
        let _ = std::fs::remove_dir_all(&files.dir);
    }
    if !status.success() {
        return Ok(ExitCode::Failed);
    }
    Ok(if report.failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}

fn demo_summary(
    report: &LoadReport,
    doc: Option<&crate::state::Document<crate::workflow::record::Rotation>>,
    elapsed: std::time::Duration,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\ndemo summary ({})",
        crate::util::duration::format_duration(elapsed)
    );
    let _ = writeln!(
        out,
        "  requests   {} served, {} failed",
        report.ok, report.failed
    );
    if report.retried > 0 {
        let _ = writeln!(
            out,
            "  resent     {} (their kept-alive connection closed before any answer)",
            report.retried
        );
    }
    for (pair, n) in &report.served {
        let _ = writeln!(out, "  served     {pair}: {n} requests");
    }
    if let Some(doc) = doc {
        let r = &doc.rotation;
        let _ = writeln!(
            out,
            "  blue       {} {} (certificate {})",
            r.blue.name,
            r.blue.ip,
            r.blue
                .serving
                .values()
                .next()
                .map(|s| crate::steps::short(s))
                .unwrap_or("?")
        );
        let _ = writeln!(
            out,
            "  green      {} {} (certificate {})",
            r.green.ingress,
            r.green.ip.clone().unwrap_or_default(),
            crate::steps::short(&r.cert.sha256)
        );
        let _ = writeln!(out, "  steps");
        for s in &doc.steps {
            let secs = s
                .started_at
                .as_deref()
                .and_then(crate::util::time::parse_rfc3339)
                .zip(
                    s.finished_at
                        .as_deref()
                        .and_then(crate::util::time::parse_rfc3339),
                )
                .and_then(|(a, b)| b.duration_since(a).ok());
            let _ = writeln!(
                out,
                "    {:<22} {:<8} {}",
                s.name,
                s.status.to_string(),
                secs.map(crate::util::duration::format_duration)
                    .unwrap_or_default()
            );
        }
    }
    for e in &report.errors {
        let _ = writeln!(out, "  failure    {e}");
    }
    out
}

async fn load(printer: &Printer, args: LoadArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
    let env = files::read_env(&args.dir.join("env")).with_context(|| {
        format!(
            "cannot read `{}/env`: start a sandbox with `rotate-cert sandbox up --dir {}`",
            args.dir.display(),
            args.dir.display()
        )
    })?;
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let dns = get("ROTATE_CERT_NAMESERVER")
        .and_then(|s| s.parse().ok())
        .context("the env file names no DNS server")?;
    let port = get("ROTATE_CERT_PROBE_PORT")
        .and_then(|s| s.parse().ok())
        .context("the env file names no load-balancer port")?;
    let ca = get("ROTATE_CERT_CA_FILE").context("the env file names no CA")?;
    let ca_pem =
        std::fs::read_to_string(&ca).with_context(|| format!("cannot read the CA `{ca}`"))?;
    let stop = match args.duration {
        Some(_) => None,
        None => Some(StopSignals::listen()?),
    };
    let load = Load::start(demo_load(
        dns,
        port,
        ca_pem,
        args.clients as usize,
        args.hosts.clone(),
    ))
    .map_err(|e| anyhow::anyhow!("cannot start the clients: {e}"))?;
    printer.note(format!(
        "load: {} clients on {} (Ctrl-C to stop)",
        args.clients,
        args.hosts.join(", ")
    ));
    let until = async {
        match args.duration {
            Some(d) => tokio::time::sleep(d.get()).await,
            None => {
                if let Some(stop) = stop {
                    stop.wait().await;
                }
            }
        }
    };
    tokio::pin!(until);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = &mut until => break,
            _ = tick.tick() => {
                if printer.progress_enabled() {
                    let r = load.report();
                    eprint!("\rload: {} ok, {} failed    ", r.ok, r.failed);
                }
            }
        }
    }
    let report = load.stop().await;
    if printer.human() {
        printer.data(demo_summary(&report, None, std::time::Duration::ZERO));
    } else {
        printer.json(&report);
    }
    Ok(if report.failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failed
    })
}
