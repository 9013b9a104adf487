//! Telling the framing of a byte stream from its first bytes, and reading
//! and writing frames in it.
//!
//! | framing | recognised by | request | response |
//! |---|---|---|---|
//! | HTTP/1.1 | a method token (`POST `, `GET `, …) | an HTTP request | an HTTP response |
//! | `Content-Length` | a `Content-Length:` / `Content-Type:` header | headers, blank line, body | `Content-Length: N`, blank line, body |
//! | JSON stream | `{` or `[` | one JSON value (newlines between values optional) | the JSON value and a newline |

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::Protocol;

/// The framing a connection speaks, fixed by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Http,
    ContentLength,
    JsonStream,
}

const HTTP_METHODS: [&[u8]; 7] = [
    b"POST ",
    b"GET ",
    b"PUT ",
    b"HEAD ",
    b"DELETE ",
    b"OPTIONS ",
    b"PATCH ",
];
const HEADER_PREFIX: &[u8] = b"content-";
/// Longest header section accepted in `Content-Length` framing.
const MAX_HEADERS: usize = 8 * 1024;

/// What the first bytes say: a framing, not enough bytes yet, or garbage.
fn classify(buf: &[u8]) -> Option<Option<Framing>> {
    let could_be = |token: &[u8], exact: fn(&[u8], &[u8]) -> bool| {
        let n = buf.len().min(token.len());
        exact(&buf[..n], &token[..n])
    };
    let same = |a: &[u8], b: &[u8]| a == b;
    let same_ignoring_case = |a: &[u8], b: &[u8]| a.eq_ignore_ascii_case(b);
    for method in HTTP_METHODS {
        if could_be(method, same) {
            return Some((buf.len() >= method.len()).then_some(Framing::Http));
        }
    }
    if could_be(HEADER_PREFIX, same_ignoring_case) {
        return Some((buf.len() >= HEADER_PREFIX.len()).then_some(Framing::ContentLength));
    }
    match buf.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => Some(Some(Framing::JsonStream)),
        Some(_) => None,
        None => Some(None),
    }
}

/// Why a frame could not be read; the connection ends after any of them.
#[derive(Debug)]
pub(crate) enum FrameError {
    /// A frame is larger than the body limit.
    TooLarge,
    /// Bytes that are no frame of the connection's framing.
    Malformed(&'static str),
    /// The stream ended inside a frame, or failed.
    Io(io::Error),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge => f.write_str("frame larger than the body limit"),
            FrameError::Malformed(why) => f.write_str(why),
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl From<io::Error> for FrameError {
    fn from(e: io::Error) -> Self {
        FrameError::Io(e)
    }
}

/// One request read from a stream.
#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) body: Bytes,
    /// The protocol a `Content-Type` header named, if any.
    pub(crate) protocol: Option<Protocol>,
}

/// Progress through a JSON value, kept between reads so that a value split
/// across reads is scanned once.
#[derive(Debug, Default)]
struct JsonScan {
    /// Bytes of the value scanned so far.
    at: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

/// Reads frames from a stream. Every read goes into `buf`, so a read
/// interrupted by `select!` loses nothing.
#[derive(Debug)]
pub(crate) struct FrameReader<R> {
    io: R,
    buf: BytesMut,
    scan: JsonScan,
    limit: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(io: R, limit: usize) -> Self {
        FrameReader {
            io,
            buf: BytesMut::with_capacity(8 * 1024),
            scan: JsonScan::default(),
            limit,
        }
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(8 * 1024);
        }
        Ok(self.io.read_buf(&mut self.buf).await? > 0)
    }

