//! [`ShmConfig`]: sizes, limits and timing of the shared-memory transport.

use std::time::Duration;

/// Sizes, limits and timing of the shared-memory transport, for servers
/// and clients alike. A server reads requests up to its handler's body
/// limit: a larger one is answered with the handler's refusal (diglot's
/// dispatcher: -32600) and ends its connection.
///
/// | setting | default | |
/// |---|---|---|
/// | [`max_response_bytes`](Self::max_response_bytes) | 16 MiB | client: the largest response read; a larger one ends the connection |
/// | [`max_connections`](Self::max_connections) | 1024 | server: connections served at once (one thread each) |
/// | [`ring_bytes`](Self::ring_bytes) | 256 KiB | server: each ring's size; larger messages pass in chunks |
/// | [`spin`](Self::spin) | 50 µs | the longest a wait spins before it parks |
/// | [`park_timeout`](Self::park_timeout) | 50 ms | how often a parked wait checks that the peer is alive |
/// | [`handshake_timeout`](Self::handshake_timeout) | 5 s | client: for the server's hello |
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShmConfig {
    pub(crate) max_response_bytes: usize,
    pub(crate) max_connections: usize,
    pub(crate) ring_bytes: usize,
    pub(crate) spin: Duration,
    pub(crate) park_timeout: Duration,
    pub(crate) handshake_timeout: Duration,
}

impl Default for ShmConfig {
    fn default() -> Self {
        ShmConfig {
            max_response_bytes: 16 * 1024 * 1024,
            max_connections: 1024,
            ring_bytes: 256 * 1024,
            spin: Duration::from_micros(50),
            park_timeout: Duration::from_millis(50),
            handshake_timeout: Duration::from_secs(5),
        }
    }
}

impl ShmConfig {
    /// Sets the largest response a client reads.
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The largest response a client reads.
    pub fn response_bytes(&self) -> usize {
        self.max_response_bytes
    }

    /// Sets how many connections a server serves at once; further clients
    /// wait in the socket's backlog.
    #[must_use]
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.clamp(1, u32::MAX as usize >> 3);
        self
    }

    /// Sets the size of each ring a server creates, rounded up to a power
    /// of two between 4 KiB and 256 MiB. Messages of any size pass either
    /// way; a larger ring takes a large message in fewer hand-offs.
    #[must_use]
    pub fn ring_bytes(mut self, bytes: usize) -> Self {
        self.ring_bytes = bytes;
        self
    }

    /// Sets the longest a wait spins before parking the thread. Spinning
    /// answers a peer that is quick in well under a microsecond, where
    /// waking a parked thread costs tens of microseconds; the budget adapts
    /// between this and a sixteenth of it. Zero always parks.
    #[must_use]
    pub fn spin(mut self, spin: Duration) -> Self {
        self.spin = spin;
        self
    }

    /// Sets how often a parked wait wakes to check that the peer still
    /// holds its end of the handshake socket. A peer that closes its
    /// connection wakes the waiter at once; one that dies (killed, say) is
    /// noticed within this time.
    #[must_use]
    pub fn park_timeout(mut self, timeout: Duration) -> Self {
        self.park_timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// Sets how long a client waits for the server's hello.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }
}
