//! [`block_on`]: a typed client's call from code without an async runtime.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

/// Runs `future` to completion on the calling thread, without a runtime.
///
/// Enough for a typed client over a connection that completes its calls on
/// the calling thread when no runtime is running — shared memory
/// ([`ShmConnection`](crate::ShmConnection)) and [`InProcess`](crate::InProcess)
/// with synchronous methods. A future that waits on a runtime's timers or
/// sockets never finishes here: use tokio for those.
///
/// ```no_run
/// # #[diglot::rpc(namespace = "calc")]
/// # trait Calculator { fn add(&self, a: i32, b: i32) -> i32; }
/// # fn demo() -> Result<(), diglot::ClientError> {
/// use diglot::{LocalName, Protocol, ShmConnection};
///
/// let name = LocalName::parse("/tmp/diglot-calculator.shm");
/// let calc = CalculatorClient::new(ShmConnection::connect_blocking(&name, Protocol::XmlRpc)?);
/// let sum = diglot::block_on(calc.add(1, 2))?;
/// # Ok(()) }
/// ```
///
/// Do not call it from async code: it blocks the thread until the future is
/// done.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

/// Wakes [`block_on`]'s thread.
struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}
