//! The command line: clap types, one thin handler per subcommand, and rendering.
//!
//! Only this module knows clap and indicatif. Handlers parse flags into the `ops` layer's
//! inputs, call one `ops` function, and render what it returns through the [`Printer`]:
//! data on stdout, messages for people on stderr. Handlers decide nothing.

mod args;
mod check_cert;
mod completions;
mod progress;
pub mod render;
mod rotation;
#[cfg(feature = "sandbox")]
mod sandbox;
mod show;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::ExitCode;
pub use render::Printer;

/// Rotate the TLS certificate of a GKE Ingress / Google Cloud HTTPS load balancer with
/// zero downtime, by blue/green.
#[derive(Debug, Parser)]
#[command(
    name = "rotate-cert",
    version,
    about = "Rotate the TLS certificate of a GKE Ingress / Google Cloud HTTPS load balancer with zero downtime, by blue/green",
    long_about = "Rotate the TLS certificate of a GKE Ingress / Google Cloud HTTPS load balancer with zero downtime, by blue/green.\n\n\
A parallel (\"green\") Secret and Ingress are built beside the live (\"blue\") one and proven by TLS handshake; Cloud DNS is switched to the green IP in one atomic change; the blue load balancer drains (watched in Cloud Monitoring); then the blue stack is removed. Every step is recorded in a state file, so an interrupted run can be resumed or rolled back.",
    after_help = EXIT_CODES_HELP,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The exit-code table shown at the end of `--help`.
const EXIT_CODES_HELP: &str = "Exit codes:
  0    done, or nothing to do
  1    failed; a rotation in progress is saved: `resume` or `rollback` finishes it
  2    bad input or usage (flags, files, certificate preflight); nothing changed
  3    refused by a safety check (the live world is not as expected); nothing unsafe done
  4    state file locked by another run, corrupt, from a newer rotate-cert, or holding an unfinished rotation
  130  interrupted (Ctrl-C / SIGTERM); state saved, `resume` continues";

/// Global options; each can also be set from its `ROTATE_CERT_*` environment variable.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The state file that records a rotation [default: `rotate-cert.<namespace>.<name>.state.json`
    /// in the current directory, from `--ingress`]
    #[arg(long, global = true, env = "ROTATE_CERT_STATE", value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// Output format: `human` (messages and progress on stderr) or `json` (one JSON
    /// object or event per line on stdout)
    #[arg(long, global = true, env = "ROTATE_CERT_OUTPUT", value_enum, default_value_t = OutputMode::Human)]
    pub output: OutputMode,

    /// Google Cloud project [default: from the credentials, or `CLOUDSDK_CORE_PROJECT`]
    #[arg(
        long,
        global = true,
        env = "ROTATE_CERT_PROJECT",
        value_name = "PROJECT"
    )]
    pub project: Option<String>,

    /// Kubernetes context from the kubeconfig [default: the current context]
    #[arg(
        long,
        global = true,
        env = "ROTATE_CERT_CONTEXT",
        value_name = "CONTEXT"
    )]
    pub context: Option<String>,

    /// Print only errors (no progress, no step lines)
    #[arg(
        short,
        long,
        global = true,
        env = "ROTATE_CERT_QUIET",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new(),
        conflicts_with = "verbose"
    )]
    pub quiet: bool,

    /// More detail on stderr; repeat for debug logs (`-vv`)
    #[arg(short, long, global = true, action = clap::ArgAction::Count, env = "ROTATE_CERT_VERBOSE")]
    pub verbose: u8,

    /// Answer yes to confirmations (required for changes when stdin is not a terminal)
    #[arg(
        short = 'y',
        long,
        global = true,
        env = "ROTATE_CERT_YES",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub yes: bool,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputMode {
    /// Messages and progress for people, on stderr.
    Human,
    /// Machine-readable JSON on stdout.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a certificate and key before rotating to them (exit 0 pass, 2 fail)
    #[command(
        long_about = "Check a certificate chain and private key before rotating to them.\n\n\
Reports every problem at once: PEM parsing of the chain (leaf first) and key (PKCS#8, PKCS#1 or SEC1), \
that the key matches the leaf, chain order (each certificate signed by the next, at most 5), that the \
leaf is not a CA, key types Google Cloud accepts (RSA 2048/3072/4096, ECDSA P-256/P-384), validity \
(not yet valid, expired, expiring within --min-validity) and that every --hostname is covered by the \
SANs (wildcards cover exactly one label). Exit 0 when it passes, 2 when it does not. Key material is \
never printed."
    )]
    CheckCert(check_cert::CheckCertArgs),

    /// Show what a rotation would change, without changing anything
    #[command(
        long_about = "Show what a rotation would change, without changing anything.\n\n\
Reads the live Ingress, its load balancer (through ingress-gce's annotations and Compute), what its IP serves, \
the Cloud DNS zone(s) and A records of every host, and runs the certificate preflight; then prints every change \
with the exact names it would create and the waits it expects. Refuses with the reason (exit 2 for bad input, \
3 when the live world is not as expected) when the Ingress is not class gce, a record does not point at the \
blue IP, the certificate fails preflight or does not cover every TLS host, or the blue stack is not healthy. \
Exit 0 with \"nothing to do\" when the new certificate is already served. Writes nothing."
    )]
    Plan(rotation::StartArgs),

    /// Rotate: plan, confirm, then run every step (create, switch-dns, drain, cleanup)
    #[command(
        long_about = "Rotate the certificate of an Ingress by blue/green: plan, confirm (on a terminal; \
`--yes` otherwise), then create the green Secret and Ingress and prove them, switch DNS, wait for blue to \
drain, and delete blue. Every step is recorded in the state file; an interrupted run is finished with \
`resume` or undone with `rollback`."
    )]
    Rotate(rotation::StartArgs),

    /// Step 1: create the green Secret and Ingress and prove them by TLS handshake
    Create(rotation::StartArgs),

    /// Step 2: switch the DNS records to green (one atomic change per zone) and verify every nameserver
    SwitchDns(rotation::ContinueArgs),

    /// Step 3: wait until blue has drained (Cloud Monitoring request counts)
    Drain(rotation::ContinueArgs),

    /// Step 4: delete the blue Ingress (and what rotate-cert itself created for it)
    Cleanup(rotation::ContinueArgs),

    /// Continue a recorded rotation from where it stopped
    Resume(rotation::ContinueArgs),

    /// Show a recorded rotation and what DNS and both load balancers serve now
    Status(rotation::StatusArgs),

    /// Undo a rotation that has not reached cleanup (DNS back to blue, green removed)
    Rollback(rotation::ContinueArgs),

    /// Print a shell completion script to stdout
    #[command(long_about = "Print a shell completion script to stdout.\n\n\
