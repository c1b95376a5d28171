//! ingress-gce's v2 resource names, recomputed from its rules (`pkg/utils/namer`): a
//! 36-character alphabet content hash, fields trimmed evenly to fit, and the `k8s2-xx-`
//! prefixes per resource kind. The unit test checks the upstream test vector.

fn sha256(data: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, data)
        .as_ref()
        .to_vec()
}

const TABLE: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `ContentHash(s, n)`: SHA-256 of `s`, first `n` bytes mapped onto `[0-9a-z]`.
pub fn content_hash(s: &str, n: usize) -> String {
    sha256(s.as_bytes())
        .iter()
        .take(n)
        .map(|b| TABLE[(*b % 36) as usize] as char)
        .collect()
}

/// `TrimFieldsEvenly`: shortens fields in proportion to their length so the total fits
/// `max`.
pub fn trim_fields_evenly(max: usize, fields: &[&str]) -> Vec<String> {
    let total: usize = fields.iter().map(|f| f.len()).sum();
    if max == 0 || total <= max {
        return fields.iter().map(|f| f.to_string()).collect();
    }
    let excess = total - max;
    let mut remaining = max as isize;
    let mut lengths: Vec<usize> = Vec::new();
    for f in fields {
        let l = f.len() - f.len() * excess / total - 1;
        lengths.push(l);
        remaining -= l as isize;
    }
    for l in lengths.iter_mut().take(remaining.max(0) as usize) {
        *l += 1;
    }
    fields
        .iter()
        .zip(lengths)
        .map(|(f, l)| f[..l.min(f.len())].to_string())
        .collect()
}

/// The names ingress-gce gives one Ingress's load-balancer resources (v2 scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namer {
    /// `ContentHash(kube-system UID, 8)`.
    pub cluster_uid: String,
    /// `<clusterUID>-<ns>-<name>-<suffix>`.
    pub lb_name: String,
}

impl Namer {
    /// Names for `namespace/name` in the cluster whose kube-system namespace has `uid`.
    pub fn new(kube_system_uid: &str, namespace: &str, name: &str) -> Namer {
        let cluster_uid = content_hash(kube_system_uid, 8);
        let suffix = content_hash(&format!("{kube_system_uid};{namespace};{name}"), 8);
        let trimmed = trim_fields_evenly(36, &[namespace, name]);
        Namer {
            lb_name: format!("{cluster_uid}-{}-{}-{suffix}", trimmed[0], trimmed[1]),
            cluster_uid,
        }
    }

    fn prefixed(&self, kind: &str) -> String {
        format!("k8s2-{kind}-{}", self.lb_name)
    }

    /// HTTP forwarding rule (also the promoted static IP's address name).
    pub fn http_rule(&self) -> String {
        self.prefixed("fr")
    }
    /// HTTPS forwarding rule.
    pub fn https_rule(&self) -> String {
        self.prefixed("fs")
    }
    /// Target HTTP proxy.
    pub fn http_proxy(&self) -> String {
        self.prefixed("tp")
    }
    /// Target HTTPS proxy.
    pub fn https_proxy(&self) -> String {
        self.prefixed("ts")
    }
    /// URL map.
    pub fn url_map(&self) -> String {
        self.prefixed("um")
    }
    /// The prefix of this load balancer's secret-derived certificates.
    pub fn cert_prefix(&self) -> String {
        format!(
            "k8s2-cr-{}-{}-",
            self.cluster_uid,
            content_hash(&self.lb_name, 16)
        )
    }
    /// The certificate for a Secret whose `tls.crt` is `crt`.
    pub fn cert(&self, crt: &[u8]) -> String {
        let hash = hex::encode(sha256(crt));
        format!("{}{}", self.cert_prefix(), &hash[..16])
    }
}

/// The backend service (NEG-style) for a Service port, shared by every Ingress using it.
pub fn backend_service(
    kube_system_uid: &str,
    namespace: &str,
    service: &str,
    port: &str,
) -> String {
    let uid = content_hash(kube_system_uid, 8);
    let hash = &hex::encode(sha256(format!("{namespace};{service};{port}").as_bytes()))[..8];
    let trimmed = trim_fields_evenly(40, &[namespace, service, port]);
    format!(
        "k8s1-{uid}-{}-{}-{}-{hash}",
        trimmed[0], trimmed[1], trimmed[2]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_test_vector() {
        let n = Namer::new("kubesystem-uid1", "namespace", "name");
        assert_eq!(n.cluster_uid, "7kpbhpki");
        assert_eq!(n.lb_name, "7kpbhpki-namespace-name-uhmwf5xi");
        assert_eq!(n.cert_prefix(), "k8s2-cr-7kpbhpki-fvix6gj3ge1emsdj-");
        assert_eq!(n.https_rule(), "k8s2-fs-7kpbhpki-namespace-name-uhmwf5xi");
    }

    #[test]
    fn trims_long_fields_evenly() {
        let t = trim_fields_evenly(
            36,
            &[
                "a-very-long-namespace-name-indeed",
                "and-an-even-longer-ingress-name-here",
            ],
        );
        assert_eq!(t.iter().map(|s| s.len()).sum::<usize>(), 36);
        let n = Namer::new("uid", &"n".repeat(60), &"m".repeat(60));
        assert!(n.https_rule().len() <= 63, "{}", n.https_rule());
        assert!(crate::sandbox::google::valid_compute_name(
            &backend_service("uid", "default", "app", "80")
        ));
    }
}
