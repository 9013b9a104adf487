//! diglot's typed clients over [`diglot::StreamConnection`] against a real
//! server: raw TCP and a Unix socket (in a fresh temp dir), XML-RPC and
//! JSON-RPC, `Content-Length` framing.
//!
//! * every calculator method, and a fault, over each transport × protocol;
//! * 200 calls in flight at once on ONE connection, each sleeping a
//!   different time on the server: JSON-RPC answers come back out of order
//!   and are matched by id, XML-RPC answers come back in order; every call
//!   must get its own answer;
//! * on the wire: JSON-RPC answers leave as they finish, XML-RPC answers in
//!   request order, even behind a slow call;
//! * the calculator example binary as a child over its stdin/stdout
//!   (`StreamConnection::spawn`), both protocols, 50 JSON-RPC calls at once.
//!
//! Every call runs under a time limit: a lost answer fails the test instead
//! of hanging it.

#![cfg(unix)]

mod stream_support;

use std::sync::Arc;
use std::time::Duration;

use diglot::StreamConfig;
use diglot::{ClientError, Protocol, StreamConnection, Value};
use diglot_examples::calc::{Calc, CalculatorClient};
use stream_support::{
    Fixture, MODES, ProbeClient, content_length_frame, raw_tcp, raw_unix, read_frame, read_line,
};
use tokio::io::AsyncWriteExt as _;

const PROTOCOLS: [Protocol; 2] = [Protocol::XmlRpc, Protocol::JsonRpc];

/// Where a client connects.
#[derive(Debug, Clone, Copy)]
enum Via {
    Tcp,
    Unix,
}

async fn connect(fixture: &Fixture, via: Via, protocol: Protocol) -> StreamConnection {
    match via {
        Via::Tcp => StreamConnection::tcp(fixture.tcp(), protocol).await,
        Via::Unix => StreamConnection::local(&fixture.local(), protocol).await,
    }
    .unwrap_or_else(|e| panic!("connects via {via:?}: {e}"))
}

/// Every calculator method, and a fault, through `client`.
async fn exercise_calculator(client: &CalculatorClient<StreamConnection>, what: &str) {
    assert_eq!(client.add(2, 3).await.unwrap(), 5, "{what}: add");
    let overflow = client.add(i32::MAX, 1).await.unwrap_err();
    assert_eq!(
        overflow.fault().map(|f| f.code),
        Some(Calc::OVERFLOW),
        "{what}: a sum past 32 bits is a fault"
    );
    assert_eq!(client.div(1.0, 4.0).await.unwrap(), 0.25, "{what}: div");
    assert_eq!(
        client.sum(vec![1.0, 2.5, -0.5]).await.unwrap(),
        3.0,
        "{what}: sumAll"
    );
    let nested = Value::from(vec![
        Value::from("héllo <&>"),
        Value::from(1_i64 << 40),
        Value::from(vec![Value::from(true), Value::from(0.5)]),
    ]);
    assert_eq!(
        client.echo(nested.clone()).await.unwrap(),
        nested,
        "{what}: echo"
    );
    match client.div(1.0, 0.0).await {
        Err(ClientError::Fault(fault)) => {
            assert_eq!(fault.code, Calc::DIVISION_BY_ZERO, "{what}: fault code");
            assert_eq!(fault.message, "division by zero", "{what}: fault message");
        }
        other => panic!("{what}: expected a division-by-zero fault, got {other:?}"),
    }
    // The connection is still good after a fault.
    assert_eq!(client.add(-7, 7).await.unwrap(), 0, "{what}: after a fault");
}

#[test]
fn the_typed_client_over_tcp_and_unix_in_both_protocols() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        for via in [Via::Tcp, Via::Unix] {
            for protocol in PROTOCOLS {
                let what = format!("{via:?}/{protocol:?}");
                fixture.run(Duration::from_secs(10), async {
                    let client = CalculatorClient::new(connect(&fixture, via, protocol).await);
                    exercise_calculator(&client, &what).await;
                });
            }
        }
    }
}

