//! `rotate-cert check-cert`: validates the `--hostname` flags, calls
//! [`crate::ops::check_cert::check_cert`], and renders the report — a summary block and one
//! line per check on stdout in human mode, exactly one JSON object in JSON mode. Exit 0 when
//! the preflight passes (warnings allowed), 2 when it does not. Key material is never shown.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::Printer;
use crate::cert::{CertSummary, Check, CheckStatus, Report, validate_hostname};
use crate::exit::{ExitCode, Stop};
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

/// The JSON object `check-cert --output json` prints.
#[derive(Debug, Serialize)]
struct JsonReport<'a> {
    cert: &'a str,
    key: &'a str,
    passed: bool,
    exit_code: u8,
    summary: &'a Option<CertSummary>,
    checks: &'a [Check],
}

/// Runs the preflight and renders the report.
pub async fn run(printer: &Printer, args: CheckCertArgs) -> anyhow::Result<ExitCode> {
    let mut hostnames = Vec::with_capacity(args.hostnames.len());
    for host in &args.hostnames {
        let host = validate_hostname(host)
            .map_err(|msg| Stop::bad_input(format!("invalid `--hostname`: {msg}")))?;
        if !hostnames.contains(&host) {
            hostnames.push(host);
        }
    }
    let report = crate::ops::check_cert::check_cert(
        &args.cert,
        &args.key,
        &hostnames,
        args.min_validity.get(),
    )
    .map_err(Stop::from)?;
    let code = if report.passed() {
        ExitCode::Success
    } else {
        ExitCode::BadInput
    };
    if printer.human() {
        printer.data(render_human(&report));
    } else {
        printer.json(&JsonReport {
            cert: &args.cert.display().to_string(),
            key: &args.key.display().to_string(),
            passed: report.passed(),
            exit_code: code.code(),
            summary: &report.summary,
            checks: &report.checks,
        });
    }
    Ok(code)
}

/// The human report: summary block, one line per check, a result line.
fn render_human(report: &Report) -> String {
    let mut out = String::new();
    if let Some(s) = &report.summary {
        let or_none = |list: &[String]| {
            if list.is_empty() {
                "(none)".to_string()
            } else {
                list.join(", ")
            }
        };
        let mut rows = vec![
            ("subject", or_none(std::slice::from_ref(&s.subject))),
            ("sans", or_none(&s.sans)),
        ];
        if !s.ip_sans.is_empty() {
            rows.push(("ip sans", s.ip_sans.join(", ")));
        }
        rows.extend([
            ("issuer", or_none(std::slice::from_ref(&s.issuer))),
            ("serial", s.serial.clone()),
            ("not before", s.not_before.clone()),
            ("not after", s.not_after.clone()),
            ("key type", s.key_type.to_string()),
            ("sha256", s.sha256.clone()),
            ("chain", format!("{} certificate(s)", s.chain_len)),
        ]);
        for (name, value) in rows {
            let value = if value.is_empty() {
                "(empty)".into()
            } else {
                value
            };
            let _ = writeln!(out, "{name:<11} {value}");
        }
        out.push('\n');
    }
    for check in &report.checks {
        let status = match check.status {
            CheckStatus::Pass => "ok",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "FAIL",
        };
        let _ = writeln!(out, "{status:<5} {:<13} {}", check.id, check.message);
    }
    let fails = report.count(CheckStatus::Fail);
    let warns = report.count(CheckStatus::Warn);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let _ = if report.passed() && warns == 0 {
        writeln!(out, "\nresult: passed")
    } else if report.passed() {
        writeln!(out, "\nresult: passed with {}", plural(warns, "warning"))
    } else {
        writeln!(
            out,
            "\nresult: FAILED ({}, {}); nothing was changed",
            plural(fails, "failed check"),
            plural(warns, "warning")
        )
    };
    out
}
