//! Bad certificates and keys given to `plan` and `rotate`: every preflight failure, and
//! files that cannot be used at all. Each is bad input (exit 2) with the problem named,
//! the key never printed, and nothing changed (no state file either).

use crate::harness::*;
use crate::support::certs::*;
use crate::support::sandbox::{HOSTS, TestSandbox};

/// One case: `$make(&sb)` writes the files and returns the `--cert/--key` (or other)
/// arguments and any keys that must not be printed; `$command` runs with them.
macro_rules! case {
    ($name:ident, $command:literal, $make:expr, $want:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $name() {
            let sb = TestSandbox::new().await;
            let make: fn(&TestSandbox) -> (Vec<String>, Vec<String>) = $make;
            let (args, keys) = make(&sb);
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            refused(&sb, &cmd($command, &args), $want, &keys).await;
        }
    };
}

/// A self-signed leaf for the demo hosts, adjusted by `f`, written as `stem`.
fn leaf(sb: &TestSandbox, stem: &str, f: impl FnOnce(Leaf) -> Leaf) -> (Vec<String>, Vec<String>) {
    let pem = f(Leaf::new(&HOSTS)).make();
    (write_pem(sb, stem, &pem), vec![pem.key])
}

const PREFLIGHT_HINT: Option<&str> = Some("run `rotate-cert check-cert`");
const FILES_HINT: Option<&str> = Some("check the files given to `--cert`");

