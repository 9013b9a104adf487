//! [`HttpClient`]: posts request bodies to an HTTP endpoint, reusing
//! keep-alive connections.

use std::fmt;

use base64::Engine as _;
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, StatusCode, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// Why an HTTP exchange failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpClientError {
    /// The URL is not an `http://` (or, with the `tls` feature, `https://`)
    /// URL with a host.
    InvalidUrl(String),
    /// A header name or value that HTTP cannot carry.
    InvalidHeader(String),
    /// The trusted roots for HTTPS could not be loaded.
    Tls(std::io::Error),
    /// The connection failed or broke.
    Io(Box<dyn std::error::Error + Send + Sync>),
    /// The server answered with a status other than 200 or 204.
    Status(u16),
    /// The response body is larger than allowed.
    TooLarge {
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for HttpClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpClientError::InvalidUrl(why) => write!(f, "invalid URL: {why}"),
            HttpClientError::InvalidHeader(why) => write!(f, "invalid header: {why}"),
            HttpClientError::Tls(why) => write!(f, "HTTPS roots: {why}"),
            HttpClientError::Io(why) => write!(f, "HTTP request failed: {why}"),
            HttpClientError::Status(code) => write!(f, "the server answered HTTP {code}"),
            HttpClientError::TooLarge { limit } => {
                write!(
                    f,
                    "the response body is larger than the limit of {limit} bytes"
                )
            }
        }
    }
}

impl std::error::Error for HttpClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HttpClientError::Io(e) => Some(&**e),
            HttpClientError::Tls(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "tls")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "tls"))]
type Connector = HttpConnector;

/// Posts bodies to one endpoint.
///
/// Credentials in the URL (`http://user:password@host/RPC2`) are sent as
/// HTTP basic authentication. With the `tls` feature, `https://` URLs are
/// served too, trusting the system's roots or the ones given to
/// `with_roots`.
#[derive(Clone)]
pub struct HttpClient {
    client: Client<Connector, Full<Bytes>>,
    uri: Uri,
    headers: http::HeaderMap,
    max_body_bytes: usize,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

impl HttpClient {
    /// A client for `url`, such as `http://127.0.0.1:8080/RPC2`; an
    /// `https://` URL (with the `tls` feature) trusts the system's roots.
    pub fn new(url: &str) -> Result<Self, HttpClientError> {
        let uri = parse_url(url)?;
        #[cfg(feature = "tls")]
        let connector = {
            let roots = if uri.scheme_str() == Some("https") {
                super::TlsRoots::system().map_err(HttpClientError::Tls)?
            } else {
                // Never consulted: plain HTTP needs no roots.
                super::TlsRoots::empty()
            };
            roots
                .connector(http_connector())
                .map_err(HttpClientError::Tls)?
        };
        #[cfg(not(feature = "tls"))]
        let connector = http_connector();
        Self::with_connector(uri, connector)
    }

    /// A client for `url` that trusts only `roots` for HTTPS.
    #[cfg(feature = "tls")]
    pub fn with_roots(url: &str, roots: &super::TlsRoots) -> Result<Self, HttpClientError> {
        let connector = roots
            .connector(http_connector())
            .map_err(HttpClientError::Tls)?;
        Self::with_connector(parse_url(url)?, connector)
    }

    fn with_connector(uri: Uri, connector: Connector) -> Result<Self, HttpClientError> {
        let (uri, authorization) = split_credentials(uri)?;
        let mut headers = http::HeaderMap::new();
        headers.insert(
            header::USER_AGENT,
            HeaderValue::from_static(concat!("diglot/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(auth) = authorization {
            headers.insert(header::AUTHORIZATION, auth);
        }
        Ok(HttpClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
            uri,
            headers,
            max_body_bytes: 16 * 1024 * 1024,
        })
    }

    /// Sends a header with every request (an `Authorization` token, say),
    /// replacing one of the same name. `Content-Type` and `Content-Length`
    /// are the client's own.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, HttpClientError> {
        let name = header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| HttpClientError::InvalidHeader(format!("{name:?}: {e}")))?;
        if name == header::CONTENT_TYPE || name == header::CONTENT_LENGTH {
            return Err(HttpClientError::InvalidHeader(format!(
                "{name} is set by the client"
            )));
        }
        let value = HeaderValue::from_str(value)
            .map_err(|e| HttpClientError::InvalidHeader(format!("value of {name}: {e}")))?;
        self.headers.insert(name, value);
        Ok(self)
    }

