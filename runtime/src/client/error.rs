//! [`ClientError`]: why a call did not return a value.

use std::fmt;
use std::io;

use crate::Fault;

/// Why a call did not return a value.
///
/// A fault the server answered with is [`ClientError::Fault`], so that
/// application errors can be matched by code:
///
/// ```
/// # use diglot::{ClientError, Fault};
/// # let error = ClientError::Fault(Fault::new(2, "division by zero"));
/// match error {
///     ClientError::Fault(fault) if fault.code == 2 => { /* handle division by zero */ }
///     ClientError::TooLarge { limit, .. } => { /* the answer was over `limit` bytes */ }
///     other => panic!("unexpected: {other}"),
/// }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a fault.
    Fault(Fault),
    /// The parameters could not be encoded.
    Encode(Fault),
    /// The response could not be read, or did not fit the expected type.
    InvalidResponse(Fault),
    /// The address is not one the connection can use (a malformed URL).
    InvalidAddress(String),
    /// An option or argument is unusable: a header HTTP cannot carry, HTTPS
    /// roots that could not be loaded, a batch slot read from another
    /// batch's answers.
    InvalidOption(String),
    /// Connecting failed, or the connection broke; the I/O error is the
    /// [`source`](std::error::Error::source).
    Io(io::Error),
    /// The server closed the connection (it stopped or died), or an earlier
    /// failure ended it; why, in words.
    Closed(String),
    /// A message was larger than allowed: a response over this client's
    /// limit, or a request over the server's (then nothing was sent).
    TooLarge {
        /// The message's size, when known (as much as was seen).
        size: Option<u64>,
        /// The limit.
        limit: u64,
    },
    /// An HTTP server answered with this status instead of 200 (or, to a
    /// WebSocket upgrade, instead of 101).
    HttpStatus(u16),
    /// No answer came within the client's [`timeout`](crate::Client::timeout).
    TimedOut {
        /// The timeout.
        after: std::time::Duration,
    },
    /// The server broke the transport's protocol (a shared-memory index out
    /// of range, an answer to a call nobody made).
    Protocol(String),
}

impl ClientError {
    /// The server's fault, if the server answered with one.
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            ClientError::Fault(fault) => Some(fault),
            _ => None,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Fault(fault) => write!(f, "the server answered with {fault}"),
            ClientError::Encode(fault) => {
                write!(f, "the request could not be encoded: {}", fault.message)
            }
            ClientError::InvalidResponse(fault) => {
                write!(f, "the response could not be read: {}", fault.message)
            }
            ClientError::InvalidAddress(why) => write!(f, "invalid address: {why}"),
            ClientError::InvalidOption(why) => write!(f, "invalid option: {why}"),
            ClientError::Io(e) => write!(f, "connection failed: {e}"),
            ClientError::Closed(why) => write!(f, "the connection closed: {why}"),
            ClientError::TooLarge {
                size: Some(size),
                limit,
            } => write!(
                f,
                "a message of {size} bytes exceeds the limit of {limit} bytes"
            ),
            ClientError::TooLarge { size: None, limit } => {
                write!(f, "a message exceeds the limit of {limit} bytes")
            }
            ClientError::HttpStatus(status) => write!(f, "the server answered HTTP {status}"),
            ClientError::TimedOut { after } => write!(f, "no answer within {after:?}"),
            ClientError::Protocol(why) => write!(f, "the server broke the protocol: {why}"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Fault(f) | ClientError::Encode(f) | ClientError::InvalidResponse(f) => {
                Some(f)
            }
            ClientError::Io(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(feature = "http")]
impl From<crate::transport::http::HttpClientError> for ClientError {
    fn from(error: crate::transport::http::HttpClientError) -> Self {
        use crate::transport::http::HttpClientError as E;
        match error {
            E::InvalidUrl(why) => ClientError::InvalidAddress(why),
            E::InvalidHeader(why) => ClientError::InvalidOption(why),
            E::Tls(e) => ClientError::InvalidOption(e.to_string()),
            E::Io(e) => ClientError::Io(io::Error::other(e)),
            E::Status(status) => ClientError::HttpStatus(status),
            E::TooLarge { limit } => ClientError::TooLarge {
                size: None,
                limit: limit as u64,
            },
            other => ClientError::Io(io::Error::other(other.to_string())),
        }
    }
}

#[cfg(feature = "stream")]
impl From<crate::transport::stream::StreamClientError> for ClientError {
    fn from(error: crate::transport::stream::StreamClientError) -> Self {
        use crate::transport::stream::StreamClientError as E;
        match error {
            E::Io(e) => ClientError::Io(e),
            E::Closed(why) => ClientError::Closed(why),
            E::TooLarge { limit } => ClientError::TooLarge {
                size: None,
                limit: limit as u64,
            },
            E::InvalidUrl(why) => ClientError::InvalidAddress(why),
            E::UpgradeRefused { status } => ClientError::HttpStatus(status),
            other => ClientError::Protocol(other.to_string()),
        }
    }
}

#[cfg(all(feature = "shm", target_os = "linux"))]
impl From<crate::transport::shm::ShmError> for ClientError {
    fn from(error: crate::transport::shm::ShmError) -> Self {
        use crate::transport::shm::ShmError as E;
        match error {
            E::Io(e) => ClientError::Io(e),
            E::Closed => ClientError::Closed("the server stopped or died".to_owned()),
            E::Broken(why) => ClientError::Closed(why),
            E::Protocol(why) => ClientError::Protocol(why),
            E::TooLarge { size, limit } => ClientError::TooLarge {
                size: Some(size),
                limit,
            },
            other => ClientError::Protocol(other.to_string()),
        }
    }
}

/// A blocking-pool task that did not finish (the runtime is shutting down).
impl From<tokio::task::JoinError> for ClientError {
    fn from(error: tokio::task::JoinError) -> Self {
        ClientError::Io(io::Error::other(error))
    }
}

impl From<io::Error> for ClientError {
    fn from(error: io::Error) -> Self {
        ClientError::Io(error)
    }
}
