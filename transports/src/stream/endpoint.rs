//! The stream endpoints — [`TcpEndpoint`] and [`LocalEndpoint`] — and their
//! accept loop: each connection on a thread of its own while fewer than
//! [`StreamConfig::max_connection_threads`] are (Unix), as a task of the
//! async runtime beyond.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;

use super::StreamConfig;
use super::connection::{Origin, Watch, serve_connection};
use crate::Handler;
use crate::endpoint::{Address, BoundEndpoint, BoxFuture, Endpoint};
use crate::listen::{Limiter, LocalListener, LocalName, StopSignal, Tasks, TcpSocket};
use crate::seam::Caller;

/// The transport name of local sockets: Unix domain sockets, or named pipes.
#[cfg(unix)]
pub(crate) const LOCAL: &str = "unix";
/// The transport name of local sockets: Unix domain sockets, or named pipes.
#[cfg(windows)]
pub(crate) const LOCAL: &str = "pipe";

/// Raw TCP: newline-delimited JSON, `Content-Length` framing or HTTP, told
/// apart per connection from its first bytes.
#[derive(Debug)]
pub struct TcpEndpoint {
    socket: TcpSocket,
    config: StreamConfig,
}

impl TcpEndpoint {
    /// TCP on `addr` (port 0 picks a free port), default settings.
    pub fn new(addr: SocketAddr) -> Self {
        Self::on(TcpSocket::Addr(addr))
    }

    /// TCP on a socket already listening: one handed over by socket
    /// activation, default settings.
    pub fn from_listener(listener: std::net::TcpListener) -> Self {
        Self::on(TcpSocket::Listener(listener))
    }

    fn on(socket: TcpSocket) -> Self {
        TcpEndpoint {
            socket,
            config: StreamConfig::default(),
        }
    }

    /// Sets the connection limit, concurrency and timeouts.
    #[must_use]
    pub fn config(mut self, config: StreamConfig) -> Self {
        self.config = config;
        self
    }
}

/// A local socket: a Unix domain socket (a path, or `@name` for a Linux
/// abstract name), or a named pipe on Windows. Framing as for TCP; over a
/// Unix socket each call carries the caller's credentials.
#[derive(Debug, Clone)]
pub struct LocalEndpoint {
    name: LocalName,
    mode: u32,
    config: StreamConfig,
}

impl LocalEndpoint {
    /// A local socket at `name`, created with mode 0o600 (only the server's
    /// user may connect), default settings.
    pub fn new(name: LocalName) -> Self {
        LocalEndpoint {
            name,
            mode: 0o600,
            config: StreamConfig::default(),
        }
    }

    /// Sets the permissions of the socket file (no meaning for abstract
    /// names and named pipes).
    #[must_use]
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the connection limit, concurrency and timeouts.
    #[must_use]
    pub fn config(mut self, config: StreamConfig) -> Self {
        self.config = config;
        self
    }
}

impl<H: Handler> Endpoint<H> for TcpEndpoint {
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>> {
        Box::pin(async move {
            let TcpEndpoint { socket, config } = *self;
            let listener = socket.listen("TCP").await?;
            let local = listener.local_addr()?;
            Ok(Box::new(BoundTcp {
                listener,
                local,
                config,
            }) as Box<dyn BoundEndpoint<H>>)
        })
    }
}

impl<H: Handler> Endpoint<H> for LocalEndpoint {
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>> {
        Box::pin(async move {
            let listener = LocalListener::bind(&self.name, self.mode).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot listen on {}: {e}", self.name))
            })?;
            Ok(Box::new(BoundLocal {
                listener,
                name: self.name,
                config: self.config,
            }) as Box<dyn BoundEndpoint<H>>)
        })
    }
}

struct BoundTcp {
    listener: TcpListener,
    local: SocketAddr,
    config: StreamConfig,
}

impl<H: Handler> BoundEndpoint<H> for BoundTcp {
    fn transport(&self) -> &'static str {
        "tcp"
    }

    fn address(&self) -> Address {
        Address::Socket(self.local)
    }

    fn serve(self: Box<Self>, handler: Arc<H>, stop: StopSignal) -> BoxFuture<io::Result<()>> {
        Box::pin(serve(self.listener, handler, self.config, stop, "tcp"))
    }
}

struct BoundLocal {
    listener: LocalListener,
    name: LocalName,
    config: StreamConfig,
}