Examples:\n  rotate-cert completions bash > ~/.local/share/bash-completion/completions/rotate-cert\n  \
rotate-cert completions zsh > \"${fpath[1]}/_rotate-cert\"\n  \
rotate-cert completions fish > ~/.config/fish/completions/rotate-cert.fish")]
    Completions(completions::CompletionsArgs),

    /// A simulated GKE + Google Cloud on loopback, for rehearsals and tests
    #[cfg(feature = "sandbox")]
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
}

/// Runs the parsed command line and returns the exit code. Errors are rendered here.
pub async fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(&cli.global);
    render::init_logging(&cli.global);
    let global = cli.global.clone();
    let result = match cli.command {
        Command::CheckCert(args) => check_cert::run(&printer, args).await,
        Command::Plan(args) => rotation::plan(&printer, &global, args).await,
        Command::Rotate(args) => rotation::start(&printer, &global, args, false).await,
        Command::Create(args) => rotation::start(&printer, &global, args, true).await,
        Command::SwitchDns(args) => {
            rotation::continue_rotation(&printer, &global, args, rotation::Continue::SwitchDns)
                .await
        }
        Command::Drain(args) => {
            rotation::continue_rotation(&printer, &global, args, rotation::Continue::Drain).await
        }
        Command::Cleanup(args) => {
            rotation::continue_rotation(&printer, &global, args, rotation::Continue::Cleanup).await
        }
        Command::Resume(args) => {
            rotation::continue_rotation(&printer, &global, args, rotation::Continue::Resume).await
        }
        Command::Rollback(args) => {
            rotation::continue_rotation(&printer, &global, args, rotation::Continue::Rollback).await
        }
        Command::Status(args) => rotation::status(&printer, &global, args).await,
        Command::Completions(args) => completions::run(args),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(cmd) => sandbox::run(&printer, cmd).await,
    };
    match result {
        Ok(code) => code,
        Err(err) => printer.error(&err),
    }
}

/// The clap command, for completions and documentation tests.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}
