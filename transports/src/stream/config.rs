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
/// | [`max_connection_threads`](Self::max_connection_threads) | [`DEFAULT_CONNECTION_THREADS`](Self::DEFAULT_CONNECTION_THREADS) | connections served on a thread of their own, with blocking I/O, until they need the runtime (Unix) |
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
    pub(crate) connection_threads: usize,
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
            connection_threads: Self::DEFAULT_CONNECTION_THREADS,
        }
    }
}

impl StreamConfig {
    /// How many connections are served on threads by default (see
    /// [`max_connection_threads`](Self::max_connection_threads)): enough
    /// for the few busy local clients that gain from it, few enough that
    /// their threads cost little.
    pub const DEFAULT_CONNECTION_THREADS: usize = 16;

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

    /// Sets how many connections at most are served each on a thread of
    /// its own ([`DEFAULT_CONNECTION_THREADS`](Self::DEFAULT_CONNECTION_THREADS)
    /// by default); while that many are, further connections are served as
    /// tasks of the async runtime. 0 serves every connection as a task.
    ///
    /// A connection on a thread is read and written with blocking system
    /// calls, and a call that is ready at its first poll (one that awaits
    /// nothing, as most do) runs on that thread: a round trip costs two
    /// system calls and no trip through the async reactor, the lowest
    /// latency (see the performance chapter of the guide for figures).
    /// Answers to calls that came in one read leave in one write.
    ///
    /// The thread serves its connection so until the connection needs what
    /// only a task does well; then it hands the connection, with the bytes
    /// it has read, to a task of the runtime, and ends:
    ///
    /// - a JSON-RPC call that is not ready at its first poll (it awaits
    ///   something): the thread finishes that call and passes its answer
    ///   on, while the task reads and runs the calls after it, up to
    ///   [`max_in_flight`](Self::max_in_flight) at once;
    /// - a call that starts a feed (a subscription): the task writes its
    ///   notices between the answers;
    /// - a connection that speaks HTTP: the task is the HTTP server's.
    ///
    /// An XML-RPC call that is not ready is awaited on the thread, since
    /// XML-RPC calls on a stream are answered in order either way. The
    /// timeouts, the connection limit (an idle connection on a thread may
    /// be closed to make room as any other) and a stop (the calls read are
    /// answered, within the grace) apply to both kinds alike.
    ///
    /// Unix only (Unix domain sockets and TCP): elsewhere every connection
    /// is a task.
    #[must_use]
    pub fn max_connection_threads(mut self, threads: usize) -> Self {
        self.connection_threads = threads;
        self
    }

    /// `true` serves every connection on a thread (until it is handed to a
    /// task, as [`max_connection_threads`](Self::max_connection_threads)
    /// says), `false` every connection as a task.
    #[deprecated(
        note = "connections are served on threads up to `max_connection_threads` by default; \
                use `max_connection_threads(usize::MAX)` or `max_connection_threads(0)`"
    )]
    #[must_use]
    pub fn thread_per_connection(self, enabled: bool) -> Self {
        self.max_connection_threads(if enabled { usize::MAX } else { 0 })
    }
}
