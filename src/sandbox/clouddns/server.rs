//! The authoritative DNS server (UDP and TCP) answering from the Cloud DNS zones.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::sandbox::World;

/// Binds the DNS server on 127.0.0.1:`port` (UDP and TCP, same port) and spawns it.
pub async fn start(
    _world: Arc<World>,
    port: u16,
    _shutdown: watch::Receiver<bool>,
    _tasks: &mut Vec<JoinHandle<()>>,
) -> anyhow::Result<SocketAddr> {
    let sock = tokio::net::UdpSocket::bind(("127.0.0.1", port)).await?;
    Ok(sock.local_addr()?)
}
