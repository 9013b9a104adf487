//! WebSocket on the RPC path: an upgrade of a `GET`, then calls in either
//! protocol as messages, answers and feeds (subscriptions) as text messages.
//!
//! The framing, masking, pings, pongs and close frames are tungstenite's;
//! this module answers the upgrade and runs the session: like a stream
//! connection, several calls at once, feeds interleaved with answers.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{FuturesUnordered, SelectAll};
use futures_util::{FutureExt as _, SinkExt as _, StreamExt as _};
use http::header::{self, HeaderMap, HeaderValue};
use http::{Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};

use crate::listen::{Activity, StopSignal};
use crate::seam::Caller;
use crate::{Feed, Handler, Message, Reply, Session};

/// How often the server pings a WebSocket client; one that sends nothing
/// (not even the pong) for two intervals is closed.
pub(crate) const PING_INTERVAL: Duration = Duration::from_secs(30);

/// Calls one WebSocket connection answers at once.
const MAX_IN_FLIGHT: usize = 64;

/// The most messages written together before a flush.
const MAX_BATCH: usize = 64;

/// Whether `headers` ask to upgrade to WebSocket.
pub(super) fn is_upgrade(headers: &HeaderMap) -> bool {
    let has_token = |name: header::HeaderName, token: &str| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    };
    has_token(header::CONNECTION, "upgrade") && has_token(header::UPGRADE, "websocket")
}

/// What a session needs once the connection is upgraded.
pub(super) struct Upgrade<H> {
    pub(super) handler: Arc<H>,
    pub(super) transport: &'static str,
    pub(super) caller: Caller,
    pub(super) head: Arc<http::request::Parts>,
    pub(super) write_timeout: Duration,
}

/// Where a session runs: the server's connection task (so that a stop
/// reaches it and the drain waits for it), or a task of its own under an
/// axum router.
pub(crate) type Sessions =
    Arc<dyn Fn(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) + Send + Sync>;

/// What a session watches: the server's stop, and the limiter asking it to
/// make room while it is idle. A session under an axum router has neither.
#[derive(Clone, Default)]
pub(crate) struct Watch {
    pub(crate) stop: Option<StopSignal>,
    pub(crate) activity: Option<Arc<Activity>>,
}

/// Answers an upgrade request with `101 Switching Protocols` and hands the
/// session to `sessions`; a malformed one is `400`.
pub(super) fn accept<H: Handler>(
    mut request: http::Request<()>,
    upgrade: impl FnOnce(http::request::Parts) -> Upgrade<H>,
    sessions: &Sessions,
    watch: Watch,
) -> Response<Full<Bytes>> {
    let headers = request.headers();
    let version_ok = headers
        .get(header::SEC_WEBSOCKET_VERSION)
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = headers.get(header::SEC_WEBSOCKET_KEY).cloned() else {
        return super::respond::status(StatusCode::BAD_REQUEST, "Sec-WebSocket-Key is missing\n");
    };
    if !version_ok {
        let mut response = super::respond::status(
            StatusCode::UPGRADE_REQUIRED,
            "only WebSocket version 13 is spoken\n",
        );
        response.headers_mut().insert(
            header::SEC_WEBSOCKET_VERSION,
            HeaderValue::from_static("13"),
        );
        return response;
    }
    let on_upgrade = hyper::upgrade::on(&mut request);
    let (parts, ()) = request.into_parts();
    let upgrade = upgrade(parts);
    sessions(Box::pin(async move {
        match on_upgrade.await {
            Ok(upgraded) => session(TokioIo::new(upgraded), upgrade, watch).await,
            Err(e) => tracing::debug!(error = %e, "WebSocket upgrade failed"),
        }
    }));
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
    headers.insert(header::UPGRADE, HeaderValue::from_static("websocket"));
    if let Ok(accept) = HeaderValue::from_str(&accept) {
        headers.insert(header::SEC_WEBSOCKET_ACCEPT, accept);
    }
    response
}

