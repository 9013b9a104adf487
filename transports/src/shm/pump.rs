//! A client connection that carries subscriptions: one thread owns the
//! rings, writes the calls queued for it and reads everything the server
//! sends — answers, in the order of the calls, and notices, which go to
//! their subscription's queue.
//!
//! Without subscriptions a call reads its own answer on its own thread
//! (the fastest path); once a connection subscribes, notices may come at
//! any time, so someone must always read. The thread never blocks on a
//! write: a request goes out as room allows, while the thread keeps
//! reading, so a server busy writing notices into a full ring cannot
//! deadlock against a client busy writing a request into a full one.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::os::fd::AsFd;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError, mpsc as std_mpsc};
use std::task::{Context, Poll};

use tokio::sync::{mpsc, oneshot};

use super::ShmError;
use super::end::End;
use super::handshake::Session;
use super::ring::Woken;
use super::wait::{Bell, Waiter, Watch};
use crate::feed::Notices;

/// Where an answer goes: a thread blocked on it, or a future.
#[derive(Debug)]
enum Reply {
    Blocking(std_mpsc::SyncSender<Result<Vec<u8>, ShmError>>),
    Async(oneshot::Sender<Result<Vec<u8>, ShmError>>),
}

impl Reply {
    fn send(self, answer: Result<Vec<u8>, ShmError>) {
        // A caller that stopped waiting loses nothing else.
        match self {
            Reply::Blocking(sender) => {
                let _ = sender.send(answer);
            }
            Reply::Async(sender) => {
                let _ = sender.send(answer);
            }
        }
    }
}

/// A call queued for the thread, or written and waiting for its answer.
#[derive(Debug)]
struct Call {
    body: Vec<u8>,
    reply: Reply,
    /// For a subscribe call: where its notices go once its answer names
    /// the subscription.
    feed: Option<mpsc::Sender<Vec<u8>>>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Calls not yet written.
    queued: VecDeque<Call>,
    /// Calls written, in order: the server answers each, in order.
    written: VecDeque<Call>,
    /// How notices are told from answers, once a subscription was made.
    notices: Option<Notices>,
    /// Where each live subscription's notices go.
    feeds: HashMap<u64, mpsc::Sender<Vec<u8>>>,
    /// Why the connection ended; later calls fail at once.
    ended: Option<String>,
    /// The client is gone: the thread ends.
    closed: bool,
}

/// The calls' side of the thread.
#[derive(Debug)]
pub(crate) struct Pump {
    inner: Mutex<Inner>,
    bell: Arc<Bell>,
}

/// The answer to a call on a connection that carries subscriptions (whose
/// reading thread delivers it), as a future.
#[derive(Debug)]
#[must_use = "the call is sent; the future gives its answer"]
pub struct Answer {
    receiver: oneshot::Receiver<Result<Vec<u8>, ShmError>>,
}

impl Future for Answer {
    type Output = Result<Vec<u8>, ShmError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.receiver).poll(cx).map(|answer| {
            answer.unwrap_or_else(|_| {
                Err(ShmError::Broken(
                    "the connection's reader stopped".to_owned(),
                ))
            })
        })
    }
}

