//! [`Threads`]: connections served each on a thread of its own, and how a
//! stop reaches a thread blocked in a system call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use super::{Limiter, StopSignal};

/// What a stop does to one connection: first `stop` (let it finish — a
/// socket's read side shut, a flag set), then, past the grace, `cut`.
struct Hooks {
    stop: Box<dyn Fn() + Send>,
    cut: Box<dyn Fn() + Send>,
}

/// The connections of one endpoint that run on threads.
#[derive(Clone, Default)]
pub struct Threads {
    inner: Arc<Registry>,
}

#[derive(Default)]
struct Registry {
    next: AtomicU64,
    hooks: Mutex<HashMap<u64, Hooks>>,
}

impl std::fmt::Debug for Threads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Threads")
            .field("open", &self.lock().len())
            .finish()
    }
}

/// Keeps a connection's hooks registered until its thread ends.
pub struct ThreadGuard {
    threads: Threads,
    id: u64,
}

impl Drop for ThreadGuard {
    fn drop(&mut self) {
        self.threads.lock().remove(&self.id);
    }
}

impl Threads {
    /// No connections yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Hooks>> {
        self.inner
            .hooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers what stopping and cutting one connection take; the guard
    /// goes to its thread.
    pub fn register(
        &self,
        stop: impl Fn() + Send + 'static,
        cut: impl Fn() + Send + 'static,
    ) -> ThreadGuard {
        let id = self.inner.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(
            id,
            Hooks {
                stop: Box::new(stop),
                cut: Box::new(cut),
            },
        );
        ThreadGuard {
            threads: self.clone(),
            id,
        }
    }

    /// Whether no connection is registered.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Stops every connection, waits for their threads (each holds a slot
    /// of `limiter`) at most the signal's grace, then cuts the rest and
    /// waits for them.
    pub async fn drain(&self, limiter: &Limiter, stop: &StopSignal, transport: &'static str) {
        self.lock().values().for_each(|hooks| (hooks.stop)());
        if tokio::time::timeout(stop.grace(), limiter.all_free())
            .await
            .is_err()
        {
            {
                let hooks = self.lock();
                // The limiter may count connections of others (tasks that
                // drain apart): only these are reported here.
                if !hooks.is_empty() {
                    tracing::warn!(transport, connections = hooks.len(), grace = ?stop.grace(), "cutting connections still open after the grace");
                }
                for hooks in hooks.values() {
                    (hooks.cut)();
                }
            }
            limiter.all_free().await;
        }
    }
}