impl<H: Handler> BoundEndpoint<H> for BoundLocal {
    fn transport(&self) -> &'static str {
        LOCAL
    }

    fn address(&self) -> Address {
        Address::Local(self.name.clone())
    }

    fn serve(self: Box<Self>, handler: Arc<H>, stop: StopSignal) -> BoxFuture<io::Result<()>> {
        Box::pin(serve(self.listener, handler, self.config, stop, LOCAL))
    }
}

/// What the stream endpoints accept connections from: a TCP listener or a
/// local one.
trait StreamListener: Send + Sync + 'static {
    /// A connection as a task serves it.
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;
    /// A connection as a thread serves it, with blocking I/O.
    #[cfg(unix)]
    type Blocking: super::threaded::BlockingSocket;

    fn accept_async(&self) -> impl Future<Output = io::Result<(Self::Io, Caller)>> + Send;

    /// The connection taken off the runtime, for a thread.
    #[cfg(unix)]
    fn into_blocking(io: Self::Io) -> io::Result<Self::Blocking>;
}

impl StreamListener for TcpListener {
    type Io = tokio::net::TcpStream;
    #[cfg(unix)]
    type Blocking = std::net::TcpStream;

    async fn accept_async(&self) -> io::Result<(Self::Io, Caller)> {
        let (stream, remote) = self.accept().await?;
        let _ = stream.set_nodelay(true);
        let remote = Some(remote);
        let caller = Caller {
            remote,
            ..Caller::default()
        };
        Ok((stream, caller))
    }

    #[cfg(unix)]
    fn into_blocking(io: Self::Io) -> io::Result<Self::Blocking> {
        let stream = io.into_std()?;
        stream.set_nonblocking(false)?;
        Ok(stream)
    }
}

#[cfg(unix)]
impl StreamListener for LocalListener {
    type Io = tokio::net::UnixStream;
    type Blocking = std::os::unix::net::UnixStream;

    async fn accept_async(&self) -> io::Result<(Self::Io, Caller)> {
        let (stream, peer) = self.accept().await?;
        let caller = Caller {
            peer,
            ..Caller::default()
        };
        Ok((stream, caller))
    }

    fn into_blocking(io: Self::Io) -> io::Result<Self::Blocking> {
        let stream = io.into_std()?;
        stream.set_nonblocking(false)?;
        Ok(stream)
    }
}

#[cfg(windows)]
impl StreamListener for LocalListener {
    type Io = interprocess::local_socket::tokio::Stream;

    async fn accept_async(&self) -> io::Result<(Self::Io, Caller)> {
        let (stream, process) = self.accept().await?;
        let caller = Caller {
            process,
            ..Caller::default()
        };
        Ok((stream, caller))
    }
}

/// Serves connections from `listener` until `stop` fires, on threads or as
/// tasks as `config` says; then drops the listener (new clients are refused
/// at once, a socket file removed) and drains the connections.
async fn serve<H: Handler, L: StreamListener>(
    listener: L,
    handler: Arc<H>,
    config: StreamConfig,
    mut stop: StopSignal,
    transport: &'static str,
) -> io::Result<()> {
    let config = Arc::new(config);
    let limiter = Limiter::new(config.max_connections);
    #[cfg(unix)]
    let threaded =
        super::threaded::Threaded::new(handler.clone(), config.clone(), stop.clone(), transport);
    let mut tasks = Tasks::new();
    let mut accept = || listener.accept_async();
    while let Some((slot, (io, caller))) = limiter.accept(&mut accept, &mut stop, transport).await {
        let origin = Origin { transport, caller };
        // A thread while there are fewer than the bound; a task beyond.
        #[cfg(unix)]
        let Some((io, slot)) = threaded.serve(io, slot, origin, L::into_blocking) else {
            continue;
        };
        let watch = Watch {
            stop: stop.clone(),
            activity: slot.activity(),
        };
        let connection = serve_connection(io, handler.clone(), config.clone(), origin, watch);
        tasks.spawn(slot, connection);
    }
    drop(listener);
    #[cfg(unix)]
    tokio::join!(
        tasks.drain(&stop, transport),
        threaded.drain(&limiter, &stop)
    );
    #[cfg(not(unix))]
    tasks.drain(&stop, transport).await;
    Ok(())
}
