//! [`ShmClient`]: one shared-memory connection, one call at a time.

use std::fmt;
use std::io;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use tokio::sync::mpsc;

use super::ShmConfig;
use super::end::End;
use super::handshake::{self, Session};
use super::pump::{Answer, Pump};
use super::ring::Rings;
use super::wait::{Waiter, Watch};
use crate::Peer;
use crate::feed::Notices;
use crate::listen::LocalName;

/// Why a shared-memory call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ShmError {
    /// Connecting, or the handshake, failed.
    Io(io::Error),
    /// The server closed the connection, stopped or died.
    Closed,
    /// The server broke the protocol: it wrote an index, a length or a
    /// flag out of range into the shared memory.
    Protocol(String),
    /// A message is larger than the limit: a request larger than the
    /// server reads (nothing was sent; the connection stays usable), or a
    /// response larger than this client reads.
    TooLarge {
        /// The message's size, or as much of it as was seen.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// An earlier call failed in a way that ended this connection.
    Broken(String),
}

impl fmt::Display for ShmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ShmError::Io(e) => write!(f, "shared-memory connection failed: {e}"),
            ShmError::Closed => {
                f.write_str("the server closed the shared-memory connection (it stopped or died)")
            }
            ShmError::Protocol(why) => {
                write!(f, "the server broke the shared-memory protocol: {why}")
            }
            ShmError::TooLarge { size, limit } => write!(
                f,
                "a message of {size} bytes exceeds the limit of {limit} bytes"
            ),
            ShmError::Broken(why) => {
                write!(f, "the shared-memory connection ended earlier: {why}")
            }
        }
    }
}

impl std::error::Error for ShmError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ShmError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<End> for ShmError {
    fn from(end: End) -> Self {
        match end {
            End::PeerGone | End::Stopped => ShmError::Closed,
            End::Violation(why) => ShmError::Protocol(why.to_owned()),
            End::TooLarge { size, limit } => ShmError::TooLarge { size, limit },
        }
    }
}

/// The connection, and how its waits spin.
#[derive(Debug)]
struct State {
    endpoint: Session,
    waiter: Waiter,
}

/// Where the connection rests between calls. A call takes it out, so that
/// a call begun on one thread can finish on another.
#[derive(Debug)]
enum Slot {
    /// Free for the next call.
    Idle(Box<State>),
    /// A call has it.
    Busy,
    /// A call ended the connection (its memory unmapped, its socket
    /// closed); later calls fail at once.
    Broken(String),
    /// The connection subscribed: a thread of its own owns it, and calls
    /// are queued for that thread.
    Pumped(Arc<Pump>),
}

/// What a call found in the slot.
enum Taken {
    /// The connection, to call on directly.
    Direct(Box<State>),
    /// The connection's thread, to queue the call for.
    Pumped(Arc<Pump>),
    /// Another call has it (only when not waiting).
    Busy,
}

#[derive(Debug)]
struct Shared {
    slot: Mutex<Slot>,
    waiters: std::sync::atomic::AtomicUsize,
    /// Signalled when the connection comes back to its slot.
    returned: Condvar,
}

impl Shared {
    /// Takes the connection for a call; waits while another call has it,
    /// unless `wait` is false.
    fn take(&self, wait: bool) -> Result<Taken, ShmError> {
        let mut slot = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            match std::mem::replace(&mut *slot, Slot::Busy) {
                Slot::Idle(state) => return Ok(Taken::Direct(state)),
                Slot::Broken(why) => {
                    *slot = Slot::Broken(why.clone());
                    return Err(ShmError::Broken(why));
                }
                Slot::Pumped(pump) => {
                    *slot = Slot::Pumped(pump.clone());
                    return Ok(Taken::Pumped(pump));
                }
                Slot::Busy if wait => {
                    self.waiters
                        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    slot = self
                        .returned
                        .wait(slot)
                        .unwrap_or_else(PoisonError::into_inner);
                    self.waiters
                        .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                }
                Slot::Busy => return Ok(Taken::Busy),
            }
        }
    }

    /// Puts the connection back, or records why it ended.
    fn put(&self, slot: Slot) {
        let mut guard = self.slot.lock().unwrap_or_else(PoisonError::into_inner);
        let pumped = matches!(slot, Slot::Pumped(_));
        *guard = slot;
        let waiting = self.waiters.load(std::sync::atomic::Ordering::Relaxed) > 0;
        drop(guard);
        if pumped {
            // Every waiting call queues for the thread now.
            self.returned.notify_all();
        } else if waiting {
            self.returned.notify_one();
        }
    }
}

