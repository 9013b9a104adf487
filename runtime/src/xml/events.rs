//! The XML-RPC view of a document's events: element names become [`Tag`]s,
//! text arrives exactly as sent (references resolved, nothing trimmed or
//! normalised), comments and processing instructions vanish, and anything
//! that could expand — a DOCTYPE, a named entity — is refused.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, Event};

use crate::{Fault, Limits};

/// The elements XML-RPC uses, matched on their local name so that any
/// namespace prefix (`ex:nil`, `ex:i8`) reads the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    MethodCall,
    MethodName,
    MethodResponse,
    Params,
    Param,
    Fault,
    Value,
    /// `int`, `i4`, `i1`, `i2`.
    Int,
    I8,
    Boolean,
    String,
    /// `double`, and Apache's `float`.
    Double,
    DateTime,
    Base64,
    Nil,
    Array,
    Data,
    Struct,
    Member,
    Name,
    Other,
}

impl Tag {
    fn from_local(name: &str) -> Tag {
        match name {
            "value" => Tag::Value,
            "string" => Tag::String,
            "int" | "i4" | "i1" | "i2" => Tag::Int,
            "member" => Tag::Member,
            "name" => Tag::Name,
            "struct" => Tag::Struct,
            "array" => Tag::Array,
            "data" => Tag::Data,
            "double" | "float" => Tag::Double,
            "boolean" => Tag::Boolean,
            "i8" => Tag::I8,
            "nil" => Tag::Nil,
            "dateTime.iso8601" => Tag::DateTime,
            "base64" => Tag::Base64,
            "param" => Tag::Param,
            "params" => Tag::Params,
            "methodName" => Tag::MethodName,
            "methodCall" => Tag::MethodCall,
            "methodResponse" => Tag::MethodResponse,
            "fault" => Tag::Fault,
            _ => Tag::Other,
        }
    }

    /// The element's name as the specification writes it, for messages.
    pub(crate) fn spec_name(self) -> &'static str {
        match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodName => "methodName",
            Tag::MethodResponse => "methodResponse",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::Int => "i4",
            Tag::I8 => "i8",
            Tag::Boolean => "boolean",
            Tag::String => "string",
            Tag::Double => "double",
            Tag::DateTime => "dateTime.iso8601",
            Tag::Base64 => "base64",
            Tag::Nil => "nil",
            Tag::Array => "array",
            Tag::Data => "data",
            Tag::Struct => "struct",
            Tag::Member => "member",
            Tag::Name => "name",
            Tag::Other => "an unknown element",
        }
    }
}

/// One event of the XML-RPC view.
#[derive(Debug)]
pub(crate) enum Ev<'a> {
    Start(Tag),
    /// A self-closed element, `<nil/>`.
    Empty(Tag),
    End(Tag),
    /// A piece of character data; adjacent pieces belong together.
    Text(Cow<'a, str>),
    Eof,
}

/// Reads events from a whole document held in memory.
pub(crate) struct Events<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    peeked: Option<Ev<'a>>,
    pub(crate) limits: Limits,
    /// Arrays and structs open around the current position.
    depth: usize,
}

impl<'a> Events<'a> {
    /// Prepares a document for reading: checks its size, encoding and
    /// characters before the first event is parsed.
    pub(crate) fn new(body: &'a [u8], limits: &Limits) -> Result<Self, Fault> {
        limits.check_body_size(body.len() as u64)?;
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        // A byte-order mark, or `<` as a UTF-16 code unit (XML 1.0 appendix F):
        // a UTF-16 document without a BOM would otherwise pass as UTF-8 with NULs.
        if body.starts_with(b"\xFE\xFF")
            || body.starts_with(b"\xFF\xFE")
            || body.starts_with(b"<\0")
            || body.starts_with(b"\0<")
        {
            return Err(Fault::new(
                Fault::UNSUPPORTED_ENCODING,
                "unsupported encoding: UTF-16 (diglot reads UTF-8)",
            ));
        }
        let text = std::str::from_utf8(body).map_err(|e| {
            Fault::new(
                Fault::INVALID_CHARACTER,
                format!("invalid character: not UTF-8 at byte {}", e.valid_up_to()),
            )
        })?;
        let mut reader = quick_xml::Reader::from_str(text);
        let config = reader.config_mut();
        config.expand_empty_elements = false;
        config.trim_text(false);
        Ok(Events {
            reader,
            peeked: None,
            limits: *limits,
            depth: 0,
        })
    }

