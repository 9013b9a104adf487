//! 1 000 subscribe/unsubscribe cycles leave no task, thread or memory
//! behind. A test binary of its own: the thread count and resident memory
//! it reads are the process's, which other tests would move.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use diglot::{Dispatcher, LocalEndpoint, Server};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::served::Served;
use diglot_tests::tempdir::TempDir;
use serde_json::{Value, json};

/// Sends a call as a JSON line and reads its answer.
fn call(reader: &mut BufReader<UnixStream>, id: u64, method: &str, params: Value) -> Value {
    let mut line = serde_json::to_vec(
        &json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
    )
    .unwrap();
    line.push(b'\n');
    reader.get_mut().write_all(&line).unwrap();
    loop {
        let mut answer = String::new();
        assert!(
            reader.read_line(&mut answer).unwrap() > 0,
            "the server closed the connection"
        );
        let answer: Value = serde_json::from_str(&answer).unwrap();
        if answer.get("id") == Some(&json!(id)) {
            return answer;
        }
    }
}

/// The process's threads, from /proc.
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// The process's resident memory in KiB, from /proc.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_thousand_subscribe_unsubscribe_cycles_leave_nothing_behind() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let path = dir.join("calc.sock");
    let server = Server::new(dispatcher.clone())
        .endpoint(LocalEndpoint::new(diglot::LocalName::Path(path.clone())));
    let served = Served::start(&rt, server).unwrap();
    let stream = UnixStream::connect(&path).unwrap();
    stream
        .set_read_timeout(Some(diglot_tests::READ_TIMEOUT))
        .unwrap();
    let mut lines = BufReader::new(stream);
    let mut cycles = |n: u64| {
        for k in 0..n {
            let answer = call(&mut lines, 2 * k, "calc.ticks", json!([1_000_000, 1]));
            let id = answer["result"].clone();
            assert!(id.is_u64(), "{answer}");
            let stopped = call(&mut lines, 2 * k + 1, "calc.unticks", json!([id]));
            assert_eq!(stopped["result"], true, "{stopped}");
        }
    };
    // The first thousand warm every pool and buffer up.
    cycles(1_000);
    await_closed(&dispatcher);
    let tasks = || rt.metrics().num_alive_tasks();
    let (tasks_before, threads_before, rss_before) = (tasks(), threads(), rss_kib());
    cycles(1_000);
    await_closed(&dispatcher);
    let deadline = Instant::now() + Duration::from_secs(5);
    while tasks() > tasks_before && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let (tasks_after, threads_after, rss_after) = (tasks(), threads(), rss_kib());
    println!(
        "after 1 000 more cycles: tasks {tasks_before} -> {tasks_after}, threads \
         {threads_before} -> {threads_after}, RSS {rss_before} -> {rss_after} KiB"
    );
    assert!(tasks_after <= tasks_before, "tasks left behind");
    assert_eq!(threads_after, threads_before, "threads left behind");
    assert!(
        rss_after < rss_before + 2048,
        "RSS grew by {} KiB",
        rss_after - rss_before
    );
    served.stop().unwrap();
}

/// Waits (at most 5 s) until the dispatcher has no subscription open.
#[track_caller]
fn await_closed(dispatcher: &Dispatcher) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while dispatcher.subscriptions() != 0 {
        assert!(
            Instant::now() < deadline,
            "{} subscriptions open",
            dispatcher.subscriptions()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}
