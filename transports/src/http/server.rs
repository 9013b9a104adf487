//! The standalone HTTP server: [`HttpEndpoint`], an accept loop on hyper
//! with the shared connection limit and stop, and header read timeouts.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_io_timeout::TimeoutStream;

use super::HttpConfig;
use super::ending::{Ending, IdleClock, unless};
use super::respond::respond;
#[cfg(feature = "tls")]
use super::tls::TlsConfig;
use super::websocket::{Sessions, Watch};
use crate::Handler;
use crate::endpoint::{Address, BoundEndpoint, BoxFuture, Endpoint};
use crate::listen::{Activity, Limiter, StopSignal, Tasks, TcpSocket};
use crate::seam::Caller;

/// HTTP (or, with a `TlsConfig` and the `tls` feature, HTTPS) on a TCP
/// address.
///
/// ```no_run
/// # use diglot_transports::http::{HttpConfig, HttpEndpoint};
/// let endpoint = HttpEndpoint::new("127.0.0.1:8080".parse().unwrap())
///     .config(HttpConfig::default().paths(["/RPC2"]));
/// ```
#[derive(Debug)]
pub struct HttpEndpoint {
    socket: TcpSocket,
    settings: Settings,
}

/// What an HTTP endpoint serves with, besides its socket.
#[derive(Debug, Clone)]
struct Settings {
    config: HttpConfig,
    #[cfg(feature = "tls")]
    tls: Option<TlsConfig>,
}

impl Settings {
    fn transport(&self) -> &'static str {
        #[cfg(feature = "tls")]
        if self.tls.is_some() {
            return "https";
        }
        "http"
    }
}

impl HttpEndpoint {
    /// HTTP on `addr` (port 0 picks a free port), default settings.
    pub fn new(addr: SocketAddr) -> Self {
        Self::on(TcpSocket::Addr(addr))
    }

    /// HTTP on a socket already listening: one handed over by socket
    /// activation (see `inherited_tcp_listener` in `diglot`), default
    /// settings.
    pub fn from_listener(listener: std::net::TcpListener) -> Self {
        Self::on(TcpSocket::Listener(listener))
    }

    fn on(socket: TcpSocket) -> Self {
        HttpEndpoint {
            socket,
            settings: Settings {
                config: HttpConfig::default(),
                #[cfg(feature = "tls")]
                tls: None,
            },
        }
    }

    /// Sets the paths, connection limit and timeouts.
    #[must_use]
    pub fn config(mut self, config: HttpConfig) -> Self {
        self.settings.config = config;
        self
    }

    /// Serves HTTPS with this certificate instead of plain HTTP.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.settings.tls = Some(tls);
        self
    }
}

impl<H: Handler> Endpoint<H> for HttpEndpoint {
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>> {
        Box::pin(async move {
            let HttpEndpoint { socket, settings } = *self;
            let listener = socket.listen(settings.transport()).await?;
            let local = listener.local_addr()?;
            Ok(Box::new(BoundHttp {
                listener,
                local,
                settings,
            }) as Box<dyn BoundEndpoint<H>>)
        })
    }
}

struct BoundHttp {
    listener: TcpListener,
    local: SocketAddr,
    settings: Settings,
}

impl<H: Handler> BoundEndpoint<H> for BoundHttp {
    fn transport(&self) -> &'static str {
        self.settings.transport()
    }

    fn address(&self) -> Address {
        Address::Socket(self.local)
    }

    fn serve(self: Box<Self>, handler: Arc<H>, stop: StopSignal) -> BoxFuture<io::Result<()>> {
        Box::pin(async move {
            let BoundHttp {
                listener, settings, ..
            } = *self;
            #[cfg(feature = "tls")]
            if let Some(tls) = settings.tls.clone() {
                let acceptor = tls.acceptor();
                return accept_loop(listener, handler, settings, stop, move |stream| {
                    let acceptor = acceptor.clone();
                    async move { acceptor.accept(stream).await }
                })
                .await;
            }
            accept_loop(listener, handler, settings, stop, |stream| async move {
                Ok(stream)
            })
            .await
        })
    }
}

