//! [`ShmConnection`]: calls over shared memory to a server on the same
//! machine (Linux), from async code or from plain threads.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{Client, ClientError, Connection, Outgoing};
use crate::Limits;
use crate::transport::Protocol;
use crate::transport::shm::{ShmClient, ShmConfig, TryCall};
use crate::transport::stream::LocalName;

/// A shared-memory connection to a server's [`shm`](crate::Server::shm)
/// endpoint, speaking one protocol.
///
/// Calls go one at a time per connection (clones share it); open one
/// connection per thread or task for calls in parallel. From async code, a
/// call spins briefly for a quick answer, then waits on tokio's blocking
/// pool. Without tokio, call
/// [`call_blocking`](Client::call_blocking) on a [`Client`], or drive the
/// typed client with [`block_on`](Self::block_on): outside a runtime, a
/// call completes on the calling thread.
///
/// ```no_run
/// # fn demo() -> Result<(), diglot::ClientError> {
/// use diglot::transport::stream::LocalName;
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

fn transport(e: impl std::error::Error + Send + Sync + 'static) -> ClientError {
    ClientError::Transport(Box::new(e))
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
            .map_err(transport)?
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
        let client = ShmClient::connect(name, &config).map_err(transport)?;
        Ok(ShmConnection {
            client: Arc::new(client),
            protocol,
            limits: Limits::default().max_body_bytes(config.body_bytes()),
        })
    }

    /// Sends an encoded request and waits for the response body, on the
    /// calling thread.
    pub fn call_blocking(&self, request: &[u8]) -> Result<Vec<u8>, ClientError> {
        self.client.call(request).map_err(transport)
    }

    /// The connection underneath, with the server's credentials.
    pub fn shm_client(&self) -> &ShmClient {
        &self.client
    }

    /// Runs `future` to completion on the calling thread, without a
    /// runtime: enough to use a typed client over shared memory from code
    /// without tokio, since outside a runtime each call completes on the
    /// thread that makes it.
    ///
    /// ```no_run
    /// # #[diglot::rpc(namespace = "calc")]
    /// # trait Calculator { fn add(&self, a: i32, b: i32) -> i32; }
    /// # fn demo() -> Result<(), diglot::ClientError> {
    /// use diglot::transport::stream::LocalName;
    /// use diglot::{Protocol, ShmConnection};
    ///
    /// let name = LocalName::parse("/tmp/diglot-calculator.shm");
    /// let calc = CalculatorClient::new(ShmConnection::connect_blocking(&name, Protocol::XmlRpc)?);
    /// let sum = ShmConnection::block_on(calc.add(1, 2))?;
    /// # Ok(()) }
    /// ```
    ///
    /// Do not call it from async code: it blocks the thread until the
    /// future is done.
    pub fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut context = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
                return output;
            }
            std::thread::park();
        }
    }
}

/// Wakes [`ShmConnection::block_on`]'s thread.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
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
        let waited = match self.client.try_call(&request.body).map_err(transport)? {
            TryCall::Done(response) => return Ok(response),
            TryCall::Pending(call) => tokio::task::spawn_blocking(move || call.finish()).await,
            TryCall::Busy => {
                let client = self.client.clone();
                tokio::task::spawn_blocking(move || client.call(&request.body)).await
            }
        };
        waited.map_err(transport)?.map_err(transport)
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
