//! A document's character encoding, read from its byte-order mark or its XML
//! declaration (XML 1.0 §4.3.3 and appendix F), and the document turned into
//! UTF-8 once, before the first event is parsed.
//!
//! UTF-8 is read in place. So is US-ASCII, which some clients declare while
//! sending UTF-8 (Perl's RPC::XML). Every other encoding of the WHATWG
//! Encoding Standard — ISO-8859-1 and windows-1252 (one encoding there, so
//! bytes 0x80–0x9F are `€`, `“`, `”`…), the other ISO-8859 parts, KOI8-R,
//! Shift_JIS, GBK… — and UTF-16 with a byte-order mark are converted by
//! `encoding_rs`. A document in an ASCII-compatible encoding that holds only
//! ASCII bytes is the same text in UTF-8, and is read in place too.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use quick_xml::events::Event;

use crate::Fault;
use crate::fault::Clipped;

/// A document as UTF-8 text.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    /// The text, byte-order mark removed; borrowed unless it was converted.
    pub(crate) text: Cow<'a, str>,
    /// Where the content after the XML declaration starts in `text`.
    pub(crate) start: usize,
}

/// Declarations read without parsing: Python's, and diglot's own.
const PLAIN_DECLARATIONS: [&[u8]; 3] = [
    b"<?xml version=\"1.0\"?>",
    b"<?xml version='1.0'?>",
    b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
];

/// Reads `body` as the encoding it declares and returns it as UTF-8.
pub(crate) fn decode(body: &[u8]) -> Result<Decoded<'_>, Fault> {
    // `<` as a UTF-16 code unit (appendix F): UTF-16 must start with a mark.
    if body.starts_with(b"<\0") || body.starts_with(b"\0<") {
        return Err(Fault::new(
            Fault::UNSUPPORTED_ENCODING,
            "unsupported encoding: UTF-16 without a byte-order mark",
        ));
    }
    // A byte-order mark decides the encoding, whatever a declaration says.
    // (Nearly every document starts with `<`, and so has none.)
    if body.first() != Some(&b'<')
        && let Some((encoding, bom)) = Encoding::for_bom(body)
    {
        let text = convert(encoding, &body[bom..])?;
        let start = declaration(text.as_bytes())?.map_or(0, |decl| decl.len);
        return Ok(Decoded { text, start });
    }
    let (encoding, start) = match declaration(body)? {
        None => (UTF_8, 0),
        Some(decl) => (decl.encoding()?, decl.len),
    };
    Ok(Decoded {
        text: convert(encoding, body)?,
        start,
    })
}

/// An XML declaration at the start of a document.
struct Declaration {
    /// Its length in bytes.
    len: usize,
    /// The `encoding` it names, if any.
    label: Option<String>,
}

impl Declaration {
    /// The encoding the label names. US-ASCII is read as UTF-8, its
    /// superset; a label nobody knows is -32701, naming it.
    fn encoding(&self) -> Result<&'static Encoding, Fault> {
        let Some(label) = &self.label else {
            return Ok(UTF_8);
        };
        let label = label.trim();
        let is = |name: &str| label.eq_ignore_ascii_case(name);
        if ["utf-8", "utf8", "us-ascii", "ascii"].into_iter().any(is) {
            return Ok(UTF_8);
        }
        match Encoding::for_label_no_replacement(label.as_bytes()) {
            Some(encoding) if encoding == UTF_16LE || encoding == UTF_16BE => Err(Fault::new(
                Fault::UNSUPPORTED_ENCODING,
                "unsupported encoding: UTF-16 declared, but the document has no byte-order mark",
            )),
            Some(encoding) => Ok(encoding),
            None => Err(Fault::new(
                Fault::UNSUPPORTED_ENCODING,
                format!("unsupported encoding: {}", Clipped(label)),
            )),
        }
    }
}

