//! `StreamConfig::max_connection_threads`: what the thread of each
//! connection costs, how it ends, and what it hands to a task (the calls
//! themselves are tested in both modes by `stream_clients`, `stream_faults`
//! and `stream_python`).
//!
//! * by default the first 16 connections get a thread each and the rest are
//!   tasks: 24 open connections, 16 threads;
//! * each connection gets a thread, and the thread ends with the connection:
//!   20 open connections, then 1 000 connect/call/disconnect cycles, and the
//!   process's thread and descriptor counts come back to where they were;
//! * a call that awaits (`probe.delayed`) hands its connection to a task:
//!   the calls after it are answered before it, and a per-call timeout still
//!   applies; awaiting calls on one default connection run at once;
//! * a subscription on a default connection, over TCP and a Unix socket:
//!   its items arrive, the connection goes on as a task, its thread ends;
//! * a stop lets the call in flight finish and be answered, closes the idle
//!   connections, and leaves no connection thread behind;
//! * a client that sends calls and never reads its answers does not hold a
//!   stop forever: its thread, blocked writing, is cut off after the grace.

#![cfg(target_os = "linux")]

mod stream_support;

use std::time::{Duration, Instant};

use diglot::StreamConfig;
use serde_json::{Value, json};
use stream_support::{Fixture, Raw, assert_add_works, raw_tcp, raw_unix, read_line, read_to_close};
use tokio::io::AsyncWriteExt as _;

/// The tests count the process's threads and descriptors: one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).expect("procfs").count()
}

/// The connection threads of this process (named `diglot-tcp`,
/// `diglot-unix`): the test harness and the runtimes start and end threads
/// of their own at any time, which a count of every thread would see.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("procfs")
        .filter_map(Result::ok)
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("diglot-"))
        })
        .count()
}

fn descriptors() -> usize {
    count("/proc/self/fd")
}