    /// A -32700 fault located at the reader's position.
    pub(crate) fn syntax(&self, what: impl std::fmt::Display) -> Fault {
        Fault::parse_error(format_args!(
            "{what} at byte {}",
            self.reader.buffer_position()
        ))
    }

    /// A -32602 fault for a scalar whose text is not a value of its type
    /// (an `<i4>` out of range, bad base64), located at the reader's position:
    /// the same code as a value of the wrong type.
    pub(crate) fn bad_value(&self, what: impl std::fmt::Display) -> Fault {
        Fault::invalid_params(format_args!(
            "{what} at byte {}",
            self.reader.buffer_position()
        ))
    }

    /// Enters an array or struct, refusing to go past the depth limit.
    pub(crate) fn enter(&mut self) -> Result<(), Fault> {
        if self.depth >= self.limits.depth() {
            return Err(self.limits.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    /// Leaves an array or struct.
    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The next event, without consuming it.
    pub(crate) fn peek(&mut self) -> Result<&Ev<'a>, Fault> {
        if self.peeked.is_none() {
            self.peeked = Some(self.read()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    /// The next event.
    pub(crate) fn next(&mut self) -> Result<Ev<'a>, Fault> {
        match self.peeked.take() {
            Some(ev) => Ok(ev),
            None => self.read(),
        }
    }

    fn read(&mut self) -> Result<Ev<'a>, Fault> {
        loop {
            let event = self
                .reader
                .read_event()
                .map_err(|e| self.quick_xml_error(&e))?;
            return Ok(match event {
                Event::Start(e) => Ev::Start(Tag::from_local(e.local_name().as_ref())),
                Event::Empty(e) => Ev::Empty(Tag::from_local(e.local_name().as_ref())),
                Event::End(e) => Ev::End(Tag::from_local(e.local_name().as_ref())),
                Event::Text(t) => Ev::Text(t.into_inner()),
                Event::CData(t) => Ev::Text(t.into_inner()),
                Event::GeneralRef(r) => Ev::Text(self.resolve(&r)?),
                Event::Decl(decl) => {
                    check_encoding(&decl)?;
                    continue;
                }
                Event::Comment(_) | Event::PI(_) => continue,
                Event::DocType(_) => {
                    return Err(self.syntax("a DOCTYPE is not allowed in XML-RPC"));
                }
                Event::Eof => Ev::Eof,
            });
        }
    }

    /// Resolves a character reference or one of XML's five predefined
    /// entities; any other entity is refused, never expanded.
    fn resolve(&self, r: &BytesRef<'a>) -> Result<Cow<'a, str>, Fault> {
        let text = match &**r {
            "lt" => "<",
            "gt" => ">",
            "amp" => "&",
            "apos" => "'",
            "quot" => "\"",
            _ => {
                return match r.resolve_char_ref() {
                    Ok(Some(c)) => Ok(Cow::Owned(c.to_string())),
                    Ok(None) => Err(self.syntax("undefined entity reference")),
                    Err(_) => Err(self.syntax("invalid character reference")),
                };
            }
        };
        Ok(Cow::Borrowed(text))
    }

    fn quick_xml_error(&self, e: &quick_xml::Error) -> Fault {
        use quick_xml::errors::{Error as E, IllFormedError as I};
        // quick-xml's messages quote element names from the document; name
        // only the kind of mistake.
        let what = match e {
            E::Syntax(s) => return self.syntax(s),
            E::IllFormed(I::MismatchedEndTag { .. }) => "mismatched end tag",
            E::IllFormed(I::UnmatchedEndTag(_)) => "end tag without a start tag",
            E::IllFormed(I::MissingEndTag(_)) => "unclosed element",
            E::IllFormed(_) => "ill-formed XML",
            E::InvalidAttr(_) => "malformed attribute",
            E::Escape(_) => "malformed reference",
            E::Encoding(_) => "invalid encoding",
            _ => "unreadable XML",
        };
        self.syntax(what)
    }

    /// Skips whitespace-only text and returns the next element event.
    pub(crate) fn next_tag(&mut self) -> Result<Ev<'a>, Fault> {
        loop {
            match self.next()? {
                Ev::Text(t) if is_blank(&t) => continue,
                Ev::Text(_) => return Err(self.syntax("unexpected text between elements")),
                ev => return Ok(ev),
            }
        }
    }

    /// Like [`next_tag`](Self::next_tag) without consuming the element event.
    pub(crate) fn peek_tag(&mut self) -> Result<&Ev<'a>, Fault> {
        loop {
            match self.peek()? {
                Ev::Text(t) if is_blank(t) => {
                    self.peeked = None;
                }
                Ev::Text(_) => return Err(self.syntax("unexpected text between elements")),
                _ => break,
            }
        }
        self.peek()
    }

    /// Consumes the end of `tag`, allowing whitespace before it.
    pub(crate) fn expect_end(&mut self, tag: Tag) -> Result<(), Fault> {
        match self.next_tag()? {
            Ev::End(t) if t == tag => Ok(()),
            _ => Err(self.syntax(format_args!("expected </{}>", tag.spec_name()))),
        }
    }

    /// Consumes the start of `tag` (or, when `empty_ok`, `<tag/>`, reported as `true`).
    pub(crate) fn expect_start(&mut self, tag: Tag) -> Result<bool, Fault> {
        match self.next_tag()? {
            Ev::Start(t) if t == tag => Ok(false),
            Ev::Empty(t) if t == tag => Ok(true),
            _ => Err(self.syntax(format_args!("expected <{}>", tag.spec_name()))),
        }
    }

    /// Reads character data up to the next element event, joining the pieces
    /// that references and CDATA sections split it into. Borrows from the
    /// document when the text came in one piece.
    pub(crate) fn text(&mut self) -> Result<Cow<'a, str>, Fault> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        while let Ev::Text(_) = self.peek()? {
            let Some(Ev::Text(piece)) = self.peeked.take() else {
                unreachable!("peeked a text event")
            };
            if text.is_empty() {
                text = piece;
            } else {
                text.to_mut().push_str(&piece);
            }
        }
        Ok(text)
    }

