//! XML-RPC and JSON-RPC over byte streams: raw TCP, Unix domain sockets
//! (named pipes on Windows), and a child process's stdin/stdout.
//!
//! Each connection's framing is chosen from its first bytes (see the table
//! in the `frames` module): newline-delimited JSON as Ethereum-style IPC clients,
//! `socat` and stdio tool servers send it; `Content-Length` headers as
//! language servers use them; or HTTP/1.1 on the same socket, for `curl
//! --unix-socket` and supervisor-style XML-RPC clients.
//!
//! Many calls may be in flight on one connection. JSON-RPC answers go out
//! as they finish, to be matched by id (answers ready together share one
//! write); XML-RPC has no id, so XML-RPC calls on a stream are answered in
//! order.
//!
//! Connections are tasks of the async runtime, or, with
//! [`StreamConfig::thread_per_connection`], each on a thread of its own with
//! blocking I/O (the `threaded` module).

mod client;
mod config;
mod connection;
pub(crate) mod frames;
mod listen;
mod stdio;
#[cfg(unix)]
mod threaded;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

pub use client::{StreamClient, StreamClientError};
pub use config::StreamConfig;
#[cfg(unix)]
pub(crate) use listen::next_connection;
pub use listen::{serve_local, serve_tcp};
pub use stdio::serve_stdio;
#[cfg(unix)]
pub use unix::{LocalListener, LocalName};
#[cfg(windows)]
pub use windows::{LocalListener, LocalName};
