//! The process signals that stop a server.

use std::future::Future;

/// Resolves on SIGINT or SIGTERM (Ctrl-C elsewhere): what
/// [`Server::serve`](crate::Server::serve) waits for.
// Spelled out rather than `async fn`: the `Send + 'static` bound is a promise of the API.
#[allow(clippy::manual_async_fn)]
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
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
