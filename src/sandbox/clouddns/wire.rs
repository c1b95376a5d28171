//! DNS messages in and out: turns one query packet into the authoritative response the
//! way a real name server does, using `hickory-proto` for the wire format.
//!
//! * Standard queries for one question of class IN are answered from the served view:
//!   AA set, the records' own TTLs, NXDOMAIN/NODATA with the SOA, REFUSED outside
//!   every zone, a non-AA referral below a delegation.
//! * The first owner name of an answer is written exactly as the question spelt it, so
//!   resolvers that randomise case (DNS 0x20) accept the answer.
//! * EDNS(0): an OPT in the query gets an OPT in the response (our payload size, the
//!   DO bit copied); an unknown EDNS version gets BADVERS.
//! * Over UDP a response larger than the client's limit (512 without EDNS, else its
//!   advertised size, capped at [`SERVER_UDP_PAYLOAD`]) is replaced by the question with
//!   TC set, so the client retries over TCP.
//! * Garbage never panics: a packet whose header parses gets FORMERR, anything else —
//!   and anything that is itself a response — is dropped.

use std::str::FromStr;

use hickory_proto::op::{Edns, Header, Message, MessageType, Metadata, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, Record, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

use super::CloudDns;
use super::model::{RecordSet, name_key, parse_rdata};

/// The UDP payload size the server advertises and never exceeds (the DNS flag day 2020
/// value).
pub const SERVER_UDP_PAYLOAD: u16 = 1232;

/// Which transport a query came over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP: responses are limited in size.
    Udp,
    /// TCP: no size limit below 64 KiB.
    Tcp,
}

/// The response to one query packet, or `None` when the packet must be dropped.
pub fn respond(dns: &CloudDns, packet: &[u8], transport: Transport) -> Option<Vec<u8>> {
    let req = match Message::from_vec(packet) {
        Ok(m) => m,
        Err(_) => return formerr(packet),
    };
    if req.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut resp = Message::response(req.metadata.id, req.metadata.op_code);
    resp.metadata = Metadata::response_from_request(&req.metadata);
    resp.add_queries(req.queries.iter().cloned());
    let mut limit = 512usize;
    if let Some(edns) = &req.edns {
        let mut out = Edns::new();
        out.set_max_payload(SERVER_UDP_PAYLOAD);
        out.set_version(0);
        out.set_dnssec_ok(edns.flags().dnssec_ok);
        resp.set_edns(out);
        limit = usize::from(edns.max_payload().clamp(512, SERVER_UDP_PAYLOAD));
        if edns.version() > 0 {
            resp.metadata.response_code = ResponseCode::BADVERS;
            return encode(&resp, transport, limit);
        }
    }
    answer(dns, &req, &mut resp);
    encode(&resp, transport, limit)
}

/// Fills in the answer for a well-formed query.
fn answer(dns: &CloudDns, req: &Message, resp: &mut Message) {
    if req.metadata.op_code != OpCode::Query {
        resp.metadata.response_code = ResponseCode::NotImp;
        return;
    }
    let [query] = req.queries.as_slice() else {
        resp.metadata.response_code = ResponseCode::FormErr;
        return;
    };
    let qtype = query.query_type();
    let transfer = matches!(qtype, RecordType::AXFR | RecordType::IXFR);
    if query.query_class() != DNSClass::IN || transfer {
        resp.metadata.response_code = ResponseCode::Refused;
        return;
    }
    let qname = query.name().to_ascii();
    let Some(found) = dns.served_lookup(&qname, &qtype.to_string()) else {
        resp.metadata.response_code = ResponseCode::Refused;
        return;
    };
    resp.metadata.authoritative = found.authoritative;
    if found.nxdomain {
        resp.metadata.response_code = ResponseCode::NXDomain;
    }
    let qkey = name_key(&qname);
    let owner_for = |rr: &RecordSet| {
        if name_key(&rr.name) == qkey {
            Some(query.name().clone())
        } else {
            Name::from_ascii(&rr.name).ok()
        }
    };
    for rr in &found.answers {
        resp.add_answers(records(rr, owner_for(rr)));
    }
    for rr in &found.authority {
        resp.add_authorities(records(rr, Name::from_ascii(&rr.name).ok()));
    }
}

/// The wire records of one record set (data that no longer parses is skipped: the API
/// validated it on the way in).
fn records(rr: &RecordSet, owner: Option<Name>) -> Vec<Record> {
    let (Some(owner), Ok(_)) = (owner, RecordType::from_str(&rr.rtype)) else {
        return Vec::new();
    };
    rr.rrdatas
        .iter()
        .filter_map(|d| parse_rdata(&rr.rtype, d))
        .map(|rdata| Record::from_rdata(owner.clone(), rr.ttl, rdata))
        .collect()
}

/// Serialises a response, truncating it for UDP when it is too large.
fn encode(resp: &Message, transport: Transport, limit: usize) -> Option<Vec<u8>> {
    let bytes = match resp.to_vec() {
        Ok(b) => b,
        Err(_) => {
            let fail = Message::error_msg(
                resp.metadata.id,
                resp.metadata.op_code,
                ResponseCode::ServFail,
            );
            return fail.to_vec().ok();
        }
    };
    if transport == Transport::Udp && bytes.len() > limit {
        return resp.truncate().to_vec().ok();
    }
    Some(bytes)
}

