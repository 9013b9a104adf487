//! Misbehaving HTTP clients get the right status, or a closed connection,
//! in bounded time — and a well-behaved client calling all along on
//! keep-alive connections never notices.
//!
//! One test, against a real server on 127.0.0.1 (port 0) with a 64 KiB body
//! limit and an 800 ms read timeout: two good clients (diglot's
//! `HttpConnection`, and a raw keep-alive socket) call in a loop while raw
//! TCP clients send an oversized body (declared, chunked, and a gzip bomb),
//! a slowloris header, a slow body, a GET, an unknown `Content-Type` and
//! `Content-Encoding`, a wrong path, garbage bytes, and
//! `Expect: 100-continue`. Every read has a timeout, so nothing can hang.

mod http_support;

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diglot::{Client, Dispatcher, HttpConnection, Protocol};
use diglot::{HttpConfig, Limits};
use diglot_examples::calc::{Calc, CalculatorService};
use http_support::{READ_TIMEOUT, RawResponse, TestServer, exchange, post, read_response};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// The server's body limit.
const LIMIT: usize = 64 * 1024;
/// The server's read timeout.
const READ: Duration = Duration::from_millis(800);

const ADD: &str = r#"{"jsonrpc":"2.0","method":"calc.add","params":[40,2],"id":1}"#;

/// What a good client saw.
#[derive(Debug, Default)]
struct Tally {
    ok: u64,
    failures: Vec<String>,
}

