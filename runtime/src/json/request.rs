//! Reading JSON-RPC 2.0 request bodies.

use std::borrow::Cow;

use serde::Deserialize;

use super::scan::{Scanner, Syntax};
use crate::{Fault, Limits};

/// A request body: one request (or notification) or a batch.
#[derive(Debug)]
pub enum Incoming<'a> {
    /// A single request object.
    Single(Entry<'a>),
    /// A batch: an array of request objects, each answered on its own.
    Batch(Vec<Entry<'a>>),
}

/// One request of a body: valid, or rejected with the fault to answer.
pub type Entry<'a> = Result<Request<'a>, Rejected<'a>>;

/// A request object that breaks the specification's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejected<'a> {
    /// The request's `id` when it could be read, else `Null`.
    pub id: Id<'a>,
    /// The invalid-request fault (-32600) to answer with.
    pub fault: Fault,
}

/// A valid request, borrowing from the body.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The method to call.
    pub method: Cow<'a, str>,
    /// The parameters, still as JSON.
    pub params: Params<'a>,
    /// The request's id; `None` makes it a notification, which gets no answer.
    pub id: Option<Id<'a>>,
}

impl Request<'_> {
    /// Whether the request is a notification (has no `id` member).
    pub fn is_notification(&self) -> bool {
        self.id.is_none()
    }
}

/// A request id: the specification allows a string, a number or null.
///
/// Numbers are kept as the text the client sent, so that any number — even
/// one with a fraction, or past 64 bits — is echoed back exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Id<'a> {
    /// `null`.
    Null,
    /// A number, as its JSON text.
    Number(Cow<'a, str>),
    /// A string.
    String(Cow<'a, str>),
}

impl Id<'_> {
    /// The id as an integer, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Id::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// An owned copy, independent of the body it was read from.
    pub fn into_owned(self) -> Id<'static> {
        match self {
            Id::Null => Id::Null,
            Id::Number(n) => Id::Number(Cow::Owned(n.into_owned())),
            Id::String(s) => Id::String(Cow::Owned(s.into_owned())),
        }
    }

    /// An id from its JSON text, which serde_json or the scanner has
    /// checked.
    pub(super) fn from_json(text: &str) -> Option<Id<'_>> {
        match text.as_bytes().first()? {
            b'"' => borrowed_str(text).map(Id::String),
            b'-' | b'0'..=b'9' => Some(Id::Number(Cow::Borrowed(text))),
            b'n' => Some(Id::Null),
            _ => None,
        }
    }
}

impl From<i64> for Id<'_> {
    fn from(n: i64) -> Self {
        Id::Number(Cow::Owned(n.to_string()))
    }
}

impl<'a> From<&'a str> for Id<'a> {
    fn from(s: &'a str) -> Self {
        Id::String(Cow::Borrowed(s))
    }
}

impl From<String> for Id<'_> {
    fn from(s: String) -> Self {
        Id::String(Cow::Owned(s))
    }
}

/// A request's `params`: absent, an array (by position) or an object (by name).
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    json: Option<&'a str>,
}

impl<'a> Params<'a> {
    /// Parameters from JSON text, which must be an array or an object whose
    /// depth the caller has checked.
    pub(crate) fn from_json(json: &'a str) -> Self {
        Params { json: Some(json) }
    }

    /// Whether the request had no `params` member.
    pub fn is_absent(&self) -> bool {
        self.json.is_none()
    }

    /// Whether the parameters are given by name (a JSON object).
    pub fn is_by_name(&self) -> bool {
        self.json.is_some_and(|json| json.starts_with('{'))
    }

    /// The parameters' JSON text, if there are any.
    pub fn json(&self) -> Option<&'a str> {
        self.json
    }

    /// Decodes the parameters into `T`: a tuple or sequence for positional
    /// parameters, a struct or map for named ones. Absent parameters decode
    /// as an empty array.
    ///
    /// A mismatch is an invalid-params fault (-32602) whose message names the
    /// expected type and the position, never the value sent.
    pub fn decode<T: Deserialize<'a>>(&self) -> Result<T, Fault> {
        serde_json::from_str(self.json.unwrap_or("[]"))
            .map_err(|e| Fault::invalid_params(redact(&e)))
    }
}

