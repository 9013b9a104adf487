//! The server: accepts handshakes on a local socket and serves each
//! connection on a thread of its own.
//!
//! A connection's thread reads a request from the request ring, runs the
//! handler on the tokio runtime the server was started on
//! (`Handle::block_on`: a synchronous method answers at once, an
//! asynchronous one still has timers), and writes the response. The feeds
//! a response starts (subscriptions) are polled on the same thread, the
//! only writer of the response ring, with a [`Bell`] as their waker: the
//! thread sleeps until the client writes or a feed has a body. Whatever
//! ends a connection — the client leaving or dying, a protocol violation,
//! the server stopping — only that connection's thread exits, unmapping
//! its memory and closing its descriptors.

use std::future::Future;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use futures_core::Stream;

use super::ShmConfig;
use super::end::End;
use super::handshake::{self, Session};
use super::layout::{Hello, Layout};
use super::ring::{Rings, Woken};
use super::wait::{Bell, Stop, Waiter, Watch, peer_alive};
use crate::endpoint::{Address, BoundEndpoint, BoxFuture, Endpoint};
use crate::feed::{self, Feed};
use crate::listen::{Limiter, LocalListener, LocalName, StopSignal, Threads};
use crate::{Handler, Message, Peer, Refusal};

/// Request and reply buffers up to this size are always kept between calls.
const KEEP_BUFFER: usize = 1 << 20;

/// Whether a buffer of `capacity` that held `used` bytes is kept for the next call. A
/// large one is kept while calls stay about as large — reusing it spares
/// the kernel mapping fresh pages for every big message — and let go after
/// the first call that used less than a quarter of it. A connection idle
/// after a big call keeps it (at most its body limit) until its next call.
fn worth_keeping(used: usize, capacity: usize) -> bool {
    capacity <= KEEP_BUFFER || used >= capacity / 4
}

/// Shared memory, with handshakes on a local socket: a path (created with
/// mode 0o600 unless [`mode`](Self::mode) says otherwise; a stale file is
/// reclaimed, a live server's never taken over) or `@name`, a Linux
/// abstract name. Each client gets a sealed memfd with a request ring and a
/// response ring, and a thread of its own on the server.
///
/// When the server stops, no new client is accepted, and each connection
/// ends once it has answered the call in flight; one still in the middle of
/// a message when the stop's grace has passed (its client stopped reading
/// or writing) is ended then.
#[derive(Debug, Clone)]
pub struct ShmEndpoint {
    name: LocalName,
    mode: u32,
    config: ShmConfig,
}

impl ShmEndpoint {
    /// Shared memory with handshakes on `name`, default settings.
    pub fn new(name: LocalName) -> Self {
        ShmEndpoint {
            name,
            mode: 0o600,
            config: ShmConfig::default(),
        }
    }

    /// Sets the permissions of the handshake socket file.
    #[must_use]
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the connection limit, ring sizes and timing.
    #[must_use]
    pub fn config(mut self, config: ShmConfig) -> Self {
        self.config = config;
        self
    }
}

impl<H: Handler> Endpoint<H> for ShmEndpoint {
    fn bind(self: Box<Self>) -> BoxFuture<io::Result<Box<dyn BoundEndpoint<H>>>> {
        Box::pin(async move {
            let listener = LocalListener::bind(&self.name, self.mode).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot listen for shared memory on {}: {e}", self.name),
                )
            })?;
            Ok(Box::new(BoundShm {
                listener,
                name: self.name,
                config: self.config,
            }) as Box<dyn BoundEndpoint<H>>)
        })
    }
}

struct BoundShm {
    listener: LocalListener,
    name: LocalName,
    config: ShmConfig,
}

impl<H: Handler> BoundEndpoint<H> for BoundShm {
    fn transport(&self) -> &'static str {
        "shm"
    }

    fn address(&self) -> Address {
        Address::Local(self.name.clone())
    }

    fn serve(self: Box<Self>, handler: Arc<H>, stop: StopSignal) -> BoxFuture<io::Result<()>> {
        Box::pin(serve(*self, handler, stop))
    }
}

