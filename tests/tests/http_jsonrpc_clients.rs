//! Real JSON-RPC 2.0 clients, as separate processes, against a diglot
//! server over HTTP on 127.0.0.1 (port 0):
//!
//! - jsonrpclib-pelix from PyPI (`tests/python/http_jsonrpc_client.py`):
//!   by position, by name, batches (`MultiCall`) and notifications. It is
//!   installed by `.ci/run`; missing, the test fails and says how to
//!   install it.
//! - `curl`: by position, by name, a batch, and a notification, which gets
//!   `200 OK` with an empty body.
//! - every line of `README.md` that starts with `curl `, pointed at the test
//!   server, must print a JSON-RPC success response.

mod http_support;

use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use diglot::{Dispatcher, Fault, Value};
use diglot_examples::calc::{Calc, CalculatorService};
use http_support::{Ran, TestServer, assert_verdict, python, run};
use serde_json::json;

/// A service for JSON-RPC clients.
#[diglot::rpc(namespace = "j")]
pub trait Jsonish {
    /// Subtracts.
    fn subtract(&self, minuend: i64, subtrahend: i64) -> i64;
    /// Greets by name, with "hello" unless told otherwise.
    fn greet(&self, name: String, greeting: Option<String>) -> String;
    /// Adds `n` to the running total: for notifications.
    fn record(&self, n: i64);
    /// The running total.
    fn total(&self) -> i64;
    /// Echoes any value.
    fn echo(&self, value: Value) -> Value;
    /// Fails with the given code.
    fn refuse(&self, code: i32) -> Result<(), Fault>;
}

#[derive(Clone, Default)]
struct Impl {
    total: Arc<AtomicI64>,
}

impl Jsonish for Impl {
    fn subtract(&self, minuend: i64, subtrahend: i64) -> i64 {
        minuend - subtrahend
    }
    fn greet(&self, name: String, greeting: Option<String>) -> String {
        format!("{} {name}", greeting.as_deref().unwrap_or("hello"))
    }
    fn record(&self, n: i64) {
        self.total.fetch_add(n, Ordering::SeqCst);
    }
    fn total(&self) -> i64 {
        self.total.load(Ordering::SeqCst)
    }
    fn echo(&self, value: Value) -> Value {
        value
    }
    fn refuse(&self, code: i32) -> Result<(), Fault> {
        Err(Fault::new(code, "refused"))
    }
}

fn server(service: Impl) -> TestServer {
    TestServer::http(Dispatcher::new(JsonishService::new(service)).unwrap(), None)
}

#[test]
fn jsonrpclib_pelix_by_position_by_name_batch_and_notifications() {
    let service = Impl::default();
    let server = server(service.clone());
    let ran = python(
        "http_jsonrpc_client.py",
        &[&server.url()],
        Duration::from_secs(60),
    );
    if ran.status.code() == Some(3) {
        panic!(
            "jsonrpclib-pelix is not installed for python3: run \
             `python3 -m pip install jsonrpclib-pelix` (CI's .ci/run installs it).\n{}",
            ran.stdout
        );
    }
    assert_verdict(&ran, "python3 http_jsonrpc_client.py (jsonrpclib-pelix)");
    // The batch's notification, two single ones and a batch of two.
    assert_eq!(service.total.load(Ordering::SeqCst), 1000 + 5 + 7 + 11 + 13);
}

// ---------------------------------------------------------------------------
// curl
// ---------------------------------------------------------------------------

const NO_CURL: &str = "curl was not found on PATH. The HTTP tests run it as a real client; \
     install it (`apt-get install -y curl`; CI's .ci/run does).";

/// Runs curl with `args`; the HTTP status is printed after the body.
fn curl(args: &[&str]) -> (u16, String) {
    let mut command = Command::new("curl");
    command
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(["--write-out", "\n%{http_code}"])
        .args(args);
    let ran = run(command, Duration::from_secs(20), NO_CURL);
    assert!(ran.status.success(), "curl {args:?} failed: {}", ran.stderr);
    let (body, status) = ran
        .stdout
        .rsplit_once('\n')
        .expect("curl printed the status last");
    (status.parse().expect("an HTTP status"), body.to_owned())
}

/// POSTs `body` with curl, as JSON unless `content_type` says otherwise.
fn curl_post(url: &str, body: &serde_json::Value, content_type: Option<&str>) -> (u16, String) {
    let body = body.to_string();
    let header = content_type.map(|t| format!("Content-Type: {t}"));
    let mut args = vec![url, "--data-binary", &body];
    if let Some(header) = &header {
        args.extend(["-H", header]);
    }
    curl(&args)
}

fn parse(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body:?}"))
}

