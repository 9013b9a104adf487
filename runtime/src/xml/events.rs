//! The XML-RPC view of a document's events: element names become [`Tag`]s,
//! text arrives as XML 1.0 defines it (line ends normalised, references
//! resolved, nothing trimmed), comments and processing instructions vanish,
//! and anything that could expand — a DOCTYPE, a named entity — is refused.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use quick_xml::events::Event;

use super::encoding;
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
    pub(crate) fn from_local(name: &str) -> Tag {
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
///
/// Tags, text and references — all an XML-RPC document usually holds — are
/// scanned here byte by byte: that is most of the cost of an XML-RPC call,
/// and a general XML reader spends several times as much on them. The rare
/// constructs (comments, CDATA, processing instructions, DOCTYPE) are each
/// handed to quick-xml.
pub(crate) struct Events<'a> {
    /// The document as UTF-8: borrowed from the body unless its declared
    /// encoding had to be converted.
    text: Cow<'a, str>,
    /// Byte offset of the next unread construct.
    pos: usize,
    /// The names of the elements open around `pos`, to match end tags against.
    open: Vec<(Range<usize>, Tag)>,
    /// Where the name of the last element started begins, for messages.
    last_start: usize,
    peeked: Option<Ev<'a>>,
    pub(crate) limits: Limits,
    /// Arrays and structs open around the current position.
    depth: usize,
}

impl<'a> Events<'a> {
    /// Prepares a document for reading: checks its size, reads it in the
    /// encoding it declares and checks its characters before the first event
    /// is parsed.
    pub(crate) fn new(body: &'a [u8], limits: &Limits) -> Result<Self, Fault> {
        limits.check_body_size(body.len() as u64)?;
        let encoding::Decoded { text, start } = encoding::decode(body)?;
        Ok(Events {
            text,
            pos: start,
            // A `methodCall` of scalars nests five deep; room for a few
            // levels of arrays and structs before the first regrowth.
            open: Vec::with_capacity(16),
            last_start: 0,
            peeked: None,
            limits: *limits,
            depth: 0,
        })
    }