    /// Reads until the framing is known. `Ok(None)`: the stream ended first,
    /// or began with bytes no framing starts with.
    pub(crate) async fn detect(&mut self) -> io::Result<Option<Framing>> {
        loop {
            match classify(&self.buf) {
                None => return Ok(None),
                Some(Some(framing)) => return Ok(Some(framing)),
                Some(None) if self.buf.len() > MAX_HEADERS => return Ok(None),
                Some(None) => {
                    if !self.fill().await? {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// The bytes read but not yet consumed, and the stream, for handing the
    /// connection to an HTTP server.
    pub(crate) fn into_parts(self) -> (Bytes, R) {
        (self.buf.freeze(), self.io)
    }

    /// The next frame; `Ok(None)` when the stream ends between frames.
    pub(crate) async fn next(&mut self, framing: Framing) -> Result<Option<Frame>, FrameError> {
        loop {
            let parsed = match framing {
                Framing::JsonStream => self.parse_json()?,
                Framing::ContentLength => self.parse_content_length()?,
                Framing::Http => unreachable!("HTTP connections are served by hyper"),
            };
            if let Some(frame) = parsed {
                return Ok(Some(frame));
            }
            if !self.fill().await? {
                let blank = self.buf.iter().all(u8::is_ascii_whitespace);
                return if blank {
                    Ok(None)
                } else {
                    Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into()))
                };
            }
        }
    }

    /// Cuts one complete JSON value off the buffer, if it holds one.
    fn parse_json(&mut self) -> Result<Option<Frame>, FrameError> {
        if self.scan.at == 0 {
            let blank = self
                .buf
                .iter()
                .take_while(|b| b.is_ascii_whitespace())
                .count();
            self.buf.advance(blank);
            match self.buf.first() {
                None => return Ok(None),
                Some(b'{' | b'[') => {}
                Some(_) => return Err(FrameError::Malformed("expected a JSON object or array")),
            }
        }
        let scan = &mut self.scan;
        for (i, &b) in self.buf.iter().enumerate().skip(scan.at) {
            if scan.in_string {
                if scan.escaped {
                    scan.escaped = false;
                } else if b == b'\\' {
                    scan.escaped = true;
                } else if b == b'"' {
                    scan.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => scan.in_string = true,
                b'{' | b'[' => scan.depth += 1,
                b'}' | b']' => {
                    scan.depth = scan.depth.saturating_sub(1);
                    if scan.depth == 0 {
                        *scan = JsonScan::default();
                        let body = self.buf.split_to(i + 1).freeze();
                        return Ok(Some(Frame {
                            body,
                            protocol: Some(Protocol::JsonRpc),
                        }));
                    }
                }
                _ => {}
            }
        }
        scan.at = self.buf.len();
        if scan.at > self.limit {
            return Err(FrameError::TooLarge);
        }
        Ok(None)
    }

    /// Cuts one `Content-Length` frame off the buffer, if it holds one.
    fn parse_content_length(&mut self) -> Result<Option<Frame>, FrameError> {
        let blank = self
            .buf
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.buf.advance(blank);
        let Some(end) = find_blank_line(&self.buf) else {
            if self.buf.len() > MAX_HEADERS {
                return Err(FrameError::Malformed("header section too long"));
            }
            return Ok(None);
        };
        let head = std::str::from_utf8(&self.buf[..end.start])
            .map_err(|_| FrameError::Malformed("headers are not text"))?;
        let mut length = None;
        let mut protocol = None;
        for line in head.lines() {
            let Some((name, value)) = line.split_once(':') else {
                return Err(FrameError::Malformed("a header line without a colon"));
            };
            let value = value.trim();
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| FrameError::Malformed("Content-Length is not a number"))?,
                );
            } else if name.trim().eq_ignore_ascii_case("content-type") {
                let value = value.to_ascii_lowercase();
                if value.contains("xml") {
                    protocol = Some(Protocol::XmlRpc);
                } else if value.contains("json") {
                    protocol = Some(Protocol::JsonRpc);
                }
            }
        }
        let length = length.ok_or(FrameError::Malformed("no Content-Length header"))?;
        if length > self.limit {
            return Err(FrameError::TooLarge);
        }
        if self.buf.len() < end.end + length {
            self.buf.reserve(end.end + length - self.buf.len());
            return Ok(None);
        }
        self.buf.advance(end.end);
        let body = self.buf.split_to(length).freeze();
        Ok(Some(Frame { body, protocol }))
    }
}

/// Where the header section ends: the blank line (`\r\n\r\n` or `\n\n`).
fn find_blank_line(buf: &[u8]) -> Option<std::ops::Range<usize>> {
    let crlf = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i..i + 4);
    let lf = buf.windows(2).position(|w| w == b"\n\n").map(|i| i..i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.start <= b.start { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Frames a response for the connection's framing into `out`.
pub(crate) fn write_frame(framing: Framing, body: &[u8], out: &mut Vec<u8>) {
    out.clear();
    match framing {
        Framing::JsonStream => {
            out.extend_from_slice(body);
            out.push(b'\n');
        }
        Framing::ContentLength | Framing::Http => {
            out.extend_from_slice(b"Content-Length: ");
            out.extend_from_slice(body.len().to_string().as_bytes());
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(body);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bytes_choose_the_framing() {
        assert_eq!(classify(b"POST / HTTP/1.1"), Some(Some(Framing::Http)));
        assert_eq!(classify(b"PO"), Some(None));
        assert_eq!(
            classify(b"Content-Length: 5"),
            Some(Some(Framing::ContentLength))
        );
        assert_eq!(
            classify(b"content-type: application/json"),
            Some(Some(Framing::ContentLength))
        );
        assert_eq!(
            classify(b"  \n{\"jsonrpc\""),
            Some(Some(Framing::JsonStream))
        );
        assert_eq!(classify(b"\x00\x01garbage"), None);
        assert_eq!(classify(b""), Some(None));
    }

    fn reader(bytes: &'static [u8]) -> FrameReader<&'static [u8]> {
        FrameReader::new(bytes, 1024)
    }

    #[tokio::test]
    async fn json_values_split_or_packed() {
        let mut r = reader(b"{\"a\":\"}\\\"{\"}[1,[2]]\n\n{}");
        let mut bodies = Vec::new();
        while let Some(frame) = r.next(Framing::JsonStream).await.unwrap() {
            bodies.push(frame.body);
        }
        assert_eq!(bodies, [&b"{\"a\":\"}\\\"{\"}"[..], b"[1,[2]]", b"{}"]);
    }

    #[tokio::test]
    async fn content_length_frames() {
        let mut r = reader(
            b"Content-Length: 2\r\nContent-Type: text/xml\r\n\r\n<aContent-Length: 3\n\n{ }",
        );
        let first = r.next(Framing::ContentLength).await.unwrap().unwrap();
        assert_eq!(
            (&first.body[..], first.protocol),
            (&b"<a"[..], Some(Protocol::XmlRpc))
        );
        let second = r.next(Framing::ContentLength).await.unwrap().unwrap();
        assert_eq!(&second.body[..], b"{ }");
    }

    #[tokio::test]
    async fn limits_and_truncation() {
        let mut r = FrameReader::new(&b"[[[[[[[[[[[[[[[[[[[["[..], 8);
        assert!(matches!(
            r.next(Framing::JsonStream).await,
            Err(FrameError::TooLarge)
        ));
        let mut r = reader(b"Content-Length: 99999\r\n\r\n");
        assert!(matches!(
            r.next(Framing::ContentLength).await,
            Err(FrameError::TooLarge)
        ));
        let mut r = reader(b"{\"half\": ");
        assert!(matches!(
            r.next(Framing::JsonStream).await,
            Err(FrameError::Io(_))
        ));
    }
}
