//! [`StreamConnection`]: calls over TCP, a Unix socket or a child's stdio,
//! many in flight at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use super::{ClientError, Connection, Outgoing};
use crate::LocalName;
use crate::transport::Protocol;
use crate::transport::stream::StreamClient;

/// A connection over a byte stream, with `Content-Length` framing. Calls
/// made concurrently share it: JSON-RPC answers are matched by id.
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
}

impl StreamConnection {
    /// Connects over raw TCP.
    pub async fn tcp(addr: std::net::SocketAddr, protocol: Protocol) -> Result<Self, ClientError> {
        let client = StreamClient::connect_tcp(addr, crate::json::answer_id)
            .await
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol))
    }

    /// Connects to a local socket: a Unix socket path, `@name` for a Linux
    /// abstract name, or a named pipe on Windows.
    pub async fn local(name: &LocalName, protocol: Protocol) -> Result<Self, ClientError> {
        let client = StreamClient::connect_local(name, crate::json::answer_id)
            .await
            .map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol))
    }

    /// Starts `command` and speaks to it over its stdin and stdout; the
    /// child is killed when the last clone of the connection is dropped.
    pub fn spawn(
        command: tokio::process::Command,
        protocol: Protocol,
    ) -> Result<Self, ClientError> {
        let client =
            StreamClient::spawn(command, crate::json::answer_id).map_err(ClientError::from)?;
        Ok(Self::from_client(client, protocol))
    }

    fn from_client(client: StreamClient, protocol: Protocol) -> Self {
        StreamConnection {
            client: Arc::new(client),
            protocol,
            next_id: Arc::new(AtomicI64::new(1)),
        }
    }
}

impl Connection for StreamConnection {
    fn protocol(&self) -> Protocol {
        self.protocol
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
}
