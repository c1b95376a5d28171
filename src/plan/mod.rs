//! Planning: a pure function from what was observed to what would change.
//!
//! [`plan`] takes the live Ingress, its load balancer, the DNS records, the new
//! certificate's preflight and any existing objects with the green names, and returns
//! either a [`Plan`] (the exact names to create, the records to switch, the expected
//! waits) or every reason to refuse at once. It does no I/O, so every refusal rule is
//! unit-tested here; `ops::observe` gathers the inputs.

mod describe;
mod ingress;
mod observed;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::Ingress;

pub use describe::{Change, Wait, describe};
pub use ingress::{
    GreenNames, base_name, check_name, green_ingress, green_names, hosts, ingress_ip,
    is_cert_manager, is_gce, is_managed, label_value, lb_names,
};
pub use observed::{AddressObserved, LbObserved, Observed, ZoneObserved};

use crate::exit::{ExitCode, Stop};
use crate::settings::Settings;
use crate::workflow::record::{
    BlueRecord, CertRecord, DnsRecord, GreenRecord, Rotation, ZoneRecord,
};

/// Label on everything rotate-cert creates.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "rotate-cert");
/// Label: the base name green names derive from.
pub const BASE_NAME_LABEL: &str = "rotate-cert.io/base-name";
/// Label: the rotation that created the object.
pub const ROTATION_LABEL: &str = "rotate-cert.io/rotation";
/// Annotation: the certificate fingerprint a green object carries.
pub const CERT_ANNOTATION: &str = "rotate-cert.io/certificate-sha256";
/// Annotation: the Ingress a green Ingress replaces.
pub const REPLACES_ANNOTATION: &str = "rotate-cert.io/replaces";
/// ingress-gce's class annotation.
pub const CLASS_ANNOTATION: &str = "kubernetes.io/ingress.class";
/// The user's static IP annotation.
pub const STATIC_IP_ANNOTATION: &str = "kubernetes.io/ingress.global-static-ip-name";
/// Prefix of annotations ingress-gce writes.
pub const CONTROLLER_PREFIX: &str = "ingress.kubernetes.io/";
/// Marker in the description of addresses rotate-cert reserves.
pub const ADDRESS_DESCRIPTION: &str = "reserved by rotate-cert";

/// The description rotate-cert gives the address it reserves for the Ingress `ns/ingress`.
pub fn address_description(ns: &str, ingress: &str) -> String {
    format!("{ADDRESS_DESCRIPTION} for ingress {ns}/{ingress}")
}

/// Whether an address's description says rotate-cert reserved it for `ns/ingress`.
/// Compute addresses are global to the project, so one of the same name reserved for an
/// Ingress of the same name in another namespace is not this rotation's to adopt or
/// release.
pub fn reserved_for(description: &str, ns: &str, ingress: &str) -> bool {
    description == address_description(ns, ingress)
}

/// A plan: the rotation record to store and what it would change.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The rotation record (written to the state file when the rotation starts).
    pub rotation: Rotation,
    /// The green Ingress to create.
    pub green_ingress: Ingress,
    /// Every change, in order.
    pub changes: Vec<Change>,
    /// Every wait, in order.
    pub waits: Vec<Wait>,
    /// Things worth knowing that do not stop the rotation.
    pub warnings: Vec<String>,
    /// Set when there is nothing to do (the reason).
    pub nothing_to_do: Option<String>,
}

/// Why `plan` refused: every reason at once, with the exit code that fits the worst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Problems with the user's input (certificate, names): exit 2.
    pub input: Vec<String>,
    /// Problems with the live world: exit 3.
    pub world: Vec<String>,
    /// What to do about them.
    pub hints: Vec<String>,
}

impl Refusal {
    fn is_empty(&self) -> bool {
        self.input.is_empty() && self.world.is_empty()
    }

