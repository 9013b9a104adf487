//! The [`Dispatcher`]: one or more services behind the transport seam.
//!
//! It reads a request in either protocol, finds the method, decodes the
//! parameters straight into the method's types, runs it, and writes the
//! response in the protocol of the request. It also serves the built-in
//! introspection methods (`system.*`, `rpc.discover`).

mod catch;
mod system;

use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

#[cfg(feature = "http")]
use crate::transport::http::axum_types as axum_router;

use crate::json::{self, Id, Incoming};
use crate::service::{Encoding, Outcome, ParamInput, Service};
use crate::subscription::{Push, Registry};
use crate::transport::{Handler, Message, Peer, Protocol, Refusal, Reply};
use crate::xml::{self, Dialect, MethodCall};
use crate::{Context, Fault, Limits};

/// Serves one or more [`Service`]s over both protocols.
///
/// Cloning is cheap; every clone serves the same services.
///
/// ```
/// # use diglot::{Dispatcher, Limits};
/// # fn demo(calculator: impl diglot::Service, clock: impl diglot::Service) -> Result<(), diglot::BuildError> {
/// let dispatcher = Dispatcher::builder()
///     .service(calculator)
///     .service(clock)
///     .limits(Limits::default().max_batch_len(20))
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    services: Vec<Box<dyn Service>>,
    limits: Limits,
    dialect: Dialect,
    call_timeout: Option<Duration>,
    /// What `rpc.discover`'s `info` says.
    title: String,
    version: String,
    /// The subscriptions open on every connection.
    subscriptions: Arc<Registry>,
}

impl fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dispatcher")
            .field(
                "services",
                &self
                    .inner
                    .services
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>(),
            )
            .field("limits", &self.inner.limits)
            .field("dialect", &self.inner.dialect)
            .finish()
    }
}

/// Why a [`Dispatcher`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    message: String,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}

/// Collects services and settings for a [`Dispatcher`].
#[derive(Default)]
pub struct DispatcherBuilder {
    services: Vec<Box<dyn Service>>,
    limits: Limits,
    dialect: Dialect,
    call_timeout: Option<Duration>,
    info: Option<(String, String)>,
}

impl fmt::Debug for DispatcherBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DispatcherBuilder")
            .field("services", &self.services.len())
            .field("limits", &self.limits)
            .field("dialect", &self.dialect)
            .finish()
    }
}

impl DispatcherBuilder {
    /// Adds a service. Its method names must not clash with another's.
    #[must_use]
    pub fn service(mut self, service: impl Service) -> Self {
        self.services.push(Box::new(service));
        self
    }

    /// Sets the limits every request is held to.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets how XML-RPC responses spell `nil` and `i8`.
    #[must_use]
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Bounds how long an async method may run; past it the call answers
    /// with a [`Fault::TIMED_OUT`] fault and the method's future is dropped.
    /// A synchronous method cannot be interrupted. No bound by default.
    #[must_use]
    pub fn call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = Some(timeout);
        self
    }

    /// Names the service and its version in the OpenRPC document
    /// `rpc.discover` answers with (its `info`). By default the title is the
    /// names of the services' traits and the version `unspecified`.
    #[must_use]
    pub fn info(mut self, title: impl Into<String>, version: impl Into<String>) -> Self {
        self.info = Some((title.into(), version.into()));
        self
    }

    /// Checks that every method name is unique, then builds.
    pub fn build(self) -> Result<Dispatcher, BuildError> {
        let mut seen: std::collections::HashMap<&'static str, &'static str> = system::BUILTINS
            .iter()
            .map(|m| (m.name, "diglot"))
            .collect();
        for service in &self.services {
            for method in service.methods() {
                if let Some(owner) = seen.insert(method.name, service.name()) {
                    return Err(BuildError {
                        message: format!(
                            "method `{}` of `{}` is already defined by `{owner}`",
                            method.name,
                            service.name()
                        ),
                    });
                }
            }
        }
        let (title, version) = self.info.unwrap_or_else(|| {
            let names: Vec<&str> = self.services.iter().map(|s| s.name()).collect();
            (names.join(", "), "unspecified".to_owned())
        });
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                services: self.services,
                limits: self.limits,
                dialect: self.dialect,
                call_timeout: self.call_timeout,
                title,
                version,
                subscriptions: Arc::default(),
            }),
        })
    }
}

