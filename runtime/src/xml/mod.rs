//! The XML-RPC codec.
//!
//! Reading is liberal — any namespace prefix, `int`/`i1`/`i2`/`i4`/`i8`,
//! `nil`, a bare `<value>text</value>`, whitespace between elements, base64
//! with line breaks, a missing `<params>`, CDATA, character references, and
//! the encoding the document declares (UTF-8, US-ASCII, ISO-8859-1,
//! windows-1252, any other WHATWG label, UTF-16 with a byte-order mark),
//! converted to UTF-8 once before parsing. Text is read as XML 1.0 defines
//! it: a raw CRLF or lone CR is a line end, LF (§2.11), while `&#13;` is a
//! carriage return; nothing is trimmed.
//!
//! Writing is strict: a UTF-8 declaration, typed scalars, `<i4>` unless the
//! integer needs `<i8>`, booleans as `0`/`1`, `YYYYMMDDTHH:MM:SS`, and `&`,
//! `<`, `>` and `\r` escaped (a carriage return as `&#13;`, so it survives).
//!
//! A DOCTYPE is refused and no entity other than XML's five predefined ones
//! is ever expanded, so entity-expansion attacks have nothing to work with.
//!
//! Errors: a document that is not XML-RPC (ill-formed, truncated, an unknown
//! element, a DOCTYPE) is a parse error (-32700); an encoding diglot does not
//! know, or UTF-16 without a byte-order mark, is -32701; bytes that are not
//! text in the document's encoding are -32702. A scalar whose text is not a
//! value of its type (an `<i4>` out of range, bad base64, a bad date) is
//! invalid params (-32602), like a value of the wrong type; the message names
//! the element as the client wrote it.
//!
//! ```
//! use diglot::xml::{self, Dialect, MethodCall};
//! use diglot::Limits;
//!
//! let mut body = Vec::new();
//! xml::write_call(&mut body, "calc.add", &(1, 2), Dialect::Standard)?;
//!
//! let mut call = MethodCall::parse(&body, &Limits::default())?;
//! assert_eq!(call.method_name(), "calc.add");
//! let (a, b): (i32, i32) = (call.next_param()?.unwrap(), call.next_param()?.unwrap());
//! call.finish()?;
//! assert_eq!(a + b, 3);
//! # Ok::<(), diglot::Fault>(())
//! ```

mod de;
mod encoding;
mod escape;
mod events;
mod params;
mod scalar;
mod ser;

use std::borrow::Cow;

use serde::de::{Deserialize, DeserializeSeed};
use serde::ser::Serialize;

use crate::{Fault, Limits};
use de::ValueDe;
use events::{Ev, Events, Tag};
use ser::ValueSer;

/// Which XML-RPC extensions' spelling diglot writes.
///
/// Reading accepts both spellings whatever the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// `<nil/>` and `<i8>`, as Python, xmlrpc-c and most clients read them.
    #[default]
    Standard,
    /// `<ex:nil/>` and `<ex:i8>` in the Apache extensions namespace, declared
    /// on the document element: Apache ws-xmlrpc reads the extensions only so.
    Apache,
}

/// The Apache ws-xmlrpc extensions namespace.
const APACHE_NS: &[u8] = b" xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"";

const DECLARATION: &[u8] = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// A `methodCall` document being read: the method name first, then the
/// parameters one at a time, each decoded straight into its Rust type.
///
/// Parameters may borrow strings from the document (`&'a str` parameters
/// work when the text holds no references or carriage returns and the
/// document is UTF-8 or ASCII).
pub struct MethodCall<'a> {
    events: Events<'a>,
    name: Cow<'a, str>,
    /// Whether `<params>` is open and more `<param>`s may follow.
    in_params: bool,
}

