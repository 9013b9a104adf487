//! [`Context`]: what a method may know about the call it answers.

use std::net::SocketAddr;

use diglot_transports::{Message, Peer, Protocol};

use crate::subscription::Push;

/// What a method may know about the call it is answering: the protocol and
/// transport it came by, who sent it, and, over HTTP, the request's head.
///
/// A method asks for it with a parameter of type `&Context` (spelled
/// `&Context` or `&diglot::Context`), anywhere in its parameter list. It is
/// never a wire parameter: clients do not send it, introspection does not
/// show it, and the typed client's method does not take it. Every call of a
/// batch or a `system.multicall` sees the context of the request that
/// carried it.
///
/// ```
/// use diglot::{Context, Dispatcher, Fault, InProcess, Protocol};
///
/// #[diglot::rpc]
/// pub trait Account {
///     /// Who the server thinks is calling.
///     fn whoami(&self, ctx: &Context) -> String;
/// }
///
/// struct Accounts;
/// impl Account for Accounts {
///     fn whoami(&self, ctx: &Context) -> String {
///         match ctx.remote_addr() {
///             Some(addr) => format!("{addr} over {}", ctx.transport()),
///             None => format!("someone over {}", ctx.transport()),
///         }
///     }
/// }
///
/// # diglot::block_on(async {
/// let dispatcher = Dispatcher::new(AccountService::new(Accounts)).unwrap();
/// let client = AccountClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
/// assert_eq!(client.whoami().await.unwrap(), "someone over in-process");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Context {
    protocol: Protocol,
    transport: &'static str,
    remote: Option<SocketAddr>,
    peer: Option<Peer>,
    process: Option<u32>,
    #[cfg(feature = "http")]
    http: Option<std::sync::Arc<http::request::Parts>>,
    /// Where subscriptions go, on a connection that carries them. Held
    /// inline: a call that starts none allocates nothing for it.
    push: Option<Push>,
}

impl Context {
    /// The context of a request that came as `message`, read as `protocol`.
    pub(crate) fn of(message: &mut Message<'_>, protocol: Protocol) -> Self {
        Context {
            protocol,
            transport: message.transport,
            remote: message.remote,
            peer: message.peer,
            process: (message.process)
                .or_else(|| message.peer.and_then(|p| u32::try_from(p.pid?).ok())),
            #[cfg(feature = "http")]
            http: message.http.take(),
            push: None,
        }
    }

    /// A context for a call that came by `transport` in `protocol`, with
    /// nothing else known: for calling a [`Service`](crate::Service) by
    /// hand, and for tests.
    pub fn new(protocol: Protocol, transport: &'static str) -> Self {
        Context {
            protocol,
            transport,
            remote: None,
            peer: None,
            process: None,
            #[cfg(feature = "http")]
            http: None,
            push: None,
        }
    }

    /// The context on a connection that carries subscriptions.
    pub(crate) fn with_push(mut self, push: Push) -> Self {
        self.push = Some(push);
        self
    }

    pub(crate) fn push(&self) -> Option<&Push> {
        self.push.as_ref()
    }

    /// The protocol the request was written in.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The transport's name: `http`, `https`, `tcp`, `unix`, `pipe`,
    /// `stdio`, `shm` or `in-process` (or a custom transport's).
    pub fn transport(&self) -> &'static str {
        self.transport
    }

    /// The address of the other end, over TCP and HTTP on TCP. Behind a
    /// proxy it is the proxy's; the client's is in a header the proxy sets
    /// (`X-Forwarded-For`), which only a trusted proxy should be believed
    /// on. A [`router`](crate::Dispatcher::router) mounted in an axum app
    /// knows it when the app is served with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// The credentials of the calling process, over Unix domain sockets
    /// (HTTP on them too) and shared memory, as the kernel reported them.
    pub fn peer(&self) -> Option<Peer> {
        self.peer
    }

    /// The id of the calling process: over Unix domain sockets and shared
    /// memory (as in [`peer`](Self::peer), where the platform reports it),
    /// and over named pipes on Windows, which report no user or group.
    pub fn process_id(&self) -> Option<u32> {
        self.process
    }

    /// The HTTP request's head (method, URI, headers, extensions), for a
    /// call that came over HTTP.
    #[cfg(feature = "http")]
    pub fn http(&self) -> Option<&http::request::Parts> {
        self.http.as_deref()
    }

    /// The HTTP request's headers, for a call that came over HTTP.
    #[cfg(feature = "http")]
    pub fn headers(&self) -> Option<&http::HeaderMap> {
        self.http().map(|parts| &parts.headers)
    }

    /// A value a tower layer (or the transport) put in the HTTP request's
    /// extensions, such as an authenticated identity: `None` when there is
    /// none of type `T`, or the call did not come over HTTP.
    #[cfg(feature = "http")]
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.http()?.extensions.get::<T>()
    }
}
