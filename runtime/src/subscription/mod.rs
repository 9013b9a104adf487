//! Subscriptions: a method that answers with an id, then sends items as
//! JSON-RPC notifications on the caller's connection until the items end,
//! the client unsubscribes, it reads too slowly, or the connection ends.
//!
//! A subscription runs as a task of its own, pushing each item into a
//! bounded feed the transport writes from ([`diglot_transports::feed`]).

mod registry;
mod wire;

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use diglot_transports::{Feed, PushError, Session};
use futures_core::Stream;
use serde::Serialize;

pub(crate) use registry::Registry;

use crate::service::Encoding;
use crate::{Context, Fault, Limits, MethodInfo, Protocol};

/// The items a subscription method sends, one notification each, in
/// order; the subscription ends when they do.
///
/// A method marked `#[rpc(subscription)]` returns one (or a `Result` of
/// one, to refuse with a fault), built from any [`Stream`] that is `Send`:
///
/// ```
/// use diglot::Subscription;
///
/// #[diglot::rpc(namespace = "clock")]
/// pub trait Clock {
///     /// The numbers from 1 to `count`, one per call of the stream.
///     #[rpc(subscription)]
///     fn count(&self, count: u32) -> Subscription<u32>;
/// }
///
/// struct Counter;
/// impl Clock for Counter {
///     fn count(&self, count: u32) -> Subscription<u32> {
///         Subscription::iter(1..=count)
///     }
/// }
/// # let _ = ClockService::new(Counter);
/// ```
pub struct Subscription<T> {
    items: Pin<Box<dyn Stream<Item = T> + Send + 'static>>,
}

impl<T> Subscription<T> {
    /// The items `stream` yields.
    pub fn new(stream: impl Stream<Item = T> + Send + 'static) -> Self {
        Subscription {
            items: Box::pin(stream),
        }
    }

    /// The items of an iterator, each as soon as the client takes it.
    pub fn iter<I>(items: I) -> Self
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: Send + Unpin + 'static,
    {
        Subscription::new(Iter(items.into_iter()))
    }

    /// No items: the subscription ends as soon as it starts.
    pub fn empty() -> Self
    where
        T: 'static,
    {
        Subscription::iter(std::iter::empty())
    }

    async fn next(&mut self) -> Option<T> {
        std::future::poll_fn(|cx| self.items.as_mut().poll_next(cx)).await
    }
}

impl<T> fmt::Debug for Subscription<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Subscription(..)")
    }
}

/// An iterator as a stream that is always ready.
struct Iter<I>(I);

impl<I: Iterator + Unpin> Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

/// What a request's [`Context`] holds on a connection that carries feeds:
/// where to register subscriptions, and the feeds the request started.
pub(crate) struct Push {
    session: Session,
    registry: Arc<Registry>,
    limits: Limits,
    feeds: Mutex<Vec<Feed>>,
}

/// A copy reaches the same connection's subscriptions but starts with no
/// feeds of its own: the dispatcher collects feeds from the context it made,
/// which is the one subscriptions are started through.
impl Clone for Push {
    fn clone(&self) -> Self {
        Push::new(self.session, self.registry.clone(), self.limits)
    }
}

impl fmt::Debug for Push {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Push")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl Push {
    pub(crate) fn new(session: Session, registry: Arc<Registry>, limits: Limits) -> Self {
        Push {
            session,
            registry,
            limits,
            feeds: Mutex::new(Vec::new()),
        }
    }

    fn feeds(&self) -> std::sync::MutexGuard<'_, Vec<Feed>> {
        self.feeds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many feeds the request has started so far.
    pub(crate) fn started(&self) -> usize {
        self.feeds().len()
    }

    /// Drops the feeds started after the first `count` (those of a
    /// notification, whose caller never learns their ids): their
    /// subscriptions end.
    pub(crate) fn drop_after(&self, count: usize) {
        self.feeds().truncate(count);
    }

    /// The feeds the request started, for its reply.
    pub(crate) fn take(&self) -> Vec<Feed> {
        std::mem::take(&mut *self.feeds())
    }
}

/// Why a subscription ended, as its last notification says.
#[derive(Debug)]
enum End {
    /// Its items ran out.
    Completed,
    /// Its feed was full: the client read too slowly.
    Lagged { buffer: usize },
    /// An item could not be encoded.
    Failed(Fault),
}

/// Starts the subscription `method` answers with: registers it, spawns the
/// task that feeds its items to the connection, and writes its id as the
/// call's result.
pub(crate) fn start<T>(
    context: &Context,
    method: &'static MethodInfo,
    items: Subscription<T>,
    encoding: Encoding,
    out: &mut Vec<u8>,
) -> Result<(), Fault>
where
    T: Serialize + Send + 'static,
{
    if encoding.protocol == Protocol::XmlRpc {
        return Err(refused(format_args!(
            "{} is a subscription: XML-RPC cannot carry its notifications; call it in JSON-RPC",
            method.name
        )));
    }
    let Some(push) = context.push() else {
        return Err(refused(format_args!(
            "{} is a subscription: it needs a connection the server can send notifications \
             on ({CARRIERS}), and this call came over {}",
            method.name,
            came_over(context)
        )));
    };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return Err(Fault::internal_error(
            "subscriptions run on a tokio runtime, and this call has none",
        ));
    };
    let max = push.limits.subscriptions();
    let Some((live, mut cancelled)) = push.registry.open(push.session, max) else {
        return Err(refused(format_args!(
            "this connection has {max} subscriptions, the most it may have"
        )));
    };
    let id = live.id;
    encoding.encode(&id, out)?;
    let buffer = push.limits.subscription_buffer();
    let (sender, feed) = diglot_transports::feed::feed(buffer);
    let name = method.name;
    let mut items = items;
    runtime.spawn(async move {
        // Frees the subscription's place however the task ends.
        let _live = live;
        let end = loop {
            let item = tokio::select! {
                biased;
                _ = &mut cancelled => return,
                () = sender.closed() => return,
                item = items.next() => item,
            };
            let Some(item) = item else {
                break End::Completed;
            };
            let body = match wire::item(name, id, &item) {
                Ok(body) => body,
                Err(fault) => break End::Failed(fault),
            };
            match sender.push(body) {
                Ok(()) => {}
                Err(PushError::Full) => break End::Lagged { buffer },
                Err(PushError::Closed) => return,
            }
            // Items that are always ready must not hold the worker thread.
            tokio::task::consume_budget().await;
        };
        tracing::debug!(subscription = id, method = name, ?end, "subscription ended");
        sender.finish(wire::end(name, id, &end));
    });
    push.feeds().push(feed);
    Ok(())
}

/// Ends subscription `id`, if the caller's connection opened it.
pub(crate) fn stop(context: &Context, id: u64) -> bool {
    context
        .push()
        .is_some_and(|push| push.registry.close(push.session, id))
}

/// The transports a subscription works on, for faults.
const CARRIERS: &str =
    "a WebSocket, TCP, a Unix socket, a named pipe or stdio served in task mode, or shared memory";

/// How the call came, for a fault that says why it cannot push.
fn came_over(context: &Context) -> String {
    let transport = context.transport();
    #[cfg(feature = "http")]
    if context.http().is_some() && !transport.starts_with("http") {
        return format!("HTTP on {transport}");
    }
    transport.to_owned()
}

fn refused(message: fmt::Arguments<'_>) -> Fault {
    Fault::new(Fault::SUBSCRIPTION_REFUSED, message.to_string())
}