    /// Sets the largest response body accepted.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Posts `body` with `content_type` and returns the response body
    /// (empty for `204 No Content`).
    pub async fn post(
        &self,
        body: Vec<u8>,
        content_type: &'static str,
    ) -> Result<Vec<u8>, HttpClientError> {
        let mut request = http::Request::builder()
            .method(Method::POST)
            .uri(self.uri.clone())
            .header(header::CONTENT_TYPE, content_type)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| HttpClientError::Io(Box::new(e)))?;
        request.headers_mut().extend(self.headers.clone());
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| HttpClientError::Io(Box::new(e)))?;
        let status = response.status();
        if status == StatusCode::NO_CONTENT {
            return Ok(Vec::new());
        }
        if status != StatusCode::OK {
            return Err(HttpClientError::Status(status.as_u16()));
        }
        let collected = Limited::new(response.into_body(), self.max_body_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    HttpClientError::TooLarge {
                        limit: self.max_body_bytes,
                    }
                } else {
                    HttpClientError::Io(e)
                }
            })?;
        Ok(collected.to_bytes().to_vec())
    }
}

/// Parses an `http://` (or with `tls`, `https://`) URL with a host.
fn parse_url(url: &str) -> Result<Uri, HttpClientError> {
    let uri: Uri = url
        .parse()
        .map_err(|e: http::uri::InvalidUri| HttpClientError::InvalidUrl(e.to_string()))?;
    let scheme = uri.scheme_str();
    let scheme_ok = scheme == Some("http") || (cfg!(feature = "tls") && scheme == Some("https"));
    if !scheme_ok || uri.host().is_none() {
        let expected = if cfg!(feature = "tls") {
            "expected http[s]://host[:port]/path"
        } else {
            "expected http://host[:port]/path (https needs the `tls` feature)"
        };
        return Err(HttpClientError::InvalidUrl(expected.to_owned()));
    }
    Ok(uri)
}

fn http_connector() -> HttpConnector {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    // The TLS layer above it takes `https://` URLs.
    #[cfg(feature = "tls")]
    connector.enforce_http(false);
    connector
}

/// Moves `user:password@` out of the URL into a basic-auth header value.
pub(super) fn split_credentials(uri: Uri) -> Result<(Uri, Option<HeaderValue>), HttpClientError> {
    let Some(authority) = uri.authority().cloned() else {
        return Ok((uri, None));
    };
    let Some((userinfo, host)) = authority.as_str().rsplit_once('@') else {
        return Ok((uri, None));
    };
    let mut parts = uri.into_parts();
    parts.authority = Some(
        host.parse()
            .map_err(|e: http::uri::InvalidUri| HttpClientError::InvalidUrl(e.to_string()))?,
    );
    let uri = Uri::from_parts(parts).map_err(|e| HttpClientError::InvalidUrl(e.to_string()))?;
    let encoded = base64::engine::general_purpose::STANDARD.encode(userinfo.as_bytes());
    let value = HeaderValue::from_str(&format!("Basic {encoded}"))
        .map_err(|e| HttpClientError::InvalidUrl(e.to_string()))?;
    Ok((uri, Some(value)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn credentials_move_into_a_header() {
        let (uri, auth) =
            super::split_credentials("http://ann:s3cret@127.0.0.1:8080/RPC2".parse().unwrap())
                .unwrap();
        assert_eq!(uri.to_string(), "http://127.0.0.1:8080/RPC2");
        assert_eq!(auth.unwrap(), "Basic YW5uOnMzY3JldA==");
    }
}
