//! Telling every listener to stop at once.

use std::future::Future;

use tokio::sync::watch;

/// A stop signal shared by the listeners of one server.
#[derive(Debug, Clone)]
pub struct Shutdown {
    sender: watch::Sender<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl Shutdown {
    /// A signal not yet given.
    pub fn new() -> Self {
        Shutdown {
            sender: watch::Sender::new(false),
        }
    }

    /// Gives the signal.
    pub fn trigger(&self) {
        self.sender.send_replace(true);
    }

    /// A future that resolves once the signal is given.
    pub fn signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut receiver = self.sender.subscribe();
        async move {
            let _ = receiver.wait_for(|stopped| *stopped).await;
        }
    }

    /// A future that resolves on SIGINT or SIGTERM (Ctrl-C elsewhere).
    // Spelled out rather than `async fn`: the `Send + 'static` bound is a promise of the API.
    #[allow(clippy::manual_async_fn)]
    pub fn on_signal() -> impl Future<Output = ()> + Send + 'static {
        async {
            #[cfg(unix)]
            {
                use tokio::signal::unix::{SignalKind, signal};
                let mut term = signal(SignalKind::terminate()).ok();
                let terminated = async {
                    match term.as_mut() {
                        Some(term) => {
                            term.recv().await;
                        }
                        None => std::future::pending::<()>().await,
                    }
                };
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    () = terminated => {}
                }
            }
            #[cfg(not(unix))]
            {
                let _ = tokio::signal::ctrl_c().await;
            }
            tracing::info!("shutting down: finishing calls in flight");
        }
    }
}