/// serde's messages quote the offending value (`invalid type: string "…"`);
/// keep the kind and drop the quoted text, so a fault never echoes a request.
///
/// Strings are quoted with `{:?}`, so an escaped `\"` inside does not end
/// them. Names (`unknown field `…``) and characters are quoted in backticks
/// without escaping; one that holds a backtick itself still ends at the
/// `` `, expected `` or `` `, there are no `` that serde writes after it.
pub(crate) fn redact(e: &serde_json::Error) -> String {
    redact_message(&e.to_string())
}

/// [`redact`] for a message already turned into text.
pub(crate) fn redact_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        out.push_str(&rest[..open]);
        let quoted = &rest[open + 1..];
        let close = if rest.as_bytes()[open] == b'"' {
            debug_string_end(quoted)
        } else {
            quoted
                .rfind("`, expected ")
                .or_else(|| quoted.rfind("`, there are no "))
                .or_else(|| quoted.find('`'))
        };
        match close {
            Some(close) => {
                out.push('…');
                rest = &quoted[close + 1..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The offset of the `"` that ends a `{:?}`-quoted string, skipping escapes.
fn debug_string_end(quoted: &str) -> Option<usize> {
    let mut chars = quoted.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return Some(i),
            _ => {}
        }
    }
    None
}

/// Reads a JSON string from its checked text, borrowing it when it holds
/// no escapes; `None` if the text is another kind of value.
fn borrowed_str(text: &str) -> Option<Cow<'_, str>> {
    // The text is valid JSON; a string without escapes is the text
    // between its quotes.
    if let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"'))
        && !inner.contains('\\')
    {
        return Some(Cow::Borrowed(inner));
    }
    if let Ok(s) = serde_json::from_str::<&str>(text) {
        return Some(Cow::Borrowed(s));
    }
    serde_json::from_str::<String>(text).ok().map(Cow::Owned)
}

/// Reads a request body: checks its size, then tells a single request from
/// a batch.
///
/// `Err` is a fault that answers the whole body, with a `null` id: a parse
/// error (-32700), or for a batch, an empty array or more requests than
/// [`Limits::max_batch_len`] (-32600).
pub fn parse<'a>(body: &'a [u8], limits: &Limits) -> Result<Incoming<'a>, Fault> {
    limits.check_body_size(body.len() as u64)?;
    let text = std::str::from_utf8(body)
        .map_err(|e| Fault::parse_error(format_args!("not UTF-8 at byte {}", e.valid_up_to())))?;
    let mut scan = Scanner::new(text);
    let incoming = match scan.peek() {
        Some(b'[') => batch(&mut scan, limits),
        Some(b'{') => {
            envelope(&mut scan, limits, "the body is not a request object").map(Incoming::Single)
        }
        Some(_) => scan
            .value()
            .map(|_| Incoming::Single(reject(Id::Null, "the body is not a request object"))),
        None => Err(Syntax),
    };
    let incoming = incoming
        .and_then(|incoming| scan.end().map(|()| incoming))
        .map_err(|Syntax| syntax_fault(text, scan.pos()))?;
    if let Incoming::Batch(entries) = &incoming {
        if entries.is_empty() {
            return Err(Fault::invalid_request("empty batch"));
        }
        limits.check_batch_len(entries.len())?;
    }
    Ok(incoming)
}

/// The parse error for text that stops being JSON at byte `at`.
fn syntax_fault(text: &str, at: usize) -> Fault {
    if text.trim_ascii().is_empty() {
        return Fault::parse_error("the body is empty");
    }
    Fault::parse_error(format_args!("not JSON at byte {at}"))
}

