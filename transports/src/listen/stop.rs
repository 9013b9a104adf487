//! [`Stop`]: one signal that tells every endpoint of a server to stop
//! accepting and finish what it has in flight, within a grace period.

use std::time::Duration;

use tokio::sync::watch;

/// The sending side: gives the signal once, to every [`StopSignal`].
#[derive(Debug)]
pub struct Stop {
    sender: watch::Sender<bool>,
    grace: Duration,
}

impl Stop {
    /// A signal not yet given; after it, connections have `grace` to finish.
    pub fn new(grace: Duration) -> Self {
        Stop {
            sender: watch::Sender::new(false),
            grace,
        }
    }

    /// Gives the signal (again is harmless).
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// A receiving side.
    pub fn signal(&self) -> StopSignal {
        StopSignal {
            receiver: self.sender.subscribe(),
            grace: self.grace,
        }
    }
}

/// The receiving side: endpoints and their connections watch it.
#[derive(Debug, Clone)]
pub struct StopSignal {
    receiver: watch::Receiver<bool>,
    grace: Duration,
}

impl StopSignal {
    /// Resolves once the signal is given (at once if it was).
    pub async fn stopped(&mut self) {
        let _ = self.receiver.wait_for(|stopped| *stopped).await;
    }

    /// Whether the signal has been given.
    pub fn is_stopped(&self) -> bool {
        *self.receiver.borrow()
    }

    /// How long connections may take to finish after the signal before
    /// they are cut.
    pub fn grace(&self) -> Duration {
        self.grace
    }
}