impl Pump {
    /// Starts the thread that owns `session` from now on.
    pub(crate) fn start(
        session: Session,
        waiter: Waiter,
        max_response_bytes: usize,
    ) -> Result<Arc<Pump>, ShmError> {
        let pump = Arc::new(Pump {
            inner: Mutex::new(Inner::default()),
            bell: Arc::new(Bell::default()),
        });
        let owned = pump.clone();
        std::thread::Builder::new()
            .name("diglot-shm-client".into())
            .spawn(move || owned.run(session, waiter, max_response_bytes))
            .map_err(ShmError::Io)?;
        Ok(pump)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a call whose answer a thread blocks on.
    pub(crate) fn call_blocking(&self, body: &[u8]) -> Result<Vec<u8>, ShmError> {
        let (sender, receiver) = std_mpsc::sync_channel(1);
        self.queue(body, Reply::Blocking(sender), None)?;
        receiver.recv().unwrap_or_else(|_| {
            Err(ShmError::Broken(
                "the connection's reader stopped".to_owned(),
            ))
        })
    }

    /// Queues a call; with `feed`, a subscribe call whose notices go there
    /// (told apart by `notices`).
    pub(crate) fn call(
        &self,
        body: &[u8],
        subscribe: Option<(Notices, mpsc::Sender<Vec<u8>>)>,
    ) -> Result<Answer, ShmError> {
        let (sender, receiver) = oneshot::channel();
        let feed = subscribe.map(|(notices, feed)| {
            self.lock().notices = Some(notices);
            feed
        });
        self.queue(body, Reply::Async(sender), feed)?;
        Ok(Answer { receiver })
    }

    fn queue(
        &self,
        body: &[u8],
        reply: Reply,
        feed: Option<mpsc::Sender<Vec<u8>>>,
    ) -> Result<(), ShmError> {
        {
            let mut inner = self.lock();
            if let Some(why) = &inner.ended {
                return Err(ShmError::Broken(why.clone()));
            }
            inner.queued.push_back(Call {
                body: body.to_vec(),
                reply,
                feed,
            });
        }
        self.bell.ring();
        Ok(())
    }

    /// Ends the thread: the client is gone.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.bell.ring();
    }

    /// The thread: writes queued calls and reads until the connection ends
    /// or the client is gone, then fails whatever still waits.
    fn run(&self, mut session: Session, mut waiter: Waiter, limit: usize) {
        let why = match self.serve(&mut session, &mut waiter, limit) {
            Ok(()) => "the client was dropped".to_owned(),
            Err(end) => ShmError::from(end).to_string(),
        };
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.ended = Some(why.clone());
        for call in inner.queued.drain(..).chain(inner.written.drain(..)) {
            call.reply.send(Err(ShmError::Broken(why.clone())));
        }
        // Their streams end.
        inner.feeds.clear();
        drop(guard);
        // Closes the socket and unmaps the memory now.
        drop(session);
    }

    fn serve(&self, session: &mut Session, waiter: &mut Waiter, limit: usize) -> Result<(), End> {
        let Session { socket, rings } = session;
        let watch = Watch::new(socket.as_fd(), None);
        // The call being written, and how much of it is out.
        let mut writing: Option<(Call, usize)> = None;
        let mut message = Vec::new();
        loop {
            if writing.is_none() {
                let mut inner = self.lock();
                if inner.closed {
                    return Ok(());
                }
                writing = inner.queued.pop_front().map(|call| (call, 0));
            }
            if let Some((call, sent)) = &mut writing
                && rings.try_send(&call.body, sent)?
            {
                let (call, _) = writing.take().expect("a call is being written");
                self.lock().written.push_back(call);
                continue;
            }
            let rest = writing.as_ref().map(|(call, sent)| &call.body[*sent..]);
            match rings.wait_for_any(waiter, &watch, &self.bell, rest)? {
                Woken::Data => {
                    rings.receive(&mut message, limit, waiter, &watch)?;
                    self.deliver(std::mem::take(&mut message));
                }
                Woken::Room | Woken::Bell => {}
            }
        }
    }

    /// Hands a message to its subscription if it is a notice, else to the
    /// oldest call waiting. A subscription whose reader is gone or lags by
    /// a whole queue is dropped: its stream then ends.
    fn deliver(&self, message: Vec<u8>) {
        let mut inner = self.lock();
        if let Some(notices) = inner.notices
            && let Some(subscription) = (notices.subscription_of)(&message)
        {
            if let Some(feed) = inner.feeds.get(&subscription)
                && feed.try_send(message).is_err()
            {
                inner.feeds.remove(&subscription);
            }
            return;
        }
        let Some(call) = inner.written.pop_front() else {
            tracing::debug!(transport = "shm", "an answer came that no call waits for");
            return;
        };
        // A subscription's notices may follow its answer at once: they
        // are routed from here on.
        if let (Some(feed), Some(notices)) = (call.feed, inner.notices)
            && let Some(started) = (notices.started)(&message)
        {
            inner.feeds.insert(started, feed);
        }
        drop(inner);
        call.reply.send(Ok(message));
    }
}
