//! The runbook a user would write instead of rotate-cert: the same blue/green rotation
//! with `kubectl` and `gcloud` in bash, run against a fresh sandbox like rotate-cert's.
//!
//! It uses gcloud as the sandbox's env file sets it up (its own service-account login
//! through `CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE`, in a temporary `CLOUDSDK_CONFIG`),
//! creates the Secret, applies an edited copy of the Ingress, polls `kubectl get` every 5
//! seconds (at the sandbox's pace) until the copy has an IP and HEALTHY backends, waits
//! with `curl` until the new IP answers every host (moving DNS to front ends that are not
//! programmed yet would send clients to a 502), updates each host's A record with gcloud,
//! then — having no view of the old load balancer's
//! traffic — sleeps what a careful operator must: twice the old TTL (resolvers that
//! stretch it) plus the HTTPS proxy's documented default keep-alive timeout
//! (`httpKeepAliveTimeoutSec`, 610 s), during which an idle client connection may still
//! send a request to the old load balancer; then deletes the old Ingress with `--wait`.
//! It verifies nothing else.

use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, bail};
use rotate_cert::sandbox::core::StatsSnapshot;

use super::sandbox::Sandbox;

/// The script (bash). Inputs: `RB_NS`, `RB_INGRESS`, `RB_CERT`, `RB_KEY`, `RB_ZONE`,
/// `RB_TTL`, `RB_DRAIN_SECS`, `RB_POLL_SECS` and the sandbox's env.
pub const SCRIPT: &str = r#"#!/usr/bin/env bash
# Blue/green certificate rotation of a GKE Ingress, by hand.
set -euo pipefail
NS=$RB_NS; BLUE=$RB_INGRESS; GREEN="$BLUE-green"; SECRET="$BLUE-tls-green"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# gcloud: a config of its own; the env file's service-account key logs it in
export CLOUDSDK_CONFIG="$work/gcloud" CLOUDSDK_CORE_DISABLE_PROMPTS=1 \
  CLOUDSDK_CORE_CHECK_GCE_METADATA=false CLOUDSDK_CORE_DISABLE_USAGE_REPORTING=true \
  CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=true
mkdir -p "$CLOUDSDK_CONFIG"

# 1. the new certificate as a Secret, and a copy of the Ingress that uses it
kubectl -n "$NS" create secret tls "$SECRET" --cert="$RB_CERT" --key="$RB_KEY"
kubectl -n "$NS" get ingress "$BLUE" -o json > "$work/blue.json"
cat > "$work/edit.py" <<'PY'
import json, sys
ing = json.load(sys.stdin)
meta = ing["metadata"]
ann = {k: v for k, v in (meta.get("annotations") or {}).items()
       if not k.startswith(("ingress.kubernetes.io/", "kubectl.kubernetes.io/"))}
for tls in ing["spec"].get("tls", []):
    tls["secretName"] = sys.argv[2]
green = {"apiVersion": ing["apiVersion"], "kind": ing["kind"],
         "metadata": {"name": sys.argv[1], "namespace": meta["namespace"], "annotations": ann},
         "spec": ing["spec"]}
if meta.get("labels"):
    green["metadata"]["labels"] = meta["labels"]
print(json.dumps(green))
PY
python3 "$work/edit.py" "$GREEN" "$SECRET" < "$work/blue.json" | kubectl apply -f -

# 2. wait until ingress-gce gave it an IP and its backends are healthy
polls=0
while :; do
  polls=$((polls + 1))
  out=$(kubectl -n "$NS" get ingress "$GREEN" -o jsonpath='{.status.loadBalancer.ingress[0].ip} {.metadata.annotations.ingress\.kubernetes\.io/backends}')
  ip=${out%% *}; backends=${out#* }
  if [[ -n $ip && $backends == *HEALTHY* && $backends != *UNHEALTHY* ]]; then break; fi
  sleep "$RB_POLL_SECS"
done
echo "green IP $ip after $polls poll(s)"

# 2b. the front ends take a while to be programmed: moving DNS before the new IP answers
# would send clients to a 502. Wait until every host gets a 2xx over TLS from it.
hosts=$(python3 -c 'import json,sys; print(" ".join(r["host"] for r in json.load(open(sys.argv[1]))["spec"]["rules"] if r.get("host")))' "$work/blue.json")
for host in $hosts; do
  until curl -fsS -o /dev/null --cacert "$ROTATE_CERT_CA_FILE" \
      --resolve "$host:$ROTATE_CERT_PROBE_PORT:$ip" "https://$host:$ROTATE_CERT_PROBE_PORT/"; do
    sleep "$RB_POLL_SECS"
  done
done

# 3. point every host at it
for host in $hosts; do
  gcloud dns record-sets update "$host." --zone "$RB_ZONE" --type A --ttl "$RB_TTL" --rrdatas "$ip" --format=none
done

# 4. no Monitoring: wait twice the old TTL plus the proxy's keep-alive timeout (610 s)
sleep "$RB_DRAIN_SECS"

# 5. remove blue
kubectl -n "$NS" delete ingress "$BLUE" --wait
echo "polls=$polls"
"#;

/// What the runbook cost.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunbookRun {
    /// Wall time, seconds.
    pub wall: f64,
    /// Requests per API and method.
    pub stats: StatsSnapshot,
    /// Times it polled the green Ingress.
    pub polls: u64,
    /// Its drain sleep, seconds.
    pub drain_sleep: f64,
}

/// Runs the runbook on the demo Ingress of a fresh `sbx` (stats reset first).
pub fn run(sbx: &Sandbox, work: &Path) -> anyhow::Result<RunbookRun> {
    let script = work.join("runbook.sh");
    fs::write(&script, SCRIPT)?;
    let log = work.join("runbook.log");
    let t = &sbx.timing;
    // Twice the TTL, plus Google's default `httpKeepAliveTimeoutSec` (610 s) at the
    // sandbox's pace: the operator cannot see the old load balancer's traffic.
    let drain_sleep =
        2.0 * f64::from(t.ttl_secs) + t.scaled(std::time::Duration::from_secs(610)).as_secs_f64();
    // `sleep 5` between polls, at the sandbox's pace.
    let poll = t.scaled(std::time::Duration::from_secs(5)).as_secs_f64();
    let (cert, key) = sbx.renewed();
    let mut cmd = sbx.command("bash");
    cmd.arg(&script)
        .envs([
            ("RB_NS", "default".to_string()),
            ("RB_INGRESS", "web".to_string()),
            ("RB_CERT", cert.display().to_string()),
            ("RB_KEY", key.display().to_string()),
            ("RB_ZONE", rotate_cert::sandbox::seed::ZONE.to_string()),
            ("RB_TTL", t.ttl_secs.to_string()),
            ("RB_DRAIN_SECS", format!("{drain_sleep:.3}")),
            ("RB_POLL_SECS", format!("{poll:.3}")),
        ])
        .stdout(fs::File::create(&log)?)
        .stderr(Stdio::from(fs::File::options().append(true).open(&log)?));
    sbx.reset_stats()?;
    let started = Instant::now();
    let status = cmd.status().context("cannot run bash")?;
    let wall = started.elapsed().as_secs_f64();
    let stats = sbx.stats()?;
    let out = fs::read_to_string(&log).unwrap_or_default();
    if !status.success() {
        bail!("the runbook failed ({status}):\n{out}");
    }
    let polls = out
        .lines()
        .find_map(|l| l.strip_prefix("polls="))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    Ok(RunbookRun {
        wall,
        stats,
        polls,
        drain_sleep,
    })
}
