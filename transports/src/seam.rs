//! The seam between transports and the runtime: body in, body out.

use std::future::Future;

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

/// A request as a transport received it.
#[derive(Debug, Clone)]
pub struct Request<'b> {
    /// The whole request body.
    pub body: &'b [u8],
    /// The protocol, when the transport knows it (an HTTP `Content-Type`);
    /// `None` lets the handler sniff the body.
    pub protocol: Option<Protocol>,
    /// The transport's name (`http`, `tcp`, `unix`, …), for logs and traces.
    pub transport: &'static str,
    /// Who is calling, when the transport can tell (a Unix socket's peer).
    pub peer: Option<Peer>,
}

/// The credentials of the process at the other end of a local socket, as
/// the kernel reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    /// The peer's effective user id.
    pub uid: u32,
    /// The peer's effective group id.
    pub gid: u32,
    /// The peer's process id, where the platform reports it.
    pub pid: Option<i32>,
}

/// What a handler answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The response body; empty when there is nothing to send back (a
    /// JSON-RPC notification, or a batch of them).
    pub body: Vec<u8>,
    /// The protocol the response is written in.
    pub protocol: Protocol,
}

/// Turns request bodies into response bodies. Shaped like `tower::Service`,
/// but with a borrowed body so that the runtime can decode straight from the
/// transport's buffer.
///
/// Handlers are shared by every connection of every transport at once.
pub trait Handler: Send + Sync + 'static {
    /// Handles one request. The future must finish even when the request is
    /// malformed: errors are written into the reply, never raised.
    fn handle<'b>(&'b self, request: Request<'b>) -> impl Future<Output = Reply> + Send + 'b;
}
