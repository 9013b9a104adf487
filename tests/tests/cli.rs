//! The `diglot` command line, run as a real process against the calculator
//! over HTTP, HTTPS, TCP, a Unix socket, shared memory and a child's stdio,
//! and against Python's own XML-RPC-only server; and the guide's transcripts
//! (`book/src/cli-transcript.txt`, `console-transcript.txt`) replayed as the
//! expected output.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use diglot::{DateTime, Dispatcher, LocalName, Server, TlsConfig};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::process::{
    KillOnDrop, Ran, calculator_binary, diglot_binary, python_script, run,
};
use diglot_tests::served::Served;
use diglot_tests::tempdir::TempDir;

const LIMIT: Duration = Duration::from_secs(60);

fn diglot(args: &[&str], stdin: Option<&str>) -> Ran {
    let mut command = Command::new(diglot_binary());
    command.args(args);
    run(
        command,
        stdin.map(str::as_bytes),
        LIMIT,
        "the diglot binary was not built",
    )
}

#[track_caller]
fn assert_ran(ran: &Ran, code: i32, stdout: &str, stderr: &str) {
    assert_eq!(
        (ran.status.code(), ran.stdout.as_str(), ran.stderr.as_str()),
        (Some(code), stdout, stderr),
        "exit, stdout, stderr"
    );
}

/// The calculator on every transport but stdio, and the certificate its
/// HTTPS endpoint uses.
struct Calculator {
    served: Served,
    dir: TempDir,
    _rt: tokio::runtime::Runtime,
}

impl Calculator {
    fn start() -> Calculator {
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let dir = TempDir::new();
        std::fs::write(dir.join("ca.pem"), certified.cert.pem()).unwrap();
        let tls = TlsConfig::from_pem(
            certified.cert.pem().as_bytes(),
            certified.signing_key.serialize_pem().as_bytes(),
        )
        .unwrap();
        let any = "127.0.0.1:0".parse().unwrap();
        let server = Server::new(Dispatcher::new(CalculatorService::new(Calc)).unwrap())
            .http(any)
            .https(any, tls)
            .tcp(any)
            .local(LocalName::Path(dir.join("calc.sock")))
            .shm(LocalName::Path(dir.join("calc.shm")));
        let rt = diglot_tests::runtime::multi_thread();
        let served = Served::start(&rt, server).unwrap();
        Calculator {
            served,
            dir,
            _rt: rt,
        }
    }

    /// Each transport's URL, and the options it needs.
    fn urls(&self) -> Vec<(String, Vec<String>)> {
        let ca = self.dir.join("ca.pem").to_str().unwrap().to_owned();
        let path = |name: &str| self.dir.join(name).to_str().unwrap().to_owned();
        vec![
            (format!("http://{}/RPC2", self.served.addr("http")), vec![]),
            (
                format!(
                    "https://localhost:{}/RPC2",
                    self.served.addr("https").port()
                ),
                vec!["--cacert".to_owned(), ca],
            ),
            (format!("tcp://{}", self.served.addr("tcp")), vec![]),
            (format!("unix://{}", path("calc.sock")), vec![]),
            (format!("shm://{}", path("calc.shm")), vec![]),
            (
                format!("stdio:{} --stdio", calculator_binary().display()),
                vec![],
            ),
        ]
    }
}

