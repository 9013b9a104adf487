//! Subscriptions: the calculator's `calc.ticks` read over WebSocket by
//! Python's `websockets` package, by a plain Python socket (JSON lines on a
//! Unix socket and TCP) and by raw sockets here, and the calculator's `--stdio` child; the server's count
//! of subscriptions back to zero after every client; cleanup when a
//! connection ends; a client that never reads; and every refusal (HTTP, XML-RPC, the per-connection limit, a
//! notification, another connection's id).

#![cfg(unix)]

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use diglot::{
    Dispatcher, Fault, HttpConnection, HttpEndpoint, Limits, LocalEndpoint, Protocol, Server,
    StreamConnection, TcpEndpoint,
};
use diglot_examples::calc::CalculatorClient;
use diglot_tests::process::{KillOnDrop, assert_verdict, calculator_binary, python};
use diglot_tests::served::Served;
use diglot_tests::subscribed::{calculator, settle_blocking};
use diglot_tests::tempdir::TempDir;
use serde_json::{Value, json};

/// The calculator on HTTP, TCP and a Unix socket in `dir`.
fn serve(rt: &tokio::runtime::Runtime, dispatcher: &Dispatcher, dir: &TempDir) -> Served {
    let server = Server::new(dispatcher.clone())
        .endpoint(HttpEndpoint::new("127.0.0.1:0".parse().unwrap()))
        .endpoint(TcpEndpoint::new("127.0.0.1:0".parse().unwrap()))
        .endpoint(LocalEndpoint::new(diglot::LocalName::Path(
            dir.join("calc.sock"),
        )));
    Served::start(rt, server).unwrap()
}

/// JSON lines over a Unix socket.
struct Lines {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Lines {
    fn connect(path: &std::path::Path) -> Lines {
        let stream = UnixStream::connect(path).unwrap();
        stream
            .set_read_timeout(Some(diglot_tests::READ_TIMEOUT))
            .unwrap();
        Lines {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn send(&mut self, value: Value) {
        let mut line = serde_json::to_vec(&value).unwrap();
        line.push(b'\n');
        self.writer.write_all(&line).unwrap();
    }

    /// The next value, or `None` at the end of the connection.
    fn recv(&mut self) -> Option<Value> {
        let mut line = String::new();
        match self.reader.read_line(&mut line).unwrap() {
            0 => None,
            _ => Some(serde_json::from_str(&line).unwrap()),
        }
    }

    /// Sends a call and returns its answer, skipping notifications.
    fn call(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.recv().expect("an answer");
            if message.get("id") == Some(&json!(id)) {
                return message;
            }
        }
    }
}

#[test]
fn python_reads_ticks_over_a_unix_socket_and_the_count_returns_to_zero() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let socket = dir.join("calc.sock");
    for (flag, address) in [
        ("--unix", socket.to_str().unwrap().to_owned()),
        ("--tcp", served.addr("tcp").to_string()),
    ] {
        let ran = python(
            "subscribe_lines.py",
            &[flag, &address, "--count", "20"],
            Duration::from_secs(20),
        );
        assert_verdict(&ran, &format!("subscribe_lines.py {flag}"));
        settle_blocking(&dispatcher, 0);
    }
    served.stop().unwrap();
}

#[test]
fn python_websockets_subscribes_on_the_http_port_and_the_count_returns_to_zero() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let url = format!("ws://{}/RPC2", served.addr("http"));
    let ran = python(
        "subscribe_websocket.py",
        &[&url, "--count", "20"],
        Duration::from_secs(20),
    );
    assert_verdict(&ran, "subscribe_websocket.py");
    settle_blocking(&dispatcher, 0);
    served.stop().unwrap();
}

