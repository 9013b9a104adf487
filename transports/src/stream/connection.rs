//! One stream connection: tell its framing, then answer frames until the
//! peer leaves, a frame is bad, or the server stops.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use futures_util::future::Either;
use futures_util::stream::{FuturesUnordered, SelectAll};
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::StreamConfig;
use super::frames::{Frame, FrameError, FrameReader, Framing, write_frame};
use crate::listen::{Activity, StopSignal};
use crate::seam::Caller;
use crate::{Feed, Handler, Message, Protocol, Reply, Session};

/// Who is on the other end, for the handler.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub(crate) transport: &'static str,
    pub(crate) caller: Caller,
}

impl Origin {
    /// A frame's body as the handler sees it.
    pub(crate) fn message<'b>(&self, body: &'b [u8], protocol: Option<Protocol>) -> Message<'b> {
        Message::new(body, self.transport)
            .protocol(protocol)
            .peer(self.caller.peer)
            .remote(self.caller.remote)
            .process(self.caller.process)
    }
}

/// What a connection watches to know when to end: the server's stop, and
/// the limiter asking it to make room while it is idle.
pub(crate) struct Watch {
    pub(crate) stop: StopSignal,
    pub(crate) activity: Arc<Activity>,
}

/// A call a connection thread started that was not ready at its first
/// poll: the task that takes the connection over finishes it.
pub(crate) type PendingCall = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// Where [`serve_frames`] takes a connection up: fresh, or from a
/// connection thread that handed it over with its session, the call it
/// could not finish at once and the feeds its calls started.
pub(crate) struct Resume {
    pub(crate) session: Session,
    pub(crate) pending: Option<PendingCall>,
    pub(crate) feeds: Vec<Feed>,
}

impl Resume {
    /// A connection that has answered nothing yet.
    pub(crate) fn fresh() -> Self {
        Resume {
            session: Session::next(),
            pending: None,
            feeds: Vec::new(),
        }
    }
}

/// Serves a full-duplex connection (a socket).
pub(crate) async fn serve_connection<IO, H>(
    io: IO,
    handler: Arc<H>,
    config: Arc<StreamConfig>,
    origin: Origin,
    watch: Watch,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    // Idle until it has sent something: it may be closed to make room.
    watch.activity.set_idle(true);
    let (read, write) = tokio::io::split(io);
    let mut reader =
        FrameReader::new(read, handler.max_body_bytes()).with_frame_timeout(config.frame_timeout);
    let framing = tokio::select! {
        framing = detect(&mut reader, &config) => framing,
        () = watch.activity.evicted() => None,
    };
    let Some(framing) = framing else {
        return;
    };
    if framing == Framing::Http {
        let (prefix, read) = reader.into_parts();
        let io = Prefixed::new(prefix, read.unsplit(write));
        serve_http(io, handler, &config, origin, watch).await;
        return;
    }
    let resume = Resume::fresh();
    serve_frames(
        reader, write, framing, handler, &config, origin, watch, resume,
    )
    .await;
}

/// A connection whose first bytes were an HTTP request, served by the HTTP
/// transport (`curl --unix-socket`); without it, the connection is closed.
#[cfg_attr(not(feature = "http"), allow(clippy::unused_async))]
pub(crate) async fn serve_http<IO, H>(
    io: IO,
    handler: Arc<H>,
    config: &StreamConfig,
    origin: Origin,
    watch: Watch,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    #[cfg(feature = "http")]
    crate::http::serve_io(
        io,
        handler,
        Arc::new(config.http.clone()),
        origin.transport,
        origin.caller,
        watch.stop,
        watch.activity,
    )
    .await;
    #[cfg(not(feature = "http"))]
    {
        let _ = (io, handler, config, watch);
        tracing::debug!(
            transport = origin.transport,
            "closing a connection that speaks HTTP: built without the http feature"
        );
    }
}

/// Waits for the first bytes to show the framing.
pub(crate) async fn detect<R: AsyncRead + Unpin>(
    reader: &mut FrameReader<R>,
    config: &StreamConfig,
) -> Option<Framing> {
    match tokio::time::timeout(config.first_byte_timeout, reader.detect()).await {
        Ok(Ok(Some(framing))) => Some(framing),
        _ => None,
    }
}

