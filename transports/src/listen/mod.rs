//! What every transport shares, beneath HTTP, streams and shared memory:
//! local socket names and listeners, one connection limit with back-off,
//! and one stop with a grace period after which connections are cut.
//!
//! A transport's accept loop is, in every case:
//!
//! 1. [`Limiter::accept`]: wait for a free slot, then for a connection,
//!    until the [`StopSignal`] fires (a failed accept backs off and retries);
//! 2. serve the connection — as a task in a [`Tasks`] set, or on a thread
//!    registered with [`Threads`] — holding its [`Slot`];
//! 3. on stop, let connections finish what they have in flight, and
//!    [`drain`](Tasks::drain) them within the signal's grace; past it the
//!    rest are cut and counted in the log.

mod limit;
mod socket;
mod stop;
mod tasks;
mod threads;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

pub use limit::{Activity, Limiter, Slot};
pub use socket::TcpSocket;
pub use stop::{Stop, StopSignal};
pub use tasks::Tasks;
pub use threads::{ThreadGuard, Threads};
#[cfg(unix)]
pub use unix::{LocalListener, LocalName};
#[cfg(windows)]
pub use windows::{LocalListener, LocalName};