/// 200 calls at once through one client on one connection. Call `i`
/// sleeps `delay(i)` ms on the server and returns `i * 7`.
async fn pipeline(
    connection: StreamConnection,
    delay: fn(i64) -> u64,
    what: &str,
) -> Vec<(i64, i64)> {
    const CALLS: i64 = 200;
    let client = Arc::new(ProbeClient::new(connection));
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..CALLS {
        let client = client.clone();
        calls.spawn(async move { (i, client.delayed(i * 7, delay(i)).await) });
    }
    let mut answers = Vec::new();
    while let Some(joined) = calls.join_next().await {
        let (i, answer) = joined.expect("no call panicked");
        let answer = answer.unwrap_or_else(|e| panic!("{what}: call {i} failed: {e}"));
        answers.push((i, answer));
    }
    assert_eq!(answers.len(), CALLS as usize, "{what}: every call answered");
    for &(i, answer) in &answers {
        assert_eq!(answer, i * 7, "{what}: call {i} got another call's answer");
    }
    answers
}

#[test]
fn two_hundred_json_rpc_calls_in_flight_on_one_connection() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        for via in [Via::Tcp, Via::Unix] {
            let what = format!("{via:?}/JSON-RPC");
            fixture.run(Duration::from_secs(15), async {
                let connection = connect(&fixture, via, Protocol::JsonRpc).await;
                // Delays 0..=49 ms in a scrambled order: answers finish out of
                // order and must be matched by id.
                pipeline(connection, |i| ((i * 37) % 50) as u64, &what).await;
            });
        }
    }
}

#[test]
fn two_hundred_xml_rpc_calls_in_flight_on_one_connection() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        for via in [Via::Tcp, Via::Unix] {
            let what = format!("{via:?}/XML-RPC");
            fixture.run(Duration::from_secs(15), async {
                let connection = connect(&fixture, via, Protocol::XmlRpc).await;
                // XML-RPC has no id: the server answers in order, so a slower
                // call must not let a later answer overtake it.
                pipeline(connection, |i| (i % 5) as u64 * 2, &what).await;
            });
        }
    }
}

/// Two typed clients (two services) sharing one connection through clones
/// of it, calling at the same time. Each `Client` numbers its JSON-RPC ids
/// from 1, so both send id 1, 2, ... on the same stream.
#[test]
fn clones_of_one_connection_used_by_two_clients_at_once() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        fixture.run(Duration::from_secs(10), async {
            let connection = connect(&fixture, Via::Tcp, Protocol::JsonRpc).await;
            let calc = CalculatorClient::new(connection.clone());
            let probe = ProbeClient::new(connection);
            // Both first calls carry id 1: the slow probe call is sent first,
            // the calculator's answer arrives first.
            let (slow, quick) = tokio::join!(probe.delayed(42, 200), async {
                tokio::time::sleep(Duration::from_millis(20)).await;
                calc.add(1, 2).await
            });
            assert_eq!(quick.expect("calc.add answered"), 3);
            assert_eq!(slow.expect("probe.delayed answered"), 42);
        });
    }
}

#[test]
fn json_rpc_answers_leave_as_they_finish_xml_rpc_answers_in_order() {
    let fixture = Fixture::new();
    fixture.run(Duration::from_secs(15), async {
        // JSON lines on a raw TCP connection: three calls in one write; the
        // slowest was sent first.
        let mut io = raw_tcp(fixture.tcp()).await;
        let call = |id: i64, ms: u64| {
            format!(
                r#"{{"jsonrpc":"2.0","method":"probe.delayed","params":[{id},{ms}],"id":{id}}}"#
            )
        };
        let batch = format!("{}\n{}\n{}\n", call(1, 600), call(2, 0), call(3, 300));
        io.write_all(batch.as_bytes()).await.unwrap();
        let mut leftover = Vec::new();
        let mut order = Vec::new();
        for _ in 0..3 {
            let line = read_line(&mut io, &mut leftover).await.expect("an answer");
            let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(answer["result"], answer["id"], "{line}");
            order.push(answer["id"].as_i64().unwrap());
        }
        assert_eq!(
            order,
            [2, 3, 1],
            "JSON-RPC answers in the order they finish"
        );

        // XML-RPC in Content-Length frames on the Unix socket: the slow
        // call's answer still comes first.
        let mut io = raw_unix(&fixture.socket_path()).await;
        let xml = |n: i64, ms: u64| {
            format!(
                "<?xml version=\"1.0\"?><methodCall><methodName>probe.delayed</methodName>\
                 <params><param><value><i4>{n}</i4></value></param>\
                 <param><value><i4>{ms}</i4></value></param></params></methodCall>"
            )
        };
        let mut frames = content_length_frame(&xml(1, 300), "text/xml");
        frames.extend(content_length_frame(&xml(2, 0), "text/xml"));
        io.write_all(&frames).await.unwrap();
        let mut leftover = Vec::new();
        for n in [1, 2] {
            let body = read_frame(&mut io, &mut leftover).await.expect("an answer");
            assert!(
                body.contains("<methodResponse>")
                    && (body.contains(&format!("<i4>{n}</i4>"))
                        || body.contains(&format!("<int>{n}</int>"))),
                "answer {n} in order, got {body}"
            );
        }
    });
}