#[test]
fn every_transport_lists_describes_calls_and_batches() {
    let calculator = Calculator::start();
    for (url, options) in calculator.urls() {
        // `""` in the arguments stands for the server.
        let with = |args: &[&str]| -> Vec<String> {
            let mut all: Vec<String> = args
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        url.clone()
                    } else {
                        s.to_string()
                    }
                })
                .collect();
            all.extend(options.iter().cloned());
            all
        };
        let go = |args: &[&str], stdin: Option<&str>| {
            let args = with(args);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            println!("diglot {}", args.join(" "));
            let mut ran = diglot(&args, stdin);
            // A child on stdio logs to the terminal, through diglot's stderr.
            ran.stderr = ran
                .stderr
                .lines()
                .filter(|l| !l.starts_with("calculator: ") && !l.starts_with("Ctrl-C stops"))
                .map(|l| format!("{l}\n"))
                .collect();
            ran
        };

        let listed = go(&["list", ""], None);
        assert_eq!(listed.status.code(), Some(0), "{url}: {}", listed.stderr);
        assert!(
            listed
                .stdout
                .contains("calc.add                Adds two integers.\n"),
            "{url}: {}",
            listed.stdout
        );

        let described = go(&["describe", "", "calc.add"], None);
        assert_eq!(
            described.status.code(),
            Some(0),
            "{url}: {}",
            described.stderr
        );
        assert!(
            described
                .stdout
                .starts_with("calc.add(a: int, b: int) -> int\n\n    Adds two integers.\n"),
            "{url}: {}",
            described.stdout
        );

        assert_ran(&go(&["call", "", "calc.add", "2", "3"], None), 0, "5\n", "");
        assert_ran(
            &go(&["call", "", "calc.add", "a=2", "b=3"], None),
            0,
            "5\n",
            "",
        );
        assert_ran(
            &go(&["call", "", "calc.add", "2", "3", "--xml"], None),
            0,
            "5\n",
            "",
        );
        assert_ran(
            &go(&["call", "", "calc.div", "1", "0"], None),
            1,
            "",
            "fault 2: division by zero\n",
        );
        assert_ran(
            &go(&["call", "", "calc.add", "1", "2", "--notify"], None),
            0,
            "",
            "",
        );

        let raw = go(&["call", "", "calc.add", "2", "3", "--raw"], None);
        assert_ran(&raw, 0, "{\"jsonrpc\":\"2.0\",\"result\":5,\"id\":2}\n", "");
        let raw = go(&["call", "", "calc.add", "2", "3", "--raw", "--xml"], None);
        assert_eq!(raw.status.code(), Some(0), "{url}: {}", raw.stderr);
        assert!(
            raw.stdout.starts_with("<?xml") && raw.stdout.contains("<i4>5</i4>"),
            "{url}: {}",
            raw.stdout
        );

        for protocol in ["--json", "--xml"] {
            let batch = go(
                &["batch", "", protocol],
                Some("calc.add 1 2\n# a comment\n\ncalc.div 1 0\ncalc.sumAll '[1, 2.5]'\n"),
            );
            assert_ran(
                &batch,
                1,
                "[\n  3,\n  {\n    \"fault\": {\n      \"code\": 2,\n      \"message\": \"division by zero\"\n    }\n  },\n  3.5\n]\n",
                "1 of 3 calls answered with a fault\n",
            );
        }
    }
}

#[test]
fn xml_rpc_values_are_marked_and_typed_by_the_signature() {
    #[diglot::rpc(namespace = "t")]
    trait Typed {
        /// Says when.
        fn when(&self, at: DateTime) -> String;
        /// Counts the bytes.
        fn size(&self, data: diglot::Bytes) -> i32;
        /// Repeats a string.
        fn twice(&self, text: String) -> String;
    }
    struct Impl;
    impl Typed for Impl {
        fn when(&self, at: DateTime) -> String {
            format!("at {}", at.to_extended_string())
        }
        fn size(&self, data: diglot::Bytes) -> i32 {
            data.len() as i32
        }
        fn twice(&self, text: String) -> String {
            text.repeat(2)
        }
    }
    let rt = diglot_tests::runtime::multi_thread();
    let server = Server::new(Dispatcher::new(TypedService::new(Impl)).unwrap())
        .http("127.0.0.1:0".parse().unwrap());
    let served = Served::start(&rt, server).unwrap();
    let url = format!("http://{}/RPC2", served.addr("http"));
    for protocol in ["--xml", "--json"] {
        let call = |args: &[&str]| {
            let mut all = vec!["call", protocol, &url];
            all.extend_from_slice(args);
            diglot(&all, None)
        };
        assert_ran(
            &call(&["t.when", "2026-12-04T10:00:00"]),
            0,
            "\"at 2026-12-04T10:00:00\"\n",
            "",
        );
        assert_ran(&call(&["t.twice", "42"]), 0, "\"4242\"\n", "");
    }
    // Bytes and dateTimes are marked in results and accepted in arguments.
    assert_ran(
        &diglot(&["call", "--xml", &url, "t.size", "aGVsbG8="], None),
        0,
        "5\n",
        "",
    );
    let echo = diglot(
        &["call", "--xml", &url, "system.methodSignature", "t.when"],
        None,
    );
    assert_ran(
        &echo,
        0,
        "[\n  [\n    \"string\",\n    \"dateTime.iso8601\"\n  ]\n]\n",
        "",
    );
    let bad = diglot(&["call", "--xml", &url, "t.when", "tomorrow"], None);
    assert_eq!(bad.status.code(), Some(2), "{}", bad.stderr);
    assert!(
        bad.stderr.contains("\"tomorrow\" is not a dateTime"),
        "{}",
        bad.stderr
    );
}

