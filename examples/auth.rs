//! diglot mounted inside an axum application, behind HTTP basic
//! authentication: the pattern for any tower layer (tracing, CORS,
//! compression) in front of an RPC endpoint.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use diglot::{BuildError, Dispatcher};

use crate::calc::{Calc, CalculatorService};

// ANCHOR: app
/// The application: `/health` for anyone, the calculator on `/RPC2` (and
/// `/`) for callers who give `user` and `password`.
pub fn app(user: &str, password: &str) -> Result<Router, BuildError> {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc))?;
    let expected = basic_credentials(user, password);
    let rpc = dispatcher
        .router()
        .layer(middleware::from_fn(move |request, next| {
            require(expected.clone(), request, next)
        }));
    Ok(Router::new()
        .route("/health", get(|| async { "ok\n" }))
        .merge(rpc))
}
// ANCHOR_END: app

/// The `Authorization` header value basic authentication expects.
fn basic_credentials(user: &str, password: &str) -> HeaderValue {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    HeaderValue::from_str(&format!("Basic {token}")).expect("base64 is a valid header value")
}

/// Lets a request through only with the expected credentials.
async fn require(expected: HeaderValue, request: Request, next: Next) -> Response {
    if request.headers().get(header::AUTHORIZATION) == Some(&expected) {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Basic realm=\"diglot\"")],
        "credentials required\n",
    )
        .into_response()
}
