//! [`Server`]: a handler served on a list of endpoints until it is told to
//! stop — by a future, a [`ServerHandle`], or SIGINT/SIGTERM.

mod activation;
mod signal;

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::Dispatcher;
use crate::transport::listen::{LocalName, Stop};
use crate::transport::{Address, BoundEndpoint, Endpoint, Handler};

pub use activation::inherited_tcp_listener;
pub use signal::shutdown_signal;

/// How long connections may take to finish after a stop, unless
/// [`Server::grace`] says otherwise.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);

/// Serves a handler — a [`Dispatcher`] unless you bring your own
/// [`Handler`] — on one or more endpoints at once.
///
/// ```no_run
/// # async fn demo(dispatcher: diglot::Dispatcher) -> std::io::Result<()> {
/// diglot::Server::new(dispatcher)
///     .http("127.0.0.1:8080".parse().unwrap())
///     .tcp("127.0.0.1:7070".parse().unwrap())
///     .serve() // until SIGINT or SIGTERM
///     .await
/// # }
/// ```
///
/// Each transport's settings travel with its endpoint:
///
/// ```no_run
/// # async fn demo(dispatcher: diglot::Dispatcher) -> std::io::Result<()> {
/// use diglot::{HttpConfig, HttpEndpoint, Server};
///
/// let http = HttpEndpoint::new("127.0.0.1:8080".parse().unwrap())
///     .config(HttpConfig::default().max_connections(64));
/// Server::new(dispatcher).endpoint(http).serve().await
/// # }
/// ```
pub struct Server<H: Handler = Dispatcher> {
    handler: Arc<H>,
    endpoints: Vec<Box<dyn Endpoint<H>>>,
    grace: Duration,
}

impl<H: Handler> std::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("endpoints", &self.endpoints.len())
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// A server for `handler`, on no endpoint yet.
    pub fn new(handler: H) -> Self {
        Server {
            handler: Arc::new(handler),
            endpoints: Vec::new(),
            grace: DEFAULT_GRACE,
        }
    }

    /// Adds an endpoint: any transport, configured.
    #[must_use]
    pub fn endpoint(mut self, endpoint: impl Endpoint<H>) -> Self {
        self.endpoints.push(Box::new(endpoint));
        self
    }

    /// Serves HTTP on `addr` (port 0 picks a free port), default settings.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(self, addr: SocketAddr) -> Self {
        self.endpoint(crate::HttpEndpoint::new(addr))
    }

    /// Serves HTTPS on `addr` with the given certificate.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn https(self, addr: SocketAddr, tls: crate::TlsConfig) -> Self {
        self.endpoint(crate::HttpEndpoint::new(addr).tls(tls))
    }

    /// Serves raw TCP on `addr`: newline-delimited JSON, `Content-Length`
    /// framing or HTTP, chosen per connection.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn tcp(self, addr: SocketAddr) -> Self {
        self.endpoint(crate::TcpEndpoint::new(addr))
    }

    /// Serves a local socket: a Unix domain socket path (created with mode
    /// 0o600) or `@name` (a Linux abstract name); a named pipe on Windows.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn local(self, name: LocalName) -> Self {
        self.endpoint(crate::LocalEndpoint::new(name))
    }

    /// Serves this process's stdin and stdout, for a parent process. The
    /// server stops when stdin ends. Nothing else may print to stdout.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn stdio(self) -> Self {
        self.endpoint(crate::StdioEndpoint::new())
    }

    /// Serves shared memory, with handshakes on the local socket `name`
    /// (see [`ShmEndpoint`](crate::ShmEndpoint)). Linux only.
    #[cfg(all(feature = "shm", target_os = "linux"))]
    #[must_use]
    pub fn shm(self, name: LocalName) -> Self {
        self.endpoint(crate::ShmEndpoint::new(name))
    }

    /// Sets how long connections may take to finish their calls after a
    /// stop before they are cut (default 10 s).
    #[must_use]
    pub fn grace(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Binds every endpoint, so that addresses are known (and taken) before
    /// serving.
    pub async fn bind(self) -> io::Result<BoundServer<H>> {
        let mut endpoints = Vec::with_capacity(self.endpoints.len());
        for endpoint in self.endpoints {
            endpoints.push(endpoint.bind().await?);
        }
        let (stop, stopped) = watch::channel(false);
        Ok(BoundServer {
            handler: self.handler,
            endpoints,
            grace: self.grace,
            handle: ServerHandle {
                stop: Arc::new(stop),
                stopped,
            },
        })
    }

    /// Binds, then serves until SIGINT or SIGTERM; calls in flight finish
    /// before it returns.
    pub async fn serve(self) -> io::Result<()> {
        self.bind().await?.serve().await
    }
}

