//! Read-only views of a [`TestSandbox`]'s world for assertions: the inventory
//! (Kubernetes objects, Compute resources, Cloud DNS records), what the authoritative DNS
//! server answers, what a load-balancer IP serves over TLS (`rotate_cert::tls::Prober`
//! with the sandbox CA, and `curl`), and the shape of a finished rotation.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::time::Duration;

use rotate_cert::dns::{Nameserver, query_a};
use rotate_cert::tls::{ProbeOutcome, Prober};
use serde_json::Value;
use tokio::process::Command;

use super::sandbox::{HOSTS, NS, TestSandbox, ZONE, leaf_sha256};

impl TestSandbox {
    // ---- the world -------------------------------------------------------------------

    /// The sandbox's inventory (as `GET /sandbox/v1/inventory` answers).
    pub fn inventory(&self) -> Value {
        rotate_cert::sandbox::control::inventory(self.sandbox.world())
    }

    /// What [`Self::inventory`] holds about objects (Compute, Cloud DNS, Kubernetes),
    /// without request counters and timing.
    pub fn objects(&self) -> Value {
        let inv = self.inventory();
        // Events (the controller records one on every resync) and the cluster-wide
        // resourceVersion they bump are the controller's, not changes anyone made.
        let mut kube = inv["kubernetes"].clone();
        if let Some(o) = kube.as_object_mut() {
            o.remove("resourceVersion");
        }
        if let Some(o) = kube["objects"].as_object_mut() {
            o.remove("events");
        }
        serde_json::json!({
            "compute": inv["compute"],
            "dns": inv["dns"],
            "kubernetes": kube,
        })
    }

