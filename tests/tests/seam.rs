//! The transport seam: any `Handler` served by `Server` on every transport,
//! and the body limit owned by the handler and enforced by each transport
//! with its one documented outcome.
//!
//! * a handler of the test's own (a counting wrapper) answers over HTTP,
//!   TCP, a Unix socket and shared memory in one server, and over stdio in
//!   the `handler` example as a child process;
//! * an HTTP endpoint with settings of its own keeps the dispatcher's body
//!   limit, and so does the axum `Router` built with `router_with`;
//! * a body of exactly the limit is answered on every transport, and one
//!   byte more gets: `413` over HTTP; a -32600 error naming the limit, then
//!   the end of the connection, over TCP, Unix sockets and stdio; a
//!   `ClientError::TooLarge` before anything is sent over shared memory.

#![cfg(target_os = "linux")]

mod http_support;
mod stream_support;

use std::future::Future;
use std::process::Command;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use diglot::transport::{Handler, Message, Reply};
use diglot::{
    Client, ClientError, Dispatcher, HttpConfig, HttpConnection, HttpEndpoint, Limits, LocalName,
    Protocol, Server, ShmConnection, StreamConnection,
};
use diglot_examples::calc::CalculatorClient;
use diglot_tests::served::Served;
use diglot_tests::subscribed::calculator;
use stream_support::{TempDir, raw_tcp, raw_unix, read_frame, read_to_close, runtime};
use tokio::io::AsyncWriteExt as _;

/// The body limit of these tests' dispatchers.
const LIMIT: usize = 1024;

/// A handler of the test's own: counts calls and notes each transport.
struct Counting {
    inner: Dispatcher,
    calls: Arc<AtomicUsize>,
    transports: Arc<Mutex<Vec<&'static str>>>,
}

impl Handler for Counting {
    fn handle<'b>(&'b self, message: Message<'b>) -> impl Future<Output = Reply> + Send + 'b {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.transports.lock().unwrap().push(message.transport);
        self.inner.handle(message)
    }
}

#[test]
fn a_custom_handler_is_served_on_every_transport() {
    let rt = runtime();
    let dir = TempDir::new();
    let calls = Arc::new(AtomicUsize::new(0));
    let transports = Arc::new(Mutex::new(Vec::new()));
    let handler = Counting {
        inner: calculator(Limits::default()),
        calls: calls.clone(),
        transports: transports.clone(),
    };
    let server = Server::new(handler)
        .http("127.0.0.1:0".parse().unwrap())
        .tcp("127.0.0.1:0".parse().unwrap())
        .local(LocalName::Path(dir.join("rpc.sock")))
        .shm(LocalName::Path(dir.join("rpc.shm")));
    let served = Served::start(&rt, server).expect("binds");
    rt.block_on(async {
        let url = format!("http://{}/RPC2", served.addr("http"));
        let http = CalculatorClient::new(HttpConnection::new(&url, Protocol::XmlRpc).unwrap());
        assert_eq!(http.add(1, 2).await.unwrap(), 3);
        let tcp = StreamConnection::tcp(served.addr("tcp"), Protocol::JsonRpc);
        let tcp = CalculatorClient::new(tcp.await.unwrap());
        assert_eq!(tcp.add(2, 3).await.unwrap(), 5);
        let unix = StreamConnection::local(&served.name("unix"), Protocol::XmlRpc).await;
        let unix = CalculatorClient::new(unix.unwrap());
        assert_eq!(unix.add(3, 4).await.unwrap(), 7);
        let shm = ShmConnection::connect(&served.name("shm"), Protocol::JsonRpc).await;
        let shm = CalculatorClient::new(shm.unwrap());
        assert_eq!(shm.add(4, 5).await.unwrap(), 9);
    });
    assert_eq!(calls.load(Ordering::SeqCst), 4);
    assert_eq!(
        *transports.lock().unwrap(),
        ["http", "tcp", "unix", "shm"],
        "each call came through the handler, by its transport"
    );
    served.stop().expect("stops cleanly");

    // Over stdio: the `handler` example, a custom handler in a child process.
    let request = r#"{"jsonrpc":"2.0","method":"calc.add","params":[20,22],"id":1}"#;
    let mut input = stream_support::content_length_frame(request, "application/json");
    input.extend(stream_support::content_length_frame(
        &" ".repeat(4097),
        "application/json",
    ));
    let ran = stream_support::run(
        Command::new(diglot_tests::process::example_binary("handler")),
        &input,
        Duration::from_secs(30),
        "the handler example",
    );
    assert!(ran.status.success(), "{ran:?}");
    assert!(ran.stdout.contains(r#""result":42"#), "{}", ran.stdout);
    assert!(ran.stderr.contains("call 1 over stdio"), "{}", ran.stderr);
    // The handler's own limit, 4 KiB, on a body of 4097 bytes; then stdio
    // ends and the process exits.
    assert!(
        ran.stdout.contains("-32600") && ran.stdout.contains("limit of 4096 bytes"),
        "{}",
        ran.stdout
    );
}

/// Before the handler owned the body limit, an HTTP config given to the
/// server reset it to 16 MiB, and `router_with` never had it.
#[test]
fn http_settings_keep_the_dispatchers_body_limit() {
    let dispatcher = calculator(Limits::default().max_body_bytes(LIMIT));
    let config = HttpConfig::default().max_connections(64);
    let server = http_support::TestServer::http(dispatcher.clone(), Some(config.clone()));
    let body = vec![b' '; LIMIT + 1];
    let request = http_support::post("/RPC2", &["Content-Type: application/json"], &body);
    let response = server
        .rt
        .block_on(http_support::exchange(server.addr, &request));
    assert_eq!(response.status, 413, "{}", response.text());

    // The same dispatcher mounted as an axum Router.
    let router = dispatcher.router_with(config);
    let addr = server.rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        addr
    });
    let response = server.rt.block_on(http_support::exchange(addr, &request));
    assert_eq!(response.status, 413, "{}", response.text());
}

