//! What the stream tests (`tests/stream_*.rs`) share: a real server on raw
//! TCP (127.0.0.1, port 0) and a Unix socket in a fresh temporary directory,
//! running on its own multi-thread runtime; raw connections with a timeout
//! on every read; the `probe.*` test service; the calculator example binary
//! (built on demand); and real client processes run with a time limit.

// Each test file uses part of this module.
#![allow(dead_code, unreachable_pub)]

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Command;
use std::time::Duration;

use diglot::{
    Dispatcher, DispatcherBuilder, LocalEndpoint, LocalName, Server, StreamConfig, TcpEndpoint,
};
use diglot_examples::calc::{Calc, CalculatorService};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite};
use tokio::runtime::Runtime;

pub use diglot_tests::READ_TIMEOUT;

// ---------------------------------------------------------------------------
// The probe service
// ---------------------------------------------------------------------------

#[allow(unused_imports)] // not every test binary that includes this module uses them
pub use diglot_tests::probe::{CallerInfo, Probe, ProbeClient, ProbeImpl, ProbeService};

/// The calculator and the probe service, side by side.
pub fn dispatcher() -> Dispatcher {
    dispatcher_with(|builder| builder)
}

/// [`dispatcher`], with more settings.
pub fn dispatcher_with(
    configure: impl FnOnce(DispatcherBuilder) -> DispatcherBuilder,
) -> Dispatcher {
    configure(
        Dispatcher::builder()
            .service(CalculatorService::new(Calc))
            .service(ProbeService::new(ProbeImpl)),
    )
    .build()
    .expect("no method names clash")
}

// ---------------------------------------------------------------------------
// Temporary directories and the server
// ---------------------------------------------------------------------------

pub use diglot_tests::tempdir::TempDir;

pub use diglot_tests::runtime::multi_thread as runtime;

/// The server fixture every transport's tests share.
pub use diglot_tests::served::Served;

/// Both ways of serving connections: as async tasks, then on threads.
pub const MODES: [bool; 2] = [false, true];

/// A test's world: a runtime, a temporary directory, and a server on raw
/// TCP and on `<dir>/rpc.sock`. Fields drop in order: the server stops,
/// then the runtime ends, then the directory goes.
#[derive(Debug)]
pub struct Fixture {
    /// The server.
    pub server: Served,
    /// The runtime the server runs on; tests run their async parts on it.
    pub rt: Runtime,
    /// Holds the socket file.
    pub dir: TempDir,
}

impl Fixture {
    /// Serves [`dispatcher`] with the default stream settings.
    pub fn new() -> Fixture {
        Self::serving(dispatcher(), StreamConfig::default())
    }

    /// Serves `dispatcher` on TCP and a Unix socket with `config`.
    pub fn serving(dispatcher: Dispatcher, config: StreamConfig) -> Fixture {
        let rt = runtime();
        let dir = TempDir::new();
        let server = Server::new(dispatcher)
            .endpoint(TcpEndpoint::new("127.0.0.1:0".parse().unwrap()).config(config.clone()))
            .endpoint(LocalEndpoint::new(LocalName::Path(dir.join("rpc.sock"))).config(config));
        let server = Served::start(&rt, server).expect("the server binds");
        Fixture { server, rt, dir }
    }

    /// Serves [`dispatcher`] with the given stream settings, each connection
    /// as a task (`threaded == false`) or on a thread of its own until it
    /// needs a task ([`StreamConfig::max_connection_threads`] without bound).
    pub fn in_mode(threaded: bool, config: StreamConfig) -> Fixture {
        Self::in_mode_serving(threaded, dispatcher(), config)
    }

    /// [`in_mode`](Self::in_mode), serving `dispatcher`.
    pub fn in_mode_serving(
        threaded: bool,
        dispatcher: Dispatcher,
        config: StreamConfig,
    ) -> Fixture {
        eprintln!(
            "-- connections served {}",
            if threaded { "on threads" } else { "as tasks" }
        );
        let threads = if threaded { usize::MAX } else { 0 };
        Self::serving(dispatcher, config.max_connection_threads(threads))
    }

    /// The raw TCP address.
    pub fn tcp(&self) -> SocketAddr {
        self.server.addr("tcp")
    }

    /// The Unix socket.
    pub fn local(&self) -> LocalName {
        self.server.name("unix")
    }

    /// The Unix socket's path.
    pub fn socket_path(&self) -> PathBuf {
        match self.local() {
            LocalName::Path(path) => path,
            other => panic!("not a path: {other}"),
        }
    }

    /// Runs `future` on the server's runtime, failing the test after `limit`.
    #[track_caller]
    pub fn run<F: Future>(&self, limit: Duration, future: F) -> F::Output {
        self.rt
            .block_on(async { tokio::time::timeout(limit, future).await })
            .unwrap_or_else(|_| panic!("the test's async part did not finish within {limit:?}"))
    }
}

// ---------------------------------------------------------------------------
// Raw connections
// ---------------------------------------------------------------------------

/// A byte stream: a TCP or Unix socket.
pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A raw connection.
pub type Raw = Pin<Box<dyn Io>>;

/// Opens a raw TCP connection.
pub async fn raw_tcp(addr: SocketAddr) -> Raw {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connects over TCP");
    stream.set_nodelay(true).unwrap();
    Box::pin(stream)
}

