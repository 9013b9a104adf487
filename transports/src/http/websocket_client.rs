//! The client side of WebSocket: a [`StreamClient`] whose requests and
//! answers are messages instead of `Content-Length` frames
//! ([`StreamClient::websocket`]).
//!
//! tungstenite does the framing, masking, pings and close frames; the
//! stream client matches answers to calls and routes notices as it does on
//! any stream.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt as _, StreamExt as _};
use http::Uri;
use http::header::{self, HeaderValue};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message as WsMessage};

use crate::stream::{Ended, Inbound, Outbound, StreamClient, StreamClientError};

#[cfg(feature = "tls")]
use super::TlsRoots as Roots;
/// Without `tls` there are no roots to pass.
#[cfg(not(feature = "tls"))]
pub(crate) enum Roots {}

/// How long a closing connection waits on the close handshake: the
/// client's close frame going out, or the server's end of the socket.
const CLOSE_WAIT: Duration = Duration::from_secs(1);

/// Connects to `url` and upgrades; `roots`, for `wss://`, replaces the
/// system's.
pub(crate) async fn connect(
    url: &str,
    roots: Option<&Roots>,
    id_of: fn(&[u8]) -> Option<i64>,
    max_body_bytes: usize,
) -> Result<StreamClient, StreamClientError> {
    let target = Target::parse(url)?;
    let tcp = tokio::net::TcpStream::connect((target.host.as_str(), target.port))
        .await
        .map_err(StreamClientError::Io)?;
    tcp.set_nodelay(true).map_err(StreamClientError::Io)?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(max_body_bytes))
        .max_frame_size(Some(max_body_bytes));
    #[cfg(feature = "tls")]
    if target.secure {
        let tls = tls_connect(tcp, &target.host, roots).await?;
        let ws = handshake(target.request, tls, config).await?;
        return Ok(start(ws, id_of, max_body_bytes));
    }
    #[cfg(not(feature = "tls"))]
    let _ = roots;
    let ws = handshake(target.request, tcp, config).await?;
    Ok(start(ws, id_of, max_body_bytes))
}

/// Where a URL points, and the upgrade request to send there.
struct Target {
    host: String,
    port: u16,
    #[cfg(feature = "tls")]
    secure: bool,
    request: Request,
}

impl Target {
    fn parse(url: &str) -> Result<Target, StreamClientError> {
        let invalid = StreamClientError::InvalidUrl;
        let uri: Uri = url
            .parse()
            .map_err(|e: http::uri::InvalidUri| invalid(e.to_string()))?;
        let expected = if cfg!(feature = "tls") {
            "expected ws[s]://host[:port]/path"
        } else {
            "expected ws://host[:port]/path (wss needs the `tls` feature)"
        };
        let secure = match uri.scheme_str() {
            Some("ws") => false,
            Some("wss") if cfg!(feature = "tls") => true,
            _ => return Err(invalid(expected.to_owned())),
        };
        let Some(host) = uri.host() else {
            return Err(invalid(expected.to_owned()));
        };
        // Connecting and TLS take an IPv6 address without its brackets.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
        let (uri, authorization) =
            super::client::split_credentials(uri).map_err(|e| invalid(e.to_string()))?;
        let mut request = uri
            .into_client_request()
            .map_err(|e| invalid(e.to_string()))?;
        let headers = request.headers_mut();
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("diglot/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(authorization) = authorization {
            headers.insert(header::AUTHORIZATION, authorization);
        }
        Ok(Target {
            host,
            port,
            #[cfg(feature = "tls")]
            secure,
            request,
        })
    }
}

#[cfg(feature = "tls")]
async fn tls_connect(
    tcp: tokio::net::TcpStream,
    host: &str,
    roots: Option<&Roots>,
) -> Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>, StreamClientError> {
    use std::sync::Arc;
    let config = match roots {
        Some(roots) => roots.client_config(),
        None => Roots::system().and_then(|roots| roots.client_config()),
    }
    .map_err(StreamClientError::Io)?;
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| StreamClientError::InvalidUrl(format!("{host}: {e}")))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(StreamClientError::Io)
}

/// The HTTP upgrade.
async fn handshake<S>(
    request: Request,
    stream: S,
    config: WebSocketConfig,
) -> Result<WebSocketStream<S>, StreamClientError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    match tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await {
        Ok((ws, _response)) => Ok(ws),
        Err(WsError::Http(response)) => Err(StreamClientError::UpgradeRefused {
            status: response.status().as_u16(),
        }),
        Err(WsError::Io(e)) => Err(StreamClientError::Io(e)),
        Err(e) => Err(StreamClientError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the WebSocket upgrade failed: {e}"),
        ))),
    }
}

