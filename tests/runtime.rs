//! The tokio runtime the integration tests serve and call on.

use tokio::runtime::Runtime;

/// A multi-thread runtime with two workers, as on the 2-core CI machine.
pub fn multi_thread() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
