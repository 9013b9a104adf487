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
//! writing to a client that does not read is cut off 10 s later.

use std::collections::HashMap;
use std::future::Future;
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::runtime::Handle;
use tokio::sync::{Semaphore, watch};

use super::StreamConfig;
use super::connection::{Origin, Prefixed, parse_error};
use super::frames::{Detected, Frames, Framing, write_frame};
use super::listen::next_connection;
use crate::{Handler, Peer, Reply, Request};

/// Bytes taken from the socket per read.
const READ_CHUNK: usize = 64 * 1024;

/// How long a stopping server lets connections finish writing answers
/// before it ends them anyway.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// A connected socket a thread can serve with blocking calls.
pub(crate) trait BlockingSocket: Read + Write + Send + Sized + 'static {
    /// The same socket for tokio, for a connection that speaks HTTP.
    type Async: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    fn try_clone(&self) -> io::Result<Self>;
    fn shutdown(&self, how: Shutdown) -> io::Result<()>;
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
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
    fn into_async(self) -> io::Result<Self::Async> {
        self.set_nonblocking(true)?;
        tokio::net::UnixStream::from_std(self)
    }
}

/// Shuts one connection's socket from outside its thread.
type Shut = Box<dyn Fn(Shutdown) + Send>;

/// A second handle on every open connection's socket, so that a stop can
/// wake threads blocked in `read`.
#[derive(Default)]
struct OpenSockets {
    next: AtomicU64,
    sockets: Mutex<HashMap<u64, Shut>>,
}

impl OpenSockets {
    /// Keeps a way to shut `socket`'s read side until the guard drops.
    fn register<S: BlockingSocket>(self: &Arc<Self>, socket: &S) -> io::Result<Registered> {
        let clone = socket.try_clone()?;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let shut: Shut = Box::new(move |how| {
            let _ = clone.shutdown(how);
        });
        self.lock().insert(id, shut);
        Ok(Registered {
            open: self.clone(),
            id,
        })
    }

    fn shut_all(&self, how: Shutdown) {
        for shut in self.lock().values() {
            shut(how);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Shut>> {
        self.sockets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets a connection's socket handle when its thread ends.
struct Registered {
    open: Arc<OpenSockets>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.open.lock().remove(&self.id);
    }
}

/// The accept loop of [`StreamConfig::thread_per_connection`]: the same
/// limits and stop as the async one, each connection on a new thread.
pub(crate) async fn accept_loop<H, A, F, S>(
    handler: Arc<H>,
    config: StreamConfig,
    shutdown: impl Future<Output = ()> + Send,
    transport: &'static str,
    mut accept: A,
) -> io::Result<()>
where
    H: Handler,
    A: FnMut() -> F,
    F: Future<Output = io::Result<(S, Option<Peer>)>>,
    S: BlockingSocket,
{
    let runtime = Handle::current();
    let config = Arc::new(config);
    let (stop, stopped) = watch::channel(false);
    let open = Arc::new(OpenSockets::default());
    let slots = u32::try_from(config.max_connections).unwrap_or(u32::MAX >> 3);
    let permits = Arc::new(Semaphore::new(slots as usize));
    let mut shutdown = std::pin::pin!(shutdown);
    while let Some((permit, (socket, peer))) =
        next_connection(&permits, &mut accept, shutdown.as_mut(), transport).await
    {
        let registered = match open.register(&socket) {
            Ok(registered) => registered,
            Err(e) => {
                tracing::warn!(error = %e, transport, "cannot take over a connection");
                continue;
            }
        };
        let connection = Connection {
            handler: handler.clone(),
            config: config.clone(),
            runtime: runtime.clone(),
            origin: Origin { transport, peer },
            stop: stopped.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("diglot-{transport}"))
            .spawn(move || {
                let _permit = permit;
                let _registered = registered;
                connection.serve(socket);
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, transport, "cannot start a connection thread");
        }
    }
    let _ = stop.send(true);
    open.shut_all(Shutdown::Read);
    // Each connection thread holds a permit until it ends. One still
    // writing to a client that stopped reading is cut off after a grace.
    let all = tokio::time::timeout(STOP_GRACE, permits.acquire_many(slots)).await;
    if all.is_err() {
        tracing::warn!(transport, "ending connections stuck writing");
        open.shut_all(Shutdown::Both);
        let _all = permits.acquire_many(slots).await;
    }
    Ok(())
}

/// What one connection's thread needs.
struct Connection<H> {
    handler: Arc<H>,
    config: Arc<StreamConfig>,
    runtime: Handle,
    origin: Origin,
    stop: watch::Receiver<bool>,
}

impl<H: Handler> Connection<H> {
    fn serve<S: BlockingSocket>(self, mut socket: S) {
        // Calls may set timers and spawn tasks as on a runtime thread.
        let _runtime = self.runtime.enter();
        let mut frames = Frames::new(self.config.max_body_bytes);
        let mut chunk = vec![0; READ_CHUNK];
        let Some(framing) = self.detect(&mut socket, &mut frames, &mut chunk) else {
            return;
        };
        if framing == Framing::Http {
            self.hand_to_http(socket, frames);
            return;
        }
        let mut out = Vec::with_capacity(256);
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
                let reason = error.reason().unwrap_or("unreadable frame");
                tracing::debug!(
                    reason,
                    transport = self.origin.transport,
                    "closing a connection"
                );
                write_frame(framing, &parse_error(reason).body, &mut out);
                let _ = socket.write_all(&out);
                return;
            }
            if !out.is_empty() && socket.write_all(&out).is_err() {
                return;
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
        let http = Arc::new(self.config.http.clone());
        // The thread (and its permit) stays until the connection ends, so a
        // stop still waits for it.
        self.runtime
            .block_on(crate::http::serve_io(io, self.handler, http, self.stop));
    }

    /// Runs the handler on one frame: a call that is ready at its first poll
    /// is answered here and now; one that is not is driven by the runtime.
    fn run(&self, body: &[u8], protocol: Option<crate::Protocol>) -> Reply {
        let call = self.handler.handle(Request {
            body,
            protocol,
            transport: self.origin.transport,
            peer: self.origin.peer,
        });
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
