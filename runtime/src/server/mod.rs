//! [`Server`]: one dispatcher served on every transport asked for, until
//! the process is told to stop.

mod shutdown;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::Dispatcher;
#[cfg(feature = "http")]
use crate::transport::http::{self, HttpConfig};
#[cfg(all(feature = "shm", target_os = "linux"))]
use crate::transport::shm::{self, ShmConfig};
#[cfg(feature = "stream")]
use crate::transport::stream::{self, LocalListener, LocalName, StreamConfig};

pub use shutdown::Shutdown;

/// Serves a [`Dispatcher`] on one or more transports at once.
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
#[derive(Debug)]
pub struct Server {
    dispatcher: Dispatcher,
    endpoints: Vec<Endpoint>,
    #[cfg(feature = "http")]
    http_config: Option<HttpConfig>,
    #[cfg(feature = "stream")]
    stream_config: Option<StreamConfig>,
    #[cfg(all(feature = "shm", target_os = "linux"))]
    shm_config: Option<ShmConfig>,
    local_mode: u32,
}

#[derive(Debug)]
enum Endpoint {
    #[cfg(feature = "http")]
    Http(SocketAddr),
    #[cfg(feature = "tls")]
    Https(SocketAddr, http::tls::TlsConfig),
    #[cfg(feature = "stream")]
    Tcp(SocketAddr),
    #[cfg(feature = "stream")]
    Local(LocalName),
    #[cfg(feature = "stream")]
    Stdio,
    #[cfg(feature = "shm")]
    Shm(LocalName),
}

impl Server {
    /// A server for `dispatcher`, on no transport yet.
    pub fn new(dispatcher: Dispatcher) -> Self {
        Server {
            dispatcher,
            endpoints: Vec::new(),
            #[cfg(feature = "http")]
            http_config: None,
            #[cfg(feature = "stream")]
            stream_config: None,
            #[cfg(all(feature = "shm", target_os = "linux"))]
            shm_config: None,
            local_mode: 0o600,
        }
    }

    /// Serves HTTP on `addr` (port 0 picks a free port).
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, addr: SocketAddr) -> Self {
        self.endpoints.push(Endpoint::Http(addr));
        self
    }

    /// Serves HTTPS on `addr` with the given certificate.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn https(mut self, addr: SocketAddr, tls: http::tls::TlsConfig) -> Self {
        self.endpoints.push(Endpoint::Https(addr, tls));
        self
    }

    /// Sets the HTTP paths and limits. By default the body limit follows
    /// the dispatcher's [`Limits`](crate::Limits).
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http_config(mut self, config: HttpConfig) -> Self {
        self.http_config = Some(config);
        self
    }

    /// Serves raw TCP on `addr`: newline-delimited JSON, `Content-Length`
    /// framing or HTTP, chosen per connection.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn tcp(mut self, addr: SocketAddr) -> Self {
        self.endpoints.push(Endpoint::Tcp(addr));
        self
    }

    /// Serves a local socket: a Unix domain socket path (or `@name`, a
    /// Linux abstract name), a named pipe on Windows.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn local(mut self, name: LocalName) -> Self {
        self.endpoints.push(Endpoint::Local(name));
        self
    }

    /// Sets the permissions of socket files — local sockets and the
    /// shared-memory handshake socket (default 0o600: only the server's
    /// user may connect).
    #[must_use]
    pub fn local_mode(mut self, mode: u32) -> Self {
        self.local_mode = mode;
        self
    }

    /// Serves this process's stdin and stdout, for a parent process. The
    /// server stops when stdin ends. Nothing else may print to stdout.
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn stdio(mut self) -> Self {
        self.endpoints.push(Endpoint::Stdio);
        self
    }

    /// Sets the limits of the stream transports. By default the body limit
    /// follows the dispatcher's [`Limits`](crate::Limits).
    #[cfg(feature = "stream")]
    #[must_use]
    pub fn stream_config(mut self, config: StreamConfig) -> Self {
        self.stream_config = Some(config);
        self
    }

    /// Serves shared memory, with handshakes on the local socket `name`
    /// (a path, created with the [`local_mode`](Self::local_mode)
    /// permissions; or `@name`, a Linux abstract name). Each client gets a
    /// sealed memfd with a request ring and a response ring, and a thread
    /// of its own on the server. Linux only: elsewhere
    /// [`bind`](Self::bind) fails with [`io::ErrorKind::Unsupported`].
    #[cfg(feature = "shm")]
    #[must_use]
    pub fn shm(mut self, name: LocalName) -> Self {
        self.endpoints.push(Endpoint::Shm(name));
        self
    }

    /// Sets the sizes, limits and timing of the shared-memory transport.
    /// By default the body limit follows the dispatcher's
    /// [`Limits`](crate::Limits).
    #[cfg(all(feature = "shm", target_os = "linux"))]
    #[must_use]
    pub fn shm_config(mut self, config: ShmConfig) -> Self {
        self.shm_config = Some(config);
        self
    }

    /// Binds every listener, so that addresses are known before serving.
    pub async fn bind(self) -> io::Result<BoundServer> {
        let body_limit = self.dispatcher.limits().body_bytes();
        let mut bound = BoundServer {
            dispatcher: Arc::new(self.dispatcher),
            endpoints: Vec::new(),
            #[cfg(feature = "http")]
            http_config: self
                .http_config
                .unwrap_or_else(|| HttpConfig::default().max_body_bytes(body_limit)),
            #[cfg(feature = "stream")]
            stream_config: self
                .stream_config
                .unwrap_or_else(|| StreamConfig::default().max_body_bytes(body_limit)),
            #[cfg(all(feature = "shm", target_os = "linux"))]
            shm_config: self
                .shm_config
                .unwrap_or_else(|| ShmConfig::default().max_body_bytes(body_limit)),
        };
        let _ = body_limit;
        for endpoint in self.endpoints {
            bound.endpoints.push(bind(endpoint, self.local_mode).await?);
        }
        Ok(bound)
    }

    /// Binds, then serves until SIGINT or SIGTERM; calls in flight finish
    /// before it returns.
    pub async fn serve(self) -> io::Result<()> {
        self.bind().await?.serve_until(Shutdown::on_signal()).await
    }
}

