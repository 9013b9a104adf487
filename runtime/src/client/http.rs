//! [`HttpConnection`]: calls over HTTP.

use std::future::Future;

use super::{ClientError, Connection, Outgoing};
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
#[derive(Debug, Clone)]
pub struct HttpConnection {
    client: HttpClient,
    protocol: Protocol,
}

impl HttpConnection {
    /// A connection to `url` (`http://host:port/path`; `user:password@`
    /// before the host sends basic authentication).
    pub fn new(url: &str, protocol: Protocol) -> Result<Self, ClientError> {
        Ok(HttpConnection {
            client: HttpClient::new(url).map_err(ClientError::from)?,
            protocol,
        })
    }
}

impl Connection for HttpConnection {
    fn protocol(&self) -> Protocol {
        self.protocol
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