case!(
    expired_certificate,
    "rotate",
    |sb| leaf(sb, "expired", |l| Leaf {
        not_before: days(-100),
        not_after: days(-2),
        ..l
    }),
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `validity`", "expired"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    certificate_not_yet_valid,
    "plan",
    |sb| leaf(sb, "future", |l| Leaf {
        not_before: days(3),
        not_after: days(90),
        ..l
    }),
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `validity`", "not valid until"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    certificate_expiring_within_the_minimum_validity,
    "rotate",
    |sb| leaf(sb, "soon", |l| Leaf {
        not_after: days(5),
        ..l
    }),
    Want {
        code: BAD_INPUT,
        says: &[
            "`validity`",
            "sooner than the required minimum validity of 14d"
        ],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    certificate_for_other_hosts,
    "plan",
    |sb| {
        let pem = Leaf::new(&["shop.other.test"]).make();
        (write_pem(sb, "other", &pem), vec![pem.key])
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `hostnames`", "www.example.test"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    rsa_1024_key,
    "rotate",
    |sb| {
        let key = openssl_rsa(1024, false);
        let cert = openssl_self_signed(&key, &HOSTS, 90);
        (
            write_pair(sb, "rsa1024", cert.as_bytes(), key.as_bytes()),
            vec![key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `key-type`", "RSA 1024"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    p521_key,
    "plan",
    |sb| {
        let key = openssl_ec("P-521", false);
        let cert = openssl_self_signed(&key, &HOSTS, 90);
        (
            write_pair(sb, "p521", cert.as_bytes(), key.as_bytes()),
            vec![key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `key-type`", "P-521"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    ed25519_key,
    "rotate",
    |sb| leaf(sb, "ed25519", |l| Leaf {
        alg: Alg::Ed25519,
        ..l
    }),
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `key-type`", "Ed25519"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    encrypted_pkcs8_key,
    "rotate",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        let enc = encrypt_pkcs8(&pem.key);
        (
            write_pair(sb, "enc", pem.cert.as_bytes(), enc.as_bytes()),
            vec![pem.key, enc],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["the private key is encrypted", "openssl pkey"],
        hint: FILES_HINT,
    }
);

case!(
    encrypted_legacy_key,
    "plan",
    |sb| {
        let key = openssl_rsa(2048, true);
        let cert = openssl_self_signed(&key, &HOSTS, 90);
        let enc = encrypt_legacy(&key);
        (
            write_pair(sb, "legacy", cert.as_bytes(), enc.as_bytes()),
            vec![key, enc],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["the private key is encrypted", "Proc-Type: 4,ENCRYPTED"],
        hint: FILES_HINT,
    }
);

case!(
    key_of_another_certificate,
    "rotate",
    |sb| {
        let a = Leaf::new(&HOSTS).make();
        let b = Leaf::new(&HOSTS).make();
        (
            write_pair(sb, "mismatch", a.cert.as_bytes(), b.key.as_bytes()),
            vec![a.key, b.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `key-match`", "does not match"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    chain_out_of_order,
    "rotate",
    |sb| {
        let root = ca("Order Root");
        let int = intermediate("Order Issuing CA", &root);
        let l = leaf_signed_by(&int, &HOSTS, days(-1), days(60));
        let cert = chain(&[&l.cert, &root.cert, &int.cert]);
        (
            write_pair(sb, "order", cert.as_bytes(), l.key.as_bytes()),
            vec![l.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `chain-order`", "leaf first"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    chain_longer_than_five,
    "plan",
    |sb| {
        let mut cas = vec![ca("Deep Root")];
        for i in 1..=5 {
            let next = intermediate(&format!("Deep CA {i}"), cas.last().unwrap());
            cas.push(next);
        }
        let l = leaf_signed_by(cas.last().unwrap(), &HOSTS, days(-1), days(60));
        let mut parts = vec![l.cert.as_str()];
        parts.extend(cas.iter().skip(1).rev().map(|c| c.cert.as_str()));
        let cert = chain(&parts);
        (
            write_pair(sb, "deep", cert.as_bytes(), l.key.as_bytes()),
            vec![l.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate preflight `chain-length`", "more than the 5"],
        hint: PREFLIGHT_HINT,
    }
);

case!(
    certificate_file_that_is_not_pem,
    "rotate",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        let args = write_pair(
            sb,
            "text",
            b"this is not a certificate\n",
            pem.key.as_bytes(),
        );
        (args, vec![pem.key])
    },
    Want {
        code: BAD_INPUT,
        says: &["text.pem", "no `-----BEGIN CERTIFICATE-----` PEM block"],
        hint: FILES_HINT,
    }
);

case!(
    certificate_in_der,
    "plan",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        let der = cert_to_der(&pem.cert);
        (
            write_pair(sb, "der", &der, pem.key.as_bytes()),
            vec![pem.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["binary (DER), not PEM", "openssl x509 -inform der"],
        hint: FILES_HINT,
    }
);

case!(
    key_in_der,
    "rotate",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        let der = key_to_der(&pem.key);
        (
            write_pair(sb, "derkey", pem.cert.as_bytes(), &der),
            vec![pem.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["the key file is binary (DER)", "openssl pkey -inform der"],
        hint: FILES_HINT,
    }
);

case!(
    empty_certificate_file,
    "rotate",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        (
            write_pair(sb, "empty", b"", pem.key.as_bytes()),
            vec![pem.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["empty.pem", "the certificate file is empty"],
        hint: FILES_HINT,
    }
);

case!(
    empty_key_file,
    "plan",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        (
            write_pair(sb, "nokey", pem.cert.as_bytes(), b"\n"),
            vec![pem.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["the key file is empty"],
        hint: FILES_HINT,
    }
);

case!(
    certificate_and_key_swapped,
    "rotate",
    |sb| {
        let pem = renewed(sb);
        let args = write_pair(sb, "swapped", pem.key.as_bytes(), pem.cert.as_bytes());
        (args, vec![pem.key])
    },
    Want {
        code: BAD_INPUT,
        says: &[
            "holds a private key",
            "were the certificate and key files swapped?"
        ],
        hint: FILES_HINT,
    }
);

case!(
    certificate_signing_request_instead_of_a_certificate,
    "plan",
    |sb| {
        let pem = Leaf::new(&HOSTS).make();
        let csr = openssl_csr(&pem.key, HOSTS[0]);
        (
            write_pair(sb, "csr", csr.as_bytes(), pem.key.as_bytes()),
            vec![pem.key],
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["certificate signing request", "send the CSR to your CA"],
        hint: FILES_HINT,
    }
);

case!(
    missing_certificate_file,
    "rotate",
    |sb| (
        vec![
            "--cert".into(),
            "no-such.pem".into(),
            "--key".into(),
            sb.files.renewed_key.display().to_string(),
        ],
        Vec::new(),
    ),
    Want {
        code: BAD_INPUT,
        says: &[
            "cannot read certificate",
            "no-such.pem",
            "No such file or directory"
        ],
        hint: FILES_HINT,
    }
);

case!(
    a_directory_given_as_the_key,
    "plan",
    |sb| {
        std::fs::create_dir_all(sb.path("keys")).unwrap();
        (
            vec![
                "--cert".into(),
                sb.files.renewed_cert.display().to_string(),
                "--key".into(),
                "keys".into(),
            ],
            Vec::new(),
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["cannot read key", "keys", "Is a directory"],
        hint: FILES_HINT,
    }
);

case!(
    unreadable_key_file,
    "rotate",
    |sb| {
        // Mode 000 where that stops this user (not root); otherwise a symlink loop, which
        // no one can open.
        let path = sb.path("locked.key");
        std::fs::write(&path, sb.new_key_pem()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::read(&path).is_ok() {
            std::fs::remove_file(&path).unwrap();
            std::os::unix::fs::symlink("locked.key", &path).unwrap();
        }
        (
            vec![
                "--cert".into(),
                sb.files.renewed_cert.display().to_string(),
                "--key".into(),
                "locked.key".into(),
            ],
            Vec::new(),
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["cannot read key", "locked.key"],
        hint: FILES_HINT,
    }
);

case!(
    from_secret_that_does_not_exist,
    "rotate",
    |_| (
        vec!["--from-secret".into(), "default/web-renewed".into()],
        Vec::new()
    ),
    Want {
        code: BAD_INPUT,
        says: &["secret `default/web-renewed` not found"],
        hint: Some("kubectl get secret -n default web-renewed"),
    }
);

case!(
    from_secret_that_is_not_a_tls_secret,
    "plan",
    |sb| {
        let mut secret =
            rotate_cert::sandbox::seed::tls_secret("default", "half", &sb.sandbox.certs().renewed);
        // Not a TLS Secret (those must have a key): an Opaque one with only a certificate.
        secret["type"] = "Opaque".into();
        secret["data"].as_object_mut().unwrap().remove("tls.key");
        sb.sandbox
            .world()
            .kube
            .create("secrets", Some("default"), secret)
            .expect("create the Secret");
        (
            vec!["--from-secret".into(), "default/half".into()],
            Vec::new(),
        )
    },
    Want {
        code: BAD_INPUT,
        says: &["secret `default/half` has no `tls.key`"],
        hint: Some("must be a TLS secret with `tls.crt` and `tls.key`"),
    }
);