impl Dispatcher {
    /// Starts building a dispatcher.
    pub fn builder() -> DispatcherBuilder {
        DispatcherBuilder::default()
    }

    /// A dispatcher for one service with default limits.
    pub fn new(service: impl Service) -> Result<Self, BuildError> {
        Self::builder().service(service).build()
    }

    /// The limits requests are held to.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// Answers one request body. The protocol comes from `protocol` when
    /// the transport knows it, else from the body's first byte.
    pub async fn handle_body(&self, body: &[u8], protocol: Option<Protocol>) -> Reply {
        self.handle(Message::new(body, "in-process").protocol(protocol))
            .await
    }

    async fn answer(&self, request: Message<'_>) -> Reply {
        // The task-local costs a wrapper on every poll: only calls that have
        // a caller to report pay for it.
        match request.peer {
            None => self.answer_in_scope(request).await,
            peer @ Some(_) => CALLER.scope(peer, self.answer_in_scope(request)).await,
        }
    }

    async fn answer_in_scope(&self, mut request: Message<'_>) -> Reply {
        let protocol = request
            .protocol
            .or_else(|| Protocol::sniff(request.body))
            .unwrap_or(Protocol::JsonRpc);
        let budget = Budget::new(&self.inner.limits);
        let mut context = Context::of(&mut request, protocol);
        if let Some(session) = request.session {
            let push = Push::new(session, self.inner.subscriptions.clone(), self.inner.limits);
            context = context.with_push(push);
        }
        let call = Call {
            encoding: Encoding {
                protocol,
                dialect: self.inner.dialect,
            },
            transport: request.transport,
            budget: &budget,
            context: &context,
        };
        // A buffer the transport lends keeps a large reply off fresh pages.
        let mut out = std::mem::take(&mut request.reply_buffer);
        out.clear();
        let body = match protocol {
            Protocol::XmlRpc => self.handle_xml(request.body, call, out).await,
            Protocol::JsonRpc => self.handle_json(request.body, call, out).await,
        };
        let feeds = context.push().map(Push::take).unwrap_or_default();
        Reply::new(body, protocol).feeds(feeds)
    }

    async fn handle_xml(&self, body: &[u8], call_info: Call<'_>, mut out: Vec<u8>) -> Vec<u8> {
        let dialect = self.inner.dialect;
        out.reserve(256);
        let answered = async {
            let mut call = MethodCall::parse(body, &self.inner.limits)?;
            let name = call.name_cow();
            xml::write_response_head(&mut out, dialect);
            self.invoke(&name, ParamInput::Xml(&mut call), call_info, &mut out)
                .await?;
            xml::write_response_tail(&mut out);
            Ok::<(), Fault>(())
        }
        .await;
        if let Err(fault) = answered {
            out.clear();
            xml::write_fault(&mut out, &fault, dialect);
        }
        out
    }

    async fn handle_json(&self, body: &[u8], call: Call<'_>, mut out: Vec<u8>) -> Vec<u8> {
        out.reserve(128);
        match json::parse(body, &self.inner.limits) {
            Err(fault) => json::write_error(&mut out, &Id::Null, &fault),
            Ok(Incoming::Single(entry)) => {
                self.json_entry(entry, call, &mut out).await;
            }
            Ok(Incoming::Batch(entries)) => {
                let mut any = false;
                for entry in entries {
                    let mark = out.len();
                    out.push(if any { b',' } else { b'[' });
                    if self.json_entry(entry, call, &mut out).await {
                        any = true;
                    } else {
                        out.truncate(mark);
                    }
                }
                if any {
                    out.push(b']');
                }
            }
        }
        out
    }

