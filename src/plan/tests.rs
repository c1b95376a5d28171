//! Every refusal rule and every planned name, on hand-built observations.

use std::collections::BTreeMap;
use std::net::IpAddr;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::json;

use super::*;
use crate::cert::{Check, CheckStatus, Report};
use crate::dns::Nameserver;
use crate::gcp::RecordSet;
use crate::settings::defaults;
use crate::tls::ProbeOutcome;
use crate::workflow::record::CertSource;

const OLD: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const NEW: &str = "1c5f8438bce50997aaaabbbbccccddddeeeeffff00001111222233334444aaaa";
const IP: &str = "127.9.0.1";

fn ingress(extra_annotations: serde_json::Value) -> Ingress {
    let mut ann = json!({
        "kubernetes.io/ingress.class": "gce",
        "ingress.kubernetes.io/url-map": "k8s2-um-x",
        "ingress.kubernetes.io/https-forwarding-rule": "k8s2-fs-x",
        "ingress.kubernetes.io/https-target-proxy": "k8s2-ts-x",
        "ingress.kubernetes.io/forwarding-rule": "k8s2-fr-x",
        "ingress.kubernetes.io/target-proxy": "k8s2-tp-x",
        "ingress.kubernetes.io/ssl-cert": "k8s2-cr-x",
        "ingress.kubernetes.io/backends": "{\"k8s1-app\":\"HEALTHY\"}",
        "cert-manager.io/cluster-issuer": "letsencrypt",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
        "team": "web",
    });
    for (k, v) in extra_annotations.as_object().cloned().unwrap_or_default() {
        if v.is_null() {
            ann.as_object_mut().unwrap().remove(&k);
        } else {
            ann[k] = v;
        }
    }
    serde_json::from_value(json!({
        "metadata": {"name": "web", "namespace": "prod", "uid": "u-1", "resourceVersion": "7", "annotations": ann, "labels": {"app": "web"}},
        "spec": {
            "rules": [
                {"host": "www.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}},
                {"host": "api.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}},
            ],
            "tls": [{"hosts": ["www.example.com", "api.example.com"], "secretName": "web-tls"}],
        },
        "status": {"loadBalancer": {"ingress": [{"ip": IP}]}},
    }))
    .unwrap()
}

fn secret(labels: serde_json::Value) -> Secret {
    serde_json::from_value(
        json!({"metadata": {"name": "web-tls", "namespace": "prod", "labels": labels}}),
    )
    .unwrap()
}

fn probe(host: &str, fp: &str, status: u16) -> Result<ProbeOutcome, String> {
    Ok(ProbeOutcome {
        ip: IP.parse::<IpAddr>().unwrap(),
        host: host.into(),
        leaf_sha256: fp.into(),
        chain_len: 1,
        verify_error: None,
        http_status: Some(status),
        http_error: None,
    })
}

fn rrset(host: &str, data: &[&str]) -> RecordSet {
    RecordSet {
        name: format!("{host}."),
        rtype: "A".into(),
        ttl: 300,
        rrdatas: data.iter().map(|s| s.to_string()).collect(),
    }
}

pub(crate) fn observed() -> Observed {
    let hosts = ["api.example.com", "www.example.com"];
    Observed {
        namespace: "prod".into(),
        name: "web".into(),
        ingress: Some(ingress(json!({}))),
        blue_secrets: BTreeMap::from([("web-tls".to_string(), Some(secret(json!({}))))]),
        lb: LbObserved {
            https_rule_ip: Some(IP.into()),
        },
        static_address: None,
        blue_probes: hosts
            .iter()
            .map(|h| (h.to_string(), probe(h, OLD, 200)))
            .collect(),
        preflight: Report {
            summary: None,
            checks: vec![],
        },
        cert: Some(CertRecord {
            sha256: NEW.into(),
            source: CertSource::Files {
                cert: "/c.pem".into(),
                key: "/k.pem".into(),
            },
            subject: "CN=www.example.com".into(),
            sans: hosts.iter().map(|h| h.to_string()).collect(),
            not_after: "2027-01-01T00:00:00Z".into(),
            key_type: "ECDSA P-256".into(),
        }),
        zones: vec![
            ZoneObserved {
                name: "example".into(),
                dns_name: "example.com.".into(),
                visibility: "public".into(),
                nameservers: vec!["ns1.".into()],
            },
            ZoneObserved {
                name: "private".into(),
                dns_name: "example.com.".into(),
                visibility: "private".into(),
                nameservers: vec![],
            },
            ZoneObserved {
                name: "com".into(),
                dns_name: "com.".into(),
                visibility: "public".into(),
                nameservers: vec![],
            },
        ],
        records: hosts
            .iter()
            .map(|h| (h.to_string(), Some(rrset(h, &[IP]))))
            .collect(),
        green_ingress: None,
        green_secret: None,
        green_address: None,
        nameservers: BTreeMap::from([(
            "example".to_string(),
            vec![Nameserver {
                name: "ns1.".into(),
                addr: "127.0.0.53:53".parse().unwrap(),
            }],
        )]),
        nameserver_problems: Vec::new(),
    }
}

pub(crate) fn settings() -> Settings {
    Settings {
        project: "p".into(),
        context: None,
        compute_endpoint: "https://compute.googleapis.com/compute/v1/".into(),
        dns_endpoint: "https://dns.googleapis.com/".into(),
        monitoring_endpoint: "https://monitoring.googleapis.com/".into(),
        zone: None,
        nameservers: vec![],
        probe_port: 443,
        ca_file: None,
        min_validity: defaults::MIN_VALIDITY,
        min_drain: defaults::MIN_DRAIN,
        quiet_period: defaults::QUIET_PERIOD,
        drain_threshold: 0.0,
        drain_timeout: defaults::DRAIN_TIMEOUT,
        metric_sampling_period: defaults::METRIC_SAMPLING_PERIOD,
        metric_ingestion_delay: defaults::METRIC_INGESTION_DELAY,
        create_timeout: defaults::CREATE_TIMEOUT,
        dns_timeout: defaults::DNS_TIMEOUT,
        cleanup_timeout: defaults::CLEANUP_TIMEOUT,
    }
}

fn refusal(obs: &Observed) -> Refusal {
    plan(obs, &settings(), "rot-1").expect_err("plan should refuse")
}

fn all(r: &Refusal) -> String {
    r.input
        .iter()
        .chain(&r.world)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn plans_names_records_and_a_clean_green_copy() {
    let p = plan(&observed(), &settings(), "rot-1").unwrap();
    let r = &p.rotation;
    assert_eq!(r.green.ingress, "web-1c5f8438");
    assert_eq!(r.green.secret, "web-tls-1c5f8438");
    assert_eq!(
        r.green.address, None,
        "ephemeral blue IP: no address to reserve"
    );
    assert_eq!(r.records.len(), 2);
    assert!(r.records.iter().all(|rec| rec.zone == "example"
        && rec.blue_rrdatas == vec![IP.to_string()]
        && rec.ttl == 300));
    assert_eq!(
        r.zones.len(),
        1,
        "the private zone and the shorter `com.` zone are not used"
    );
    assert_eq!(r.blue.hosts, vec!["api.example.com", "www.example.com"]);
    assert_eq!(
        r.blue.serving.values().next().map(String::as_str),
        Some(OLD)
    );
    let steps: Vec<&str> = p.changes.iter().map(|c| c.step).collect();
    assert_eq!(
        steps,
        [
            "create-secret",
            "create-ingress",
            "switch-dns",
            "switch-dns",
            "delete-blue-ingress"
        ]
    );
    let ann = p.green_ingress.metadata.annotations.clone().unwrap();
    assert_eq!(
        ann.get("team").map(String::as_str),
        Some("web"),
        "user annotations are kept"
    );
    assert!(
        ann.keys().all(|k| !k.starts_with("ingress.kubernetes.io/")),
        "controller annotations dropped: {ann:?}"
    );
    assert!(!ann.contains_key("cert-manager.io/cluster-issuer"));
    assert!(!ann.contains_key("kubectl.kubernetes.io/last-applied-configuration"));
    assert_eq!(ann.get(CERT_ANNOTATION).map(String::as_str), Some(NEW));
    let labels = p.green_ingress.metadata.labels.clone().unwrap();
    assert_eq!(
        labels.get(MANAGED_BY.0).map(String::as_str),
        Some("rotate-cert")
    );
    assert_eq!(labels.get(BASE_NAME_LABEL).map(String::as_str), Some("web"));
    assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    let tls = p.green_ingress.spec.clone().unwrap().tls.unwrap();
    assert_eq!(tls.len(), 1);
    assert_eq!(tls[0].secret_name.as_deref(), Some("web-tls-1c5f8438"));
    assert!(p.green_ingress.status.is_none());
    assert_eq!(
        p.rotation.green.manifest["metadata"]["name"],
        "web-1c5f8438"
    );
    assert!(p.nothing_to_do.is_none());
}

#[test]
fn nothing_to_do_when_blue_already_serves_the_new_certificate() {
    let mut obs = observed();
    for (h, p) in obs.blue_probes.iter_mut() {
        *p = probe(h, NEW, 200);
    }
    let p = plan(&obs, &settings(), "rot-1").unwrap();
    assert!(
        p.nothing_to_do
            .unwrap()
            .contains("already serves certificate")
    );
    assert!(p.changes.is_empty());
}

#[test]
fn missing_ingress_is_bad_input() {
    let mut obs = observed();
    obs.ingress = None;
    let r = refusal(&obs);
    assert!(all(&r).contains("ingress `prod/web` not found"));
    assert_eq!(r.into_stop().code, crate::exit::ExitCode::BadInput);
}

#[test]
fn other_classes_are_refused() {
    for (ann, why) in [
        (
            json!({"kubernetes.io/ingress.class": "nginx"}),
            "is `nginx`, not `gce`",
        ),
        (json!({"kubernetes.io/ingress.class": null}), ""),
    ] {
        let mut obs = observed();
        obs.ingress = Some(ingress(ann));
        if why.is_empty() {
            assert!(
                plan(&obs, &settings(), "r").is_ok(),
                "no class annotation and no class name is gce"
            );
        } else {
            let r = refusal(&obs);
            assert!(all(&r).contains(why), "{}", all(&r));
            assert_eq!(r.into_stop().code, crate::exit::ExitCode::Refused);
        }
    }
    let mut obs = observed();
    let mut ing = ingress(json!({"kubernetes.io/ingress.class": null}));
    ing.spec.as_mut().unwrap().ingress_class_name = Some("nginx".into());
    obs.ingress = Some(ing);
    assert!(all(&refusal(&obs)).contains("`spec.ingressClassName` is `nginx`"));
}

#[test]
fn records_that_do_not_point_at_blue_are_refused() {
    for data in [vec!["10.0.0.1"], vec![IP, "10.0.0.2"]] {
        let mut obs = observed();
        obs.records.insert(
            "www.example.com".into(),
            Some(rrset("www.example.com", &data)),
        );
        let r = refusal(&obs);
        assert!(all(&r).contains("something else manages it"), "{}", all(&r));
    }
    let mut obs = observed();
    obs.records.insert("api.example.com".into(), None);
    assert!(all(&refusal(&obs)).contains("`api.example.com` has no A record"));
}

#[test]
fn missing_zone_and_explicit_zone() {
    let mut obs = observed();
    obs.zones.retain(|z| z.name == "com" || z.name == "private");
    obs.zones[1].dns_name = "example.org.".into();
    obs.zones[0].dns_name = "org.".into();
    let r = refusal(&obs);
    assert!(
        all(&r).contains("no public Cloud DNS zone in project `p` contains `www.example.com`"),
        "{}",
        all(&r)
    );
    let mut s = settings();
    s.zone = Some("nope".into());
    let r = plan(&observed(), &s, "r").unwrap_err();
    assert!(all(&r).contains("zone `nope` (from --zone) not found"));
}

#[test]
fn an_unhealthy_blue_is_refused() {
    let mut obs = observed();
    obs.ingress = Some(ingress(
        json!({"ingress.kubernetes.io/backends": "{\"k8s1-app\":\"UNHEALTHY\"}"}),
    ));
    assert!(all(&refusal(&obs)).contains("backends k8s1-app is UNHEALTHY"));
    let mut obs = observed();
    obs.blue_probes
        .insert("www.example.com".into(), probe("www.example.com", OLD, 502));
    assert!(all(&refusal(&obs)).contains("answers 502"));
    let mut obs = observed();
    obs.blue_probes.insert(
        "www.example.com".into(),
        Err("cannot connect to 127.9.0.1:443: refused".into()),
    );
    assert!(all(&refusal(&obs)).contains("cannot connect"));
    let mut obs = observed();
    obs.ingress = Some(ingress(
        json!({"ingress.kubernetes.io/https-forwarding-rule": null}),
    ));
    assert!(all(&refusal(&obs)).contains("has no HTTPS load balancer yet"));
}

#[test]
fn preflight_failures_are_input_and_every_problem_is_reported() {
    let mut obs = observed();
    obs.preflight = Report {
        summary: None,
        checks: vec![Check::new(
            "hostnames",
            CheckStatus::Fail,
            "www.example.com is not covered",
        )],
    };
    let r = refusal(&obs);
    assert_eq!(r.clone().into_stop().code, crate::exit::ExitCode::BadInput);
    obs.records.insert(
        "www.example.com".into(),
        Some(rrset("www.example.com", &["10.0.0.1"])),
    );
    let r = refusal(&obs);
    let stop = r.into_stop();
    assert_eq!(
        stop.code,
        crate::exit::ExitCode::Refused,
        "a world problem outranks input"
    );
    assert!(stop.message.contains("2 problems"), "{}", stop.message);
}

#[test]
fn green_names_taken_by_others_are_refused() {
    let mut obs = observed();
    let mut other = ingress(json!({}));
    other.metadata.name = Some("web-1c5f8438".into());
    obs.green_ingress = Some(other);
    assert!(all(&refusal(&obs)).contains("was not created by rotate-cert"));
    let mut obs = observed();
    let mut s = secret(json!({"app.kubernetes.io/managed-by": "helm"}));
    s.metadata.name = Some("web-tls-1c5f8438".into());
    obs.green_secret = Some(s);
    assert!(all(&refusal(&obs)).contains("secret named `prod/web-tls-1c5f8438` exists"));
}

#[test]
fn static_ip_gets_a_second_address_and_cleanup_knows_what_is_ours() {
    let mut obs = observed();
    obs.ingress = Some(ingress(
        json!({"kubernetes.io/ingress.global-static-ip-name": "web-ip"}),
    ));
    obs.static_address = Some(AddressObserved {
        name: "web-ip".into(),
        address: IP.into(),
        status: "InUse".into(),
        description: format!("{ADDRESS_DESCRIPTION} for ingress prod/web"),
    });
    obs.blue_secrets = BTreeMap::from([(
        "web-tls".to_string(),
        Some(secret(
            json!({"app.kubernetes.io/managed-by": "rotate-cert"}),
        )),
    )]);
    let p = plan(&obs, &settings(), "rot-1").unwrap();
    assert_eq!(p.rotation.green.address.as_deref(), Some("web-ip-1c5f8438"));
    assert!(p.rotation.green.address_request_id.is_some());
    let ann = p.green_ingress.metadata.annotations.clone().unwrap();
    assert_eq!(
        ann.get(STATIC_IP_ANNOTATION).map(String::as_str),
        Some("web-ip-1c5f8438")
    );
    assert!(p.rotation.blue.static_ip_managed);
    assert_eq!(p.rotation.blue.managed_secrets, vec!["web-tls"]);
    assert!(p.changes.iter().any(|c| c.step == "reserve-address"));
    assert!(p.changes.iter().any(|c| c.step == "release-blue-address"));
    // Compute addresses are global: one reserved by rotate-cert for an Ingress of the
    // same name in another namespace is not blue's to release...
    obs.static_address.as_mut().unwrap().description =
        format!("{ADDRESS_DESCRIPTION} for ingress staging/web");
    let p = plan(&obs, &settings(), "rot-1").unwrap();
    assert!(!p.rotation.blue.static_ip_managed);
    assert!(!p.changes.iter().any(|c| c.step == "release-blue-address"));
    // ...nor is a green-named one reserved for another namespace's green to adopt.
    obs.green_address = Some(AddressObserved {
        name: "web-ip-1c5f8438".into(),
        address: "203.0.113.9".into(),
        status: "Reserved".into(),
        description: format!("{ADDRESS_DESCRIPTION} for ingress staging/web-1c5f8438"),
    });
    assert!(
        all(&refusal(&obs)).contains(
            "a global address named `web-ip-1c5f8438` exists and was not reserved by rotate-cert for ingress `prod/web-1c5f8438`"
        ),
        "{}",
        all(&refusal(&obs))
    );
    obs.green_address.as_mut().unwrap().description =
        format!("{ADDRESS_DESCRIPTION} for ingress prod/web-1c5f8438");
    assert!(
        plan(&obs, &settings(), "rot-1").is_ok(),
        "its own is adopted"
    );
    // A missing static address is refused.
    obs.static_address = None;
    assert!(all(&refusal(&obs)).contains("static IP address `web-ip` does not exist"));
}

#[test]
fn cert_manager_secrets_are_never_cleanup_candidates() {
    let mut obs = observed();
    let mut s = secret(json!({"app.kubernetes.io/managed-by": "rotate-cert"}));
    s.metadata.annotations = Some(BTreeMap::from([(
        "cert-manager.io/certificate-name".to_string(),
        "web".to_string(),
    )]));
    obs.blue_secrets = BTreeMap::from([("web-tls".to_string(), Some(s))]);
    let p = plan(&obs, &settings(), "rot-1").unwrap();
    assert!(p.rotation.blue.managed_secrets.is_empty());
    let mut obs = observed();
    obs.blue_secrets = BTreeMap::from([("web-tls".to_string(), None)]);
    assert!(
        all(&refusal(&obs)).contains("TLS secret `prod/web-tls` of ingress `prod/web` is missing")
    );
}

#[test]
fn names_fit_their_rules() {
    let long = "a".repeat(120);
    let n = green_names(&long, NEW);
    assert!(n.ingress.len() <= 63 && n.secret.len() <= 63 && n.address.len() <= 63);
    let dotted = green_names("web.example", NEW);
    assert_eq!(dotted.address, "web-example-ip-1c5f8438");
    let a = dotted.address.as_bytes();
    assert!(
        a[0].is_ascii_lowercase()
            && a.iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
    );
    assert_eq!(check_name("*.example.com"), "rotate-cert-check.example.com");
    assert_eq!(
        label_value("rot-20261127T030412Z-7f3a9c"),
        "rot-20261127T030412Z-7f3a9c"
    );
}
