//! # diglot
//!
//! XML-RPC and JSON-RPC 2.0 from Rust traits.
//!
//! - [`rpc`] turns a trait into a service, a dispatch table, introspection
//!   metadata and a typed client.
//! - [`Dispatcher`] serves services over both protocols behind the
//!   transport seam ([`transport::Handler`]).
//! - [`Client`] calls methods by name over any [`Connection`].
//! - [`Value`] holds any value either protocol carries; [`DateTime`] and
//!   [`Bytes`] are the two types JSON lacks.
//! - [`xml`] and [`json`] are the codecs, straight to and from serde types.
//! - [`Fault`] is the error both protocols put on the wire; [`Limits`]
//!   bounds what a request may hold.

mod b64;
mod client;
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
pub use client::{Client, ClientError, Connection, InProcess, Outgoing, PreparedCall};
pub use diglot_macros::rpc;
pub use dispatch::{BuildError, Dispatcher, DispatcherBuilder, caller};
pub use fault::Fault;
pub use limits::Limits;
pub use server::{BoundServer, Server, Shutdown};
pub use service::{
    Encoding, IntoReply, MethodInfo, Outcome, ParamInfo, ParamInput, ParamList, PendingReply,
    Service, TypeInfo,
};
pub use transport::{Peer, Protocol};
pub use value::{Bytes, DateTime, DateTimeError, IntoMembers, Struct, Value};

/// The seam between transports and the runtime, re-exported from
/// `diglot-transports`.
pub mod transport {
    pub use diglot_transports::*;
}
