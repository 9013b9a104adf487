//! # diglot
//!
//! XML-RPC and JSON-RPC 2.0 from Rust traits.
//!
//! - [`rpc`] turns a trait into a service, a dispatch table, introspection
//!   metadata and a typed client.
//! - [`Dispatcher`] serves services over both protocols behind the
//!   transport seam ([`transport::Handler`]); [`Server`] serves it on a list
//!   of endpoints (HTTP, TCP, local sockets, stdio, shared memory).
//! - [`Client`] calls methods by name over any [`Connection`].
//! - [`Value`] holds any value either protocol carries; [`DateTime`] and
//!   [`Bytes`] are the two types JSON lacks.
//! - [`xml`] and [`json`] are the codecs, straight to and from serde types.
//! - [`Fault`] is the error both protocols put on the wire; [`Limits`]
//!   bounds what a request may hold.
//!
//! ## A whole service
//!
//! ```no_run
//! /// Greetings, in XML-RPC and JSON-RPC alike.
//! #[diglot::rpc(namespace = "hello")]
//! pub trait Hello {
//!     /// Greets `name`.
//!     fn greet(&self, name: String) -> String;
//! }
//!
//! struct Greeter;
//!
//! impl Hello for Greeter {
//!     fn greet(&self, name: String) -> String {
//!         format!("Hello, {name}!")
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let dispatcher = diglot::Dispatcher::new(HelloService::new(Greeter))?;
//!     let server = diglot::Server::new(dispatcher)
//!         .http("127.0.0.1:8080".parse()?)
//!         .bind()
//!         .await?;
//!     server.serve().await?; // until Ctrl-C or SIGTERM
//!     Ok(())
//! }
//! ```
//!
//! `curl -s http://127.0.0.1:8080/RPC2 -H 'Content-Type: application/json'
//! -d '{"jsonrpc":"2.0","method":"hello.greet","params":["world"],"id":1}'`
//! answers `{"jsonrpc":"2.0","result":"Hello, world!","id":1}`, and Python's
//! `xmlrpc.client` calls `hello.greet` over XML-RPC on the same URL.
//!
//! ## Features
//!
//! | feature | gives |
//! |---|---|
//! | `http` (default) | [`HttpEndpoint`], [`HttpConnection`], [`Dispatcher::router`] for axum; with `stream`, [`WebSocketConnection`] |
//! | `stream` (default) | [`TcpEndpoint`], [`LocalEndpoint`] (Unix sockets, Windows named pipes), [`StdioEndpoint`], [`StreamConnection`] |
//! | `shm` (default, Linux) | `ShmEndpoint`, `ShmConnection`: shared memory between processes |
//! | `schemars` (default) | introspection from types that implement `schemars::JsonSchema` |
//! | `tls` | HTTPS: `Server::https`, `https://` URLs for [`HttpConnection`], `wss://` for [`WebSocketConnection`] |
//! | `chrono`, `time` | [`DateTime`] conversions |
//! | `cli` | the `diglot` command line (a binary of this crate) |
//!
//! ## Where things are
//!
//! | to… | use |
//! |---|---|
//! | write a service | [`rpc`] on a trait; [`Context`] for who called; [`Subscription`] to push items |
//! | serve it | [`Dispatcher`], [`Server`] and its endpoints, [`Limits`] |
//! | call one | the generated `…Client`, or [`Client`] over a [`Connection`]: [`HttpConnection`], [`WebSocketConnection`], [`StreamConnection`], `ShmConnection`, [`InProcess`] |
//! | handle values | [`Value`], [`Struct`], [`DateTime`], [`Bytes`], [`Fault`] |
//! | read or write bodies yourself | [`xml`], [`json`] |
//! | write a transport | [`transport`]: the [`Handler`](transport::Handler) seam and the endpoint traits |
//!
//! The guide (`book/` in the repository) covers each in depth.

mod b64;
mod client;
mod context;
mod dispatch;
mod fault;
pub mod json;
mod limits;
mod server;
mod service;
mod subscription;
mod value;
pub mod xml;

#[doc(hidden)]
pub mod __private;

#[cfg(feature = "http")]
pub use client::HttpConnection;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub use client::ShmConnection;
#[cfg(feature = "stream")]
pub use client::StreamConnection;
#[cfg(all(feature = "http", feature = "stream"))]
pub use client::WebSocketConnection;
pub use client::{
    Answers, Batch, Client, ClientError, Connection, InProcess, Items, Outgoing, PreparedCall,
    Slot, block_on,
};
pub use context::Context;
pub use diglot_macros::rpc;
pub use dispatch::{BuildError, Dispatcher, DispatcherBuilder, caller};
pub use fault::Fault;
pub use limits::Limits;
pub use server::{
    BoundServer, DEFAULT_GRACE, Server, ServerHandle, inherited_tcp_listener, shutdown_signal,
};
pub use service::{
    Describe, MethodInfo, MethodKind, ParamInfo, Schemas, Service, TypeInfo, undescribed,
};
pub use subscription::Subscription;
pub use value::{Bytes, DateTime, DateTimeError, IntoMembers, Struct, Value};

#[cfg(feature = "http")]
pub use diglot_transports::http::{HttpConfig, HttpEndpoint};
#[cfg(feature = "tls")]
pub use diglot_transports::http::{TlsConfig, TlsRoots};
pub use diglot_transports::listen::LocalName;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub use diglot_transports::shm::{ShmConfig, ShmEndpoint};
#[cfg(feature = "stream")]
pub use diglot_transports::stream::{LocalEndpoint, StdioEndpoint, StreamConfig, TcpEndpoint};
pub use diglot_transports::{Peer, Protocol};

/// For writing transports and handlers: the seam every transport serves a
/// [`Handler`](transport::Handler) through, the endpoint traits, the shared
/// listen layer, and each transport's raw pieces (the axum `Router`, the
/// byte-level clients).
pub mod transport {
    pub use diglot_transports::endpoint::{Address, BoundEndpoint, BoxFuture, Endpoint};
    pub use diglot_transports::{
        DEFAULT_MAX_BODY_BYTES, Feed, FeedSender, Handler, Message, Peer, Protocol, PushError,
        Refusal, Reply, Session, feed, listen,
    };

    /// HTTP: the axum `Router` to mount, and the raw client.
    #[cfg(feature = "http")]
    pub mod http {
        pub use diglot_transports::http::{HttpClient, HttpClientError, axum_types, router};
    }

    /// Streams: the raw client.
    #[cfg(feature = "stream")]
    pub mod stream {
        pub use diglot_transports::stream::{Notices, StreamClient, StreamClientError};
    }

    /// Shared memory: the raw client.
    #[cfg(all(feature = "shm", target_os = "linux"))]
    pub mod shm {
        pub use diglot_transports::shm::{Answer, PendingCall, ShmClient, ShmError, TryCall};
    }
}
