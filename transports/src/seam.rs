//! The seam between transports and the runtime: body in, body out, and the
//! limit every transport enforces before reading past it.

use std::future::Future;

use crate::feed::{Feed, Session};

/// The two protocols diglot speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// XML-RPC.
    XmlRpc,
    /// JSON-RPC 2.0.
    JsonRpc,
}

impl Protocol {
    /// The protocol a body is written in, judged from its first non-blank
    /// byte: `<` is XML-RPC, `{` or `[` is JSON-RPC.
    pub fn sniff(body: &[u8]) -> Option<Protocol> {
        match body.iter().find(|b| !b.is_ascii_whitespace())? {
            b'<' => Some(Protocol::XmlRpc),
            b'{' | b'[' => Some(Protocol::JsonRpc),
            // A UTF-8 byte-order mark before `<`.
            0xEF => Some(Protocol::XmlRpc),
            _ => None,
        }
    }

    /// The media type of a response in this protocol.
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::XmlRpc => "text/xml; charset=utf-8",
            Protocol::JsonRpc => "application/json",
        }
    }
}

/// A request body as a transport received it, with what the transport knows
/// about it.
///
/// Built with [`Message::new`] and the setters, so that fields can be added
/// without breaking transports written outside diglot.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Message<'b> {
    /// The whole request body.
    pub body: &'b [u8],
    /// The protocol, when the transport knows it (an HTTP `Content-Type`);
    /// `None` lets the handler sniff the body.
    pub protocol: Option<Protocol>,
    /// The transport's name (`http`, `tcp`, `unix`, `pipe`, `stdio`,
    /// `shm`, …), for logs and traces.
    pub transport: &'static str,
    /// Who is calling, when the transport can tell (a Unix socket's peer).
    pub peer: Option<Peer>,
    /// The address of the other end of a TCP connection (TCP, HTTP).
    pub remote: Option<std::net::SocketAddr>,
    /// The calling process's id where the transport knows it but not
    /// [`peer`](Self::peer)'s credentials (a named pipe's client).
    pub process: Option<u32>,
    /// The HTTP request's head (method, URI, headers and the extensions
    /// tower layers set), for a body that came over HTTP.
    #[cfg(feature = "http")]
    pub http: Option<std::sync::Arc<::http::request::Parts>>,
    /// The connection, when it can carry [`Feed`]s: the feeds in this
    /// message's reply are written on it. `None` where the transport
    /// cannot send unasked (plain HTTP, a thread-per-connection stream).
    pub session: Option<Session>,
    /// Room for the reply: a buffer the transport is done with (its last
    /// reply's), for the handler to write this reply into instead of
    /// allocating one. Only its capacity counts; empty by default.
    pub reply_buffer: Vec<u8>,
}

impl<'b> Message<'b> {
    /// A body that came by `transport`, protocol and peer unknown.
    pub fn new(body: &'b [u8], transport: &'static str) -> Self {
        Message {
            body,
            protocol: None,
            transport,
            peer: None,
            remote: None,
            process: None,
            #[cfg(feature = "http")]
            http: None,
            session: None,
            reply_buffer: Vec::new(),
        }
    }

    /// Lends a buffer to write the reply into; see
    /// [`reply_buffer`](Self::reply_buffer).
    #[must_use]
    pub fn reply_buffer(mut self, buffer: Vec<u8>) -> Self {
        self.reply_buffer = buffer;
        self
    }

    /// Sets the connection the reply's feeds go out on.
    #[must_use]
    pub fn session(mut self, session: Option<Session>) -> Self {
        self.session = session;
        self
    }

    /// Sets the protocol the transport knows the body to be in.
    #[must_use]
    pub fn protocol(mut self, protocol: Option<Protocol>) -> Self {
        self.protocol = protocol;
        self
    }

    /// Sets who is calling.
    #[must_use]
    pub fn peer(mut self, peer: Option<Peer>) -> Self {
        self.peer = peer;
        self
    }

    /// Sets the address of the other end.
    #[must_use]
    pub fn remote(mut self, remote: Option<std::net::SocketAddr>) -> Self {
        self.remote = remote;
        self
    }

    /// Sets the calling process's id.
    #[must_use]
    pub fn process(mut self, process: Option<u32>) -> Self {
        self.process = process;
        self
    }

