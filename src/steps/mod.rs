//! The steps of a rotation, one file per kind of step. Each step has two verbs:
//! **check** (read-only: is the goal already true?) and **act** (one idempotent change),
//! plus **wait** (observe until the goal holds — a watch or a poll, never a blind sleep).
//! Gate steps (verify the served certificate, verify DNS, await drain) have no act.
//!
//! Every step documents the same four headings: *Idempotency*, *Observation*, *Waits*,
//! *Undo*. Steps never print and never save: the engine does both.

mod address;
mod dns;
mod drain;
mod ingress;
mod secret;
mod verify_tls;

pub use secret::{describe_source, load_new_cert, load_source};

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::settings::Settings;
use crate::state::{StepRecord, StepStatus};
use crate::workflow::Env;
use crate::workflow::record::Rotation;
use crate::workflow::report::{Reporter, progress};

/// What proves a step: sorted key → JSON value (stored in the state file).
pub type Evidence = BTreeMap<String, Value>;

/// What a check observed.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// The goal holds; here is the evidence.
    Done(Evidence),
    /// The goal does not hold and acting is needed.
    NeedsAct,
    /// The goal does not hold yet but will without acting (what we wait for).
    Pending(String),
    /// The world is not as the rotation expects; going on would be unsafe.
    Blocked(String),
}

/// A transient condition worth retrying (not an adapter error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Transient(pub String);

/// Whether an error chain is worth retrying.
pub fn retryable(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<crate::gcp::GcpError>()
            .is_some_and(|g| g.retryable())
            || e.downcast_ref::<crate::k8s::K8sError>()
                .is_some_and(|k| k.retryable())
            || e.downcast_ref::<crate::dns::QueryError>()
                .is_some_and(|q| q.retryable())
            || e.downcast_ref::<Transient>().is_some()
    })
}

/// What a step works with.
pub struct Cx<'a> {
    /// Adapters.
    pub env: &'a Env,
    /// The rotation record (steps may record what they learn).
    pub rot: &'a mut Rotation,
    /// Every step's record (for timestamps of earlier steps).
    pub steps: &'a [StepRecord],
    reporter: &'a dyn Reporter,
    /// When this run of the step must give up.
    pub deadline: Instant,
}

impl<'a> Cx<'a> {
    /// A context.
    pub fn new(
        env: &'a Env,
        rot: &'a mut Rotation,
        steps: &'a [StepRecord],
        reporter: &'a dyn Reporter,
        deadline: Instant,
    ) -> Self {
        Cx {
            env,
            rot,
            steps,
            reporter,
            deadline,
        }
    }

    /// Reports progress of a wait.
    pub fn progress(&self, step: &str, message: impl Into<String>, expected: Option<Duration>) {
        let left = self.deadline.saturating_duration_since(Instant::now());
        self.reporter
            .report(progress(step, message, Some(left), expected));
    }

    /// When an earlier step finished (from its record).
    pub fn finished_at(&self, step: &str) -> Option<SystemTime> {
        self.steps
            .iter()
            .find(|s| s.name == step && s.status == StepStatus::Done)
            .and_then(|s| s.finished_at.as_deref())
            .and_then(crate::util::time::parse_rfc3339)
    }

    /// An earlier step's evidence value.
    pub fn evidence(&self, step: &str, key: &str) -> Option<&Value> {
        self.steps
            .iter()
            .find(|s| s.name == step)
            .and_then(|s| s.evidence.get(key))
    }

    /// Fails with a timeout error when the deadline passed.
    pub fn check_deadline(&self, step: &str, what: &str) -> anyhow::Result<()> {
        if Instant::now() >= self.deadline {
            anyhow::bail!("timed out in `{step}` waiting for {what}");
        }
        Ok(())
    }
}

/// Every kind of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Create the green TLS Secret.
    CreateSecret,
    /// Reserve a green global address (when blue used a static IP).
    ReserveAddress,
    /// Create the green Ingress.
    CreateIngress,
    /// Wait for ingress-gce to build the green load balancer.
    AwaitLoadBalancer,
    /// Prove by TLS handshake that green serves the new certificate.
    VerifyTls,
    /// Switch the DNS records to green.
    SwitchDns,
    /// Wait until every authoritative nameserver answers green.
    VerifyDns,
    /// Wait until blue has drained.
    Drain,
    /// Delete the blue Ingress.
    DeleteBlueIngress,
    /// Wait until the blue load balancer is gone from Compute.
    AwaitBlueGone,
    /// Delete blue Secrets rotate-cert created earlier.
    DeleteBlueSecret,
    /// Release a blue address rotate-cert reserved earlier.
    ReleaseBlueAddress,
    /// Rollback: point DNS back at blue.
    RollbackDns,
    /// Rollback: wait until every nameserver answers blue.
    RollbackVerifyDns,
    /// Rollback: wait until green has drained.
    DrainGreen,
    /// Rollback: delete the green Ingress.
    DeleteGreenIngress,
    /// Rollback: wait until the green load balancer is gone.
    AwaitGreenGone,
    /// Rollback: delete the green Secret.
    DeleteGreenSecret,
    /// Rollback: release the green address.
    ReleaseGreenAddress,
}

