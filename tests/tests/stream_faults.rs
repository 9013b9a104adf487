//! Misbehaving stream clients cost only their own connection.
//!
//! A real server serves raw TCP and a Unix socket. Each test first opens a
//! connection and makes a good call on it; then, for each kind of bad
//! client, it checks that the server closes (or keeps serving) the bad
//! connection as it should, that the connection opened BEFORE still
//! answers, that a NEW connection over TCP and over the Unix socket
//! answers, and that `serve_until` has not returned.
//!
//! The bad clients: a frame cut off by a disconnect (a JSON value, a
//! `Content-Length` header, a `Content-Length` body); a line that never
//! ends (a JSON string streamed up to 100 MB against a 1 MiB limit, and
//! ~20 MiB against the default 16 MiB limit) and a `Content-Length` header
//! announcing 100 MB; binary garbage as the first bytes, after a good frame,
//! and inside a JSON value; a client that disconnects while its call runs.
//!
//! Every read has a timeout, and each test runs under an overall limit.

#![cfg(unix)]

mod stream_support;

use std::time::Duration;

use diglot::{Limits, StreamConfig};
use stream_support::{
    Fixture, MODES, Raw, add_request, assert_add_works, content_length_frame, raw_tcp, raw_unix,
    read_frame, read_line, read_to_close,
};
use tokio::io::{AsyncWrite, AsyncWriteExt as _};

/// The body limit most tests configure, to keep them quick.
const LIMIT: usize = 1 << 20;

/// A server whose dispatcher limits bodies to [`LIMIT`], in either mode.
fn limited(threaded: bool) -> Fixture {
    let dispatcher = stream_support::dispatcher_with(|builder| {
        builder.limits(Limits::default().max_body_bytes(LIMIT))
    });
    Fixture::in_mode_serving(threaded, dispatcher, StreamConfig::default())
}

/// A connection opened before anything goes wrong, with a call made on it.
async fn open_before(fixture: &Fixture) -> Raw {
    let mut before = raw_tcp(fixture.tcp()).await;
    assert_add_works(&mut before, 1, 1, 1).await;
    before
}

/// After a bad client: the earlier connection, and new ones over TCP and
/// the Unix socket, are served; the server is still running.
async fn assert_others_served(fixture: &Fixture, before: &mut Raw, after: &str, round: i64) {
    assert!(
        fixture.server.is_serving(),
        "after {after}: the server stopped"
    );
    assert_add_works(before, 40, 2, 1000 + round).await;
    let mut tcp = raw_tcp(fixture.tcp()).await;
    assert_add_works(&mut tcp, 20, 3, 2000 + round).await;
    let mut unix = raw_unix(&fixture.socket_path()).await;
    assert_add_works(&mut unix, 10, 4, 3000 + round).await;
}

/// A new bad connection over TCP or the Unix socket.
async fn bad_connection(fixture: &Fixture, unix: bool) -> Raw {
    if unix {
        raw_unix(&fixture.socket_path()).await
    } else {
        raw_tcp(fixture.tcp()).await
    }
}

