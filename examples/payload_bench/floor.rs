//! The floors: the byte counts of each diglot call moved raw over the same
//! transport, with no codec, no method and no allocation per call.
//!
//! - HTTP: a blocking std `TcpStream` client posting over HTTP/1.1
//!   keep-alive, and a blocking server (a thread per connection) that
//!   reads the `Content-Length` body and answers `200` with as many bytes
//!   as the request's `Echo-Length` header asks for: diglot's response size.
//! - Unix socket: the same exchange, framed as diglot's stream transport
//!   frames it (`Content-Length` headers, no start line).
//! - Shared memory: `bench_harness/shm_floor.rs`, two processes spinning on
//!   a shared mapping; the server side is started for each measurement.
//!
//! The clients send the same prepared bytes every call and read the answer
//! into the same buffer; it is checked once, after the last call.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::net::{UnixListener, UnixStream};
use std::time::{Duration, Instant};

use crate::shm_floor::Floor;
use crate::{BODY_LIMIT, BoxError, Flags, Plan, Timing, filler};

/// How long a blocking read or write may wait for the peer.
const STALL: Duration = Duration::from_secs(30);

/// The most header bytes a message may carry.
const HEAD_LIMIT: usize = 8 * 1024;

/// Which framing: HTTP/1.1 (a start line) or the stream transport's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Framing {
    Http,
    Stream,
}

/// `floor-server --http ADDR --unix PATH`: both raw echo servers. Prints
/// `ready http=ADDR` once both listen; exits with the driver.
pub(crate) fn server(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let http = TcpListener::bind(flags.need("http")?)?;
    let path = flags.need("unix")?;
    let _ = std::fs::remove_file(path);
    let unix = UnixListener::bind(path)?;
    crate::harness::exit_with_parent(
        "payload_bench floor server",
        Duration::from_secs(flags.number("max-seconds", 1800)? as u64),
    );
    println!("ready http={}", http.local_addr()?);
    std::thread::spawn(move || {
        for stream in unix.incoming().flatten() {
            std::thread::spawn(move || answer(stream, Framing::Stream));
        }
    });
    for stream in http.incoming().flatten() {
        if stream.set_nodelay(true).is_ok() {
            std::thread::spawn(move || answer(stream, Framing::Http));
        }
    }
    Ok(())
}

/// Serves one connection until the client closes it.
fn answer<S: Read + Write + Timeouts>(mut stream: S, framing: Framing) -> Result<(), BoxError> {
    stream.timeouts(STALL)?;
    let mut body = Vec::new();
    // The response for the last `Echo-Length` asked: every call of a
    // connection asks the same.
    let mut reply: Option<(usize, Vec<u8>)> = None;
    while let Some(head) = read_message(&mut stream, &mut body)? {
        let len = head
            .echo_length
            .ok_or("a floor request without Echo-Length")?;
        if reply.as_ref().is_none_or(|(n, _)| *n != len) {
            let mut out = response_head(framing, len).into_bytes();
            out.extend_from_slice(&filler(len));
            reply = Some((len, out));
        }
        let (_, out) = reply.as_ref().expect("just made");
        stream.write_all(out)?;
    }
    Ok(())
}

fn response_head(framing: Framing, len: usize) -> String {
    match framing {
        Framing::Http => format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\n\r\n"
        ),
        Framing::Stream => format!("Content-Length: {len}\r\n\r\n"),
    }
}

fn request_head(framing: Framing, len: usize, echo: usize) -> String {
    match framing {
        Framing::Http => format!(
            "POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\nContent-Length: {len}\r\nEcho-Length: {echo}\r\n\r\n"
        ),
        Framing::Stream => format!("Content-Length: {len}\r\nEcho-Length: {echo}\r\n\r\n"),
    }
}

/// The lengths a message's head declares.
struct Head {
    content_length: usize,
    echo_length: Option<usize>,
}

/// Reads one message: its head, then its body into `body`. `None` when the
/// peer closed the connection between messages.
fn read_message(stream: &mut impl Read, body: &mut Vec<u8>) -> Result<Option<Head>, BoxError> {
    let mut buf = [0u8; HEAD_LIMIT];
    let mut have = 0;
    let end = loop {
        let n = stream.read(&mut buf[have..])?;
        if n == 0 {
            return if have == 0 {
                Ok(None)
            } else {
                Err("the peer closed the connection mid-message".into())
            };
        }
        have += n;
        if let Some(i) = buf[..have].windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if have == buf.len() {
            return Err(format!("a message head past {HEAD_LIMIT} bytes").into());
        }
    };
    let head = parse_head(&buf[..end])?;
    let extra = &buf[end..have];
    if extra.len() > head.content_length {
        return Err("bytes past the message's body: the peer does not wait for answers".into());
    }
    body.resize(head.content_length, 0);
    body[..extra.len()].copy_from_slice(extra);
    stream.read_exact(&mut body[extra.len()..])?;
    Ok(Some(head))
}

