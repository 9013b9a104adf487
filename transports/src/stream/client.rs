//! [`StreamClient`]: many calls in flight on one stream connection, each
//! answer handed to the call that is waiting for it.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use super::frames::{FrameError, FrameReader, Framing, write_frame};
use crate::feed::Notices;

/// Why a call over a stream failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamClientError {
    /// Writing the request failed.
    Io(io::Error),
    /// The connection closed before the answer arrived.
    Closed(String),
    /// A call with this id is already waiting on the connection.
    DuplicateId(i64),
    /// An answer was larger than the client's limit; the connection was
    /// closed without reading it, and every call waiting on it failed.
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The URL is not one this client can connect to (WebSocket).
    InvalidUrl(String),
    /// The server answered the WebSocket upgrade with this HTTP status
    /// instead of switching protocols.
    UpgradeRefused {
        /// The HTTP status.
        status: u16,
    },
}

impl fmt::Display for StreamClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamClientError::Io(e) => write!(f, "stream write failed: {e}"),
            StreamClientError::Closed(why) => write!(f, "the connection closed: {why}"),
            StreamClientError::DuplicateId(id) => {
                write!(
                    f,
                    "a call with id {id} is already waiting on this connection"
                )
            }
            StreamClientError::TooLarge { limit } => write!(
                f,
                "an answer was larger than the limit of {limit} bytes; the connection was closed"
            ),
            StreamClientError::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            StreamClientError::UpgradeRefused { status } => write!(
                f,
                "the server answered the WebSocket upgrade with HTTP {status}"
            ),
        }
    }
}

impl std::error::Error for StreamClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StreamClientError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Why the reader stopped, told to every call that waited or comes later.
#[derive(Debug, Clone)]
pub(crate) enum Ended {
    Closed(String),
    TooLarge { limit: usize },
}

impl From<Ended> for StreamClientError {
    fn from(ended: Ended) -> Self {
        match ended {
            Ended::Closed(why) => StreamClientError::Closed(why),
            Ended::TooLarge { limit } => StreamClientError::TooLarge { limit },
        }
    }
}

/// Where requests go, one whole body at a time: `Content-Length` frames
/// on a byte stream, or WebSocket messages. Boxed so that one client type
/// serves every transport.
pub(crate) trait Outbound: Send {
    /// Writes `body` as one message and flushes it.
    fn send<'a>(
        &'a mut self,
        body: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>>;
}

/// Where answers and notices come from, one whole body at a time, for
/// the reader task.
pub(crate) trait Inbound: Send + 'static {
    /// The next body, or why no more will come.
    fn next(&mut self) -> impl Future<Output = Result<Bytes, Ended>> + Send;

    /// Runs once every waiting call has been failed (a WebSocket sends
    /// back the close frame it owes).
    fn finish(&mut self) -> impl Future<Output = ()> + Send {
        std::future::ready(())
    }
}

/// Requests written in `Content-Length` framing.
struct Framed<W>(W);

impl<W: AsyncWrite + Unpin + Send> Outbound for Framed<W> {
    fn send<'a>(
        &'a mut self,
        body: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        Box::pin(async move {
            // One write: header and body in one segment.
            let mut frame = Vec::with_capacity(body.len() + 32);
            write_frame(Framing::ContentLength, body, &mut frame);
            self.0.write_all(&frame).await?;
            self.0.flush().await
        })
    }
}

/// Answers read in `Content-Length` framing.
struct Frames<R> {
    reader: FrameReader<R>,
    limit: usize,
}

impl<R: AsyncRead + Unpin + Send + 'static> Inbound for Frames<R> {
    async fn next(&mut self) -> Result<Bytes, Ended> {
        match self.reader.next(Framing::ContentLength).await {
            Ok(Some(frame)) => Ok(frame.body),
            Ok(None) => Err(Ended::Closed("the server closed the connection".to_owned())),
            Err(FrameError::TooLarge) => Err(Ended::TooLarge { limit: self.limit }),
            Err(e) => Err(Ended::Closed(format!("unreadable answer: {e}"))),
        }
    }
}

type Waiter = oneshot::Sender<Result<Vec<u8>, Ended>>;

/// A call without an id's hold on the connection, where such calls go one
/// at a time; released when its answer comes.
type Turn = tokio::sync::OwnedMutexGuard<()>;

