//! [`End`]: why a shared-memory connection ended, as the rings and the
//! waits report it.

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// The peer closed its end of the handshake socket, or died.
    PeerGone,
    /// The server is stopping (seen between messages only).
    Stopped,
    /// The peer wrote an index, length or flag out of range.
    Violation(&'static str),
    /// A message grew past the limit.
    TooLarge {
        /// The size so far.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::PeerGone => f.write_str("the peer closed the connection"),
            End::Stopped => f.write_str("the server is stopping"),
            End::Violation(why) => write!(f, "the peer broke the protocol: {why}"),
            End::TooLarge { size, limit } => write!(
                f,
                "a message of at least {size} bytes exceeds the limit of {limit} bytes"
            ),
        }
    }
}