#[test]
fn curl_by_position_by_name_batch_and_notification() {
    let service = Impl::default();
    let server = server(service.clone());
    let url = server.url();
    let json = Some("application/json");

    let (status, body) = curl_post(
        &url,
        &json!({"jsonrpc": "2.0", "method": "j.subtract", "params": [42, 23], "id": 1}),
        json,
    );
    assert_eq!(status, 200);
    assert_eq!(
        parse(&body),
        json!({"jsonrpc": "2.0", "result": 19, "id": 1})
    );

    let (status, body) = curl_post(
        &url,
        &json!({"jsonrpc": "2.0", "method": "j.subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": "by-name"}),
        json,
    );
    assert_eq!(status, 200);
    assert_eq!(
        parse(&body),
        json!({"jsonrpc": "2.0", "result": 19, "id": "by-name"})
    );

    // curl's default type (application/x-www-form-urlencoded): the body decides.
    let (status, body) = curl_post(
        &url,
        &json!({"jsonrpc": "2.0", "method": "j.greet", "params": ["ann"], "id": 2}),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(parse(&body)["result"], "hello ann");

    let (status, body) = curl_post(
        &url,
        &json!([
            {"jsonrpc": "2.0", "method": "j.subtract", "params": [1, 2], "id": 1},
            {"jsonrpc": "2.0", "method": "j.record", "params": [100]},
            {"jsonrpc": "2.0", "method": "j.greet", "params": {"name": "bo", "greeting": "hi"}, "id": 2},
            {"jsonrpc": "2.0", "method": "j.nope", "id": 3},
            {"jsonrpc": "2.0", "method": "j.refuse", "params": [5], "id": 4},
        ]),
        json,
    );
    assert_eq!(status, 200);
    assert_eq!(
        parse(&body),
        json!([
            {"jsonrpc": "2.0", "result": -1, "id": 1},
            {"jsonrpc": "2.0", "result": "hi bo", "id": 2},
            {"jsonrpc": "2.0", "error": {"code": -32601, "message": "method not found: `j.nope`"}, "id": 3},
            {"jsonrpc": "2.0", "error": {"code": 5, "message": "refused"}, "id": 4},
        ]),
        "a batch answers every call but the notification, in order"
    );

    let (status, body) = curl_post(
        &url,
        &json!({"jsonrpc": "2.0", "method": "j.record", "params": [7]}),
        json,
    );
    assert_eq!(
        (status, body.as_str()),
        (200, ""),
        "a notification gets 200, no body"
    );
    let (status, body) = curl_post(
        &url,
        &json!([
            {"jsonrpc": "2.0", "method": "j.record", "params": {"n": 10}},
            {"jsonrpc": "2.0", "method": "j.nope"},
        ]),
        json,
    );
    assert_eq!(
        (status, body.as_str()),
        (200, ""),
        "a batch of notifications gets 200, no body"
    );
    assert_eq!(
        service.total.load(Ordering::SeqCst),
        100 + 7 + 10,
        "the notifications ran"
    );

    // The XML-RPC side of the same port, for good measure.
    let (status, body) = curl(&[
        &url,
        "-H",
        "Content-Type: text/xml",
        "--data-binary",
        "<?xml version=\"1.0\"?><methodCall><methodName>j.subtract</methodName><params>\
         <param><value><i4>5</i4></value></param><param><value><int>3</int></value></param>\
         </params></methodCall>",
    ]);
    assert_eq!(status, 200);
    let difference =
        diglot::xml::decode_response::<i64>(body.as_bytes(), &diglot::Limits::default());
    assert_eq!(difference, Ok(Ok(2)), "{body}");
}

// ---------------------------------------------------------------------------
// README.md
// ---------------------------------------------------------------------------

/// Asserts that `response` is a JSON-RPC 2.0 success (or a batch of them).
#[track_caller]
fn assert_success(response: &serde_json::Value, line: &str) {
    match response {
        serde_json::Value::Array(items) => {
            assert!(!items.is_empty(), "an empty batch response to: {line}");
            for item in items {
                assert_success(item, line);
            }
        }
        _ => {
            assert_eq!(response["jsonrpc"], "2.0", "{response} from: {line}");
            assert!(
                response.get("result").is_some(),
                "no result in {response} from: {line}"
            );
            assert!(
                response.get("error").is_none(),
                "an error in {response} from: {line}"
            );
            assert!(
                response.get("id").is_some(),
                "no id in {response} from: {line}"
            );
        }
    }
}

#[test]
fn the_readme_curl_lines_work() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))
        .expect("README.md is readable");
    let lines: Vec<&str> = readme.lines().filter(|l| l.starts_with("curl ")).collect();
    assert!(
        lines.len() >= 2,
        "README.md should show how to call the calculator with curl; found {lines:?}"
    );
    let server = TestServer::http(Dispatcher::new(CalculatorService::new(Calc)).unwrap(), None);
    let addr = server.addr.to_string();
    // The Unix-socket line goes to a socket of the test's own.
    let dir = std::env::temp_dir().join(format!("diglot-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let socket = dir.join("calculator.sock");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let local = runtime
        .block_on(
            diglot::Server::new(Dispatcher::new(CalculatorService::new(Calc)).unwrap())
                .local(diglot::LocalName::Path(socket.clone()))
                .bind(),
        )
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = runtime.spawn(local.serve_until(async {
        let _ = stopped.await;
    }));
    for line in lines {
        assert!(
            line.contains("127.0.0.1:8080") || line.contains("/tmp/diglot-calculator.sock"),
            "a README curl line not aimed at the calculator: {line}"
        );
        let command = line
            .replace("127.0.0.1:8080", &addr)
            .replace("/tmp/diglot-calculator.sock", &socket.to_string_lossy());
        let mut sh = Command::new("sh");
        sh.args(["-c", &command]);
        let Ran {
            status,
            stdout,
            stderr,
        } = run(sh, Duration::from_secs(20), "sh was not found");
        assert!(status.success(), "`{command}` failed ({status}): {stderr}");
        assert_success(&parse(stdout.trim()), line);
    }
    let _ = stop.send(());
    runtime.block_on(serving).unwrap().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
