//! Real clients in other processes, talking to diglot's stream transports.
//!
//! * `python3 tests/python/stream_sockets.py`: plain Python sockets sending
//!   newline-delimited JSON-RPC over raw TCP and the Unix socket (several
//!   values in one send, one value split across two sends, values back to
//!   back, a notification, a batch, errors), XML-RPC in `Content-Length`
//!   frames, `xmlrpc.client.ServerProxy` over a Unix-socket transport, and
//!   JSON-RPC over HTTP over the Unix socket. It prints a `VERDICT:` line
//!   that the test asserts.
//! * `socat` and/or `nc -U` (OpenBSD netcat) piping a JSON line into the
//!   Unix socket and printing the answer: each that is installed is run, and
//!   at least one must be (CI's `.ci/run` installs both); neither is a
//!   failure, not a skip.
//! * `curl --unix-socket PATH http://localhost/RPC2`, JSON-RPC and XML-RPC
//!   (`text/xml`) bodies.
//! * `python3 tests/python/stream_stdio.py`: a Python program that starts
//!   the calculator example binary with `--stdio` and speaks to it with
//!   `Content-Length` framing as a language-server client would, then
//!   closes its stdin and checks that it exits 0.
//!
//! The server is in-process on a multi-thread runtime; every client runs
//! under a time limit.

#![cfg(unix)]

mod stream_support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use diglot::StreamConfig;
use stream_support::{Fixture, MODES, assert_verdict, python, run};

/// Where `program` is on `PATH`, if anywhere.
fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

#[test]
fn python_sockets_and_xmlrpc_client_over_tcp_and_unix() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        let tcp = fixture.tcp().to_string();
        let unix = fixture.socket_path();
        let ran = python(
            "stream_sockets.py",
            &["--tcp", &tcp, "--unix", unix.to_str().unwrap()],
            Duration::from_secs(15),
        );
        assert_verdict(&ran, "stream_sockets.py");
    }
}

/// Whether `nc` is OpenBSD netcat, with `-U` (Unix sockets) and `-N`
/// (shut down the socket at the end of input); traditional netcat has neither.
fn nc_speaks_unix() -> bool {
    Command::new("nc").arg("-h").output().is_ok_and(|out| {
        let usage = String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout);
        usage.contains("-U") && usage.contains("-N")
    })
}

const INSTALL_HINT: &str = "neither `socat` nor `nc` (OpenBSD netcat, with -U) is installed: \
     this test pipes a JSON line into the Unix socket with one of them. Install one, e.g. \
     `apt-get install -y socat netcat-openbsd` (CI's .ci/run does).";

#[test]
fn socat_or_nc_pipes_a_json_line_into_the_unix_socket() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        let path = fixture.socket_path();
        let line = b"{\"jsonrpc\":\"2.0\",\"method\":\"calc.add\",\"params\":[1,2],\"id\":1}\n";
        let mut tried = Vec::new();
        if which("socat").is_some() {
            let mut command = Command::new("socat");
            // -t: after our end of input, wait up to 5 s for the answer.
            command
                .args(["-t", "5", "-T", "5", "-"])
                .arg(format!("UNIX-CONNECT:{}", path.display()));
            tried.push(("socat", command));
        }
        if which("nc").is_some() && nc_speaks_unix() {
            let mut command = Command::new("nc");
            // -N: shut the socket's write side at the end of input, then read
            // until the server closes.
            command.args(["-U", "-N", "-w", "5"]).arg(&path);
            tried.push(("nc -U", command));
        }
        assert!(!tried.is_empty(), "{INSTALL_HINT}");
        for (what, command) in tried {
            let ran = run(command, line, Duration::from_secs(10), INSTALL_HINT);
            println!("{what}: {}{}", ran.stdout, ran.stderr);
            assert!(
                ran.status.success(),
                "{what} failed: {}\n{}",
                ran.status,
                ran.stderr
            );
            let answer: serde_json::Value = serde_json::from_str(ran.stdout.trim())
                .unwrap_or_else(|e| panic!("{what}: not one JSON answer ({e}): {:?}", ran.stdout));
            assert_eq!(
                answer,
                serde_json::json!({"jsonrpc": "2.0", "result": 3, "id": 1}),
                "{what}"
            );
            assert!(ran.stdout.ends_with('\n'), "{what}: the answer is a line");
        }
    }
}

const NO_CURL: &str =
    "curl was not found on PATH; install curl (CI's .ci/run runs on an image with it).";

/// `curl --unix-socket PATH http://localhost/RPC2` with a body; prints the
/// status after the body.
fn curl(path: &std::path::Path, content_type: &str, body: &str) -> (u16, String) {
    let mut command = Command::new("curl");
    command
        .args(["-sS", "--max-time", "5", "--unix-socket"])
        .arg(path)
        .args(["http://localhost/RPC2", "-H"])
        .arg(format!("Content-Type: {content_type}"))
        .args(["--data-binary", "@-", "-w", "\n%{http_code}"]);
    let ran = run(command, body.as_bytes(), Duration::from_secs(10), NO_CURL);
    assert!(ran.status.success(), "curl failed: {}", ran.stderr);
    let (answer, status) = ran
        .stdout
        .rsplit_once('\n')
        .expect("the status after the body");
    (status.parse().expect("an HTTP status"), answer.to_owned())
}

#[test]
fn curl_over_the_unix_socket_in_both_protocols() {
    for threaded in MODES {
        let fixture = Fixture::in_mode(threaded, StreamConfig::default());
        let path = fixture.socket_path();

        let (status, answer) = curl(
            &path,
            "application/json",
            r#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#,
        );
        assert_eq!(status, 200, "{answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(
            answer,
            serde_json::json!({"jsonrpc": "2.0", "result": 3, "id": 1})
        );

        let (status, answer) = curl(
            &path,
            "text/xml",
            "<?xml version=\"1.0\"?><methodCall><methodName>calc.add</methodName><params>\
             <param><value><i4>40</i4></value></param><param><value><int>2</int></value></param>\
             </params></methodCall>",
        );
        assert_eq!(status, 200, "{answer}");
        assert!(
            answer.contains("<methodResponse>") && answer.contains("<i4>42</i4>"),
            "{answer}"
        );

        let (status, answer) = curl(
            &path,
            "text/xml",
            "<?xml version=\"1.0\"?><methodCall><methodName>calc.div</methodName><params>\
             <param><value><double>1</double></value></param>\
             <param><value><double>0</double></value></param></params></methodCall>",
        );
        assert_eq!(status, 200, "{answer}");
        assert!(
            answer.contains("<fault>") && answer.contains("division by zero"),
            "{answer}"
        );
    }
}

#[test]
fn python_drives_the_calculator_binary_over_stdio() {
    let binary = stream_support::calculator_binary();
    let ran = python(
        "stream_stdio.py",
        &[binary.to_str().expect("a UTF-8 path")],
        Duration::from_secs(25),
    );
    assert_verdict(&ran, "stream_stdio.py");
}
