//! `&Context` in a method: what each transport tells it (the remote address
//! over HTTP and TCP, the peer's credentials over a Unix socket and shared
//! memory, HTTP headers), and per-method authorisation from what a tower
//! layer left in the request (`examples/bearer.rs`), inside batches and
//! multicalls too.

#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

use diglot::{
    Client, ClientError, Context, Dispatcher, HttpConnection, InProcess, LocalName, Protocol,
    Server, ShmConnection, StreamConnection, Value,
};
use diglot_examples::bearer::{self, AccountClient, FORBIDDEN, Identity};
use diglot_tests::runtime::multi_thread;
use diglot_tests::served::Served;
use diglot_tests::tempdir::TempDir;
use serde_json::json;

/// Tells the caller what its context says.
#[diglot::rpc(namespace = "who")]
pub trait Who {
    /// The transport and the remote address, if any.
    fn remote(&self, ctx: &Context) -> (String, Option<String>);
    /// The peer's uid, gid and pid, if known.
    fn peer(&self, ctx: &Context) -> Option<(u32, u32, i32)>;
    /// A request header, over HTTP; the context may come anywhere.
    async fn header(&self, ctx: &Context, name: String) -> Option<String>;
}

struct Teller;

impl Who for Teller {
    fn remote(&self, ctx: &Context) -> (String, Option<String>) {
        let remote = ctx.remote_addr().map(|addr| addr.to_string());
        (ctx.transport().to_owned(), remote)
    }

    fn peer(&self, ctx: &Context) -> Option<(u32, u32, i32)> {
        ctx.peer()
            .map(|p| (p.uid, p.gid, p.pid.unwrap_or_default()))
    }

    async fn header(&self, ctx: &Context, name: String) -> Option<String> {
        tokio::task::yield_now().await;
        let value = ctx.headers()?.get(name.as_str())?;
        value.to_str().ok().map(str::to_owned)
    }
}