    /// The document's text in `range`, borrowed from the body when the body
    /// is the text.
    fn piece(&self, range: Range<usize>) -> Cow<'a, str> {
        match &self.text {
            Cow::Borrowed(text) => {
                let text: &'a str = text;
                Cow::Borrowed(&text[range])
            }
            Cow::Owned(text) => Cow::Owned(text[range].to_owned()),
        }
    }

    /// The text in `range` with its line ends normalised: XML 1.0 §2.11
    /// reads every CRLF and every lone CR as LF. A CR sent as `&#13;` is
    /// resolved later and survives.
    fn raw_text(&self, range: Range<usize>) -> Cow<'a, str> {
        let raw = &self.text[range.clone()];
        match find(b'\r', raw.as_bytes()) {
            Some(first) => Cow::Owned(normalise_line_ends(raw, first)),
            None => self.piece(range),
        }
    }

    /// The name of the element started last, as the client wrote it, for
    /// messages: `<int>`, `<ex:i8/>`.
    pub(crate) fn element(&self) -> impl fmt::Display + '_ {
        let name = &self.text.as_bytes()[self.last_start..];
        let len = name
            .iter()
            .position(|&b| matches!(b, b'>' | b'/') || is_blank_byte(b))
            .unwrap_or(name.len());
        SentName(&self.text[self.last_start..self.last_start + len])
    }

    /// A -32700 fault located at the reader's position.
    pub(crate) fn syntax(&self, what: impl std::fmt::Display) -> Fault {
        Fault::parse_error(format_args!("{what} at byte {}", self.pos))
    }

    /// A -32602 fault for a scalar whose text is not a value of its type
    /// (an `<i4>` out of range, bad base64), located at the reader's position:
    /// the same code as a value of the wrong type.
    pub(crate) fn bad_value(&self, what: impl std::fmt::Display) -> Fault {
        Fault::invalid_params(format_args!("{what} at byte {}", self.pos))
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
            let rest = &self.text.as_bytes()[self.pos..];
            return match rest {
                [] if self.open.is_empty() => Ok(Ev::Eof),
                [] => Err(self.syntax("unclosed element")),
                [b'<', b'/', ..] => self.end_tag(),
                [b'<', b'!' | b'?', ..] => match self.markup()? {
                    Some(ev) => Ok(ev),
                    None => continue,
                },
                [b'<', ..] => self.start_tag(),
                _ => self.char_data().map(Ev::Text),
            };
        }
    }

    /// `<name attributes>` or `<name/>`; attributes are skipped unread, as
    /// XML-RPC gives them no meaning (`xmlns:ex` declarations).
    fn start_tag(&mut self) -> Result<Ev<'a>, Fault> {
        let bytes = self.text.as_bytes();
        if let Some((len, empty)) = plain_start(&bytes[self.pos + 1..]) {
            let name = self.pos + 1..self.pos + 1 + len;
            self.pos += len + if empty { 3 } else { 2 };
            return Ok(self.started(name, empty));
        }
        let mut at = self.pos + 1;
        let mut name_end = None;
        // The tag ends at the first `>` outside a quoted attribute value.
        let close = loop {
            match bytes.get(at) {
                None => return Err(self.syntax("unclosed start tag")),
                Some(b'>') => break at,
                Some(&quote @ (b'"' | b'\'')) => {
                    let Some(len) = find(quote, &bytes[at + 1..]) else {
                        return Err(self.syntax("unclosed attribute value"));
                    };
                    at += len + 1;
                }
                Some(b' ' | b'\t' | b'\n' | b'\r') if name_end.is_none() => name_end = Some(at),
                Some(_) => {}
            }
            at += 1;
        };
        let empty = bytes[close - 1] == b'/' && close > self.pos + 1;
        let inner_end = if empty { close - 1 } else { close };
        let name = self.pos + 1..name_end.map_or(inner_end, |end| end.min(inner_end));
        self.pos = close + 1;
        Ok(self.started(name, empty))
    }

    /// The event for a start tag whose name spans `name`.
    fn started(&mut self, name: Range<usize>, empty: bool) -> Ev<'a> {
        let tag = Tag::from_local(local_name(&self.text[name.clone()]));
        self.last_start = name.start;
        if empty {
            Ev::Empty(tag)
        } else {
            self.open.push((name, tag));
            Ev::Start(tag)
        }
    }

    /// `</name>`, which must close the innermost open element.
    fn end_tag(&mut self) -> Result<Ev<'a>, Fault> {
        let Some((open, tag)) = self.open.last() else {
            return Err(self.syntax("end tag without a start tag"));
        };
        let tag = *tag;
        let text = self.text.as_bytes();
        let (open, after) = (&text[open.clone()], &text[self.pos + 2..]);
        let len = if self.closes_innermost(self.pos) {
            open.len()
        } else {
            let Some(len) = find(b'>', after) else {
                return Err(self.syntax("unclosed end tag"));
            };
            let name = &after[..len];
            let name_len = name
                .iter()
                .rposition(|&b| !is_blank_byte(b))
                .map_or(0, |i| i + 1);
            if &name[..name_len] != open {
                return Err(self.syntax("mismatched end tag"));
            }
            len
        };
        self.open.pop();
        self.pos += len + 3;
        Ok(Ev::End(tag))
    }

    /// Text up to the next tag, line ends normalised and references
    /// resolved. Only XML's five predefined entities and character references
    /// are known; any other entity is refused, never expanded.
    fn char_data(&mut self) -> Result<Cow<'a, str>, Fault> {
        let rest = &self.text.as_bytes()[self.pos..];
        // Most text holds neither a reference nor a carriage return, and is
        // borrowed as it stands: one scan finds its end or the first of them.
        let stop = find3(b'<', b'&', b'\r', rest).unwrap_or(rest.len());
        let (len, text) = if rest.get(stop).is_none_or(|&b| b == b'<') {
            (stop, self.piece(self.pos..self.pos + stop))
        } else {
            let len = stop + find(b'<', &rest[stop..]).unwrap_or(rest.len() - stop);
            (len, self.special_text(self.pos..self.pos + len)?)
        };
        self.pos += len;
        Ok(text)
    }

    /// [`char_data`](Self::char_data) for text with references or carriage
    /// returns, kept out of the common path.
    #[cold]
    #[inline(never)]
    fn special_text(&self, range: Range<usize>) -> Result<Cow<'a, str>, Fault> {
        let text = self.raw_text(range);
        if find(b'&', text.as_bytes()).is_none() {
            return Ok(text);
        }
        let resolved = quick_xml::escape::unescape(&text).map_err(|e| {
            use quick_xml::escape::EscapeError as E;
            self.syntax(match e {
                E::UnrecognizedEntity(..) => "undefined entity reference",
                E::InvalidCharRef(_) => "invalid character reference",
                _ => "malformed reference",
            })
        })?;
        Ok(Cow::Owned(resolved.into_owned()))
    }

    /// A construct starting `<!` or `<?`, read by quick-xml: CDATA becomes
    /// text, comments and processing instructions vanish (`None`), a DOCTYPE
    /// and a declaration anywhere but at the start are refused.
    fn markup(&mut self) -> Result<Option<Ev<'a>>, Fault> {
        let mut reader = quick_xml::Reader::from_str(&self.text[self.pos..]);
        reader.config_mut().trim_text(false);
        let event = reader
            .read_event()
            .map_err(|e| self.quick_xml_error(&e, reader.error_position()))?;
        let len = reader.buffer_position() as usize;
        let ev = match event {
            Event::CData(_) => {
                // `<![CDATA[` and `]]>` around the content.
                Some(Ev::Text(self.raw_text(self.pos + 9..self.pos + len - 3)))
            }
            Event::Comment(_) | Event::PI(_) => None,
            Event::Decl(_) => {
                return Err(self.syntax("an XML declaration must start the document"));
            }
            Event::DocType(_) => {
                return Err(self.syntax("a DOCTYPE is not allowed in XML-RPC"));
            }
            _ => return Err(self.syntax("unreadable markup")),
        };
        self.pos += len;
        Ok(ev)
    }

    fn quick_xml_error(&self, e: &quick_xml::Error, at: u64) -> Fault {
        use quick_xml::errors::Error as E;
        // quick-xml's messages may quote the document; name only the kind of
        // mistake.
        let what = match e {
            E::Syntax(s) => s.to_string(),
            E::Encoding(_) => "invalid encoding".to_owned(),
            _ => "unreadable XML".to_owned(),
        };
        Fault::parse_error(format_args!("{what} at byte {}", self.pos as u64 + at))
    }

    /// Skips whitespace-only text and returns the next element event.
    pub(crate) fn next_tag(&mut self) -> Result<Ev<'a>, Fault> {
        if self.peeked.is_none() {
            // The usual indentation between elements, skipped without
            // making a text event of it.
            let bytes = self.text.as_bytes();
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(self.pos) {
                self.pos += 1;
            }
        }
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
        if self.eat_end(tag) {
            return Ok(());
        }
        match self.next_tag()? {
            Ev::End(t) if t == tag => Ok(()),
            _ => Err(self.syntax(format_args!("expected </{}>", tag.spec_name()))),
        }
    }

    /// Consumes the start of `tag` (or, when `empty_ok`, `<tag/>`, reported as `true`).
    pub(crate) fn expect_start(&mut self, tag: Tag) -> Result<bool, Fault> {
        if self.eat_start(tag) {
            return Ok(false);
        }
        match self.next_tag()? {
            Ev::Start(t) if t == tag => Ok(false),
            Ev::Empty(t) if t == tag => Ok(true),
            _ => Err(self.syntax(format_args!("expected <{}>", tag.spec_name()))),
        }
    }

    /// Where the next element starts, past whitespace, when no event is
    /// peeked: the shortcuts below read from there.
    fn after_blanks(&self) -> Option<usize> {
        if self.peeked.is_some() {
            return None;
        }
        let bytes = self.text.as_bytes();
        let blanks = bytes[self.pos..].iter().position(|&b| !is_blank_byte(b))?;
        Some(self.pos + blanks)
    }

    /// [`expect_start`](Self::expect_start)'s shortcut for the way nearly
    /// every client writes a structural element, `<value>`: consumed
    /// without the general scan. Anything else is left to it.
    pub(crate) fn eat_start(&mut self, tag: Tag) -> bool {
        let Some(at) = self.after_blanks().filter(|_| tag != Tag::Other) else {
            return false;
        };
        let name = tag.spec_name().as_bytes();
        let rest = &self.text.as_bytes()[at..];
        let plain = rest.len() > name.len() + 1
            && rest[0] == b'<'
            && rest[name.len() + 1] == b'>'
            && &rest[1..=name.len()] == name;
        if plain {
            self.open.push((at + 1..at + 1 + name.len(), tag));
            self.last_start = at + 1;
            self.pos = at + name.len() + 2;
        }
        plain
    }

    /// [`expect_end`](Self::expect_end)'s shortcut: `</name>` exactly as
    /// the innermost element, of `tag`, was opened.
    pub(crate) fn eat_end(&mut self, tag: Tag) -> bool {
        let Some(at) = self.after_blanks() else {
            return false;
        };
        let plain =
            self.open.last().is_some_and(|(_, open)| *open == tag) && self.closes_innermost(at);
        if let Some((name, _)) = self.open.pop_if(|_| plain) {
            self.pos = at + name.len() + 3;
        }
        plain
    }

    /// Whether the end tag of the innermost open element is written at
    /// `at` exactly as it was opened, `</name>`: how nearly every end tag
    /// is written.
    fn closes_innermost(&self, at: usize) -> bool {
        let Some((name, _)) = self.open.last() else {
            return false;
        };
        let bytes = self.text.as_bytes();
        let (name, rest) = (&bytes[name.clone()], &bytes[at..]);
        rest.len() > name.len() + 2
            && rest.starts_with(b"</")
            && rest[name.len() + 2] == b'>'
            && &rest[2..name.len() + 2] == name
    }

    /// Reads character data up to the next element event, joining the pieces
    /// that references and CDATA sections split it into. Borrows from the
    /// document when the text came in one piece.
    pub(crate) fn text(&mut self) -> Result<Cow<'a, str>, Fault> {
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        if self.peeked.is_none() && !matches!(self.text.as_bytes().get(self.pos), None | Some(b'<'))
        {
            let piece = self.char_data()?;
            // Text is in one piece unless CDATA or a comment follows.
            if !matches!(self.text.as_bytes().get(self.pos + 1), Some(b'!' | b'?')) {
                return Ok(piece);
            }
            text = piece;
        }
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
        // Usually the end tag follows the text at once.
        if self.eat_end(tag) {
            return Ok(text);
        }
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