#[test]
fn a_half_written_frame_then_disconnect() {
    for threaded in MODES {
        let fixture = limited(threaded);
        let halves: [(&str, &[u8]); 4] = [
            (
                "half a JSON value",
                br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,"#,
            ),
            (
                "a JSON value inside an unfinished string",
                br#"{"jsonrpc":"2.0","method":"calc.echo","params":["never \" ends"#,
            ),
            (
                "half a Content-Length header",
                b"Content-Length: 120\r\nContent-Ty",
            ),
            (
                "half a Content-Length body",
                b"Content-Length: 120\r\n\r\n{\"jsonrpc\":\"2.0\",\"method\"",
            ),
        ];
        fixture.run(Duration::from_secs(15), async {
            let mut before = open_before(&fixture).await;
            let mut round = 0;
            for (what, half) in halves {
                for unix in [false, true] {
                    round += 1;
                    let mut bad = bad_connection(&fixture, unix).await;
                    bad.write_all(half).await.unwrap();
                    bad.flush().await.unwrap();
                    // Give the server time to read the half before it goes.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    drop(bad);
                    assert_others_served(&fixture, &mut before, what, round).await;
                }
            }
            // A half frame after a good one: the good one is answered first.
            let mut bad = raw_unix(&fixture.socket_path()).await;
            let mut bytes = add_request(2, 2, 7).into_bytes();
            bytes.extend_from_slice(br#"{"jsonrpc":"2.0","#);
            bad.write_all(&bytes).await.unwrap();
            let line = read_line(&mut bad, &mut Vec::new()).await.unwrap();
            assert!(line.contains(r#""result":4"#), "{line}");
            drop(bad);
            assert_others_served(&fixture, &mut before, "a good frame then half", 99).await;
        });
    }
}

/// How a streamed write ended: bytes written, and the error that stopped
/// it (none if it wrote everything).
type Streamed = (
    usize,
    Option<std::io::Error>,
    Box<dyn AsyncWrite + Send + Unpin>,
);

/// Streams `head`, then `a` bytes in 64 KiB chunks, until `total` bytes or
/// a write fails. The write half is handed back (not closed): an end of
/// stream would end the connection by itself and prove nothing.
fn stream_endless(
    mut write: Box<dyn AsyncWrite + Send + Unpin>,
    head: &'static [u8],
    total: usize,
) -> tokio::task::JoinHandle<Streamed> {
    tokio::spawn(async move {
        let chunk = vec![b'a'; 64 * 1024];
        let mut sent = 0;
        if let Err(e) = write.write_all(head).await {
            return (sent, Some(e), write);
        }
        sent += head.len();
        while sent < total {
            let n = chunk.len().min(total - sent);
            if let Err(e) = write.write_all(&chunk[..n]).await {
                return (sent, Some(e), write);
            }
            sent += n;
        }
        let _ = write.flush().await;
        (sent, None, write)
    })
}

const ENDLESS_STRING: &[u8] = br#"{"jsonrpc":"2.0","method":"calc.echo","params":[""#;

/// Sends a JSON string that never ends (up to `total` bytes) and checks
/// that the server closes the connection on its own, before `total` if
/// `must_stop_early`.
async fn endless_line(fixture: &Fixture, unix: bool, total: usize, must_stop_early: bool) {
    let bad = bad_connection(fixture, unix).await;
    let (mut read, write) = tokio::io::split(bad);
    let writer = stream_endless(Box::new(write), ENDLESS_STRING, total);
    // The server must close the connection: a read that times out panics.
    let ending = read_to_close(&mut read).await;
    let (sent, error, write) = tokio::time::timeout(Duration::from_secs(10), writer)
        .await
        .expect("the writer stops once the server has closed")
        .expect("the writer did not panic");
    println!(
        "endless line (unix: {unix}): wrote {sent} bytes, write error {error:?}; \
         read {:?} then {:?}",
        ending.text(),
        ending.error
    );
    if !ending.bytes.is_empty() {
        let text = ending.text();
        assert!(
            text.contains("-32600") && text.contains("larger than the limit"),
            "the only thing sent back is an invalid-request error naming the limit: {text}"
        );
    }
    if must_stop_early {
        assert!(
            error.is_some() && sent < total,
            "the server read all {sent} bytes of an endless line without closing"
        );
    }
    drop(write);
}

#[test]
fn a_100_mb_line_is_cut_off_at_the_configured_limit() {
    for threaded in MODES {
        let fixture = limited(threaded);
        fixture.run(Duration::from_secs(18), async {
            let mut before = open_before(&fixture).await;
            for (round, unix) in [(1, false), (2, true)] {
                endless_line(&fixture, unix, 100 << 20, true).await;
                assert_others_served(&fixture, &mut before, "a 100 MB line", round).await;
            }
            // A Content-Length header announcing 100 MB is refused before the
            // body is read.
            for (round, unix) in [(3, false), (4, true)] {
                let mut bad = bad_connection(&fixture, unix).await;
                bad.write_all(
                    b"Content-Length: 104857600\r\nContent-Type: application/json\r\n\r\n{",
                )
                .await
                .unwrap();
                let mut leftover = Vec::new();
                let answer = read_frame(&mut bad, &mut leftover)
                    .await
                    .expect("an invalid-request error before closing");
                assert!(
                    answer.contains("-32600") && answer.contains("larger than the limit"),
                    "{answer}"
                );
                let ending = read_to_close(&mut bad).await;
                assert!(
                    ending.bytes.is_empty(),
                    "nothing after the error: {}",
                    ending.text()
                );
                assert_others_served(&fixture, &mut before, "a 100 MB Content-Length", round).await;
            }
        });
    }
}

#[test]
fn the_default_limit_stops_a_20_mib_line() {
    // The dispatcher's default limit, 16 MiB.
    let fixture = Fixture::new();
    fixture.run(Duration::from_secs(18), async {
        let mut before = open_before(&fixture).await;
        // The write side stays open after 20 MiB: only the limit can make
        // the server close the connection.
        endless_line(&fixture, false, 20 << 20, false).await;
        assert_others_served(&fixture, &mut before, "a 20 MiB line", 1).await;
    });
}

#[test]
fn binary_garbage() {
    for threaded in MODES {
        let fixture = limited(threaded);
        let garbage: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        fixture.run(Duration::from_secs(15), async {
            let mut before = open_before(&fixture).await;
            // As the first bytes: no framing starts so; closed unanswered.
            for (round, unix) in [(1, false), (2, true)] {
                let mut bad = bad_connection(&fixture, unix).await;
                bad.write_all(b"\x00\xff\xfe\x13garbage").await.unwrap();
                let _ = bad.write_all(&garbage).await;
                let ending = read_to_close(&mut bad).await;
                assert!(
                    ending.bytes.is_empty(),
                    "garbage is not answered: {}",
                    ending.text()
                );
                assert_others_served(&fixture, &mut before, "leading garbage", round).await;
            }
            // After a good JSON value: the value is answered, then a parse
            // error, then the connection closes.
            for (round, unix) in [(3, false), (4, true)] {
                let mut bad = bad_connection(&fixture, unix).await;
                let mut bytes = (add_request(3, 4, 5) + "\n").into_bytes();
                bytes.extend_from_slice(b"\x00\xff garbage");
                bad.write_all(&bytes).await.unwrap();
                let mut leftover = Vec::new();
                let first = read_line(&mut bad, &mut leftover).await.unwrap();
                assert!(first.contains(r#""result":7"#), "{first}");
                let second = read_line(&mut bad, &mut leftover).await.unwrap();
                assert!(second.contains("-32700"), "{second}");
                assert!(read_to_close(&mut bad).await.bytes.is_empty());
                assert_others_served(&fixture, &mut before, "garbage after a frame", round).await;
            }
            // Garbage in Content-Length headers: a parse error, then closed.
            for (round, unix) in [(5, false), (6, true)] {
                let mut bad = bad_connection(&fixture, unix).await;
                bad.write_all(b"Content-Length: \xff\x00lots\r\n\r\n{}")
                    .await
                    .unwrap();
                let answer = read_frame(&mut bad, &mut Vec::new()).await.unwrap();
                assert!(answer.contains("-32700"), "{answer}");
                assert!(read_to_close(&mut bad).await.bytes.is_empty());
                assert_others_served(&fixture, &mut before, "garbage headers", round).await;
            }
            // Garbage inside a well-bracketed JSON value is a bad request, not
            // a bad frame: answered with a parse error, the connection lives.
            for (round, unix) in [(7, false), (8, true)] {
                let mut bad = bad_connection(&fixture, unix).await;
                bad.write_all(b"{\x00\xff\"\xfe\x01\" [1, ]}\n")
                    .await
                    .unwrap();
                let line = read_line(&mut bad, &mut Vec::new()).await.unwrap();
                assert!(line.contains("-32700"), "{line}");
                assert_add_works(&mut bad, 5, 5, 55).await;
                assert_others_served(&fixture, &mut before, "garbage in a value", round).await;
            }
        });
    }
}

#[test]
fn a_client_that_disconnects_mid_call() {
    for threaded in MODES {
        let fixture = limited(threaded);
        fixture.run(Duration::from_secs(15), async {
            let mut before = open_before(&fixture).await;
            let slow_json = r#"{"jsonrpc":"2.0","method":"probe.delayed","params":[1,300],"id":1}"#;
            let slow_xml = "<?xml version=\"1.0\"?><methodCall><methodName>probe.delayed</methodName>\
                 <params><param><value><i4>1</i4></value></param>\
                 <param><value><i4>300</i4></value></param></params></methodCall>";
            let mut round = 0;
            for unix in [false, true] {
                // Several at once, in each framing, each closed right after
                // sending.
                for _ in 0..5 {
                    let mut bad = bad_connection(&fixture, unix).await;
                    bad.write_all((slow_json.to_owned() + "\n").as_bytes())
                        .await
                        .unwrap();
                    drop(bad);
                    let mut bad = bad_connection(&fixture, unix).await;
                    bad.write_all(&content_length_frame(slow_json, "application/json"))
                        .await
                        .unwrap();
                    drop(bad);
                    let mut bad = bad_connection(&fixture, unix).await;
                    bad.write_all(&content_length_frame(slow_xml, "text/xml"))
                        .await
                        .unwrap();
                    drop(bad);
                }
                // Served while those calls run, and after they have finished
                // and found nobody to answer.
                round += 1;
                assert_others_served(&fixture, &mut before, "disconnects mid-call", round).await;
                tokio::time::sleep(Duration::from_millis(450)).await;
                round += 1;
                assert_others_served(&fixture, &mut before, "disconnects mid-call", round).await;
            }
            // A client that only stops SENDING (half-close) still gets its
            // answer, then the server closes.
            let mut half = raw_unix(&fixture.socket_path()).await;
            half.write_all((slow_json.to_owned() + "\n").as_bytes())
                .await
                .unwrap();
            half.shutdown().await.unwrap();
            let ending = read_to_close(&mut half).await;
            assert!(
                ending.text().contains(r#""result":1"#),
                "answered after a half-close: {}",
                ending.text()
            );
        });
    }
}