/// Serves one WebSocket connection until the client closes it, it goes
/// silent, a write times out, or the server stops.
async fn session<IO, H>(io: IO, upgrade: Upgrade<H>, watch: Watch)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send,
    H: Handler,
{
    let limit = upgrade.handler.max_body_bytes();
    let config = WebSocketConfig::default()
        .max_message_size(Some(limit))
        .max_frame_size(Some(limit));
    let mut ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
    let session = Session::next();
    let mut in_flight = FuturesUnordered::new();
    let mut feeds = SelectAll::<Feed>::new();
    let mut ping = tokio::time::interval(PING_INTERVAL);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard = tokio::time::Instant::now();
    let Watch { stop, activity } = watch;
    let stopped = async {
        match stop {
            Some(mut stop) => stop.stopped().await,
            None => std::future::pending().await,
        }
    };
    let mut stopped = std::pin::pin!(stopped);
    let evicted = async {
        match &activity {
            Some(activity) => activity.evicted().await,
            None => std::future::pending().await,
        }
    };
    let mut evicted = std::pin::pin!(evicted);
    let close = loop {
        let idle = in_flight.is_empty() && feeds.is_empty();
        if let Some(activity) = &activity {
            activity.set_idle(idle);
        }
        let outgoing = tokio::select! {
            biased;
            Some(reply) = in_flight.next(), if !in_flight.is_empty() => {
                let reply: Reply = reply;
                feeds.extend(reply.feeds);
                (!reply.body.is_empty()).then_some(reply.body)
            }
            Some(body) = feeds.next(), if !feeds.is_empty() => Some(body),
            incoming = ws.next(), if in_flight.len() < MAX_IN_FLIGHT => {
                heard = tokio::time::Instant::now();
                match incoming {
                    Some(Ok(WsMessage::Text(text))) => {
                        in_flight.push(answer(&upgrade, session, Bytes::from(text)));
                        None
                    }
                    Some(Ok(WsMessage::Binary(body))) => {
                        in_flight.push(answer(&upgrade, session, body));
                        None
                    }
                    // Pings are answered by tungstenite on the next write.
                    Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => None,
                    // tungstenite has queued the close frame that answers it.
                    Some(Ok(WsMessage::Close(_))) => break None,
                    None => return,
                    Some(Err(WsError::Capacity(_))) => break Some(CloseCode::Size),
                    Some(Err(e)) => {
                        tracing::debug!(error = %e, "WebSocket connection failed");
                        return;
                    }
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > 2 * PING_INTERVAL {
                    break Some(CloseCode::Away);
                }
                let ping = async { ws.send(WsMessage::Ping(Bytes::new())).await };
                if !matches!(tokio::time::timeout(upgrade.write_timeout, ping).await, Ok(Ok(()))) {
                    return;
                }
                None
            }
            () = &mut stopped => break Some(CloseCode::Away),
            () = &mut evicted, if idle => break Some(CloseCode::Away),
        };
        if let Some(body) = outgoing {
            // Every other answer and notice ready now leaves in the same
            // write.
            let mut batch = vec![body];
            while batch.len() < MAX_BATCH {
                if let Some(Some(reply)) = in_flight.next().now_or_never() {
                    let reply: Reply = reply;
                    feeds.extend(reply.feeds);
                    if !reply.body.is_empty() {
                        batch.push(reply.body);
                    }
                } else if let Some(Some(body)) = feeds.next().now_or_never() {
                    batch.push(body);
                } else {
                    break;
                }
            }
            if send(&mut ws, batch, upgrade.write_timeout).await.is_err() {
                return;
            }
        }
    };
    let ending = async {
        match close {
            None => ws.flush().await,
            Some(code) => {
                let reason = match code {
                    CloseCode::Size => "message larger than the server's limit",
                    _ => "the server is going away",
                };
                ws.close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                }))
                .await
            }
        }
    };
    let _ = tokio::time::timeout(upgrade.write_timeout, ending).await;
}

/// Runs the handler on one message's body.
async fn answer<H: Handler>(upgrade: &Upgrade<H>, session: Session, body: Bytes) -> Reply {
    let message = Message::new(&body, upgrade.transport)
        .peer(upgrade.caller.peer)
        .remote(upgrade.caller.remote)
        .process(upgrade.caller.process)
        .http(upgrade.head.clone())
        .session(Some(session));
    upgrade.handler.handle(message).await
}

/// Sends bodies as text messages (binary if one is not UTF-8), flushed
/// once, within `limit`: a client that does not read is cut off.
async fn send<IO>(
    ws: &mut WebSocketStream<IO>,
    bodies: Vec<Vec<u8>>,
    limit: Duration,
) -> Result<(), ()>
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let sent = async {
        for body in bodies {
            let message = match String::from_utf8(body) {
                Ok(text) => WsMessage::text(text),
                Err(e) => WsMessage::Binary(Bytes::from(e.into_bytes())),
            };
            ws.feed(message).await?;
        }
        ws.flush().await
    };
    match tokio::time::timeout(limit, sent).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}
