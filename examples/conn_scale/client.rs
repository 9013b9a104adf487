//! The `client` role: blocking sockets, one call at a time. It times
//! sequential calls on one connection, opens `--connections` more that
//! each make one call and then sit idle, reads the server's resident
//! memory before and after, times the calls again with them open, and
//! calls on a sample of the idle ones to check the server kept them.
//!
//! Prints one line: `rss_before_kib=… rss_after_kib=… p50_none_ns=…
//! p99_none_ns=… p50_idle_ns=… p99_idle_ns=… sampled=… alive=… open_ms=…`.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use crate::harness::{BoxError, nanos, percentile};
use crate::{BODY, Flags};

/// How long one connect, read or write may take before it is an error.
const IO_LIMIT: Duration = Duration::from_secs(5);

/// How the calls are framed.
#[derive(Debug, Clone, Copy)]
enum Framing {
    /// HTTP/1.1 `POST /`, keep-alive.
    Http,
    /// One JSON line each way.
    Lines,
}

/// One open connection.
enum Connection {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Connection {
    fn open(framing: Framing, at: &str) -> Result<Connection, BoxError> {
        let connection = match framing {
            Framing::Http => {
                let addr: SocketAddr = at.parse()?;
                let stream = TcpStream::connect_timeout(&addr, IO_LIMIT)?;
                stream.set_nodelay(true)?;
                stream.set_read_timeout(Some(IO_LIMIT))?;
                stream.set_write_timeout(Some(IO_LIMIT))?;
                Connection::Tcp(stream)
            }
            Framing::Lines => {
                let stream = UnixStream::connect(at)?;
                stream.set_read_timeout(Some(IO_LIMIT))?;
                stream.set_write_timeout(Some(IO_LIMIT))?;
                Connection::Unix(stream)
            }
        };
        Ok(connection)
    }

    fn stream(&mut self) -> &mut dyn ReadWrite {
        match self {
            Connection::Tcp(s) => s,
            Connection::Unix(s) => s,
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// What a client sends and reads, shared by every connection.
struct Exchange {
    framing: Framing,
    request: Vec<u8>,
    buffer: Vec<u8>,
}

impl Exchange {
    fn new(framing: Framing) -> Exchange {
        let request = match framing {
            Framing::Http => {
                let mut r = format!(
                    "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n\r\n",
                    BODY.len()
                )
                .into_bytes();
                r.extend_from_slice(BODY);
                r
            }
            Framing::Lines => [BODY, b"\n"].concat(),
        };
        Exchange {
            framing,
            request,
            buffer: Vec::with_capacity(4096),
        }
    }

    /// One `calc.add(1, 2)`; an answer other than 3 is an error.
    fn call(&mut self, connection: &mut Connection) -> io::Result<()> {
        let stream = connection.stream();
        stream.write_all(&self.request)?;
        self.buffer.clear();
        let body = loop {
            let mut chunk = [0; 4096];
            let n = stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buffer.extend_from_slice(&chunk[..n]);
            if let Some(body) = self.complete()? {
                break body;
            }
        };
        if !self.buffer[body..]
            .windows(10)
            .any(|w| w == b"\"result\":3")
        {
            let answer = String::from_utf8_lossy(&self.buffer);
            return Err(io::Error::other(format!("unexpected answer {answer:?}")));
        }
        Ok(())
    }

    /// Where the body starts, once the whole answer is in the buffer.
    fn complete(&self) -> io::Result<Option<usize>> {
        let bytes = &self.buffer;
        match self.framing {
            Framing::Lines => Ok(bytes.ends_with(b"\n").then_some(0)),
            Framing::Http => {
                let Some(head) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
                    return Ok(None);
                };
                let text = String::from_utf8_lossy(&bytes[..head]);
                if !text.starts_with("HTTP/1.1 200") {
                    return Err(io::Error::other(format!("unexpected answer {text:?}")));
                }
                let length = text
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .ok_or_else(|| io::Error::other("an answer without Content-Length"))?;
                Ok((bytes.len() >= head + 4 + length).then_some(head + 4))
            }
        }
    }
}

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let Some((kind, rest)) = args.split_first() else {
        return Err("usage: client http|unix --at WHERE --server-pid PID".into());
    };
    let framing = match kind.as_str() {
        "http" => Framing::Http,
        "unix" => Framing::Lines,
        other => return Err(format!("unknown client `{other}`").into()),
    };
    let flags = Flags::parse(rest)?;
    let at = flags.need("at")?;
    let server: u32 = flags.need("server-pid")?.parse()?;
    let idle = flags.number("connections", 10_000)?;
    let calls = flags.number("calls", 20_000)?.max(1);
    let warmup = flags.number("warmup", 2_000)?;
    let sample = flags.number("sample", 200)?.clamp(1, idle.max(1));
    let limit = Duration::from_secs(flags.number("max-seconds", 300)? as u64);
    crate::raise_open_files(idle + 64)?;
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("conn_scale client: time limit reached, exiting");
        std::process::exit(3);
    });

