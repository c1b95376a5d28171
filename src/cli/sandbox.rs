//! `rotate-cert sandbox …`: the simulated GKE + Google Cloud as a user-facing feature.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::Printer;
use crate::exit::ExitCode;
use crate::sandbox::config::DEFAULT_TIME_SCALE;
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
        Ok(f) if f.is_finite() && f > 0.0 && f <= 10.0 => Ok(f),
        _ => Err(format!(
            "`{s}` is not a time scale: expected a number in (0, 10], e.g. 0.05"
        )),
    }
}

/// Runs a `sandbox` subcommand.
pub async fn run(printer: &Printer, cmd: SandboxCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SandboxCommand::Up(args) => up(printer, args).await,
    }
}

async fn up(printer: &Printer, args: UpArgs) -> anyhow::Result<ExitCode> {
    use anyhow::Context;
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
    wait_for_signal().await?;
    printer.note("sandbox: stopping");
    sandbox.stop().await;
    Ok(ExitCode::Success)
}

/// Waits for SIGINT or SIGTERM.
async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    Ok(())
}