/// POSTs a JSON-RPC `body` over a connection of our own (HTTP/1.1, one
/// request) and reads the answer's JSON.
fn post(mut http: impl Read + Write, body: &str) -> serde_json::Value {
    write!(
        http,
        "POST /RPC2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    http.read_to_string(&mut response).unwrap();
    let answer = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(answer).unwrap_or_else(|e| panic!("{response:?}: {e}"))
}

fn teller() -> Dispatcher {
    Dispatcher::new(WhoService::new(Teller)).unwrap()
}

/// One line of JSON over a TCP connection of our own, so that the address
/// the server reports can be compared with this end's.
#[test]
fn a_method_sees_the_remote_address_over_tcp_and_http() {
    let rt = multi_thread();
    let server = Server::new(teller())
        .http("127.0.0.1:0".parse().unwrap())
        .tcp("127.0.0.1:0".parse().unwrap());
    let served = Served::start(&rt, server).unwrap();

    let mut tcp = TcpStream::connect(served.addr("tcp")).unwrap();
    let mine = tcp.local_addr().unwrap();
    tcp.write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"who.remote\",\"id\":1}\n")
        .unwrap();
    let mut line = String::new();
    BufReader::new(&tcp).read_line(&mut line).unwrap();
    let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(answer["result"], json!(["tcp", mine.to_string()]), "{line}");

    let http = TcpStream::connect(served.addr("http")).unwrap();
    let mine = http.local_addr().unwrap();
    let answer = post(http, r#"{"jsonrpc":"2.0","method":"who.remote","id":2}"#);
    assert_eq!(
        answer["result"],
        json!(["http", mine.to_string()]),
        "{answer}"
    );

    // Headers reach the method; other transports have none.
    rt.block_on(async {
        let url = format!("http://{}/RPC2", served.addr("http"));
        let connection = HttpConnection::new(&url, Protocol::XmlRpc)
            .unwrap()
            .header("X-Request-Id", "r-42")
            .unwrap();
        let client = WhoClient::new(connection);
        let got = client.header("x-request-id".into()).await.unwrap();
        assert_eq!(got.as_deref(), Some("r-42"));
        let tcp = StreamConnection::tcp(served.addr("tcp"), Protocol::JsonRpc).await;
        let client = WhoClient::new(tcp.unwrap());
        assert_eq!(client.header("x-request-id".into()).await.unwrap(), None);
        assert_eq!(client.peer().await.unwrap(), None, "TCP has no credentials");
    });
    served.stop().unwrap();
}

#[test]
fn a_method_sees_the_peers_credentials_over_a_unix_socket_and_shared_memory() {
    let rt = multi_thread();
    let dir = TempDir::new();
    let server = Server::new(teller())
        .local(LocalName::Path(dir.join("who.sock")))
        .shm(LocalName::Path(dir.join("who.shm")));
    let served = Served::start(&rt, server).unwrap();
    let me = (
        rustix::process::getuid().as_raw(),
        rustix::process::getgid().as_raw(),
        i32::try_from(std::process::id()).unwrap(),
    );
    rt.block_on(async {
        let unix = StreamConnection::local(&served.name("unix"), Protocol::XmlRpc).await;
        let unix = WhoClient::new(unix.unwrap());
        assert_eq!(unix.peer().await.unwrap(), Some(me));
        assert_eq!(unix.remote().await.unwrap(), ("unix".to_owned(), None));
        let shm = ShmConnection::connect(&served.name("shm"), Protocol::JsonRpc).await;
        let shm = WhoClient::new(shm.unwrap());
        assert_eq!(shm.peer().await.unwrap(), Some(me));
        assert_eq!(shm.remote().await.unwrap(), ("shm".to_owned(), None));
    });
    // HTTP spoken on the Unix socket (`curl --unix-socket`) knows them too.
    let LocalName::Path(path) = served.name("unix") else {
        unreachable!("bound on a path")
    };
    let http = std::os::unix::net::UnixStream::connect(path).unwrap();
    let answer = post(http, r#"{"jsonrpc":"2.0","method":"who.peer","id":3}"#);
    assert_eq!(answer["result"], json!([me.0, me.1, me.2]), "{answer}");
    served.stop().unwrap();
}

/// The bearer example's app on a real socket.
fn serve_bearer(rt: &tokio::runtime::Runtime) -> String {
    let tokens = HashMap::from([
        (
            "ann-token".to_owned(),
            Identity {
                name: "ann".into(),
                admin: true,
            },
        ),
        (
            "bob-token".to_owned(),
            Identity {
                name: "bob".into(),
                admin: false,
            },
        ),
    ]);
    let app = bearer::app(tokens).unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/RPC2")
}

fn with_token(url: &str, protocol: Protocol, token: &str) -> HttpConnection {
    HttpConnection::new(url, protocol)
        .unwrap()
        .header("Authorization", &format!("Bearer {token}"))
        .unwrap()
}

fn fault_code(error: &ClientError) -> i32 {
    match error {
        ClientError::Fault(fault) => fault.code,
        other => panic!("expected a fault, got {other}"),
    }
}

#[test]
fn a_tower_layer_authenticates_and_each_method_authorises() {
    let rt = multi_thread();
    let url = serve_bearer(&rt);
    rt.block_on(async {
        for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
            let ann = AccountClient::new(with_token(&url, protocol, "ann-token"));
            assert_eq!(ann.whoami().await.unwrap(), "ann");
            assert_eq!(ann.reset().await.unwrap(), 0, "an admin may reset");

            let bob = AccountClient::new(with_token(&url, protocol, "bob-token"));
            assert_eq!(bob.whoami().await.unwrap(), "bob");
            let refused = bob.reset().await.unwrap_err();
            assert_eq!(fault_code(&refused), FORBIDDEN, "{refused}");
            assert!(
                refused.to_string().contains("bob may not reset"),
                "{refused}"
            );

            // Inside a batch (JSON-RPC) or a multicall (XML-RPC), each call
            // is judged by the same identity.
            for (who, admin) in [("ann", true), ("bob", false)] {
                let client = Client::new(with_token(&url, protocol, &format!("{who}-token")));
                let mut batch = client.batch();
                let name = batch.call::<_, String>("account.whoami", &());
                let reset = batch.call::<_, u32>("account.reset", &());
                let answers = batch.send().await.unwrap();
                assert_eq!(answers.get(name).unwrap(), who);
                match answers.get(reset) {
                    Ok(n) => assert!(admin, "{who} reset ({n})"),
                    Err(e) => {
                        assert!(!admin, "{who} refused: {e}");
                        assert_eq!(fault_code(&e), FORBIDDEN);
                    }
                }
            }

            // Without a known token, the layer answers before diglot does.
            let stranger = AccountClient::new(with_token(&url, protocol, "guess"));
            let error = stranger.whoami().await.unwrap_err();
            assert!(error.to_string().contains("401"), "{error}");
        }

        // system.multicall by hand, as XML-RPC clients send it.
        let bob = Client::new(with_token(&url, Protocol::XmlRpc, "bob-token"));
        let calls = Value::from(vec![
            Value::from(diglot::Struct::from_iter([
                ("methodName", Value::from("account.reset")),
                ("params", Value::from(Vec::<Value>::new())),
            ])),
            Value::from(diglot::Struct::from_iter([
                ("methodName", Value::from("account.whoami")),
                ("params", Value::from(Vec::<Value>::new())),
            ])),
        ]);
        let answers: Vec<Value> = bob.call("system.multicall", &(calls,)).await.unwrap();
        let refused = answers[0].as_struct().expect("a fault struct");
        assert_eq!(refused.get("faultCode"), Some(&Value::from(FORBIDDEN)));
        assert_eq!(answers[1], Value::from(vec![Value::from("bob")]));
    });
}

#[test]
fn a_method_called_without_the_layer_is_refused_not_panicking() {
    // In process there is no HTTP request, so no identity: the method's own
    // check answers.
    let dispatcher = Dispatcher::new(bearer::AccountService::new(bearer::Accounts)).unwrap();
    let client = AccountClient::new(InProcess::new(dispatcher, Protocol::JsonRpc));
    let error = diglot::block_on(client.whoami()).unwrap_err();
    assert_eq!(fault_code(&error), 401, "{error}");
}
