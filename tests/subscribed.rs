//! The calculator with given limits, and waiting for a server's count of
//! open subscriptions to settle: a count that changes as connections and
//! tasks end is awaited with a deadline, never sampled once.

use std::time::{Duration, Instant};

use diglot::{Dispatcher, Limits};
use diglot_examples::calc::{Calc, CalculatorService};

/// How long a count may take to settle.
const DEADLINE: Duration = Duration::from_secs(10);

/// The calculator example's service with `limits`.
pub fn calculator(limits: Limits) -> Dispatcher {
    Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .limits(limits)
        .build()
        .unwrap()
}

/// Waits until `dispatcher` has `n` subscriptions open; panics past the
/// deadline. From async code.
pub async fn settle(dispatcher: &Dispatcher, n: usize) {
    let deadline = Instant::now() + DEADLINE;
    while dispatcher.subscriptions() != n {
        assert!(
            Instant::now() < deadline,
            "{} subscriptions open, expected {n}",
            dispatcher.subscriptions()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// [`settle`], from a plain thread.
#[track_caller]
pub fn settle_blocking(dispatcher: &Dispatcher, n: usize) {
    let deadline = Instant::now() + DEADLINE;
    while dispatcher.subscriptions() != n {
        assert!(
            Instant::now() < deadline,
            "{} subscriptions open, expected {n}",
            dispatcher.subscriptions()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