/// Calls waiting for answers: by id (JSON-RPC), or in order (XML-RPC).
#[derive(Default)]
struct Waiting {
    by_id: HashMap<i64, Waiter>,
    in_order: VecDeque<(Waiter, Option<Turn>)>,
    /// Set once the reader stops; later calls fail at once.
    closed: Option<Ended>,
    /// How notices are told apart, once a subscription was made.
    notices: Option<Notices>,
    /// Subscribe calls waiting for their answer, with where their
    /// notices go.
    subscribing: HashMap<i64, mpsc::Sender<Vec<u8>>>,
    /// Where each live subscription's notices go, by its id.
    feeds: HashMap<u64, mpsc::Sender<Vec<u8>>>,
}

impl Waiting {
    fn fail_all(&mut self, why: Ended) {
        for (_, waiter) in self.by_id.drain() {
            let _ = waiter.send(Err(why.clone()));
        }
        for (waiter, _) in self.in_order.drain(..) {
            let _ = waiter.send(Err(why.clone()));
        }
        // Dropping the senders ends each subscription's items with an
        // error, instead of leaving them waiting on a dead connection.
        self.feeds.clear();
        self.subscribing.clear();
        self.closed = Some(why);
    }
}

/// A client side of a stream connection using `Content-Length` framing,
/// which carries XML-RPC and JSON-RPC alike; or, with the `http` feature,
/// of a WebSocket connection ([`websocket`](Self::websocket)), one message
/// per body.
///
/// The transport does not read JSON: the runtime passes `id_of`, which
/// finds the id in an answer. Answers without one go, in order, to calls
/// sent without one.
///
/// Every constructor takes `max_body_bytes`, the largest answer read: a
/// larger one is refused from its header (nothing is allocated for it), the
/// connection is closed and every waiting call fails with
/// [`StreamClientError::TooLarge`].
pub struct StreamClient {
    writer: tokio::sync::Mutex<Box<dyn Outbound>>,
    waiting: Arc<Mutex<Waiting>>,
    reader: tokio::task::JoinHandle<()>,
    /// A child process whose stdio this client speaks over; killed on drop.
    child: Option<tokio::process::Child>,
    /// Taken by a call without an id where the server answers calls as
    /// they finish (WebSocket): answers without an id can only be told
    /// apart one at a time.
    unnamed_turn: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl fmt::Debug for StreamClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamClient").finish_non_exhaustive()
    }
}

impl Drop for StreamClient {
    fn drop(&mut self) {
        self.reader.abort();
        if let Some(child) = &mut self.child {
            let _ = child.start_kill();
        }
    }
}

impl StreamClient {
    /// A client over a reader and writer (must be called within a tokio
    /// runtime: it spawns the task that reads answers).
    pub fn new<R, W>(
        reader: R,
        writer: W,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let frames = Frames {
            reader: FrameReader::new(reader, max_body_bytes),
            limit: max_body_bytes,
        };
        Self::from_parts(Box::new(Framed(writer)), frames, id_of, true)
    }

    /// A client over any framing (must be called within a tokio runtime).
    /// `answered_in_order`: whether the server answers calls in the order
    /// they came, so that calls without an id may be many in flight.
    pub(crate) fn from_parts(
        outbound: Box<dyn Outbound>,
        inbound: impl Inbound,
        id_of: fn(&[u8]) -> Option<i64>,
        answered_in_order: bool,
    ) -> Self {
        let waiting = Arc::new(Mutex::new(Waiting::default()));
        let reader = tokio::spawn(read_answers(inbound, waiting.clone(), id_of));
        StreamClient {
            writer: tokio::sync::Mutex::new(outbound),
            waiting,
            reader,
            child: None,
            unnamed_turn: (!answered_in_order).then(|| Arc::new(tokio::sync::Mutex::new(()))),
        }
    }

