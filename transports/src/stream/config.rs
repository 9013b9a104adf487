//! [`StreamConfig`]: connections, concurrency and timeouts of the stream
//! transports.

use std::time::Duration;

#[cfg(feature = "http")]
use crate::http::HttpConfig;

/// Connections, concurrency and timeouts of the stream transports. The body
/// limit is the handler's: a larger frame is answered with the handler's
/// refusal (diglot's dispatcher: -32600) and ends its connection.
///
/// | setting | default | |
/// |---|---|---|
/// | [`max_connections`](Self::max_connections) | 1024 | further clients wait in the backlog |
/// | [`max_in_flight`](Self::max_in_flight) | 64 | calls running at once on one connection |
/// | [`first_byte_timeout`](Self::first_byte_timeout) | 10 s | for a new connection to show its framing |
/// | [`frame_timeout`](Self::frame_timeout) | 10 s | from a frame's first byte to its last; a peer that stalls inside a frame is cut off (idle between frames is fine) |
/// | [`write_timeout`](Self::write_timeout) | 10 s | for an answer to be written; a peer that does not read is cut off |
/// | `http` (feature `http`) | `HttpConfig::default()` | for connections that speak HTTP |
/// | [`thread_per_connection`](Self::thread_per_connection) | off | blocking I/O on a thread per connection (Unix) |
#[derive(Debug, Clone)]
pub struct StreamConfig {
    pub(crate) max_connections: usize,
    pub(crate) max_in_flight: usize,
    pub(crate) first_byte_timeout: Duration,
    pub(crate) frame_timeout: Duration,
    pub(crate) write_timeout: Duration,
    #[cfg(feature = "http")]
    pub(crate) http: HttpConfig,
    #[cfg_attr(not(unix), allow(dead_code))]
    pub(crate) thread_per_connection: bool,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            max_connections: 1024,
            max_in_flight: 64,
            first_byte_timeout: Duration::from_secs(10),
            frame_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            #[cfg(feature = "http")]
            http: HttpConfig::default(),
            thread_per_connection: false,
        }
    }
}

impl StreamConfig {
    /// Sets how many connections are served at once.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }

    /// Sets how many calls may run at once on one connection.
    #[must_use]
    pub fn max_in_flight(mut self, calls: usize) -> Self {
        self.max_in_flight = calls.max(1);
        self
    }

    /// Sets how long a new connection may take to send its first bytes.
    #[must_use]
    pub fn first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.first_byte_timeout = timeout;
        self
    }

    /// Sets how long a frame may take to arrive once its first byte has.
    #[must_use]
    pub fn frame_timeout(mut self, timeout: Duration) -> Self {
        self.frame_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets how long writing an answer may take before the connection is
    /// closed.
    #[must_use]
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets how connections that speak HTTP are served.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = http;
        self
    }

    /// Serves each connection on a thread of its own, with blocking reads
    /// and writes and calls run on that thread, instead of as a task of the
    /// async runtime.
    ///
    /// This takes the async reactor out of every round trip: the lowest
    /// latency for a few busy local clients (see the performance chapter of
    /// the guide for figures). The costs: a thread per connection, so it
    /// suits tens of connections, not thousands; and calls on one connection
    /// run one at a time, in order (a call that awaits something is driven
    /// by the runtime while its connection waits). Connections that speak
    /// HTTP are still served by the async HTTP server.
    ///
    /// Unix only: elsewhere the setting is ignored.
    #[must_use]
    pub fn thread_per_connection(mut self, enabled: bool) -> Self {
        self.thread_per_connection = enabled;
        self
    }
}
