//! [`WebSocketConnection`]: calls and subscriptions over WebSocket, on a
//! server's HTTP port.

use super::{ClientError, Connection, Outgoing, StreamConnection};
use crate::Limits;
use crate::transport::Protocol;
use crate::transport::stream::StreamClient;

/// A connection to a server's HTTP endpoint upgraded to WebSocket
/// (`ws://host:port/path`): one request or answer per message, many calls
/// in flight at once (JSON-RPC answers are matched by id; XML-RPC calls,
/// which have none, go one at a time), and subscriptions — the typed
/// client's subscription methods work over it.
///
/// It behaves as a [`StreamConnection`] does: the server's pings are
/// answered; a close frame from the server ends the connection and fails
/// every waiting call with [`ClientError::Closed`]; an answer over
/// [`Limits`] (16 MiB by default) is refused from its frame header and
/// fails them with [`ClientError::TooLarge`]. Dropping the last clone sends
/// a close frame and closes the socket. `user:password@` before the host
/// is sent as basic authentication. With the `tls` feature, `wss://` URLs
/// trust the system's roots, or only the ones given to
/// `connect_with_roots`.
///
/// ```no_run
/// # async fn demo() -> Result<(), diglot::ClientError> {
/// use diglot::{Client, Protocol, WebSocketConnection};
///
/// let connection = WebSocketConnection::connect("ws://127.0.0.1:8080/RPC2", Protocol::JsonRpc).await?;
/// let sum: i32 = Client::new(connection).call("calc.add", &(1, 2)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct WebSocketConnection {
    /// Everything but the connecting is a stream connection's.
    inner: StreamConnection,
}

impl WebSocketConnection {
    /// Connects to `url` and upgrades to WebSocket. A server that answers
    /// the upgrade with a status instead (a wrong path, WebSocket turned
    /// off) fails with [`ClientError::HttpStatus`].
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), diglot::ClientError> {
    /// use diglot::{Protocol, WebSocketConnection};
    ///
    /// let connection = WebSocketConnection::connect("ws://127.0.0.1:8080/RPC2", Protocol::XmlRpc).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(url: &str, protocol: Protocol) -> Result<Self, ClientError> {
        Self::connect_with(url, protocol, Limits::default()).await
    }

    /// Connects to `url`; answers are held to `limits`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), diglot::ClientError> {
    /// use diglot::{Limits, Protocol, WebSocketConnection};
    ///
    /// let limits = Limits::default().max_body_bytes(1 << 20);
    /// let connection =
    ///     WebSocketConnection::connect_with("ws://127.0.0.1:8080/RPC2", Protocol::JsonRpc, limits).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_with(
        url: &str,
        protocol: Protocol,
        limits: Limits,
    ) -> Result<Self, ClientError> {
        let client = StreamClient::websocket(url, crate::json::answer_id, limits.body_bytes())
            .await
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol, limits))
    }

    /// Connects to `url` (`wss://…`), trusting only `roots` for TLS — a
    /// private CA, or a server's self-signed certificate; answers are held
    /// to `limits`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use diglot::{Limits, Protocol, TlsRoots, WebSocketConnection};
    ///
    /// let roots = TlsRoots::from_pem(&std::fs::read("ca.pem")?)?;
    /// let connection = WebSocketConnection::connect_with_roots(
    ///     "wss://rpc.internal/RPC2",
    ///     Protocol::JsonRpc,
    ///     Limits::default(),
    ///     &roots,
    /// )
    /// .await?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub async fn connect_with_roots(
        url: &str,
        protocol: Protocol,
        limits: Limits,
        roots: &crate::TlsRoots,
    ) -> Result<Self, ClientError> {
        let client = StreamClient::websocket_with_roots(
            url,
            roots,
            crate::json::answer_id,
            limits.body_bytes(),
        )
        .await
        .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol, limits))
    }

    fn from_client(client: StreamClient, protocol: Protocol, limits: Limits) -> Self {
        WebSocketConnection {
            inner: StreamConnection::from_client(client, protocol, limits),
        }
    }
}

impl Connection for WebSocketConnection {
    fn protocol(&self) -> Protocol {
        self.inner.protocol()
    }

    fn limits(&self) -> Limits {
        self.inner.limits()
    }

    fn next_id(&self) -> Option<i64> {
        self.inner.next_id()
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        self.inner.exchange(request).await
    }

    async fn subscribe(
        &self,
        request: Outgoing,
        notices: tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<Vec<u8>, ClientError> {
        self.inner.subscribe(request, notices).await
    }
}
