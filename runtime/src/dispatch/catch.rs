//! Turning a panicking method into a fault, so the server keeps serving.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::Fault;

/// The fault a panicking method answers with (-32603).
pub(super) fn panicked(payload: &(dyn Any + Send)) -> Fault {
    // The panic message is the server's business (it went to stderr through
    // the panic hook); the client learns only that the method failed.
    let _ = payload;
    Fault::internal_error("the method panicked")
}

/// Polls an inner future, catching a panic from any poll.
pub(super) struct CatchUnwind<F>(pub(super) F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Fault>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panicked(&*payload))),
        }
    }
}
