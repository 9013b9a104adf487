//! The console on the HTTP endpoint: headless Chromium (through its
//! WebDriver, driven by Python's selenium: `tests/python/console_browser.py`)
//! lists the calculator's methods, calls `calc.add` and `calc.div` in both
//! protocols and takes the screenshot the guide shows; then
//! (`tests/python/console_subscribe.py`) subscribes to `calc.ticks` over the
//! page's WebSocket, unsubscribes, and meets a server without WebSocket.
//! Raw requests check the OpenRPC document on a `GET` for JSON, the page's
//! headers, and that the console is off unless asked for.

mod http_support;

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use diglot::{Dispatcher, HttpConfig};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::process::KillOnDrop;
use http_support::{
    NO_PYTHON, Ran, TestServer, assert_verdict, exchange, post, python, python_script,
};

fn calculator(console: bool) -> TestServer {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    TestServer::http(dispatcher, Some(HttpConfig::default().console(console)))
}

/// Waits (at most 5 s) until the dispatcher has `n` subscriptions open.
#[track_caller]
fn await_subscriptions(dispatcher: &Dispatcher, n: usize, output: &str) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while dispatcher.subscriptions() != n {
        assert!(
            Instant::now() < deadline,
            "{} subscriptions open, expected {n}; the browser's script said:\n{output}",
            dispatcher.subscriptions()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn get(path: &str, accept: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {accept}\r\n\r\n").into_bytes()
}

const CHROME_ACCEPT: &str =
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";

#[test]
fn chromium_lists_and_calls_the_methods_in_both_protocols() {
    let server = calculator(true);
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("console.png");
    let _ = std::fs::remove_file(&screenshot);
    let ran = python(
        "console_browser.py",
        &[&server.url(), screenshot.to_str().unwrap()],
        Duration::from_secs(120),
    );
    assert_verdict(&ran, "python3 console_browser.py (headless Chromium)");
    let png = std::fs::read(&screenshot).expect("the browser wrote a screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    println!("screenshot: {}", screenshot.display());
}

/// The script stops at each `WAIT …` line until it reads `go`, so that the
/// server's count is checked while the page still holds its WebSocket (once
/// the browser quits, closing the connection would end the subscription
/// anyway).
#[test]
fn chromium_subscribes_shows_the_items_and_unsubscribes() {
    const LIMIT: Duration = Duration::from_secs(120);
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let config = HttpConfig::default().console(true);
    let server = TestServer::http(dispatcher.clone(), Some(config.clone()));
    let no_websocket = TestServer::http(
        Dispatcher::new(CalculatorService::new(Calc)).unwrap(),
        Some(config.websocket(false)),
    );

    let mut command = Command::new("python3");
    command
        .arg(python_script("console_subscribe.py"))
        .args([server.url(), no_websocket.url()])
        .env("PYTHONUNBUFFERED", "1")
        .env("no_proxy", "*")
        .env("NO_PROXY", "*")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = KillOnDrop(command.spawn().unwrap_or_else(|e| match e.kind() {
        std::io::ErrorKind::NotFound => panic!("{NO_PYTHON}"),
        _ => panic!("could not start {command:?}: {e}"),
    }));
    let mut stdin = child.0.stdin.take().expect("piped");
    let stdout = BufReader::new(child.0.stdout.take().expect("piped"));
    let mut stderr = child.0.stderr.take().expect("piped");
    let (lines, from_script) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let deadline = Instant::now() + LIMIT;
    let mut output = String::new();
    loop {
        let line =
            match from_script.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => line,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("console_subscribe.py did not finish within {LIMIT:?}:\n{output}")
                }
            };
        output.push_str(&line);
        output.push('\n');
        let expected = match line.strip_prefix("WAIT ") {
            None => continue,
            Some("subscribed") => 1,
            Some("unsubscribed") => 0,
            Some(other) => panic!("the script waits for {other:?}, which this test does not know"),
        };
        await_subscriptions(&dispatcher, expected, &output);
        writeln!(stdin, "go").expect("the script reads its stdin");
    }
    let ran = Ran {
        status: child.0.wait().expect("the script is reaped"),
        stdout: output,
        stderr: errors.join().unwrap(),
    };
    assert_verdict(&ran, "python3 console_subscribe.py (headless Chromium)");
    await_subscriptions(&dispatcher, 0, &ran.stdout);
}

#[test]
fn the_page_is_self_contained_and_json_clients_get_the_openrpc_document() {
    let server = calculator(true);
    server.rt.block_on(async {
        let page = exchange(server.addr, &get("/RPC2", CHROME_ACCEPT)).await;
        assert_eq!(page.status, 200);
        assert_eq!(
            page.header("content-type"),
            Some("text/html; charset=utf-8")
        );
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        // Its own origin, and WebSocket to the host it was asked for.
        assert!(
            csp.contains("connect-src 'self' ws://127.0.0.1 wss://127.0.0.1;"),
            "{csp}"
        );
        let html = page.text();
        assert!(html.contains("rpc.discover"));
        for outside in ["src=\"http", "href=\"http", "src='http", "@import", "url("] {
            assert!(
                !html.contains(outside),
                "the page loads nothing from elsewhere: {outside}"
            );
        }

        let document = exchange(server.addr, &get("/RPC2", "application/json")).await;
        assert_eq!(document.status, 200);
        assert_eq!(document.header("content-type"), Some("application/json"));
        let document: serde_json::Value = serde_json::from_slice(&document.body).unwrap();
        // The same document `rpc.discover` answers with.
        let call = br#"{"jsonrpc":"2.0","method":"rpc.discover","id":1}"#;
        let discovered = exchange(
            server.addr,
            &post("/RPC2", &["Content-Type: application/json"], call),
        )
        .await;
        let discovered: serde_json::Value = serde_json::from_slice(&discovered.body).unwrap();
        assert_eq!(document, discovered["result"]);
        assert_eq!(document["methods"][0]["name"], "calc.add");

        // Other methods are still refused, and say what is allowed.
        let put = b"PUT /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
        let refused = exchange(server.addr, put).await;
        assert_eq!(refused.status, 405);
        assert_eq!(refused.header("allow"), Some("GET, POST"));
        // And paths that serve no RPC have no console.
        let elsewhere = exchange(server.addr, &get("/other", CHROME_ACCEPT)).await;
        assert_eq!(elsewhere.status, 404);
    });
}

#[test]
fn the_console_is_off_unless_turned_on() {
    let server = calculator(false);
    server.rt.block_on(async {
        for accept in [CHROME_ACCEPT, "application/json"] {
            let response = exchange(server.addr, &get("/RPC2", accept)).await;
            assert_eq!(response.status, 405, "{accept}");
            assert_eq!(response.header("allow"), Some("POST"));
        }
    });
}
