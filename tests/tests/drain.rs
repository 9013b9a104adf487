//! Drain without loss, with real signals to a real process
//! (`bin/drain_server.rs`): a call in flight on each of HTTP, TCP, a Unix
//! socket and shared memory when SIGTERM or SIGINT arrives is answered; a
//! new connection after the signal is refused; the process exits 0 within
//! the deadline. Over stdio, likewise with stdin left open.

#![cfg(target_os = "linux")]

mod http_support;
mod stream_support;

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diglot::{Client, LocalName, Protocol, ShmConnection};
use stream_support::{TempDir, raw_tcp, raw_unix, read_line, runtime};
use tokio::io::AsyncWriteExt as _;

/// How long the slow calls take: the signal arrives in the middle.
const CALL_MS: u64 = 800;

fn delayed(id: i64) -> String {
    format!(
        "{{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[{id},{CALL_MS}],\"id\":{id}}}\n"
    )
}

fn signal(child: &Child, signal: &str) {
    let pid = child.id().to_string();
    let sent = Command::new("kill").args([signal, &pid]).status();
    assert!(sent.is_ok_and(|s| s.success()), "kill {signal} {pid}");
}

/// Waits (at most `limit`) for the child to exit, and checks it exited 0.
fn exits_cleanly(child: &mut Child, limit: Duration, what: &str) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what}: {status}");
            return;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn calls_in_flight_are_answered_when_a_signal_stops_the_server() {
    for sig in ["-TERM", "-INT"] {
        let dir = TempDir::new();
        let mut child = Command::new(env!("CARGO_BIN_EXE_drain_server"))
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the drain server starts");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut ready)
            .expect("the server says where it listens");
        let addr = |key: &str| -> SocketAddr {
            ready
                .split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .unwrap_or_else(|| panic!("no {key} in {ready:?}"))
                .parse()
                .unwrap()
        };
        let (http, tcp) = (addr("http="), addr("tcp="));
        let (socket, shm) = (dir.join("rpc.sock"), LocalName::Path(dir.join("rpc.shm")));

        let rt = runtime();
        rt.block_on(async {
            // One slow call on each transport.
            let body = delayed(1);
            let request = http_support::post(
                "/RPC2",
                &["Content-Type: application/json"],
                body.trim_end().as_bytes(),
            );
            let over_http =
                tokio::spawn(async move { http_support::exchange(http, &request).await });
            let mut over_tcp = raw_tcp(tcp).await;
            over_tcp.write_all(delayed(2).as_bytes()).await.unwrap();
            let mut over_unix = raw_unix(&socket).await;
            over_unix.write_all(delayed(3).as_bytes()).await.unwrap();
            let over_shm = std::thread::spawn(move || {
                let client =
                    Client::new(ShmConnection::connect_blocking(&shm, Protocol::JsonRpc).unwrap());
                client.call_blocking::<_, i64>("probe.delayed", &(4, CALL_MS))
            });
            tokio::time::sleep(Duration::from_millis(CALL_MS / 3)).await;

            signal(&child, sig);
            tokio::time::sleep(Duration::from_millis(100)).await;
            // New connections are refused at once.
            assert!(
                tokio::net::TcpStream::connect(http).await.is_err(),
                "{sig}: a new HTTP connection was accepted after the signal"
            );
            assert!(
                tokio::net::TcpStream::connect(tcp).await.is_err(),
                "{sig}: a new TCP connection was accepted after the signal"
            );
            assert!(!socket.exists(), "{sig}: the socket file is still there");

            // Every call in flight is answered.
            let response = over_http.await.unwrap();
            assert_eq!(response.status, 200, "{sig}: {}", response.text());
            assert!(
                response.text().contains(r#""result":1"#),
                "{sig}: {}",
                response.text()
            );
            for (what, io, n) in [("tcp", &mut over_tcp, 2), ("unix", &mut over_unix, 3)] {
                let line = read_line(io, &mut Vec::new()).await.expect("an answer");
                assert!(
                    line.contains(&format!(r#""result":{n}"#)),
                    "{sig} {what}: {line}"
                );
            }
            assert_eq!(
                over_shm.join().unwrap().expect("the shm call"),
                4,
                "{sig} shm"
            );
        });
        exits_cleanly(&mut child, Duration::from_secs(5), sig);
    }
}

#[test]
fn a_stdio_call_in_flight_is_answered_when_a_signal_stops_the_server() {
    for sig in ["-TERM", "-INT"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_drain_server"))
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the drain server starts");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(delayed(5).as_bytes()).unwrap();
        stdin.flush().unwrap();
        std::thread::sleep(Duration::from_millis(CALL_MS / 3));
        signal(&child, sig);
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("an answer");
        assert!(line.contains(r#""result":5"#), "{sig}: {line}");
        // stdin is still open.
        exits_cleanly(&mut child, Duration::from_secs(5), sig);
        drop(stdin);
    }
}