/// A client's shared-memory connection to a server on this machine.
///
/// Calls go one at a time: concurrent callers queue. For calls in
/// parallel, open several connections — each has its own rings and its own
/// thread on the server. [`call`](Self::call) blocks the calling thread (no
/// runtime needed); async code starts a call with
/// [`try_call`](Self::try_call), which answers quick calls at once and
/// hands slow ones over as a [`PendingCall`] to finish on another thread.
///
/// The server is not trusted either: the memory it offers must be a sealed
/// memfd of the size its hello announces, or the connection is refused;
/// every index and length it writes is checked before use.
pub struct ShmClient {
    shared: Arc<Shared>,
    max_request_bytes: u64,
    max_response_bytes: usize,
    server: Option<Peer>,
}

impl fmt::Debug for ShmClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ShmClient")
            .field("server", &self.server)
            .field("max_request_bytes", &self.max_request_bytes)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// How [`ShmClient::try_call`] went.
#[derive(Debug)]
#[must_use]
pub enum TryCall {
    /// The answer came within the spin.
    Done(Vec<u8>),
    /// The request is sent; [`PendingCall::finish`] waits for the answer.
    Pending(PendingCall),
    /// Nothing was sent: another call has the connection, or the request
    /// does not fit in the ring right now. [`ShmClient::call`] would wait.
    Busy,
    /// The connection carries subscriptions: the call is queued for the
    /// thread that reads it, and the [`Answer`] resolves with its answer.
    Queued(Answer),
}

impl Drop for ShmClient {
    fn drop(&mut self) {
        let slot = self
            .shared
            .slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Slot::Pumped(pump) = &*slot {
            pump.close();
        }
    }
}

impl ShmClient {
    /// Connects to the server whose handshake socket is `name`, and maps
    /// the connection's memory. Blocks for at most the config's
    /// [`handshake_timeout`](ShmConfig::handshake_timeout) once connected.
    /// Responses larger than its [`max_response_bytes`](ShmConfig::max_response_bytes)
    /// are refused.
    pub fn connect(name: &LocalName, config: &ShmConfig) -> Result<ShmClient, ShmError> {
        let socket = connect_socket(name).map_err(|e| {
            ShmError::Io(io::Error::new(
                e.kind(),
                format!("cannot connect to {name}: {e}"),
            ))
        })?;
        let server = rustix::net::sockopt::socket_peercred(&socket)
            .ok()
            .map(|cred| {
                Peer::new(
                    cred.uid.as_raw(),
                    cred.gid.as_raw(),
                    Some(cred.pid.as_raw_nonzero().get()),
                )
            });
        socket
            .set_read_timeout(Some(
                config
                    .handshake_timeout
                    .max(std::time::Duration::from_millis(1)),
            ))
            .map_err(ShmError::Io)?;
        let (hello, endpoint) = handshake::accept(socket).map_err(ShmError::Io)?;
        let state = State {
            endpoint,
            waiter: Waiter::new(config.spin, config.park_timeout),
        };
        Ok(ShmClient {
            shared: Arc::new(Shared {
                slot: Mutex::new(Slot::Idle(Box::new(state))),
                waiters: std::sync::atomic::AtomicUsize::new(0),
                returned: Condvar::new(),
            }),
            max_request_bytes: hello.max_request_bytes,
            max_response_bytes: config.max_response_bytes,
            server,
        })
    }

    /// Sends `request` and waits for the response, on the calling thread.
    /// A request larger than the server reads fails without being sent.
    ///
    /// A call fails with [`ShmError::Closed`] within the config's
    /// [`park_timeout`](ShmConfig::park_timeout) of the server dying.
    pub fn call(&self, request: &[u8]) -> Result<Vec<u8>, ShmError> {
        self.check_size(request)?;
        let state = match self.shared.take(true)? {
            Taken::Direct(state) => state,
            Taken::Pumped(pump) => return pump.call_blocking(request),
            Taken::Busy => unreachable!("take waits for the connection"),
        };
        let mut call = self.pending(state);
        call.run(|rings, waiter, watch| rings.send(request, waiter, watch))?;
        call.finish()
    }

    /// Starts a call without blocking beyond a short spin: for async
    /// callers, which must not hold up their thread. Sends `request` if the
    /// connection is free and the request fits in the ring at once, then
    /// spins briefly for the answer.
    pub fn try_call(&self, request: &[u8]) -> Result<TryCall, ShmError> {
        self.check_size(request)?;
        let mut state = match self.shared.take(false)? {
            Taken::Direct(state) => state,
            Taken::Pumped(pump) => return pump.call(request, None).map(TryCall::Queued),
            Taken::Busy => return Ok(TryCall::Busy),
        };
        let fits = state.endpoint.rings.fits_now(request);
        if !matches!(fits, Ok(true)) {
            // Give the connection back (or record why it broke).
            let mut call = self.pending(state);
            call.run(|_, _, _| fits.map(|_| ()))?;
            call.release(None);
            return Ok(TryCall::Busy);
        }
        let mut call = self.pending(state);
        call.run(|rings, waiter, watch| rings.send(request, waiter, watch))?;
        let answered = call.run(|rings, waiter, _| rings.spin_for_data(waiter))?;
        if answered {
            call.finish().map(TryCall::Done)
        } else {
            Ok(TryCall::Pending(call))
        }
    }

