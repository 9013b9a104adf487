//! Per-method authorisation: a tower layer checks a bearer token and leaves
//! the caller's identity in the request; methods read it from their
//! [`Context`] and decide for themselves.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use diglot::{BuildError, Context, Dispatcher, Fault};

// ANCHOR: service
/// Who a token belongs to, as the layer found it.
#[derive(Debug, Clone)]
pub struct Identity {
    /// The user's name.
    pub name: String,
    /// Whether the user may run administrative methods.
    pub admin: bool,
}

/// Methods whose answer depends on who calls.
#[diglot::rpc(namespace = "account")]
pub trait Account {
    /// The caller's name.
    fn whoami(&self, ctx: &Context) -> Result<String, Fault>;
    /// Clears every session: administrators only.
    fn reset(&self, ctx: &Context) -> Result<u32, Fault>;
}

/// The fault a caller without the right gets.
pub const FORBIDDEN: i32 = 403;

/// The identity the layer attached to the call.
fn identity(ctx: &Context) -> Result<&Identity, Fault> {
    ctx.extension::<Identity>()
        .ok_or_else(|| Fault::new(401, "no identity: the call did not come through the layer"))
}

/// The accounts service.
pub struct Accounts;

impl Account for Accounts {
    fn whoami(&self, ctx: &Context) -> Result<String, Fault> {
        Ok(identity(ctx)?.name.clone())
    }

    fn reset(&self, ctx: &Context) -> Result<u32, Fault> {
        let who = identity(ctx)?;
        if !who.admin {
            return Err(Fault::new(
                FORBIDDEN,
                format!("{} may not reset sessions", who.name),
            ));
        }
        Ok(0)
    }
}
// ANCHOR_END: service

// ANCHOR: app
/// The application: `/RPC2` (and `/`) for holders of a known token, each
/// call seeing who holds it.
pub fn app(tokens: HashMap<String, Identity>) -> Result<Router, BuildError> {
    let dispatcher = Dispatcher::new(AccountService::new(Accounts))?;
    let tokens = Arc::new(tokens);
    Ok(dispatcher
        .router()
        .layer(middleware::from_fn(move |request, next| {
            authenticate(tokens.clone(), request, next)
        })))
}

/// Lets a request through with a known `Authorization: Bearer` token,
/// with its holder's identity in the request's extensions.
async fn authenticate(
    tokens: Arc<HashMap<String, Identity>>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = (request.headers().get(header::AUTHORIZATION))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    match token.and_then(|token| tokens.get(token)) {
        Some(identity) => {
            let identity = identity.clone();
            request.extensions_mut().insert(identity);
            next.run(request).await
        }
        None => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "a known bearer token is required\n",
        )
            .into_response(),
    }
}
// ANCHOR_END: app