fn start<S>(
    ws: WebSocketStream<S>,
    id_of: fn(&[u8]) -> Option<i64>,
    max_body_bytes: usize,
) -> StreamClient
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (sink, stream) = ws.split();
    let receiver = Receiver {
        stream,
        limit: max_body_bytes,
    };
    // The server answers each message as it finishes.
    let sender = Box::new(Sender { sink: Some(sink) });
    StreamClient::from_parts(sender, receiver, id_of, false)
}

/// Requests, one message each: text, or binary for a body that is not
/// UTF-8.
// Bounded here for the `Drop` impl, which closes from a task.
struct Sender<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    /// Taken on drop, to close from a task.
    sink: Option<SplitSink<WebSocketStream<S>, WsMessage>>,
}

impl<S> Outbound for Sender<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    fn send<'a>(
        &'a mut self,
        body: &'a [u8],
    ) -> Pin<Box<dyn Future<Output = io::Result<()>> + Send + 'a>> {
        let message = match std::str::from_utf8(body) {
            Ok(text) => WsMessage::text(text),
            Err(_) => WsMessage::Binary(Bytes::copy_from_slice(body)),
        };
        Box::pin(async move {
            let Some(sink) = &mut self.sink else {
                return Err(io::ErrorKind::NotConnected.into());
            };
            sink.send(message).await.map_err(|e| match e {
                WsError::Io(e) => e,
                other => io::Error::other(other),
            })
        })
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Sender<S> {
    fn drop(&mut self) {
        // Without a runtime the socket just closes, with no close frame.
        if let Some(mut sink) = self.sink.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                let close = WsMessage::Close(Some(CloseFrame {
                    code: CloseCode::Normal,
                    reason: "".into(),
                }));
                let _ = tokio::time::timeout(CLOSE_WAIT, sink.send(close)).await;
            });
        }
    }
}

/// Answers and notices, one message each.
struct Receiver<S> {
    stream: SplitStream<WebSocketStream<S>>,
    limit: usize,
}

impl<S> Inbound for Receiver<S>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    async fn next(&mut self) -> Result<Bytes, Ended> {
        loop {
            let why = match self.stream.next().await {
                Some(Ok(WsMessage::Text(text))) => return Ok(Bytes::from(text)),
                Some(Ok(WsMessage::Binary(body))) => return Ok(body),
                // tungstenite queues the pong, and every read starts by
                // writing what is queued: the next turn sends it.
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => {
                    continue;
                }
                Some(Ok(WsMessage::Close(Some(frame)))) => format!(
                    "the server closed the WebSocket (code {}{}{})",
                    u16::from(frame.code),
                    if frame.reason.is_empty() { "" } else { ": " },
                    frame.reason
                ),
                Some(Ok(WsMessage::Close(None))) => "the server closed the WebSocket".to_owned(),
                None => "the server closed the connection".to_owned(),
                Some(Err(WsError::Capacity(_))) => {
                    return Err(Ended::TooLarge { limit: self.limit });
                }
                Some(Err(e)) => format!("the WebSocket failed: {e}"),
            };
            return Err(Ended::Closed(why));
        }
    }

    async fn finish(&mut self) {
        // After the server's close frame, this read writes the close frame
        // tungstenite queued in answer, then sees the server hang up.
        let _ = tokio::time::timeout(CLOSE_WAIT, self.stream.next()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_read_with_their_defaults_and_credentials() {
        let target = Target::parse("ws://ann:s3cret@127.0.0.1/RPC2").unwrap();
        assert_eq!((target.host.as_str(), target.port), ("127.0.0.1", 80));
        assert_eq!(target.request.uri().to_string(), "ws://127.0.0.1/RPC2");
        assert_eq!(
            target.request.headers()[header::AUTHORIZATION],
            "Basic YW5uOnMzY3JldA=="
        );
        let target = Target::parse("ws://[::1]:9000/").unwrap();
        assert_eq!((target.host.as_str(), target.port), ("::1", 9000));
        for bad in ["http://127.0.0.1/RPC2", "ws:///RPC2", "127.0.0.1:80"] {
            assert!(
                matches!(Target::parse(bad), Err(StreamClientError::InvalidUrl(_))),
                "{bad}"
            );
        }
        let wss = Target::parse("wss://example.com/RPC2");
        #[cfg(feature = "tls")]
        {
            let wss = wss.unwrap();
            assert!(wss.secure);
            assert_eq!(wss.port, 443);
        }
        #[cfg(not(feature = "tls"))]
        assert!(wss.is_err());
    }
}