    /// Sends a subscribe call; from its answer on, the notices of the
    /// subscription it started (told apart by `notices`) go to `feed`,
    /// until `feed`'s receiver is dropped or falls a whole queue behind.
    ///
    /// The first subscription hands the connection to a thread of its own,
    /// which reads whatever the server sends from then on; later calls are
    /// queued for it and answered as [`TryCall::Queued`]. Blocks while
    /// another call has the connection.
    pub fn subscribe(
        &self,
        request: &[u8],
        notices: Notices,
        feed: mpsc::Sender<Vec<u8>>,
    ) -> Result<Answer, ShmError> {
        self.check_size(request)?;
        self.pumped()?.call(request, Some((notices, feed)))
    }

    /// The connection's reading thread, started if need be.
    fn pumped(&self) -> Result<Arc<Pump>, ShmError> {
        let state = match self.shared.take(true)? {
            Taken::Direct(state) => state,
            Taken::Pumped(pump) => return Ok(pump),
            Taken::Busy => unreachable!("take waits for the connection"),
        };
        let State { endpoint, waiter } = *state;
        match Pump::start(endpoint, waiter, self.max_response_bytes) {
            Ok(pump) => {
                self.shared.put(Slot::Pumped(pump.clone()));
                Ok(pump)
            }
            Err(e) => {
                self.shared.put(Slot::Broken(e.to_string()));
                Err(e)
            }
        }
    }

    fn check_size(&self, request: &[u8]) -> Result<(), ShmError> {
        if request.len() as u64 > self.max_request_bytes {
            return Err(ShmError::TooLarge {
                size: request.len() as u64,
                limit: self.max_request_bytes,
            });
        }
        Ok(())
    }

    fn pending(&self, state: Box<State>) -> PendingCall {
        PendingCall {
            state: Some(state),
            shared: self.shared.clone(),
            max_response_bytes: self.max_response_bytes,
        }
    }

    /// The credentials of the server process, as the kernel reported them
    /// when connecting.
    pub fn server(&self) -> Option<Peer> {
        self.server
    }

    /// The largest request the server said it reads.
    pub fn max_request_bytes(&self) -> u64 {
        self.max_request_bytes
    }
}

/// A call whose request is sent and whose answer is still to come. It
/// holds the connection: other calls wait until it finishes. Dropping it
/// unfinished ends the connection, since the answer would come to the next
/// call.
#[derive(Debug)]
pub struct PendingCall {
    state: Option<Box<State>>,
    shared: Arc<Shared>,
    max_response_bytes: usize,
}

impl PendingCall {
    /// Waits for the answer, blocking the calling thread.
    pub fn finish(mut self) -> Result<Vec<u8>, ShmError> {
        let mut response = Vec::new();
        let limit = self.max_response_bytes;
        self.run(|rings, waiter, watch| rings.receive(&mut response, limit, waiter, watch))?;
        self.release(None);
        Ok(response)
    }

    /// Runs a step of the call; a failure ends the connection.
    fn run<T>(
        &mut self,
        step: impl FnOnce(&mut Rings, &mut Waiter, &Watch<'_>) -> Result<T, End>,
    ) -> Result<T, ShmError> {
        let state = self
            .state
            .as_mut()
            .expect("a pending call holds the connection");
        let State { endpoint, waiter } = &mut **state;
        let Session { socket, rings } = endpoint;
        let outcome = step(rings, waiter, &Watch::new(socket.as_fd(), None));
        outcome.map_err(|end| {
            let error = ShmError::from(end);
            self.release(Some(error.to_string()));
            error
        })
    }

    /// Gives the connection back to its slot, or, with a reason, drops it.
    fn release(&mut self, broken: Option<String>) {
        let Some(state) = self.state.take() else {
            return;
        };
        match broken {
            None => self.shared.put(Slot::Idle(state)),
            Some(why) => {
                // Closes the socket and unmaps the memory now.
                drop(state);
                self.shared.put(Slot::Broken(why));
            }
        }
    }
}

impl Drop for PendingCall {
    fn drop(&mut self) {
        if self.state.is_some() {
            self.release(Some(
                "a call was abandoned before its answer was read".into(),
            ));
        }
    }
}

fn connect_socket(name: &LocalName) -> io::Result<UnixStream> {
    match name {
        LocalName::Path(path) => UnixStream::connect(path),
        LocalName::Abstract(name) => {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
            UnixStream::connect_addr(&addr)
        }
    }
}
