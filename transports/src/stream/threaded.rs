//! Connections served each on a thread of its own, with blocking reads and
//! writes and calls run on that thread ([`StreamConfig::max_connection_threads`]).
//!
//! A call and its answer then cost two system calls and no trip through
//! the async reactor: the lowest round-trip latency for a few local clients.
//! A thread serves its connection so while every call is ready at its first
//! poll. The first JSON-RPC call that is not, or that starts a feed, hands
//! the connection — the socket made async, the bytes read and not yet
//! framed, the session and the feeds — to a task of the server's runtime,
//! which serves it as any task-mode connection from then on. A call not
//! ready stays where it was polled (calls are polled on the thread's stack:
//! no allocation on the quick path): the thread drives it to its end and
//! passes the answer to the task, then ends. An XML-RPC call that is not
//! ready is driven while the thread keeps the connection: such calls are
//! answered in order anyway.
//!
//! Stopping the server shuts the read side of every connection (threads and
//! the tasks they handed over to): each answers the frames it has already
//! read and ends. One still blocked writing to a client that does not read
//! is cut off once the stop's grace has passed. At the connection limit, an
//! idle connection on a thread is closed the same way, by shutting its read
//! side.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Handle;

use super::StreamConfig;
use super::connection::{
    Origin, PendingCall, Prefixed, Resume, Watch, is_xml, refusal, serve_frames, serve_http,
};
use super::frames::{Detected, FrameReader, Frames, Framing, write_frame};
use crate::listen::{Activity, Limiter, Slot, StopSignal, ThreadGuard, Threads};
use crate::{Feed, Handler, Protocol, Reply, Session};

/// Bytes taken from the socket per read.
const READ_CHUNK: usize = 64 * 1024;

/// A connected socket a thread can serve with blocking calls.
pub(crate) trait BlockingSocket: Read + Write + Send + Sync + Sized + 'static {
    /// The same socket for tokio, for a connection handed to a task.
    type Async: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    fn try_clone(&self) -> io::Result<Self>;
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    /// Must be called inside the runtime.
    fn into_async(self) -> io::Result<Self::Async>;
}

impl BlockingSocket for std::net::TcpStream {
    type Async = tokio::net::TcpStream;

    fn try_clone(&self) -> io::Result<Self> {
        std::net::TcpStream::try_clone(self)
    }
    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        std::net::TcpStream::shutdown(self, how)
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::net::TcpStream::set_write_timeout(self, timeout)
    }
    fn into_async(self) -> io::Result<Self::Async> {
        self.set_nonblocking(true)?;
        tokio::net::TcpStream::from_std(self)
    }
}

impl BlockingSocket for std::os::unix::net::UnixStream {
    type Async = tokio::net::UnixStream;

    fn try_clone(&self) -> io::Result<Self> {
        std::os::unix::net::UnixStream::try_clone(self)
    }
    fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        std::os::unix::net::UnixStream::shutdown(self, how)
    }
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_read_timeout(self, timeout)
    }
    fn set_write_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        std::os::unix::net::UnixStream::set_write_timeout(self, timeout)
    }
    fn into_async(self) -> io::Result<Self::Async> {
        self.set_nonblocking(true)?;
        tokio::net::UnixStream::from_std(self)
    }
}

/// The connection threads of one endpoint: how many run, and what a stop
/// does to them and to the tasks they handed their connections to.
pub(crate) struct Threaded<H> {
    handler: Arc<H>,
    config: Arc<StreamConfig>,
    runtime: Handle,
    stop: StopSignal,
    transport: &'static str,
    threads: Threads,
    /// Connection threads running now, at most `config.connection_threads`.
    running: Arc<AtomicUsize>,
}

/// What a connection thread holds while it serves its connection: the
/// slot and stop hooks go on to the task it may hand the connection to.
struct Held {
    slot: Slot,
    guard: ThreadGuard,
    _running: Running,
    _watcher: Watcher,
}

/// Ends the task that shuts an evicted connection's read side.
struct Watcher(tokio::task::AbortHandle);

impl Drop for Watcher {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Counts one connection thread while it serves a connection.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl<H: Handler> Threaded<H> {
    /// Must be called inside the runtime.
    pub(crate) fn new(
        handler: Arc<H>,
        config: Arc<StreamConfig>,
        stop: StopSignal,
        transport: &'static str,
    ) -> Self {
        Threaded {
            handler,
            config,
            runtime: Handle::current(),
            stop,
            transport,
            threads: Threads::new(),
            running: Arc::default(),
        }
    }