/// Accepts handshakes until `stop` fires, each connection on a thread; then
/// drains them. Must run on a tokio runtime, which also runs the handler's
/// futures.
async fn serve<H: Handler>(
    bound: BoundShm,
    handler: Arc<H>,
    mut stop: StopSignal,
) -> io::Result<()> {
    let BoundShm {
        listener, config, ..
    } = bound;
    let runtime = tokio::runtime::Handle::current();
    let config = Arc::new(config);
    let flags = Arc::new(Stop::default());
    // However the loop ends — even if this future is dropped with its
    // runtime — connection threads are told to end.
    let _ending = EndOnDrop(flags.clone());
    let limiter = Limiter::new(config.max_connections);
    let threads = Threads::new();
    let mut accept = || listener.accept();
    while let Some((slot, (stream, peer))) = limiter.accept(&mut accept, &mut stop, "shm").await {
        let stream = match stream.into_std().and_then(|s| {
            s.set_nonblocking(false)?;
            Ok(s)
        }) {
            Ok(stream) => stream,
            Err(e) => {
                tracing::warn!(error = %e, transport = "shm", "cannot take over a connection");
                continue;
            }
        };
        let (requested, forced) = (flags.clone(), flags.clone());
        let guard = threads.register(
            move || requested.requested.store(true, Ordering::Relaxed),
            move || forced.forced.store(true, Ordering::Relaxed),
        );
        let connection = Connection {
            handler: handler.clone(),
            config: config.clone(),
            runtime: runtime.clone(),
            stop: flags.clone(),
            peer,
        };
        let spawned = std::thread::Builder::new()
            .name("diglot-shm".into())
            .spawn(move || {
                let _slot = slot;
                let _guard = guard;
                connection.serve(stream);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, transport = "shm", "cannot start a connection thread");
        }
    }
    // Refuse new clients at once (and remove the socket file).
    drop(listener);
    flags.requested.store(true, Ordering::Relaxed);
    threads.drain(&limiter, &stop, "shm").await;
    Ok(())
}

/// Ends every connection when the server's loop ends, however it ends.
struct EndOnDrop(Arc<Stop>);

impl Drop for EndOnDrop {
    fn drop(&mut self) {
        self.0.requested.store(true, Ordering::Relaxed);
        self.0.forced.store(true, Ordering::Relaxed);
    }
}

/// Runs a handler's future that did not finish in its first poll, but
/// gives it up if the client goes away meanwhile (checked every `period`):
/// a client killed mid-call does not keep its call running.
async fn unless_peer_leaves<F: Future>(
    call: F,
    socket: BorrowedFd<'_>,
    period: Duration,
) -> Option<F::Output> {
    let gone = async {
        loop {
            tokio::time::sleep(period).await;
            if !peer_alive(socket) {
                break;
            }
        }
    };
    tokio::select! {
        output = call => Some(output),
        () = gone => None,
    }
}

/// What one connection's thread needs.
struct Connection<H> {
    handler: Arc<H>,
    config: Arc<ShmConfig>,
    runtime: tokio::runtime::Handle,
    stop: Arc<Stop>,
    peer: Option<Peer>,
}

impl<H: Handler> Connection<H> {
    fn serve(self, socket: std::os::unix::net::UnixStream) {
        let hello = Hello {
            layout: Layout::with_rings(self.config.ring_bytes),
            max_request_bytes: self.handler.max_body_bytes() as u64,
        };
        let mut endpoint = match handshake::offer(socket, &hello) {
            Ok(endpoint) => endpoint,
            Err(e) => {
                tracing::debug!(error = %e, transport = "shm", "handshake failed");
                return;
            }
        };
        let end = self.answer_calls(&mut endpoint);
        if let End::TooLarge { limit, .. } = end {
            // The client hears why before the connection ends.
            let refused = self.handler.refuse(
                Refusal::TooLarge {
                    limit: usize::try_from(limit).unwrap_or(usize::MAX),
                },
                None,
            );
            let watch = Watch::new(endpoint.socket.as_fd(), Some(&self.stop));
            let mut waiter = Waiter::new(self.config.spin, self.config.park_timeout);
            let _ = endpoint.rings.send(&refused.body, &mut waiter, &watch);
        }
        match end {
            End::PeerGone | End::Stopped => {}
            End::Violation(_) | End::TooLarge { .. } => {
                tracing::debug!(reason = %end, transport = "shm", peer = ?self.peer, "closing a connection");
            }
        }
    }

