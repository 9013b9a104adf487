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

mod b64;
mod client;
mod context;
mod dispatch;
mod fault;
pub mod json;
mod limits;
mod server;
mod service;
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
pub use client::{
    Answers, Batch, Client, ClientError, Connection, InProcess, Outgoing, PreparedCall, Slot,
    block_on,
};
pub use context::Context;
pub use diglot_macros::rpc;
pub use dispatch::{BuildError, Dispatcher, DispatcherBuilder, caller};
pub use fault::Fault;
pub use limits::Limits;
pub use server::{
    BoundServer, DEFAULT_GRACE, Server, ServerHandle, inherited_tcp_listener, shutdown_signal,
};
pub use service::{Describe, MethodInfo, ParamInfo, Schemas, Service, TypeInfo, undescribed};
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
        DEFAULT_MAX_BODY_BYTES, Handler, Message, Peer, Protocol, Refusal, Reply, listen,
    };

    /// HTTP: the axum `Router` to mount, and the raw client.
    #[cfg(feature = "http")]
    pub mod http {
        pub use diglot_transports::http::{HttpClient, HttpClientError, axum_types, router};
    }

    /// Streams: the raw client.
    #[cfg(feature = "stream")]
    pub mod stream {
        pub use diglot_transports::stream::{StreamClient, StreamClientError};
    }

    /// Shared memory: the raw client.
    #[cfg(all(feature = "shm", target_os = "linux"))]
    pub mod shm {
        pub use diglot_transports::shm::{PendingCall, ShmClient, ShmError, TryCall};
    }
}
