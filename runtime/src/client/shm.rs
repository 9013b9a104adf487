//! [`ShmConnection`]: calls over shared memory to a server on the same
//! machine (Linux), from async code or from plain threads.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Client, ClientError, Connection, Outgoing};
use crate::Limits;
use crate::transport::Protocol;
use crate::transport::shm::{ShmClient, TryCall};
use crate::{LocalName, ShmConfig};

/// A shared-memory connection to a server's [`shm`](crate::Server::shm)
/// endpoint, speaking one protocol.
///
/// Calls go one at a time per connection (clones share it); open one
/// connection per thread or task for calls in parallel. A connection that
/// subscribes ([`Client::subscribe`], a typed client's subscription
/// method) hands its memory to a thread of its own, which reads notices
/// and answers from then on; its later calls are queued for that thread. From async code, a
/// call spins briefly for a quick answer, then waits on tokio's blocking
/// pool. Without tokio, call
/// [`call_blocking`](Client::call_blocking) on a [`Client`], or drive the
/// typed client with [`block_on`](crate::block_on): outside a runtime, a
/// call completes on the calling thread.
///
/// ```no_run
/// # fn demo() -> Result<(), diglot::ClientError> {
/// use diglot::LocalName;
/// use diglot::{Client, Protocol, ShmConnection};
///
/// let name = LocalName::parse("/tmp/diglot-calculator.shm");
/// let client = Client::new(ShmConnection::connect_blocking(&name, Protocol::JsonRpc)?);
/// let sum: i32 = client.call_blocking("calc.add", &(1, 2))?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ShmConnection {
    client: Arc<ShmClient>,
    protocol: Protocol,
    limits: Limits,
}

impl ShmConnection {
    /// Connects to the server whose handshake socket is `name` (a path, or
    /// `@name` for a Linux abstract name), with the default
    /// [`ShmConfig`]: responses up to 16 MiB.
    pub async fn connect(name: &LocalName, protocol: Protocol) -> Result<Self, ClientError> {
        Self::connect_with(name, protocol, ShmConfig::default()).await
    }

    /// Connects with `config`; its body limit bounds the responses read.
    pub async fn connect_with(
        name: &LocalName,
        protocol: Protocol,
        config: ShmConfig,
    ) -> Result<Self, ClientError> {
        let name = name.clone();
        tokio::task::spawn_blocking(move || Self::connect_blocking_with(&name, protocol, config))
            .await
            .map_err(ClientError::from)?
    }

    /// Connects without a runtime, blocking the calling thread.
    pub fn connect_blocking(name: &LocalName, protocol: Protocol) -> Result<Self, ClientError> {
        Self::connect_blocking_with(name, protocol, ShmConfig::default())
    }

    /// Connects without a runtime, with `config`.
    pub fn connect_blocking_with(
        name: &LocalName,
        protocol: Protocol,
        config: ShmConfig,
    ) -> Result<Self, ClientError> {
        let client = ShmClient::connect(name, &config).map_err(ClientError::from)?;
        Ok(ShmConnection {
            client: Arc::new(client),
            protocol,
            limits: Limits::default().max_body_bytes(config.response_bytes()),
        })
    }

    /// Sends an encoded request and waits for the response body, on the
    /// calling thread.
    pub fn call_blocking(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.client.call(request).map_err(ClientError::from)
    }

    /// The connection underneath, with the server's credentials.
    pub fn shm_client(&self) -> &ShmClient {
        &self.client
    }
}

impl Connection for ShmConnection {
    fn protocol(&self) -> Protocol {
        self.protocol
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        // The server answers every request, a notification with an empty
        // body, so `expects_answer` changes nothing here.
        if tokio::runtime::Handle::try_current().is_err() {
            return self.call_blocking(&request.body);
        }
        // Inside a runtime, a call may spin briefly on this thread (a quick
        // answer comes back in a microsecond or two), but parks, and waits
        // for a busy connection, only on the blocking pool.
        let waited = match self
            .client
            .try_call(&request.body)
            .map_err(ClientError::from)?
        {
            TryCall::Done(response) => return Ok(response),
            TryCall::Queued(answer) => return answer.await.map_err(ClientError::from),
            TryCall::Pending(call) => tokio::task::spawn_blocking(move || call.finish()).await,
            TryCall::Busy => {
                let client = self.client.clone();
                tokio::task::spawn_blocking(move || client.call(&request.body)).await
            }
        };
        waited
            .map_err(ClientError::from)?
            .map_err(ClientError::from)
    }

    async fn subscribe(
        &self,
        request: Outgoing,
        notices: tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> Result<Vec<u8>, ClientError> {
        let client = self.client.clone();
        // Handing the connection to its reading thread waits for a call in
        // flight to finish: not on a runtime's worker.
        let answer = tokio::task::spawn_blocking(move || {
            client.subscribe(&request.body, super::items::NOTICES, notices)
        })
        .await
        .map_err(ClientError::from)?
        .map_err(ClientError::from)?;
        answer.await.map_err(ClientError::from)
    }
}

impl Client<ShmConnection> {
    /// Calls `method` with `params` on the calling thread, without a
    /// runtime, and decodes the result as `R`. See [`Client::call`].
    pub fn call_blocking<P, R>(&self, method: &str, params: &P) -> Result<R, ClientError>
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let call = self.prepare(method, params);
        let response = self.connection().call_blocking(&call.body?)?;
        self.decode(&response, call.id)
    }
}