    /// The refusal as a [`Stop`] (exit 2 when only input problems, else 3).
    pub fn into_stop(self) -> Stop {
        let code = if self.world.is_empty() {
            ExitCode::BadInput
        } else {
            ExitCode::Refused
        };
        // One line per problem and per hint, however many hosts ran into it.
        let mut all: Vec<String> = Vec::new();
        for p in self.input.into_iter().chain(self.world) {
            if !all.contains(&p) {
                all.push(p);
            }
        }
        let mut hints: Vec<String> = Vec::new();
        for h in self.hints {
            if !hints.contains(&h) {
                hints.push(h);
            }
        }
        let message = if all.len() == 1 {
            format!("cannot rotate: {}", all[0])
        } else {
            format!(
                "cannot rotate, {} problems:\n  - {}",
                all.len(),
                all.join("\n  - ")
            )
        };
        let mut stop = Stop::new(code, message);
        stop.hints = hints;
        stop
    }
}

/// Plans a rotation from observations.
pub fn plan(obs: &Observed, settings: &Settings, rotation_id: &str) -> Result<Plan, Refusal> {
    let mut r = Refusal {
        input: Vec::new(),
        world: Vec::new(),
        hints: Vec::new(),
    };
    let target = format!("{}/{}", obs.namespace, obs.name);
    let Some(ing) = &obs.ingress else {
        r.input.push(format!("ingress `{target}` not found"));
        r.hints.push(format!(
            "check the name and the context: `kubectl get ingress -n {}`",
            obs.namespace
        ));
        return Err(r);
    };
    if let Err(why) = is_gce(ing) {
        r.world.push(format!(
            "ingress `{target}` is not handled by GKE's ingress-gce: {why}"
        ));
        r.hints.push(
            "rotate-cert builds load balancers through ingress-gce only (class `gce`); another controller takes a new certificate through its own TLS secret".into(),
        );
    }
    if ing.metadata.deletion_timestamp.is_some() {
        r.world.push(format!("ingress `{target}` is being deleted"));
    }
    let (tls_hosts, all_hosts) = hosts(ing);
    if tls_hosts.is_empty() {
        r.world.push(format!("ingress `{target}` has no TLS hosts (`spec.tls[].hosts`): there is no certificate to rotate"));
    }
    for (secret, found) in &obs.blue_secrets {
        if found.is_none() {
            r.world.push(format!(
                "TLS secret `{}/{secret}` of ingress `{target}` is missing",
                obs.namespace
            ));
            r.hints.push(format!(
                "restore the secret, or fix `spec.tls[].secretName` of `{target}`: blue must be healthy before a rotation"
            ));
        }
    }

    // The new certificate.
    if !obs.preflight.passed() {
        for c in obs
            .preflight
            .checks
            .iter()
            .filter(|c| c.status == crate::cert::CheckStatus::Fail)
        {
            r.input
                .push(format!("certificate preflight `{}`: {}", c.id, c.message));
        }
        r.hints
            .push("run `rotate-cert check-cert` on the certificate for the full report".into());
    }
    let warnings: Vec<String> = obs
        .preflight
        .checks
        .iter()
        .filter(|c| c.status == crate::cert::CheckStatus::Warn)
        .map(|c| format!("certificate `{}`: {}", c.id, c.message))
        .collect();

    // The blue load balancer.
    let lb = lb_names(ing);
    let blue_ip = ingress_ip(ing);
    match (&lb, &blue_ip) {
        (None, _) | (_, None) => r.world.push(format!(
            "ingress `{target}` has no HTTPS load balancer yet (no ingress-gce annotations or IP): wait for it to be provisioned"
        )),
        (Some(lb), Some(ip)) => {
            let unhealthy: Vec<String> =
                lb.backends.iter().filter(|(_, h)| h.as_str() != "HEALTHY").map(|(b, h)| format!("{b} is {h}")).collect();
            if !unhealthy.is_empty() {
                r.world.push(format!("the blue stack is not healthy: backends {}", unhealthy.join(", ")));
                r.hints.push(format!(
                    "rotate only from a healthy blue: wait until ingress-gce reports every backend HEALTHY (`kubectl describe ingress -n {} {}`)",
                    obs.namespace, obs.name
                ));
            }
            match &obs.lb.https_rule_ip {
                None => r.world.push(format!(
                    "the blue HTTPS forwarding rule `{}` does not exist in Compute",
                    lb.https_forwarding_rule
                )),
                Some(rule_ip) if rule_ip != ip => r.world.push(format!(
                    "the blue forwarding rule's IP {rule_ip} differs from the Ingress status IP {ip}"
                )),
                _ => {}
            }
        }
    }
    for (host, probe) in &obs.blue_probes {
        match probe {
            Ok(p) if p.http_status.is_some_and(|s| s >= 500) => r.world.push(format!(
                "the blue stack is not healthy: `https://{host}/` on {} answers {}",
                p.ip,
                p.http_status.unwrap_or_default()
            )),
            Ok(_) => {}
            Err(e) => {
                r.world.push(format!(
                    "the blue stack is not healthy: `https://{host}/` cannot be reached: {e}"
                ));
                r.hints.push(
                    "rotate-cert probes the blue IP on `--probe-port` (default 443): check the port, and that blue serves"
                        .into(),
                );
            }
        }
    }

    // Nothing to do?
    let new_sha = obs.cert.as_ref().map(|c| c.sha256.clone());
    if let (Some(sha), false) = (&new_sha, obs.blue_probes.is_empty()) {
        let all_serve_new = obs
            .blue_probes
            .values()
            .all(|p| p.as_ref().is_ok_and(|p| &p.leaf_sha256 == sha));
        if all_serve_new && r.is_empty() {
            return Ok(nothing_plan(
                obs,
                settings,
                rotation_id,
                ing,
                sha,
                &warnings,
            ));
        }
    }

    // DNS.
    let mut records = Vec::new();
    let mut zones: BTreeMap<String, ZoneRecord> = BTreeMap::new();
    for host in &all_hosts {
        let fqdn = format!("{}.", host.trim_end_matches('.'));
        let zone = match &settings.zone {
            Some(z) => obs.zones.iter().find(|zo| &zo.name == z),
            None => obs
                .zones
                .iter()
                .filter(|z| {
                    z.visibility != "private"
                        && (fqdn == z.dns_name || fqdn.ends_with(&format!(".{}", z.dns_name)))
                })
                .max_by_key(|z| z.dns_name.len()),
        };
        let Some(zone) = zone else {
            match &settings.zone {
                Some(z) => r.world.push(format!(
                    "Cloud DNS zone `{z}` (from --zone) not found in project `{}`",
                    settings.project
                )),
                None => r.world.push(format!(
                    "no public Cloud DNS zone in project `{}` contains `{host}`",
                    settings.project
                )),
            }
            r.hints
                .push("name the zone with `--zone`, or check `--project`".into());
            continue;
        };
        if !(fqdn == zone.dns_name || fqdn.ends_with(&format!(".{}", zone.dns_name))) {
            r.world.push(format!(
                "host `{host}` is not inside zone `{}` ({})",
                zone.name, zone.dns_name
            ));
            continue;
        }
        let rrset = obs.records.get(host).cloned().flatten();
        let Some(rrset) = rrset else {
            r.world
                .push(format!("`{host}` has no A record in zone `{}`", zone.name));
            continue;
        };
        if let Some(ip) = &blue_ip
            && rrset.rrdatas != vec![ip.clone()]
        {
            r.world.push(format!(
                "the A record of `{host}` points at {} instead of the blue IP {ip}: something else manages it",
                rrset.rrdatas.join(", ")
            ));
            r.hints.push(
                "rotate-cert switches only records that point exactly at the Ingress's IP".into(),
            );
            continue;
        }
        records.push(DnsRecord {
            host: host.clone(),
            zone: zone.name.clone(),
            name: rrset.name.clone(),
            ttl: rrset.ttl,
            blue_rrdatas: rrset.rrdatas.clone(),
        });
        zones
            .entry(zone.name.clone())
            .or_insert_with(|| ZoneRecord {
                name: zone.name.clone(),
                dns_name: zone.dns_name.clone(),
                nameservers: obs.nameservers.get(&zone.name).cloned().unwrap_or_default(),
                switch_client_id: uuid::Uuid::new_v4().to_string(),
                switch_change: None,
                rollback_client_id: uuid::Uuid::new_v4().to_string(),
                rollback_change: None,
            });
    }
    for z in zones.values() {
        if z.nameservers.is_empty() {
            r.world.push(format!(
                "zone `{}` lists no nameservers to verify: pass `--nameserver`",
                z.name
            ));
        }
    }
    if !obs.nameserver_problems.is_empty() {
        // Found now, before DNS is switched, rather than by a `verify-dns` that cannot pass.
        r.world.extend(obs.nameserver_problems.iter().cloned());
        r.hints.push(
            "check `--nameserver` (or the zone's nameServers): `switch-dns` verifies the change at these servers".into(),
        );
    }

    // Green names must be free (or ours from this same certificate).
    let (Some(cert), Some(sha)) = (&obs.cert, &new_sha) else {
        return Err(r);
    };
    let base = base_name(ing);
    let names = green_names(&base, sha);
    let static_ip = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(STATIC_IP_ANNOTATION).cloned());
    if names.ingress == obs.name {
        r.world.push(format!(
            "ingress `{target}` already has the green name for this certificate"
        ));
    }
    if let Some(g) = &obs.green_ingress
        && !is_managed(&g.metadata)
    {
        r.world.push(format!(
            "an ingress named `{}/{}` exists and was not created by rotate-cert: rotate-cert will not touch it",
            obs.namespace, names.ingress
        ));
        r.hints.push(taken_hint());
    }
    if let Some(g) = &obs.green_secret
        && !is_managed(&g.metadata)
    {
        r.world.push(format!(
            "a secret named `{}/{}` exists and was not created by rotate-cert: rotate-cert will not touch it",
            obs.namespace, names.secret
        ));
        r.hints.push(taken_hint());
    }
    if static_ip.is_some()
        && let Some(a) = &obs.green_address
        && !reserved_for(&a.description, &obs.namespace, &names.ingress)
    {
        r.world.push(format!(
            "a global address named `{}` exists and was not reserved by rotate-cert for ingress `{}/{}` (its description: \"{}\")",
            names.address, obs.namespace, names.ingress, a.description
        ));
        r.hints.push(taken_hint());
    }
    if let Some(name) = &static_ip
        && obs.static_address.is_none()
    {
        r.world.push(format!(
            "the ingress's static IP address `{name}` does not exist in Compute"
        ));
    }
    if !r.is_empty() {
        return Err(r);
    }
    let lb = lb.unwrap_or_default();
    let blue_ip = blue_ip.unwrap_or_default();
    let managed_secrets: Vec<String> = obs
        .blue_secrets
        .iter()
        .filter_map(|(n, s)| {
            s.as_ref()
                .filter(|s| is_managed(&s.metadata) && !is_cert_manager(&s.metadata))
                .map(|_| n.clone())
        })
        .collect();
    let static_ip_managed = obs
        .static_address
        .as_ref()
        .is_some_and(|a| reserved_for(&a.description, &obs.namespace, &obs.name));
    let serving: BTreeMap<String, String> = obs
        .blue_probes
        .iter()
        .filter_map(|(h, p)| p.as_ref().ok().map(|p| (h.clone(), p.leaf_sha256.clone())))
        .collect();
    let green_ingress = green_ingress(ing, &names, rotation_id, sha, static_ip.is_some());
    let rotation = Rotation {
        rotation_id: rotation_id.to_string(),
        settings: settings.clone(),
        cert: cert.clone(),
        blue: BlueRecord {
            namespace: obs.namespace.clone(),
            name: obs.name.clone(),
            uid: ing.metadata.uid.clone().unwrap_or_default(),
            ip: blue_ip.clone(),
            hosts: all_hosts.clone(),
            tls_hosts: tls_hosts.clone(),
            tls_secrets: obs.blue_secrets.keys().cloned().collect(),
            managed_secrets,
            static_ip_name: static_ip.clone(),
            static_ip_managed,
            lb,
            serving,
            base_name: base,
        },
        green: GreenRecord {
            ingress: names.ingress.clone(),
            secret: names.secret.clone(),
            address: static_ip.is_some().then(|| names.address.clone()),
            address_request_id: static_ip
                .is_some()
                .then(|| uuid::Uuid::new_v4().to_string()),
            ip: None,
            lb: None,
            manifest: serde_json::to_value(&green_ingress).unwrap_or_default(),
        },
        records: records.clone(),
        zones: zones.into_values().collect(),
        plan_fingerprint: fingerprint(obs, &records),
        rolling_back: false,
        force_drain: false,
        force_green_drain: false,
        warnings: warnings.clone(),
    };
    let (changes, waits) = describe(&rotation);
    Ok(Plan {
        rotation,
        green_ingress,
        changes,
        waits,
        warnings,
        nothing_to_do: None,
    })
}

