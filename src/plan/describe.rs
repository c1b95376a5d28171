//! What a plan would change and wait for, for display (`plan`, `rotate`'s confirmation).

use std::time::Duration;

use crate::workflow::record::Rotation;

/// One change the plan would make, for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// The step that makes it.
    pub step: &'static str,
    /// `create`, `update`, `delete`.
    pub action: &'static str,
    /// What kind of thing (`Secret`, `Ingress`, `global address`, `A record`, …).
    pub kind: &'static str,
    /// Its exact name.
    pub name: String,
    /// Details (`127.0.0.1 → <green IP>`, …).
    pub detail: String,
}

/// One wait the plan expects, for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Wait {
    /// The step that waits.
    pub step: &'static str,
    /// What it waits for.
    pub what: String,
    /// How long it expects to wait at least, when known.
    #[serde(with = "opt_secs")]
    pub at_least: Option<Duration>,
    /// The deadline.
    #[serde(with = "opt_secs")]
    pub deadline: Option<Duration>,
}

mod opt_secs {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_f64(d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
}

/// The changes and waits of a rotation, for display.
pub fn describe(rot: &Rotation) -> (Vec<Change>, Vec<Wait>) {
    let s = &rot.settings;
    let ns = &rot.blue.namespace;
    let mut changes = vec![Change {
        step: "create-secret",
        action: "create",
        kind: "Secret",
        name: format!("{ns}/{}", rot.green.secret),
        detail: format!(
            "kubernetes.io/tls, certificate {}",
            &rot.cert.sha256[..16.min(rot.cert.sha256.len())]
        ),
    }];
    if let Some(a) = &rot.green.address {
        changes.push(Change {
            step: "reserve-address",
            action: "create",
            kind: "global address",
            name: a.clone(),
            detail: format!(
                "a second static IP (blue uses `{}`)",
                rot.blue.static_ip_name.clone().unwrap_or_default()
            ),
        });
    }
    changes.push(Change {
        step: "create-ingress",
        action: "create",
        kind: "Ingress",
        name: format!("{ns}/{}", rot.green.ingress),
        detail: format!(
            "copy of `{ns}/{}` with TLS from `{}`",
            rot.blue.name, rot.green.secret
        ),
    });
    for rec in &rot.records {
        changes.push(Change {
            step: "switch-dns",
            action: "update",
            kind: "A record",
            name: rec.name.clone(),
            detail: format!(
                "zone `{}`: {} → <green IP>, TTL {}s",
                rec.zone,
                rec.blue_rrdatas.join(","),
                rec.ttl
            ),
        });
    }
    changes.push(Change {
        step: "delete-blue-ingress",
        action: "delete",
        kind: "Ingress",
        name: format!("{ns}/{}", rot.blue.name),
        detail: format!(
            "and its load balancer `{}` (after the drain)",
            rot.blue.lb.https_forwarding_rule
        ),
    });
    for sec in &rot.blue.managed_secrets {
        changes.push(Change {
            step: "delete-blue-secret",
            action: "delete",
            kind: "Secret",
            name: format!("{ns}/{sec}"),
            detail: "created by an earlier rotate-cert rotation".into(),
        });
    }
    if rot.blue.static_ip_managed
        && let Some(a) = &rot.blue.static_ip_name
    {
        changes.push(Change {
            step: "release-blue-address",
            action: "delete",
            kind: "global address",
            name: a.clone(),
            detail: "reserved by an earlier rotate-cert rotation".into(),
        });
    }
    let ttl = Duration::from_secs(rot.max_ttl() as u64);
    let waits = vec![
        Wait {
            step: "await-load-balancer",
            what: "ingress-gce builds the green load balancer, its IP and healthy backends".into(),
            at_least: None,
            deadline: Some(s.create_timeout.get()),
        },
        Wait {
            step: "verify-tls",
            what: format!(
                "every host serves the new certificate on the green IP (port {})",
                s.probe_port
            ),
            at_least: None,
            deadline: Some(s.create_timeout.get()),
        },
        Wait {
            step: "verify-dns",
            what: format!(
                "{} authoritative nameserver(s) answer the green IP",
                rot.zones.iter().map(|z| z.nameservers.len()).sum::<usize>()
            ),
            at_least: None,
            deadline: Some(s.dns_timeout.get()),
        },
        Wait {
            step: "drain",
            what: format!(
                "the old TTL ({}s), then {} of settled Monitoring data at ≤ {} req/s on blue",
                ttl.as_secs(),
                s.quiet_period,
                s.drain_threshold
            ),
            at_least: Some(
                ttl.max(s.min_drain.get()).max(s.quiet_period.get())
                    + s.metric_ingestion_delay.get(),
            ),
            deadline: Some(s.drain_timeout.get()),
        },
        Wait {
            step: "await-blue-gone",
            what: "ingress-gce deletes the blue load balancer".into(),
            at_least: None,
            deadline: Some(s.cleanup_timeout.get()),
        },
    ];
    (changes, waits)
}