/// `create`: build and prove green.
pub const CREATE: [Kind; 5] = [
    Kind::CreateSecret,
    Kind::ReserveAddress,
    Kind::CreateIngress,
    Kind::AwaitLoadBalancer,
    Kind::VerifyTls,
];
/// `switch-dns`.
pub const SWITCH_DNS: [Kind; 2] = [Kind::SwitchDns, Kind::VerifyDns];
/// `drain`.
pub const DRAIN: [Kind; 1] = [Kind::Drain];
/// `cleanup`.
pub const CLEANUP: [Kind; 4] = [
    Kind::DeleteBlueIngress,
    Kind::AwaitBlueGone,
    Kind::DeleteBlueSecret,
    Kind::ReleaseBlueAddress,
];
/// `rollback`.
pub const ROLLBACK: [Kind; 7] = [
    Kind::RollbackDns,
    Kind::RollbackVerifyDns,
    Kind::DrainGreen,
    Kind::DeleteGreenIngress,
    Kind::AwaitGreenGone,
    Kind::DeleteGreenSecret,
    Kind::ReleaseGreenAddress,
];

/// Every forward step, in order.
pub fn forward() -> Vec<Kind> {
    CREATE
        .iter()
        .chain(&SWITCH_DNS)
        .chain(&DRAIN)
        .chain(&CLEANUP)
        .copied()
        .collect()
}

impl Kind {
    /// The step's name in the state file and output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::CreateSecret => "create-secret",
            Kind::ReserveAddress => "reserve-address",
            Kind::CreateIngress => "create-ingress",
            Kind::AwaitLoadBalancer => "await-load-balancer",
            Kind::VerifyTls => "verify-tls",
            Kind::SwitchDns => "switch-dns",
            Kind::VerifyDns => "verify-dns",
            Kind::Drain => "drain",
            Kind::DeleteBlueIngress => "delete-blue-ingress",
            Kind::AwaitBlueGone => "await-blue-gone",
            Kind::DeleteBlueSecret => "delete-blue-secret",
            Kind::ReleaseBlueAddress => "release-blue-address",
            Kind::RollbackDns => "rollback-dns",
            Kind::RollbackVerifyDns => "rollback-verify-dns",
            Kind::DrainGreen => "drain-green",
            Kind::DeleteGreenIngress => "delete-green-ingress",
            Kind::AwaitGreenGone => "await-green-gone",
            Kind::DeleteGreenSecret => "delete-green-secret",
            Kind::ReleaseGreenAddress => "release-green-address",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<Kind> {
        forward()
            .into_iter()
            .chain(ROLLBACK)
            .find(|k| k.name() == name)
    }

    /// One line for people.
    pub fn title(self, rot: &Rotation) -> String {
        let ns = &rot.blue.namespace;
        match self {
            Kind::CreateSecret => format!("create secret `{ns}/{}`", rot.green.secret),
            Kind::ReserveAddress => format!(
                "reserve global address `{}`",
                rot.green.address.clone().unwrap_or_default()
            ),
            Kind::CreateIngress => format!("create ingress `{ns}/{}`", rot.green.ingress),
            Kind::AwaitLoadBalancer => {
                "wait for ingress-gce to build the green load balancer".into()
            }
            Kind::VerifyTls => {
                "verify the green IP serves the new certificate for every host".into()
            }
            Kind::SwitchDns => format!("switch {} DNS record(s) to green", rot.records.len()),
            Kind::VerifyDns => "verify every authoritative nameserver answers green".into(),
            Kind::Drain => "wait for blue to drain".into(),
            Kind::DeleteBlueIngress => format!("delete ingress `{ns}/{}`", rot.blue.name),
            Kind::AwaitBlueGone => "wait until the blue load balancer is gone".into(),
            Kind::DeleteBlueSecret => "delete blue secrets rotate-cert created".into(),
            Kind::ReleaseBlueAddress => "release the blue address rotate-cert reserved".into(),
            Kind::RollbackDns => "point DNS back at blue".into(),
            Kind::RollbackVerifyDns => "verify every authoritative nameserver answers blue".into(),
            Kind::DrainGreen => "wait for green to drain".into(),
            Kind::DeleteGreenIngress => format!("delete ingress `{ns}/{}`", rot.green.ingress),
            Kind::AwaitGreenGone => "wait until the green load balancer is gone".into(),
            Kind::DeleteGreenSecret => format!("delete secret `{ns}/{}`", rot.green.secret),
            Kind::ReleaseGreenAddress => format!(
                "release global address `{}`",
                rot.green.address.clone().unwrap_or_default()
            ),
        }
    }

