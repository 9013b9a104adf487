//! [`Limits`]: the bounds the codecs enforce on every document they read.

use crate::Fault;

/// Bounds on what a request may hold, enforced before and during decoding.
///
/// | limit | default | why |
/// |---|---|---|
/// | [`max_body_bytes`](Self::max_body_bytes) | 16 MiB | checked before parsing starts, so an oversized body costs nothing |
/// | [`max_depth`](Self::max_depth) | 64 | arrays and structs nested deeper are refused (xmlrpc-c's default) |
/// | [`max_batch_len`](Self::max_batch_len) | 100 | calls in one JSON-RPC batch or one `system.multicall` |
/// | [`max_calls`](Self::max_calls) | 100 | methods one request may run in all: a batch's calls plus the calls of every multicall in it |
/// | [`max_subscriptions`](Self::max_subscriptions) | 1 024 | subscriptions one connection may hold open |
/// | [`max_subscription_buffer`](Self::max_subscription_buffer) | 256 | notifications of one subscription waiting for a slow client; past them the subscription ends |
///
/// ```
/// let limits = diglot::Limits::default().max_depth(16).max_body_bytes(1 << 20);
/// assert_eq!(limits.depth(), 16);
/// assert!(limits.check_body_size(2 << 20).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    body_bytes: usize,
    depth: usize,
    batch_len: usize,
    calls: usize,
    subscriptions: usize,
    subscription_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 16 * 1024 * 1024,
            depth: 64,
            batch_len: 100,
            calls: 100,
            subscriptions: 1024,
            subscription_buffer: 256,
        }
    }
}

impl Limits {
    /// Sets the largest request body, in bytes.
    #[must_use]
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.body_bytes = bytes;
        self
    }

    /// Sets how deeply arrays and structs may nest (a scalar at the top is depth 0).
    #[must_use]
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.depth = depth;
        self
    }

    /// Sets how many calls one batch or multicall may carry.
    #[must_use]
    pub fn max_batch_len(mut self, len: usize) -> Self {
        self.batch_len = len;
        self
    }

    /// Sets how many methods one request may run in all. A JSON-RPC batch
    /// of multicalls would otherwise run `max_batch_len` squared; past this
    /// bound each further call (and a multicall that would go past it, as a
    /// whole) is refused with -32600. `system.multicall` itself does not
    /// count, the calls it makes do.
    #[must_use]
    pub fn max_calls(mut self, calls: usize) -> Self {
        self.calls = calls;
        self
    }

    /// Sets how many subscriptions one connection may hold open; past it a
    /// subscribe call is refused with [`Fault::SUBSCRIPTION_REFUSED`].
    #[must_use]
    pub fn max_subscriptions(mut self, subscriptions: usize) -> Self {
        self.subscriptions = subscriptions;
        self
    }

    /// Sets how many notifications of one subscription may wait for a
    /// client that reads slowly (at least one). When an item comes and
    /// that many are waiting, the subscription ends: its last notification,
    /// sent after those waiting, says `"end":"lagged"`.
    #[must_use]
    pub fn max_subscription_buffer(mut self, notifications: usize) -> Self {
        self.subscription_buffer = notifications.max(1);
        self
    }

    /// The largest request body, in bytes.
    pub fn body_bytes(&self) -> usize {
        self.body_bytes
    }

    /// The deepest nesting of arrays and structs.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The most calls in one batch or multicall.
    pub fn batch_len(&self) -> usize {
        self.batch_len
    }

    /// The most methods one request may run.
    pub fn calls(&self) -> usize {
        self.calls
    }

    /// The most subscriptions one connection may hold open.
    pub fn subscriptions(&self) -> usize {
        self.subscriptions
    }

    /// The most notifications of one subscription that may wait.
    pub fn subscription_buffer(&self) -> usize {
        self.subscription_buffer
    }

    /// Checks a body's size — as declared by a transport before it reads the
    /// body, or as received — against [`max_body_bytes`](Self::max_body_bytes).
    ///
    /// The error is an invalid-request fault (-32600) that gives both sizes.
    pub fn check_body_size(&self, declared: u64) -> Result<(), Fault> {
        if declared > self.body_bytes as u64 {
            return Err(Fault::invalid_request(format_args!(
                "body of {declared} bytes exceeds the limit of {} bytes",
                self.body_bytes
            )));
        }
        Ok(())
    }

    pub(crate) fn check_batch_len(&self, len: usize) -> Result<(), Fault> {
        if len > self.batch_len {
            return Err(Fault::invalid_request(format_args!(
                "{len} calls in one batch exceed the limit of {}",
                self.batch_len
            )));
        }
        Ok(())
    }

    /// -32600 for a call past [`max_calls`](Self::max_calls).
    pub(crate) fn too_many_calls(&self) -> Fault {
        Fault::invalid_request(format_args!(
            "the request runs more than {} calls",
            self.calls
        ))
    }

    pub(crate) fn too_deep(&self) -> Fault {
        Fault::invalid_request(format_args!(
            "values nested deeper than the limit of {}",
            self.depth
        ))
    }
}
