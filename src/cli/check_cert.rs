//! `rotate-cert check-cert`.

use std::path::PathBuf;

use clap::Args;

use super::Printer;
use crate::exit::ExitCode;
use crate::util::duration::HumanDuration;

/// Arguments of `check-cert`.
#[derive(Debug, Args)]
pub struct CheckCertArgs {
    /// PEM file with the certificate chain, leaf first
    #[arg(long, value_name = "FILE")]
    pub cert: PathBuf,
    /// PEM file with the private key (PKCS#8, PKCS#1 or SEC1; not encrypted)
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// A hostname the certificate must cover (repeatable)
    #[arg(long = "hostname", value_name = "HOST")]
    pub hostnames: Vec<String>,
    /// Fail when the certificate expires within this time
    #[arg(long, value_name = "DURATION", default_value = "14d")]
    pub min_validity: HumanDuration,
}

/// Runs the preflight and renders the report.
pub async fn run(_printer: &Printer, _args: CheckCertArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("check-cert is being built")
}