/// A [`Server`] whose endpoints are bound.
pub struct BoundServer<H: Handler = Dispatcher> {
    handler: Arc<H>,
    endpoints: Vec<Box<dyn BoundEndpoint<H>>>,
    grace: Duration,
    handle: ServerHandle,
}

impl<H: Handler> std::fmt::Debug for BoundServer<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundServer")
            .field("addresses", &self.addresses())
            .field("grace", &self.grace)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> BoundServer<H> {
    /// Every endpoint's transport name and address, in the order added.
    pub fn addresses(&self) -> Vec<(&'static str, Address)> {
        self.endpoints
            .iter()
            .map(|e| (e.transport(), e.address()))
            .collect()
    }

    fn socket_addrs(&self, transports: &[&str]) -> Vec<SocketAddr> {
        self.addresses()
            .into_iter()
            .filter_map(|(transport, address)| match address {
                Address::Socket(addr) if transports.contains(&transport) => Some(addr),
                _ => None,
            })
            .collect()
    }

    fn local_addrs(&self, transports: &[&str]) -> Vec<LocalName> {
        self.addresses()
            .into_iter()
            .filter_map(|(transport, address)| match address {
                Address::Local(name) if transports.contains(&transport) => Some(name),
                _ => None,
            })
            .collect()
    }

    /// The addresses HTTP and HTTPS are served on.
    pub fn http_addrs(&self) -> Vec<SocketAddr> {
        self.socket_addrs(&["http", "https"])
    }

    /// The addresses raw TCP is served on.
    pub fn tcp_addrs(&self) -> Vec<SocketAddr> {
        self.socket_addrs(&["tcp"])
    }

    /// The local sockets (and named pipes) served.
    pub fn local_names(&self) -> Vec<LocalName> {
        self.local_addrs(&["unix", "pipe"])
    }

    /// The handshake sockets shared memory is served on.
    pub fn shm_names(&self) -> Vec<LocalName> {
        self.local_addrs(&["shm"])
    }

    /// A handle that stops the server from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Serves until SIGINT or SIGTERM, or a [`ServerHandle::stop`].
    pub async fn serve(self) -> io::Result<()> {
        self.serve_until(shutdown_signal()).await
    }

    /// Serves until `shutdown` resolves or a [`ServerHandle::stop`]; then
    /// every endpoint stops accepting (new connections are refused), and
    /// calls in flight finish within the grace, after which what is left is
    /// cut. An endpoint that ends on its own — stdio, when stdin ends —
    /// stops the others too.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()> + Send) -> io::Result<()> {
        let stop = Stop::new(self.grace);
        let mut served = tokio::task::JoinSet::new();
        for endpoint in self.endpoints {
            served.spawn(endpoint.serve(self.handler.clone(), stop.signal()));
        }
        let mut handle = self.handle.clone();
        let ended = tokio::select! {
            () = shutdown => None,
            () = handle.stopped() => None,
            Some(ended) = served.join_next() => Some(ended),
        };
        stop.trigger();
        self.handle.stop();
        if let Some(ended) = ended {
            ended.map_err(io::Error::other)??;
        }
        while let Some(ended) = served.join_next().await {
            ended.map_err(io::Error::other)??;
        }
        Ok(())
    }
}

/// Stops a running server from elsewhere: a task, a signal handler, a
/// method of the service itself.
#[derive(Debug, Clone)]
pub struct ServerHandle {
    stop: Arc<watch::Sender<bool>>,
    stopped: watch::Receiver<bool>,
}

impl ServerHandle {
    /// Tells the server to stop: endpoints stop accepting and calls in
    /// flight finish. Returns at once; `serve_until` returns when done.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Resolves once [`stop`](Self::stop) has been called, or the server
    /// has begun stopping for another reason.
    pub async fn stopped(&mut self) {
        let _ = self.stopped.wait_for(|stopped| *stopped).await;
    }
}