impl std::fmt::Debug for MethodCall<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MethodCall")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl<'a> MethodCall<'a> {
    /// Checks the body against `limits` and reads up to the first parameter.
    pub fn parse(body: &'a [u8], limits: &Limits) -> Result<Self, Fault> {
        let mut events = Events::new(body, limits)?;
        if events.expect_start(Tag::MethodCall)? {
            return Err(events.syntax("empty <methodCall>"));
        }
        let name = if events.expect_start(Tag::MethodName)? {
            Cow::Borrowed("")
        } else {
            trim_name(events.scalar_text(Tag::MethodName)?)
        };
        // A missing <params> is a call without parameters.
        let in_params = if events.eat_start(Tag::Params) {
            true
        } else {
            let in_params = match events.peek_tag()? {
                Ev::Start(Tag::Params) => true,
                Ev::Empty(Tag::Params) | Ev::End(Tag::MethodCall) => false,
                _ => return Err(events.syntax("expected <params> or </methodCall>")),
            };
            if let Ev::Start(Tag::Params) | Ev::Empty(Tag::Params) = events.peek_tag()? {
                events.next()?;
            }
            in_params
        };
        Ok(MethodCall {
            events,
            name,
            in_params,
        })
    }

    /// The method's name as the client sent it.
    pub fn method_name(&self) -> &str {
        &self.name
    }

    /// The method's name, detached from the borrow of `self`.
    pub(crate) fn name_cow(&self) -> Cow<'a, str> {
        self.name.clone()
    }

    /// Decodes the next parameter; `None` once the parameters are exhausted.
    pub fn next_param<T: Deserialize<'a>>(&mut self) -> Result<Option<T>, Fault> {
        self.next_param_seed(std::marker::PhantomData)
    }

    /// [`next_param`](Self::next_param) with a serde seed.
    pub fn next_param_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Fault> {
        if !self.in_params {
            return Ok(None);
        }
        if !self.events.eat_start(Tag::Param) {
            match self.events.next_tag()? {
                Ev::Start(Tag::Param) => {}
                Ev::End(Tag::Params) => {
                    self.in_params = false;
                    return Ok(None);
                }
                _ => return Err(self.events.syntax("expected <param> or </params>")),
            }
        }
        let value = seed.deserialize(ValueDe::new(&mut self.events))?;
        self.events.expect_end(Tag::Param)?;
        Ok(Some(value))
    }

    /// Decodes all remaining parameters as one sequence, such as a tuple, a
    /// `Vec<Value>` or a struct whose fields are the parameters in order.
    pub fn params<T: Deserialize<'a>>(&mut self) -> Result<T, Fault> {
        T::deserialize(params::ParamsDe { call: self })
    }

    /// Checks that no parameter is left and that the document ends properly.
    ///
    /// A parameter left over is an invalid-params fault (-32602).
    pub fn finish(mut self) -> Result<(), Fault> {
        self.end()
    }

    /// [`finish`](Self::finish) through a borrow.
    pub(crate) fn end(&mut self) -> Result<(), Fault> {
        if self.in_params {
            if !self.events.eat_end(Tag::Params) {
                match self.events.next_tag()? {
                    Ev::End(Tag::Params) => {}
                    Ev::Start(Tag::Param) => {
                        return Err(Fault::invalid_params(
                            "more parameters than the method takes",
                        ));
                    }
                    _ => return Err(self.events.syntax("expected </params>")),
                }
            }
            self.in_params = false;
        }
        self.events.expect_end(Tag::MethodCall)?;
        self.events.expect_eof()
    }
}