    /// Connects to a WebSocket URL, `ws://host[:port]/path` (with the `tls`
    /// feature also `wss://`, trusting the system's roots), after an HTTP
    /// upgrade; each request and answer is one message.
    /// `user:password@` before the host is sent as basic authentication.
    ///
    /// Pings are answered; a close frame from the server, or an answer
    /// over `max_body_bytes`, ends the connection and fails every waiting
    /// call. Dropping the client sends a close frame (from a task on the
    /// current runtime) and closes the socket.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), diglot_transports::stream::StreamClientError> {
    /// use diglot_transports::stream::StreamClient;
    ///
    /// // The runtime reads ids out of JSON; XML-RPC answers have none, so
    /// // XML-RPC calls go one at a time.
    /// fn no_id(_: &[u8]) -> Option<i64> {
    ///     None
    /// }
    /// let client = StreamClient::websocket("ws://127.0.0.1:8080/RPC2", no_id, 1 << 20).await?;
    /// let call = b"<methodCall><methodName>calc.add</methodName><params>\
    ///     <param><value><int>1</int></value></param>\
    ///     <param><value><int>2</int></value></param></params></methodCall>";
    /// let answer = client.call(call, None, true).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "http")]
    pub async fn websocket(
        url: &str,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> Result<Self, StreamClientError> {
        crate::http::websocket_client::connect(url, None, id_of, max_body_bytes).await
    }

    /// [`websocket`](Self::websocket), trusting only `roots` for `wss://`
    /// (a private CA, or a server's self-signed certificate).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use diglot_transports::http::TlsRoots;
    /// use diglot_transports::stream::StreamClient;
    ///
    /// # fn no_id(_: &[u8]) -> Option<i64> { None }
    /// let roots = TlsRoots::from_pem(&std::fs::read("ca.pem")?)?;
    /// let client = StreamClient::websocket_with_roots("wss://rpc.internal/RPC2", &roots, no_id, 1 << 20).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub async fn websocket_with_roots(
        url: &str,
        roots: &crate::http::TlsRoots,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> Result<Self, StreamClientError> {
        crate::http::websocket_client::connect(url, Some(roots), id_of, max_body_bytes).await
    }

    /// Connects over TCP.
    pub async fn connect_tcp(
        addr: std::net::SocketAddr,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> io::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        Ok(Self::new(read, write, id_of, max_body_bytes))
    }

    /// Connects to a Unix domain socket.
    #[cfg(unix)]
    pub async fn connect_local(
        name: &crate::listen::LocalName,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> io::Result<Self> {
        let stream = match name {
            crate::listen::LocalName::Path(path) => tokio::net::UnixStream::connect(path).await?,
            #[cfg(any(target_os = "linux", target_os = "android"))]
            crate::listen::LocalName::Abstract(name) => {
                use std::os::linux::net::SocketAddrExt;
                let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
                let stream = std::os::unix::net::UnixStream::connect_addr(&addr)?;
                stream.set_nonblocking(true)?;
                tokio::net::UnixStream::from_std(stream)?
            }
            #[cfg(not(any(target_os = "linux", target_os = "android")))]
            crate::listen::LocalName::Abstract(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "abstract names exist only on Linux",
                ));
            }
        };
        let (read, write) = stream.into_split();
        Ok(Self::new(read, write, id_of, max_body_bytes))
    }

