//! Bad flags: conflicting or missing ones, malformed names, durations, numbers,
//! nameservers, zones, ports and output formats. Each is bad input (exit 2), refused
//! before anything is read or changed, naming the flag and what it expects.

use crate::harness::*;
use crate::support::sandbox::TestSandbox;

/// One case: the renewed certificate's `plan` or `rotate` command line, edited by `$edit`.
macro_rules! case {
    ($name:ident, $command:literal, $edit:expr, $want:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sb = TestSandbox::new().await;
            let edit: fn(&TestSandbox, Vec<String>) -> Vec<String> = $edit;
            let args = edit(&sb, with_renewed(&sb, $command, &[]));
            refused(&sb, &args, $want, &[]).await;
        }
    };
}

/// `args` plus `more`.
fn plus(mut args: Vec<String>, more: &[&str]) -> Vec<String> {
    args.extend(more.iter().map(|s| s.to_string()));
    args
}

/// `args` with the value after `flag` replaced by `value`.
fn set(mut args: Vec<String>, flag: &str, value: &str) -> Vec<String> {
    let i = args
        .iter()
        .position(|a| a == flag)
        .expect("the flag is there");
    args[i + 1] = value.to_string();
    args
}

/// `args` without `flag` and its value.
fn without(mut args: Vec<String>, flag: &str) -> Vec<String> {
    let i = args
        .iter()
        .position(|a| a == flag)
        .expect("the flag is there");
    args.drain(i..i + 2);
    args
}

case!(
    cert_and_from_secret_together,
    "rotate",
    |_, a| plus(a, &["--from-secret", "default/web-renewed"]),
    Want {
        code: BAD_INPUT,
        says: &["'--cert <FILE>' cannot be used with '--from-secret"],
        hint: None,
    }
);

case!(
    key_without_cert,
    "plan",
    |_, a| without(a, "--cert"),
    Want {
        code: BAD_INPUT,
        says: &["required arguments were not provided", "--cert <FILE>"],
        hint: None,
    }
);

case!(
    no_certificate_at_all,
    "plan",
    |_, a| without(without(a, "--cert"), "--key"),
    Want {
        code: BAD_INPUT,
        says: &["the new certificate is required", "--from-secret"],
        hint: None,
    }
);

case!(
    missing_ingress,
    "rotate",
    |_, a| without(a, "--ingress"),
    Want {
        code: BAD_INPUT,
        says: &["`--ingress NAMESPACE/NAME` is required"],
        hint: None,
    }
);

case!(
    ingress_with_capitals,
    "plan",
    |_, a| set(a, "--ingress", "Default/Web"),
    Want {
        code: BAD_INPUT,
        says: &["--ingress `Default/Web` is not NAMESPACE/NAME"],
        hint: None,
    }
);

case!(
    ingress_with_two_slashes,
    "rotate",
    |_, a| set(a, "--ingress", "default/web/x"),
    Want {
        code: BAD_INPUT,
        says: &["--ingress `default/web/x` is not NAMESPACE/NAME"],
        hint: None,
    }
);

case!(
    malformed_from_secret,
    "rotate",
    |_, a| plus(
        without(without(a, "--cert"), "--key"),
        &["--from-secret", "default/web tls"]
    ),
    Want {
        code: BAD_INPUT,
        says: &["--from-secret `default/web tls` is not NAMESPACE/NAME"],
        hint: None,
    }
);

case!(
    duration_with_an_unknown_unit,
    "rotate",
    |_, a| plus(a, &["--drain-timeout", "5x"]),
    Want {
        code: BAD_INPUT,
        says: &[
            "--drain-timeout",
            "invalid duration `5x`",
            "`ms`, `s`, `m`, `h`, `d`"
        ],
        hint: None,
    }
);

case!(
    zero_timeout,
    "plan",
    |_, a| plus(a, &["--create-timeout", "0s"]),
    Want {
        code: BAD_INPUT,
        says: &["--create-timeout must be longer than zero"],
        hint: None,
    }
);

case!(
    negative_drain_threshold,
    "rotate",
    |_, a| plus(a, &["--drain-threshold", "-1"]),
    Want {
        code: BAD_INPUT,
        says: &["--drain-threshold must be a number ≥ 0, not -1"],
        hint: None,
    }
);

case!(
    nan_drain_threshold,
    "plan",
    |_, a| plus(a, &["--drain-threshold", "NaN"]),
    Want {
        code: BAD_INPUT,
        says: &["--drain-threshold must be a number ≥ 0, not NaN"],
        hint: None,
    }
);

case!(
    nameserver_that_is_a_name,
    "rotate",
    |_, a| plus(a, &["--nameserver", "ns1.example.test"]),
    Want {
        code: BAD_INPUT,
        says: &[
            "--nameserver",
            "`ns1.example.test` is not a nameserver address",
            "IP:PORT"
        ],
        hint: None,
    }
);

case!(
    nameserver_on_port_zero,
    "plan",
    |_, a| plus(a, &["--nameserver", "127.0.0.1:0"]),
    Want {
        code: BAD_INPUT,
        says: &["--nameserver", "port 0"],
        hint: None,
    }
);

case!(
    zone_that_is_not_a_zone_name,
    "rotate",
    |_, a| plus(a, &["--zone", "Example_Test"]),
    Want {
        code: BAD_INPUT,
        says: &["--zone `Example_Test` is not a Cloud DNS zone name"],
        hint: None,
    }
);

case!(
    probe_port_out_of_range,
    "plan",
    |_, a| plus(a, &["--probe-port", "70000"]),
    Want {
        code: BAD_INPUT,
        says: &["invalid value '70000' for '--probe-port <PORT>'"],
        hint: None,
    }
);

case!(
    probe_port_zero,
    "rotate",
    |_, a| plus(a, &["--probe-port", "0"]),
    Want {
        code: BAD_INPUT,
        says: &["invalid value '0' for '--probe-port <PORT>'", "1..=65535"],
        hint: None,
    }
);

case!(
    unknown_output_format,
    "plan",
    |_, a| plus(a, &["--output", "yaml"]),
    Want {
        code: BAD_INPUT,
        says: &[
            "invalid value 'yaml' for '--output <OUTPUT>'",
            "human, json"
        ],
        hint: None,
    }
);

case!(
    rotate_without_yes_and_without_a_terminal,
    "rotate",
    |_, a| a.into_iter().filter(|x| x != "--yes").collect(),
    Want {
        code: BAD_INPUT,
        says: &["no terminal to ask on", "pass `--yes`"],
        hint: None,
    }
);

case!(
    quiet_period_shorter_than_a_sampling_period,
    "rotate",
    |_, a| plus(a, &["--quiet-period", "0s"]),
    Want {
        code: BAD_INPUT,
        says: &["--quiet-period (0ms) must be at least one --metric-sampling-period (300ms)"],
        hint: Some("--force"),
    }
);
