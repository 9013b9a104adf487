//! [`HttpConfig`]: paths, connections and timeouts of the HTTP transport.

use std::time::Duration;

/// How the HTTP transport answers, and the limits it holds clients to.
/// The body limit is the handler's
/// ([`Limits::max_body_bytes`](https://docs.rs/diglot/latest/diglot/struct.Limits.html)):
/// a larger body gets `413`, before it is read when `Content-Length` says so.
///
/// | setting | default | |
/// |---|---|---|
/// | [`paths`](Self::paths) | `/` and `/RPC2` | where Python's and xmlrpc-c's clients post |
/// | [`max_connections`](Self::max_connections) | 1024 | at the limit the oldest idle connection is closed to admit a new client; with none idle, new clients wait in the listen backlog |
/// | [`read_timeout`](Self::read_timeout) | 10 s | to send the headers, and again the body; a slow sender is cut off |
/// | [`write_timeout`](Self::write_timeout) | 10 s | for a write of an answer to make progress; a client that does not read is cut off |
/// | [`gzip_min_bytes`](Self::gzip_min_bytes) | 1 KiB | smaller responses are not worth compressing |
/// | [`console`](Self::console) | off | a `GET` from a browser gets a page to browse and call the methods; a `GET` for JSON, the OpenRPC document |
/// | [`websocket`](Self::websocket) | on | a `GET` that asks to upgrade becomes a WebSocket: calls as messages, and subscriptions |
/// | [`allow_origins`](Self::allow_origins) | none | browser pages of other origins that may open a WebSocket (a page of the server's own origin always may) |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    pub(crate) paths: Vec<String>,
    pub(crate) max_connections: usize,
    pub(crate) read_timeout: Duration,
    pub(crate) write_timeout: Duration,
    pub(crate) gzip_min_bytes: usize,
    pub(crate) console: bool,
    pub(crate) websocket: bool,
    pub(crate) origins: Vec<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            paths: vec!["/".to_owned(), "/RPC2".to_owned()],
            max_connections: 1024,
            read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            gzip_min_bytes: 1024,
            console: false,
            websocket: true,
            origins: Vec::new(),
        }
    }
}

impl HttpConfig {
    /// Sets the paths requests are accepted on; others get 404.
    #[must_use]
    pub fn paths<I: IntoIterator<Item = S>, S: Into<String>>(mut self, paths: I) -> Self {
        self.paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// Sets how many connections are served at once.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Sets how long a client may take to send a request's headers, and
    /// then its body. It also bounds how long a keep-alive connection may
    /// sit idle between requests: past it the server closes the connection
    /// and the client opens a new one for its next call.
    #[must_use]
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// Sets how long a write of an answer may wait for the client to read
    /// before the connection is closed (at least 1 ms).
    #[must_use]
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets the smallest response compressed for a client that accepts gzip.
    #[must_use]
    pub fn gzip_min_bytes(mut self, bytes: usize) -> Self {
        self.gzip_min_bytes = bytes;
        self
    }

    /// Serves the console on the RPC paths: a `GET` that accepts HTML gets
    /// one self-contained page (no outside scripts or styles) listing every
    /// method with its help and parameters, with a form to call each in
    /// either protocol, and to follow subscriptions over a WebSocket (with
    /// [`websocket`](Self::websocket) on); a `GET` that asks for
    /// `application/json` gets the service's OpenRPC document.
    ///
    /// Off by default. The page can do nothing a client of the endpoint
    /// cannot, but it shows every method to whoever can reach the port:
    /// turn it on where that is wanted (development, an internal network),
    /// behind the same authentication as the calls.
    #[must_use]
    pub fn console(mut self, on: bool) -> Self {
        self.console = on;
        self
    }

    /// Serves WebSocket on the RPC paths: a `GET` that asks to upgrade
    /// (`Upgrade: websocket`) becomes a connection that carries calls in
    /// either protocol as messages, their answers, and the notifications
    /// of subscriptions. Each message is held to the body limit; the
    /// server pings every 30 s and closes a client silent for 60 s. On by
    /// default: it serves the same methods as `POST`.
    #[must_use]
    pub fn websocket(mut self, on: bool) -> Self {
        self.websocket = on;
        self
    }

    /// Lets browser pages of these origins (`https://app.example.com`, as a
    /// browser names them in `Origin`; `*` for any) open a WebSocket.
    ///
    /// A browser lets any page open a WebSocket to any server, and says
    /// which page did in `Origin`: without this check, a site the user
    /// visits could call the methods of a server on the user's network.
    /// So an upgrade whose `Origin` is not the server's own — scheme aside,
    /// the host and port the request was sent to — is refused with `403`,
    /// unless listed here. Clients that are not browsers send no `Origin`
    /// and are not affected. Behind a proxy that rewrites `Host`, list the
    /// public origin.
    #[must_use]
    pub fn allow_origins<I: IntoIterator<Item = S>, S: Into<String>>(mut self, origins: I) -> Self {
        self.origins = origins.into_iter().map(Into::into).collect();
        self
    }

    /// Whether requests are served on `path`.
    pub(crate) fn serves(&self, path: &str) -> bool {
        self.paths.iter().any(|p| p == path)
    }
}
