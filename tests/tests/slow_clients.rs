//! Clients that hold resources without using them, and the bounds that free
//! them:
//!
//! * 1 100 TCP connections to the HTTP port that never send a byte (more
//!   than the 1 024-connection limit): an honest call on a new connection is
//!   answered within a second, because at the limit the oldest idle
//!   connection is closed to make room (it used to wait for the header
//!   timeout, 10 s);
//! * the same at a stream endpoint's limit;
//! * half a frame, then silence, on TCP and a Unix socket, in both
//!   connection modes: cut off once the frame timeout has passed, and its
//!   slot is free again;
//! * an HTTP keep-alive connection idle for longer than the read timeout:
//!   closed, while one that keeps calling stays open;
//! * a client that writes calls and never reads its answers, on a stream
//!   and over HTTP: cut off by the write timeout, after which the server
//!   stops at once.

#![cfg(target_os = "linux")]

mod http_support;
mod stream_support;

use std::time::{Duration, Instant};

use diglot::{Dispatcher, HttpConfig, StreamConfig};
use diglot_examples::calc::{Calc, CalculatorService};
use stream_support::{
    Fixture, MODES, assert_add_works, content_length_frame, raw_tcp, raw_unix, read_to_close,
};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

/// Raises this process's open-file limit to what the hard limit allows: the
/// test holds both ends of over a thousand connections.
fn enough_descriptors(needed: u64) {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    let hard = limit.maximum.unwrap_or(u64::MAX);
    assert!(
        hard >= needed,
        "this test needs {needed} open files; the hard limit is {hard}"
    );
    if limit.current.is_some_and(|current| current < needed) {
        limit.current = Some(needed.min(hard));
        setrlimit(Resource::Nofile, limit).expect("raises the open-file limit");
    }
}

