//! What ends an HTTP connection other than its client: a stop, an eviction
//! at the connection limit, or too long without a request.
//!
//! A connection's task is woken several times per request. Polling the stop
//! (a watch), the eviction (a `Notify`) and a per-request header timer on
//! every one of those wake-ups costs locks and timer-wheel updates on every
//! request; here the three are polled only when one of them has woken, and
//! one timer per connection bounds the idle time.

use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::task::AtomicWaker;
use tokio::time::Instant;

/// Why a connection is being ended from the server's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// The server is stopping.
    Stop,
    /// The connection limit wants this idle connection's place.
    Evicted,
    /// No request began within the read timeout.
    Idle,
}

/// Runs `connection` until it ends, unless `ending` resolves first.
///
/// `connection` is polled on every wake-up of the task; `ending` only once
/// a waker of its own has fired (and on the first poll, to register it).
/// Both are pinned by the caller, so that the connection's task holds each
/// once: an idle connection's memory is mostly its task.
pub(super) async fn unless<C, E>(
    connection: Pin<&mut C>,
    ending: Pin<&mut E>,
) -> Result<C::Output, E::Output>
where
    C: Future + ?Sized,
    E: Future + ?Sized,
{
    let flag = Arc::new(Flag {
        fired: AtomicBool::new(true),
        task: AtomicWaker::new(),
    });
    let ending_waker = Waker::from(flag.clone());
    let (mut connection, mut ending) = (connection, ending);
    std::future::poll_fn(|cx| {
        flag.task.register(cx.waker());
        if flag.fired.swap(false, Ordering::AcqRel) {
            let mut ending_cx = Context::from_waker(&ending_waker);
            if let Poll::Ready(why) = ending.as_mut().poll(&mut ending_cx) {
                return Poll::Ready(Err(why));
            }
        }
        connection.as_mut().poll(cx).map(Ok)
    })
    .await
}

/// The waker of the `ending` side: marks it for polling, wakes the task.
struct Flag {
    fired: AtomicBool,
    task: AtomicWaker,
}

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.fired.store(true, Ordering::Release);
        self.task.wake();
    }
}

/// When a connection last went idle (between requests, or before its
/// first), kept so that one timer can bound how long it stays so.
#[derive(Debug)]
pub(super) struct IdleClock {
    start: Instant,
    /// Milliseconds after `start`; [`BUSY`] while a request is served.
    since: AtomicU64,
}

const BUSY: u64 = u64::MAX;

impl IdleClock {
    /// A clock for a connection that is idle from now.
    pub(super) fn new() -> Self {
        IdleClock {
            start: Instant::now(),
            since: AtomicU64::new(0),
        }
    }

    pub(super) fn busy(&self) {
        self.since.store(BUSY, Ordering::Relaxed);
    }

    pub(super) fn idle(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(BUSY - 1);
        self.since.store(ms, Ordering::Relaxed);
    }

    /// Resolves once the connection has been idle for `timeout` without a
    /// break. While a request is being served the timer only re-arms.
    pub(super) async fn expired(&self, timeout: Duration) {
        let sleep = tokio::time::sleep(timeout);
        let mut sleep = pin!(sleep);
        loop {
            sleep.as_mut().await;
            let now = Instant::now();
            let next = match self.since.load(Ordering::Relaxed) {
                BUSY => now + timeout,
                ms => {
                    let expires = self.start + Duration::from_millis(ms) + timeout;
                    if expires <= now {
                        return;
                    }
                    expires
                }
            };
            sleep.as_mut().reset(next);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{IdleClock, unless};

    #[tokio::test(start_paused = true)]
    async fn idle_time_is_bounded_and_a_request_restarts_it() {
        let clock = IdleClock::new();
        let started = tokio::time::Instant::now();
        // Busy for 3 s, then idle: expires 2 s after going idle.
        let expired = clock.expired(Duration::from_secs(2));
        let serve = async {
            clock.busy();
            tokio::time::sleep(Duration::from_secs(3)).await;
            clock.idle();
            std::future::pending::<()>().await;
        };
        tokio::select! {
            () = expired => {}
            () = serve => unreachable!(),
        }
        let took = started.elapsed();
        assert!(
            took >= Duration::from_secs(5) && took < Duration::from_secs(6),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn the_connection_ends_first_unless_the_ending_is_ready() {
        let done = std::pin::pin!(async { 7 });
        let pending = std::pin::pin!(std::future::pending::<()>());
        assert_eq!(unless(done, pending).await, Ok(7));
        let never = std::pin::pin!(std::future::pending::<u8>());
        let stop = std::pin::pin!(async { "stop" });
        assert_eq!(unless(never, stop).await, Err("stop"));
    }
}
