//! `WebSocketConnection`: the typed client over WebSocket on the HTTP port
//! of a real server — calls, faults, 64 calls in flight, XML-RPC, the
//! answer limit, `calc.ticks` read to its end and dropped early (the
//! server's count of subscriptions back to zero), over `wss://` too — and
//! against servers played by hand with tungstenite: one that closes the
//! WebSocket while a call waits, one that pings before it answers, one
//! that answers XML-RPC calls as they finish.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use diglot::{
    Client, ClientError, Dispatcher, Fault, HttpConfig, HttpEndpoint, Limits, Protocol, Server,
    TlsConfig, TlsRoots, Value, WebSocketConnection,
};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};
use diglot_tests::served::Served;
use diglot_tests::subscribed::settle;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// Longer than any step of these tests takes: past it a step hangs.
const PATIENCE: Duration = Duration::from_secs(10);

fn calculator() -> Dispatcher {
    Dispatcher::new(CalculatorService::new(Calc)).unwrap()
}

/// The calculator on HTTP, port 0, on `rt`.
fn serve(rt: &tokio::runtime::Runtime, dispatcher: &Dispatcher) -> (Served, String) {
    let server =
        Server::new(dispatcher.clone()).endpoint(HttpEndpoint::new("127.0.0.1:0".parse().unwrap()));
    let served = Served::start(rt, server).unwrap();
    let url = format!("ws://{}/RPC2", served.addr("http"));
    (served, url)
}

/// `step`, or a panic naming `what` if it takes longer than [`PATIENCE`].
async fn within<T>(what: &str, step: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, step)
        .await
        .unwrap_or_else(|_| panic!("{what} took longer than {PATIENCE:?}"))
}

#[test]
fn typed_calls_faults_and_64_at_once_over_websocket() {
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let (served, url) = serve(&rt, &dispatcher);
    rt.block_on(async {
        let connection = WebSocketConnection::connect(&url, Protocol::JsonRpc)
            .await
            .unwrap();
        let calc = CalculatorClient::new(connection);
        assert_eq!(calc.add(2, 3).await.unwrap(), 5);
        assert_eq!(calc.div(1.0, 4.0).await.unwrap(), 0.25);
        match calc.div(1.0, 0.0).await {
            Err(ClientError::Fault(fault)) => assert_eq!(fault.code, Calc::DIVISION_BY_ZERO),
            other => panic!("expected a division by zero, got {other:?}"),
        }
        let unknown = calc
            .client()
            .call::<_, i32>("calc.pow", &(2, 3))
            .await
            .unwrap_err();
        assert_eq!(
            unknown.fault().map(|f| f.code),
            Some(Fault::METHOD_NOT_FOUND)
        );

        // 64 calls in flight on the one socket, each answer to its call.
        let sums = within(
            "64 calls at once",
            futures_util::future::join_all((0..64).map(|i| calc.add(i, 1_000))),
        )
        .await;
        for (i, sum) in (0..64).zip(sums) {
            assert_eq!(sum.unwrap(), i + 1_000);
        }

        // XML-RPC has no ids: its calls still each get their own answer.
        let xml = CalculatorClient::new(
            WebSocketConnection::connect(&url, Protocol::XmlRpc)
                .await
                .unwrap(),
        );
        let sums = within(
            "32 XML-RPC calls at once",
            futures_util::future::join_all((0..32).map(|i| xml.add(i, 1))),
        )
        .await;
        for (i, sum) in (0..32).zip(sums) {
            assert_eq!(sum.unwrap(), i + 1);
        }
        let nested = Value::from(vec![Value::from("x"), Value::from(1_i64 << 40)]);
        assert_eq!(xml.echo(nested.clone()).await.unwrap(), nested);
    });
    served.stop().unwrap();
}

