//! Connections served each on a thread of its own, with blocking reads and
//! writes and calls run on that thread
//! ([`StreamConfig::thread_per_connection`]).
//!
//! A call and its answer then cost two system calls and no trip through
//! the async reactor: the lowest round-trip latency for a few local clients.
//! A call that does not finish at its first poll (it awaits something) is
//! driven on the server's tokio runtime while its connection's thread waits,
//! so calls on one connection run one at a time, in order.
//!
//! Stopping the server shuts the read side of every connection: each thread
//! answers the frames it has already read and exits. A thread still blocked
//! writing to a client that does not read is cut off once the stop's grace
//! has passed.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Handle;

use super::StreamConfig;
use super::connection::{Origin, Prefixed, Watch, refusal, serve_http};
use super::frames::{Detected, Frames, Framing, write_frame};
use crate::listen::{Limiter, StopSignal, Threads};
use crate::seam::Caller;
use crate::{Handler, Reply};

/// Bytes taken from the socket per read.
const READ_CHUNK: usize = 64 * 1024;

/// A connected socket a thread can serve with blocking calls.
pub(crate) trait BlockingSocket: Read + Write + Send + Sync + Sized + 'static {
    /// The same socket for tokio, for a connection that speaks HTTP.
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

/// The connections an accept loop started, to drain once its listener is
/// dropped.
pub(crate) struct Running {
    threads: Threads,
    limiter: Limiter,
    transport: &'static str,
}

impl Running {
    /// Shuts the read side of every connection, so that each thread answers
    /// what it has read and exits; a thread still blocked writing to a
    /// client that does not read is cut off after the grace.
    pub(crate) async fn drain(self, stop: &StopSignal) {
        self.threads
            .drain(&self.limiter, stop, self.transport)
            .await;
    }
}

/// The accept loop of [`StreamConfig::thread_per_connection`]: the same
/// limit and stop as the async one, each connection on a new thread.
pub(crate) async fn accept<H, A, F, S>(
    handler: Arc<H>,
    config: StreamConfig,
    stop: &mut StopSignal,
    transport: &'static str,
    mut accept: A,
) -> Running
where
    H: Handler,
    A: FnMut() -> F,
    F: Future<Output = io::Result<(S, Caller)>>,
    S: BlockingSocket,
{
    let runtime = Handle::current();
    let config = Arc::new(config);
    let limiter = Limiter::new(config.max_connections);
    let threads = Threads::new();
    while let Some((slot, (socket, caller))) = limiter.accept(&mut accept, stop, transport).await {
        // A second handle on the socket, so that a stop can wake a thread
        // blocked in `read` and a cut one blocked in `write`.
        let handle = match socket.try_clone() {
            Ok(handle) => Arc::new(handle),
            Err(e) => {
                tracing::warn!(error = %e, transport, "cannot take over a connection");
                continue;
            }
        };
        let cut = handle.clone();
        let guard = threads.register(
            move || {
                let _ = handle.shutdown(Shutdown::Read);
            },
            move || {
                let _ = cut.shutdown(Shutdown::Both);
            },
        );
        let connection = Connection {
            handler: handler.clone(),
            config: config.clone(),
            runtime: runtime.clone(),
            origin: Origin { transport, caller },
            stop: stop.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("diglot-{transport}"))
            .spawn(move || {
                let _slot = slot;
                let _guard = guard;
                connection.serve(socket);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, transport, "cannot start a connection thread");
        }
    }
    Running {
        threads,
        limiter,
        transport,
    }
}

/// What one connection's thread needs.
struct Connection<H> {
    handler: Arc<H>,
    config: Arc<StreamConfig>,
    runtime: Handle,
    origin: Origin,
    stop: StopSignal,
}

impl<H: Handler> Connection<H> {
    fn serve<S: BlockingSocket>(self, mut socket: S) {
        // Calls may set timers and spawn tasks as on a runtime thread.
        let _runtime = self.runtime.enter();
        let mut frames = Frames::new(self.handler.max_body_bytes());
        let mut chunk = vec![0; READ_CHUNK];
        let Some(framing) = self.detect(&mut socket, &mut frames, &mut chunk) else {
            return;
        };
        if framing == Framing::Http {
            self.hand_to_http(socket, frames);
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
            let cut = loop {
                match frames.next(framing) {
                    Ok(Some(frame)) => {
                        let reply = self.run(&frame.body, frame.protocol);
                        if !reply.body.is_empty() {
                            write_frame(framing, &reply.body, &mut out);
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                }
            };
            if let Err(error) = cut {
                if let Some(refused) = refusal(&*self.handler, &error, self.origin)
                    && !refused.body.is_empty()
                {
                    write_frame(framing, &refused.body, &mut out);
                }
                let _ = socket.write_all(&out);
                return;
            }
            if !out.is_empty() && socket.write_all(&out).is_err() {
                return;
            }
            // Between frames a read may wait for ever; inside one, only for
            // what is left of the frame timeout. (The socket option is set
            // only when that changes: one system call saved per call.)
            if frames.may_end() {
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
            match read(&mut socket, &mut chunk) {
                Some(bytes) => frames.extend(bytes),
                None => return,
            }
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

    /// Serves an HTTP connection on the runtime, as the async path does.
    fn hand_to_http<S: BlockingSocket>(self, socket: S, frames: Frames) {
        let io = match socket.into_async() {
            Ok(io) => io,
            Err(e) => {
                tracing::warn!(error = %e, transport = self.origin.transport, "cannot hand a connection to HTTP");
                return;
            }
        };
        let io = Prefixed::new(frames.into_bytes(), io);
        // The thread (and its slot) stays until the connection ends, so a
        // stop still waits for it.
        // Threads are not asked to make room: a fresh activity nobody
        // evicts.
        self.runtime.block_on(serve_http(
            io,
            self.handler,
            &self.config,
            self.origin,
            Watch {
                stop: self.stop,
                activity: Arc::default(),
            },
        ));
    }

    /// Runs the handler on one frame: a call that is ready at its first poll
    /// is answered here and now; one that is not is driven by the runtime.
    fn run(&self, body: &[u8], protocol: Option<crate::Protocol>) -> Reply {
        let call = self.handler.handle(self.origin.message(body, protocol));
        let mut call = std::pin::pin!(call);
        match call.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(reply) => reply,
            Poll::Pending => self.runtime.block_on(call),
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
