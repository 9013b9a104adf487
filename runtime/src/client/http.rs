//! [`HttpConnection`]: calls over HTTP.

use std::future::Future;

use super::{ClientError, Connection, Outgoing};
use crate::Limits;
use crate::transport::Protocol;
use crate::transport::http::HttpClient;

/// A connection to a server's HTTP endpoint, speaking one protocol.
///
/// ```no_run
/// # async fn demo() -> Result<(), diglot::ClientError> {
/// use diglot::{Client, HttpConnection, Protocol};
///
/// let client = Client::new(HttpConnection::new("http://127.0.0.1:8080/RPC2", Protocol::XmlRpc)?);
/// let sum: i32 = client.call("calc.add", &(1, 2)).await?;
/// # Ok(()) }
/// ```
///
/// Responses are held to [`Limits`] (16 MiB by default; set others with
/// [`limits`](Self::limits)); headers such as a bearer token are added with
/// [`header`](Self::header). With the `tls` feature, `https://` URLs trust
/// the system's roots, or only the ones given to
/// `with_roots`.
#[derive(Debug, Clone)]
pub struct HttpConnection {
    client: HttpClient,
    protocol: Protocol,
    limits: Limits,
}

impl HttpConnection {
    /// A connection to `url` (`http://host:port/path`; `user:password@`
    /// before the host sends basic authentication).
    pub fn new(url: &str, protocol: Protocol) -> Result<Self, ClientError> {
        Ok(Self::from_client(HttpClient::new(url)?, protocol))
    }

    /// A connection to `url` that trusts only `roots` for HTTPS (a private
    /// CA, or a server's self-signed certificate).
    ///
    /// ```no_run
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use diglot::{HttpConnection, Protocol, TlsRoots};
    ///
    /// let roots = TlsRoots::from_pem(&std::fs::read("ca.pem")?)?;
    /// let connection = HttpConnection::with_roots("https://rpc.internal/RPC2", Protocol::JsonRpc, &roots)?;
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_roots(
        url: &str,
        protocol: Protocol,
        roots: &crate::TlsRoots,
    ) -> Result<Self, ClientError> {
        Ok(Self::from_client(
            HttpClient::with_roots(url, roots)?,
            protocol,
        ))
    }

    fn from_client(client: HttpClient, protocol: Protocol) -> Self {
        let limits = Limits::default();
        HttpConnection {
            client: client.max_body_bytes(limits.body_bytes()),
            protocol,
            limits,
        }
    }

    /// Sends a header with every request, such as
    /// `header("Authorization", "Bearer …")`.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, ClientError> {
        self.client = self.client.header(name, value)?;
        Ok(self)
    }

    /// Holds responses to `limits`: a larger body fails the call with
    /// [`ClientError::TooLarge`] once the limit is passed.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.client = self.client.max_body_bytes(limits.body_bytes());
        self.limits = limits;
        self
    }
}

impl Connection for HttpConnection {
    fn protocol(&self) -> Protocol {
        self.protocol
    }

    fn limits(&self) -> Limits {
        self.limits
    }

    fn exchange(
        &self,
        request: Outgoing,
    ) -> impl Future<Output = Result<Vec<u8>, ClientError>> + Send {
        let content_type = self.protocol.content_type();
        async move {
            self.client
                .post(request.body, content_type)
                .await
                .map_err(ClientError::from)
        }
    }
}
