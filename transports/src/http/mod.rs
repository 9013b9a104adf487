//! XML-RPC and JSON-RPC over HTTP/1.1.
//!
//! One port and path serve both protocols: the protocol comes from the
//! request's `Content-Type` (`text/xml`, `application/xml`;
//! `application/json`, `application/json-rpc`), and from the body's first
//! byte when the type is missing or generic (curl's form type, `text/plain`,
//! `application/octet-stream`).
//!
//! The standalone server ([`HttpEndpoint`]) runs straight on hyper;
//! [`router`] gives the same handling as an axum `Router`, to mount inside
//! an application under its own tower layers.

mod body;
mod client;
mod config;
mod console;
mod ending;
mod origin;
mod respond;
mod router;
mod server;
#[cfg(feature = "tls")]
mod tls;
mod websocket;
#[cfg(feature = "stream")]
pub(crate) mod websocket_client;

pub use client::{HttpClient, HttpClientError};
pub use config::HttpConfig;
pub use router::router;
pub use server::HttpEndpoint;
#[cfg(feature = "stream")]
pub(crate) use server::serve_io;
#[cfg(feature = "tls")]
pub use tls::{TlsConfig, TlsRoots};

/// The axum types [`router`] returns, re-exported so that users need no
/// direct axum dependency to name them.
pub mod axum_types {
    pub use axum::Router;
}