/// What to do when a green name is taken by someone else's object.
fn taken_hint() -> String {
    "green names are derived from the base name and the certificate's fingerprint: rename or delete that object if it is not needed".into()
}

fn nothing_plan(
    obs: &Observed,
    settings: &Settings,
    rotation_id: &str,
    ing: &Ingress,
    sha: &str,
    warnings: &[String],
) -> Plan {
    let names = green_names(&base_name(ing), sha);
    let (_, all_hosts) = hosts(ing);
    let rotation = Rotation {
        rotation_id: rotation_id.to_string(),
        settings: settings.clone(),
        cert: obs.cert.clone().unwrap_or_else(|| CertRecord {
            sha256: sha.to_string(),
            source: crate::workflow::record::CertSource::Files {
                cert: "".into(),
                key: "".into(),
            },
            subject: String::new(),
            sans: Vec::new(),
            not_after: String::new(),
            key_type: String::new(),
        }),
        blue: BlueRecord {
            namespace: obs.namespace.clone(),
            name: obs.name.clone(),
            uid: ing.metadata.uid.clone().unwrap_or_default(),
            ip: ingress_ip(ing).unwrap_or_default(),
            hosts: all_hosts,
            tls_hosts: Vec::new(),
            tls_secrets: obs.blue_secrets.keys().cloned().collect(),
            managed_secrets: Vec::new(),
            static_ip_name: None,
            static_ip_managed: false,
            lb: lb_names(ing).unwrap_or_default(),
            serving: BTreeMap::new(),
            base_name: base_name(ing),
        },
        green: GreenRecord {
            ingress: names.ingress,
            secret: names.secret,
            address: None,
            address_request_id: None,
            ip: None,
            lb: None,
            manifest: serde_json::Value::Null,
        },
        records: Vec::new(),
        zones: Vec::new(),
        plan_fingerprint: String::new(),
        rolling_back: false,
        force_drain: false,
        force_green_drain: false,
        warnings: warnings.to_vec(),
    };
    Plan {
        green_ingress: green_ingress(
            ing,
            &green_names(&base_name(ing), sha),
            rotation_id,
            sha,
            false,
        ),
        rotation,
        changes: Vec::new(),
        waits: Vec::new(),
        warnings: warnings.to_vec(),
        nothing_to_do: Some(format!(
            "ingress `{}/{}` already serves certificate {} on every host",
            obs.namespace,
            obs.name,
            &sha[..sha.len().min(16)]
        )),
    }
}

/// A fingerprint of what the plan was made from (to spot a stale plan).
fn fingerprint(obs: &Observed, records: &[DnsRecord]) -> String {
    let ing = obs.ingress.as_ref();
    let text = format!(
        "{:?}|{:?}|{:?}|{:?}",
        ing.and_then(|i| i.metadata.uid.clone()),
        ing.and_then(|i| i.metadata.resource_version.clone()),
        obs.cert.as_ref().map(|c| c.sha256.clone()),
        records
    );
    crate::cert::sha256_hex(text.as_bytes())
}
