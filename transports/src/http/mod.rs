//! XML-RPC and JSON-RPC over HTTP/1.1.
//!
//! One port and path serve both protocols: the protocol comes from the
//! request's `Content-Type` (`text/xml`, `application/xml`;
//! `application/json`, `application/json-rpc`), and from the body's first
//! byte when the type is missing or generic (curl's form type, `text/plain`,
//! `application/octet-stream`).
//!
//! The standalone server ([`serve`]) runs straight on hyper; [`router`] gives
//! the same handling as an axum `Router`, to mount inside an application
//! under its own tower layers.

mod body;
mod client;
mod config;
mod respond;
mod router;
mod server;
#[cfg(feature = "tls")]
pub mod tls;

pub use client::{HttpClient, HttpClientError};
pub use config::HttpConfig;
pub use router::router;
#[cfg(feature = "stream")]
pub(crate) use server::serve_io;
pub use server::{Listening, serve};

/// The axum types [`router`] returns, re-exported so that users need no
/// direct axum dependency to name them.
pub mod axum_types {
    pub use axum::Router;
}
