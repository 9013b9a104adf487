//! What the HTTP tests (`tests/http_*.rs`) share: a real server on
//! 127.0.0.1 (port 0) on its own multi-thread runtime, raw HTTP/1.1 over a
//! TCP stream with a timeout on every read, and running real clients
//! (`python3`, `curl`) as separate processes with a time limit.

// Each test file uses part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use diglot::transport::Address;
use diglot::{Dispatcher, HttpConfig, HttpEndpoint, Server};
use diglot_tests::served::Served;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::runtime::Runtime;

/// A server running on its own runtime until dropped (or [`stop`](Self::stop)ped).
pub(crate) struct TestServer {
    /// The server; it stops before the runtime ends.
    served: Served,
    /// The runtime the server runs on; tests run their async parts on it too.
    pub(crate) rt: Runtime,
    /// Where it listens.
    pub(crate) addr: SocketAddr,
}

pub(crate) use diglot_tests::runtime::multi_thread as runtime;

impl TestServer {
    /// Serves `dispatcher` over HTTP on 127.0.0.1, port 0.
    pub(crate) fn http(dispatcher: Dispatcher, config: Option<HttpConfig>) -> TestServer {
        let endpoint = HttpEndpoint::new("127.0.0.1:0".parse().unwrap());
        Self::start(dispatcher, endpoint.config(config.unwrap_or_default()))
    }

    /// Serves `dispatcher` on `endpoint` (HTTP or HTTPS).
    pub(crate) fn start(dispatcher: Dispatcher, endpoint: HttpEndpoint) -> TestServer {
        let rt = runtime();
        let served = Served::start(&rt, Server::new(dispatcher).endpoint(endpoint))
            .expect("the server binds");
        let addr = match served.addresses() {
            [(_, Address::Socket(addr))] => *addr,
            other => panic!("one HTTP endpoint, not {other:?}"),
        };
        TestServer { served, rt, addr }
    }

    /// The RPC endpoint's URL.
    pub(crate) fn url(&self) -> String {
        format!("http://{}/RPC2", self.addr)
    }

    /// Asks the server to stop, and waits (at most 10 s) for `serve_until`
    /// to return.
    pub(crate) fn stop(self) -> std::io::Result<()> {
        self.served.stop()
    }
}

// ---------------------------------------------------------------------------
// Raw HTTP/1.1
// ---------------------------------------------------------------------------

pub(crate) use diglot_tests::READ_TIMEOUT;

/// A response read off a raw connection.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    /// Header names lowercased.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Reads from `stream` until `buffer` holds `\r\n\r\n`; `None` at EOF.
async fn read_head(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<Option<usize>> {
    loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            return Ok(Some(end + 4));
        }
        let mut chunk = [0u8; 4096];
        let n = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk))
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read timed out"))??;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// Reads one response (status line, headers, and a `Content-Length` or
/// chunked body). `Ok(None)` if the server closed the connection first.
/// `leftover` carries bytes read past the response to the next call.
pub(crate) async fn read_response(
    stream: &mut TcpStream,
    leftover: &mut Vec<u8>,
) -> std::io::Result<Option<RawResponse>> {
    let Some(head_len) = read_head(stream, leftover).await? else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&leftover[..head_len]).into_owned();
    leftover.drain(..head_len);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP status line: {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut response = RawResponse {
        status,
        headers,
        body: Vec::new(),
    };
    if (100..200).contains(&status) || status == 204 {
        return Ok(Some(response));
    }
    if response.header("transfer-encoding") == Some("chunked") {
        loop {
            let line_end = loop {
                if let Some(p) = leftover.windows(2).position(|w| w == b"\r\n") {
                    break p;
                }
                fill(stream, leftover).await?;
            };
            let size_text = String::from_utf8_lossy(&leftover[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .expect("a chunk size");
            leftover.drain(..line_end + 2);
            while leftover.len() < size + 2 {
                fill(stream, leftover).await?;
            }
            response.body.extend_from_slice(&leftover[..size]);
            leftover.drain(..size + 2);
            if size == 0 {
                break;
            }
        }
    } else {
        let length: usize = response
            .header("content-length")
            .map(|v| v.parse().expect("a Content-Length"))
            .unwrap_or(0);
        while leftover.len() < length {
            fill(stream, leftover).await?;
        }
        response.body = leftover.drain(..length).collect();
    }
    Ok(Some(response))
}

async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> std::io::Result<()> {
    let mut chunk = [0u8; 8192];
    let n = tokio::time::timeout(READ_TIMEOUT, stream.read(&mut chunk))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read timed out"))??;
    if n == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection mid-response",
        ));
    }
    buffer.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// Connects, sends `request` as is, and reads one response.
pub(crate) async fn exchange(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(request).await.expect("request written");
    read_response(&mut stream, &mut Vec::new())
        .await
        .expect("a response is read")
        .expect("the server answers before closing")
}

/// A POST request with the given headers (one per line, without CRLF) and body.
pub(crate) fn post(path: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    let mut request = request.into_bytes();
    request.extend_from_slice(body);
    request
}

// ---------------------------------------------------------------------------
// Client processes
// ---------------------------------------------------------------------------

#[allow(unused_imports)] // not every test binary that includes this module uses them
pub(crate) use diglot_tests::process::{NO_PYTHON, Ran, python, python_script};

/// Runs `command` to completion (at most `limit`, after which it is killed
/// and the test fails). Panics with `missing` if the program is not found.
pub(crate) fn run(command: Command, limit: Duration, missing: &str) -> Ran {
    diglot_tests::process::run(command, None, limit, missing)
}

#[allow(unused_imports)] // not every test binary that includes this module uses it
pub(crate) use diglot_tests::process::assert_verdict;
