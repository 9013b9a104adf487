//! Encoding a method's result for the protocol of the call.

use serde::Serialize;

use crate::Fault;
use crate::transport::Protocol;
use crate::xml::{self, Dialect};

/// How results are written: the protocol of the call and, for XML-RPC, the
/// dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Encoding {
    /// The protocol of the call.
    pub protocol: Protocol,
    /// The XML-RPC spelling of extension types.
    pub dialect: Dialect,
}

impl Encoding {
    /// Appends `value` as an XML-RPC `<value>` or a JSON value; on failure
    /// `out` is left as it was.
    pub fn encode<T: Serialize + ?Sized>(self, value: &T, out: &mut Vec<u8>) -> Result<(), Fault> {
        match self.protocol {
            Protocol::XmlRpc => xml::write_value(out, value, self.dialect),
            Protocol::JsonRpc => {
                let start = out.len();
                crate::json::to_vec(out, value).map_err(|e| {
                    out.truncate(start);
                    Fault::internal_error(format_args!("the result could not be encoded: {e}"))
                })
            }
        }
    }

    /// [`encode`](Self::encode) into a new buffer, for async methods.
    pub fn encode_owned<T: Serialize + ?Sized>(self, value: &T) -> Result<Vec<u8>, Fault> {
        let mut out = Vec::with_capacity(64);
        self.encode(value, &mut out)?;
        Ok(out)
    }
}

/// A method's return value seen as a reply: `T` is a success, `Result<T, E>`
/// splits into a success or a fault.
///
/// `#[diglot::rpc]` uses [`IntoReply::plain`] for return types not spelled
/// `Result<…>`, and [`IntoReply::result`] for those that are.
#[derive(Debug)]
pub struct IntoReply;

impl IntoReply {
    /// A plain return value.
    pub fn plain<T>(value: T) -> Result<T, Fault> {
        Ok(value)
    }

    /// A `Result` whose error converts into a [`Fault`].
    pub fn result<T, E: Into<Fault>>(value: Result<T, E>) -> Result<T, Fault> {
        value.map_err(Into::into)
    }
}