/// Reads a batch: an array whose elements are each a request object.
fn batch<'a>(scan: &mut Scanner<'a>, limits: &Limits) -> Result<Incoming<'a>, Syntax> {
    scan.next()?;
    let mut entries = Vec::new();
    if scan.eat(b']') {
        return Ok(Incoming::Batch(entries));
    }
    loop {
        let entry = if scan.peek() == Some(b'{') {
            envelope(scan, limits, "a batch element is not a request object")?
        } else {
            scan.value()?;
            reject(Id::Null, "a batch element is not a request object")
        };
        entries.push(entry);
        match scan.next()? {
            b',' => {}
            b']' => return Ok(Incoming::Batch(entries)),
            _ => return Err(Syntax),
        }
    }
}

/// The members of a request object, as JSON text, unchecked.
#[derive(Default)]
struct Envelope<'a> {
    jsonrpc: Option<&'a str>,
    method: Option<&'a str>,
    params: Option<&'a str>,
    /// How deep `params` nests.
    params_depth: usize,
    id: Option<&'a str>,
    /// A member was given twice.
    repeated: bool,
}

/// Reads a request object at the cursor and applies the specification's
/// rules to it; `not_object` says why one with a repeated member is refused.
fn envelope<'a>(
    scan: &mut Scanner<'a>,
    limits: &Limits,
    not_object: &str,
) -> Result<Entry<'a>, Syntax> {
    scan.next()?;
    let mut members = Envelope::default();
    if !scan.eat(b'}') {
        loop {
            let name = scan.key()?;
            let start = scan.peek().map(|_| scan.pos()).ok_or(Syntax)?;
            let depth = scan.value()?;
            let value = scan.since(start);
            let slot = match member(name) {
                Member::Jsonrpc => &mut members.jsonrpc,
                Member::Method => &mut members.method,
                Member::Params => {
                    members.params_depth = depth;
                    &mut members.params
                }
                Member::Id => &mut members.id,
                Member::Other => &mut None,
            };
            members.repeated |= slot.replace(value).is_some();
            match scan.next()? {
                b',' => {}
                b'}' => break,
                _ => return Err(Syntax),
            }
        }
    }
    if members.repeated {
        return Ok(reject(Id::Null, not_object));
    }
    Ok(check(members, limits))
}

/// The members of a request object that the specification names.
enum Member {
    Jsonrpc,
    Method,
    Params,
    Id,
    Other,
}

/// Which member a name, as written between its quotes, is.
fn member(written: &str) -> Member {
    match written.as_bytes() {
        b"jsonrpc" => Member::Jsonrpc,
        b"method" => Member::Method,
        b"params" => Member::Params,
        b"id" => Member::Id,
        bytes if bytes.contains(&b'\\') => {
            // Escapes spell the same names (`"\u0069d"`): read them first.
            match serde_json::from_str::<String>(&format!("\"{written}\"")) {
                Ok(name) if !name.contains('\\') => member(&name),
                _ => Member::Other,
            }
        }
        _ => Member::Other,
    }
}

/// Applies the specification's rules to a request object's members.
fn check<'a>(envelope: Envelope<'a>, limits: &Limits) -> Entry<'a> {
    let id = match envelope.id {
        None => None,
        Some(text) => match Id::from_json(text) {
            Some(id) => Some(id),
            None => return reject(Id::Null, "`id` must be a string, a number or null"),
        },
    };
    let reply_id = id.clone().unwrap_or(Id::Null);
    let version = envelope.jsonrpc.and_then(borrowed_str);
    if version.as_deref() != Some("2.0") {
        return reject(reply_id, "`jsonrpc` must be \"2.0\"");
    }
    let Some(method) = envelope
        .method
        .filter(|m| m.starts_with('"'))
        .and_then(borrowed_str)
    else {
        return reject(reply_id, "`method` must be a string");
    };
    if let Some(params) = envelope.params {
        if !params.starts_with(['[', '{']) {
            return reject(reply_id, "`params` must be an array or an object");
        }
        // The params container itself is one level.
        if envelope.params_depth > limits.depth() + 1 {
            return Err(Rejected {
                id: reply_id,
                fault: limits.too_deep(),
            });
        }
    }
    Ok(Request {
        method,
        params: Params {
            json: envelope.params,
        },
        id,
    })
}

