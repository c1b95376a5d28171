//! The DNS wire protocol: authoritative answers to `dig` over UDP and TCP, truncation over
//! UDP, hickory-resolver, several queries on one TCP connection, FORMERR for garbage.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use super::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dig_gets_authoritative_answers_over_udp_and_tcp() {
    let env = Env::start().await;
    let ttl = env.world().core.timing.ttl_secs;
    for transport in ["+notcp", "+tcp"] {
        let d = env.dig(&[transport, "www.example.test", "A"]).await;
        assert_eq!(d.status, "NOERROR", "{}", d.raw);
        assert!(d.flags.contains(&"aa".to_string()), "{}", d.raw);
        assert!(!d.flags.contains(&"ra".to_string()), "{}", d.raw);
        assert_eq!(
            d.answers,
            [(
                "www.example.test.".to_string(),
                ttl,
                "A".to_string(),
                WWW_IP.to_string()
            )],
            "{}",
            d.raw
        );
    }
    let mixed = env.dig(&["API.Example.Test", "A"]).await;
    assert_eq!(mixed.data(), [API_IP], "{}", mixed.raw);
    let nx = env.dig(&["nope.example.test", "A"]).await;
    assert_eq!(nx.status, "NXDOMAIN", "{}", nx.raw);
    assert!(nx.flags.contains(&"aa".to_string()), "{}", nx.raw);
    assert!(nx.authority.iter().any(|l| l.contains("SOA")), "{}", nx.raw);
    let nodata = env.dig(&["www.example.test", "AAAA"]).await;
    assert_eq!(
        (nodata.status.as_str(), nodata.answers.len()),
        ("NOERROR", 0)
    );
    assert!(
        nodata.authority.iter().any(|l| l.contains("SOA")),
        "{}",
        nodata.raw
    );
    let refused = env.dig(&["www.example.org", "A"]).await;
    assert_eq!(refused.status, "REFUSED", "{}", refused.raw);
    let ns = env.dig(&["example.test", "NS"]).await;
    assert_eq!(ns.answers.len(), 4, "{}", ns.raw);
    assert!(
        ns.raw.contains("EDNS: version: 0"),
        "EDNS echoed: {}",
        ns.raw
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_answers_truncate_over_udp_and_complete_over_tcp() {
    let env = Env::start().await;
    let many: Vec<String> = (0..40)
        .map(|i| format!("\"record {i:02} with some padding to make it long\""))
        .collect();
    env.world()
        .dns
        .upsert_rrset(ZONE, "big.example.test.", "TXT", 60, many);
    let udp_only = env
        .dig(&["+ignore", "+bufsize=1232", "big.example.test", "TXT"])
        .await;
    assert!(
        udp_only.flags.contains(&"tc".to_string()),
        "{}",
        udp_only.raw
    );
    assert!(udp_only.answers.is_empty());
    let retried = env.dig(&["big.example.test", "TXT"]).await;
    assert_eq!(
        retried.answers.len(),
        40,
        "dig retried over TCP: {}",
        retried.raw
    );

    let resolver = resolver(env.dns_port());
    let txt = resolver
        .lookup(
            "big.example.test.",
            hickory_resolver::proto::rr::RecordType::TXT,
        )
        .await
        .expect("TXT lookup");
    assert_eq!(txt.answers().len(), 40);
}

fn resolver(port: u16) -> hickory_resolver::TokioResolver {
    use hickory_resolver::config::{NameServerConfig, ResolverConfig};
    let mut ns = NameServerConfig::udp_and_tcp(IpAddr::V4(Ipv4Addr::LOCALHOST));
    for c in &mut ns.connections {
        c.port = port;
    }
    hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], vec![ns]),
        hickory_resolver::net::runtime::TokioRuntimeProvider::default(),
    )
    .build()
    .expect("resolver")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hickory_resolver_gets_the_answer() {
    let env = Env::start().await;
    let resolver = resolver(env.dns_port());
    let ips = resolver
        .lookup_ip("www.example.test.")
        .await
        .expect("lookup");
    let ips: Vec<IpAddr> = ips.iter().collect();
    assert_eq!(ips, [WWW_IP.parse::<IpAddr>().unwrap()]);
    let missing = resolver.lookup_ip("missing.example.test.").await;
    assert!(missing.is_err(), "{missing:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connection_carries_several_queries_and_garbage_gets_formerr() {
    use hickory_resolver::proto::op::{Message, Query, ResponseCode};
    use hickory_resolver::proto::rr::{Name, RecordType};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let env = Env::start().await;
    let addr: SocketAddr = env.sandbox.endpoints().dns;
    let mut conn = tokio::net::TcpStream::connect(addr).await.expect("connect");
    for (i, name) in [
        "www.example.test.",
        "api.example.test.",
        "nope.example.test.",
    ]
    .iter()
    .enumerate()
    {
        let mut q = Message::query();
        q.metadata.id = 100 + i as u16;
        q.add_query(Query::query(Name::from_ascii(name).unwrap(), RecordType::A));
        let bytes = q.to_vec().unwrap();
        conn.write_all(&(bytes.len() as u16).to_be_bytes())
            .await
            .unwrap();
        conn.write_all(&bytes).await.unwrap();
        let len = conn.read_u16().await.expect("framed answer");
        let mut buf = vec![0; usize::from(len)];
        conn.read_exact(&mut buf).await.unwrap();
        let r = Message::from_vec(&buf).unwrap();
        assert_eq!(r.metadata.id, 100 + i as u16);
        let expected = if i == 2 {
            ResponseCode::NXDomain
        } else {
            ResponseCode::NoError
        };
        assert_eq!(r.metadata.response_code, expected);
    }

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut garbage = vec![0x12, 0x34, 0x01, 0x00, 0x00, 0x05, 0, 0, 0, 0, 0, 0];
    garbage.extend_from_slice(b"\x03www\x07exa");
    udp.send_to(&garbage, addr).await.unwrap();
    let mut buf = [0u8; 512];
    let (n, _) = tokio::time::timeout(Duration::from_secs(2), udp.recv_from(&mut buf))
        .await
        .expect("FORMERR arrives")
        .unwrap();
    let r = Message::from_vec(&buf[..n]).unwrap();
    assert_eq!(
        (r.metadata.id, r.metadata.response_code),
        (0x1234, ResponseCode::FormErr)
    );
    let still = env.dig(&["www.example.test", "A"]).await;
    assert_eq!(still.data(), [WWW_IP]);
}
