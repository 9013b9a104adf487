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

/// hyper's HTTP/1.1 connection settings for `config`.
fn builder(config: &HttpConfig) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(config.read_timeout);
    builder
}

/// The hyper service answering every request of a connection.
fn service<H: Handler>(
    handler: Arc<H>,
    config: Arc<HttpConfig>,
) -> impl hyper::service::Service<
    http::Request<hyper::body::Incoming>,
    Response = http::Response<http_body_util::Full<bytes::Bytes>>,
    Error = Infallible,
    Future = impl Future<
        Output = Result<http::Response<http_body_util::Full<bytes::Bytes>>, Infallible>,
    > + Send,
> + Clone {
    service_fn(move |request| {
        let handler = handler.clone();
        let config = config.clone();
        async move { Ok::<_, Infallible>(respond(&*handler, &config, request).await) }
    })
}

/// Serves HTTP on one already-accepted connection until it closes, or
/// until `stop` changes (then requests in flight finish first). Used for
/// stream connections whose first bytes were an HTTP request.
#[cfg(feature = "stream")]
pub(crate) async fn serve_io<IO, H>(
    io: IO,
    handler: Arc<H>,
    config: Arc<HttpConfig>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    let connection = builder(&config).serve_connection(TokioIo::new(io), service(handler, config));
    let mut connection = std::pin::pin!(connection);
    tokio::select! {
        ended = connection.as_mut() => {
            if let Err(e) = ended {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

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
    accept_loop(listener, handler, config, shutdown, |stream| async move {
        Ok(stream)
    })
    .await
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
            let connection =
                builder(&config).serve_connection(TokioIo::new(io), service(handler, config));
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
