//! Telling the framing of a byte stream from its first bytes, and reading
//! and writing frames in it.
//!
//! | framing | recognised by | request | response |
//! |---|---|---|---|
//! | HTTP/1.1 | a method token (`POST `, `GET `, …) | an HTTP request | an HTTP response |
//! | `Content-Length` | a `Content-Length:` / `Content-Type:` header | headers, blank line, body | `Content-Length: N`, blank line, body |
//! | JSON stream | `{` or `[` | one JSON value (newlines between values optional) | the JSON value and a newline |

use std::io::{self, Write};
use std::time::{Duration, Instant};

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

impl FrameError {
    /// What the handler is told before the connection closes, with the
    /// body limit in force: nothing when the stream itself failed.
    pub(crate) fn refusal(&self, limit: usize) -> Option<crate::Refusal> {
        match self {
            FrameError::TooLarge => Some(crate::Refusal::TooLarge { limit }),
            FrameError::Malformed(reason) => Some(crate::Refusal::Unreadable { reason }),
            FrameError::Io(_) => None,
        }
    }
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

/// Bytes read from a connection and not yet cut into frames: the framing
/// logic without the I/O, shared by the async reader and the blocking
/// connection threads.
#[derive(Debug)]
pub(crate) struct Frames {
    buf: BytesMut,
    scan: JsonScan,
    /// A `Content-Length` header section read, its body not yet complete.
    head: Option<Head>,
    limit: usize,
}

/// What the bytes so far say about a connection's framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    Framing(Framing),
    /// Not enough bytes to tell.
    NeedMore,
    /// Bytes no framing starts with.
    Unknown,
}

impl Frames {
    pub(crate) fn new(limit: usize) -> Self {
        Frames {
            buf: BytesMut::with_capacity(8 * 1024),
            scan: JsonScan::default(),
            head: None,
            limit,
        }
    }

    /// Appends bytes read from the connection.
    #[cfg_attr(not(unix), allow(dead_code))]
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Room for the next read, for readers that fill a `BufMut`.
    fn spare(&mut self) -> &mut BytesMut {
        if self.buf.capacity() - self.buf.len() < 4096 {
            self.buf.reserve(8 * 1024);
        }
        &mut self.buf
    }

    /// The framing, as far as the bytes so far tell it.
    pub(crate) fn detect(&self) -> Detected {
        match classify(&self.buf) {
            None => Detected::Unknown,
            Some(Some(framing)) => Detected::Framing(framing),
            Some(None) if self.buf.len() > MAX_HEADERS => Detected::Unknown,
            Some(None) => Detected::NeedMore,
        }
    }

    /// The bytes not yet consumed.
    pub(crate) fn into_bytes(self) -> Bytes {
        self.buf.freeze()
    }

    /// Whether the stream may end here: nothing but blank space is left.
    pub(crate) fn may_end(&self) -> bool {
        self.buf.iter().all(u8::is_ascii_whitespace)
    }