    fn kube_objects(&self, resource: &str, ns: &str) -> Vec<Value> {
        self.inventory()["kubernetes"]["objects"][resource]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|o| o["metadata"]["namespace"] == ns)
            .collect()
    }

    /// The Ingresses of `ns`.
    pub fn ingresses(&self, ns: &str) -> Vec<Value> {
        self.kube_objects("ingresses", ns)
    }

    /// The Ingress `ns/name`, if it exists.
    pub fn ingress(&self, ns: &str, name: &str) -> Option<Value> {
        self.ingresses(ns)
            .into_iter()
            .find(|i| i["metadata"]["name"] == name)
    }

    /// The names of the Ingresses of `ns`, sorted.
    pub fn ingress_names(&self, ns: &str) -> Vec<String> {
        names_of(&self.ingresses(ns), |o| &o["metadata"]["name"])
    }

    /// The Secrets of `ns` (key names and sizes only).
    pub fn secrets(&self, ns: &str) -> Vec<Value> {
        self.kube_objects("secrets", ns)
    }

    /// The names of the Secrets of `ns`, sorted.
    pub fn secret_names(&self, ns: &str) -> Vec<String> {
        names_of(&self.secrets(ns), |o| &o["metadata"]["name"])
    }

    /// The Compute resources of one collection (`forwardingRules`, `sslCertificates`, …).
    pub fn compute(&self, collection: &str) -> Vec<Value> {
        self.inventory()["compute"][collection]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Every Compute resource's name, by collection, sorted.
    pub fn compute_names(&self) -> BTreeMap<String, Vec<String>> {
        let inv = self.inventory();
        inv["compute"]
            .as_object()
            .expect("compute")
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    names_of(
                        v.as_array().map(Vec::as_slice).unwrap_or(&[]),
                        |o| &o["name"],
                    ),
                )
            })
            .collect()
    }

    /// The forwarding rules.
    pub fn forwarding_rules(&self) -> Vec<Value> {
        self.compute("forwardingRules")
    }

    /// The SSL certificates.
    pub fn ssl_certificates(&self) -> Vec<Value> {
        self.compute("sslCertificates")
    }

    /// Fingerprints of the leaves of every SSL certificate in Compute, sorted.
    pub fn ssl_certificate_fps(&self) -> Vec<String> {
        let mut fps: Vec<String> = self
            .ssl_certificates()
            .iter()
            .map(|c| leaf_sha256(c["certificate"].as_str().expect("certificate PEM")))
            .collect();
        fps.sort();
        fps
    }

    /// The A records of the demo zone in Cloud DNS: name → rrdatas.
    pub fn a_records(&self) -> BTreeMap<String, Vec<String>> {
        let inv = self.inventory();
        let zone = inv["dns"]["zones"]
            .as_array()
            .expect("zones")
            .iter()
            .find(|z| z["zone"]["name"] == ZONE)
            .cloned()
            .expect("the demo zone");
        zone["rrsets"]
            .as_array()
            .expect("rrsets")
            .iter()
            .filter(|r| r["type"] == "A")
            .map(|r| {
                (
                    r["name"].as_str().unwrap().to_string(),
                    r["rrdatas"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    }

    /// What the sandbox's authoritative DNS server answers for `A <host>`.
    pub async fn served_a(&self, host: &str) -> Vec<String> {
        let ns = Nameserver {
            name: "sandbox".into(),
            addr: self.sandbox.endpoints().dns,
        };
        query_a(&ns, host, Duration::from_secs(3))
            .await
            .expect("the DNS server answers")
            .ips
            .iter()
            .map(|i| i.to_string())
            .collect()
    }

    /// What `ip` serves for `host` (TLS with the sandbox CA, then `GET /`).
    pub async fn probe(&self, ip: &str, host: &str) -> ProbeOutcome {
        let prober = Prober::new(
            Some(&self.files.ca),
            self.sandbox.endpoints().lb_port,
            Duration::from_secs(5),
        )
        .expect("a prober");
        prober
            .probe(ip.parse::<IpAddr>().expect("an IP"), host)
            .await
            .unwrap_or_else(|e| panic!("probe of {ip} for {host}: {e}"))
    }

    /// `curl --resolve host:port:ip --cacert ca.pem https://host:port<path>`.
    pub async fn curl(&self, host: &str, ip: &str, path: &str) -> Curl {
        let port = self.sandbox.endpoints().lb_port;
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10", "--resolve"])
            .arg(format!("{host}:{port}:{ip}"))
            .arg("--cacert")
            .arg(&self.files.ca)
            .args(["-w", "\n@@status@@%{http_code}\n%{certs}"])
            .arg(format!("https://{host}:{port}{path}"))
            .env("HOME", self.path("home"))
            .output()
            .await
            .expect("run curl");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "curl https://{host}{path} on {ip} failed: {}{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        let (body, rest) = stdout.split_once("\n@@status@@").expect("curl's write-out");
        let (status, certs) = rest.split_once('\n').unwrap_or((rest, ""));
        let begin = certs
            .find("-----BEGIN CERTIFICATE-----")
            .expect("curl printed the certificate chain");
        let end = certs[begin..].find("-----END CERTIFICATE-----").unwrap() + begin + 25;
        Curl {
            status: status.trim().parse().expect("an HTTP status"),
            body: body.to_string(),
            leaf_sha256: leaf_sha256(&certs[begin..end]),
        }
    }

    /// The IP in an Ingress's status.
    pub fn ingress_ip(&self, name: &str) -> Option<String> {
        self.ingress(NS, name).and_then(|i| {
            i["status"]["loadBalancer"]["ingress"][0]["ip"]
                .as_str()
                .map(String::from)
        })
    }

    /// The load-balancer resources ingress-gce wrote on Ingress `default/<name>`: every
    /// forwarding rule, proxy, URL map, certificate and promoted address.
    pub fn lb_resource_names(&self, name: &str) -> Vec<String> {
        let ing = self
            .ingress(NS, name)
            .unwrap_or_else(|| panic!("ingress {name} exists"));
        let ann = &ing["metadata"]["annotations"];
        let mut names: Vec<String> = [
            "forwarding-rule",
            "https-forwarding-rule",
            "target-proxy",
            "https-target-proxy",
            "url-map",
            "ssl-cert",
            "static-ip",
        ]
        .iter()
        .map(|k| {
            ann[format!("ingress.kubernetes.io/{k}")]
                .as_str()
                .unwrap_or_else(|| panic!("ingress {name} has annotation {k}"))
                .to_string()
        })
        .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Every Compute resource name, any collection.
    pub fn all_compute_names(&self) -> Vec<String> {
        self.compute_names().into_values().flatten().collect()
    }

    /// Asserts that the rotation of `default/web` to the renewed certificate is complete,
    /// with nothing left of blue and nothing duplicated: one green Ingress, one green
    /// Secret next to the user's `web-tls`, one load balancer carrying the new certificate,
    /// both records on the green IP in Cloud DNS and at the nameserver. Returns the green IP.
    pub async fn assert_rotated(&self) -> String {
        self.assert_rotated_keeping(&["web-tls"]).await
    }

    /// [`Self::assert_rotated`], with `user_secrets` the Secrets besides the green one.
    pub async fn assert_rotated_keeping(&self, user_secrets: &[&str]) -> String {
        let green = self.green_ingress();
        assert_eq!(self.ingress_names(NS), vec![green.clone()], "one Ingress");
        let mut secrets = vec![self.green_secret()];
        secrets.extend(user_secrets.iter().map(|s| s.to_string()));
        secrets.sort();
        assert_eq!(
            self.secret_names(NS),
            secrets,
            "the green Secret and the user's"
        );
        let green_ip = self.ingress_ip(&green).expect("green has an IP");
        assert_ne!(green_ip, self.blue_ip);
        let green_ing = self.ingress(NS, &green).unwrap();
        let ann = &green_ing["metadata"]["annotations"];
        let c = self.compute_names();
        let one = |coll: &str, ann_key: &str| {
            let want = ann[format!("ingress.kubernetes.io/{ann_key}")]
                .as_str()
                .unwrap_or_else(|| panic!("green has annotation {ann_key}"));
            assert_eq!(c[coll], vec![want.to_string()], "exactly green's {coll}");
        };
        one("urlMaps", "url-map");
        one("targetHttpsProxies", "https-target-proxy");
        one("targetHttpProxies", "target-proxy");
        one("sslCertificates", "ssl-cert");
        one("addresses", "static-ip");
        let mut rules = vec![
            ann["ingress.kubernetes.io/forwarding-rule"]
                .as_str()
                .unwrap()
                .to_string(),
            ann["ingress.kubernetes.io/https-forwarding-rule"]
                .as_str()
                .unwrap()
                .to_string(),
        ];
        rules.sort();
        assert_eq!(
            c["forwardingRules"], rules,
            "exactly green's forwarding rules"
        );
        for r in self.forwarding_rules() {
            assert_eq!(r["IPAddress"], green_ip.as_str(), "{r}");
        }
        assert_eq!(
            self.ssl_certificate_fps(),
            vec![self.new_fp()],
            "one certificate, the new one"
        );
        let records = self.a_records();
        for host in HOSTS {
            assert_eq!(
                records[&format!("{host}.")],
                vec![green_ip.clone()],
                "Cloud DNS record of {host}"
            );
            assert_eq!(
                self.served_a(host).await,
                vec![green_ip.clone()],
                "the nameserver's answer for {host}"
            );
        }
        green_ip
    }
}

/// What `curl` got.
#[derive(Debug, Clone)]
pub struct Curl {
    /// HTTP status.
    pub status: u16,
    /// Response body.
    pub body: String,
    /// SHA-256 of the leaf certificate presented.
    pub leaf_sha256: String,
}

fn names_of(objs: &[Value], name: impl Fn(&Value) -> &Value) -> Vec<String> {
    let mut v: Vec<String> = objs
        .iter()
        .filter_map(|o| name(o).as_str().map(String::from))
        .collect();
    v.sort();
    v
}
