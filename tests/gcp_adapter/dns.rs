//! Cloud DNS v1: zones, record sets (paged), an A-record swap with exact-match deletion,
//! the refusals a stale or wrong change gets (412, 404, 409), `wait_change`, and
//! `clientOperationId` making a change safe to retry after a lost response.

use std::time::{Duration, Instant};

use rotate_cert::gcp::{
    ChangeRequest, ChangeStatus, ErrorKind, RecordSet, RequestId, ZoneVisibility,
};
use rotate_cert::sandbox::core::FaultAction;
use rotate_cert::sandbox::seed::{ZONE, ZONE_DNS};

use crate::harness::{Harness, calls, fast_retries, fault, harness, harness_scaled};

const WWW: &str = "www.example.test.";

fn a(name: &str, ttl: u32, ip: &str) -> RecordSet {
    RecordSet {
        name: name.to_string(),
        rtype: "A".to_string(),
        ttl,
        rrdatas: vec![ip.to_string()],
    }
}

async fn www(h: &Harness) -> RecordSet {
    let mut found = h
        .gcp
        .dns
        .list_record_sets(ZONE, Some(WWW), Some("A"))
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

fn swap(from: &RecordSet, ttl: u32, ip: &str, id: Option<RequestId>) -> ChangeRequest {
    ChangeRequest {
        deletions: vec![from.clone()],
        additions: vec![a(&from.name, ttl, ip)],
        client_operation_id: id,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_and_record_sets_are_found_and_paged() {
    let h = harness(fast_retries(3)).await;
    let dns = &h.gcp.dns;
    let zones = dns.list_zones(None).await.unwrap();
    let zone = zones.iter().find(|z| z.name == ZONE).expect("demo zone");
    assert_eq!(zone.dns_name, ZONE_DNS);
    assert_eq!(zone.visibility, ZoneVisibility::Public);
    assert_eq!(dns.list_zones(Some(ZONE_DNS)).await.unwrap().len(), 1);
    assert!(
        dns.list_zones(Some("other.test."))
            .await
            .unwrap()
            .is_empty()
    );
    let got = dns.get_zone(ZONE).await.unwrap();
    assert_eq!(&got, zone);
    assert!(!got.name_servers.is_empty());
    let missing = dns.get_zone("no-such-zone").await.unwrap_err();
    assert_eq!(missing.kind(), &ErrorKind::NotFound, "{missing}");
    assert_eq!(missing.method(), "dns.managedZones.get");

    let ip = rotate_cert::sandbox::seed::ingress_ip(h.sb.world(), "default", "web").unwrap();
    let ttl = h.sb.world().core.timing.ttl_secs;
    assert_eq!(www(&h).await, a(WWW, ttl, &ip));

    let before = calls(&h.sb, "dns.resourceRecordSets.list");
    let err = dns
        .list_record_sets(ZONE, None, Some("A"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Invalid);
    assert_eq!(
        calls(&h.sb, "dns.resourceRecordSets.list"),
        before,
        "refused locally"
    );

    // 150 more record sets: listing them all takes two pages.
    let many = ChangeRequest {
        additions: (0..150)
            .map(|i| RecordSet {
                name: format!("t{i}.example.test."),
                rtype: "TXT".into(),
                ttl: 60,
                rrdatas: vec![format!("\"n{i}\"")],
            })
            .collect(),
        ..Default::default()
    };
    dns.create_change(ZONE, &many).await.unwrap();
    h.sb.world().core.faults.add(fault(
        "dns.resourceRecordSets.list",
        FaultAction::Status {
            status: 503,
            reason: None,
        },
        Some(1),
    ));
    let before = calls(&h.sb, "dns.resourceRecordSets.list");
    let all = dns.list_record_sets(ZONE, None, None).await.unwrap();
    // SOA, NS, two A records, 150 TXT.
    assert_eq!(
        all.len(),
        154,
        "{:?}",
        all.iter().map(|r| &r.name).collect::<Vec<_>>()
    );
    assert_eq!(
        calls(&h.sb, "dns.resourceRecordSets.list") - before,
        3,
        "one 503 retried, then two pages"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_a_record_swap_is_applied_waited_for_and_stale_changes_are_refused() {
    let h = harness(fast_retries(3)).await;
    let dns = &h.gcp.dns;
    let blue = www(&h).await;
    let rid = RequestId::new();
    let change = swap(&blue, 30, "127.9.9.9", Some(rid));
    let created = dns.create_change(ZONE, &change).await.unwrap();
    assert!(!created.id.is_empty());
    let replay = dns.create_change(ZONE, &change).await.unwrap();
    assert_eq!(replay.id, created.id, "same clientOperationId, same change");
    let deadline = Instant::now() + Duration::from_secs(10);
    let done = dns
        .wait_change(ZONE, &created.id, Duration::from_millis(10), deadline)
        .await
        .unwrap();
    assert_eq!(done.status, ChangeStatus::Done);
    let green = www(&h).await;
    assert_eq!(green, a(WWW, 30, "127.9.9.9"));

    // The same swap again: its deletion no longer matches what is there.
    let stale = dns
        .create_change(ZONE, &swap(&blue, 30, "127.9.9.8", Some(RequestId::new())))
        .await
        .unwrap_err();
    assert_eq!(stale.kind(), &ErrorKind::PreconditionFailed, "{stale}");
    assert_eq!(stale.status(), Some(412));
    assert!(stale.message().contains("deletions[0]"), "{stale}");
    assert!(!stale.retryable() && !stale.outcome_unknown());
    assert_eq!(www(&h).await, green, "nothing changed");

    let gone = dns
        .create_change(
            ZONE,
            &swap(
                &a("nope.example.test.", 30, "127.0.0.9"),
                30,
                "127.0.0.8",
                None,
            ),
        )
        .await
        .unwrap_err();
    assert_eq!(gone.kind(), &ErrorKind::NotFound, "{gone}");
    let dup = dns
        .create_change(
            ZONE,
            &ChangeRequest {
                additions: vec![a(WWW, 30, "127.0.0.7")],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(dup.kind(), &ErrorKind::AlreadyExists, "{dup}");
    let empty = dns
        .create_change(ZONE, &ChangeRequest::default())
        .await
        .unwrap_err();
    assert_eq!(empty.kind(), &ErrorKind::Invalid);
    let unknown = dns.get_change(ZONE, "9999").await.unwrap_err();
    assert_eq!(unknown.kind(), &ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_change_gives_up_at_its_deadline_and_sees_done_later() {
    // At this scale a change stays pending for a second.
    let h = harness_scaled(0.2, fast_retries(3)).await;
    let dns = &h.gcp.dns;
    let blue = www(&h).await;
    let created = dns
        .create_change(ZONE, &swap(&blue, 30, "127.9.9.9", None))
        .await
        .unwrap();
    assert_eq!(created.status, ChangeStatus::Pending);
    let short = Instant::now() + Duration::from_millis(100);
    let err = dns
        .wait_change(ZONE, &created.id, Duration::from_millis(20), short)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Timeout, "{err}");
    assert!(err.retryable());
    let long = Instant::now() + Duration::from_secs(20);
    let done = dns
        .wait_change(ZONE, &created.id, Duration::from_millis(50), long)
        .await
        .unwrap();
    assert_eq!(done.status, ChangeStatus::Done);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_change_response_is_retried_only_with_a_client_operation_id() {
    let h = harness(fast_retries(3)).await;
    let dns = &h.gcp.dns;
    let changes = || h.sb.world().dns.changes(ZONE).unwrap().len();
    let drop_next = || {
        h.sb.world().core.faults.add(fault(
            "dns.changes.create",
            FaultAction::DropResponse,
            Some(1),
        ))
    };

    let blue = www(&h).await;
    let before = changes();
    drop_next();
    let keyed = dns
        .create_change(ZONE, &swap(&blue, 30, "127.9.9.9", Some(RequestId::new())))
        .await
        .unwrap();
    assert_eq!(calls(&h.sb, "dns.changes.create"), 2, "retried once");
    assert_eq!(changes(), before + 1, "applied once");
    assert_eq!(
        keyed.id,
        (before).to_string(),
        "the change the lost attempt made"
    );

    // Without a key there is no retry: the outcome is unknown until the records are read.
    let green = www(&h).await;
    drop_next();
    let err = dns
        .create_change(ZONE, &swap(&green, 30, "127.9.9.8", None))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Transport);
    assert!(err.outcome_unknown(), "{err}");
    assert_eq!(calls(&h.sb, "dns.changes.create"), 3, "not retried");
    assert_eq!(changes(), before + 2);
    assert_eq!(www(&h).await, a(WWW, 30, "127.9.9.8"), "it was applied");
}