/// The typed client's items of `calc.ticks(5, 1)`, then the subscription
/// of a long one dropped after three items; with the server's dispatcher,
/// checks that the drop unsubscribed while the connection stays open.
async fn typed_client_reads_and_drops(
    connection: StreamConnection,
    server: Option<&Dispatcher>,
) -> Vec<u32> {
    use futures_util::StreamExt as _;
    let client = CalculatorClient::new(connection);
    let items = client.ticks(5, 1).await.unwrap();
    let all: Vec<u32> = items.map(Result::unwrap).collect().await;
    let mut long = client.ticks(1_000_000, 1).await.unwrap();
    for n in 1..=3 {
        assert_eq!(long.next().await.unwrap().unwrap(), n);
    }
    if let Some(dispatcher) = server {
        assert_eq!(dispatcher.subscriptions(), 1);
    }
    drop(long);
    if let Some(dispatcher) = server {
        let deadline = Instant::now() + Duration::from_secs(5);
        while dispatcher.subscriptions() != 0 {
            assert!(
                Instant::now() < deadline,
                "dropping the items did not unsubscribe"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
    // The connection goes on answering.
    assert_eq!(client.add(2, 3).await.unwrap(), 5);
    all
}

#[test]
fn the_typed_client_reads_items_over_tcp_unix_and_stdio_and_unsubscribes_on_drop() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let name = diglot::LocalName::Path(dir.join("calc.sock"));
    rt.block_on(async {
        for connection in [
            StreamConnection::tcp(served.addr("tcp"), Protocol::JsonRpc)
                .await
                .unwrap(),
            StreamConnection::local(&name, Protocol::JsonRpc)
                .await
                .unwrap(),
        ] {
            let items = typed_client_reads_and_drops(connection, Some(&dispatcher)).await;
            assert_eq!(items, [1, 2, 3, 4, 5]);
        }
    });
    served.stop().unwrap();

    // A child process over stdio.
    rt.block_on(async {
        let mut command = tokio::process::Command::new(calculator_binary());
        command.arg("--stdio").stderr(Stdio::null());
        let connection = StreamConnection::spawn(command, Protocol::JsonRpc).unwrap();
        let items = typed_client_reads_and_drops(connection, None).await;
        assert_eq!(items, [1, 2, 3, 4, 5]);
    });
}

#[test]
fn the_typed_client_refuses_what_cannot_carry_notifications() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    rt.block_on(async {
        let url = format!("http://{}/RPC2", served.addr("http"));
        let http = CalculatorClient::new(HttpConnection::new(&url, Protocol::JsonRpc).unwrap());
        let error = http.ticks(3, 1).await.unwrap_err();
        assert!(
            matches!(error, diglot::ClientError::InvalidOption(_)),
            "{error}"
        );
        let xml = StreamConnection::tcp(served.addr("tcp"), Protocol::XmlRpc)
            .await
            .unwrap();
        let error = CalculatorClient::new(xml).ticks(3, 1).await.unwrap_err();
        assert!(error.to_string().contains("JSON-RPC"), "{error}");
    });
    served.stop().unwrap();
}

#[test]
fn closing_the_connection_ends_its_subscriptions() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let mut lines = Lines::connect(&dir.join("calc.sock"));
    for id in 1..=3 {
        let answer = lines.call(id, "calc.ticks", json!([1_000_000, 1_000]));
        assert!(answer["result"].is_u64(), "{answer}");
    }
    assert_eq!(dispatcher.subscriptions(), 3);
    drop(lines);
    settle_blocking(&dispatcher, 0);
    served.stop().unwrap();
}

#[test]
fn a_client_that_never_reads_gets_the_lagged_notice_and_memory_stays_bounded() {
    const BUFFER: usize = 8;
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default().max_subscription_buffer(BUFFER));
    let served = serve(&rt, &dispatcher, &dir);
    let mut lines = Lines::connect(&dir.join("calc.sock"));
    // Ticks as fast as they can come, far more than any socket buffer holds.
    let count = 50_000_000;
    let answer = lines.call(1, "calc.ticks", json!([count, 0]));
    let id = answer["result"].clone();
    // Not reading: the socket's buffers fill, then the subscription's.
    settle_blocking(&dispatcher, 0);
    let mut items = 0u64;
    let end = loop {
        let message = lines.recv().expect("the end notice before the end");
        assert_eq!(message["params"]["subscription"], id, "{message}");
        if message["params"].get("end").is_some() {
            break message;
        }
        items += 1;
        assert_eq!(
            message["params"]["result"],
            json!(items),
            "in order, none lost"
        );
    };
    assert_eq!(end["params"]["end"], "lagged", "{end}");
    assert_eq!(end["params"]["error"]["code"], Fault::SUBSCRIPTION_LAGGED);
    // What was produced is what the kernel's buffers and the subscription's
    // held: far fewer than asked for.
    assert!(
        items < 1_000_000,
        "{items} items reached a client that was not reading"
    );
    // The connection still answers.
    assert_eq!(lines.call(2, "calc.add", json!([2, 3]))["result"], 5);
    served.stop().unwrap();
}