/// Reads frames and answers them, several at once; writes what the feeds
/// the answers started yield, interleaved with later answers.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve_frames<R, W, H>(
    mut reader: FrameReader<R>,
    mut writer: W,
    framing: Framing,
    handler: Arc<H>,
    config: &StreamConfig,
    origin: Origin,
    watch: Watch,
    resume: Resume,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
    H: Handler,
{
    let Watch { mut stop, activity } = watch;
    // This connection carries feeds: a call may start one.
    let session = Some(resume.session);
    // Calls read here, and the one a connection thread handed over.
    let mut in_flight = FuturesUnordered::new();
    if let Some(pending) = resume.pending {
        in_flight.push(Either::Right(pending));
    }
    let mut feeds = SelectAll::<Feed>::new();
    feeds.extend(resume.feeds);
    let mut out = Vec::with_capacity(256);
    let mut reading = !stop.is_stopped();
    loop {
        // Feeds end with the calls: a stop or a closed input ends the
        // connection once every call read is answered.
        if !reading && in_flight.is_empty() {
            break;
        }
        // Between calls, with nothing of the next one read and nothing to
        // push, the connection may be closed to make room for a new one.
        let idle = in_flight.is_empty() && reader.is_idle() && feeds.is_empty();
        activity.set_idle(idle);
        tokio::select! {
            biased;
            Some(reply) = in_flight.next(), if !in_flight.is_empty() => {
                // Every other answer ready now leaves in the same write.
                out.clear();
                append(framing, reply, &mut out, &mut feeds);
                while let Some(Some(reply)) = in_flight.next().now_or_never() {
                    append(framing, reply, &mut out, &mut feeds);
                }
                if send(&mut writer, &out, config.write_timeout).await.is_err() {
                    return;
                }
            }
            Some(body) = feeds.next(), if !feeds.is_empty() => {
                out.clear();
                write_frame(framing, &body, &mut out);
                while let Some(Some(body)) = feeds.next().now_or_never() {
                    write_frame(framing, &body, &mut out);
                }
                if send(&mut writer, &out, config.write_timeout).await.is_err() {
                    return;
                }
            }
            frame = reader.next(framing), if reading && in_flight.len() < config.max_in_flight => {
                // Frames that came in the same read join before any answer
                // is written.
                let mut next = Some(frame);
                while let Some(frame) = next.take() {
                    match frame {
                        Ok(Some(frame)) if is_xml(&frame) => {
                            // XML-RPC has no id: answer it after everything
                            // before it, and before anything after it.
                            while let Some(reply) = in_flight.next().await {
                                out.clear();
                                append(framing, reply, &mut out, &mut feeds);
                                if send(&mut writer, &out, config.write_timeout).await.is_err() {
                                    return;
                                }
                            }
                            let reply = answer(handler.clone(), frame, origin, session).await;
                            out.clear();
                            append(framing, reply, &mut out, &mut feeds);
                            if send(&mut writer, &out, config.write_timeout).await.is_err() {
                                return;
                            }
                        }
                        Ok(Some(frame)) => {
                            in_flight.push(Either::Left(answer(
                                handler.clone(),
                                frame,
                                origin,
                                session,
                            )));
                        }
                        Ok(None) => reading = false,
                        Err(error) => {
                            reading = false;
                            if let Some(refused) = refusal(&*handler, &error, origin) {
                                // The calls before the bad bytes are answered first.
                                out.clear();
                                while let Some(reply) = in_flight.next().await {
                                    append(framing, reply, &mut out, &mut feeds);
                                }
                                append(framing, refused, &mut out, &mut feeds);
                                let _ = send(&mut writer, &out, config.write_timeout).await;
                            }
                        }
                    }
                    if reading && in_flight.len() < config.max_in_flight {
                        next = reader.buffered(framing).transpose().map(|f| f.map(Some));
                    }
                }
            }
            () = stop.stopped(), if reading => {
                reading = false;
            }
            () = activity.evicted(), if reading && idle => {
                reading = false;
            }
        }
    }
    let _ = writer.shutdown().await;
}

pub(crate) fn is_xml(frame: &Frame) -> bool {
    frame
        .protocol
        .or_else(|| Protocol::sniff(&frame.body))
        .is_some_and(|p| p == Protocol::XmlRpc)
}

/// Runs the handler on one frame.
pub(crate) async fn answer<H: Handler>(
    handler: Arc<H>,
    frame: Frame,
    origin: Origin,
    session: Option<Session>,
) -> Reply {
    let message = origin.message(&frame.body, frame.protocol).session(session);
    handler.handle(message).await
}

/// The handler's answer to bytes that are no frame, or a frame too large,
/// sent before the connection closes; `None` when the stream itself failed.
pub(crate) fn refusal<H: Handler>(
    handler: &H,
    error: &FrameError,
    origin: Origin,
) -> Option<Reply> {
    let refusal = error.refusal(handler.max_body_bytes())?;
    tracing::debug!(
        ?refusal,
        transport = origin.transport,
        "closing a connection"
    );
    Some(handler.refuse(refusal, None))
}

/// Appends a reply in the connection's framing (a notification's empty
/// reply adds nothing); the feeds it started are read from now on, so
/// their first items follow it.
fn append(framing: Framing, reply: Reply, out: &mut Vec<u8>, feeds: &mut SelectAll<Feed>) {
    if !reply.body.is_empty() {
        write_frame(framing, &reply.body, out);
    }
    feeds.extend(reply.feeds);
}

/// Writes what [`append`] gathered, if anything, within `limit`: a peer
/// that does not read its answers is cut off.
async fn send<W: AsyncWrite + Unpin>(
    writer: &mut W,
    out: &[u8],
    limit: Duration,
) -> io::Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    let written = async {
        writer.write_all(out).await?;
        writer.flush().await
    };
    tokio::time::timeout(limit, written).await.map_err(|_| {
        io::Error::new(
            io::ErrorKind::TimedOut,
            "the peer does not read its answers",
        )
    })?
}

/// A stream whose first bytes were already read: they are replayed before
/// the rest.
pub(crate) struct Prefixed<IO> {
    prefix: Bytes,
    io: IO,
}

impl<IO> Prefixed<IO> {
    pub(crate) fn new(prefix: Bytes, io: IO) -> Self {
        Prefixed { prefix, io }
    }
}

impl<IO: AsyncRead + Unpin> AsyncRead for Prefixed<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if !self.prefix.is_empty() {
            let n = self.prefix.len().min(buf.remaining());
            buf.put_slice(&self.prefix[..n]);
            self.prefix.advance(n);
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Prefixed<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
