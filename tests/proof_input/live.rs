//! Live surprises: the world is not what a rotation can safely start from (or continue
//! in). A missing Ingress is bad input (exit 2); everything else is refused by a safety
//! check (exit 3) with the reason and what to do, and nothing is changed. Where the test
//! itself changes the world first, it waits until the simulated ingress-gce has settled,
//! so that "nothing changed" is about rotate-cert alone.

use std::time::Duration;

use serde_json::json;

use crate::harness::*;
use crate::support::sandbox::{HOSTS, NS, TestSandbox, ZONE};

/// Waits until the world stops changing (two snapshots 200 ms apart are equal).
async fn settle(sb: &TestSandbox) {
    let start = std::time::Instant::now();
    loop {
        let a = sb.objects();
        tokio::time::sleep(Duration::from_millis(200)).await;
        if sb.objects() == a {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the world never settled"
        );
    }
}

/// Points the A record of `host` at `rrdatas`.
fn set_record(sb: &TestSandbox, host: &str, rrdatas: &[&str]) {
    let world = sb.sandbox.world();
    world.dns.upsert_rrset(
        ZONE,
        &format!("{host}."),
        "A",
        world.core.timing.ttl_secs,
        rrdatas.iter().map(|s| s.to_string()).collect(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingress_that_does_not_exist() {
    let sb = TestSandbox::new().await;
    let mut args = with_renewed(&sb, "plan", &[]);
    args[3] = "default/shop".into();
    let want = Want {
        code: BAD_INPUT,
        says: &["ingress `default/shop` not found"],
        hint: Some("kubectl get ingress -n default"),
    };
    refused(&sb, &args, want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingress_of_another_class() {
    let sb = TestSandbox::new().await;
    let patch = json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "nginx"}}});
    sb.sandbox
        .world()
        .kube
        .patch_merge("ingresses", Some(NS), "web", &patch, false)
        .unwrap();
    // ingress-gce lets go of it: its load balancer is garbage-collected.
    until("the load balancer is gone", || {
        sb.forwarding_rules().is_empty()
    })
    .await;
    settle(&sb).await;
    let want = Want {
        code: REFUSED,
        says: &[
            "not handled by GKE's ingress-gce",
            "`kubernetes.io/ingress.class` is `nginx`",
        ],
        hint: Some("through ingress-gce only (class `gce`)"),
    };
    refused(&sb, &with_renewed(&sb, "rotate", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_secret_of_the_ingress_missing() {
    let sb = TestSandbox::new().await;
    sb.sandbox
        .world()
        .kube
        .delete("secrets", Some(NS), "web-tls")
        .unwrap();
    let want = Want {
        code: REFUSED,
        says: &["TLS secret `default/web-tls` of ingress `default/web` is missing"],
        hint: Some("restore the secret"),
    };
    refused(&sb, &with_renewed(&sb, "rotate", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_record_pointing_elsewhere() {
    let sb = TestSandbox::new().await;
    set_record(&sb, HOSTS[0], &["192.0.2.9"]);
    let want = Want {
        code: REFUSED,
        says: &[
            "the A record of `www.example.test` points at 192.0.2.9 instead of the blue IP",
            "something else manages it",
        ],
        hint: Some("only records that point exactly at the Ingress's IP"),
    };
    refused(&sb, &with_renewed(&sb, "rotate", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_record_with_an_extra_value() {
    let sb = TestSandbox::new().await;
    let blue = sb.blue_ip.clone();
    set_record(&sb, HOSTS[1], &[&blue, "192.0.2.10"]);
    let says = format!("`api.example.test` points at {blue}, 192.0.2.10 instead of the blue IP");
    let want = Want {
        code: REFUSED,
        says: &[&says],
        hint: Some("only records that point exactly at the Ingress's IP"),
    };
    refused(&sb, &with_renewed(&sb, "plan", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_flag_naming_a_zone_that_does_not_exist() {
    let sb = TestSandbox::new().await;
    let args = with_renewed(&sb, "rotate", &["--zone", "shop-zone"]);
    let want = Want {
        code: REFUSED,
        // One line for the problem, however many hosts it affects.
        says: &[
            "cannot rotate: Cloud DNS zone `shop-zone` (from --zone) not found in project `sandbox-project`",
        ],
        hint: Some("name the zone with `--zone`"),
    };
    let run = refused(&sb, &args, want, &[]).await;
    assert_eq!(
        run.stderr.matches("hint: name the zone").count(),
        1,
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_cloud_dns_zone_for_the_hosts() {
    let sb = sandbox_without_zone().await;
    let want = Want {
        code: REFUSED,
        says: &[
            "no public Cloud DNS zone in project `sandbox-project` contains `www.example.test`",
            "contains `api.example.test`",
        ],
        hint: Some("name the zone with `--zone`, or check `--project`"),
    };
    refused(&sb, &with_renewed(&sb, "plan", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn green_ingress_name_taken_by_someone_else() {
    let sb = TestSandbox::new().await;
    let mut ing = rotate_cert::sandbox::seed::ingress(NS, &sb.green_ingress(), "web-tls", &HOSTS);
    // Another controller's, so ingress-gce leaves it alone.
    ing["metadata"]["annotations"]["kubernetes.io/ingress.class"] = "nginx".into();
    sb.sandbox
        .world()
        .kube
        .create("ingresses", Some(NS), ing)
        .unwrap();
    settle(&sb).await;
    let says = format!(
        "an ingress named `default/{}` exists and was not created by rotate-cert",
        sb.green_ingress()
    );
    let want = Want {
        code: REFUSED,
        says: &[&says, "will not touch it"],
        hint: Some("rename or delete that object if it is not needed"),
    };
    refused(&sb, &with_renewed(&sb, "rotate", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn green_secret_name_taken_by_someone_else() {
    let sb = TestSandbox::new().await;
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": sb.green_secret(), "namespace": NS},
        "data": {"note": "bWluZQ=="},
    });
    sb.sandbox
        .world()
        .kube
        .create("secrets", Some(NS), secret)
        .unwrap();
    let says = format!(
        "a secret named `default/{}` exists and was not created by rotate-cert",
        sb.green_secret()
    );
    let want = Want {
        code: REFUSED,
        says: &[&says],
        hint: Some("rename or delete that object if it is not needed"),
    };
    refused(&sb, &with_renewed(&sb, "plan", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_backends_unhealthy() {
    let sb = sandbox_with_unhealthy_backends().await;
    settle(&sb).await;
    let want = Want {
        code: REFUSED,
        says: &["the blue stack is not healthy: backends", "UNHEALTHY"],
        hint: Some("wait until ingress-gce reports every backend HEALTHY"),
    };
    refused(&sb, &with_renewed(&sb, "rotate", &[]), want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blue_does_not_answer_on_the_probe_port() {
    let sb = TestSandbox::new().await;
    // A port nothing listens on: a closed port answers at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let args = with_renewed(&sb, "plan", &["--probe-port", &port]);
    let want = Want {
        code: REFUSED,
        says: &[
            "the blue stack is not healthy: `https://www.example.test/` cannot be reached",
            "`https://api.example.test/` cannot be reached",
        ],
        hint: Some("check the port"),
    };
    refused(&sb, &args, want, &[]).await;
}

/// A rotation whose green Ingress was created, then blue deleted by someone else: the
/// sandbox settled (blue's load balancer collected, green's built).
async fn blue_deleted_mid_rotation() -> TestSandbox {
    let sb = TestSandbox::new().await;
    sb.run_aborting_at(&sb.start_args("create", &[]), "create-ingress:after-act")
        .await;
    sb.sandbox
        .world()
        .kube
        .delete("ingresses", Some(NS), "web")
        .unwrap();
    let green = sb.green_ingress();
    until("blue is gone and green is built", || {
        sb.ingress(NS, "web").is_none()
            && sb.ingress(NS, &green).is_some_and(|g| {
                g["metadata"]["annotations"]["ingress.kubernetes.io/backends"]
                    .as_str()
                    .is_some_and(|b| b.contains("HEALTHY") && !b.contains("UNHEALTHY"))
            })
    })
    .await;
    settle(&sb).await;
    sb
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_blue_was_deleted_by_someone_else() {
    let sb = blue_deleted_mid_rotation().await;
    let want = Want {
        code: REFUSED,
        says: &["the blue ingress `default/web` was deleted by someone else mid-rotation"],
        hint: Some("nothing was changed; find out who changed it"),
    };
    refused(&sb, &["resume", "--yes"], want, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_after_blue_was_deleted_by_someone_else() {
    let sb = blue_deleted_mid_rotation().await;
    let want = Want {
        code: REFUSED,
        says: &["the blue ingress `default/web` was deleted by someone else mid-rotation"],
        hint: Some("rotate-cert status --state"),
    };
    refused(&sb, &["rollback", "--yes"], want, &[]).await;
}

/// A `--nameserver` that never answers (a typo'd address, a firewalled server) is found by
/// the plan, before DNS is switched — not by a `verify-dns` that could never pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nameserver_that_does_not_answer() {
    let sb = TestSandbox::new().await;
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let args = with_renewed(&sb, "rotate", &["--nameserver", &addr]);
    let says = format!("nameserver {addr} did not answer for `www.example.test.`");
    let want = Want {
        code: REFUSED,
        says: &[&says],
        hint: Some("check `--nameserver`"),
    };
    refused(&sb, &args, want, &[]).await;
    drop(silent);
}