    /// Reads the text of a scalar element up to its end tag.
    pub(crate) fn scalar_text(&mut self, tag: Tag) -> Result<Cow<'a, str>, Fault> {
        let text = self.text()?;
        match self.next()? {
            Ev::End(t) if t == tag => Ok(text),
            _ => Err(self.syntax(format_args!(
                "<{}> holds an element; expected text",
                tag.spec_name()
            ))),
        }
    }

    /// Consumes the end of the document.
    pub(crate) fn expect_eof(&mut self) -> Result<(), Fault> {
        match self.next_tag()? {
            Ev::Eof => Ok(()),
            _ => Err(self.syntax("content after the document element")),
        }
    }
}

/// XML whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// diglot reads documents as UTF-8; US-ASCII is a subset of it.
fn check_encoding(decl: &quick_xml::events::BytesDecl<'_>) -> Result<(), Fault> {
    let Some(encoding) = decl.encoding() else {
        return Ok(());
    };
    let encoding = encoding.map_err(|_| Fault::parse_error("malformed XML declaration"))?;
    let readable = ["utf-8", "utf8", "us-ascii", "ascii"]
        .iter()
        .any(|known| encoding.eq_ignore_ascii_case(known));
    if readable {
        Ok(())
    } else {
        Err(Fault::new(
            Fault::UNSUPPORTED_ENCODING,
            "unsupported encoding: the declaration names an encoding other than UTF-8",
        ))
    }
}
