//! What `#[diglot::rpc]` generates against: the [`Service`] trait, method
//! metadata, and the pieces generated code calls to decode parameters and
//! encode results.

mod encode;
mod info;
mod params;
mod schema;

pub use encode::{Encoding, IntoReply};
pub use info::{MethodInfo, MethodKind, ParamInfo, TypeInfo};
pub use params::{ParamInput, ParamList};
pub(crate) use schema::xml_type;
pub use schema::{Describe, Schemas, undescribed};

use std::future::Future;
use std::pin::Pin;

use crate::{Context, Fault};

/// The future of an async method: resolves to the encoded result.
pub type PendingReply<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>, Fault>> + Send + 'a>>;

/// What calling a method produced.
pub enum Outcome<'a> {
    /// A synchronous method ran; its result was encoded into the output
    /// buffer, or it failed with a fault.
    Ready(Result<(), Fault>),
    /// An async method was started; its future resolves to the encoded result.
    Pending(PendingReply<'a>),
}

impl std::fmt::Debug for Outcome<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Outcome::Pending(_) => f.write_str("Pending(..)"),
        }
    }
}

/// A set of methods that a [`Dispatcher`](crate::Dispatcher) can serve.
///
/// `#[diglot::rpc]` implements it for the generated `…Server` type; writing
/// it by hand is possible but rarely needed.
pub trait Service: Send + Sync + 'static {
    /// The name of the trait the methods come from, for error messages.
    fn name(&self) -> &'static str;

    /// Every method, in a fixed order; [`call`](Self::call) takes an index
    /// into this slice.
    fn methods(&self) -> &'static [MethodInfo];

    /// The index of the method with this wire name, without allocating.
    fn find(&self, name: &str) -> Option<usize>;

    /// Decodes the parameters of method `index` and runs it. A synchronous
    /// method's result is encoded into `out`; an async method returns its
    /// future. `context` is the request's, for methods that ask for it; the
    /// future may borrow it, the service and the request body.
    fn call<'a: 'c, 'c>(
        &'a self,
        index: usize,
        params: ParamInput<'_, 'a>,
        encoding: Encoding,
        out: &mut Vec<u8>,
        context: &'c Context,
    ) -> Outcome<'c>;
}