/// Opens a raw connection to a Unix socket file.
pub async fn raw_unix(path: &Path) -> Raw {
    Box::pin(
        tokio::net::UnixStream::connect(path)
            .await
            .expect("connects to the Unix socket"),
    )
}

/// Reads once, with [`READ_TIMEOUT`]; `Ok(0)` at the end of the stream.
pub async fn read_some<R: AsyncRead + Unpin>(io: &mut R, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut chunk = [0u8; 16 * 1024];
    let n = tokio::time::timeout(READ_TIMEOUT, io.read(&mut chunk))
        .await
        .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "read timed out"))??;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// Reads one `\n`-terminated line (without the newline). `leftover` keeps
/// bytes read past it. Fails at the end of the stream or after a timeout.
pub async fn read_line<R: AsyncRead + Unpin>(
    io: &mut R,
    leftover: &mut Vec<u8>,
) -> io::Result<String> {
    loop {
        if let Some(end) = leftover.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = leftover.drain(..=end).collect();
            return Ok(String::from_utf8_lossy(&line[..end]).into_owned());
        }
        if read_some(io, leftover).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "closed before a full line; got {:?}",
                    String::from_utf8_lossy(leftover)
                ),
            ));
        }
    }
}

/// Reads one `Content-Length` frame's body. `leftover` keeps bytes read
/// past it.
pub async fn read_frame<R: AsyncRead + Unpin>(
    io: &mut R,
    leftover: &mut Vec<u8>,
) -> io::Result<String> {
    let head_end = loop {
        if let Some(end) = leftover.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if read_some(io, leftover).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    };
    let head = String::from_utf8_lossy(&leftover[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("no Content-Length in {head:?}"));
    leftover.drain(..head_end + 4);
    while leftover.len() < length {
        if read_some(io, leftover).await? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    let body: Vec<u8> = leftover.drain(..length).collect();
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Frames `body` with a `Content-Length` header (and a `Content-Type`).
pub fn content_length_frame(body: &str, content_type: &str) -> Vec<u8> {
    format!(
        "Content-Length: {}\r\nContent-Type: {content_type}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// How a connection ended, read to its end.
#[derive(Debug)]
pub struct Ending {
    /// Everything the server sent before it closed.
    pub bytes: Vec<u8>,
    /// `None` for an orderly close; the error for a reset.
    pub error: Option<io::ErrorKind>,
}

impl Ending {
    /// What was sent, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

/// Reads until the server closes the connection. A read that times out
/// fails the test: the server was supposed to close it.
pub async fn read_to_close<R: AsyncRead + Unpin>(io: &mut R) -> Ending {
    let mut bytes = Vec::new();
    loop {
        match read_some(io, &mut bytes).await {
            Ok(0) => return Ending { bytes, error: None },
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::TimedOut => panic!(
                "the server did not close the connection within {READ_TIMEOUT:?}; it sent {:?}",
                String::from_utf8_lossy(&bytes)
            ),
            Err(e) => {
                return Ending {
                    bytes,
                    error: Some(e.kind()),
                };
            }
        }
    }
}

/// A JSON-RPC request for `calc.add(a, b)`.
pub fn add_request(a: i32, b: i32, id: i64) -> String {
    format!(r#"{{"jsonrpc":"2.0","method":"calc.add","params":[{a},{b}],"id":{id}}}"#)
}

/// Sends `calc.add(a, b)` as a JSON line on `io` and checks the answer.
pub async fn assert_add_works(io: &mut Raw, a: i32, b: i32, id: i64) {
    use tokio::io::AsyncWriteExt as _;
    let request = add_request(a, b, id) + "\n";
    io.write_all(request.as_bytes())
        .await
        .expect("the request is written");
    let line = read_line(io, &mut Vec::new())
        .await
        .expect("an answer line");
    let answer: serde_json::Value = serde_json::from_str(&line).expect("the answer is JSON");
    assert_eq!(
        answer,
        serde_json::json!({"jsonrpc": "2.0", "result": a + b, "id": id}),
        "answer to calc.add({a}, {b})"
    );
}

// ---------------------------------------------------------------------------
// Identity of this process
// ---------------------------------------------------------------------------

/// This process's effective user id: from `/proc/self/status` on Linux,
/// else from `id -u`.
pub fn effective_uid() -> u32 {
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("Uid:"))
    {
        // Real, effective, saved, filesystem.
        return line
            .split_whitespace()
            .nth(2)
            .and_then(|uid| uid.parse().ok())
            .expect("a numeric effective uid in /proc/self/status");
    }
    let out = Command::new("id").arg("-u").output().expect("runs `id -u`");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("`id -u` prints a number")
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

#[allow(unused_imports)] // not every test binary that includes this module uses them
pub use diglot_tests::process::{NO_PYTHON, Ran, calculator_binary, python};

/// Runs `command` to completion, feeding it `stdin` (at most `limit`, after
/// which it is killed and the test fails). Panics with `missing` if the
/// program is not found.
pub fn run(command: Command, stdin: &[u8], limit: Duration, missing: &str) -> Ran {
    diglot_tests::process::run(command, Some(stdin), limit, missing)
}

#[allow(unused_imports)] // not every test binary that includes this module uses it
pub use diglot_tests::process::assert_verdict;
