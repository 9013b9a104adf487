//! The examples as a user runs them: each started as its own process and
//! called by real clients.
//!
//! * `hello`: the README's hello world (the README shows the file as it
//!   is), called by curl (JSON-RPC) and
//!   Python's `xmlrpc.client` (XML-RPC), then stopped with SIGTERM: it
//!   exits cleanly.

#![cfg(unix)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diglot_tests::process::{NO_PYTHON, example_binary, run};

/// A child process, killed if the test ends before it does.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Sends SIGTERM and waits (at most 10 s) for a clean exit.
    fn terminate(mut self) {
        let pid = self.0.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let started = Instant::now();
        loop {
            if let Some(status) = self.0.try_wait().expect("waits on the child") {
                assert!(status.success(), "exit after SIGTERM: {status}");
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "still running 10 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Starts an example on port 0 and reads the URL it prints first.
fn start(example: &str) -> (Running, String) {
    let mut child = Command::new(example_binary(example))
        .arg("127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the example starts");
    let stdout = child.stdout.take().expect("piped");
    let running = Running(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("the example prints where it serves");
    let url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    (running, url)
}

#[test]
fn hello_world_answers_curl_and_python_and_stops_on_sigterm() {
    let (server, url) = start("hello");

    let mut curl = Command::new("curl");
    curl.args(["-s", "--max-time", "10", &url])
        .args(["-H", "Content-Type: application/json"])
        .args([
            "-d",
            r#"{"jsonrpc":"2.0","method":"hello.greet","params":["world"],"id":1}"#,
        ]);
    let ran = run(curl, None, Duration::from_secs(20), "curl is missing");
    assert_eq!(
        ran.stdout, r#"{"jsonrpc":"2.0","result":"Hello, world!","id":1}"#,
        "{ran:?}"
    );

    let script =
        format!("import xmlrpc.client as x; print(x.ServerProxy({url:?}).hello.greet('Python'))");
    let mut python = Command::new("python3");
    python.args(["-c", &script]);
    let ran = run(python, None, Duration::from_secs(20), NO_PYTHON);
    assert_eq!(ran.stdout.trim(), "Hello, Python!", "{ran:?}");

    server.terminate();
}

/// The README shows `examples/hello.rs` as it is.
#[test]
fn the_readme_shows_the_hello_example_as_it_is() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let example = std::fs::read_to_string(root.join("examples/hello.rs")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let shown: String = example
        .lines()
        .skip_while(|l| !l.contains("ANCHOR: hello"))
        .skip(1)
        .take_while(|l| !l.contains("ANCHOR_END: hello"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(shown.lines().count() > 20, "the anchors are in place");
    assert!(
        readme.contains(&format!("```rust\n{shown}```")),
        "README.md must show examples/hello.rs between its anchors, unchanged"
    );
}
