//! Shared helpers for diglot's integration tests.
//!
//! The guide in `book/` is compiled here as well: each chapter is the
//! documentation of a `#[cfg(doctest)]` item below, so
//! `cargo test -p diglot-tests --doc` builds and runs every `rust` block of
//! the book. Listings pulled from `examples/` with `{{#include}}` are fenced
//! as `rs`, which rustdoc does not run; `cargo test --workspace` builds the
//! examples themselves.

pub mod probe;
pub mod process;

/// How long any single read from a server under test may take before the
/// test fails.
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub mod runtime;
pub mod served;
pub mod subscribed;
pub mod tempdir;

#[cfg(doctest)]
#[doc = include_str!("../book/src/introduction.md")]
pub struct Introduction;

#[cfg(doctest)]
#[doc = include_str!("../book/src/getting-started.md")]
pub struct GettingStarted;

#[cfg(doctest)]
#[doc = include_str!("../book/src/services.md")]
pub struct Services;

#[cfg(doctest)]
#[doc = include_str!("../book/src/context.md")]
pub struct CallContext;

#[cfg(doctest)]
#[doc = include_str!("../book/src/dispatcher.md")]
pub struct Dispatcher;

#[cfg(doctest)]
#[doc = include_str!("../book/src/clients.md")]
pub struct Clients;

#[cfg(doctest)]
#[doc = include_str!("../book/src/introspection.md")]
pub struct Introspection;

#[cfg(doctest)]
#[doc = include_str!("../book/src/console.md")]
pub struct Console;

#[cfg(doctest)]
#[doc = include_str!("../book/src/subscriptions.md")]
pub struct Subscriptions;

#[cfg(doctest)]
#[doc = include_str!("../book/src/observability.md")]
pub struct Observability;

#[cfg(doctest)]
#[doc = include_str!("../book/src/values.md")]
pub struct Values;

#[cfg(doctest)]
#[doc = include_str!("../book/src/xml-rpc.md")]
pub struct XmlRpc;

#[cfg(doctest)]
#[doc = include_str!("../book/src/json-rpc.md")]
pub struct JsonRpc;

#[cfg(doctest)]
#[doc = include_str!("../book/src/faults.md")]
pub struct Faults;

#[cfg(doctest)]
#[doc = include_str!("../book/src/troubleshooting.md")]
pub struct Troubleshooting;

#[cfg(doctest)]
#[doc = include_str!("../book/src/limits.md")]
pub struct Limits;

#[cfg(doctest)]
#[doc = include_str!("../book/src/security.md")]
pub struct Security;

#[cfg(doctest)]
#[doc = include_str!("../book/src/http.md")]
pub struct Http;

#[cfg(doctest)]
#[doc = include_str!("../book/src/streams.md")]
pub struct Streams;

// The shared-memory transport, and so its chapter's examples, exist only
// on Linux.
#[cfg(all(doctest, target_os = "linux"))]
#[doc = include_str!("../book/src/shm.md")]
pub struct Shm;

#[cfg(doctest)]
#[doc = include_str!("../book/src/performance.md")]
pub struct Performance;

#[cfg(doctest)]
#[doc = include_str!("../book/src/deployment.md")]
pub struct Deployment;

#[cfg(doctest)]
#[doc = include_str!("../book/src/architecture.md")]
pub struct Architecture;
