//! The JSON-RPC 2.0 codec.
//!
//! [`parse`] reads a request body — one request, a notification or a batch —
//! into borrowed [`Request`]s whose `params` stay raw JSON until a method
//! decodes them straight into its Rust types. Every error case of the
//! specification has its code: a body that is not JSON is -32700, a request
//! object that breaks the rules is -32600 (answered with its `id` when that
//! could be read), an empty batch is one -32600 error.
//!
//! The writers build responses: [`write_result`], [`write_error`], and
//! [`BatchWriter`], which also leaves the body empty when every call of a
//! batch was a notification, as the specification asks.
//!
//! ```
//! use diglot::json::{self, Incoming};
//! use diglot::Limits;
//!
//! let body = br#"{"jsonrpc":"2.0","method":"calc.add","params":{"a":1,"b":2},"id":7}"#;
//! let Incoming::Single(Ok(request)) = json::parse(body, &Limits::default())? else {
//!     panic!("a valid request")
//! };
//! #[derive(serde::Deserialize)]
//! struct Add { a: i32, b: i32 }
//! let add: Add = request.params.decode()?;
//!
//! let mut out = Vec::new();
//! json::write_result(&mut out, request.id.as_ref().unwrap(), &(add.a + add.b))?;
//! assert_eq!(out, br#"{"jsonrpc":"2.0","result":3,"id":7}"#);
//! # Ok::<(), diglot::Fault>(())
//! ```

mod request;
mod response;
mod scan;
mod write;

pub use request::{Entry, Id, Incoming, Params, Rejected, Request, parse};
pub(crate) use request::{redact, redact_message};
pub use response::{
    BatchWriter, answer_id, decode_response, write_error, write_request, write_result,
};
pub(crate) use response::{RESULT_HEAD, write_result_tail};
pub(crate) use write::to_vec;