/// A start tag without attributes — nearly every tag a client writes —
/// read without the quote-aware scan: the name runs straight to `>` or
/// `/>`. The name's length, and whether the tag is self-closed (`<nil/>`);
/// `None` for anything else.
fn plain_start(after_lt: &[u8]) -> Option<(usize, bool)> {
    let end = after_lt
        .iter()
        .position(|b| matches!(b, b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'\''))?;
    match &after_lt[end..] {
        [b'>', ..] => Some((end, false)),
        [b'/', b'>', ..] => Some((end, true)),
        _ => None,
    }
}

/// The first `needle` in `hay`. Most tags and scalars are a few bytes long,
/// where a plain loop beats memchr's setup; long text goes to memchr.
fn find(needle: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 32;
    let head = &hay[..hay.len().min(SHORT)];
    match head.iter().position(|&b| b == needle) {
        Some(i) => Some(i),
        None if hay.len() <= SHORT => None,
        None => memchr::memchr(needle, &hay[SHORT..]).map(|i| i + SHORT),
    }
}

/// The first `a`, `b` or `c` in `hay`, as [`find`] looks for one byte.
fn find3(a: u8, b: u8, c: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 32;
    let head = &hay[..hay.len().min(SHORT)];
    match head.iter().position(|&x| x == a || x == b || x == c) {
        Some(i) => Some(i),
        None if hay.len() <= SHORT => None,
        None => memchr::memchr3(a, b, c, &hay[SHORT..]).map(|i| i + SHORT),
    }
}