    let mut exchange = Exchange::new(framing);
    let mut timed = Connection::open(framing, at)?;
    for _ in 0..warmup {
        exchange.call(&mut timed)?;
    }
    let none = time_calls(&mut exchange, &mut timed, calls)?;
    let rss_before = resident_kib(server)?;

    let opening = Instant::now();
    let mut connections = Vec::with_capacity(idle);
    for n in 0..idle {
        let mut connection = Connection::open(framing, at)
            .map_err(|e| format!("idle connection {n} of {idle}: {e}"))?;
        exchange
            .call(&mut connection)
            .map_err(|e| format!("call on idle connection {n} of {idle}: {e}"))?;
        connections.push(connection);
    }
    let open_ms = opening.elapsed().as_millis();
    let rss_after = settled_kib(server)?;

    let with_idle = time_calls(&mut exchange, &mut timed, calls)?;
    let step = (idle / sample).max(1);
    let (mut sampled, mut alive) = (0, 0);
    for connection in connections.iter_mut().step_by(step) {
        sampled += 1;
        if exchange.call(connection).is_ok() {
            alive += 1;
        }
    }
    println!(
        "rss_before_kib={rss_before} rss_after_kib={rss_after} \
         p50_none_ns={} p99_none_ns={} p50_idle_ns={} p99_idle_ns={} \
         sampled={sampled} alive={alive} open_ms={open_ms}",
        none.0, none.1, with_idle.0, with_idle.1,
    );
    Ok(())
}

/// p50 and p99 (nanoseconds) of `calls` sequential calls.
fn time_calls(
    exchange: &mut Exchange,
    connection: &mut Connection,
    calls: usize,
) -> io::Result<(u64, u64)> {
    let mut round_trips = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        exchange.call(connection)?;
        round_trips.push(nanos(start.elapsed()));
    }
    round_trips.sort_unstable();
    Ok((percentile(&round_trips, 50), percentile(&round_trips, 99)))
}

/// The resident set of process `pid`, in KiB (`VmRSS` in
/// `/proc/PID/status`).
fn resident_kib(pid: u32) -> Result<u64, BoxError> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .ok_or("no VmRSS in /proc/PID/status")?;
    Ok(kib.trim().parse()?)
}

/// The resident set once it has moved less than 64 KiB over a second
/// (polled every 250 ms, for at most 15 s).
fn settled_kib(pid: u32) -> Result<u64, BoxError> {
    let started = Instant::now();
    let mut readings = vec![resident_kib(pid)?];
    loop {
        std::thread::sleep(Duration::from_millis(250));
        readings.push(resident_kib(pid)?);
        let last = &readings[readings.len().saturating_sub(5)..];
        let (low, high) = (last.iter().min(), last.iter().max());
        let steady = last.len() == 5 && high.zip(low).is_some_and(|(h, l)| h - l < 64);
        if steady || started.elapsed() > Duration::from_secs(15) {
            return Ok(*readings.last().expect("read at least once"));
        }
    }
}
