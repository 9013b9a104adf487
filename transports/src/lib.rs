//! Listeners, framing and connectors for diglot.
//!
//! Transports move bytes; they know nothing of XML, JSON or method names.
//! Each one hands a request body and a protocol hint to a [`Handler`] and
//! writes back what it returns. diglot's dispatcher implements [`Handler`],
//! and so can a test double or a proxy.

mod seam;

pub use seam::{Handler, Protocol, Reply, Request};