    /// Sets the HTTP request's head.
    #[cfg(feature = "http")]
    #[must_use]
    pub fn http(mut self, parts: std::sync::Arc<::http::request::Parts>) -> Self {
        self.http = Some(parts);
        self
    }
}

/// Who is at the other end of a connection, as its transport knows it.
#[derive(Debug, Clone, Copy, Default)]
#[cfg_attr(not(any(feature = "http", feature = "stream")), allow(dead_code))]
pub(crate) struct Caller {
    /// The address of a TCP peer.
    pub(crate) remote: Option<std::net::SocketAddr>,
    /// The credentials of a local peer.
    pub(crate) peer: Option<Peer>,
    /// The id of a local peer's process, where there are no credentials.
    pub(crate) process: Option<u32>,
}

/// The credentials of the process at the other end of a local socket, as
/// the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Peer {
    /// The peer's effective user id.
    pub uid: u32,
    /// The peer's effective group id.
    pub gid: u32,
    /// The peer's process id, where the platform reports it.
    pub pid: Option<i32>,
}

impl Peer {
    /// Credentials as the kernel reported them.
    pub fn new(uid: u32, gid: u32, pid: Option<i32>) -> Self {
        Peer { uid, gid, pid }
    }
}

/// What a handler answers.
#[derive(Debug)]
#[non_exhaustive]
pub struct Reply {
    /// The response body; empty when there is nothing to send back (a
    /// JSON-RPC notification, or a batch of them).
    pub body: Vec<u8>,
    /// The protocol the response is written in.
    pub protocol: Protocol,
    /// Feeds the request started (subscriptions), to write on the
    /// message's [`session`](Message::session) after the body. Always
    /// empty for a message without one.
    pub feeds: Vec<Feed>,
}

impl Reply {
    /// A body in `protocol`, starting no feed.
    pub fn new(body: Vec<u8>, protocol: Protocol) -> Self {
        Reply {
            body,
            protocol,
            feeds: Vec::new(),
        }
    }

    /// Adds the feeds the request started.
    #[must_use]
    pub fn feeds(mut self, feeds: Vec<Feed>) -> Self {
        self.feeds = feeds;
        self
    }
}

/// Why a transport could not hand a request over to its handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The body is larger than [`Handler::max_body_bytes`]; the transport
    /// stopped reading it at the limit.
    TooLarge {
        /// The limit it went past.
        limit: usize,
    },
    /// The bytes are not a request in the transport's framing.
    Unreadable {
        /// What was wrong, in a few words.
        reason: &'static str,
    },
}

/// The largest request body a handler accepts unless it says otherwise:
/// 16 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// Turns request bodies into response bodies. Shaped like `tower::Service`,
/// but with a borrowed body so that the runtime can decode straight from the
/// transport's buffer.
///
/// Handlers are shared by every connection of every transport at once.
/// diglot's [`Dispatcher`] is one; a test double or a proxy can be another.
///
/// [`Dispatcher`]: https://docs.rs/diglot/latest/diglot/struct.Dispatcher.html
pub trait Handler: Send + Sync + 'static {
    /// Handles one request. The future must finish even when the request is
    /// malformed: errors are written into the reply, never raised.
    fn handle<'b>(&'b self, message: Message<'b>) -> impl Future<Output = Reply> + Send + 'b;

    /// The largest request body this handler accepts. Every transport
    /// stops reading a body at this limit, before buffering past it
    /// (default [`DEFAULT_MAX_BODY_BYTES`]).
    fn max_body_bytes(&self) -> usize {
        DEFAULT_MAX_BODY_BYTES
    }

    /// The service's OpenRPC document, as JSON, for a transport to show
    /// outside a call: HTTP answers a `GET` that asks for JSON with it when
    /// its console is on ([`HttpConfig::console`](crate::http::HttpConfig::console)).
    /// The default has none.
    fn describe(&self) -> Option<Vec<u8>> {
        None
    }

    /// The answer to a request a transport refused before handing it over,
    /// written in `protocol` when the transport knows it. Transports that
    /// answer such requests in-band (streams, shared memory) send it before
    /// closing the connection; HTTP answers with a status instead. The
    /// default answers nothing.
    fn refuse(&self, refusal: Refusal, protocol: Option<Protocol>) -> Reply {
        let _ = refusal;
        Reply::new(Vec::new(), protocol.unwrap_or(Protocol::JsonRpc))
    }
}