#[test]
fn idle_connections_at_the_http_limit_make_room_for_an_honest_call() {
    enough_descriptors(4096);
    let server = http_support::TestServer::http(
        Dispatcher::new(CalculatorService::new(Calc)).unwrap(),
        None,
    );
    let addr = server.addr;
    server.rt.block_on(async {
        // 1 100 connections that send nothing, against a limit of 1 024.
        let mut idle = Vec::new();
        for _ in 0..1100 {
            idle.push(TcpStream::connect(addr).await.expect("connects"));
        }
        // Let the server accept what it will.
        tokio::time::sleep(Duration::from_millis(200)).await;

        let started = Instant::now();
        let request = http_support::post(
            "/RPC2",
            &["Content-Type: application/json"],
            br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#,
        );
        let response = http_support::exchange(addr, &request).await;
        let took = started.elapsed();
        assert_eq!(response.status, 200, "{}", response.text());
        assert!(
            response.text().contains(r#""result":3"#),
            "{}",
            response.text()
        );
        assert!(
            took < Duration::from_secs(1),
            "an honest call behind 1 100 idle connections took {took:?}"
        );
        drop(idle);
    });
}

#[test]
fn idle_connections_at_a_stream_limit_make_room() {
    let fixture = Fixture::serving(
        stream_support::dispatcher(),
        StreamConfig::default().max_connections(20),
    );
    fixture.run(Duration::from_secs(20), async {
        // One busy connection, made first: the oldest, but not idle.
        let mut busy = raw_tcp(fixture.tcp()).await;
        assert_add_works(&mut busy, 1, 1, 1).await;
        busy.write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[7,3000],\"id\":2}\n",
        )
        .await
        .unwrap();
        // Each endpoint has its own limit: these fill the TCP one.
        let mut idle = Vec::new();
        for _ in 0..25 {
            idle.push(raw_tcp(fixture.tcp()).await);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let started = Instant::now();
        let mut honest = raw_tcp(fixture.tcp()).await;
        assert_add_works(&mut honest, 20, 22, 3).await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        // The busy connection was not the one closed: its call is answered.
        let line = stream_support::read_line(&mut busy, &mut Vec::new())
            .await
            .expect("the busy connection's answer");
        assert!(line.contains(r#""result":7"#), "{line}");
    });
}

#[test]
fn half_a_frame_then_silence_is_cut_after_the_frame_timeout() {
    for threaded in MODES {
        let config = StreamConfig::default()
            .frame_timeout(Duration::from_millis(300))
            .max_connections(4);
        let fixture = Fixture::in_mode(threaded, config);
        fixture.run(Duration::from_secs(20), async {
            for unix in [false, true] {
                // Four stalled connections fill every slot.
                let mut stalled = Vec::new();
                for _ in 0..4 {
                    let mut io = if unix {
                        raw_unix(&fixture.socket_path()).await
                    } else {
                        raw_tcp(fixture.tcp()).await
                    };
                    io.write_all(
                        &content_length_frame(
                            r#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#,
                            "application/json",
                        )[..40],
                    )
                    .await
                    .unwrap();
                    stalled.push(io);
                }
                let started = Instant::now();
                for io in &mut stalled {
                    let ending = read_to_close(io).await;
                    let text = ending.text();
                    assert!(
                        text.is_empty() || text.contains("did not arrive in full in time"),
                        "threaded {threaded}, unix {unix}: {text}"
                    );
                }
                let took = started.elapsed();
                assert!(
                    took < Duration::from_secs(2),
                    "threaded {threaded}, unix {unix}: cut after {took:?}"
                );
                // Their slots are free again.
                let mut next = raw_tcp(fixture.tcp()).await;
                assert_add_works(&mut next, 2, 3, 9).await;
            }
        });
    }
}

#[test]
fn a_client_that_never_reads_is_cut_by_the_write_timeout() {
    for threaded in MODES {
        let config = StreamConfig::default().write_timeout(Duration::from_millis(300));
        let fixture = Fixture::in_mode(threaded, config);
        let started = fixture.run(Duration::from_secs(30), async {
            let mut io = raw_unix(&fixture.socket_path()).await;
            // Calls whose answers are large, written and never read: the
            // server's writes block once the socket buffers are full.
            let text = "x".repeat(64 * 1024);
            let call = format!(
                "{{\"jsonrpc\":\"2.0\",\"method\":\"calc.echo\",\"params\":[\"{text}\"],\"id\":1}}\n"
            );
            let started = Instant::now();
            let mut written = 0usize;
            let error = loop {
                match tokio::time::timeout(Duration::from_secs(10), io.write_all(call.as_bytes()))
                    .await
                {
                    Ok(Ok(())) => written += call.len(),
                    Ok(Err(e)) => break e,
                    Err(_) => panic!("threaded {threaded}: a write blocked for 10 s: not cut off"),
                }
                assert!(written < 1 << 30, "threaded {threaded}: 1 GiB written, never cut off");
            };
            println!("threaded {threaded}: cut off after {written} bytes: {error}");
            started
        });
        assert!(started.elapsed() < Duration::from_secs(10));
        // Nothing is left to hold the stop up.
        let stopping = Instant::now();
        let Fixture { server, rt, dir } = fixture;
        server.stop_within(Duration::from_secs(3)).expect("stops");
        assert!(stopping.elapsed() < Duration::from_secs(3));
        drop((rt, dir));
    }
}

#[test]
fn an_http_client_that_never_reads_is_cut_by_the_write_timeout() {
    let server = http_support::TestServer::http(
        Dispatcher::new(CalculatorService::new(Calc)).unwrap(),
        Some(HttpConfig::default().write_timeout(Duration::from_millis(300))),
    );
    let addr = server.addr;
    server.rt.block_on(async {
        let mut io = TcpStream::connect(addr).await.expect("connects");
        // Pipelined calls with large answers, never read: hyper's writes
        // block once the socket buffers are full, and then so do its reads.
        let text = "x".repeat(64 * 1024);
        let body =
            format!(r#"{{"jsonrpc":"2.0","method":"calc.echo","params":["{text}"],"id":1}}"#);
        let request = http_support::post(
            "/RPC2",
            &["Content-Type: application/json"],
            body.as_bytes(),
        );
        let mut written = 0usize;
        let error = loop {
            match tokio::time::timeout(Duration::from_secs(10), io.write_all(&request)).await {
                Ok(Ok(())) => written += request.len(),
                Ok(Err(e)) => break e,
                Err(_) => panic!("a write blocked for 10 s: the client was not cut off"),
            }
            assert!(written < 1 << 30, "1 GiB written, never cut off");
        };
        println!("cut off after {written} bytes: {error}");
    });
    // Nothing is left to hold the stop up.
    let stopping = Instant::now();
    server.stop().expect("stops");
    assert!(
        stopping.elapsed() < Duration::from_secs(3),
        "the stop took {:?}",
        stopping.elapsed()
    );
}

#[test]
fn an_idle_keep_alive_http_connection_is_closed_after_the_read_timeout() {
    let read_timeout = Duration::from_millis(400);
    let server = http_support::TestServer::http(
        Dispatcher::new(CalculatorService::new(Calc)).unwrap(),
        Some(HttpConfig::default().read_timeout(read_timeout)),
    );
    let addr = server.addr;
    server.rt.block_on(async {
        let mut io = TcpStream::connect(addr).await.expect("connects");
        let body = stream_support::add_request(1, 2, 7);
        let request = http_support::post(
            "/RPC2",
            &["Content-Type: application/json"],
            body.as_bytes(),
        );
        // Two calls a little under the timeout apart: each request restarts
        // the idle time, so the connection stays open across both.
        io.write_all(&request).await.expect("written");
        tokio::time::sleep(read_timeout / 2).await;
        io.write_all(&request).await.expect("written");
        let answered = Instant::now();
        let ending = read_to_close(&mut io).await;
        let idle = answered.elapsed();
        let text = ending.text();
        assert_eq!(text.matches(r#""result":3,"id":7"#).count(), 2, "{text}");
        assert!(
            idle >= read_timeout / 2 && idle < read_timeout * 5,
            "closed {idle:?} after the last call; the read timeout is {read_timeout:?}"
        );
    });
    server.stop().expect("stops");
}