/// POSTs a JSON body over plain HTTP and reads the answer's body.
fn post_json(addr: std::net::SocketAddr, body: &str) -> Value {
    use std::io::Read as _;
    let mut http = std::net::TcpStream::connect(addr).unwrap();
    http.set_read_timeout(Some(diglot_tests::READ_TIMEOUT))
        .unwrap();
    write!(
        http,
        "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    http.read_to_string(&mut answer).unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    serde_json::from_str(body).unwrap()
}

#[test]
fn subscriptions_are_refused_where_they_cannot_work() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default().max_subscriptions(2));
    let served = serve(&rt, &dispatcher, &dir);
    let subscribe = json!({"jsonrpc": "2.0", "id": 1, "method": "calc.ticks", "params": [5, 1]});

    // Plain HTTP cannot push.
    let http = post_json(served.addr("http"), &subscribe.to_string());
    let error = &http["error"];
    assert_eq!(error["code"], Fault::SUBSCRIPTION_REFUSED, "{http}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("calc.ticks is a subscription") && message.ends_with("came over http"),
        "{message}"
    );

    // Per connection, at most two.
    let path = dir.join("calc.sock");
    let mut lines = Lines::connect(&path);
    let first = lines.call(1, "calc.ticks", json!([1_000_000, 1_000]));
    lines.call(2, "calc.ticks", json!([1_000_000, 1_000]));
    let third = lines.call(3, "calc.ticks", json!([1_000_000, 1_000]));
    assert_eq!(
        third["error"]["code"],
        Fault::SUBSCRIPTION_REFUSED,
        "{third}"
    );
    assert!(
        third["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 subscriptions"),
        "{third}"
    );
    // Another connection has its own two, and cannot end the first's.
    let mut other = Lines::connect(&path);
    let theirs = other.call(1, "calc.unticks", json!([first["result"]]));
    assert_eq!(theirs["result"], false, "{theirs}");
    assert!(other.call(2, "calc.ticks", json!([1, 1]))["result"].is_u64());
    assert_eq!(
        lines.call(4, "calc.unticks", json!([first["result"]]))["result"],
        true
    );

    // A subscription sent as a notification ends at once: nobody could
    // learn its id, and none of its items is sent.
    drop(lines);
    drop(other);
    settle_blocking(&dispatcher, 0);
    let mut lines = Lines::connect(&path);
    lines.send(json!({"jsonrpc": "2.0", "method": "calc.ticks", "params": [1_000_000, 1]}));
    lines.send(json!({"jsonrpc": "2.0", "id": 5, "method": "calc.add", "params": [1, 1]}));
    let answer = lines.recv().unwrap();
    assert_eq!(
        answer["id"], 5,
        "the answer, and no tick before it: {answer}"
    );
    settle_blocking(&dispatcher, 0);
    lines
        .writer
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut more = String::new();
    let after = lines.reader.read_line(&mut more);
    assert!(after.is_err(), "nothing after the answer: {after:?} {more}");
    served.stop().unwrap();
}

#[test]
fn the_calculator_pushes_ticks_to_its_parent_over_stdio() {
    let child = Command::new(calculator_binary())
        .arg("--stdio")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let mut stdin = child.0.stdin.take().unwrap();
    let stdout = child.0.stdout.take().unwrap();
    stdin
        .write_all(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"calc.ticks\",\"params\":[3,1]}\n")
        .unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut next = || -> Value { serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap() };
    let answer = next();
    let id = answer["result"].clone();
    assert!(id.is_u64(), "{answer}");
    for n in 1..=3 {
        let tick = next();
        assert_eq!(tick["method"], "calc.ticks");
        assert_eq!(tick["params"], json!({"subscription": id, "result": n}));
    }
    assert_eq!(
        next()["params"],
        json!({"subscription": id, "end": "completed"})
    );
    drop(stdin);
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status}");
}