/// Calls through diglot's client until told to stop.
async fn good_client(url: String, stop: Arc<AtomicBool>) -> Tally {
    let mut tally = Tally::default();
    let clients = [Protocol::JsonRpc, Protocol::XmlRpc]
        .map(|p| Client::new(HttpConnection::new(&url, p).expect("a valid URL")));
    let mut i: i32 = 0;
    while !stop.load(Ordering::SeqCst) {
        let client = &clients[i as usize % 2];
        let call = client.call::<_, i32>("calc.add", &(i, 1));
        match tokio::time::timeout(READ_TIMEOUT, call).await {
            Ok(Ok(sum)) if sum == i + 1 => tally.ok += 1,
            Ok(Ok(sum)) => tally.failures.push(format!("calc.add({i}, 1) = {sum}")),
            Ok(Err(e)) => tally.failures.push(format!("calc.add({i}, 1): {e}")),
            Err(_) => tally.failures.push(format!("calc.add({i}, 1) timed out")),
        }
        i += 1;
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    tally
}

/// Calls on one raw keep-alive connection until told to stop: the server
/// must never close it.
async fn good_raw_client(addr: SocketAddr, stop: Arc<AtomicBool>) -> Tally {
    let mut tally = Tally::default();
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    let mut leftover = Vec::new();
    let request = post("/RPC2", &["Content-Type: application/json"], ADD.as_bytes());
    while !stop.load(Ordering::SeqCst) {
        if let Err(e) = stream.write_all(&request).await {
            tally.failures.push(format!("raw keep-alive write: {e}"));
            break;
        }
        match read_response(&mut stream, &mut leftover).await {
            Ok(Some(r))
                if r.status == 200 && r.body == br#"{"jsonrpc":"2.0","result":42,"id":1}"# =>
            {
                tally.ok += 1;
            }
            Ok(Some(r)) => {
                tally
                    .failures
                    .push(format!("raw keep-alive: {} {}", r.status, r.text()))
            }
            Ok(None) => {
                tally
                    .failures
                    .push("raw keep-alive: the server closed the connection".into());
                break;
            }
            Err(e) => {
                tally.failures.push(format!("raw keep-alive read: {e}"));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    tally
}

/// Sends `bytes` and reads one response; `None` if the server closed the
/// connection (or reset it) without answering.
async fn send_bad(addr: SocketAddr, bytes: &[u8]) -> Option<RawResponse> {
    let mut stream = TcpStream::connect(addr).await.expect("connects");
    stream.write_all(bytes).await.expect("written");
    match read_response(&mut stream, &mut Vec::new()).await {
        Ok(response) => response,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            panic!("the server neither answered nor closed within {READ_TIMEOUT:?}")
        }
        Err(_) => None,
    }
}

#[track_caller]
fn assert_status(response: &RawResponse, status: u16, what: &str) {
    assert_eq!(response.status, status, "{what}: {}", response.text());
}

/// Sends an oversized chunked body while reading; the server must answer
/// 413 without reading it all.
async fn oversized_chunked(addr: SocketAddr) -> Option<RawResponse> {
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut reader, mut writer) = stream.into_split();
    let sender = tokio::spawn(async move {
        let head = "POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        writer.write_all(head.as_bytes()).await?;
        let chunk = format!("2000\r\n{}\r\n", " ".repeat(0x2000));
        // Four times the limit, unless the server stops reading first.
        for _ in 0..(4 * LIMIT / 0x2000) {
            writer.write_all(chunk.as_bytes()).await?;
        }
        writer.write_all(b"0\r\n\r\n").await?;
        Ok::<_, std::io::Error>(writer)
    });
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let answer = loop {
        match tokio::time::timeout(READ_TIMEOUT, reader.read(&mut buffer)).await {
            Err(_) => panic!("no answer to an oversized chunked body within {READ_TIMEOUT:?}"),
            Ok(Ok(0)) | Ok(Err(_)) => break received,
            Ok(Ok(n)) => {
                received.extend_from_slice(&buffer[..n]);
                if received.windows(4).any(|w| w == b"\r\n\r\n") {
                    break received;
                }
            }
        }
    };
    let _ = sender.await;
    let head = String::from_utf8_lossy(&answer).into_owned();
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some(RawResponse {
        status,
        headers: Vec::new(),
        body: answer,
    })
}

/// Sends `head` at once, then `trickle` one byte every 300 ms; returns how
/// long until the server closed the connection, and any response it sent.
async fn trickle(addr: SocketAddr, head: &[u8], trickle: &'static [u8]) -> (Duration, Vec<u8>) {
    let stream = TcpStream::connect(addr).await.expect("connects");
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head).await.expect("written");
    let started = Instant::now();
    let sender = tokio::spawn(async move {
        for byte in trickle {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if writer.write_all(std::slice::from_ref(byte)).await.is_err() {
                break;
            }
        }
        // Keep the connection open from this side.
        tokio::time::sleep(READ_TIMEOUT).await;
    });
    let mut received = Vec::new();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(READ_TIMEOUT, reader.read(&mut buffer)).await {
            Err(_) => panic!(
                "a client sending a byte every 300 ms was not cut off within {READ_TIMEOUT:?} \
                 (read_timeout is {READ:?}); received {:?}",
                String::from_utf8_lossy(&received)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
    let elapsed = started.elapsed();
    sender.abort();
    (elapsed, received)
}

/// A gzip body that inflates to `size` bytes of JSON-ish whitespace.
fn gzip_bomb(size: usize) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![b' '; 64 * 1024];
    let mut written = 0;
    while written < size {
        encoder.write_all(&block).unwrap();
        written += block.len();
    }
    encoder.finish().unwrap()
}

#[test]
fn bad_clients_get_statuses_and_a_good_client_never_notices() {
    let config = HttpConfig::default().read_timeout(READ);
    let dispatcher = Dispatcher::builder()
        .service(CalculatorService::new(Calc))
        .limits(Limits::default().max_body_bytes(LIMIT))
        .build()
        .unwrap();
    let server = TestServer::http(dispatcher, Some(config));
    let addr = server.addr;
    let url = server.url();
    server.rt.block_on(async move {
        let stop = Arc::new(AtomicBool::new(false));
        let good = tokio::spawn(good_client(url, stop.clone()));
        let good_raw = tokio::spawn(good_raw_client(addr, stop.clone()));
        tokio::time::sleep(Duration::from_millis(50)).await;

        // A declared body over the limit: 413 before a byte of it is sent
        // (waiting for it would take the read timeout, and end in 408).
        let started = Instant::now();
        let r = send_bad(
            addr,
            b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Content-Length: 100000000\r\n\r\n",
        )
        .await
        .expect("an answer to a declared oversized body");
        assert_status(&r, 413, "Content-Length over the limit");
        assert!(started.elapsed() < READ / 2, "413 took {:?}", started.elapsed());

        // The same with Expect: 100-continue: 413 instead of 100.
        let r = send_bad(
            addr,
            b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
              Expect: 100-continue\r\nContent-Length: 100000000\r\n\r\n",
        )
        .await
        .expect("an answer");
        assert_status(&r, 413, "Content-Length over the limit, with Expect: 100-continue");

        // A chunked body over the limit.
        let r = oversized_chunked(addr)
            .await
            .expect("an HTTP answer to an oversized chunked body, before the connection closed");
        assert_status(&r, 413, "a chunked body over the limit");

        // A gzip bomb: 160 bytes or so that inflate to 16 MiB.
        let bomb = gzip_bomb(16 << 20);
        assert!(bomb.len() < LIMIT, "the bomb itself is within the limit");
        let r = exchange(
            addr,
            &post(
                "/RPC2",
                &["Content-Type: application/json", "Content-Encoding: gzip"],
                &bomb,
            ),
        )
        .await;
        assert_status(&r, 413, "a gzip body that inflates past the limit");
        // Gzip that is not gzip, and an encoding diglot does not read.
        let r = exchange(
            addr,
            &post("/RPC2", &["Content-Type: application/json", "Content-Encoding: gzip"], ADD.as_bytes()),
        )
        .await;
        assert_status(&r, 400, "a body that is not gzip");
        let r = exchange(
            addr,
            &post("/RPC2", &["Content-Type: application/json", "Content-Encoding: br"], ADD.as_bytes()),
        )
        .await;
        assert_status(&r, 415, "Content-Encoding: br");

        // Slowloris: a header byte every 300 ms is cut off by the read timeout.
        let (took, said) = trickle(addr, b"", b"POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: loris\r\n\r\n").await;
        assert!(
            took < READ + Duration::from_millis(1500),
            "the slowloris connection was closed after {took:?} (read timeout {READ:?})"
        );
        let said = String::from_utf8_lossy(&said);
        println!("slowloris: closed after {took:?}, having sent {said:?}");
        assert!(
            said.is_empty() || said.starts_with("HTTP/1.1 408"),
            "a slowloris gets nothing or 408: {said:?}"
        );

        // A slow body: the headers arrive, the body trickles: 408.
        let body = br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#;
        let head = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let (took, said) = trickle(addr, head.as_bytes(), body).await;
        let said = String::from_utf8_lossy(&said);
        println!("slow body: closed after {took:?}, having sent {said:?}");
        assert!(said.starts_with("HTTP/1.1 408"), "a slow body gets 408: {said:?}");
        assert!(took < READ + Duration::from_millis(1500), "a slow body was cut off after {took:?}");

        // A GET.
        let r = send_bad(addr, b"GET /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .expect("an answer to GET");
        assert_status(&r, 405, "GET");
        assert_eq!(r.header("allow"), Some("POST"), "405 names the allowed method");

        // An unknown Content-Type.
        let r = exchange(addr, &post("/RPC2", &["Content-Type: image/png"], ADD.as_bytes())).await;
        assert_status(&r, 415, "Content-Type: image/png");

        // A wrong path.
        let r = exchange(addr, &post("/nope", &["Content-Type: application/json"], ADD.as_bytes())).await;
        assert_status(&r, 404, "POST /nope");

        // Garbage: 400 or a closed connection, not a hang.
        let r = send_bad(addr, b"\x00\x01\x02 garbage\r\n\r\n").await;
        println!("garbage: {:?}", r.as_ref().map(|r| r.status));
        if let Some(r) = r {
            assert_status(&r, 400, "garbage bytes");
        }

        // Expect: 100-continue: `100 Continue`, then the body, then 200.
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
             Expect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            ADD.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let mut leftover = Vec::new();
        let interim = read_response(&mut stream, &mut leftover)
            .await
            .expect("an interim response")
            .expect("not closed");
        assert_status(&interim, 100, "Expect: 100-continue");
        stream.write_all(ADD.as_bytes()).await.unwrap();
        let r = read_response(&mut stream, &mut leftover)
            .await
            .expect("a final response")
            .expect("not closed");
        assert_status(&r, 200, "the call after 100 Continue");
        assert_eq!(r.text(), r#"{"jsonrpc":"2.0","result":42,"id":1}"#);

        // Let the good clients make a few more calls after all that.
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.store(true, Ordering::SeqCst);
        for (name, tally) in [
            ("HttpConnection", good.await.unwrap()),
            ("raw keep-alive", good_raw.await.unwrap()),
        ] {
            println!("the {name} client: {} calls succeeded", tally.ok);
            assert!(
                tally.failures.is_empty(),
                "the {name} client saw failures ({} calls succeeded): {:#?}",
                tally.ok,
                tally.failures
            );
            assert!(tally.ok > 10, "the {name} client made only {} calls", tally.ok);
        }
    });
    server.stop().expect("the server stops cleanly");
}