/// The part of a qualified name after its prefix: `ex:nil` → `nil`.
fn local_name(name: &str) -> &str {
    match name.bytes().position(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// XML whitespace: space, tab, line feed, carriage return.
pub(crate) fn is_blank(text: &str) -> bool {
    text.bytes().all(is_blank_byte)
}

fn is_blank_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// `text` with every CRLF and every lone CR made LF; `first` is the first CR.
fn normalise_line_ends(text: &str, first: usize) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    let mut cr = Some(first);
    while let Some(at) = cr {
        out.push_str(&text[from..at]);
        out.push('\n');
        from = if bytes.get(at + 1) == Some(&b'\n') {
            at + 2
        } else {
            at + 1
        };
        cr = memchr::memchr(b'\r', &bytes[from..]).map(|i| from + i);
    }
    out.push_str(&text[from..]);
    out
}

/// An element name for a message, clipped: names of unknown elements come
/// from the client and may be long.
struct SentName<'t>(&'t str);

impl fmt::Display for SentName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 40;
        match self.0.char_indices().nth(MAX) {
            None => write!(f, "<{}>", self.0),
            Some((cut, _)) => write!(f, "<{}…>", &self.0[..cut]),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The scanner against quick-xml reading the whole document: on every
    //! document and every damaged copy of it, both must see the same events
    //! or both must refuse it.

    use super::*;

    #[derive(Debug, PartialEq)]
    enum Seen {
        Start(Tag),
        Empty(Tag),
        End(Tag),
        Text(String),
    }

    fn push_text(seen: &mut Vec<Seen>, text: &str) {
        match seen.last_mut() {
            Some(Seen::Text(t)) => t.push_str(text),
            _ => seen.push(Seen::Text(text.to_owned())),
        }
    }

    fn scanned(doc: &[u8]) -> Option<Vec<Seen>> {
        let mut events = Events::new(doc, &Limits::default()).ok()?;
        let mut seen = Vec::new();
        loop {
            match events.next().ok()? {
                Ev::Start(t) => seen.push(Seen::Start(t)),
                Ev::Empty(t) => seen.push(Seen::Empty(t)),
                Ev::End(t) => seen.push(Seen::End(t)),
                Ev::Text(t) => push_text(&mut seen, &t),
                Ev::Eof => return Some(seen),
            }
        }
    }

    fn reference(doc: &[u8]) -> Option<Vec<Seen>> {
        // The declaration and encoding are read apart (`encoding::decode`);
        // quick-xml must see a declaration first or not at all.
        encoding::decode(doc).ok()?;
        let text = std::str::from_utf8(doc).ok()?;
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().trim_text(false);
        let mut seen = Vec::new();
        let mut open = 0usize;
        let tag = |name: quick_xml::name::LocalName<'_>| Tag::from_local(name.as_ref());
        loop {
            let at_start = reader.buffer_position() == 0;
            match reader.read_event().ok()? {
                Event::Start(e) => {
                    open += 1;
                    seen.push(Seen::Start(tag(e.local_name())));
                }
                Event::Empty(e) => seen.push(Seen::Empty(tag(e.local_name()))),
                Event::End(e) => {
                    open -= 1;
                    seen.push(Seen::End(tag(e.local_name())));
                }
                Event::Text(t) => push_text(&mut seen, &t.xml10_content()),
                Event::CData(t) => push_text(&mut seen, &t.xml10_content()),
                Event::GeneralRef(r) => {
                    let resolved = match &*r {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => r.resolve_char_ref().ok()??,
                    };
                    push_text(&mut seen, resolved.encode_utf8(&mut [0; 4]));
                }
                Event::Decl(_) if at_start => {}
                Event::Decl(_) => return None,
                Event::Comment(_) | Event::PI(_) => {}
                Event::DocType(_) => return None,
                Event::Eof if open == 0 => return Some(seen),
                Event::Eof => return None,
            }
        }
    }

    const DOCS: &[&str] = &[
        "<?xml version='1.0'?>\n<methodCall>\n<methodName>calc.add</methodName>\n<params>\n<param>\n<value><int>1</int></value>\n</param>\n</params>\n</methodCall>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\"><params><param><value><ex:nil/></value></param></params></methodResponse>",
        "<methodCall><methodName>a.b</methodName><params><param><value><struct><member><name>k &amp; &#x41;&#66;</name><value><string>x &lt; y &gt; z &quot;&apos;</string></value></member></struct></value></param></params></methodCall>",
        "<!-- c --><methodCall><?pi x?><methodName><![CDATA[<raw>]]>m</methodName ><params/></methodCall>",
        "<a x='1>' y=\"'\"><b/></a >",
        "<methodResponse><params ><param><value><ex:i8>5</ex:i8 ></value></param><param><value/></param><param><value><nil /></value></param><param><valuex>1</valuex></param><parameter/></params></methodResponse\n>",
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\r\n<methodCall a='x\r\ny\r'>\r\n<methodName>m</methodName>\r<params><param><value><string>a\r\nb\rc\n\r&#13;&#x0d;\r\n</string></value></param><param><value><![CDATA[x\r\ny\r]]>\r</value></param></params></methodCall>\r\n",
    ];

    #[test]
    fn the_scanner_sees_what_quick_xml_sees() {
        let mut checked = 0;
        for doc in DOCS {
            let doc = doc.as_bytes();
            assert!(scanned(doc).is_some(), "{}", String::from_utf8_lossy(doc));
            let mut variants = vec![doc.to_vec()];
            for at in 0..doc.len() {
                let mut cut = doc.to_vec();
                cut.remove(at);
                variants.push(cut);
                variants.push(doc[..at].to_vec());
                for byte in [
                    b'<', b'>', b'&', b'/', b'"', b'\'', b';', b'!', b'?', b':', b' ', b'\r',
                ] {
                    let mut with = doc.to_vec();
                    with.insert(at, byte);
                    variants.push(with.clone());
                    with[at + 1] = byte;
                    variants.push(with);
                }
            }
            for variant in &variants {
                assert_eq!(
                    scanned(variant),
                    reference(variant),
                    "{}",
                    String::from_utf8_lossy(variant)
                );
                checked += 1;
            }
        }
        assert!(checked > 10_000);
    }
}
