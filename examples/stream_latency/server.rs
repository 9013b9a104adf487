//! The `server` role: diglot serving the calculator (default settings, or
//! `tasks`: every connection as a task of the async runtime); the floor — a blocking
//! loop that answers request-sized messages with diglot's response bytes
//! and does nothing else; or the same echo on tokio sockets.
//!
//! Either prints `ready --tcp ADDR` or `ready --unix PATH` once it listens,
//! and exits when its stdin ends (the driver is gone) or after
//! `--max-seconds` (600 by default), whichever comes first.

use std::io::{self, Read, Write};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use diglot::{Dispatcher, LocalEndpoint, LocalName, Server, StreamConfig, TcpEndpoint};
use diglot_examples::calc::{Calc, CalculatorService};

use crate::{BoxError, CL_REQUEST, CL_RESPONSE, Endpoint, Flags, LINE_REQUEST, LINE_RESPONSE};

pub(crate) fn main(args: &[String]) -> Result<(), BoxError> {
    let Some((kind, rest)) = args.split_first() else {
        return Err("usage: server diglot|tasks|floor|tokio (--tcp ADDR | --unix PATH)".into());
    };
    let flags = Flags::parse(rest)?;
    let endpoint = flags.endpoint()?;
    crate::harness::exit_with_parent(
        "stream_latency server",
        Duration::from_secs(flags.number("max-seconds", 600)? as u64),
    );
    match kind.as_str() {
        "diglot" => diglot(endpoint, flags.text("runtime").unwrap_or("multi"), false),
        "tasks" => diglot(endpoint, flags.text("runtime").unwrap_or("multi"), true),
        "floor" => floor(endpoint),
        "tokio" => tokio_floor(endpoint, flags.text("runtime").unwrap_or("multi")),
        other => Err(format!("unknown server `{other}`").into()),
    }
}

fn ready(endpoint: &Endpoint) -> io::Result<()> {
    let [flag, value] = endpoint.to_args();
    let mut out = io::stdout().lock();
    writeln!(out, "ready {flag} {value}")?;
    out.flush()
}

/// A multi-thread runtime (as `#[tokio::main]` builds it: one worker per
/// CPU the process may use, so one when pinned) or a current-thread one.
fn runtime_of(kind: &str) -> Result<tokio::runtime::Runtime, BoxError> {
    let mut builder = match kind {
        "multi" => tokio::runtime::Builder::new_multi_thread(),
        "current" => tokio::runtime::Builder::new_current_thread(),
        other => return Err(format!("--runtime {other}: multi or current").into()),
    };
    Ok(builder.enable_all().build()?)
}

/// The calculator on `diglot::Server`; `tasks`: with
/// `StreamConfig::max_connection_threads(0)`, the default before connection
/// threads were.
fn diglot(endpoint: Endpoint, runtime: &str, tasks: bool) -> Result<(), BoxError> {
    runtime_of(runtime)?.block_on(async {
        let dispatcher = Dispatcher::new(CalculatorService::new(Calc))?;
        let mut config = StreamConfig::default();
        if tasks {
            config = config.max_connection_threads(0);
        }
        let server = Server::new(dispatcher);
        let server = match &endpoint {
            Endpoint::Tcp(addr) => server.endpoint(TcpEndpoint::new(*addr).config(config)),
            Endpoint::Unix(path) => {
                server.endpoint(LocalEndpoint::new(LocalName::Path(path.clone())).config(config))
            }
        };
        let server = server.bind().await?;
        let bound = match endpoint {
            Endpoint::Tcp(_) => Endpoint::Tcp(server.tcp_addrs()[0]),
            unix @ Endpoint::Unix(_) => unix,
        };
        ready(&bound)?;
        server.serve_until(std::future::pending()).await?;
        Ok(())
    })
}

/// The floor: blocking std sockets, a thread per connection.
fn floor(endpoint: Endpoint) -> Result<(), BoxError> {
    match endpoint {
        Endpoint::Tcp(addr) => {
            let listener = std::net::TcpListener::bind(addr)?;
            ready(&Endpoint::Tcp(listener.local_addr()?))?;
            for stream in listener.incoming() {
                let stream = stream?;
                stream.set_nodelay(true)?;
                std::thread::spawn(move || echo(stream));
            }
        }
        Endpoint::Unix(path) => {
            let _ = std::fs::remove_file(&path);
            let listener = std::os::unix::net::UnixListener::bind(&path)?;
            ready(&Endpoint::Unix(path))?;
            for stream in listener.incoming() {
                let stream = stream?;
                std::thread::spawn(move || echo(stream));
            }
        }
    }
    Ok(())
}

fn echo<S: Read + Write>(mut stream: S) -> io::Result<()> {
    let mut answers = Answers::default();
    loop {
        let n = stream.read(answers.space())?;
        if n == 0 {
            return Ok(());
        }
        let out = answers.answer(n);
        if !out.is_empty() {
            stream.write_all(out)?;
        }
    }
}

/// The same echo on tokio sockets, in the runtime diglot uses: what the
/// async runtime alone costs.
fn tokio_floor(endpoint: Endpoint, runtime: &str) -> Result<(), BoxError> {
    runtime_of(runtime)?.block_on(async {
        match endpoint {
            Endpoint::Tcp(addr) => {
                let listener = tokio::net::TcpListener::bind(addr).await?;
                ready(&Endpoint::Tcp(listener.local_addr()?))?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    stream.set_nodelay(true)?;
                    tokio::spawn(echo_async(stream));
                }
            }
            Endpoint::Unix(path) => {
                let _ = std::fs::remove_file(&path);
                let listener = tokio::net::UnixListener::bind(&path)?;
                ready(&Endpoint::Unix(path))?;
                loop {
                    let (stream, _) = listener.accept().await?;
                    tokio::spawn(echo_async(stream));
                }
            }
        }
    })
}

async fn echo_async<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S) -> io::Result<()> {
    let mut answers = Answers::default();
    loop {
        let n = stream.read(answers.space()).await?;
        if n == 0 {
            return Ok(());
        }
        let out = answers.answer(n);
        if !out.is_empty() {
            stream.write_all(out).await?;
        }
    }
}

/// The echo's state: bytes read but not answered, and the answers to write.
/// Every whole request in what one read brought is answered, all in one
/// write. The framing (JSON line or `Content-Length`) is told from the first
/// byte; the requests are not otherwise looked at.
struct Answers {
    buf: Vec<u8>,
    have: usize,
    /// Request length and response bytes, once the framing is known.
    pair: Option<(usize, &'static [u8])>,
    out: Vec<u8>,
}

impl Default for Answers {
    fn default() -> Self {
        Answers {
            buf: vec![0; 64 * 1024],
            have: 0,
            pair: None,
            out: Vec::with_capacity(64 * 1024),
        }
    }
}

impl Answers {
    /// Where the next read goes.
    fn space(&mut self) -> &mut [u8] {
        &mut self.buf[self.have..]
    }

    /// Takes `n` more bytes; returns the answers they call for.
    fn answer(&mut self, n: usize) -> &[u8] {
        self.have += n;
        let first = self.buf[0];
        let (request_len, response) = *self.pair.get_or_insert_with(|| {
            if first == b'{' {
                (LINE_REQUEST.len(), LINE_RESPONSE)
            } else {
                (CL_REQUEST.len(), CL_RESPONSE)
            }
        });
        let count = self.have / request_len;
        let used = count * request_len;
        self.out.clear();
        for _ in 0..count {
            self.out.extend_from_slice(response);
        }
        self.buf.copy_within(used..self.have, 0);
        self.have -= used;
        &self.out
    }
}
