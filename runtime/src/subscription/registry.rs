//! Every live subscription of a dispatcher, by id and by connection: what
//! an unsubscribe call finds, and what the per-connection limit counts.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use diglot_transports::Session;
use tokio::sync::oneshot;

/// The live subscriptions. Each has a sender whose drop ends it.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    next: AtomicU64,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    by_id: HashMap<u64, (Session, oneshot::Sender<()>)>,
    per_session: HashMap<Session, usize>,
}

/// A subscription's place in the registry, held by its task: dropping it
/// (the task ended, or was dropped) frees the place.
#[derive(Debug)]
pub(crate) struct Live {
    registry: Arc<Registry>,
    pub(crate) id: u64,
}

impl Drop for Live {
    fn drop(&mut self) {
        self.registry.remove(self.id);
    }
}

impl Registry {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves the maps consistent: every
        // change is one insert or one remove.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens a subscription for `session`, unless it has `max` already;
    /// the receiver resolves when it is closed.
    pub(crate) fn open(
        self: &Arc<Self>,
        session: Session,
        max: usize,
    ) -> Option<(Live, oneshot::Receiver<()>)> {
        let mut state = self.state();
        let count = state.per_session.entry(session).or_default();
        if *count >= max {
            return None;
        }
        *count += 1;
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let (cancel, cancelled) = oneshot::channel();
        state.by_id.insert(id, (session, cancel));
        let live = Live {
            registry: self.clone(),
            id,
        };
        Some((live, cancelled))
    }

    /// Ends subscription `id` if `session` opened it; whether it did.
    pub(crate) fn close(&self, session: Session, id: u64) -> bool {
        let mut state = self.state();
        match state.by_id.get(&id) {
            Some((owner, _)) if *owner == session => {
                remove(&mut state, id);
                true
            }
            _ => false,
        }
    }

    fn remove(&self, id: u64) {
        remove(&mut self.state(), id);
    }

    /// How many subscriptions are live.
    pub(crate) fn len(&self) -> usize {
        self.state().by_id.len()
    }
}

fn remove(state: &mut State, id: u64) {
    let Some((session, _cancel)) = state.by_id.remove(&id) else {
        return;
    };
    if let Some(count) = state.per_session.get_mut(&session) {
        *count -= 1;
        if *count == 0 {
            state.per_session.remove(&session);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_closes_only_its_own_and_the_limit_counts_per_connection() {
        let registry = Arc::new(Registry::default());
        let (a, b) = (Session::next(), Session::next());
        let (first, mut cancelled) = registry.open(a, 2).unwrap();
        let (_second, _) = registry.open(a, 2).unwrap();
        assert!(registry.open(a, 2).is_none(), "a third is past the limit");
        let (_other, _) = registry.open(b, 2).unwrap();
        assert_eq!(registry.len(), 3);

        assert!(!registry.close(b, first.id), "b did not open it");
        assert!(registry.close(a, first.id));
        assert!(!registry.close(a, first.id), "already closed");
        assert!(
            matches!(
                cancelled.try_recv(),
                Err(oneshot::error::TryRecvError::Closed)
            ),
            "closing drops the sender"
        );
        drop(first);
        assert_eq!(registry.len(), 2);
        assert!(registry.open(a, 2).is_some(), "a place was freed");
    }

    #[test]
    fn dropping_the_task_frees_the_place() {
        let registry = Arc::new(Registry::default());
        let session = Session::next();
        let (live, _) = registry.open(session, 1).unwrap();
        drop(live);
        assert_eq!(registry.len(), 0);
        assert!(registry.open(session, 1).is_some());
    }
}