#[test]
fn typed_subscriptions_read_to_the_end_and_unsubscribe_when_dropped() {
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let (served, url) = serve(&rt, &dispatcher);
    rt.block_on(async {
        let connection = WebSocketConnection::connect(&url, Protocol::JsonRpc)
            .await
            .unwrap();
        let calc = CalculatorClient::new(connection);

        let items = calc.ticks(20, 1).await.unwrap();
        let all: Vec<u32> = within("20 ticks", items.map(Result::unwrap).collect()).await;
        assert_eq!(all, (1..=20).collect::<Vec<_>>());
        settle(&dispatcher, 0).await;

        // Two at once, with calls between their items.
        let mut long = calc.ticks(1_000_000, 1).await.unwrap();
        let mut short = calc.ticks(3, 1).await.unwrap();
        for n in 1..=3 {
            assert_eq!(within("a tick", long.next()).await.unwrap().unwrap(), n);
            assert_eq!(calc.add(n as i32, 1).await.unwrap(), n as i32 + 1);
        }
        let rest: Vec<u32> = within("3 ticks", (&mut short).map(Result::unwrap).collect()).await;
        assert_eq!(rest, [1, 2, 3]);
        settle(&dispatcher, 1).await;

        drop(long);
        settle(&dispatcher, 0).await;
        // The connection goes on answering.
        assert_eq!(calc.add(2, 3).await.unwrap(), 5);

        // By name, with the dynamic client.
        let client = Client::new(
            WebSocketConnection::connect(&url, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        let ticks = client
            .subscribe::<_, u32>("calc.ticks", "calc.unticks", &(2, 1))
            .await
            .unwrap();
        let two: Vec<u32> = within("2 ticks", ticks.map(Result::unwrap).collect()).await;
        assert_eq!(two, [1, 2]);
    });
    served.stop().unwrap();
}

#[test]
fn a_server_that_stops_ends_the_items_and_fails_later_calls() {
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let (served, url) = serve(&rt, &dispatcher);
    let (calc, mut ticks) = rt.block_on(async {
        let connection = WebSocketConnection::connect(&url, Protocol::JsonRpc)
            .await
            .unwrap();
        let calc = CalculatorClient::new(connection);
        let mut ticks = calc.ticks(1_000_000, 1).await.unwrap();
        assert_eq!(within("a tick", ticks.next()).await.unwrap().unwrap(), 1);
        (calc, ticks)
    });
    served.stop().unwrap();
    rt.block_on(async {
        // Items queued before the close may come first; then the end.
        let end = within("the end of the items", async {
            loop {
                match ticks.next().await {
                    Some(Ok(_)) => continue,
                    end => break end,
                }
            }
        })
        .await;
        assert!(matches!(end, Some(Err(ClientError::Closed(_)))), "{end:?}");
        let error = within("a call after the close", calc.add(1, 2))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, ClientError::Closed(why) if why.contains("1001")),
            "{error}"
        );
    });
}

#[test]
fn answers_over_the_limit_are_refused_and_bad_addresses_named() {
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let (served, url) = serve(&rt, &dispatcher);
    rt.block_on(async {
        let limits = Limits::default().max_body_bytes(1024);
        let connection = WebSocketConnection::connect_with(&url, Protocol::JsonRpc, limits)
            .await
            .unwrap();
        let calc = CalculatorClient::new(connection);
        assert_eq!(calc.add(2, 3).await.unwrap(), 5);
        let big = Value::from("x".repeat(4096));
        let error = within("an answer over the limit", calc.echo(big))
            .await
            .unwrap_err();
        assert!(
            matches!(error, ClientError::TooLarge { limit: 1024, .. }),
            "{error}"
        );
        // The connection is over: later calls fail at once.
        let error = within("a call after the refusal", calc.add(1, 1))
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::TooLarge { .. }), "{error}");

        let addr = served.addr("http");
        let error =
            WebSocketConnection::connect(&format!("ws://{addr}/elsewhere"), Protocol::JsonRpc)
                .await
                .unwrap_err();
        assert!(matches!(error, ClientError::HttpStatus(404)), "{error}");
        for bad in [format!("http://{addr}/RPC2"), "ws:///RPC2".to_owned()] {
            let error = WebSocketConnection::connect(&bad, Protocol::JsonRpc)
                .await
                .unwrap_err();
            assert!(
                matches!(error, ClientError::InvalidAddress(_)),
                "{bad}: {error}"
            );
        }
    });
    served.stop().unwrap();

    // With WebSocket turned off, the upgrade is refused with a status.
    let dispatcher = calculator();
    let endpoint = HttpEndpoint::new("127.0.0.1:0".parse().unwrap())
        .config(HttpConfig::default().websocket(false));
    let served = Served::start(&rt, Server::new(dispatcher).endpoint(endpoint)).unwrap();
    let url = format!("ws://{}/RPC2", served.addr("http"));
    rt.block_on(async {
        let error = WebSocketConnection::connect(&url, Protocol::JsonRpc)
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::HttpStatus(_)), "{error}");
    });
    served.stop().unwrap();
}