#[allow(clippy::unused_async)]
async fn bind(endpoint: Endpoint, local_mode: u32) -> io::Result<Bound> {
    let _ = local_mode;
    let tcp = |addr: SocketAddr, what: &'static str| async move {
        tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            io::Error::new(e.kind(), format!("cannot listen for {what} on {addr}: {e}"))
        })
    };
    Ok(match endpoint {
        #[cfg(feature = "http")]
        Endpoint::Http(addr) => Bound::Http(tcp(addr, "HTTP").await?),
        #[cfg(feature = "tls")]
        Endpoint::Https(addr, tls) => Bound::Https(tcp(addr, "HTTPS").await?, tls),
        #[cfg(feature = "stream")]
        Endpoint::Tcp(addr) => Bound::Tcp(tcp(addr, "TCP").await?),
        #[cfg(feature = "stream")]
        Endpoint::Local(name) => Bound::Local(
            LocalListener::bind(&name, local_mode)
                .map_err(|e| io::Error::new(e.kind(), format!("cannot listen on {name}: {e}")))?,
            name,
        ),
        #[cfg(feature = "stream")]
        Endpoint::Stdio => Bound::Stdio,
        #[cfg(all(feature = "shm", target_os = "linux"))]
        Endpoint::Shm(name) => Bound::Shm(
            LocalListener::bind(&name, local_mode).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot listen for shared memory on {name}: {e}"),
                )
            })?,
            name,
        ),
        #[cfg(all(feature = "shm", not(target_os = "linux")))]
        Endpoint::Shm(name) => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!(
                    "cannot serve shared memory on {name}: the shared-memory transport exists only on Linux"
                ),
            ));
        }
    })
}

/// A [`Server`] whose listeners are bound.
#[derive(Debug)]
pub struct BoundServer {
    dispatcher: Arc<Dispatcher>,
    endpoints: Vec<Bound>,
    #[cfg(feature = "http")]
    http_config: HttpConfig,
    #[cfg(feature = "stream")]
    stream_config: StreamConfig,
    #[cfg(all(feature = "shm", target_os = "linux"))]
    shm_config: ShmConfig,
}

