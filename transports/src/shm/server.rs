//! The server: accepts handshakes on a local socket and serves each
//! connection on a thread of its own.
//!
//! A connection's thread reads a request from the request ring, runs the
//! handler on the tokio runtime the server was started on
//! (`Handle::block_on`: a synchronous method answers at once, an
//! asynchronous one still has timers), and writes the response. Whatever
//! ends a connection — the client leaving or dying, a protocol violation,
//! the server stopping — only that connection's thread exits, unmapping
//! its memory and closing its descriptors.

use std::future::Future;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::ShmConfig;
use super::handshake::{self, Endpoint};
use super::layout::{Hello, Layout};
use super::ring::End;
use super::wait::{Stop, Waiter, Watch, peer_alive};
use crate::stream::LocalListener;
use crate::stream::next_connection;
use crate::{Handler, Peer, Request};

/// Request buffers larger than this are not kept between calls.
const KEEP_BUFFER: usize = 1 << 20;

/// How long a stopping server lets connections finish a message they are
/// in the middle of reading or writing, before it ends them anyway.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// Forces the stop when the accept loop ends, however it ends (even if its
/// future is dropped with its runtime), so that connection threads exit.
struct StopOnDrop(Arc<Stop>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.requested.store(true, Ordering::Relaxed);
        self.0.forced.store(true, Ordering::Relaxed);
    }
}

/// Serves `handler` over shared memory, with handshakes on `listener`,
/// until `shutdown` resolves. Must run on a tokio runtime, which also runs
/// the handler's futures.
///
/// When `shutdown` resolves, no new connection is accepted, and each
/// connection ends once it has answered the call in flight; this returns
/// when they have all ended. A connection still in the middle of a message
/// 10 s later (its client stopped reading or writing) is ended then.
pub async fn serve_shm<H: Handler>(
    listener: LocalListener,
    handler: Arc<H>,
    config: ShmConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let runtime = tokio::runtime::Handle::current();
    let config = Arc::new(config);
    let stop = Arc::new(Stop::default());
    let stopping = StopOnDrop(stop.clone());
    let slots = u32::try_from(config.max_connections).unwrap_or(u32::MAX >> 3);
    let permits = Arc::new(Semaphore::new(slots as usize));
    let mut shutdown = std::pin::pin!(shutdown);
    let mut accept = || listener.accept();
    while let Some((permit, (stream, peer))) =
        next_connection(&permits, &mut accept, shutdown.as_mut(), "shm").await
    {
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
        let connection = Connection {
            handler: handler.clone(),
            config: config.clone(),
            runtime: runtime.clone(),
            stop: stop.clone(),
            peer,
        };
        let spawned = std::thread::Builder::new()
            .name("diglot-shm".into())
            .spawn(move || {
                let _permit = permit;
                connection.serve(stream);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, transport = "shm", "cannot start a connection thread");
        }
    }
    // Refuse new clients at once (and remove the socket file).
    drop(listener);
    stop.requested.store(true, Ordering::Relaxed);
    // Each connection thread holds a permit until it exits.
    let all = tokio::time::timeout(STOP_GRACE, permits.acquire_many(slots)).await;
    if all.is_err() {
        tracing::warn!(transport = "shm", "ending connections stuck mid-message");
        drop(stopping);
        let _all = permits.acquire_many(slots).await;
    }
    Ok(())
}

/// Runs a handler's future, but gives it up if the client goes away
/// meanwhile (checked every `period`): a client killed mid-call does not
/// keep its call running. A synchronous method is answered in the first
/// poll, before any timer is set.
async fn unless_peer_leaves<F: Future>(
    call: F,
    socket: BorrowedFd<'_>,
    period: Duration,
) -> Option<F::Output> {
    let mut call = std::pin::pin!(call);
    let first = std::future::poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
    if let Poll::Ready(output) = first {
        return Some(output);
    }
    let gone = async {
        loop {
            tokio::time::sleep(period).await;
            if !peer_alive(socket) {
                break;
            }
        }
    };
    tokio::select! {
        output = &mut call => Some(output),
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
            max_request_bytes: self.config.max_body_bytes as u64,
        };
        let mut endpoint = match handshake::offer(socket, &hello) {
            Ok(endpoint) => endpoint,
            Err(e) => {
                tracing::debug!(error = %e, transport = "shm", "handshake failed");
                return;
            }
        };
        let end = self.answer_calls(&mut endpoint);
        match end {
            End::PeerGone | End::Stopped => {}
            End::Violation(_) | End::TooLarge { .. } => {
                tracing::debug!(reason = %end, transport = "shm", peer = ?self.peer, "closing a connection");
            }
        }
    }

    /// Answers calls until the connection ends, and says why it did.
    fn answer_calls(&self, endpoint: &mut Endpoint) -> End {
        let Endpoint { socket, rings } = endpoint;
        let watch = Watch::new(socket.as_fd(), Some(&self.stop));
        let mut waiter = Waiter::new(self.config.spin, self.config.park_timeout);
        let mut request = Vec::new();
        loop {
            if let Err(end) = rings.receive(
                &mut request,
                self.config.max_body_bytes,
                &mut waiter,
                &watch,
            ) {
                return end;
            }
            let call = self.handler.handle(Request {
                body: &request,
                protocol: None,
                transport: "shm",
                peer: self.peer,
            });
            let Some(reply) = self.runtime.block_on(unless_peer_leaves(
                call,
                socket.as_fd(),
                self.config.park_timeout,
            )) else {
                return End::PeerGone;
            };
            // Every request is answered with one message, empty for a
            // notification: the client waits for it.
            if let Err(end) = rings.send(&reply.body, &mut waiter, &watch) {
                return end;
            }
            if request.capacity() > KEEP_BUFFER {
                request = Vec::new();
            }
        }
    }
}