/// Waits (up to 5 s) for `probe` to come down to `baseline`.
async fn settles(what: &str, baseline: usize, probe: fn() -> usize) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while probe() > baseline {
        assert!(
            Instant::now() < deadline,
            "{what}: {} now, {baseline} before",
            probe()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn threaded() -> Fixture {
    Fixture::in_mode(true, StreamConfig::default())
}

async fn connect(fixture: &Fixture, i: usize) -> Raw {
    if i.is_multiple_of(2) {
        raw_unix(&fixture.socket_path()).await
    } else {
        raw_tcp(fixture.tcp()).await
    }
}

#[test]
fn each_connection_has_a_thread_that_ends_with_it() {
    let _serial = serial();
    let fixture = threaded();
    let (threads_before, fds_before) = (threads(), descriptors());
    fixture.run(Duration::from_secs(60), async {
        let mut open = Vec::new();
        for i in 0..20 {
            let mut io = connect(&fixture, i).await;
            assert_add_works(&mut io, i as i32, 1, i as i64).await;
            open.push(io);
        }
        assert!(
            threads() >= threads_before + 20,
            "20 connections, {} threads (from {threads_before})",
            threads()
        );
        drop(open);
        settles("threads after 20 connections", threads_before, threads).await;

        for i in 0..1000 {
            let mut io = connect(&fixture, i).await;
            assert_add_works(&mut io, 2, 2, i as i64).await;
        }
        settles("threads after 1 000 cycles", threads_before, threads).await;
        settles("descriptors after 1 000 cycles", fds_before, descriptors).await;
    });
}

#[test]
fn a_call_that_awaits_is_answered_and_timed_out_as_on_tasks() {
    let _serial = serial();
    let fixture = Fixture::in_mode(true, StreamConfig::default());
    fixture.run(Duration::from_secs(20), async {
        let mut io = raw_unix(&fixture.socket_path()).await;
        // A delayed call and a quick one in one write: the connection goes
        // to a task with the delayed call, which answers the quick one
        // while the delayed one waits.
        io.write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[7,1000],\"id\":1}\n\
              {\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":2}\n",
        )
        .await
        .unwrap();
        let mut leftover = Vec::new();
        let first = read_line(&mut io, &mut leftover).await.unwrap();
        assert!(
            first.contains(r#""result":3"#) && first.contains(r#""id":2"#),
            "{first}"
        );
        let second = read_line(&mut io, &mut leftover).await.unwrap();
        assert!(
            second.contains(r#""result":7"#) && second.contains(r#""id":1"#),
            "{second}"
        );
    });

    // With a call timeout, a call that outlives it is a -32000 fault.
    let dispatcher =
        stream_support::dispatcher_with(|builder| builder.call_timeout(Duration::from_millis(50)));
    let fixture = Fixture::in_mode_serving(true, dispatcher, StreamConfig::default());
    fixture.run(Duration::from_secs(20), async {
        let mut io = raw_tcp(fixture.tcp()).await;
        io.write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[7,2000],\"id\":9}\n",
        )
        .await
        .unwrap();
        let started = Instant::now();
        let line = read_line(&mut io, &mut Vec::new()).await.unwrap();
        assert!(
            line.contains("-32000") && line.contains(r#""id":9"#),
            "{line}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        assert_add_works(&mut io, 5, 5, 10).await;
    });
}

#[test]
fn a_stop_answers_the_call_in_flight_and_leaves_no_thread() {
    let _serial = serial();
    let fixture = threaded();
    let threads_before = threads();
    let Fixture { server, rt, dir } = fixture;
    let socket = dir.join("rpc.sock");
    let (mut busy, mut idle) = rt.block_on(async {
        let mut idle = raw_tcp(server.addr("tcp")).await;
        assert_add_works(&mut idle, 1, 1, 1).await;
        let mut busy = raw_unix(&socket).await;
        busy.write_all(
            b"{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[42,400],\"id\":5}\n",
        )
        .await
        .unwrap();
        // Let the server read the call before it is asked to stop.
        tokio::time::sleep(Duration::from_millis(100)).await;
        (busy, idle)
    });
    let stopping = std::thread::spawn(move || server.stop());
    rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), async {
            let line = read_line(&mut busy, &mut Vec::new()).await.unwrap();
            assert!(
                line.contains(r#""result":42"#),
                "the call in flight is answered: {line}"
            );
            let ending = read_to_close(&mut idle).await;
            assert!(ending.bytes.is_empty(), "the idle connection is closed");
        })
        .await
        .expect("within 10 s");
    });
    stopping
        .join()
        .expect("stop did not panic")
        .expect("serve_until ends cleanly");
    assert!(!socket.exists(), "the socket file is removed");
    rt.block_on(settles("threads after the stop", threads_before, threads));
}

#[test]
fn a_client_that_never_reads_is_cut_off_after_the_stop_grace() {
    let _serial = serial();
    let fixture = threaded();
    let threads_before = threads();
    let Fixture { server, rt, dir } = fixture;
    let socket = dir.join("rpc.sock");
    // Calls written and never read: the server's answers fill both socket
    // buffers and its thread blocks in `write`.
    let deaf = rt.block_on(async {
        let mut deaf = raw_unix(&socket).await;
        let calls = "{\"jsonrpc\":\"2.0\",\"method\":\"calc.echo\",\"params\":[\"0123456789abcdef0123456789abcdef\"],\"id\":1}\n"
            .repeat(200);
        let mut written = 0;
        while written < 64 << 20 {
            match tokio::time::timeout(Duration::from_millis(500), deaf.write_all(calls.as_bytes())).await {
                Ok(Ok(())) => written += calls.len(),
                Ok(Err(e)) => panic!("writing the calls: {e}"),
                // The server stopped reading: it is stuck writing to us.
                Err(_) => break,
            }
        }
        assert!(written < 64 << 20, "the server kept reading 64 MiB of calls");
        deaf
    });
    let started = Instant::now();
    server
        .stop_within(Duration::from_secs(30))
        .expect("serve_until ends cleanly");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(9) && took < Duration::from_secs(20),
        "the stop waited {took:?}, not the 10 s grace"
    );
    drop(deaf);
    rt.block_on(settles("threads after the stop", threads_before, threads));
}

/// Waits (up to 5 s) until no connection thread of an earlier test is left.
fn no_threads_left(rt: &tokio::runtime::Runtime) {
    rt.block_on(settles("threads of earlier tests", 0, threads));
}

