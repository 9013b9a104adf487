//! [`Tasks`]: connections served as tasks of the async runtime, and their
//! drain.

use std::future::Future;

use tokio::task::JoinSet;

use super::{Slot, StopSignal};

/// The connections of one endpoint that run as tasks.
#[derive(Debug, Default)]
pub struct Tasks {
    running: JoinSet<()>,
}

impl Tasks {
    /// No connections yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `connection` as a task holding `slot` until it ends.
    pub fn spawn(&mut self, slot: Slot, connection: impl Future<Output = ()> + Send + 'static) {
        // Finished connections are reaped here, so the set stays as large as
        // the number of open connections.
        while self.running.try_join_next().is_some() {}
        self.running.spawn(async move {
            let _slot = slot;
            connection.await;
        });
    }

    /// Waits for every connection to end, at most the signal's grace; then
    /// cuts the rest and logs how many.
    pub async fn drain(mut self, stop: &StopSignal, transport: &'static str) {
        let all = async { while self.running.join_next().await.is_some() {} };
        if tokio::time::timeout(stop.grace(), all).await.is_err() {
            let cut = self.running.len();
            tracing::warn!(transport, connections = cut, grace = ?stop.grace(), "cutting connections still open after the grace");
            self.running.shutdown().await;
        }
    }
}
