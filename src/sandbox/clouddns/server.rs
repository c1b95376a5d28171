//! The authoritative DNS server (UDP and TCP on the same 127.0.0.1 port) answering
//! from the Cloud DNS zones' served view.
//!
//! This file owns only the sockets: datagrams on UDP; on TCP, RFC 1035 §4.2.2 framing
//! (a two-byte length before each message), several queries per connection, answered
//! in order, and idle connections closed after [`TCP_IDLE`] (RFC 7766 §6.2.3). Turning a
//! query into a response is `wire.rs`'s job. While the fault plan says DNS is silent,
//! queries are read and dropped, so clients time out exactly as they would on a lost
//! packet. Every task stops when the sandbox's shutdown signal fires.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::wire::{Transport, respond};
use crate::sandbox::World;

/// How long a TCP connection may sit idle between queries.
pub const TCP_IDLE: Duration = Duration::from_secs(30);

/// How many times to look for a port free for both UDP and TCP when `port` is 0.
const BIND_ATTEMPTS: usize = 20;

/// Binds the DNS server on 127.0.0.1:`port` (UDP and TCP, same port; 0 picks a port
/// free for both) and spawns it.
pub async fn start(
    world: Arc<World>,
    port: u16,
    shutdown: watch::Receiver<bool>,
    tasks: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<SocketAddr> {
    let (udp, tcp, addr) = bind(port).await?;
    tasks.push(tokio::spawn(serve_udp(
        world.clone(),
        udp,
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(serve_tcp(world, tcp, shutdown)));
    Ok(addr)
}

async fn bind(port: u16) -> anyhow::Result<(UdpSocket, TcpListener, SocketAddr)> {
    let mut last_err = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind(("127.0.0.1", port)).await?;
        let addr = udp.local_addr()?;
        match TcpListener::bind(addr).await {
            Ok(tcp) => return Ok((udp, tcp, addr)),
            // An ephemeral UDP port can be taken on TCP: try another one.
            Err(e) if port == 0 => last_err = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(anyhow::anyhow!(
        "no port free for both UDP and TCP on 127.0.0.1: {}",
        last_err.map(|e| e.to_string()).unwrap_or_default()
    ))
}

async fn serve_udp(world: Arc<World>, sock: UdpSocket, mut shutdown: watch::Receiver<bool>) {
    let mut buf = vec![0u8; 65535];
    loop {
        let received = tokio::select! {
            r = sock.recv_from(&mut buf) => r,
            _ = shutdown.changed() => return,
        };
        // Errors on an unconnected UDP socket concern one datagram: keep serving.
        let Ok((len, peer)) = received else { continue };
        if world.core.faults.dns_silent() {
            continue;
        }
        if let Some(resp) = respond(&world.dns, &buf[..len], Transport::Udp) {
            let _ = sock.send_to(&resp, peer).await;
        }
    }
}

async fn serve_tcp(world: Arc<World>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve_connection(world.clone(), stream, shutdown.clone()));
    }
}

async fn serve_connection(
    world: Arc<World>,
    mut stream: TcpStream,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let next = async {
            let len = stream.read_u16().await?;
            let mut msg = vec![0u8; usize::from(len)];
            stream.read_exact(&mut msg).await?;
            Ok::<_, std::io::Error>(msg)
        };
        let msg = tokio::select! {
            r = tokio::time::timeout(TCP_IDLE, next) => match r {
                Ok(Ok(msg)) => msg,
                // Closed by the client, broken, or idle for too long.
                _ => return,
            },
            _ = shutdown.changed() => return,
        };
        if world.core.faults.dns_silent() {
            continue;
        }
        let Some(resp) = respond(&world.dns, &msg, Transport::Tcp) else {
            continue;
        };
        let Ok(len) = u16::try_from(resp.len()) else {
            continue;
        };
        let mut framed = Vec::with_capacity(resp.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(&resp);
        if stream.write_all(&framed).await.is_err() {
            return;
        }
    }
}