    /// Why the step does not apply to this rotation, if it does not.
    pub fn skip_reason(self, rot: &Rotation) -> Option<String> {
        match self {
            Kind::ReserveAddress | Kind::ReleaseGreenAddress if rot.green.address.is_none() => {
                Some("blue uses an ephemeral IP: green gets one too".into())
            }
            Kind::DeleteBlueSecret if rot.blue.managed_secrets.is_empty() => {
                Some("the blue secrets were not created by rotate-cert: they are left alone".into())
            }
            Kind::ReleaseBlueAddress if !rot.blue.static_ip_managed => {
                Some("rotate-cert did not reserve the blue address: it is left alone".into())
            }
            _ => None,
        }
    }

    /// How long one run of the step may take.
    pub fn deadline(self, s: &Settings) -> Duration {
        match self {
            Kind::CreateSecret
            | Kind::ReserveAddress
            | Kind::CreateIngress
            | Kind::AwaitLoadBalancer
            | Kind::VerifyTls => s.create_timeout.get(),
            Kind::SwitchDns | Kind::VerifyDns | Kind::RollbackDns | Kind::RollbackVerifyDns => {
                s.dns_timeout.get()
            }
            Kind::Drain | Kind::DrainGreen => s.drain_timeout.get(),
            _ => s.cleanup_timeout.get(),
        }
    }

    /// The flag whose value is [`Self::deadline`].
    pub fn timeout_flag(self) -> &'static str {
        match self {
            Kind::CreateSecret
            | Kind::ReserveAddress
            | Kind::CreateIngress
            | Kind::AwaitLoadBalancer
            | Kind::VerifyTls => "--create-timeout",
            Kind::SwitchDns | Kind::VerifyDns | Kind::RollbackDns | Kind::RollbackVerifyDns => {
                "--dns-timeout"
            }
            Kind::Drain | Kind::DrainGreen => "--drain-timeout",
            _ => "--cleanup-timeout",
        }
    }

    /// Observes whether the goal holds.
    pub async fn check(self, cx: &mut Cx<'_>) -> anyhow::Result<Check> {
        match self {
            Kind::CreateSecret => secret::check_green(cx).await,
            Kind::ReserveAddress => address::check_reserve(cx).await,
            Kind::CreateIngress => ingress::check_create(cx).await,
            Kind::AwaitLoadBalancer => ingress::check_load_balancer(cx).await,
            Kind::VerifyTls => verify_tls::check(cx).await,
            Kind::SwitchDns => dns::check_switch(cx, dns::Direction::ToGreen).await,
            Kind::VerifyDns => dns::check_served(cx, dns::Direction::ToGreen).await,
            Kind::Drain => drain::check(cx, drain::Side::Blue).await,
            Kind::DeleteBlueIngress => ingress::check_deleted(cx, ingress::Side::Blue).await,
            Kind::AwaitBlueGone => ingress::check_lb_gone(cx, ingress::Side::Blue).await,
            Kind::DeleteBlueSecret => secret::check_blue_deleted(cx).await,
            Kind::ReleaseBlueAddress => address::check_released(cx, address::Side::Blue).await,
            Kind::RollbackDns => dns::check_switch(cx, dns::Direction::ToBlue).await,
            Kind::RollbackVerifyDns => dns::check_served(cx, dns::Direction::ToBlue).await,
            Kind::DrainGreen => drain::check(cx, drain::Side::Green).await,
            Kind::DeleteGreenIngress => ingress::check_deleted(cx, ingress::Side::Green).await,
            Kind::AwaitGreenGone => ingress::check_lb_gone(cx, ingress::Side::Green).await,
            Kind::DeleteGreenSecret => secret::check_green_deleted(cx).await,
            Kind::ReleaseGreenAddress => address::check_released(cx, address::Side::Green).await,
        }
    }

    /// Makes the one change (only called after `check` said [`Check::NeedsAct`]).
    pub async fn act(self, cx: &mut Cx<'_>) -> anyhow::Result<()> {
        match self {
            Kind::CreateSecret => secret::create_green(cx).await,
            Kind::ReserveAddress => address::reserve(cx).await,
            Kind::CreateIngress => ingress::create(cx).await,
            Kind::SwitchDns => dns::switch(cx, dns::Direction::ToGreen).await,
            Kind::DeleteBlueIngress => ingress::delete(cx, ingress::Side::Blue).await,
            Kind::DeleteBlueSecret => secret::delete_blue(cx).await,
            Kind::ReleaseBlueAddress => address::release(cx, address::Side::Blue).await,
            Kind::RollbackDns => dns::switch(cx, dns::Direction::ToBlue).await,
            Kind::DeleteGreenIngress => ingress::delete(cx, ingress::Side::Green).await,
            Kind::DeleteGreenSecret => secret::delete_green(cx).await,
            Kind::ReleaseGreenAddress => address::release(cx, address::Side::Green).await,
            gate => anyhow::bail!("`{}` is a gate: it has nothing to do but wait", gate.name()),
        }
    }

    /// Waits until the goal holds (or the deadline / a refusal).
    pub async fn wait(self, cx: &mut Cx<'_>) -> anyhow::Result<Check> {
        match self {
            Kind::AwaitLoadBalancer => ingress::wait_load_balancer(cx).await,
            Kind::DeleteBlueIngress => ingress::wait_deleted(cx, ingress::Side::Blue).await,
            Kind::DeleteGreenIngress => ingress::wait_deleted(cx, ingress::Side::Green).await,
            Kind::SwitchDns => dns::wait_switch(cx, dns::Direction::ToGreen).await,
            Kind::RollbackDns => dns::wait_switch(cx, dns::Direction::ToBlue).await,
            Kind::Drain => drain::wait(cx, drain::Side::Blue).await,
            Kind::DrainGreen => drain::wait(cx, drain::Side::Green).await,
            other => poll(other, cx).await,
        }
    }

    /// One line summarising the evidence.
    pub fn summary(self, rot: &Rotation, ev: &Evidence) -> String {
        let s = |k: &str| {
            ev.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        match self {
            Kind::AwaitLoadBalancer => {
                format!("green IP {} ({})", s("ip"), s("https_forwarding_rule"))
            }
            Kind::VerifyTls => format!(
                "{} host(s) serve certificate {} on {}",
                rot.blue.hosts.len(),
                short(&rot.cert.sha256),
                s("ip")
            ),
            Kind::SwitchDns | Kind::RollbackDns => match s("changes") {
                // Found done on a later run: the change's id was never saved (a crash
                // right after it was sent).
                c if c.is_empty() => "every record already points at the target".into(),
                c => format!("change(s) {c}"),
            },
            Kind::VerifyDns | Kind::RollbackVerifyDns => format!(
                "{} nameserver answer(s) checked",
                ev.get("answers")
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len)
            ),
            Kind::Drain | Kind::DrainGreen => s("summary"),
            // A delete that found the object not this rotation's left it alone: say so,
            // not "delete …".
            _ if !kept(ev).is_empty() => format!("left alone: {}", kept(ev)),
            _ => self.title(rot),
        }
    }
}