#[test]
fn wss_with_a_self_signed_certificate() {
    let certified = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let tls = TlsConfig::from_pem(cert_pem.as_bytes(), key_pem.as_bytes()).unwrap();
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let endpoint = HttpEndpoint::new("127.0.0.1:0".parse().unwrap()).tls(tls);
    let served = Served::start(&rt, Server::new(dispatcher.clone()).endpoint(endpoint)).unwrap();
    let url = format!("wss://{}/RPC2", served.addr("https"));
    rt.block_on(async {
        let roots = TlsRoots::from_pem(cert_pem.as_bytes()).unwrap();
        let connection = WebSocketConnection::connect_with_roots(
            &url,
            Protocol::JsonRpc,
            Limits::default(),
            &roots,
        )
        .await
        .unwrap();
        let calc = CalculatorClient::new(connection);
        assert_eq!(calc.add(2, 3).await.unwrap(), 5);
        let ticks: Vec<u32> = within(
            "3 ticks over TLS",
            calc.ticks(3, 1)
                .await
                .unwrap()
                .map(Result::unwrap)
                .collect(),
        )
        .await;
        assert_eq!(ticks, [1, 2, 3]);
        settle(&dispatcher, 0).await;

        // Someone else's certificate does not verify.
        let other = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
        let roots = TlsRoots::from_pem(other.cert.pem().as_bytes()).unwrap();
        let error = WebSocketConnection::connect_with_roots(
            &url,
            Protocol::JsonRpc,
            Limits::default(),
            &roots,
        )
        .await
        .unwrap_err();
        assert!(matches!(error, ClientError::Io(_)), "{error}");
    });
    served.stop().unwrap();
}

// ---------------------------------------------------------------------------
// Servers played by hand
// ---------------------------------------------------------------------------

/// A WebSocket server that accepts one connection and plays `script` on
/// it; its task fails the test by panicking.
async fn scripted<F, Fut>(script: F) -> (SocketAddr, tokio::task::JoinHandle<()>)
where
    F: FnOnce(WebSocketStream<TcpStream>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
        script(ws).await;
    });
    (addr, task)
}

/// The next text message's JSON-RPC id.
async fn next_call_id(ws: &mut WebSocketStream<TcpStream>) -> serde_json::Value {
    loop {
        match within("a call", ws.next()).await {
            Some(Ok(Message::Text(text))) => {
                let call: serde_json::Value = serde_json::from_str(&text).unwrap();
                return call["id"].clone();
            }
            Some(Ok(_)) => continue,
            other => panic!("expected a call, got {other:?}"),
        }
    }
}