/// Python's SimpleXMLRPCServer on a free port, killed on drop.
struct PythonServer(Child, u16);

impl PythonServer {
    fn start() -> PythonServer {
        let mut child = Command::new("python3")
            .arg(python_script("xmlrpc_only_server.py"))
            .stdout(Stdio::piped())
            .stdin(Stdio::null())
            .spawn()
            .expect("python3 runs (the README's test command installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        PythonServer(child, port)
    }
}

impl Drop for PythonServer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_server_that_speaks_only_xml_rpc_is_asked_again_in_xml_rpc() {
    let python = PythonServer::start();
    let url = format!("http://127.0.0.1:{}/", python.1);
    let listed = diglot(&["list", &url], None);
    assert_eq!(listed.status.code(), Some(0), "{}", listed.stderr);
    assert!(
        listed.stdout.contains(&format!(
            "{:22}  Raises base to the power of exponent.\n",
            "math.power"
        )),
        "{}",
        listed.stdout
    );
    let described = diglot(&["describe", &url, "math.power"], None);
    assert_ran(
        &described,
        0,
        "math.power()\n\n    Raises base to the power of exponent.\n    \n    Both are integers.\n",
        "",
    );
    assert_ran(
        &diglot(&["call", &url, "math.power", "2", "10"], None),
        0,
        "1024\n",
        "",
    );
    let verbose = diglot(&["call", "-v", &url, "text.shout", "\"hi\""], None);
    assert_eq!(verbose.stdout, "\"HI\"\n");
    assert!(
        verbose
            .stderr
            .contains("* no JSON-RPC answer; asking again in XML-RPC"),
        "{}",
        verbose.stderr
    );
    let batch = diglot(&["batch", &url], Some("math.power 2 3\ntext.shout abc\n"));
    assert_ran(&batch, 0, "[\n  8,\n  \"ABC\"\n]\n", "");
}

#[test]
fn usage_and_transport_errors_have_their_exit_codes() {
    let usage = diglot(&["call", "localhost:8080", "calc.add"], None);
    assert_eq!(usage.status.code(), Some(2));
    assert!(
        usage.stderr.contains("is not a server address"),
        "{}",
        usage.stderr
    );

    let usage = diglot(
        &["call", "--notify", "--xml", "tcp://127.0.0.1:1", "m"],
        None,
    );
    assert_ran(&usage, 2, "", "diglot: XML-RPC has no notifications\n");

    let usage = diglot(&["frobnicate"], None);
    assert_eq!(usage.status.code(), Some(2));

    // Nothing listens on port 1.
    let refused = diglot(&["call", "tcp://127.0.0.1:1", "calc.add", "1", "2"], None);
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        refused.stderr.contains("Connection refused"),
        "{}",
        refused.stderr
    );

    // A server that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("tcp://{}", silent.local_addr().unwrap());
    let timed_out = diglot(
        &["call", "--timeout", "0.3", &url, "calc.add", "1", "2"],
        None,
    );
    assert_ran(&timed_out, 3, "", "diglot: no answer within 300ms\n");
}

