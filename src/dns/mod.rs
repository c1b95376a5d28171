//! Asking one authoritative nameserver what it answers, with `hickory-resolver`.
//!
//! rotate-cert verifies a DNS switch at the source — every authoritative nameserver of the
//! zone, queried directly, without recursion and without a cache — so an answer here is
//! exactly what the zone serves, not what some resolver remembers. This module only
//! queries; it never decides what an answer means.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{RData, RecordType};

/// One authoritative nameserver: where to send queries, and its name for messages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Nameserver {
    /// The zone's name for it (`ns-cloud-a1.googledomains.com.`), or the address when
    /// given directly.
    pub name: String,
    /// Address and port.
    pub addr: SocketAddr,
}

/// What a nameserver answered for `A <host>`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Answer {
    /// The A records (sorted).
    pub ips: Vec<Ipv4Addr>,
    /// Their TTL, when there were any.
    pub ttl: Option<u32>,
    /// `NOERROR`, `NXDOMAIN`, `REFUSED`, …
    pub rcode: String,
}

/// Why a query got no answer at all.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The server did not answer in time (or at all).
    #[error("nameserver {server} did not answer for `{host}`: {detail}")]
    NoAnswer {
        /// Server name and address.
        server: String,
        /// The queried name.
        host: String,
        /// What the resolver said.
        detail: String,
    },
    /// The host name is not a valid DNS name.
    #[error("`{0}` is not a valid DNS name")]
    BadName(String),
    /// A nameserver's name resolves, but to no IPv4 address.
    #[error("nameserver `{0}` has no IPv4 address")]
    NoAddress(String),
}

impl QueryError {
    /// Whether asking again later can help (always, for a silent server).
    pub fn retryable(&self) -> bool {
        matches!(self, QueryError::NoAnswer { .. })
    }
}

/// Parses a `--nameserver` value: `IP` or `IP:PORT` (port 53 by default).
pub fn parse_nameserver(s: &str) -> Result<Nameserver, String> {
    let s = s.trim();
    let addr = if let Ok(sa) = s.parse::<SocketAddr>() {
        sa
    } else if let Ok(ip) = s.parse::<IpAddr>() {
        SocketAddr::new(ip, 53)
    } else {
        return Err(format!(
            "`{s}` is not a nameserver address: expected IP or IP:PORT, e.g. 8.8.8.8 or 127.0.0.1:5353"
        ));
    };
    if addr.port() == 0 {
        return Err(format!(
            "`{s}` is not a nameserver address: port 0 cannot be queried (omit the port for 53)"
        ));
    }
    Ok(Nameserver {
        name: addr.to_string(),
        addr,
    })
}

/// Resolves the zone's nameserver names (from Cloud DNS `nameServers`) to addresses with
/// the system resolver.
pub async fn resolve_nameservers(names: &[String]) -> Result<Vec<Nameserver>, QueryError> {
    let mut out = Vec::new();
    for name in names {
        let host = name.trim_end_matches('.');
        let addrs =
            tokio::net::lookup_host((host, 53))
                .await
                .map_err(|e| QueryError::NoAnswer {
                    server: "the system resolver".into(),
                    host: name.clone(),
                    detail: e.to_string(),
                })?;
        let Some(addr) = addrs.into_iter().find(|a| a.is_ipv4()) else {
            return Err(QueryError::NoAddress(name.clone()));
        };
        out.push(Nameserver {
            name: name.clone(),
            addr,
        });
    }
    Ok(out)
}

/// Asks `server` for the A records of `host`, once, without recursion or caching.
pub async fn query_a(
    server: &Nameserver,
    host: &str,
    timeout: Duration,
) -> Result<Answer, QueryError> {
    let fqdn = if host.ends_with('.') {
        host.to_string()
    } else {
        format!("{host}.")
    };
    let mut ns = NameServerConfig::udp_and_tcp(server.addr.ip());
    for c in &mut ns.connections {
        c.port = server.addr.port();
    }
    let mut opts = ResolverOpts::default();
    opts.cache_size = 0;
    opts.recursion_desired = false;
    opts.attempts = 1;
    opts.timeout = timeout;
    opts.num_concurrent_reqs = 1;
    let resolver = hickory_resolver::Resolver::builder_with_config(
        ResolverConfig::from_parts(None, vec![], vec![ns]),
        TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build()
    .map_err(|e| QueryError::NoAnswer {
        server: server.name.clone(),
        host: host.to_string(),
        detail: e.to_string(),
    })?;
    match resolver.lookup(fqdn.as_str(), RecordType::A).await {
        Ok(lookup) => {
            let mut ips = Vec::new();
            let mut ttl = None;
            for r in lookup.answers() {
                if let RData::A(a) = &r.data {
                    ips.push(a.0);
                    ttl = Some(ttl.map_or(r.ttl, |t: u32| t.min(r.ttl)));
                }
            }
            ips.sort();
            Ok(Answer {
                ips,
                ttl,
                rcode: "NOERROR".to_string(),
            })
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(nr))) => Ok(Answer {
            ips: Vec::new(),
            ttl: None,
            rcode: rcode_name(nr.response_code),
        }),
        Err(NetError::Dns(DnsError::ResponseCode(code))) => Ok(Answer {
            ips: Vec::new(),
            ttl: None,
            rcode: rcode_name(code),
        }),
        Err(e) => Err(QueryError::NoAnswer {
            server: server.name.clone(),
            host: host.to_string(),
            detail: e.to_string(),
        }),
    }
}

fn rcode_name(code: ResponseCode) -> String {
    match code {
        ResponseCode::NoError => "NOERROR".into(),
        ResponseCode::NXDomain => "NXDOMAIN".into(),
        ResponseCode::Refused => "REFUSED".into(),
        ResponseCode::ServFail => "SERVFAIL".into(),
        other => format!("{other:?}").to_uppercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameserver_flags() {
        assert_eq!(
            parse_nameserver("127.0.0.1:5353").unwrap().addr.port(),
            5353
        );
        assert_eq!(parse_nameserver("8.8.8.8").unwrap().addr.port(), 53);
        assert!(parse_nameserver("ns1.example.com").is_err());
        assert!(parse_nameserver("127.0.0.1:0").is_err());
    }
}
