//! # diglot
//!
//! XML-RPC and JSON-RPC 2.0 from Rust: one value model, two wire codecs, and
//! (as the framework grows) a trait macro, a dispatcher and transports.
//!
//! - [`Value`] holds any value either protocol carries; [`DateTime`] and
//!   [`Bytes`] are the two types JSON lacks.
//! - [`xml`] reads and writes XML-RPC documents, straight to and from serde types.
//! - [`json`] reads and writes JSON-RPC 2.0 requests, notifications and batches.
//! - [`Fault`] is the error both protocols put on the wire.
//! - [`Limits`] bounds what a request may hold.

mod b64;
mod fault;
pub mod json;
mod limits;
mod value;
pub mod xml;

pub use fault::Fault;
pub use limits::Limits;
pub use value::{Bytes, DateTime, DateTimeError, IntoMembers, Struct, Value};
