//! Every benchmark in `examples/` runs, briefly: each is started as the
//! performance chapter documents it, with counts small enough for a test,
//! and must finish and print its table. The figures are not checked (a test
//! is no place to time anything); what is checked is that the command the
//! book gives still works end to end.

#![cfg(target_os = "linux")]

use std::process::Command;
use std::time::Duration;

use diglot_tests::process::{KillOnDrop, Ran, calculator_binary, example_binary, run};

const LIMIT: Duration = Duration::from_secs(240);

/// Runs a benchmark example with `args` and checks it succeeded and printed
/// every `expected` text.
#[track_caller]
fn runs(example: &str, args: &[&str], expected: &[&str]) -> Ran {
    let mut command = Command::new(example_binary(example));
    command.args(args);
    let ran = run(command, None, LIMIT, "the example was built");
    println!("{example}:\n{}", ran.stdout);
    assert!(
        ran.status.success(),
        "{example} {args:?}: {}\nstdout:\n{}\nstderr:\n{}",
        ran.status,
        ran.stdout,
        ran.stderr
    );
    for text in expected {
        assert!(
            ran.stdout.contains(text),
            "{example} printed no `{text}`:\n{}",
            ran.stdout
        );
    }
    ran
}

#[test]
fn stream_latency_runs_every_kind() {
    let ran = runs(
        "stream_latency",
        &[
            "--rounds",
            "1",
            "--calls",
            "200",
            "--warmup",
            "20",
            "--batches",
            "2",
        ],
        &[
            "| transport | placement | kind |",
            "floor-jsonlines",
            "tasks-client",
        ],
    );
    // Every kind on both transports, for every placement the machine has.
    let rows = ran
        .stdout
        .lines()
        .filter(|l| l.starts_with("| unix ") || l.starts_with("| tcp "))
        .count();
    assert!(rows >= 18, "{rows} rows");
}

#[test]
fn shm_bench_runs_every_transport() {
    let calculator = calculator_binary();
    let calculator = calculator.to_str().expect("a UTF-8 path");
    let ran = runs(
        "shm_bench",
        &[
            "--rounds",
            "1",
            "--calls",
            "200",
            "--payloads",
            "add,1KiB",
            "--idle-clients",
            "2",
            "--idle-s",
            "1",
            "--calculator",
            calculator,
        ],
        &["| payload |", "idle:"],
    );
    for transport in ["floor", "shm", "unix", "tcp"] {
        let line = format!("transport={transport} payload=add ");
        assert!(ran.stdout.contains(&line), "no `{line}`");
    }
}

#[test]
fn payload_bench_runs_every_transport_and_protocol() {
    let ran = runs(
        "payload_bench",
        &[
            "--rounds",
            "1",
            "--sizes",
            "1KiB,1MiB",
            "--ms",
            "10",
            "--min-calls",
            "1",
            "--warmup",
            "1",
        ],
        &[
            "| size | transport | protocol | kind |",
            "1 MiB json bytes:",
        ],
    );
    for transport in ["http", "unix", "shm"] {
        for protocol in ["json", "xml"] {
            for kind in ["text", "bytes"] {
                let row = format!("| 1 MiB | {transport} | {protocol} | {kind} |");
                assert!(ran.stdout.contains(&row), "no `{row}`");
            }
        }
    }
}

#[test]
fn subscription_bench_runs_every_server() {
    runs(
        "subscription_bench",
        &["--items", "2000", "--paced", "20", "--rounds", "1"],
        &[
            "medians:",
            "diglot WebSocket",
            "jsonrpsee WebSocket",
            "diglot Unix socket",
            "diglot shared memory",
            "rate, diglot WebSocket / jsonrpsee WebSocket",
        ],
    );
}

#[test]
fn conn_scale_runs_every_server() {
    // A few idle connections, not ten thousand: the run, not its figures.
    runs(
        "conn_scale",
        &[
            "--connections",
            "200",
            "--rounds",
            "1",
            "--calls",
            "200",
            "--sample",
            "20",
        ],
        &[
            "server=diglot transport=http ",
            "server=diglot transport=unix ",
            "server=jsonrpsee transport=http ",
            "| idle connections |",
        ],
    );
}

#[test]
fn the_http_load_servers_answer_calc_add() {
    for kind in ["diglot", "axum", "jsonrpsee"] {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let server = Command::new(example_binary("http_load_server"))
            .args([kind, &port.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let _server = KillOnDrop(server);
        let url = format!("http://127.0.0.1:{port}/");
        let body = r#"{"jsonrpc":"2.0","method":"calc.add","params":[2,3],"id":1}"#;
        let mut answer = String::new();
        for _ in 0..100 {
            let mut curl = Command::new("curl");
            curl.args([
                "-s",
                "-H",
                "Content-Type: application/json",
                "-d",
                body,
                &url,
            ]);
            let ran = run(curl, None, Duration::from_secs(10), "curl is needed");
            if ran.status.success() {
                answer = ran.stdout;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let answer: serde_json::Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("{kind} on {url}: `{answer}`: {e}"));
        assert_eq!(
            answer,
            serde_json::json!({"jsonrpc": "2.0", "result": 5, "id": 1}),
            "{kind} on {url}"
        );
    }
}
