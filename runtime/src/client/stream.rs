//! [`StreamConnection`]: calls over TCP, a Unix socket or a child's stdio,
//! many in flight at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use super::{ClientError, Connection, Outgoing};
use crate::transport::Protocol;
use crate::transport::stream::StreamClient;
use crate::{Limits, LocalName};

/// A connection over a byte stream, with `Content-Length` framing. Calls
/// made concurrently share it: JSON-RPC answers are matched by id.
///
/// Answers are held to [`Limits`]: by default 16 MiB. A larger answer is
/// refused from its `Content-Length` header before anything is allocated for
/// it; the connection then closes and every call waiting on it fails with
/// [`ClientError::TooLarge`]. The `…_with` constructors take other limits.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use diglot::{Client, Protocol, StreamConnection};
///
/// let client = Client::new(StreamConnection::tcp("127.0.0.1:7070".parse()?, Protocol::JsonRpc).await?);
/// let sum: i32 = client.call("calc.add", &(1, 2)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct StreamConnection {
    client: Arc<StreamClient>,
    protocol: Protocol,
    /// Shared by clones, so that clients sharing the stream never reuse an id.
    next_id: Arc<AtomicI64>,
    limits: Limits,
}

impl StreamConnection {
    /// Connects over raw TCP.
    pub async fn tcp(addr: std::net::SocketAddr, protocol: Protocol) -> Result<Self, ClientError> {
        Self::tcp_with(addr, protocol, Limits::default()).await
    }

    /// Connects over raw TCP; answers are held to `limits`.
    pub async fn tcp_with(
        addr: std::net::SocketAddr,
        protocol: Protocol,
        limits: Limits,
    ) -> Result<Self, ClientError> {
        let client = StreamClient::connect_tcp(addr, crate::json::answer_id, limits.body_bytes())
            .await
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol, limits))
    }

    /// Connects to a local socket: a Unix socket path, `@name` for a Linux
    /// abstract name, or a named pipe on Windows.
    pub async fn local(name: &LocalName, protocol: Protocol) -> Result<Self, ClientError> {
        Self::local_with(name, protocol, Limits::default()).await
    }

    /// Connects to a local socket; answers are held to `limits`.
    pub async fn local_with(
        name: &LocalName,
        protocol: Protocol,
        limits: Limits,
    ) -> Result<Self, ClientError> {
        let client = StreamClient::connect_local(name, crate::json::answer_id, limits.body_bytes())
            .await
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol, limits))
    }

    /// Starts `command` and speaks to it over its stdin and stdout; the
    /// child is killed when the last clone of the connection is dropped.
    pub fn spawn(
        command: tokio::process::Command,
        protocol: Protocol,
    ) -> Result<Self, ClientError> {
        Self::spawn_with(command, protocol, Limits::default())
    }

    /// Starts `command` and speaks to it; answers are held to `limits`.
    pub fn spawn_with(
        command: tokio::process::Command,
        protocol: Protocol,
        limits: Limits,
    ) -> Result<Self, ClientError> {
        let client = StreamClient::spawn(command, crate::json::answer_id, limits.body_bytes())
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol, limits))
    }

    /// Also the body of a [`WebSocketConnection`](super::WebSocketConnection).
    pub(super) fn from_client(client: StreamClient, protocol: Protocol, limits: Limits) -> Self {
        StreamConnection {
            client: Arc::new(client),
            protocol,
            next_id: Arc::new(AtomicI64::new(1)),
            limits,
        }
    }
}

impl Connection for StreamConnection {
    fn protocol(&self) -> Protocol {
        self.protocol
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn next_id(&self) -> Option<i64> {
        Some(self.next_id.fetch_add(1, Ordering::Relaxed))
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        self.client
            .call(&request.body, request.id, request.expects_answer)
            .await
            .map_err(ClientError::from)
    }

    async fn subscribe(
        &self,
        request: Outgoing,
        notices: tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<Vec<u8>, ClientError> {
        let id = request.id.ok_or_else(|| {
            ClientError::InvalidOption("a subscribe call needs a JSON-RPC id".to_owned())
        })?;
        self.client
            .subscribe(&request.body, id, super::items::NOTICES, notices)
            .await
            .map_err(ClientError::from)
    }
}
