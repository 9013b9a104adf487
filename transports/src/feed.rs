//! Feeds: bodies a server sends on a connection unasked (the items of a
//! subscription), and the connections that can carry them.
//!
//! A handler that starts a subscription returns a [`Feed`] with its
//! [`Reply`](crate::Reply); the transport writes the reply, then each body
//! the feed yields, interleaved with later replies, until the feed ends or
//! the connection does. The handler's side, a [`FeedSender`], pushes
//! without waiting: a feed holds at most its capacity, and a full feed is
//! the handler's to end (with a last word the transport still delivers).

use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::mpsc;

/// A connection that can carry feeds, named so that a handler can tell
/// which connection started which feed (and refuse to end another's).
///
/// Transports give one to every message that came on such a connection
/// ([`Message::session`](crate::Message::session)); unique within the
/// process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Session(u64);

impl Session {
    /// A session no other connection of this process has.
    pub fn next() -> Session {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Session(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// Its number, for logs.
    pub fn id(self) -> u64 {
        self.0
    }
}

/// How a client tells a server's notices from answers: the runtime reads
/// the bodies (the transport reads no JSON).
#[derive(Debug, Clone, Copy)]
pub struct Notices {
    /// The subscription a notice belongs to; `None` for anything else.
    pub subscription_of: fn(&[u8]) -> Option<u64>,
    /// The subscription id a subscribe call's answer carries.
    pub started: fn(&[u8]) -> Option<u64>,
}

/// A feed that holds at most `capacity` bodies (at least one) the
/// transport has not written yet.
pub fn feed(capacity: usize) -> (FeedSender, Feed) {
    let (tx, rx) = mpsc::channel(capacity.max(1));
    let last = Arc::new(Mutex::new(None));
    (
        FeedSender {
            tx,
            last: last.clone(),
        },
        Feed {
            rx,
            last,
            ended: false,
        },
    )
}

/// Why a body could not be pushed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushError {
    /// The feed holds its capacity: the client reads more slowly than
    /// bodies come.
    Full,
    /// The connection is gone (or the transport dropped the feed).
    Closed,
}

/// The handler's end of a [`Feed`].
#[derive(Debug)]
pub struct FeedSender {
    tx: mpsc::Sender<Vec<u8>>,
    last: Arc<Mutex<Option<Vec<u8>>>>,
}

impl FeedSender {
    /// Queues a body for the connection, without waiting.
    pub fn push(&self, body: Vec<u8>) -> Result<(), PushError> {
        self.tx.try_send(body).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => PushError::Full,
            mpsc::error::TrySendError::Closed(_) => PushError::Closed,
        })
    }

    /// Ends the feed with a last body, written after those already queued
    /// even when the feed is full.
    pub fn finish(self, last: Vec<u8>) {
        if let Ok(mut slot) = self.last.lock() {
            *slot = Some(last);
        }
    }

    /// Resolves once the transport no longer reads the feed: the
    /// connection ended.
    pub async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Whether the transport no longer reads the feed.
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// The transport's end: the bodies to write, then the last word if the
/// handler left one; ends when the handler's [`FeedSender`] is gone.
#[derive(Debug)]
pub struct Feed {
    rx: mpsc::Receiver<Vec<u8>>,
    last: Arc<Mutex<Option<Vec<u8>>>>,
    ended: bool,
}

impl Stream for Feed {
    type Item = Vec<u8>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Vec<u8>>> {
        if self.ended {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(body)) => Poll::Ready(Some(body)),
            Poll::Ready(None) => {
                self.ended = true;
                // The sender set its last word, if any, before it was dropped.
                let last = self.last.lock().ok().and_then(|mut slot| slot.take());
                Poll::Ready(last)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn next(feed: &mut Feed) -> Poll<Option<Vec<u8>>> {
        let waker = std::task::Waker::noop();
        Pin::new(feed).poll_next(&mut Context::from_waker(waker))
    }

    #[test]
    fn a_full_feed_refuses_then_delivers_its_last_word_after_the_rest() {
        let (tx, mut feed) = feed(2);
        assert_eq!(tx.push(b"1".to_vec()), Ok(()));
        assert_eq!(tx.push(b"2".to_vec()), Ok(()));
        assert_eq!(tx.push(b"3".to_vec()), Err(PushError::Full));
        tx.finish(b"end".to_vec());
        assert_eq!(next(&mut feed), Poll::Ready(Some(b"1".to_vec())));
        assert_eq!(next(&mut feed), Poll::Ready(Some(b"2".to_vec())));
        assert_eq!(next(&mut feed), Poll::Ready(Some(b"end".to_vec())));
        assert_eq!(next(&mut feed), Poll::Ready(None));
        assert_eq!(next(&mut feed), Poll::Ready(None));
    }

    #[test]
    fn a_dropped_feed_closes_its_sender() {
        let (tx, mut feed) = feed(1);
        assert_eq!(next(&mut feed), Poll::Pending);
        assert!(!tx.is_closed());
        drop(feed);
        assert!(tx.is_closed());
        assert_eq!(tx.push(Vec::new()), Err(PushError::Closed));
    }
}