/// Method names carry no meaningful whitespace; pretty-printers add some.
fn trim_name(name: Cow<'_, str>) -> Cow<'_, str> {
    match name {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

/// Reads a `methodResponse`: the decoded result, or the server's fault.
///
/// The outer `Err` means the document itself could not be read; the inner
/// `Err` is a fault the server sent. A response with `<params/>` (some
/// servers' void) decodes as nil.
pub fn decode_response<'a, T: Deserialize<'a>>(
    body: &'a [u8],
    limits: &Limits,
) -> Result<Result<T, Fault>, Fault> {
    #[derive(serde::Deserialize)]
    struct FaultStruct {
        #[serde(rename = "faultCode")]
        code: i32,
        #[serde(rename = "faultString", default)]
        message: String,
    }

    let mut events = Events::new(body, limits)?;
    if events.expect_start(Tag::MethodResponse)? {
        return Err(events.syntax("empty <methodResponse>"));
    }
    let result = match events.next_tag()? {
        Ev::Start(Tag::Params) => {
            events.expect_start(Tag::Param)?;
            let value = T::deserialize(ValueDe::new(&mut events))?;
            events.expect_end(Tag::Param)?;
            events.expect_end(Tag::Params)?;
            Ok(value)
        }
        Ev::Empty(Tag::Params) => Ok(T::deserialize(
            serde::de::value::UnitDeserializer::<Fault>::new(),
        )?),
        Ev::Start(Tag::Fault) => {
            let fault = FaultStruct::deserialize(ValueDe::new(&mut events))?;
            events.expect_end(Tag::Fault)?;
            Err(Fault::new(fault.code, fault.message))
        }
        _ => return Err(events.syntax("expected <params> or <fault>")),
    };
    events.expect_end(Tag::MethodResponse)?;
    events.expect_eof()?;
    Ok(result)
}

/// Decodes one XML-RPC `<value>…</value>` fragment, without a document around it.
pub fn decode_value<'a, T: Deserialize<'a>>(
    fragment: &'a [u8],
    limits: &Limits,
) -> Result<T, Fault> {
    let mut events = Events::new(fragment, limits)?;
    let value = T::deserialize(ValueDe::new(&mut events))?;
    events.expect_eof()?;
    Ok(value)
}

/// Appends one value as `<value>…</value>`, without a document around it.
pub fn write_value<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    dialect: Dialect,
) -> Result<(), Fault> {
    atomically(out, |out| value.serialize(ValueSer { out, dialect }))
}

/// Appends a `system.multicall` document: each call a method name and its
/// parameters, already written as one `<value>` holding an array (by
/// [`write_value`]).
pub(crate) fn write_multicall(
    out: &mut Vec<u8>,
    calls: &[(&str, &[u8])],
    dialect: Dialect,
) -> Result<(), Fault> {
    atomically(out, |out| {
        out.extend_from_slice(DECLARATION);
        out.extend_from_slice(b"<methodCall");
        if dialect == Dialect::Apache {
            out.extend_from_slice(APACHE_NS);
        }
        out.extend_from_slice(
            b"><methodName>system.multicall</methodName><params><param><value><array><data>",
        );
        for (method, params) in calls {
            out.extend_from_slice(b"<value><struct><member><name>methodName</name><value><string>");
            escape::text(out, method)?;
            out.extend_from_slice(b"</string></value></member><member><name>params</name>");
            out.extend_from_slice(params);
            out.extend_from_slice(b"</member></struct></value>");
        }
        out.extend_from_slice(b"</data></array></value></param></params></methodCall>\n");
        Ok(())
    })
}

/// Appends a `methodCall` document. `params` must serialize as a sequence —
/// a tuple, an array, a `Vec` — whose elements become the parameters; `()`
/// sends none.
pub fn write_call<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    method: &str,
    params: &P,
    dialect: Dialect,
) -> Result<(), Fault> {
    atomically(out, |out| {
        out.extend_from_slice(DECLARATION);
        out.extend_from_slice(b"<methodCall");
        if dialect == Dialect::Apache {
            out.extend_from_slice(APACHE_NS);
        }
        out.extend_from_slice(b"><methodName>");
        escape::text(out, method)?;
        out.extend_from_slice(b"</methodName><params>");
        params.serialize(params::ParamsSer { out, dialect })?;
        out.extend_from_slice(b"</params></methodCall>\n");
        Ok(())
    })
}

/// Appends a `methodResponse` document carrying `value`.
pub fn write_response<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    dialect: Dialect,
) -> Result<(), Fault> {
    atomically(out, |out| {
        write_response_head(out, dialect);
        value.serialize(ValueSer { out, dialect })?;
        write_response_tail(out);
        Ok(())
    })
}

/// Appends a `methodResponse` document carrying `fault` (its code and
/// message; XML-RPC has no place for `data`).
pub fn write_fault(out: &mut Vec<u8>, fault: &Fault, dialect: Dialect) {
    let start = out.len();
    response_start(out, dialect);
    out.extend_from_slice(b"<fault><value><struct><member><name>faultCode</name><value><i4>");
    out.extend_from_slice(itoa::Buffer::new().format(fault.code).as_bytes());
    out.extend_from_slice(b"</i4></value></member><member><name>faultString</name><value><string>");
    if escape::text(out, &fault.message).is_err() {
        // A message with characters XML cannot carry keeps the rest of its text.
        let clean: String = fault
            .message
            .chars()
            .map(|c| {
                if c.is_control() && !matches!(c, '\t' | '\n' | '\r') {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .filter(|c| !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
            .collect();
        out.truncate(start);
        let fault = Fault::new(fault.code, clean);
        return write_fault(out, &fault, dialect);
    }
    out.extend_from_slice(
        b"</string></value></member></struct></value></fault></methodResponse>\n",
    );
}

/// Appends everything of a success response that comes before its `<value>`.
pub(crate) fn write_response_head(out: &mut Vec<u8>, dialect: Dialect) {
    response_start(out, dialect);
    out.extend_from_slice(b"<params><param>");
}

/// Appends everything of a success response that follows its `<value>`.
pub(crate) fn write_response_tail(out: &mut Vec<u8>) {
    out.extend_from_slice(b"</param></params></methodResponse>\n");
}

fn response_start(out: &mut Vec<u8>, dialect: Dialect) {
    out.extend_from_slice(DECLARATION);
    out.extend_from_slice(b"<methodResponse");
    if dialect == Dialect::Apache {
        out.extend_from_slice(APACHE_NS);
    }
    out.push(b'>');
}

/// Runs a writer; on failure, leaves `out` as it was.
fn atomically(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), Fault>,
) -> Result<(), Fault> {
    let start = out.len();
    write(out).inspect_err(|_| out.truncate(start))
}
