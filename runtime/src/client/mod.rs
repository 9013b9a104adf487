//! Calling services: the [`Connection`] a transport provides, the dynamic
//! [`Client`], and the in-process connection.
//!
//! `#[diglot::rpc]` also generates a typed client (`…Client<C>`) on top of
//! [`Client`], with one method per trait method.

mod batch;
mod block_on;
mod error;
#[cfg(feature = "http")]
mod http;
mod in_process;
mod items;
#[cfg(all(feature = "shm", target_os = "linux"))]
mod shm;
#[cfg(feature = "stream")]
mod stream;
#[cfg(all(feature = "http", feature = "stream"))]
mod websocket;

pub use batch::{Answers, Batch, Slot};
pub use block_on::block_on;
pub use error::ClientError;
#[cfg(feature = "http")]
pub use http::HttpConnection;
pub use in_process::InProcess;
pub use items::Items;
#[cfg(all(feature = "shm", target_os = "linux"))]
pub use shm::ShmConnection;
#[cfg(feature = "stream")]
pub use stream::StreamConnection;
#[cfg(all(feature = "http", feature = "stream"))]
pub use websocket::WebSocketConnection;

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::json::{self, Id};
use crate::transport::Protocol;
use crate::xml::{self, Dialect};
use crate::{Fault, Limits};

/// A way to exchange one request body for one response body with a server.
///
/// Each transport provides one; [`InProcess`] calls a
/// [`Dispatcher`](crate::Dispatcher) directly.
pub trait Connection: Send + Sync + 'static {
    /// The protocol requests are written in.
    fn protocol(&self) -> Protocol;

    /// How XML-RPC requests spell `nil` and `i8`.
    fn dialect(&self) -> Dialect {
        Dialect::Standard
    }

    /// The limits responses are held to.
    fn limits(&self) -> Limits {
        Limits::default()
    }

    /// The id for the next JSON-RPC call, for connections shared by
    /// several clients that must not reuse an id in flight; `None` lets the
    /// client number its own calls.
    fn next_id(&self) -> Option<i64> {
        None
    }

    /// Sends a request and waits for the response body. For a JSON-RPC
    /// notification the response is empty.
    fn exchange(
        &self,
        request: Outgoing,
    ) -> impl Future<Output = Result<Vec<u8>, ClientError>> + Send;

    /// Sends a JSON-RPC subscribe call and waits for its answer, as
    /// [`exchange`](Self::exchange); from then on the notices of the
    /// subscription it started go to `notices`. A connection that cannot
    /// receive notices (the default) refuses with
    /// [`ClientError::InvalidOption`].
    fn subscribe(
        &self,
        request: Outgoing,
        notices: tokio::sync::mpsc::Sender<Vec<u8>>,
    ) -> impl Future<Output = Result<Vec<u8>, ClientError>> + Send {
        let _ = (request, notices);
        std::future::ready(Err(ClientError::InvalidOption(
            "this connection cannot receive a server's notifications: subscribe over a stream, \
             WebSocket or shared-memory connection"
                .to_owned(),
        )))
    }
}

/// A request on its way to a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    /// The encoded request.
    pub body: Vec<u8>,
    /// The JSON-RPC id, for connections that match answers by id; `None`
    /// for XML-RPC and notifications.
    pub id: Option<i64>,
    /// Whether an answer is expected (false for a JSON-RPC notification).
    pub expects_answer: bool,
}

/// A call encoded by [`Client::prepare`], ready to [`send`](Client::send).
#[derive(Debug)]
pub struct PreparedCall {
    body: Result<Vec<u8>, ClientError>,
    id: i64,
}

/// Calls any method by name.
///
/// ```
/// # async fn demo(connection: impl diglot::Connection) -> Result<(), diglot::ClientError> {
/// let client = diglot::Client::new(connection);
/// let sum: i32 = client.call("calc.add", &(1, 2)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Client<C> {
    connection: C,
    next_id: AtomicI64,
    timeout: Option<Duration>,
}

impl<C: Connection> Client<C> {
    /// A client over `connection`, with no time limit on calls.
    pub fn new(connection: C) -> Self {
        Client {
            connection,
            next_id: AtomicI64::new(1),
            timeout: None,
        }
    }

