//! The HTTP handling as an axum `Router`, to mount inside an application.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::routing::any;

use super::HttpConfig;
use super::respond::respond;
use super::websocket::{Sessions, Watch};
use crate::Handler;
use crate::seam::Caller;

/// A `Router` that serves `handler` on the configured paths, with the same
/// checks and limits as the standalone server — the body limit is the
/// handler's (connection limits and header timeouts belong to whoever
/// serves the router).
///
/// Add tower layers — tracing, authentication, CORS, compression — with
/// `Router::layer`, and mount it with `Router::merge` or `Router::nest`.
pub fn router<H: Handler>(handler: Arc<H>, config: HttpConfig) -> Router {
    let config = Arc::new(config);
    let mut router = Router::new();
    for path in config.paths.clone() {
        let handler = handler.clone();
        let config = config.clone();
        router = router.route(
            &path,
            any(move |request: Request| {
                let handler = handler.clone();
                let config = config.clone();
                async move {
                    // A WebSocket session outlives the request: it runs as a
                    // task of its own, and ends when its client leaves.
                    let sessions: Sessions = Arc::new(|session| {
                        tokio::spawn(session);
                    });
                    let upgrades = (&sessions, Watch::default());
                    respond(
                        &handler,
                        &config,
                        "http",
                        Caller::default(),
                        request,
                        upgrades,
                    )
                    .await
                    .map(Body::new)
                }
            }),
        );
    }
    router
}