#[test]
fn the_calculator_binary_as_a_child_over_stdio() {
    let binary = stream_support::calculator_binary();
    let rt = stream_support::runtime();
    for protocol in PROTOCOLS {
        let what = format!("stdio/{protocol:?}");
        rt.block_on(async {
            tokio::time::timeout(Duration::from_secs(15), async {
                let mut command = tokio::process::Command::new(&binary);
                command
                    .arg("--stdio")
                    .env("RUST_LOG", "warn")
                    .stderr(std::process::Stdio::null());
                let connection = StreamConnection::spawn(command, protocol)
                    .unwrap_or_else(|e| panic!("{what}: spawns the calculator: {e}"));
                let client = CalculatorClient::new(connection);
                exercise_calculator(&client, &what).await;
                // Pipelined over the child's stdin too.
                let client = Arc::new(client);
                let mut calls = tokio::task::JoinSet::new();
                for i in 0..50 {
                    let client = client.clone();
                    calls.spawn(async move { (i, client.add(i, 1000).await) });
                }
                while let Some(joined) = calls.join_next().await {
                    let (i, sum) = joined.unwrap();
                    assert_eq!(sum.unwrap(), i + 1000, "{what}: call {i}");
                }
            })
            .await
            .unwrap_or_else(|_| panic!("{what}: timed out"));
        });
    }
}

/// A server that reads calls and then goes away without answering: every
/// call waiting on the connection fails (none hangs), and so does the next.
#[test]
fn calls_fail_when_the_server_goes_away_without_answering() {
    let rt = stream_support::runtime();
    let dir = stream_support::TempDir::new();
    let path = dir.join("gone.sock");
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), async {
            let listener = tokio::net::UnixListener::bind(&path).unwrap();
            let server = tokio::spawn(async move {
                let (mut socket, _) = listener.accept().await.unwrap();
                // Read both calls, then leave.
                let mut seen = Vec::new();
                while seen.windows(8).filter(|w| w == b"calc.add").count() < 2 {
                    let mut buf = [0u8; 4096];
                    let n = tokio::io::AsyncReadExt::read(&mut socket, &mut buf)
                        .await
                        .unwrap();
                    assert!(n > 0, "the client closed first");
                    seen.extend_from_slice(&buf[..n]);
                }
            });
            let name = diglot::LocalName::Path(path.clone());
            let client = CalculatorClient::new(
                StreamConnection::local(&name, Protocol::JsonRpc)
                    .await
                    .unwrap(),
            );
            let (first, second) = tokio::join!(client.add(1, 2), client.add(3, 4));
            server.await.unwrap();
            for (what, outcome) in [("first", first), ("second", second)] {
                assert!(
                    matches!(outcome, Err(ClientError::Closed(_))),
                    "{what} call: {outcome:?}"
                );
            }
            let after = client.add(5, 6).await;
            assert!(
                matches!(after, Err(ClientError::Closed(_) | ClientError::Io(_))),
                "{after:?}"
            );
        })
        .await
        .expect("no call hangs");
    });
}
