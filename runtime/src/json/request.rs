//! Reading JSON-RPC 2.0 request bodies.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

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

    pub(super) fn from_raw(raw: &RawValue) -> Option<Id<'_>> {
        let text = raw.get();
        match text.as_bytes().first()? {
            b'"' => borrowed_str(raw).map(Id::String),
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
    raw: Option<&'a RawValue>,
}

impl<'a> Params<'a> {
    /// Parameters from raw JSON text, which must be an array or an object.
    pub(crate) fn from_raw(raw: &'a RawValue) -> Self {
        Params { raw: Some(raw) }
    }

    /// Whether the request had no `params` member.
    pub fn is_absent(&self) -> bool {
        self.raw.is_none()
    }

    /// Whether the parameters are given by name (a JSON object).
    pub fn is_by_name(&self) -> bool {
        self.raw.is_some_and(|r| r.get().starts_with('{'))
    }

    /// The parameters' JSON text, if there are any.
    pub fn json(&self) -> Option<&'a str> {
        self.raw.map(RawValue::get)
    }

    /// Decodes the parameters into `T`: a tuple or sequence for positional
    /// parameters, a struct or map for named ones. Absent parameters decode
    /// as an empty array.
    ///
    /// A mismatch is an invalid-params fault (-32602) whose message names the
    /// expected type and the position, never the value sent.
    pub fn decode<T: Deserialize<'a>>(&self) -> Result<T, Fault> {
        let text = self.raw.map_or("[]", RawValue::get);
        serde_json::from_str(text).map_err(|e| Fault::invalid_params(redact(&e)))
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

/// Reads a JSON string, borrowing it when it holds no escapes.
fn borrowed_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    // serde_json has validated the raw string; without escapes its
    // contents are the text between the quotes.
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

/// Keeps a member present even when its value is `null`, unlike `Option`.
fn present<'a, 'de: 'a, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<&'a RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// The members of a request object, unchecked.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default, deserialize_with = "present")]
    jsonrpc: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    method: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
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
    let first = text.bytes().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'[') {
        let items: Vec<&'a RawValue> =
            serde_json::from_str(text).map_err(|e| Fault::parse_error(redact(&e)))?;
        if items.is_empty() {
            return Err(Fault::invalid_request("empty batch"));
        }
        limits.check_batch_len(items.len())?;
        let entries = items
            .into_iter()
            .map(|item| {
                // serde would also read a struct from an array (`["2.0", "m"]`);
                // only an object is a request.
                let envelope = if item.get().starts_with('{') {
                    serde_json::from_str::<Envelope<'a>>(item.get()).ok()
                } else {
                    None
                };
                match envelope {
                    Some(envelope) => check(envelope, limits),
                    None => Err(Rejected {
                        id: Id::Null,
                        fault: Fault::invalid_request("a batch element is not a request object"),
                    }),
                }
            })
            .collect();
        return Ok(Incoming::Batch(entries));
    }
    match serde_json::from_str::<Envelope<'a>>(text) {
        Ok(envelope) => Ok(Incoming::Single(check(envelope, limits))),
        Err(e) if e.is_data() => Ok(Incoming::Single(Err(Rejected {
            id: Id::Null,
            fault: Fault::invalid_request("the body is not a request object"),
        }))),
        Err(e) => Err(Fault::parse_error(redact(&e))),
    }
}

/// Applies the specification's rules to a request object's members.
fn check<'a>(envelope: Envelope<'a>, limits: &Limits) -> Entry<'a> {
    let id = match envelope.id {
        None => None,
        Some(raw) => match Id::from_raw(raw) {
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
        .filter(|m| m.get().starts_with('"'))
        .and_then(borrowed_str)
    else {
        return reject(reply_id, "`method` must be a string");
    };
    if let Some(params) = envelope.params {
        if !params.get().starts_with(['[', '{']) {
            return reject(reply_id, "`params` must be an array or an object");
        }
        // The params container itself is one level.
        if let Err(fault) = super::depth::check(params.get(), limits.depth() + 1, limits) {
            return Err(Rejected {
                id: reply_id,
                fault,
            });
        }
    }
    Ok(Request {
        method,
        params: Params {
            raw: envelope.params,
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