    /// Bounds how long each call may wait for its answer; past it the call
    /// fails with [`ClientError::TimedOut`]. The connection stays usable: an
    /// answer that arrives later is dropped. Calls made with
    /// `call_blocking` (shared memory) are not bounded.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # fn demo(connection: impl diglot::Connection) {
    /// let client = diglot::Client::new(connection).timeout(Duration::from_secs(5));
    /// # }
    /// ```
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The next id this client numbers a call with.
    fn take_id(&self) -> i64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Exchanges a request, within the timeout if one is set.
    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        match self.timeout {
            None => self.connection.exchange(request).await,
            Some(after) => tokio::time::timeout(after, self.connection.exchange(request))
                .await
                .map_err(|_| ClientError::TimedOut { after })?,
        }
    }

    /// The connection calls go through.
    pub fn connection(&self) -> &C {
        &self.connection
    }

    /// Calls `method` with `params` — a tuple or sequence sent by position,
    /// or for JSON-RPC a struct or map sent by name; `()` for none.
    ///
    /// Await the call in the statement that makes it (the future borrows
    /// `params`); to keep a call apart from its parameters, use
    /// [`prepare`](Self::prepare) and [`send`](Self::send).
    pub fn call<P, R>(
        &self,
        method: &str,
        params: &P,
    ) -> impl Future<Output = Result<R, ClientError>> + Send + '_
    where
        P: Serialize + ?Sized,
        R: DeserializeOwned,
    {
        self.send(self.prepare(method, params))
    }

    /// Encodes a call now, to [`send`](Self::send) later: the result holds
    /// no borrow of the parameters.
    pub fn prepare<P: Serialize + ?Sized>(&self, method: &str, params: &P) -> PreparedCall {
        let id = self.connection.next_id().unwrap_or_else(|| self.take_id());
        PreparedCall {
            body: self.encode(method, params, Some(id)),
            id,
        }
    }

    /// Sends a prepared call and decodes its result as `R`.
    // Spelled out rather than `async fn`: the `Send` bound is a promise of the API.
    #[allow(clippy::manual_async_fn)]
    pub fn send<R: DeserializeOwned>(
        &self,
        call: PreparedCall,
    ) -> impl Future<Output = Result<R, ClientError>> + Send + '_ {
        async move {
            let json = self.connection.protocol() == Protocol::JsonRpc;
            let request = Outgoing {
                body: call.body?,
                id: json.then_some(call.id),
                expects_answer: true,
            };
            let response = self.exchange(request).await?;
            self.decode(&response, call.id)
        }
    }

    /// Subscribes: calls `method` with `params` over JSON-RPC, and returns
    /// the subscription's [`Items`]. Dropping them calls `unsubscribe` with
    /// the subscription's id, as a notification sent from a task on the
    /// current tokio runtime (over a clone of the connection).
    pub async fn subscribe<P, T>(
        &self,
        method: &str,
        unsubscribe: &'static str,
        params: &P,
    ) -> Result<Items<T>, ClientError>
    where
        C: Clone,
        P: Serialize + ?Sized,
        T: serde::de::DeserializeOwned,
    {
        if self.connection.protocol() != Protocol::JsonRpc {
            return Err(ClientError::InvalidOption(
                "subscriptions are JSON-RPC only: XML-RPC has no notifications".to_owned(),
            ));
        }
        let call = self.prepare(method, params);
        let request = Outgoing {
            body: call.body?,
            id: Some(call.id),
            expects_answer: true,
        };
        let (notices, received) = tokio::sync::mpsc::channel(items::QUEUE);
        let subscribed = self.connection.subscribe(request, notices);
        let response = match self.timeout {
            None => subscribed.await?,
            Some(after) => tokio::time::timeout(after, subscribed)
                .await
                .map_err(|_| ClientError::TimedOut { after })??,
        };
        let id: u64 = self.decode(&response, call.id)?;
        let connection = self.connection.clone();
        let on_drop = Box::new(move |id: u64| {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = Client::new(connection).notify(unsubscribe, &(id,)).await;
                });
            }
        });
        Ok(Items::new(received, id, on_drop))
    }

    /// Sends a JSON-RPC notification: no id, no answer. Over XML-RPC, which
    /// has no notifications, the call is made and its result dropped.
    pub fn notify<P>(
        &self,
        method: &str,
        params: &P,
    ) -> impl Future<Output = Result<(), ClientError>> + Send + '_
    where
        P: Serialize + ?Sized,
    {
        let body = self.encode(method, params, None);
        // XML-RPC has no notifications: its call is answered and dropped.
        let expects_answer = self.connection.protocol() == Protocol::XmlRpc;
        async move {
            let request = Outgoing {
                body: body?,
                id: None,
                expects_answer,
            };
            self.exchange(request).await?;
            Ok(())
        }
    }

    fn encode<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
        id: Option<i64>,
    ) -> Result<Vec<u8>, ClientError> {
        let mut body = Vec::with_capacity(128);
        match self.connection.protocol() {
            Protocol::XmlRpc => {
                xml::write_call(&mut body, method, params, self.connection.dialect())
            }
            Protocol::JsonRpc => {
                let id = id.map(Id::from);
                json::write_request(&mut body, method, params, id.as_ref())
            }
        }
        .map_err(ClientError::Encode)?;
        Ok(body)
    }

    fn decode<R: DeserializeOwned>(&self, response: &[u8], id: i64) -> Result<R, ClientError> {
        let limits = self.connection.limits();
        let outcome = match self.connection.protocol() {
            Protocol::XmlRpc => xml::decode_response(response, &limits),
            Protocol::JsonRpc => {
                json::decode_response(response, &limits).and_then(|(got, outcome)| {
                    if got.as_i64() == Some(id) {
                        Ok(outcome)
                    } else {
                        Err(Fault::invalid_request(
                            "the response's id does not match the request's",
                        ))
                    }
                })
            }
        };
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(fault)) => Err(ClientError::Fault(fault)),
            Err(fault) => Err(ClientError::InvalidResponse(fault)),
        }
    }
}
