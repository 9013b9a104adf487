//! The console on the HTTP endpoint: headless Chromium (through its
//! WebDriver, driven by Python's selenium: `tests/python/console_browser.py`)
//! lists the calculator's methods, calls `calc.add` and `calc.div` in both
//! protocols and takes the screenshot the guide shows; raw requests check
//! the OpenRPC document on a `GET` for JSON, the page's headers, and that
//! the console is off unless asked for.

mod http_support;

use std::time::Duration;

use diglot::{Dispatcher, HttpConfig};
use diglot_examples::calc::{Calc, CalculatorService};
use http_support::{TestServer, assert_verdict, exchange, post, python};

fn calculator(console: bool) -> TestServer {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    TestServer::http(dispatcher, Some(HttpConfig::default().console(console)))
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
        assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"));
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