    /// Connects to a named pipe.
    #[cfg(windows)]
    pub async fn connect_local(
        name: &crate::listen::LocalName,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> io::Result<Self> {
        use interprocess::local_socket::traits::tokio::Stream as _;
        use interprocess::local_socket::{GenericNamespaced, ToNsName};
        let crate::listen::LocalName::Pipe(pipe) = name;
        let name = pipe.as_str().to_ns_name::<GenericNamespaced>()?;
        let stream = interprocess::local_socket::tokio::Stream::connect(name).await?;
        let (read, write) = tokio::io::split(stream);
        Ok(Self::new(read, write, id_of, max_body_bytes))
    }

    /// Starts `command` with piped stdin/stdout and speaks to it; the child
    /// is killed when the client is dropped.
    pub fn spawn(
        mut command: tokio::process::Command,
        id_of: fn(&[u8]) -> Option<i64>,
        max_body_bytes: usize,
    ) -> io::Result<Self> {
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = child.stdout.take().expect("stdout was piped");
        let mut client = Self::new(stdout, stdin, id_of, max_body_bytes);
        client.child = Some(child);
        Ok(client)
    }

    /// Sends a subscribe call with JSON-RPC id `id` and waits for its
    /// answer; from then on the notices of the subscription it started
    /// (told apart by `notices`) go to `feed`, until `feed`'s receiver is
    /// dropped, or falls a whole queue behind.
    pub async fn subscribe(
        &self,
        body: &[u8],
        id: i64,
        notices: Notices,
        feed: mpsc::Sender<Vec<u8>>,
    ) -> Result<Vec<u8>, StreamClientError> {
        {
            let mut waiting = self.waiting.lock().expect("not poisoned");
            waiting.notices = Some(notices);
            // Subscriptions that ended leave their senders behind.
            waiting.feeds.retain(|_, feed| !feed.is_closed());
            waiting.subscribing.insert(id, feed);
        }
        let answer = self.call(body, Some(id), true).await;
        self.waiting
            .lock()
            .expect("not poisoned")
            .subscribing
            .remove(&id);
        answer
    }

    /// Sends a request and waits for its answer. With `id`, the answer
    /// carrying that id is returned; without, the next answer without an id
    /// (over WebSocket such calls go one at a time: its server answers calls
    /// as they finish). A notification (`expect_answer` false) returns at
    /// once, empty.
    pub async fn call(
        &self,
        body: &[u8],
        id: Option<i64>,
        expect_answer: bool,
    ) -> Result<Vec<u8>, StreamClientError> {
        // Held until the answer comes, not until this call gives up (a
        // timeout): a late answer must not reach the next call.
        let turn = match &self.unnamed_turn {
            Some(turn) if id.is_none() && expect_answer => Some(turn.clone().lock_owned().await),
            _ => None,
        };
        // The writer lock is taken before the call is registered, so calls
        // answered in order are written in the order they wait in.
        let mut writer = self.writer.lock().await;
        let receiver = if expect_answer {
            let (sender, receiver) = oneshot::channel();
            let mut waiting = self.waiting.lock().expect("not poisoned");
            if let Some(why) = &waiting.closed {
                return Err(why.clone().into());
            }
            // Registered before the request is written, so the answer
            // cannot arrive first.
            match id {
                Some(id) if waiting.by_id.contains_key(&id) => {
                    return Err(StreamClientError::DuplicateId(id));
                }
                Some(id) => {
                    waiting.by_id.insert(id, sender);
                }
                None => waiting.in_order.push_back((sender, turn)),
            }
            Some(receiver)
        } else {
            None
        };
        if let Err(e) = writer.send(body).await {
            let mut waiting = self.waiting.lock().expect("not poisoned");
            match id {
                Some(id) => {
                    waiting.by_id.remove(&id);
                }
                // Nobody registered after us: we still hold the writer.
                None if expect_answer => {
                    waiting.in_order.pop_back();
                }
                None => {}
            }
            return Err(StreamClientError::Io(e));
        }
        drop(writer);
        match receiver {
            None => Ok(Vec::new()),
            Some(receiver) => match receiver.await {
                Ok(Ok(answer)) => Ok(answer),
                Ok(Err(why)) => Err(why.into()),
                Err(_) => Err(StreamClientError::Closed("the reader stopped".to_owned())),
            },
        }
    }
}

/// Hands a notice to its subscription, if it is one: `true` when the body
/// was a notice (delivered or dropped), `false` for an answer. A
/// subscription whose reader is gone or lags by a whole queue is dropped:
/// its stream then ends.
fn route_notice(waiting: &mut Waiting, body: &[u8]) -> bool {
    let Some(notices) = waiting.notices else {
        return false;
    };
    let Some(subscription) = (notices.subscription_of)(body) else {
        return false;
    };
    if let Some(feed) = waiting.feeds.get(&subscription)
        && feed.try_send(body.to_vec()).is_err()
    {
        waiting.feeds.remove(&subscription);
    }
    true
}

/// Hands each answer to its waiting call until the connection ends.
async fn read_answers(
    mut inbound: impl Inbound,
    waiting: Arc<Mutex<Waiting>>,
    id_of: fn(&[u8]) -> Option<i64>,
) {
    let why = loop {
        match inbound.next().await {
            Ok(body) => {
                let mut waiting = waiting.lock().expect("not poisoned");
                let waiter = match id_of(&body) {
                    Some(id) => {
                        // A subscription's notices may follow its answer at
                        // once: they are routed from here on.
                        if let Some(feed) = waiting.subscribing.remove(&id)
                            && let Some(notices) = waiting.notices
                            && let Some(started) = (notices.started)(&body)
                        {
                            waiting.feeds.insert(started, feed);
                        }
                        waiting.by_id.remove(&id)
                    }
                    None if route_notice(&mut waiting, &body) => continue,
                    None => waiting.in_order.pop_front().map(|(waiter, _turn)| waiter),
                };
                if let Some(waiter) = waiter {
                    let _ = waiter.send(Ok(body.to_vec()));
                }
            }
            Err(why) => break why,
        }
    };
    waiting.lock().expect("not poisoned").fail_all(why);
    inbound.finish().await;
    // Nothing more is read: a server still sending fills its socket buffer
    // and stalls, and the connection closes when the client is dropped.
    drop(inbound);
}
