//! XML-RPC and JSON-RPC over byte streams: raw TCP ([`TcpEndpoint`]), Unix
//! domain sockets and named pipes on Windows ([`LocalEndpoint`]), and a
//! child process's stdin/stdout ([`StdioEndpoint`]).
//!
//! Each connection's framing is chosen from its first bytes (see the table
//! in the `frames` module): newline-delimited JSON as Ethereum-style IPC clients,
//! `socat` and stdio tool servers send it; `Content-Length` headers as
//! language servers use them; or HTTP/1.1 on the same socket, for `curl
//! --unix-socket` and supervisor-style XML-RPC clients (with the `http`
//! feature; without it such a connection is closed).
//!
//! Many calls may be in flight on one connection. JSON-RPC answers go out
//! as they finish, to be matched by id (answers ready together share one
//! write); XML-RPC has no id, so XML-RPC calls on a stream are answered in
//! order.
//!
//! A frame larger than the handler's body limit, or bytes that are no
//! frame, are answered with the handler's refusal (diglot's dispatcher
//! writes a JSON-RPC error: -32600 and -32700), after the calls before them,
//! and the connection is closed.
//!
//! On Unix, the first connections of an endpoint
//! ([`StreamConfig::max_connection_threads`]) are each served on a thread of
//! their own with blocking I/O until they need the runtime (the `threaded`
//! module); the others are tasks of the async runtime.

mod client;
mod config;
mod connection;
mod endpoint;
pub(crate) mod frames;
mod stdio;
#[cfg(unix)]
mod threaded;

pub use crate::feed::Notices;
#[cfg(feature = "http")]
pub(crate) use client::{Ended, Inbound, Outbound};
pub use client::{StreamClient, StreamClientError};
pub use config::StreamConfig;
pub use endpoint::{LocalEndpoint, TcpEndpoint};
pub use stdio::StdioEndpoint;