/// FORMERR for a packet whose header parses as a query; nothing otherwise.
fn formerr(packet: &[u8]) -> Option<Vec<u8>> {
    let header = Header::read(&mut BinDecoder::new(packet)).ok()?;
    if header.metadata.message_type != MessageType::Query {
        return None;
    }
    Message::error_msg(
        header.metadata.id,
        header.metadata.op_code,
        ResponseCode::FormErr,
    )
    .to_vec()
    .ok()
}

#[cfg(test)]
mod tests {
    use hickory_proto::op::Query;
    use hickory_proto::rr::RData;

    use super::*;

    fn dns() -> CloudDns {
        let dns = CloudDns::new();
        dns.create_zone("example-test", "example.test.", "");
        dns.upsert_rrset(
            "example-test",
            "www.example.test.",
            "A",
            42,
            vec!["192.0.2.1".into()],
        );
        let many: Vec<String> = (0..60)
            .map(|i| format!("\"{i:03} padding padding padding\""))
            .collect();
        dns.upsert_rrset("example-test", "big.example.test.", "TXT", 60, many);
        dns
    }

    fn query(name: &str, rtype: RecordType, edns: Option<u16>) -> Vec<u8> {
        let mut m = Message::query();
        m.metadata.id = 4242;
        m.add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
        if let Some(size) = edns {
            let mut e = Edns::new();
            e.set_max_payload(size);
            m.set_edns(e);
        }
        m.to_vec().unwrap()
    }

    fn ask(dns: &CloudDns, packet: &[u8], t: Transport) -> Message {
        Message::from_vec(&respond(dns, packet, t).expect("an answer")).unwrap()
    }

    #[test]
    fn answers_with_aa_ttl_and_query_case() {
        let dns = dns();
        let r = ask(
            &dns,
            &query("WwW.Example.TEST.", RecordType::A, None),
            Transport::Udp,
        );
        assert_eq!(r.metadata.id, 4242);
        assert!(r.metadata.authoritative);
        assert_eq!(r.metadata.response_code, ResponseCode::NoError);
        assert_eq!(r.answers.len(), 1);
        assert_eq!(r.answers[0].ttl, 42);
        assert_eq!(r.answers[0].name.to_string(), "WwW.Example.TEST.");
        assert!(matches!(r.answers[0].data, RData::A(_)));
        assert!(r.edns.is_none());
        let nx = ask(
            &dns,
            &query("nope.example.test.", RecordType::A, Some(1232)),
            Transport::Udp,
        );
        assert_eq!(nx.metadata.response_code, ResponseCode::NXDomain);
        assert_eq!(nx.authorities[0].record_type(), RecordType::SOA);
        assert!(nx.edns.is_some(), "EDNS echoed");
        let refused = ask(
            &dns,
            &query("example.org.", RecordType::A, None),
            Transport::Udp,
        );
        assert_eq!(refused.metadata.response_code, ResponseCode::Refused);
        assert!(!refused.metadata.authoritative);
    }

    #[test]
    fn truncates_udp_and_not_tcp() {
        let dns = dns();
        let small = ask(
            &dns,
            &query("big.example.test.", RecordType::TXT, None),
            Transport::Udp,
        );
        assert!(small.metadata.truncation && small.answers.is_empty());
        let edns = ask(
            &dns,
            &query("big.example.test.", RecordType::TXT, Some(4096)),
            Transport::Udp,
        );
        assert!(edns.metadata.truncation, "above the 1232 cap");
        let tcp = ask(
            &dns,
            &query("big.example.test.", RecordType::TXT, None),
            Transport::Tcp,
        );
        assert!(!tcp.metadata.truncation);
        assert_eq!(tcp.answers.len(), 60);
    }

    #[test]
    fn malformed_packets() {
        let dns = dns();
        assert_eq!(respond(&dns, &[], Transport::Udp), None);
        assert_eq!(respond(&dns, &[1, 2, 3], Transport::Udp), None);
        let mut cut = query("www.example.test.", RecordType::A, None);
        cut.truncate(20);
        let r = ask(&dns, &cut, Transport::Udp);
        assert_eq!(r.metadata.response_code, ResponseCode::FormErr);
        assert_eq!(r.metadata.id, 4242);
        let mut response =
            Message::from_vec(&query("www.example.test.", RecordType::A, None)).unwrap();
        response.metadata.message_type = MessageType::Response;
        assert_eq!(
            respond(&dns, &response.to_vec().unwrap(), Transport::Udp),
            None
        );
        for i in 0..64u8 {
            let mut junk = query("www.example.test.", RecordType::A, Some(1232));
            let n = junk.len();
            junk[usize::from(i) % n] ^= i.wrapping_mul(37) | 1;
            let _ = respond(&dns, &junk, Transport::Udp);
        }
    }
}
