//! Listeners, framing and connectors for diglot.
//!
//! Transports move bytes; they know nothing of XML, JSON or method names.
//! Each one hands a request body and a protocol hint to a [`Handler`] and
//! writes back what it returns. diglot's dispatcher implements [`Handler`],
//! and so can a test double or a proxy.
//!
//! The layers, each using only those below it:
//!
//! | layer | module | what |
//! |---|---|---|
//! | transports | [`http`], [`stream`], `shm` | each an [`Endpoint`] that binds and serves a handler |
//! | shared | [`listen`], [`endpoint`] | local socket names and listeners, the connection limit, the stop with its grace |
//! | seam | [`Handler`], [`Message`], [`Reply`], [`feed`] | body in, body out (and bodies out unasked on connections that carry feeds); the handler owns the body limit |
//!
//! | feature | module | what | pulls in |
//! |---|---|---|---|
//! | `http` (default) | [`http`] | HTTP/1.1 server on hyper, client, axum `Router` | hyper, axum, tower, flate2 |
//! | `tls` | [`http`] | HTTPS with rustls | rustls |
//! | `stream` (default) | [`stream`] | raw TCP, Unix sockets / named pipes, stdio; HTTP on the same sockets with `http` | futures-util, memchr |
//! | `shm` (default) | `shm` | shared memory between processes (Linux only) | rustix |
//!
//! Each transport feature stands alone: a build with only `shm` compiles
//! no HTTP crate.

pub mod endpoint;
pub mod feed;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod listen;
mod seam;

#[cfg(feature = "http")]
pub mod http;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub mod shm;
#[cfg(feature = "stream")]
pub mod stream;

pub use endpoint::{Address, BoundEndpoint, Endpoint};
pub use feed::{Feed, FeedSender, PushError, Session};
pub use seam::{DEFAULT_MAX_BODY_BYTES, Handler, Message, Peer, Protocol, Refusal, Reply};
