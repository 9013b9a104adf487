//! 1 000 subscribe/unsubscribe cycles leave no task, thread or memory
//! behind: on a Unix socket, and over shared memory with a new typed
//! client connection each cycle (its reading thread and the server's
//! connection thread end with it). A test binary of its own, one test: the
//! thread count and resident memory it reads are the process's, which
//! other tests would move.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use diglot::{Dispatcher, LocalEndpoint, Protocol, Server, ShmConnection, ShmEndpoint};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};
use diglot_tests::served::Served;
use diglot_tests::subscribed::settle_blocking;
use diglot_tests::tempdir::TempDir;
use futures_util::StreamExt as _;
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
    let shm = diglot::LocalName::Path(dir.join("calc.shm"));
    let server = Server::new(dispatcher.clone())
        .endpoint(LocalEndpoint::new(diglot::LocalName::Path(path.clone())))
        .endpoint(ShmEndpoint::new(shm.clone()));
    let served = Served::start(&rt, server).unwrap();

    let stream = UnixStream::connect(&path).unwrap();
    stream
        .set_read_timeout(Some(diglot_tests::READ_TIMEOUT))
        .unwrap();
    let mut lines = BufReader::new(stream);
    let unix = |n: u64| {
        for k in 0..n {
            let answer = call(&mut lines, 2 * k, "calc.ticks", json!([1_000_000, 1]));
            let id = answer["result"].clone();
            assert!(id.is_u64(), "{answer}");
            let stopped = call(&mut lines, 2 * k + 1, "calc.unticks", json!([id]));
            assert_eq!(stopped["result"], true, "{stopped}");
        }
    };
    leaves_nothing("a Unix socket", &rt, &dispatcher, unix);

    let shm_cycles = |n: u64| {
        rt.block_on(async {
            for _ in 0..n {
                let connection = ShmConnection::connect(&shm, Protocol::JsonRpc)
                    .await
                    .unwrap();
                let client = CalculatorClient::new(connection);
                let mut items = client.ticks(1_000_000, 0).await.unwrap();
                assert_eq!(items.next().await.unwrap().unwrap(), 1);
            }
        });
    };
    leaves_nothing("shared memory", &rt, &dispatcher, shm_cycles);
    served.stop().unwrap();
}

/// Runs 1 000 `cycles` to warm every pool up, then 1 000 more, and checks
/// that the second thousand left no subscription, task or thread, and
/// little memory, behind.
fn leaves_nothing(
    over: &str,
    rt: &tokio::runtime::Runtime,
    dispatcher: &Dispatcher,
    mut cycles: impl FnMut(u64),
) {
    cycles(1_000);
    settle_blocking(dispatcher, 0);
    let tasks = || rt.metrics().num_alive_tasks();
    let settle = |before: (usize, usize)| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while (tasks() > before.0 || threads() > before.1) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    settle((usize::MAX, usize::MAX));
    std::thread::sleep(Duration::from_millis(100));
    let (tasks_before, threads_before, rss_before) = (tasks(), threads(), rss_kib());
    cycles(1_000);
    settle_blocking(dispatcher, 0);
    settle((tasks_before, threads_before));
    let (tasks_after, threads_after, rss_after) = (tasks(), threads(), rss_kib());
    println!(
        "{over}: after 1 000 more cycles: tasks {tasks_before} -> {tasks_after}, threads \
         {threads_before} -> {threads_after}, RSS {rss_before} -> {rss_after} KiB"
    );
    assert!(tasks_after <= tasks_before, "{over}: tasks left behind");
    assert!(
        threads_after <= threads_before,
        "{over}: threads left behind"
    );
    assert!(
        rss_after < rss_before + 2048,
        "{over}: RSS grew by {} KiB",
        rss_after - rss_before
    );
}
