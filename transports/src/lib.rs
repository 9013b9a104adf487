//! Listeners, framing and connectors for diglot.
//!
//! Transports move bytes; they know nothing of XML, JSON or method names.
//! Each one hands a request body and a protocol hint to a [`Handler`] and
//! writes back what it returns. diglot's dispatcher implements [`Handler`],
//! and so can a test double or a proxy.
//!
//! | feature | module | what |
//! |---|---|---|
//! | `http` (default) | [`http`] | HTTP/1.1 server on hyper, client, axum `Router` |
//! | `tls` | `http::tls` | HTTPS with rustls |
//! | `stream` (default) | [`stream`] | raw TCP, Unix sockets / named pipes, stdio |
//! | `shm` (default) | `shm` | shared memory between processes (Linux only) |

mod seam;

#[cfg(feature = "http")]
pub mod http;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub mod shm;
#[cfg(feature = "stream")]
pub mod stream;

pub use seam::{Handler, Peer, Protocol, Reply, Request};
