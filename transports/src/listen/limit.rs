//! [`Limiter`]: the connection limit every accept loop uses, with back-off
//! when accepting fails, and room made at the limit by closing an idle
//! connection.

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use super::StopSignal;

/// How long an accept loop pauses after a failed accept (out of
/// descriptors, say), so that it does not spin.
const BACK_OFF: Duration = Duration::from_millis(50);

/// At most so many connections at once. A client that arrives at the limit
/// is accepted, and the connection idle the longest (one that says it is
/// between requests, or has sent nothing yet) is asked to close to make
/// room, as nginx closes idle keep-alive connections; with none idle, the
/// client waits for a slot (and those after it in the listen backlog).
#[derive(Debug, Clone)]
pub struct Limiter {
    permits: Arc<Semaphore>,
    slots: u32,
    open: Arc<Open>,
}

/// The connections holding a slot, oldest first.
#[derive(Debug, Default)]
struct Open {
    next: AtomicU64,
    connections: Mutex<BTreeMap<u64, Arc<Activity>>>,
}

impl Open {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Activity>>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Whether a connection is idle, and how the limiter asks it to close.
#[derive(Debug, Default)]
pub struct Activity {
    idle: AtomicBool,
    evict: Notify,
}

impl Activity {
    /// Says whether the connection is between requests (or has sent
    /// nothing yet), and so may be closed to make room.
    pub fn set_idle(&self, idle: bool) {
        self.idle.store(idle, Ordering::Relaxed);
    }

    /// Resolves when the limiter asks this connection to close to admit a
    /// new one. A connection that has become busy meanwhile may go on.
    pub async fn evicted(&self) {
        self.evict.notified().await;
    }
}

/// One connection's place under the limit, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    id: u64,
    activity: Arc<Activity>,
    open: Arc<Open>,
}

impl Slot {
    /// The connection's activity, to mark it idle or busy and to hear when
    /// it is asked to close.
    pub fn activity(&self) -> Arc<Activity> {
        self.activity.clone()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.lock().remove(&self.id);
    }
}

impl Limiter {
    /// A limit of `connections` (at least one).
    pub fn new(connections: usize) -> Self {
        // A semaphore holds at most `u32::MAX >> 3` permits to take at once.
        let slots = connections.clamp(1, (u32::MAX >> 3) as usize) as u32;
        Limiter {
            permits: Arc::new(Semaphore::new(slots as usize)),
            slots,
            open: Arc::default(),
        }
    }

    /// Waits for `accept` to give a connection and for a slot for it — at
    /// the limit, asking the longest-idle connection to close; `None` once
    /// `stop` fires. A failed accept is logged and retried after a pause.
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
            // A free slot now, if there is one; otherwise the new client is
            // accepted first, and room is made for it.
            let free = self.permits.clone().try_acquire_owned().ok();
            let connection = tokio::select! {
                accepted = accept() => match accepted {
                    Ok(connection) => connection,
                    Err(e) => {
                        tracing::warn!(error = %e, transport, "accept failed");
                        tokio::time::sleep(BACK_OFF).await;
                        continue;
                    }
                },
                () = stop.stopped() => return None,
            };
            let permit = match free {
                Some(permit) => permit,
                None => {
                    self.evict_idle(transport);
                    tokio::select! {
                        permit = self.permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
                        () = stop.stopped() => return None,
                    }
                }
            };
            return Some((self.slot(permit), connection));
        }
    }

    fn slot(&self, permit: OwnedSemaphorePermit) -> Slot {
        let id = self.open.next.fetch_add(1, Ordering::Relaxed);
        let activity = Arc::new(Activity::default());
        self.open.lock().insert(id, activity.clone());
        Slot {
            _permit: permit,
            id,
            activity,
            open: self.open.clone(),
        }
    }

    /// Asks the oldest idle connection, if any, to close.
    fn evict_idle(&self, transport: &'static str) {
        let open = self.open.lock();
        let idle = open
            .values()
            .find(|a| a.idle.swap(false, Ordering::Relaxed));
        if let Some(activity) = idle {
            tracing::debug!(
                transport,
                "at the connection limit: closing an idle connection"
            );
            activity.evict.notify_one();
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