    /// Answers one request of a JSON body; `false` if it was a notification.
    async fn json_entry(&self, entry: json::Entry<'_>, call: Call<'_>, out: &mut Vec<u8>) -> bool {
        let request = match entry {
            Ok(request) => request,
            Err(rejected) => {
                json::write_error(out, &rejected.id, &rejected.fault);
                return true;
            }
        };
        let Some(id) = &request.id else {
            // A notification runs, but its result and any fault are dropped,
            // and so is a subscription it starts: nobody knows its id.
            let started = call.context.push().map(Push::started);
            let mut scratch = Vec::new();
            let _ = self
                .invoke(
                    &request.method,
                    ParamInput::Json(request.params),
                    call,
                    &mut scratch,
                )
                .await;
            if let (Some(push), Some(started)) = (call.context.push(), started) {
                push.drop_after(started);
            }
            return false;
        };
        let start = out.len();
        out.extend_from_slice(json::RESULT_HEAD);
        match self
            .invoke(&request.method, ParamInput::Json(request.params), call, out)
            .await
        {
            Ok(()) => json::write_result_tail(out, id),
            Err(fault) => {
                out.truncate(start);
                json::write_error(out, id, &fault);
            }
        }
        true
    }

    /// Finds and runs a method, appending its encoded result to `out`. On
    /// `Err`, `out` may hold a partial result: the caller truncates it.
    fn invoke<'a, 'o>(
        &'a self,
        name: &'a str,
        params: ParamInput<'o, 'a>,
        call: Call<'o>,
        out: &'o mut Vec<u8>,
    ) -> impl Future<Output = Result<(), Fault>> + Send + 'o
    where
        'a: 'o,
    {
        let span = tracing::debug_span!(
            "rpc",
            method = name,
            protocol = ?call.encoding.protocol,
            transport = call.transport,
            fault = tracing::field::Empty,
        );
        async move {
            // With no subscriber listening, the call runs bare: entering a
            // disabled span on every poll still costs.
            if span.is_disabled() {
                return self.run(name, params, call, out).await;
            }
            let started = Instant::now();
            let result = self
                .run(name, params, call, out)
                .instrument(span.clone())
                .await;
            if let Err(fault) = &result {
                span.record("fault", fault.code);
            }
            let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            tracing::debug!(parent: &span, elapsed_us, "call finished");
            result
        }
    }

    async fn run<'a>(
        &'a self,
        name: &'a str,
        params: ParamInput<'_, 'a>,
        call: Call<'_>,
        out: &mut Vec<u8>,
    ) -> Result<(), Fault> {
        // A multicall's own calls count, not the multicall.
        if name != system::MULTICALL_NAME {
            call.budget.take(1)?;
        }
        if system::is_builtin(name) {
            return Box::pin(system::call(self, name, params, call, out)).await;
        }
        let Some((service, index)) = self.find(name) else {
            return Err(Fault::method_not_found(name));
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            service.call(index, params, call.encoding, &mut *out, call.context)
        }))
        .unwrap_or_else(|payload| Outcome::Ready(Err(catch::panicked(&*payload))));
        match outcome {
            Outcome::Ready(result) => result,
            Outcome::Pending(future) => {
                let running = catch::CatchUnwind(future);
                let bytes = match self.inner.call_timeout {
                    None => running.await??,
                    Some(limit) => tokio::time::timeout(limit, running)
                        .await
                        .map_err(|_| Fault::timed_out(limit))???,
                };
                out.extend_from_slice(&bytes);
                Ok(())
            }
        }
    }

    fn find(&self, name: &str) -> Option<(&dyn Service, usize)> {
        self.inner
            .services
            .iter()
            .find_map(|s| s.find(name).map(|index| (&**s, index)))
    }

    /// The dispatcher as an axum `Router` on the default paths (`/` and
    /// `/RPC2`), to mount inside an application under its own tower layers.
    /// Bodies are held to the dispatcher's [`Limits`].
    #[cfg(feature = "http")]
    pub fn router(&self) -> axum_router::Router {
        self.router_with(crate::HttpConfig::default())
    }

    /// [`router`](Self::router) with explicit paths and timeouts.
    #[cfg(feature = "http")]
    pub fn router_with(&self, config: crate::HttpConfig) -> axum_router::Router {
        crate::transport::http::router(Arc::new(self.clone()), config)
    }

    /// How many subscriptions are open, on every connection.
    pub fn subscriptions(&self) -> usize {
        self.inner.subscriptions.len()
    }

    /// Every method of every service, built-ins last.
    pub fn methods(&self) -> impl Iterator<Item = &'static crate::MethodInfo> + '_ {
        self.inner
            .services
            .iter()
            .flat_map(|s| s.methods())
            .chain(system::BUILTINS.iter())
    }
}