/// What a delete step's evidence says it left alone (`kept`: one reason, or a list).
fn kept(ev: &Evidence) -> String {
    match ev.get("kept") {
        Some(Value::String(k)) => k.clone(),
        Some(Value::Array(ks)) => ks
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// The first 12 characters of a fingerprint.
pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// The default wait: check again every poll interval until done.
async fn poll(kind: Kind, cx: &mut Cx<'_>) -> anyhow::Result<Check> {
    let interval = poll_interval(kind, &cx.rot.settings);
    loop {
        let last = match kind.check(cx).await {
            Ok(Check::Done(ev)) => return Ok(Check::Done(ev)),
            Ok(Check::Blocked(why)) => return Ok(Check::Blocked(why)),
            Ok(Check::NeedsAct) => {
                return Err(Transient(format!(
                    "`{}`: the change has not taken effect",
                    kind.name()
                ))
                .into());
            }
            Ok(Check::Pending(msg)) => {
                cx.progress(kind.name(), msg.clone(), None);
                crate::workflow::hooks::point(kind.name(), "waiting");
                msg
            }
            Err(e) if retryable(&e) => {
                let msg = format!("{e:#}");
                cx.progress(kind.name(), format!("{msg}; retrying"), None);
                msg
            }
            Err(e) => return Err(e),
        };
        if Instant::now() >= cx.deadline {
            // Say what was still missing, and which setting gave up.
            anyhow::bail!(
                "`{}` did not finish within {} ({}){}",
                kind.name(),
                kind.timeout_flag(),
                crate::util::duration::format_duration(kind.deadline(&cx.rot.settings)),
                if last.is_empty() {
                    String::new()
                } else {
                    format!("; still waiting for: {last}")
                }
            );
        }
        tokio::time::sleep(interval.min(cx.deadline.saturating_duration_since(Instant::now())))
            .await;
    }
}

/// How often a step looks again: a fraction of the step's deadline, 50 ms to 2 s.
pub fn poll_interval(kind: Kind, s: &Settings) -> Duration {
    (kind.deadline(s) / 600).clamp(Duration::from_millis(50), Duration::from_secs(2))
}