/// The XML declaration that `text` starts with, if it starts with one.
fn declaration(text: &[u8]) -> Result<Option<Declaration>, Fault> {
    if !text.starts_with(b"<?xml") {
        return Ok(None);
    }
    if let Some(plain) = PLAIN_DECLARATIONS.iter().find(|d| text.starts_with(d)) {
        return Ok(Some(Declaration {
            len: plain.len(),
            label: None,
        }));
    }
    let mut reader = quick_xml::Reader::from_reader(text);
    match reader.read_event() {
        // The declaration's grammar is ASCII; its length is also where the
        // content starts once the document is converted to UTF-8.
        Ok(Event::Decl(_)) if !text[..reader.buffer_position() as usize].is_ascii() => Err(
            Fault::parse_error("malformed XML declaration at byte 0: not ASCII"),
        ),
        Ok(Event::Decl(decl)) => {
            let label = decl
                .encoding()
                .transpose()
                .map_err(|_| Fault::parse_error("malformed XML declaration at byte 0"))?;
            Ok(Some(Declaration {
                len: reader.buffer_position() as usize,
                label: label.map(Cow::into_owned),
            }))
        }
        // `<?xml-stylesheet …?>` and the like: left to the reader.
        Ok(_) => Ok(None),
        Err(_) => Err(Fault::parse_error("malformed XML declaration at byte 0")),
    }
}

/// `bytes` as UTF-8 text: borrowed when they already are (any
/// ASCII-compatible encoding's pure-ASCII text is), converted otherwise.
fn convert<'a>(encoding: &'static Encoding, bytes: &'a [u8]) -> Result<Cow<'a, str>, Fault> {
    if encoding == UTF_8 {
        return std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
            Fault::new(
                Fault::INVALID_CHARACTER,
                format!("invalid character: not UTF-8 at byte {}", e.valid_up_to()),
            )
        });
    }
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| {
            Fault::new(
                Fault::INVALID_CHARACTER,
                format!("invalid character: not {}", encoding.name()),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &[u8]) -> Result<String, i32> {
        decode(body)
            .map(|d| d.text[d.start..].to_owned())
            .map_err(|f| f.code)
    }

    #[test]
    fn declared_encodings_become_utf8() {
        let latin1 = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xE9 na\xEFve</a>";
        assert_eq!(text(latin1).unwrap(), "<a>café naïve</a>");
        let cp1252 = b"<?xml version='1.0' encoding='windows-1252'?><a>\x80 \x93q\x94</a>";
        assert_eq!(text(cp1252).unwrap(), "<a>€ “q”</a>");
        // Perl's RPC::XML declares US-ASCII and sends UTF-8.
        let ascii = "<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>é</a>";
        assert_eq!(text(ascii.as_bytes()).unwrap(), "<a>é</a>");
        let bom = "\u{FEFF}<?xml version=\"1.0\"?><a>é</a>";
        assert_eq!(text(bom.as_bytes()).unwrap(), "<a>é</a>");
    }

    #[test]
    fn ascii_in_an_ascii_compatible_encoding_is_read_in_place() {
        let body = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<a>x</a>";
        let decoded = decode(body).unwrap();
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
        assert_eq!(&decoded.text[decoded.start..], "\n<a>x</a>");
    }

    #[test]
    fn utf16_needs_its_byte_order_mark() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é</a>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(doc.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(text(&le).unwrap(), "<a>é</a>");
        let mut be = vec![0xFE, 0xFF];
        be.extend(doc.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(text(&be).unwrap(), "<a>é</a>");
        assert_eq!(text(&le[2..]), Err(Fault::UNSUPPORTED_ENCODING));
        let declared = b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>";
        assert_eq!(text(declared), Err(Fault::UNSUPPORTED_ENCODING));
    }

    #[test]
    fn unknown_encodings_and_bad_bytes_are_named() {
        let body = b"<?xml version=\"1.0\" encoding=\"x-klingon\"?><a/>";
        let fault = decode(body).unwrap_err();
        assert_eq!(fault.code, Fault::UNSUPPORTED_ENCODING);
        assert!(fault.message.contains("x-klingon"), "{}", fault.message);
        let bad = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x81</a>";
        let fault = decode(bad).unwrap_err();
        assert_eq!(fault.code, Fault::INVALID_CHARACTER);
        assert!(fault.message.contains("Shift_JIS"), "{}", fault.message);
        assert_eq!(text(b"<a>\xFF</a>"), Err(Fault::INVALID_CHARACTER));
    }

    #[test]
    fn a_declaration_with_bytes_beyond_ascii_is_malformed() {
        // Converted from Latin-1 the stray bytes would double in length,
        // moving where the content starts.
        let body = b"<?xml version=\"1.0\" encoding=\"iso-8859-1\"\xEF\xBB\xBF?><a>\xE9</a>";
        let fault = decode(body).unwrap_err();
        assert_eq!(fault.code, Fault::PARSE_ERROR);
        assert!(fault.message.contains("not ASCII"), "{}", fault.message);
    }
}