#[test]
fn help_shows_examples_and_completions_are_generated() {
    let help = diglot(&["--help"], None);
    assert_eq!(help.status.code(), Some(0));
    assert!(
        help.stdout
            .contains("diglot call http://127.0.0.1:8080/RPC2 calc.add 2 3")
    );
    assert!(help.stdout.contains("Exit codes: 0 an answer, 1 a fault"));
    for shell in ["bash", "zsh", "fish"] {
        let script = diglot(&["completions", shell], None);
        assert_eq!(script.status.code(), Some(0));
        assert!(
            script.stdout.contains("describe"),
            "{shell}: {}",
            script.stdout
        );
    }
}

/// Every `$ ` line of the guide's transcripts (the command line's and the
/// console's) is run by `sh` with `diglot` on PATH against a calculator
/// process on free ports; what follows it, up to the next `$ ` line, is the
/// expected output (stdout and stderr).
#[test]
fn the_guides_transcripts_are_what_the_commands_print() {
    let dir = TempDir::new();
    let sock = dir.join("calc.sock");
    let mut calculator = KillOnDrop(
        Command::new(calculator_binary())
            .args(["--http", "127.0.0.1:0", "--tcp", "127.0.0.1:0", "--unix"])
            .arg(&sock)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (http, tcp) = listening_ports(&mut calculator.0);
    let bin_dir = diglot_binary().parent().unwrap().to_owned();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    for name in ["cli-transcript.txt", "console-transcript.txt"] {
        let transcript_path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../book/src")
            .join(name);
        let transcript = std::fs::read_to_string(&transcript_path).unwrap();
        let mut commands: Vec<(String, String)> = Vec::new();
        for line in transcript.lines() {
            match line.strip_prefix("$ ") {
                Some(command) => commands.push((command.to_owned(), String::new())),
                None => {
                    let (_, expected) = commands
                        .last_mut()
                        .expect("a transcript starts with a command");
                    expected.push_str(line);
                    expected.push('\n');
                }
            }
        }
        assert!(commands.len() >= 3, "{name} shows commands");
        for (command, expected) in &commands {
            let local = command
                .replace("127.0.0.1:8080", &format!("127.0.0.1:{http}"))
                .replace("127.0.0.1:7070", &format!("127.0.0.1:{tcp}"))
                .replace("/tmp/diglot-calculator.sock", sock.to_str().unwrap());
            let mut sh = Command::new("sh");
            sh.args(["-c", &format!("exec 2>&1; {local}")])
                .env("PATH", &path);
            let ran = run(sh, None, LIMIT, "sh is missing");
            // A blank line separates one command's output from the next.
            assert_eq!(
                ran.stdout.trim_end(),
                expected.trim_end(),
                "{name}: $ {command}\n(run as: {local})"
            );
        }
    }
    drop(calculator);
}

/// Reads what the calculator prints until it names its HTTP and TCP ports.
fn listening_ports(calculator: &mut Child) -> (u16, u16) {
    let mut log = BufReader::new(calculator.stdout.take().unwrap());
    let (mut http, mut tcp) = (None, None);
    let mut line = String::new();
    while http.is_none() || tcp.is_none() {
        line.clear();
        assert!(
            log.read_line(&mut line).unwrap() > 0,
            "the calculator exited"
        );
        let port = || {
            line.split_whitespace()
                .find_map(|w| w.trim_end_matches(['/', ',']).rsplit_once("127.0.0.1:"))
                .and_then(|(_, rest)| rest.split('/').next()?.parse::<u16>().ok())
        };
        if !line.starts_with("calculator:") {
            continue;
        }
        if line.contains(" HTTP ") {
            http = port();
        } else if line.contains(" TCP ") {
            tcp = port();
        }
    }
    // Keep draining the log so the calculator never blocks on it.
    std::thread::spawn(move || for _ in log.lines() {});
    (http.unwrap(), tcp.unwrap())
}
