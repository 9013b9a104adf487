//! XML-RPC and JSON-RPC over shared memory, for callers on the same
//! machine (Linux).
//!
//! # How a connection works
//!
//! 1. **Handshake.** The client connects to the server's local socket — a
//!    [`LocalListener`](crate::listen::LocalListener) like the stream
//!    transport's: a socket file created with mode 0600 (a stale one
//!    reclaimed, a live one never taken over), the peer's credentials
//!    handed to the handler. The server creates a memfd for the
//!    connection, seals it (`F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL`)
//!    and sends it with `SCM_RIGHTS`, with a hello that gives the ring
//!    sizes and the largest request it reads. The client checks the seals
//!    and the size against the hello before mapping: the server is not
//!    trusted either, and an unsealed file could shrink under the mapping.
//! 2. **Rings.** The memory holds a request ring (client to server) and a
//!    response ring (server to client), each single-producer
//!    single-consumer, with the producer's and the consumer's index in
//!    blocks of their own (no false sharing). A message is written as
//!    chunk records (`u32` length, `u32` flags with a `LAST` bit, the
//!    bytes, padding to 8) with wrap-around, so messages far larger than a
//!    ring pass while the other side drains it; the reader accumulates
//!    them and enforces its limit.
//! 3. **Waiting.** A side waiting for data or room spins for a few tens of
//!    microseconds (an adaptive budget), then parks on a futex in the
//!    mapping, which the other side wakes after publishing. Calls in quick
//!    succession never park; an idle connection costs a liveness check
//!    every [`park_timeout`](ShmConfig::park_timeout).
//!    A client call blocks its thread ([`ShmClient::call`]); async code
//!    uses [`ShmClient::try_call`], which spins for a quick answer on its
//!    own thread and hands a slow one over as a [`PendingCall`].
//! 4. **The end.** The handshake socket stays open for the life of the
//!    connection. A side that goes away closes it and wakes the other; a
//!    side that is killed is noticed at the other's next liveness check (a
//!    nonblocking peek that reads the socket's end). The server then
//!    unmaps the connection's memory, closes its descriptors and ends its
//!    thread; a client's call fails with [`ShmError::Closed`].
//!
//! # The peer is hostile
//!
//! Every index and length read from the mapping is read once into a local
//! and checked before use (`tail - head <= capacity`, a chunk no longer
//! than the ring nor than what was published, a message within the limit);
//! ring bytes are copied through raw pointers into private buffers, never
//! borrowed; a violation ends that connection only. The `unsafe` code is
//! confined to one module, each block with the reason the peer cannot
//! break it.
//!
//! # Example
//!
//! ```no_run
//! # fn demo() -> Result<(), diglot_transports::shm::ShmError> {
//! use diglot_transports::listen::LocalName;
//! use diglot_transports::shm::{ShmClient, ShmConfig};
//!
//! let client = ShmClient::connect(&LocalName::parse("/tmp/diglot-calculator.shm"), &ShmConfig::default())?;
//! let answer = client.call(br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#)?;
//! # Ok(()) }
//! ```

mod client;
mod config;
mod end;
mod handshake;
mod layout;
mod mapping;
mod pump;
pub(crate) mod ring;
mod server;
mod wait;

pub use client::{PendingCall, ShmClient, ShmError, TryCall};
pub use config::ShmConfig;
pub use pump::Answer;
pub use server::ShmEndpoint;
