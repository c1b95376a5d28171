//! The sandbox's one HTTP port: an HTTP/1.1 server (hyper) in front of the axum router
//! that serves every API by path.
//!
//! It differs from `axum::serve` in one way the fault plan needs: a response marked
//! [`DropResponse`] is never sent — the connection is closed instead, exactly what a
//! client sees when a change was applied but the answer was lost on the way.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use super::core::DropResponse;

/// Why a connection was closed without an answer.
#[derive(Debug, thiserror::Error)]
#[error("response dropped by an injected fault")]
pub struct Dropped;

/// Serves `router` on `listener` until `shutdown` turns true.
pub async fn serve(listener: TcpListener, router: Router, mut shutdown: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            r = listener.accept() => r,
            _ = shutdown.changed() => return,
        };
        let Ok((stream, _peer)) = accepted else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut conn_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let router = router.clone();
                async move {
                    let resp = match router.oneshot(req.map(Body::new)).await {
                        Ok(resp) => resp,
                        Err(never) => match never {},
                    };
                    if resp.extensions().get::<DropResponse>().is_some() {
                        return Err::<_, Dropped>(Dropped);
                    }
                    Ok(resp)
                }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = conn_shutdown.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
}

/// Binds a loopback listener on `port` (0 = any free port).
pub async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// A `Result<_, Infallible>` helper for handlers that cannot fail.
pub type Never = Infallible;