impl Handler for Dispatcher {
    fn handle<'b>(&'b self, message: Message<'b>) -> impl Future<Output = Reply> + Send + 'b {
        self.answer(message)
    }

    /// [`Limits::max_body_bytes`].
    fn max_body_bytes(&self) -> usize {
        self.inner.limits.body_bytes()
    }

    /// The OpenRPC document `rpc.discover` answers with.
    fn describe(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(&system::discover(self)).ok()
    }

    /// A body over the limit is -32600, bytes that are no frame -32700: an
    /// XML-RPC fault when the transport knows the request was XML-RPC, a
    /// JSON-RPC error with a null id otherwise.
    fn refuse(&self, refusal: Refusal, protocol: Option<Protocol>) -> Reply {
        let fault = match refusal {
            Refusal::TooLarge { limit } => Fault::invalid_request(format_args!(
                "request body larger than the limit of {limit} bytes"
            )),
            Refusal::Unreadable { reason } => Fault::parse_error(reason),
            _ => Fault::invalid_request("request refused by the transport"),
        };
        let protocol = protocol.unwrap_or(Protocol::JsonRpc);
        let mut body = Vec::new();
        match protocol {
            Protocol::XmlRpc => xml::write_fault(&mut body, &fault, self.inner.dialect),
            Protocol::JsonRpc => json::write_error(&mut body, &Id::Null, &fault),
        }
        Reply::new(body, protocol)
    }
}

tokio::task_local! {
    /// The peer of the request being answered.
    static CALLER: Option<Peer>;
}

/// The credentials of the process that made the call being handled, when
/// it came over a local socket that reports them (Unix domain sockets,
/// shared memory); `None` elsewhere. Call it from inside a method; a method
/// that takes a [`&Context`](crate::Context) has them as
/// [`Context::peer`](crate::Context::peer), with the rest of what its
/// transport knows.
///
/// ```no_run
/// fn whoami() -> Option<u32> {
///     diglot::caller().map(|peer| peer.uid)
/// }
/// ```
pub fn caller() -> Option<Peer> {
    CALLER.try_with(|peer| *peer).ok().flatten()
}

/// What every call of a request shares: how results are encoded, the
/// transport it came by (for traces), how many calls it may still run, and
/// the context methods may ask for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'r> {
    pub(crate) encoding: Encoding,
    pub(crate) transport: &'static str,
    pub(crate) budget: &'r Budget,
    pub(crate) context: &'r Context,
}

/// The calls one request may still run ([`Limits::max_calls`]). Atomic only
/// so that the request's future stays `Send`; a request's calls run one at a
/// time.
#[derive(Debug)]
pub(crate) struct Budget {
    left: std::sync::atomic::AtomicUsize,
    limits: Limits,
}

impl Budget {
    fn new(limits: &Limits) -> Self {
        Budget {
            left: std::sync::atomic::AtomicUsize::new(limits.calls()),
            limits: *limits,
        }
    }

    /// Spends `n` calls, or refuses them all.
    pub(crate) fn take(&self, n: usize) -> Result<(), Fault> {
        use std::sync::atomic::Ordering::Relaxed;
        self.left
            .fetch_update(Relaxed, Relaxed, |left| left.checked_sub(n))
            .map(|_| ())
            .map_err(|_| self.limits.too_many_calls())
    }

    /// Whether `n` more calls fit, spending nothing.
    pub(crate) fn check(&self, n: usize) -> Result<(), Fault> {
        if self.left.load(std::sync::atomic::Ordering::Relaxed) < n {
            return Err(self.limits.too_many_calls());
        }
        Ok(())
    }
}