    /// Cuts the next complete frame off the buffer, if it holds one.
    pub(crate) fn next(&mut self, framing: Framing) -> Result<Option<Frame>, FrameError> {
        match framing {
            Framing::JsonStream => self.parse_json(),
            Framing::ContentLength => self.parse_content_length(),
            Framing::Http => unreachable!("HTTP connections are served by hyper"),
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
        let bytes = &self.buf[..];
        let mut i = scan.at;
        if scan.escaped && i < bytes.len() {
            scan.escaped = false;
            i += 1;
        }
        while i < bytes.len() {
            if scan.in_string {
                // Inside a string only `"` and `\` matter.
                let Some(k) = memchr::memchr2(b'"', b'\\', &bytes[i..]) else {
                    break;
                };
                i += k;
                if bytes[i] == b'"' {
                    scan.in_string = false;
                    i += 1;
                } else if i + 1 < bytes.len() {
                    i += 2;
                } else {
                    scan.escaped = true;
                    i += 1;
                }
                continue;
            }
            let Some(k) = bytes[i..]
                .iter()
                .position(|b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'))
            else {
                break;
            };
            i += k;
            match bytes[i] {
                b'"' => scan.in_string = true,
                b'{' | b'[' => scan.depth += 1,
                _ => {
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
            }
            i += 1;
        }
        scan.at = self.buf.len();
        if scan.at > self.limit {
            return Err(FrameError::TooLarge);
        }
        Ok(None)
    }

    /// Cuts one `Content-Length` frame off the buffer, if it holds one.
    fn parse_content_length(&mut self) -> Result<Option<Frame>, FrameError> {
        let head = match self.head.take() {
            Some(head) => head,
            None => {
                let blank = self
                    .buf
                    .iter()
                    .take_while(|b| matches!(b, b'\r' | b'\n'))
                    .count();
                self.buf.advance(blank);
                match read_head(&self.buf)? {
                    Some(head) => head,
                    None => return Ok(None),
                }
            }
        };
        if head.body > self.limit {
            return Err(FrameError::TooLarge);
        }
        let whole = head.len + head.body;
        if self.buf.len() < whole {
            // The header section is kept parsed while the body arrives.
            self.buf.reserve(whole - self.buf.len());
            self.head = Some(head);
            return Ok(None);
        }
        self.buf.advance(head.len);
        let body = self.buf.split_to(head.body).freeze();
        Ok(Some(Frame {
            body,
            protocol: head.protocol,
        }))
    }
}

/// A `Content-Length` header section: its length with the blank line, the
/// body's length, and the protocol its `Content-Type` names.
#[derive(Debug, Clone, Copy)]
struct Head {
    len: usize,
    body: usize,
    protocol: Option<Protocol>,
}

/// Reads the header section at the start of `buf`, if it is complete.
fn read_head(buf: &[u8]) -> Result<Option<Head>, FrameError> {
    let mut at = 0;
    let mut body = None;
    let mut protocol = None;
    loop {
        let Some(end) = memchr::memchr(b'\n', &buf[at..]) else {
            if buf.len() > MAX_HEADERS {
                return Err(FrameError::Malformed("header section too long"));
            }
            return Ok(None);
        };
        let line = &buf[at..at + end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        at += end + 1;
        if line.is_empty() {
            break;
        }
        if at > MAX_HEADERS {
            return Err(FrameError::Malformed("header section too long"));
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return Err(FrameError::Malformed("a header line without a colon"));
        };
        let name = line[..colon].trim_ascii();
        let value = line[colon + 1..].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") {
            let digits = std::str::from_utf8(value)
                .ok()
                .filter(|v| !v.starts_with('+'));
            body = Some(
                digits
                    .and_then(|v| v.parse::<usize>().ok())
                    .ok_or(FrameError::Malformed("Content-Length is not a number"))?,
            );
        } else if name.eq_ignore_ascii_case(b"content-type") {
            let names = |word: &[u8]| {
                value
                    .windows(word.len())
                    .any(|w| w.eq_ignore_ascii_case(word))
            };
            if names(b"xml") {
                protocol = Some(Protocol::XmlRpc);
            } else if names(b"json") {
                protocol = Some(Protocol::JsonRpc);
            }
        }
    }
    let body = body.ok_or(FrameError::Malformed("no Content-Length header"))?;
    Ok(Some(Head {
        len: at,
        body,
        protocol,
    }))
}

/// Reads frames from an async stream. Every read goes into the buffer, so
/// a read interrupted by `select!` loses nothing.
#[derive(Debug)]
pub(crate) struct FrameReader<R> {
    io: R,
    frames: Frames,
    /// How long the rest of a frame may take once its first byte is here.
    frame_timeout: Option<Duration>,
    /// When the frame being read began to arrive.
    partial_since: Option<Instant>,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(io: R, limit: usize) -> Self {
        FrameReader {
            io,
            frames: Frames::new(limit),
            frame_timeout: None,
            partial_since: None,
        }
    }

    /// Reads on from `frames`, bytes a connection thread read before it
    /// handed its connection over; `partial_since` is when the frame
    /// buffered in part began to arrive, so its deadline does not restart.
    #[cfg(unix)]
    pub(crate) fn resume(
        io: R,
        frames: Frames,
        frame_timeout: Duration,
        partial_since: Option<Instant>,
    ) -> Self {
        FrameReader {
            io,
            frames,
            frame_timeout: Some(frame_timeout),
            partial_since,
        }
    }

    /// Bounds the time from a frame's first byte to its last: a peer that
    /// stalls inside a frame is cut off, one that is idle between frames is
    /// not.
    pub(crate) fn with_frame_timeout(mut self, timeout: Duration) -> Self {
        self.frame_timeout = Some(timeout);
        self
    }

    /// Whether nothing of a next frame has arrived.
    pub(crate) fn is_idle(&self) -> bool {
        self.frames.may_end()
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> io::Result<bool> {
        Ok(self.io.read_buf(self.frames.spare()).await? > 0)
    }

    /// Reads until the framing is known. `Ok(None)`: the stream ended first,
    /// or began with bytes no framing starts with.
    pub(crate) async fn detect(&mut self) -> io::Result<Option<Framing>> {
        loop {
            match self.frames.detect() {
                Detected::Unknown => return Ok(None),
                Detected::Framing(framing) => return Ok(Some(framing)),
                Detected::NeedMore => {
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
        (self.frames.into_bytes(), self.io)
    }

    /// The next frame already read, without reading more; `Ok(None)` when
    /// no whole frame is buffered.
    pub(crate) fn buffered(&mut self, framing: Framing) -> Result<Option<Frame>, FrameError> {
        self.frames.next(framing)
    }

    /// The next frame; `Ok(None)` when the stream ends between frames.
    pub(crate) async fn next(&mut self, framing: Framing) -> Result<Option<Frame>, FrameError> {
        loop {
            if let Some(frame) = self.frames.next(framing)? {
                self.partial_since = None;
                return Ok(Some(frame));
            }
            let deadline = match self.frame_timeout {
                Some(timeout) if !self.frames.may_end() => {
                    Some(*self.partial_since.get_or_insert_with(Instant::now) + timeout)
                }
                _ => None,
            };
            let filled = match deadline {
                None => self.fill().await,
                Some(deadline) => tokio::time::timeout_at(deadline.into(), self.fill())
                    .await
                    .map_err(|_| FrameError::Malformed("a frame did not arrive in full in time"))?,
            };
            if !filled? {
                return if self.frames.may_end() {
                    Ok(None)
                } else {
                    Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into()))
                };
            }
        }
    }
}

/// Appends a response, framed for the connection's framing, to `out`.
pub(crate) fn write_frame(framing: Framing, body: &[u8], out: &mut Vec<u8>) {
    match framing {
        Framing::JsonStream => {
            out.extend_from_slice(body);
            out.push(b'\n');
        }
        Framing::ContentLength | Framing::Http => {
            // Writing to a Vec cannot fail.
            let _ = write!(out, "Content-Length: {}\r\n\r\n", body.len());
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

    #[test]
    fn json_values_cut_the_same_whatever_the_reads() {
        let stream: &[u8] = b"{\"a\":\"}\\\"{[\\\\\"}\n[1,[2,{\"b\":[]}]] {\"c\":\"\\\\\"}{}";
        let cut = |step: usize| {
            let mut frames = Frames::new(1024);
            let mut bodies = Vec::new();
            for chunk in stream.chunks(step) {
                frames.extend(chunk);
                while let Some(frame) = frames.next(Framing::JsonStream).unwrap() {
                    bodies.push(frame.body);
                }
            }
            assert!(frames.may_end(), "step {step}");
            bodies
        };
        let whole = cut(stream.len());
        assert_eq!(
            whole,
            [
                &b"{\"a\":\"}\\\"{[\\\\\"}"[..],
                b"[1,[2,{\"b\":[]}]]",
                b"{\"c\":\"\\\\\"}",
                b"{}"
            ]
        );
        for step in 1..stream.len() {
            assert_eq!(cut(step), whole, "step {step}");
        }
    }

    #[test]
    fn content_length_frames_cut_the_same_whatever_the_reads() {
        let stream: &[u8] =
            b"Content-Length: 3\r\nContent-Type: application/json-rpc\r\n\r\n{ }\r\n\
            content-type:TEXT/XML\ncontent-length:  5 \n\n<a/>\nContent-Length: 0\r\n\r\n";
        let cut = |step: usize| {
            let mut frames = Frames::new(1024);
            let mut got = Vec::new();
            for chunk in stream.chunks(step) {
                frames.extend(chunk);
                while let Some(frame) = frames.next(Framing::ContentLength).unwrap() {
                    got.push((frame.body, frame.protocol));
                }
            }
            got
        };
        let whole = cut(stream.len());
        assert_eq!(
            whole,
            [
                (Bytes::from_static(b"{ }"), Some(Protocol::JsonRpc)),
                (Bytes::from_static(b"<a/>\n"), Some(Protocol::XmlRpc)),
                (Bytes::new(), None),
            ]
        );
        for step in 1..stream.len() {
            assert_eq!(cut(step), whole, "step {step}");
        }
        for bad in [
            &b"Content-Length: x\r\n\r\n"[..],
            b"Content-Length: +1\r\n\r\n",
            b"Content-Type: text/xml\r\n\r\n",
            b"no colon\r\n\r\n",
        ] {
            let mut frames = Frames::new(1024);
            frames.extend(bad);
            assert!(
                matches!(
                    frames.next(Framing::ContentLength),
                    Err(FrameError::Malformed(_))
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
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