#[test]
fn a_server_that_closes_the_websocket_fails_the_waiting_call() {
    let rt = diglot_tests::runtime::multi_thread();
    rt.block_on(async {
        let (addr, server) = scripted(|mut ws| async move {
            next_call_id(&mut ws).await;
            ws.close(Some(CloseFrame {
                code: CloseCode::Again,
                reason: "down for maintenance".into(),
            }))
            .await
            .unwrap();
            // The client answers the close frame with its own.
            let answer = within("the client's close frame", ws.next()).await;
            assert!(
                matches!(answer, Some(Ok(Message::Close(_))) | None),
                "{answer:?}"
            );
        })
        .await;
        let url = format!("ws://{addr}/");
        let calc = CalculatorClient::new(
            WebSocketConnection::connect(&url, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        let error = within("the waiting call", calc.add(1, 2))
            .await
            .unwrap_err();
        match &error {
            ClientError::Closed(why) => {
                assert!(why.contains("1013") && why.contains("maintenance"), "{why}");
            }
            other => panic!("expected Closed, got {other:?}"),
        }
        let error = within("a later call", calc.add(1, 2)).await.unwrap_err();
        assert!(matches!(error, ClientError::Closed(_)), "{error}");
        server.await.unwrap();
    });
}

#[test]
fn pings_are_answered_and_dropping_the_client_closes_the_socket() {
    let rt = diglot_tests::runtime::multi_thread();
    rt.block_on(async {
        let (addr, server) = scripted(|mut ws| async move {
            let id = next_call_id(&mut ws).await;
            // The answer waits for the pong.
            ws.send(Message::Ping("are you there?".into()))
                .await
                .unwrap();
            loop {
                match within("the pong", ws.next()).await {
                    Some(Ok(Message::Pong(payload))) => {
                        assert_eq!(&payload[..], b"are you there?");
                        break;
                    }
                    Some(Ok(_)) => continue,
                    other => panic!("expected a pong, got {other:?}"),
                }
            }
            let answer = json!({"jsonrpc": "2.0", "result": 3, "id": id});
            ws.send(Message::text(answer.to_string())).await.unwrap();
            // Then the client is dropped: its close frame, or the end.
            match within("the client's close", ws.next()).await {
                Some(Ok(Message::Close(Some(frame)))) => assert_eq!(frame.code, CloseCode::Normal),
                None | Some(Ok(Message::Close(None))) => {}
                other => panic!("expected the close, got {other:?}"),
            }
        })
        .await;
        let url = format!("ws://{addr}/");
        let calc = CalculatorClient::new(
            WebSocketConnection::connect(&url, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        assert_eq!(within("the call", calc.add(1, 2)).await.unwrap(), 3);
        drop(calc);
        within("the server's script", server).await.unwrap();
    });
}

/// An XML-RPC answer carrying `text`.
fn xml_answer(text: &str) -> Message {
    Message::text(format!(
        "<?xml version=\"1.0\"?><methodResponse><params><param><value><string>{text}</string>\
         </value></param></params></methodResponse>"
    ))
}

#[test]
fn a_late_xml_rpc_answer_is_not_given_to_the_next_call() {
    let rt = diglot_tests::runtime::multi_thread();
    rt.block_on(async {
        let (addr, server) = scripted(|mut ws| async move {
            let first = within("the first call", ws.next()).await;
            assert!(matches!(first, Some(Ok(Message::Text(_)))), "{first:?}");
            // Like diglot's server, answer calls as they finish: a second
            // call that came while the first is slow is answered first.
            match tokio::time::timeout(Duration::from_millis(300), ws.next()).await {
                Ok(Some(Ok(Message::Text(_)))) => {
                    ws.send(xml_answer("second")).await.unwrap();
                    ws.send(xml_answer("first")).await.unwrap();
                }
                Ok(other) => panic!("expected a call, got {other:?}"),
                Err(_) => {
                    ws.send(xml_answer("first")).await.unwrap();
                    let second = within("the second call", ws.next()).await;
                    assert!(matches!(second, Some(Ok(Message::Text(_)))), "{second:?}");
                    ws.send(xml_answer("second")).await.unwrap();
                }
            }
            let _ = within("the client's close", ws.next()).await;
        })
        .await;
        let url = format!("ws://{addr}/");
        let connection = WebSocketConnection::connect(&url, Protocol::XmlRpc)
            .await
            .unwrap();
        let impatient = Client::new(connection.clone()).timeout(Duration::from_millis(100));
        let error = impatient.call::<_, String>("first", &()).await.unwrap_err();
        assert!(matches!(error, ClientError::TimedOut { .. }), "{error}");
        let patient = Client::new(connection);
        let second: String = within("the second call", patient.call("second", &()))
            .await
            .unwrap();
        assert_eq!(second, "second");
        drop((impatient, patient));
        within("the server's script", server).await.unwrap();
    });
}

/// The status line the server answers an upgrade with, from `origin`.
async fn upgrade_status(addr: SocketAddr, origin: Option<&str>) -> String {
    use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
    let mut tcp = TcpStream::connect(addr).await.unwrap();
    let origin = origin.map_or(String::new(), |o| format!("Origin: {o}\r\n"));
    let request = format!(
        "GET /RPC2 HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{origin}\r\n"
    );
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(tcp)
        .read_line(&mut line)
        .await
        .unwrap();
    line.trim_end().to_owned()
}

#[test]
fn a_page_of_another_origin_may_not_open_a_websocket_unless_allowed() {
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = calculator();
    let (served, _) = serve(&rt, &dispatcher);
    let addr = served.addr("http");
    let allowing = Served::start(
        &rt,
        Server::new(dispatcher.clone()).endpoint(
            HttpEndpoint::new("127.0.0.1:0".parse().unwrap())
                .config(HttpConfig::default().allow_origins(["https://app.example"])),
        ),
    )
    .unwrap();
    rt.block_on(async {
        let own = format!("http://{addr}");
        assert!(upgrade_status(addr, None).await.contains(" 101 "));
        assert!(upgrade_status(addr, Some(&own)).await.contains(" 101 "));
        for origin in ["https://evil.example", "null", "http://127.0.0.1:1"] {
            let status = upgrade_status(addr, Some(origin)).await;
            assert!(status.contains(" 403 "), "{origin}: {status}");
        }
        let other = allowing.addr("http");
        let status = upgrade_status(other, Some("https://app.example")).await;
        assert!(status.contains(" 101 "), "{status}");
        let status = upgrade_status(other, Some("https://evil.example")).await;
        assert!(status.contains(" 403 "), "{status}");
    });
    allowing.stop().unwrap();
    served.stop().unwrap();
}
