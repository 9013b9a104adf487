//! [`Server`]: one dispatcher served on every transport asked for, until
//! the process is told to stop.

mod shutdown;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use crate::Dispatcher;
#[cfg(feature = "http")]
use crate::transport::http::{self, HttpConfig};

pub use shutdown::Shutdown;

/// Serves a [`Dispatcher`] on one or more transports at once.
///
/// ```no_run
/// # async fn demo(dispatcher: diglot::Dispatcher) -> std::io::Result<()> {
/// diglot::Server::new(dispatcher)
///     .http("127.0.0.1:8080".parse().unwrap())
///     .serve() // until SIGINT or SIGTERM
///     .await
/// # }
/// ```
#[derive(Debug)]
pub struct Server {
    dispatcher: Dispatcher,
    #[cfg(feature = "http")]
    http: Vec<HttpEndpoint>,
    #[cfg(feature = "http")]
    http_config: Option<HttpConfig>,
}

#[cfg(feature = "http")]
#[derive(Debug)]
enum HttpEndpoint {
    Plain(SocketAddr),
    #[cfg(feature = "tls")]
    Tls(SocketAddr, http::tls::TlsConfig),
}

impl Server {
    /// A server for `dispatcher`, on no transport yet.
    pub fn new(dispatcher: Dispatcher) -> Self {
        Server {
            dispatcher,
            #[cfg(feature = "http")]
            http: Vec::new(),
            #[cfg(feature = "http")]
            http_config: None,
        }
    }

    /// Serves HTTP on `addr` (port 0 picks a free port).
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, addr: SocketAddr) -> Self {
        self.http.push(HttpEndpoint::Plain(addr));
        self
    }

    /// Serves HTTPS on `addr` with the given certificate.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn https(mut self, addr: SocketAddr, tls: http::tls::TlsConfig) -> Self {
        self.http.push(HttpEndpoint::Tls(addr, tls));
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

    /// Binds every listener, so that addresses are known before serving.
    pub async fn bind(self) -> io::Result<BoundServer> {
        let dispatcher = Arc::new(self.dispatcher);
        #[cfg(feature = "http")]
        let configured = self.http_config.is_some();
        let mut bound = BoundServer {
            dispatcher,
            #[cfg(feature = "http")]
            http: Vec::new(),
            #[cfg(feature = "http")]
            http_config: self.http_config.unwrap_or_default(),
        };
        #[cfg(feature = "http")]
        {
            if !configured {
                bound.http_config = bound
                    .http_config
                    .clone()
                    .max_body_bytes(bound.dispatcher.limits().body_bytes());
            }
            for endpoint in self.http {
                let (addr, tls) = match endpoint {
                    HttpEndpoint::Plain(addr) => (addr, None),
                    #[cfg(feature = "tls")]
                    HttpEndpoint::Tls(addr, tls) => (addr, Some(tls)),
                };
                let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot listen for HTTP on {addr}: {e}"))
                })?;
                bound.http.push(BoundHttp { listener, tls });
            }
        }
        Ok(bound)
    }

    /// Binds, then serves until SIGINT or SIGTERM; calls in flight finish
    /// before it returns.
    pub async fn serve(self) -> io::Result<()> {
        self.bind().await?.serve_until(Shutdown::on_signal()).await
    }
}

/// A [`Server`] whose listeners are bound.
#[derive(Debug)]
pub struct BoundServer {
    dispatcher: Arc<Dispatcher>,
    #[cfg(feature = "http")]
    http: Vec<BoundHttp>,
    #[cfg(feature = "http")]
    http_config: HttpConfig,
}

#[cfg(feature = "http")]
#[derive(Debug)]
struct BoundHttp {
    listener: tokio::net::TcpListener,
    #[cfg(feature = "tls")]
    tls: Option<http::tls::TlsConfig>,
    #[cfg(not(feature = "tls"))]
    tls: Option<std::convert::Infallible>,
}

impl BoundServer {
    /// The addresses HTTP (and HTTPS) is served on, in the order given.
    #[cfg(feature = "http")]
    pub fn http_addrs(&self) -> Vec<SocketAddr> {
        self.http
            .iter()
            .filter_map(|h| h.listener.local_addr().ok())
            .collect()
    }

    /// Serves until `shutdown` resolves; then every listener stops
    /// accepting and calls in flight finish.
    pub async fn serve_until(self, shutdown: impl std::future::Future<Output = ()> + Send) -> io::Result<()> {
        let stop = Shutdown::new();
        let mut tasks = tokio::task::JoinSet::new();
        #[cfg(feature = "http")]
        for bound in self.http {
            let handler = self.dispatcher.clone();
            let config = self.http_config.clone();
            let signal = stop.signal();
            match bound.tls {
                None => {
                    tasks.spawn(http::serve(bound.listener, handler, config, signal));
                }
                #[cfg(feature = "tls")]
                Some(tls) => {
                    tasks.spawn(http::tls::serve_tls(bound.listener, tls, handler, config, signal));
                }
                #[cfg(not(feature = "tls"))]
                Some(never) => match never {},
            }
        }
        tokio::select! {
            () = shutdown => {}
            Some(ended) = tasks.join_next() => {
                // A listener stopped on its own: an error worth reporting.
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