    /// Serves `io` on a new thread if fewer than the configured number
    /// run; otherwise gives it back, with its slot, to be served as a task.
    pub(crate) fn serve<IO, S>(
        &self,
        io: IO,
        slot: Slot,
        origin: Origin,
        into_blocking: fn(IO) -> io::Result<S>,
    ) -> Option<(IO, Slot)>
    where
        S: BlockingSocket,
    {
        // Only the accept loop starts threads: no race past the bound.
        if self.running.load(Ordering::Relaxed) >= self.config.connection_threads {
            return Some((io, slot));
        }
        let transport = self.transport;
        let socket = match into_blocking(io) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::warn!(error = %e, transport, "cannot take over a connection");
                return None;
            }
        };
        // A second handle on the socket, so that a stop or an eviction can
        // wake a thread blocked in `read` and a cut one blocked in `write`.
        let handle = match socket.try_clone() {
            Ok(handle) => Arc::new(handle),
            Err(e) => {
                tracing::warn!(error = %e, transport, "cannot take over a connection");
                return None;
            }
        };
        let (stopping, cut) = (handle.clone(), handle.clone());
        let guard = self.threads.register(
            move || {
                let _ = stopping.shutdown(Shutdown::Read);
            },
            move || {
                let _ = cut.shutdown(Shutdown::Both);
            },
        );
        self.running.fetch_add(1, Ordering::Relaxed);
        let running = Running(self.running.clone());
        let connection = Connection {
            handler: self.handler.clone(),
            config: self.config.clone(),
            runtime: self.runtime.clone(),
            origin,
            stop: self.stop.clone(),
            activity: slot.activity(),
            session: Session::next(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("diglot-{transport}"))
            .spawn(move || {
                // Calls may set timers and spawn tasks as on a runtime thread.
                let runtime = connection.runtime.clone();
                let _runtime = runtime.enter();
                // At the connection limit the limiter may ask this
                // connection to close while it is idle: its read side is
                // shut, as a stop does.
                let activity = connection.activity.clone();
                let evicted = runtime.spawn(async move {
                    activity.evicted().await;
                    let _ = handle.shutdown(Shutdown::Read);
                });
                let held = Held {
                    slot,
                    guard,
                    _running: running,
                    _watcher: Watcher(evicted.abort_handle()),
                };
                connection.serve(socket, held);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, transport, "cannot start a connection thread");
        }
        None
    }

    /// Shuts the read side of every connection served on a thread or handed
    /// over by one, so that each answers what it has read and ends; one
    /// still blocked writing to a client that does not read is cut off
    /// after the grace. (The tasks the accept loop started drain apart.)
    pub(crate) async fn drain(self, limiter: &Limiter, stop: &StopSignal) {
        if !self.threads.is_empty() {
            self.threads.drain(limiter, stop, self.transport).await;
        }
    }
}

/// Why a connection thread stops serving its connection while the
/// connection goes on: a task takes it over.
enum Handover {
    /// The connection speaks HTTP.
    Http(Frames),
    /// A call is not ready, or started feeds.
    Frames {
        framing: Framing,
        frames: Frames,
        partial_since: Option<Instant>,
        pending: Option<PendingCall>,
        feeds: Vec<Feed>,
    },
}

/// What one connection's thread needs.
struct Connection<H> {
    handler: Arc<H>,
    config: Arc<StreamConfig>,
    runtime: Handle,
    origin: Origin,
    stop: StopSignal,
    activity: Arc<Activity>,
    session: Session,
}