fn reject<'a>(id: Id<'a>, why: &str) -> Entry<'a> {
    Err(Rejected {
        id,
        fault: Fault::invalid_request(why),
    })
}

#[cfg(test)]
mod tests {
    use super::{Id, Incoming, parse};
    use crate::{Fault, Limits};

    /// A request whose `params` hold one value nested `levels` deep.
    fn nested(levels: usize, id: u32) -> String {
        let value = format!("{}1{}", "[".repeat(levels), "]".repeat(levels));
        format!(r#"{{"jsonrpc":"2.0","method":"m","params":[{value}],"id":{id}}}"#)
    }

    fn refused(entry: &super::Entry<'_>, id: u32) {
        let rejected = entry.as_ref().expect_err("too deep");
        assert_eq!(rejected.id, Id::from(i64::from(id)));
        assert_eq!(rejected.fault.code, Fault::INVALID_REQUEST);
        assert_eq!(
            rejected.fault.message,
            "invalid request: values nested deeper than the limit of 64"
        );
    }

    // Whatever the method does with its parameters — decode them as a
    // `serde_json::Value`, or ignore them — a request nested past the limit
    // is refused here, before any method sees it, and never overflows the
    // stack on the way.
    #[test]
    fn params_past_the_depth_limit_are_refused_with_their_id() {
        let limits = Limits::default();
        let at_limit = nested(64, 1);
        let Ok(Incoming::Single(Ok(request))) = parse(at_limit.as_bytes(), &limits) else {
            panic!("64 levels fit the default limit")
        };
        assert!(request.params.decode::<(serde_json::Value,)>().is_ok());

        for levels in [65, 100_000] {
            let body = nested(levels, 2);
            let Ok(Incoming::Single(entry)) = parse(body.as_bytes(), &limits) else {
                panic!("a single request")
            };
            refused(&entry, 2);
        }
    }

    #[test]
    fn a_deep_request_in_a_batch_is_refused_alone() {
        let body = format!("[{},{}]", nested(100_000, 3), nested(1, 4));
        let Ok(Incoming::Batch(entries)) = parse(body.as_bytes(), &Limits::default()) else {
            panic!("a batch")
        };
        refused(&entries[0], 3);
        assert!(entries[1].is_ok());
    }

    #[test]
    fn member_names_may_be_escaped_but_not_repeated() {
        let limits = Limits::default();
        let body = br#"{"jsonrpc":"2.0","met\u0068od":"m","\u0069d":5}"#;
        let Ok(Incoming::Single(Ok(request))) = parse(body, &limits) else {
            panic!("escaped names are the same names")
        };
        assert_eq!((&*request.method, request.id), ("m", Some(Id::from(5))));
        let body = br#"{"jsonrpc":"2.0","method":"m","\u0069d":5,"id":6}"#;
        let Ok(Incoming::Single(Err(rejected))) = parse(body, &limits) else {
            panic!("a repeated member is refused")
        };
        assert_eq!(
            (rejected.id, rejected.fault.code),
            (Id::Null, Fault::INVALID_REQUEST)
        );
    }

    #[test]
    fn a_deep_id_is_refused_without_recursion() {
        let id = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let body = format!(r#"{{"jsonrpc":"2.0","method":"m","id":{id}}}"#);
        let Ok(Incoming::Single(Err(rejected))) = parse(body.as_bytes(), &Limits::default()) else {
            panic!("an id that is not a string, a number or null")
        };
        assert_eq!(
            (rejected.id, rejected.fault.code),
            (Id::Null, Fault::INVALID_REQUEST)
        );
    }
}
