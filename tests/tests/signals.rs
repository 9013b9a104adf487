//! Real signals to a real server process: the calculator example serving
//! stdio is stopped by SIGTERM or SIGINT while its parent keeps stdin open
//! (it used to wait for stdin to close), after answering what it was sent.

#![cfg(unix)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diglot_tests::process::calculator_binary;

#[test]
fn a_stdio_server_stops_on_sigterm_and_sigint_with_stdin_open() {
    for signal in ["-TERM", "-INT"] {
        let mut child = Command::new(calculator_binary())
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the calculator starts");
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        stdin
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[2,3],\"id\":1}\n")
            .unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).expect("an answer");
        assert_eq!(line.trim(), r#"{"jsonrpc":"2.0","result":5,"id":1}"#);

        // stdin stays open (held by `stdin`) while the signal arrives.
        let pid = child.id().to_string();
        let sent = Command::new("kill").args([signal, &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill {signal} {pid}");
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("kill {signal}: still running 5 s later with stdin open");
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "kill {signal}: {status}");
        drop(stdin);
    }
}