fn parse_head(head: &[u8]) -> Result<Head, BoxError> {
    let head = std::str::from_utf8(head).map_err(|_| "a message head that is not UTF-8")?;
    let mut content_length = None;
    let mut echo_length = None;
    for line in head.split("\r\n") {
        // The start line (HTTP) and the blank end have no colon.
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let number = || -> Result<usize, BoxError> {
            let n: usize = value.trim().parse().map_err(|e| format!("{line:?}: {e}"))?;
            if n > BODY_LIMIT {
                return Err(format!("{line:?}: past the {BODY_LIMIT}-byte limit").into());
            }
            Ok(n)
        };
        if name.eq_ignore_ascii_case("content-length") {
            content_length = Some(number()?);
        } else if name.eq_ignore_ascii_case("echo-length") {
            echo_length = Some(number()?);
        }
    }
    Ok(Head {
        content_length: content_length.ok_or("a message without Content-Length")?,
        echo_length,
    })
}

/// Read and write time limits, for either kind of socket.
trait Timeouts {
    fn timeouts(&self, limit: Duration) -> io::Result<()>;
}

impl Timeouts for TcpStream {
    fn timeouts(&self, limit: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(limit))?;
        self.set_write_timeout(Some(limit))
    }
}

impl Timeouts for UnixStream {
    fn timeouts(&self, limit: Duration) -> io::Result<()> {
        self.set_read_timeout(Some(limit))?;
        self.set_write_timeout(Some(limit))
    }
}

/// `shm-floor-server --file PATH --request-bytes N --response-bytes M`:
/// creates and maps the file, prints `ready`, answers until the client
/// raises the stop flag.
pub(crate) fn shm_server(args: &[String]) -> Result<(), BoxError> {
    let flags = Flags::parse(args)?;
    let (request, response) = messages(&flags)?;
    let floor = Floor::create(flags.need("file")?, request.len(), response.len())?;
    crate::harness::exit_with_parent("payload_bench shm floor", Duration::from_secs(600));
    println!("ready");
    floor.serve(&request, &response)
}

/// The filler request and response of the sizes the flags give.
fn messages(flags: &Flags) -> Result<(Vec<u8>, Vec<u8>), BoxError> {
    let size = |name: &str| -> Result<Vec<u8>, BoxError> {
        let n = flags.number(name, 0)?;
        if n == 0 || n > BODY_LIMIT {
            return Err(format!("--{name} is needed, 1 to {BODY_LIMIT}").into());
        }
        Ok(filler(n))
    };
    Ok((size("request-bytes")?, size("response-bytes")?))
}

/// `floor-client http|unix|shm --at WHERE --request-bytes N
/// --response-bytes M [plan]`: times sequential raw round trips.
pub(crate) fn client(args: &[String]) -> Result<(), BoxError> {
    let Some((transport, rest)) = args.split_first() else {
        return Err(
            "usage: floor-client http|unix|shm --at WHERE --request-bytes N --response-bytes M"
                .into(),
        );
    };
    let flags = Flags::parse(rest)?;
    let at = flags.need("at")?;
    let plan = Plan::from_flags(&flags)?;
    let (request, response) = messages(&flags)?;
    let timing = match transport.as_str() {
        "http" => {
            let stream = TcpStream::connect(at)?;
            stream.set_nodelay(true)?;
            ping_pong(stream, Framing::Http, &request, &response, plan)?
        }
        "unix" => ping_pong(
            UnixStream::connect(at)?,
            Framing::Stream,
            &request,
            &response,
            plan,
        )?,
        "shm" => shm(at, &request, &response, plan)?,
        other => return Err(format!("unknown transport `{other}` (http, unix or shm)").into()),
    };
    timing.print();
    Ok(())
}

fn ping_pong<S: Read + Write + Timeouts>(
    mut stream: S,
    framing: Framing,
    request: &[u8],
    response: &[u8],
    plan: Plan,
) -> Result<Timing, BoxError> {
    stream.timeouts(STALL)?;
    let mut message = request_head(framing, request.len(), response.len()).into_bytes();
    message.extend_from_slice(request);
    let mut answer = Vec::with_capacity(response.len());
    let mut timing = Timing::new(plan);
    while timing.more() {
        let start = Instant::now();
        stream.write_all(&message)?;
        read_message(&mut stream, &mut answer)?.ok_or("the floor server closed the connection")?;
        timing.record(start);
    }
    if answer != response {
        return Err("the floor server answered other bytes than expected".into());
    }
    Ok(timing)
}

fn shm(path: &str, request: &[u8], response: &[u8], plan: Plan) -> Result<Timing, BoxError> {
    let floor = Floor::open(path, request.len(), response.len())?;
    let mut answer = vec![0u8; response.len()];
    let mut timing = Timing::new(plan);
    let mut outcome = Ok(());
    let mut seq = 0u32;
    while timing.more() {
        seq += 1;
        let start = Instant::now();
        if let Err(e) = floor.round_trip(seq, request, &mut answer) {
            outcome = Err(e);
            break;
        }
        timing.record(start);
    }
    // Whatever happened, the server side must stop spinning.
    floor.stop();
    outcome?;
    if answer != response {
        return Err("the floor server answered other bytes than expected".into());
    }
    Ok(timing)
}