#[test]
fn by_default_the_first_sixteen_connections_get_threads_and_the_rest_tasks() {
    let _serial = serial();
    let fixture = Fixture::new();
    no_threads_left(&fixture.rt);
    fixture.run(Duration::from_secs(30), async {
        // On one endpoint: each has a bound of its own.
        let mut open = Vec::new();
        for i in 0..24 {
            let mut io = raw_unix(&fixture.socket_path()).await;
            assert_add_works(&mut io, i, 1, i64::from(i)).await;
            open.push(io);
        }
        assert_eq!(
            threads(),
            StreamConfig::DEFAULT_CONNECTION_THREADS,
            "24 connections open"
        );
        // Every one still answers, on its thread or as a task.
        for (i, io) in open.iter_mut().enumerate() {
            assert_add_works(io, 2, i as i32, 100 + i as i64).await;
        }
        drop(open);
        settles("threads after the connections", 0, threads).await;
        // The threads are free again for new connections.
        let mut io = connect(&fixture, 0).await;
        assert_add_works(&mut io, 3, 4, 1).await;
        assert_eq!(threads(), 1);
    });
}

#[test]
fn awaiting_calls_on_one_default_connection_run_at_once() {
    let _serial = serial();
    let fixture = Fixture::new();
    fixture.run(Duration::from_secs(30), async {
        for unix in [true, false] {
            let mut io = connect(&fixture, usize::from(!unix)).await;
            // Four calls that each wait 2 s, then a quick one, in one write.
            let mut calls = String::new();
            for id in 1..=4 {
                calls.push_str(&format!(
                    "{{\"jsonrpc\":\"2.0\",\"method\":\"probe.delayed\",\"params\":[{id},2000],\"id\":{id}}}\n"
                ));
            }
            calls.push_str("{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":5}\n");
            io.write_all(calls.as_bytes()).await.unwrap();
            let mut leftover = Vec::new();
            let first = read_line(&mut io, &mut leftover).await.unwrap();
            assert!(
                first.contains(r#""id":5"#),
                "unix {unix}: the quick call is answered first: {first}"
            );
            // One at a time, the four would take 8 s, past the read timeout.
            let mut ids = Vec::new();
            for _ in 1..=4 {
                let line = read_line(&mut io, &mut leftover).await.unwrap();
                let answer: Value = serde_json::from_str(&line).unwrap();
                assert_eq!(answer["result"], answer["id"], "{line}");
                ids.push(answer["id"].as_i64().unwrap());
            }
            ids.sort_unstable();
            assert_eq!(ids, [1, 2, 3, 4], "unix {unix}");
            assert_add_works(&mut io, 5, 6, 6).await;
        }
    });
}

#[test]
fn a_subscription_on_a_default_connection_moves_it_to_a_task() {
    let _serial = serial();
    let fixture = Fixture::new();
    no_threads_left(&fixture.rt);
    fixture.run(Duration::from_secs(30), async {
        for unix in [true, false] {
            let mut io = connect(&fixture, usize::from(!unix)).await;
            assert_add_works(&mut io, 1, 1, 1).await;
            assert_eq!(
                threads(),
                1,
                "unix {unix}: a fresh connection is on a thread"
            );
            let subscribe =
                json!({"jsonrpc": "2.0", "id": 2, "method": "calc.ticks", "params": [3, 1]});
            io.write_all(format!("{subscribe}\n").as_bytes())
                .await
                .unwrap();
            let mut leftover = Vec::new();
            let mut next = async || -> Value {
                let line = read_line(&mut io, &mut leftover).await.unwrap();
                serde_json::from_str(&line).unwrap()
            };
            let answer = next().await;
            let id = answer["result"].clone();
            assert!(id.is_u64(), "unix {unix}: {answer}");
            for n in 1..=3 {
                let tick = next().await;
                assert_eq!(tick["method"], "calc.ticks", "unix {unix}: {tick}");
                assert_eq!(tick["params"], json!({"subscription": id, "result": n}));
            }
            assert_eq!(
                next().await["params"],
                json!({"subscription": id, "end": "completed"})
            );
            // The connection goes on, as a task: its thread has ended.
            settles("the thread of a subscribed connection", 0, threads).await;
            assert_add_works(&mut io, 2, 3, 3).await;
        }
    });
}