/// A JSON-RPC `calc.add(1, 2)` padded with spaces to exactly `len` bytes.
fn request_of(len: usize) -> String {
    let call = r#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":7}"#;
    format!("{call}{}", " ".repeat(len - call.len()))
}

#[test]
fn a_body_one_byte_over_the_limit_gets_each_transports_answer() {
    let rt = runtime();
    let dir = TempDir::new();
    let server = Server::new(calculator(Limits::default().max_body_bytes(LIMIT)))
        .endpoint(HttpEndpoint::new("127.0.0.1:0".parse().unwrap()))
        .tcp("127.0.0.1:0".parse().unwrap())
        .local(LocalName::Path(dir.join("rpc.sock")))
        .shm(LocalName::Path(dir.join("rpc.shm")));
    let served = Served::start(&rt, server).expect("binds");
    let (at, over) = (request_of(LIMIT), request_of(LIMIT + 1));

    // HTTP: 200 at the limit, 413 past it.
    for (body, status) in [(&at, 200), (&over, 413)] {
        let request = http_support::post(
            "/RPC2",
            &["Content-Type: application/json"],
            body.as_bytes(),
        );
        let response = rt.block_on(http_support::exchange(served.addr("http"), &request));
        assert_eq!(response.status, status, "{}", response.text());
    }

    // TCP and Unix sockets: answered at the limit; past it, -32600 naming
    // the limit, then the connection closes.
    rt.block_on(async {
        for unix in [false, true] {
            let mut io = if unix {
                raw_unix(&dir.join("rpc.sock")).await
            } else {
                raw_tcp(served.addr("tcp")).await
            };
            let mut frames = stream_support::content_length_frame(&at, "application/json");
            frames.extend(stream_support::content_length_frame(
                &over,
                "application/json",
            ));
            io.write_all(&frames).await.unwrap();
            let mut leftover = Vec::new();
            let first = read_frame(&mut io, &mut leftover).await.unwrap();
            assert!(first.contains(r#""result":3"#), "unix {unix}: {first}");
            let second = read_frame(&mut io, &mut leftover).await.unwrap();
            assert!(
                second.contains("-32600") && second.contains("limit of 1024 bytes"),
                "unix {unix}: {second}"
            );
            let ending = read_to_close(&mut io).await;
            assert!(ending.bytes.is_empty(), "unix {unix}: {}", ending.text());
        }
    });

    // Shared memory: the client knows the server's limit from the
    // handshake and refuses to send past it; the connection stays usable.
    let shm = ShmConnection::connect_blocking(&served.name("shm"), Protocol::JsonRpc).unwrap();
    let answer = shm.call_blocking(at.as_bytes()).unwrap();
    assert!(String::from_utf8_lossy(&answer).contains(r#""result":3"#));
    let error = shm.call_blocking(over.as_bytes()).unwrap_err();
    assert!(
        matches!(error, ClientError::TooLarge { limit, .. } if limit == LIMIT as u64),
        "{error}"
    );
    let client = Client::new(shm);
    assert_eq!(
        client.call_blocking::<_, i32>("calc.add", &(1, 2)).unwrap(),
        3
    );
    served.stop().expect("stops cleanly");
}
