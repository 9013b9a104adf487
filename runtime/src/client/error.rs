//! [`ClientError`]: why a call did not return a value.

use std::fmt;

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
    /// The request could not be sent or the response not received.
    Transport(Box<dyn std::error::Error + Send + Sync>),
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
            ClientError::Transport(e) => write!(f, "transport error: {e}"),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Fault(f) | ClientError::Encode(f) | ClientError::InvalidResponse(f) => {
                Some(f)
            }
            ClientError::Transport(e) => Some(&**e),
        }
    }
}
