//! What `sandbox up` writes for the user: an `env` file of shell `export` lines that
//! point rotate-cert, gcloud and kubectl at the sandbox (with rotate-cert's own timing
//! settings scaled to the sandbox's pace), a kubeconfig, a service-account key whose
//! `token_uri` is the sandbox, and `certs/` (the sandbox CA and a renewed certificate).
//!
//! rotate-cert learns the sandbox's pace only through these ordinary settings; it has no
//! sandbox-specific knobs.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::config::Timing;
use super::{Sandbox, kube};
use crate::util::duration::format_duration;

/// Paths of the files written into the sandbox directory.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Files {
    /// The directory.
    pub dir: PathBuf,
    /// `env`.
    pub env: PathBuf,
    /// `kubeconfig`.
    pub kubeconfig: PathBuf,
    /// `service-account.json`.
    pub key_file: PathBuf,
    /// `certs/ca.pem`.
    pub ca: PathBuf,
    /// `certs/renewed.pem`.
    pub renewed_cert: PathBuf,
    /// `certs/renewed.key`.
    pub renewed_key: PathBuf,
    /// The variables the env file exports, in order.
    pub vars: Vec<(String, String)>,
}

/// rotate-cert's settings at the sandbox's pace: realistic defaults scaled by the time
/// scale (each is an ordinary flag/env var of rotate-cert).
pub fn rotate_cert_settings(t: &Timing) -> Vec<(&'static str, String)> {
    let d = |realistic: u64| format_duration(t.scaled(Duration::from_secs(realistic)));
    vec![
        (
            "ROTATE_CERT_METRIC_SAMPLING_PERIOD",
            format_duration(t.sampling),
        ),
        (
            "ROTATE_CERT_METRIC_INGESTION_DELAY",
            format_duration(t.ingestion),
        ),
        ("ROTATE_CERT_QUIET_PERIOD", d(180)),
        ("ROTATE_CERT_DRAIN_TIMEOUT", d(7200)),
        ("ROTATE_CERT_CREATE_TIMEOUT", d(1800)),
        ("ROTATE_CERT_DNS_TIMEOUT", d(600)),
        ("ROTATE_CERT_CLEANUP_TIMEOUT", d(1800)),
    ]
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(contents)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

/// Writes every file for `sandbox` into `dir` (created if needed).
pub fn write(dir: &Path, sandbox: &Sandbox) -> anyhow::Result<Files> {
    let certs = sandbox.certs();
    fs::create_dir_all(dir.join("certs"))?;
    let dir = fs::canonicalize(dir)?;
    let world = sandbox.world();
    let ep = sandbox.endpoints();
    let base = ep.base_url();
    let files = Files {
        env: dir.join("env"),
        kubeconfig: dir.join("kubeconfig"),
        key_file: dir.join("service-account.json"),
        ca: dir.join("certs/ca.pem"),
        renewed_cert: dir.join("certs/renewed.pem"),
        renewed_key: dir.join("certs/renewed.key"),
        dir: dir.clone(),
        vars: Vec::new(),
    };
    write_private(
        &files.kubeconfig,
        kube::kubeconfig_yaml(&ep.kube_url(), kube::TOKEN, "sandbox").as_bytes(),
    )?;
    let token_uri = format!("{base}token");
    write_private(
        &files.key_file,
        world
            .tokens
            .key_file(&world.core.project, &token_uri)
            .as_bytes(),
    )?;
    fs::write(&files.ca, &certs.ca.pem)?;
    fs::write(&files.renewed_cert, &certs.renewed.chain_pem)?;
    write_private(&files.renewed_key, certs.renewed.key.expose())?;

    let mut vars: Vec<(String, String)> = vec![
        (
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE".into(),
            format!("{base}compute/v1/"),
        ),
        ("CLOUDSDK_API_ENDPOINT_OVERRIDES_DNS".into(), base.clone()),
        (
            "CLOUDSDK_API_ENDPOINT_OVERRIDES_MONITORING".into(),
            base.clone(),
        ),
        ("CLOUDSDK_CORE_PROJECT".into(), world.core.project.clone()),
        (
            "CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE".into(),
            files.key_file.display().to_string(),
        ),
        // gcloud ignores the key file's token_uri and needs the token host set explicitly.
        ("CLOUDSDK_AUTH_TOKEN_HOST".into(), token_uri.clone()),
        (
            "GOOGLE_APPLICATION_CREDENTIALS".into(),
            files.key_file.display().to_string(),
        ),
        ("KUBECONFIG".into(), files.kubeconfig.display().to_string()),
        ("ROTATE_CERT_NAMESERVER".into(), ep.dns.to_string()),
        ("ROTATE_CERT_PROBE_PORT".into(), ep.lb_port.to_string()),
        ("ROTATE_CERT_CA_FILE".into(), files.ca.display().to_string()),
    ];
    vars.extend(
        rotate_cert_settings(&world.core.timing)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v)),
    );
    let mut env = String::from(
        "# rotate-cert sandbox: `source` this file to point rotate-cert, gcloud and kubectl at it\n",
    );
    env.push_str(&format!(
        "# time scale {} (every realistic delay multiplied by it)\n",
        world.core.timing.scale
    ));
    for (k, v) in &vars {
        env.push_str(&format!("export {k}={}\n", quote(v)));
    }
    fs::write(&files.env, env)?;
    let mut files = files;
    files.vars = vars;
    Ok(files)
}

/// Reads the variables an env file exports (the format [`write`] produces).
pub fn read_env(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = fs::read_to_string(path)?;
    let mut vars = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("export ") else {
            continue;
        };
        let Some((k, v)) = rest.split_once('=') else {
            continue;
        };
        let v = v
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .unwrap_or(v)
            .replace("'\\''", "'");
        vars.push((k.to_string(), v));
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_file_round_trips() {
        let dir = std::env::temp_dir().join(format!("rc-env-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let p = dir.join("env");
        fs::write(
            &p,
            format!(
                "# c\nexport A={}\nexport B={}\n",
                quote("x y"),
                quote("it's")
            ),
        )
        .unwrap();
        assert_eq!(
            read_env(&p).unwrap(),
            vec![("A".into(), "x y".into()), ("B".into(), "it's".into())]
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }
}
