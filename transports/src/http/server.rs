//! The standalone HTTP server: an accept loop on hyper, with a connection
//! limit, read timeouts and graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::HttpConfig;
use super::respond::respond;
use crate::Handler;

/// A bound HTTP listener, before it serves.
#[derive(Debug)]
pub struct Listening {
    listener: TcpListener,
}

impl Listening {
    /// Binds `addr` (port 0 picks a free port).
    pub async fn bind(addr: SocketAddr) -> io::Result<Self> {
        Ok(Listening {
            listener: TcpListener::bind(addr).await?,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The bound listener.
    pub fn into_inner(self) -> TcpListener {
        self.listener
    }
}

/// Serves `handler` on `listener` until `shutdown` resolves; then stops
/// accepting, lets requests in flight finish, and returns.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    accept_loop(listener, handler, config, shutdown, |stream| async move { Ok(stream) }).await
}

/// The accept loop shared by HTTP and HTTPS: `wrap` turns a TCP stream into
/// the stream HTTP is spoken over (itself, or a TLS session).
pub(crate) async fn accept_loop<H, W, F, IO>(
    listener: TcpListener,
    handler: Arc<H>,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send,
    wrap: W,
) -> io::Result<()>
where
    H: Handler,
    W: Fn(TcpStream) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<IO>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let config = Arc::new(config);
    let wrap = Arc::new(wrap);
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Past the connection limit, clients wait in the listen backlog.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let config = config.clone();
        let wrap = wrap.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let _permit = permit;
            let io = match tokio::time::timeout(config.read_timeout, wrap(stream)).await {
                Ok(Ok(io)) => io,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "connection setup failed");
                    return;
                }
                Err(_) => return,
            };
            let read_timeout = config.read_timeout;
            let service = service_fn(move |request| {
                let handler = handler.clone();
                let config = config.clone();
                async move { Ok::<_, Infallible>(respond(&*handler, &config, request).await) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(TokioIo::new(io), service);
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    // Refuse new connections at once; finish what is in flight.
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