#[derive(Debug)]
enum Bound {
    #[cfg(feature = "http")]
    Http(tokio::net::TcpListener),
    #[cfg(feature = "tls")]
    Https(tokio::net::TcpListener, http::tls::TlsConfig),
    #[cfg(feature = "stream")]
    Tcp(tokio::net::TcpListener),
    #[cfg(feature = "stream")]
    Local(LocalListener, LocalName),
    #[cfg(feature = "stream")]
    Stdio,
    #[cfg(all(feature = "shm", target_os = "linux"))]
    Shm(LocalListener, LocalName),
}

impl BoundServer {
    /// The addresses HTTP (and HTTPS) is served on, in the order given.
    #[cfg(feature = "http")]
    pub fn http_addrs(&self) -> Vec<SocketAddr> {
        self.endpoints
            .iter()
            .filter_map(|b| match b {
                Bound::Http(l) => l.local_addr().ok(),
                #[cfg(feature = "tls")]
                Bound::Https(l, _) => l.local_addr().ok(),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect()
    }

    /// The addresses raw TCP is served on.
    #[cfg(feature = "stream")]
    pub fn tcp_addrs(&self) -> Vec<SocketAddr> {
        self.endpoints
            .iter()
            .filter_map(|b| match b {
                Bound::Tcp(l) => l.local_addr().ok(),
                _ => None,
            })
            .collect()
    }

    /// The local sockets served.
    #[cfg(feature = "stream")]
    pub fn local_names(&self) -> Vec<LocalName> {
        self.endpoints
            .iter()
            .filter_map(|b| match b {
                Bound::Local(_, name) => Some(name.clone()),
                _ => None,
            })
            .collect()
    }

    /// The handshake sockets shared memory is served on.
    #[cfg(feature = "shm")]
    pub fn shm_names(&self) -> Vec<LocalName> {
        self.endpoints
            .iter()
            .filter_map(|b| match b {
                #[cfg(target_os = "linux")]
                Bound::Shm(_, name) => Some(name.clone()),
                #[allow(unreachable_patterns)]
                _ => None,
            })
            .collect()
    }

    /// Serves until `shutdown` resolves; then every listener stops
    /// accepting and calls in flight finish. With stdio among the
    /// transports, the server also stops when stdin ends.
    pub async fn serve_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send,
    ) -> io::Result<()> {
        let stop = Shutdown::new();
        let mut tasks = tokio::task::JoinSet::new();
        let mut stdio = false;
        for bound in self.endpoints {
            let handler = self.dispatcher.clone();
            let signal = stop.signal();
            match bound {
                #[cfg(feature = "http")]
                Bound::Http(listener) => {
                    tasks.spawn(http::serve(
                        listener,
                        handler,
                        self.http_config.clone(),
                        signal,
                    ));
                }
                #[cfg(feature = "tls")]
                Bound::Https(listener, tls) => {
                    let config = self.http_config.clone();
                    tasks.spawn(http::tls::serve_tls(listener, tls, handler, config, signal));
                }
                #[cfg(feature = "stream")]
                Bound::Tcp(listener) => {
                    tasks.spawn(stream::serve_tcp(
                        listener,
                        handler,
                        self.stream_config.clone(),
                        signal,
                    ));
                }
                #[cfg(feature = "stream")]
                Bound::Local(listener, _) => {
                    tasks.spawn(stream::serve_local(
                        listener,
                        handler,
                        self.stream_config.clone(),
                        signal,
                    ));
                }
                #[cfg(feature = "stream")]
                Bound::Stdio => {
                    stdio = true;
                    tasks.spawn(stream::serve_stdio(handler, self.stream_config.clone()));
                }
                #[cfg(all(feature = "shm", target_os = "linux"))]
                Bound::Shm(listener, _) => {
                    tasks.spawn(shm::serve_shm(
                        listener,
                        handler,
                        self.shm_config.clone(),
                        signal,
                    ));
                }
            }
        }
        let _ = &mut stdio;
        tokio::select! {
            () = shutdown => {}
            Some(ended) = tasks.join_next() => {
                // A transport ended on its own: stdin closed, or an error.
                stop.trigger();
                ended.map_err(io::Error::other)??;
            }
        }
        stop.trigger();
        while let Some(ended) = tasks.join_next().await {
            ended.map_err(io::Error::other)??;
        }
        Ok(())
    }
}
