//! [`Limiter`]: the connection limit every accept loop uses, with back-off
//! when accepting fails.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::StopSignal;

/// How long an accept loop pauses after a failed accept (out of
/// descriptors, say), so that it does not spin.
const BACK_OFF: Duration = Duration::from_millis(50);

/// At most so many connections at once; past it, clients wait in the
/// listen backlog.
#[derive(Debug, Clone)]
pub struct Limiter {
    permits: Arc<Semaphore>,
    slots: u32,
}

/// One connection's place under the limit, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl Limiter {
    /// A limit of `connections` (at least one).
    pub fn new(connections: usize) -> Self {
        // A semaphore holds at most `u32::MAX >> 3` permits to take at once.
        let slots = connections.clamp(1, (u32::MAX >> 3) as usize) as u32;
        Limiter {
            permits: Arc::new(Semaphore::new(slots as usize)),
            slots,
        }
    }

    /// Waits for a free slot, then for `accept` to give a connection; `None`
    /// once `stop` fires. A failed accept is logged and retried after a
    /// pause.
    pub async fn accept<A, F, T>(
        &self,
        accept: &mut A,
        stop: &mut StopSignal,
        transport: &'static str,
    ) -> Option<(Slot, T)>
    where
        A: FnMut() -> F,
        F: Future<Output = io::Result<T>>,
    {
        loop {
            let permit = tokio::select! {
                permit = self.permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                () = stop.stopped() => return None,
            };
            tokio::select! {
                accepted = accept() => match accepted {
                    Ok(connection) => return Some((Slot { _permit: permit }, connection)),
                    Err(e) => {
                        tracing::warn!(error = %e, transport, "accept failed");
                        tokio::time::sleep(BACK_OFF).await;
                    }
                },
                () = stop.stopped() => return None,
            }
        }
    }

    /// Resolves once every slot is free: every connection has ended.
    pub async fn all_free(&self) {
        let _all = self
            .permits
            .acquire_many(self.slots)
            .await
            .expect("the semaphore is never closed");
    }
}
