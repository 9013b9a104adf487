//! [`Endpoint`]: a transport configured to listen somewhere, which binds to
//! a [`BoundEndpoint`] that serves a [`Handler`] until stopped.
//!
//! Every transport diglot ships is one — `HttpEndpoint`, `TcpEndpoint`,
//! `LocalEndpoint`, `StdioEndpoint`, `ShmEndpoint` — and a server is a list
//! of them. A new transport implements these two traits on the shared
//! [`listen`](crate::listen) layer.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use crate::Handler;
use crate::listen::{LocalName, StopSignal};

/// A boxed future, as endpoints return them (one per endpoint, not per call).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A transport with its address and settings, not yet listening.
pub trait Endpoint<H: Handler>: Send + 'static {
    /// Starts listening (binds the port, creates the socket file), so that
    /// the address is known and taken before anything is served.
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>>;
}

/// A transport listening, ready to serve.
pub trait BoundEndpoint<H: Handler>: Send + 'static {
    /// The transport's name, as handlers see it in
    /// [`Message::transport`](crate::Message::transport).
    fn transport(&self) -> &'static str;

    /// Where it listens.
    fn address(&self) -> Address;

    /// Serves `handler` until `stop` fires, then stops accepting, lets
    /// connections finish what they have in flight within the grace, and
    /// returns. An endpoint may also end on its own (stdio, when stdin
    /// ends).
    fn serve(self: Box<Self>, handler: Arc<H>, stop: StopSignal) -> BoxFuture<io::Result<()>>;
}

/// Where an endpoint listens.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Address {
    /// A TCP address (HTTP, HTTPS, raw TCP).
    Socket(SocketAddr),
    /// A local socket or named pipe (streams, the shared-memory handshake).
    Local(LocalName),
    /// The process's own stdin and stdout.
    Stdio,
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Socket(addr) => addr.fmt(f),
            Address::Local(name) => name.fmt(f),
            Address::Stdio => f.write_str("stdio"),
        }
    }
}