/// How long a connection that has sent no request yet may take to send
/// its first one once the server stops.
const FIRST_REQUEST_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Serves HTTP on one accepted connection until it closes, until `stop`
/// fires (then requests in flight finish first), until the limiter asks
/// it to make room while it is idle between requests, or until it has been
/// idle (before a request's head is complete) for the read timeout.
pub(crate) async fn serve_io<IO, H>(
    io: IO,
    handler: Arc<H>,
    config: Arc<HttpConfig>,
    transport: &'static str,
    caller: Caller,
    mut stop: StopSignal,
    activity: Arc<Activity>,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    // No hyper timer: its header timeout arms a timer for every request;
    // the idle clock below bounds the same time with one per connection.
    let http = http1::Builder::new();
    let write_timeout = config.write_timeout;
    let read_timeout = config.read_timeout;
    let first_request_wait = read_timeout.min(FIRST_REQUEST_WAIT);
    activity.set_idle(true);
    let marks = activity.clone();
    let idle = Arc::new(IdleClock::new());
    let clock = idle.clone();
    // Becomes true when the first request's head has been read.
    let (begun, mut first_request) = tokio::sync::watch::channel(false);
    let begun_once = std::sync::atomic::AtomicBool::new(false);
    // A WebSocket session runs here once hyper lets go of the connection,
    // so that the stop reaches it and the drain waits for it.
    let (upgraded, mut session) = tokio::sync::mpsc::unbounded_channel();
    let sessions: Sessions = Arc::new(move |s| {
        let _ = upgraded.send(s);
    });
    let watch = Watch {
        stop: Some(stop.clone()),
        activity: Some(activity.clone()),
    };
    let service = service_fn(move |request| {
        let handler = handler.clone();
        let config = config.clone();
        let activity = marks.clone();
        let clock = clock.clone();
        let (sessions, watch) = (sessions.clone(), watch.clone());
        if !begun_once.swap(true, std::sync::atomic::Ordering::Relaxed) {
            begun.send_replace(true);
        }
        async move {
            activity.set_idle(false);
            clock.busy();
            let upgrades = (&sessions, watch);
            let response = respond(&handler, &config, transport, caller, request, upgrades).await;
            clock.idle();
            activity.set_idle(true);
            Ok::<_, Infallible>(response)
        }
    });
    // hyper writes answers itself; the timer runs only while a write waits
    // on a client that does not read, and the error it returns ends the
    // connection.
    let mut io = TimeoutStream::new(io);
    io.set_write_timeout(Some(write_timeout));
    let connection = http
        .serve_connection(TokioIo::new(Box::pin(io)), service)
        .with_upgrades();
    let mut connection = std::pin::pin!(connection);
    let ending = std::pin::pin!(async {
        tokio::select! {
            () = stop.stopped() => Ending::Stop,
            () = activity.evicted() => Ending::Evicted,
            () = idle.expired(read_timeout) => Ending::Idle,
        }
    });
    match unless(connection.as_mut(), ending).await {
        Ok(ended) => {
            if let Err(e) = ended {
                tracing::debug!(error = %e, transport, "connection ended with an error");
            }
        }
        Err(Ending::Stop) => {
            // A connection accepted just before the stop has its first
            // request on the way (a proxy writes it right after connecting):
            // closing it now would lose that request, so it is read and
            // answered first. One that sends nothing is closed soon after.
            if !*first_request.borrow() {
                tokio::select! {
                    _ = connection.as_mut() => return,
                    _ = first_request.changed() => {}
                    () = tokio::time::sleep(first_request_wait) => {}
                }
            }
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        Err(Ending::Evicted) => {
            // Closes at once between requests; a request that has just
            // begun is answered first.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
        // Nothing is in flight: the connection is dropped, which closes it.
        Err(Ending::Idle) => tracing::debug!(transport, "closing a connection idle too long"),
    }
    if let Ok(session) = session.try_recv() {
        session.await;
    }
}

/// The accept loop of HTTP and HTTPS: `wrap` turns a TCP stream into the
/// stream HTTP is spoken over (itself, or a TLS session).
async fn accept_loop<H, W, F, IO>(
    listener: TcpListener,
    handler: Arc<H>,
    settings: Settings,
    mut stop: StopSignal,
    wrap: W,
) -> io::Result<()>
where
    H: Handler,
    W: Fn(tokio::net::TcpStream) -> F + Send + Sync + 'static,
    F: Future<Output = io::Result<IO>> + Send + 'static,
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let transport = settings.transport();
    let config = Arc::new(settings.config);
    let limiter = Limiter::new(config.max_connections);
    let wrap = Arc::new(wrap);
    let mut connections = Tasks::new();
    let mut accept = || listener.accept();
    while let Some((slot, (stream, remote))) =
        limiter.accept(&mut accept, &mut stop, transport).await
    {
        let _ = stream.set_nodelay(true);
        let (handler, config, wrap, stop) =
            (handler.clone(), config.clone(), wrap.clone(), stop.clone());
        let activity = slot.activity();
        // Idle until its first request: a connection that sends nothing may
        // be closed to make room.
        activity.set_idle(true);
        connections.spawn(slot, async move {
            let io = match tokio::time::timeout(config.read_timeout, wrap(stream)).await {
                Ok(Ok(io)) => io,
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, transport, "connection setup failed");
                    return;
                }
                Err(_) => return,
            };
            let caller = Caller {
                remote: Some(remote),
                ..Caller::default()
            };
            serve_io(io, handler, config, transport, caller, stop, activity).await;
        });
    }
    // Refuse new connections at once; finish what is in flight.
    drop(listener);
    connections.drain(&stop, transport).await;
    Ok(())
}