impl<H: Handler> Connection<H> {
    /// Serves the connection until it ends or a task takes it over.
    fn serve<S: BlockingSocket>(&self, mut socket: S, held: Held) {
        // Idle until it has sent something: it may be closed to make room.
        self.activity.set_idle(true);
        let mut frames = Frames::new(self.handler.max_body_bytes());
        let mut chunk = vec![0; READ_CHUNK];
        let Some(framing) = self.detect(&mut socket, &mut frames, &mut chunk) else {
            return;
        };
        self.activity.set_idle(false);
        if framing == Framing::Http {
            self.hand_over(socket, Handover::Http(frames), held);
            return;
        }
        // A write to a peer that does not read fails after the timeout.
        if socket
            .set_write_timeout(Some(self.config.write_timeout))
            .is_err()
        {
            return;
        }
        let mut out = Vec::with_capacity(256);
        // When the frame being read began to arrive: the rest must come
        // within the frame timeout.
        let mut partial_since: Option<Instant> = None;
        loop {
            // Everything one read brought is answered with one write.
            out.clear();
            loop {
                let frame = match frames.next(framing) {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(error) => {
                        if let Some(refused) = refusal(&*self.handler, &error, self.origin)
                            && !refused.body.is_empty()
                        {
                            write_frame(framing, &refused.body, &mut out);
                        }
                        let _ = socket.write_all(&out);
                        return;
                    }
                };
                // Polled here, on the stack: most calls are ready at once.
                let message = self
                    .origin
                    .message(&frame.body, frame.protocol)
                    .session(Some(self.session));
                let mut call = std::pin::pin!(self.handler.handle(message));
                let reply = match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
                    Poll::Ready(reply) => reply,
                    // XML-RPC calls are answered in order anyway.
                    Poll::Pending if is_xml(&frame) => self.runtime.block_on(call),
                    Poll::Pending => {
                        // The answers before it leave first; then a task
                        // serves the connection, calls after this one
                        // included, while this thread finishes this one and
                        // passes its answer on.
                        if !out.is_empty() && socket.write_all(&out).is_err() {
                            return;
                        }
                        let (answer, answered) = tokio::sync::oneshot::channel();
                        let pending: PendingCall = Box::pin(async move {
                            // Nothing to write if the call panicked.
                            answered
                                .await
                                .unwrap_or_else(|_| Reply::new(Vec::new(), Protocol::JsonRpc))
                        });
                        let handover = Handover::Frames {
                            framing,
                            frames,
                            partial_since,
                            pending: Some(pending),
                            feeds: Vec::new(),
                        };
                        self.hand_over(socket, handover, held);
                        let _ = answer.send(self.runtime.block_on(call));
                        return;
                    }
                };
                if !reply.body.is_empty() {
                    write_frame(framing, &reply.body, &mut out);
                }
                if !reply.feeds.is_empty() {
                    // The answer leaves first, then the task writes the
                    // feeds' items between later answers.
                    if socket.write_all(&out).is_err() {
                        return;
                    }
                    let handover = Handover::Frames {
                        framing,
                        frames,
                        partial_since,
                        pending: None,
                        feeds: reply.feeds,
                    };
                    self.hand_over(socket, handover, held);
                    return;
                }
            }
            if !out.is_empty() && socket.write_all(&out).is_err() {
                return;
            }
            // Between frames a read may wait for ever; inside one, only for
            // what is left of the frame timeout. (The socket option is set
            // only when that changes: one system call saved per call.)
            let idle = frames.may_end();
            if idle {
                if partial_since.take().is_some() && socket.set_read_timeout(None).is_err() {
                    return;
                }
            } else {
                let since = *partial_since.get_or_insert_with(Instant::now);
                let left =
                    (since + self.config.frame_timeout).saturating_duration_since(Instant::now());
                if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
                    return;
                }
            }
            self.activity.set_idle(idle);
            let Some(bytes) = read(&mut socket, &mut chunk) else {
                return;
            };
            self.activity.set_idle(false);
            frames.extend(bytes);
        }
    }

    /// Reads until the framing is known, within the first-byte timeout.
    fn detect<S: BlockingSocket>(
        &self,
        socket: &mut S,
        frames: &mut Frames,
        chunk: &mut [u8],
    ) -> Option<Framing> {
        socket
            .set_read_timeout(Some(self.config.first_byte_timeout))
            .ok()?;
        let framing = loop {
            match frames.detect() {
                Detected::Framing(framing) => break framing,
                Detected::Unknown => return None,
                Detected::NeedMore => frames.extend(read(socket, chunk)?),
            }
        };
        socket.set_read_timeout(None).ok()?;
        Some(framing)
    }

    /// Hands the connection to a task of the runtime, which keeps its slot
    /// and its stop hooks until it ends; the thread no longer counts
    /// against the bound.
    fn hand_over<S: BlockingSocket>(&self, socket: S, handover: Handover, held: Held) {
        let Held { slot, guard, .. } = held;
        let io = match socket.into_async() {
            Ok(io) => io,
            Err(e) => {
                tracing::warn!(error = %e, transport = self.origin.transport, "cannot hand a connection to a task");
                return;
            }
        };
        let (handler, config, origin) = (self.handler.clone(), self.config.clone(), self.origin);
        let watch = Watch {
            stop: self.stop.clone(),
            activity: self.activity.clone(),
        };
        match handover {
            Handover::Http(frames) => {
                let io = Prefixed::new(frames.into_bytes(), io);
                self.runtime.spawn(async move {
                    let _held = (slot, guard);
                    serve_http(io, handler, &config, origin, watch).await;
                });
            }
            Handover::Frames {
                framing,
                frames,
                partial_since,
                pending,
                feeds,
            } => {
                let (read, write) = tokio::io::split(io);
                let reader = FrameReader::resume(read, frames, config.frame_timeout, partial_since);
                let resume = Resume {
                    session: self.session,
                    pending,
                    feeds,
                };
                self.runtime.spawn(async move {
                    let _held = (slot, guard);
                    serve_frames(
                        reader, write, framing, handler, &config, origin, watch, resume,
                    )
                    .await;
                });
            }
        }
    }
}

/// One blocking read: the bytes, or `None` at the end of the stream, on a
/// timeout or an error.
fn read<'c, S: Read>(socket: &mut S, chunk: &'c mut [u8]) -> Option<&'c [u8]> {
    loop {
        match socket.read(chunk) {
            Ok(0) => return None,
            Ok(n) => return Some(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        }
    }
}