    /// Answers calls until the connection ends, and says why it did;
    /// between calls, writes what the feeds they started yield.
    fn answer_calls(&self, endpoint: &mut Session) -> End {
        let Session { socket, rings } = endpoint;
        let watch = Watch::new(socket.as_fd(), Some(&self.stop));
        let mut waiter = Waiter::new(self.config.spin, self.config.park_timeout);
        let session = feed::Session::next();
        let bell = Arc::new(Bell::default());
        let waker = Waker::from(bell.clone());
        let mut feeds = Vec::<Feed>::new();
        let mut request = Vec::new();
        let mut spare = Vec::new();
        // The handler's first poll runs on this thread: inside the runtime's
        // context, so that it may spawn tasks and start timers.
        let _context = self.runtime.enter();
        loop {
            if !feeds.is_empty() {
                if let Err(end) = pump(&mut feeds, rings, &mut waiter, &watch, &waker) {
                    return end;
                }
                if feeds.is_empty() {
                    continue;
                }
                match rings.wait_for_any(&mut waiter, &watch, &bell, None) {
                    Ok(Woken::Data) => {}
                    Ok(Woken::Bell | Woken::Room) => continue,
                    Err(end) => return end,
                }
            }
            if let Err(end) = rings.receive(
                &mut request,
                self.handler.max_body_bytes(),
                &mut waiter,
                &watch,
            ) {
                return end;
            }
            let call = self.handler.handle(
                Message::new(&request, "shm")
                    .peer(self.peer)
                    .session(Some(session))
                    .reply_buffer(std::mem::take(&mut spare)),
            );
            let Some(reply) = self.finish(call, socket.as_fd()) else {
                return End::PeerGone;
            };
            // Every request is answered with one message, empty for a
            // notification: the client waits for it.
            if let Err(end) = rings.send(&reply.body, &mut waiter, &watch) {
                return end;
            }
            feeds.extend(reply.feeds);
            if !worth_keeping(request.len(), request.capacity()) {
                request = Vec::new();
            }
            if worth_keeping(reply.body.len(), reply.body.capacity()) {
                spare = reply.body;
            }
        }
    }

    /// Drives a call to its reply; `None` if the client left meanwhile. A
    /// synchronous method answers in its first poll, made here without
    /// entering the runtime (`block_on` costs a few hundred nanoseconds, a
    /// third of a small call); one that waits is finished on the runtime.
    fn finish<F: Future>(&self, call: F, socket: BorrowedFd<'_>) -> Option<F::Output> {
        let mut call = std::pin::pin!(call);
        match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(reply) => Some(reply),
            Poll::Pending => {
                self.runtime
                    .block_on(unless_peer_leaves(call, socket, self.config.park_timeout))
            }
        }
    }
}

/// Writes what the feeds hold now, a body from each in turn, until none
/// has one or a request is waiting (an unsubscribe must not wait behind a
/// busy feed). A feed that ended is dropped. Writing waits for room: a
/// client that stops reading holds the feeds up until they fill, and their
/// subscriptions end.
fn pump(
    feeds: &mut Vec<Feed>,
    rings: &mut Rings,
    waiter: &mut Waiter,
    watch: &Watch<'_>,
    waker: &Waker,
) -> Result<(), End> {
    let mut cx = Context::from_waker(waker);
    loop {
        let mut wrote = false;
        let mut i = 0;
        while i < feeds.len() {
            match Pin::new(&mut feeds[i]).poll_next(&mut cx) {
                Poll::Ready(Some(body)) => {
                    rings.send(&body, waiter, watch)?;
                    wrote = true;
                    i += 1;
                }
                Poll::Ready(None) => {
                    feeds.swap_remove(i);
                }
                Poll::Pending => i += 1,
            }
        }
        if !wrote || rings.has_data()? {
            return Ok(());
        }
    }
}
