//! [`Fault`]: the error both protocols put on the wire.

use std::fmt;

use crate::Value;

/// The error a call answers with: an XML-RPC `<fault>` or a JSON-RPC `error` object.
///
/// Protocol errors use the codes that XML-RPC's interoperability list and
/// JSON-RPC 2.0 share (the `*` constants on this type). Application errors may
/// use any other code; the JSON-RPC 2.0 specification reserves -32768 to -32000
/// for the protocol.
///
/// A fault's message never repeats the request body: it names what was wrong
/// (a parameter, a type, a byte offset), not the text that was sent.
///
/// `data` travels in JSON-RPC's `error.data`. XML-RPC's fault struct has only
/// `faultCode` and `faultString`, so `data` is dropped there.
///
/// ```
/// use diglot::Fault;
///
/// let fault = Fault::new(4, "Too many parameters");
/// assert_eq!(fault.code, 4);
/// assert_eq!(Fault::method_not_found("calc.pow").code, Fault::METHOD_NOT_FOUND);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// The fault code (XML-RPC `faultCode`, JSON-RPC `error.code`).
    pub code: i32,
    /// A human-readable description (XML-RPC `faultString`, JSON-RPC `error.message`).
    pub message: String,
    /// Extra detail for JSON-RPC's `error.data`; not carried by XML-RPC.
    /// (Boxed so that `Result<T, Fault>` stays small on the hot path.)
    pub data: Option<Box<Value>>,
}

impl Fault {
    /// The document is not well-formed XML or JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// The document declares an encoding diglot does not read.
    pub const UNSUPPORTED_ENCODING: i32 = -32701;
    /// The document holds a byte sequence that is not valid in its encoding.
    pub const INVALID_CHARACTER: i32 = -32702;
    /// The document is well-formed but is not a valid request.
    pub const INVALID_REQUEST: i32 = -32600;
    /// No method has the requested name.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// The parameters do not match the method's signature.
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server failed while handling the call.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// An application error without a more specific code.
    pub const APPLICATION_ERROR: i32 = -32500;
    /// A system error (XML-RPC interop list).
    pub const SYSTEM_ERROR: i32 = -32400;
    /// A transport error (XML-RPC interop list).
    pub const TRANSPORT_ERROR: i32 = -32300;
    /// The call ran past the server's per-call timeout (diglot's code in
    /// JSON-RPC's implementation-defined server-error range).
    pub const TIMED_OUT: i32 = -32000;
    /// A subscription could not start: the protocol or transport cannot
    /// carry notifications, or the connection has as many subscriptions as
    /// it may.
    pub const SUBSCRIPTION_REFUSED: i32 = -32001;
    /// In a subscription's last notification: the client read so slowly
    /// that the subscription's notifications filled its buffer.
    pub const SUBSCRIPTION_LAGGED: i32 = -32002;

    /// A fault with a code and a message and no data.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Fault {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Attaches `data` (sent in JSON-RPC's `error.data`).
    #[must_use]
    pub fn with_data(mut self, data: impl Into<Value>) -> Self {
        self.data = Some(Box::new(data.into()));
        self
    }

    /// -32700: the document could not be parsed.
    pub fn parse_error(message: impl fmt::Display) -> Self {
        Fault::new(Self::PARSE_ERROR, format!("parse error: {message}"))
    }

    /// -32600: the document is not a valid request.
    pub fn invalid_request(message: impl fmt::Display) -> Self {
        Fault::new(Self::INVALID_REQUEST, format!("invalid request: {message}"))
    }

    /// -32601: no method called `name`.
    ///
    /// The name is quoted only up to 64 characters, so a fault never carries a
    /// large piece of the request back.
    pub fn method_not_found(name: &str) -> Self {
        Fault::new(
            Self::METHOD_NOT_FOUND,
            format!("method not found: {}", Clipped(name)),
        )
    }

    /// -32602: the parameters do not fit the method.
    pub fn invalid_params(message: impl fmt::Display) -> Self {
        Fault::new(Self::INVALID_PARAMS, format!("invalid params: {message}"))
    }

    /// -32000: the call ran past `limit`.
    pub fn timed_out(limit: std::time::Duration) -> Self {
        Fault::new(
            Self::TIMED_OUT,
            format!("the call did not finish within {} ms", limit.as_millis()),
        )
    }

    /// -32603: the server failed while handling the call.
    pub fn internal_error(message: impl fmt::Display) -> Self {
        Fault::new(Self::INTERNAL_ERROR, format!("internal error: {message}"))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fault {}: {}", self.code, self.message)
    }
}

impl std::error::Error for Fault {}

/// Shows at most 64 characters of a name taken from a request.
pub(crate) struct Clipped<'a>(pub(crate) &'a str);

impl fmt::Display for Clipped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 64;
        match self.0.char_indices().nth(MAX) {
            None => write!(f, "`{}`", self.0.escape_debug()),
            Some((cut, _)) => write!(f, "`{}…`", self.0[..cut].escape_debug()),
        }
    }
}

/// Decoding errors become -32602: the document parsed, but a value did not fit
/// the Rust type it was read into. Syntax errors are built as -32700 directly.
impl serde::de::Error for Fault {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Fault::invalid_params(msg)
    }

    // serde's default messages quote the offending value; a fault must not echo
    // the request, so only the kind of value is named.
    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        Fault::invalid_params(format_args!(
            "invalid type: {}, expected {exp}",
            unexpected_kind(&unexp)
        ))
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        Fault::invalid_params(format_args!(
            "invalid value: {}, expected {exp}",
            unexpected_kind(&unexp)
        ))
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Fault::invalid_params(format_args!(
            "unknown variant {}, expected one of {expected:?}",
            Clipped(variant)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Fault::invalid_params(format_args!(
            "unknown field {}, expected one of {expected:?}",
            Clipped(field)
        ))
    }
}

/// Encoding errors are the server's own failure: -32603.
impl serde::ser::Error for Fault {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Fault::internal_error(msg)
    }
}

/// Names the kind of an unexpected value without its content.
pub(crate) fn unexpected_kind(unexp: &serde::de::Unexpected<'_>) -> &'static str {
    use serde::de::Unexpected as U;
    match unexp {
        U::Bool(_) => "a boolean",
        U::Unsigned(_) | U::Signed(_) => "an integer",
        U::Float(_) => "a floating-point number",
        U::Char(_) => "a character",
        U::Str(_) => "a string",
        U::Bytes(_) => "bytes",
        U::Unit => "nil",
        U::Option => "an optional value",
        U::NewtypeStruct => "a newtype struct",
        U::Seq => "an array",
        U::Map => "a struct",
        U::Enum => "an enum",
        U::UnitVariant | U::NewtypeVariant | U::TupleVariant | U::StructVariant => {
            "an enum variant"
        }
        U::Other(_) => "another kind of value",
    }
}
