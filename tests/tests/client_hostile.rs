//! Servers a client must survive, and the client's own options: an answer
//! announced at 2^62 bytes, an endless header line, an endless HTTP body, a
//! server that never answers, a connect that never completes; headers and
//! HTTPS roots.
//!
//! Each hostile server is a real socket (or a real child process for stdio)
//! written by hand here, since diglot's own server never misbehaves.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use diglot::{
    Client, ClientError, Dispatcher, HttpConnection, HttpEndpoint, Limits, Protocol, Server,
    StreamConnection, TlsConfig, TlsRoots,
};
use diglot_examples::calc::{Calc, CalculatorService};
use diglot_tests::served::Served;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Far more than any test should take; a hang fails instead of blocking.
const BOUND: Duration = Duration::from_secs(10);

/// A TCP server that reads a little of each connection, then writes
/// `answer` (and, if `endless`, zeros until the peer goes away).
async fn hostile(answer: &'static [u8], endless: bool) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                if socket.write_all(answer).await.is_err() {
                    return;
                }
                let zeros = vec![b'0'; 64 * 1024];
                // Bounded: 4 GiB at most, and it stops when the client leaves.
                for _ in 0..(endless as usize * 65_536) {
                    if socket.write_all(&zeros).await.is_err() {
                        return;
                    }
                }
                tokio::time::sleep(BOUND).await;
            });
        }
    });
    addr
}

/// Both calls on one connection — the one whose answer is hostile and one
/// waiting beside it — fail within the bound, and a later call fails at once.
async fn every_call_fails(client: Client<StreamConnection>) -> ClientError {
    let started = Instant::now();
    let first = client.call::<_, i32>("calc.add", &(1, 2));
    let second = client.call::<_, i32>("calc.add", &(3, 4));
    let (first, second) = tokio::time::timeout(BOUND, async { tokio::join!(first, second) })
        .await
        .expect("the calls fail rather than hang");
    let (first, second) = (first.unwrap_err(), second.unwrap_err());
    assert_eq!(first.to_string(), second.to_string());
    let later = tokio::time::timeout(
        Duration::from_secs(1),
        client.call::<_, i32>("calc.add", &(5, 6)),
    )
    .await
    .expect("a later call fails at once");
    assert_eq!(later.unwrap_err().to_string(), first.to_string());
    assert!(started.elapsed() < BOUND);
    first
}

#[tokio::test]
async fn an_answer_announced_at_2_pow_62_bytes_fails_the_calls_without_allocating() {
    let addr = hostile(b"Content-Length: 4611686018427387904\r\n\r\n", true).await;
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        let client = Client::new(StreamConnection::tcp(addr, protocol).await.unwrap());
        match every_call_fails(client).await {
            ClientError::TooLarge { limit, .. } => assert_eq!(limit, 16 * 1024 * 1024),
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_smaller_limit_is_kept() {
    // A 2 KiB answer against a 1 KiB limit.
    let addr = hostile(b"Content-Length: 2048\r\n\r\n", true).await;
    let limits = Limits::default().max_body_bytes(1024);
    let connection = StreamConnection::tcp_with(addr, Protocol::JsonRpc, limits)
        .await
        .unwrap();
    let error = every_call_fails(Client::new(connection)).await;
    assert!(
        matches!(error, ClientError::TooLarge { limit: 1024, .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("1024 bytes"), "{error}");
}

#[tokio::test]
async fn an_endless_header_line_fails_the_calls() {
    let addr = hostile(b"Content-Length: 00", true).await;
    let client = Client::new(
        StreamConnection::tcp(addr, Protocol::JsonRpc)
            .await
            .unwrap(),
    );
    let error = every_call_fails(client).await;
    assert!(matches!(error, ClientError::Closed(_)), "{error:?}");
    assert!(
        error.to_string().contains("header section too long"),
        "{error}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn a_child_on_stdio_that_announces_a_huge_answer_fails_the_calls() {
    let mut command = tokio::process::Command::new("sh");
    command.args([
        "-c",
        r"printf 'Content-Length: 4611686018427387904\r\n\r\n'; exec sleep 10",
    ]);
    let client = Client::new(StreamConnection::spawn(command, Protocol::JsonRpc).unwrap());
    let error = every_call_fails(client).await;
    assert!(matches!(error, ClientError::TooLarge { .. }), "{error:?}");
}

#[tokio::test]
async fn an_endless_http_body_stops_at_the_limit() {
    let addr = hostile(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4611686018427387904\r\n\r\n",
        true,
    )
    .await;
    let limits = Limits::default().max_body_bytes(64 * 1024);
    let connection = HttpConnection::new(&format!("http://{addr}/RPC2"), Protocol::JsonRpc)
        .unwrap()
        .limits(limits);
    let client = Client::new(connection);
    let error = tokio::time::timeout(BOUND, client.call::<_, i32>("calc.add", &(1, 2)))
        .await
        .expect("the call fails rather than hangs")
        .unwrap_err();
    assert!(
        matches!(error, ClientError::TooLarge { limit: 65536, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_the_call_out() {
    let addr = hostile(b"", false).await;
    let timeout = Duration::from_millis(300);
    let stream = Client::new(
        StreamConnection::tcp(addr, Protocol::JsonRpc)
            .await
            .unwrap(),
    )
    .timeout(timeout);
    let http =
        Client::new(HttpConnection::new(&format!("http://{addr}/"), Protocol::XmlRpc).unwrap())
            .timeout(timeout);
    let started = Instant::now();
    let (a, b) = tokio::join!(
        stream.call::<_, i32>("calc.add", &(1, 2)),
        http.call::<_, i32>("calc.add", &(1, 2)),
    );
    for error in [a.unwrap_err(), b.unwrap_err()] {
        assert!(
            matches!(error, ClientError::TimedOut { after } if after == timeout),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "no answer within 300ms");
    }
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn headers_go_with_every_request_and_bad_ones_are_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the request ended early");
            request.extend_from_slice(&buf[..n]);
        }
        let body = br#"{"jsonrpc":"2.0","result":3,"id":1}"#;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        socket.write_all(body).await.unwrap();
        String::from_utf8_lossy(&request).to_lowercase()
    });
    let connection = HttpConnection::new(&format!("http://{addr}/RPC2"), Protocol::JsonRpc)
        .unwrap()
        .header("Authorization", "Bearer t0ken")
        .unwrap()
        .header("X-Trace", "abc")
        .unwrap();
    let sum: i32 = Client::new(connection)
        .call("calc.add", &(1, 2))
        .await
        .unwrap();
    assert_eq!(sum, 3);
    let request = seen.await.unwrap();
    assert!(
        request.contains("authorization: bearer t0ken\r\n"),
        "{request}"
    );
    assert!(request.contains("x-trace: abc\r\n"), "{request}");

    let connection = HttpConnection::new("http://127.0.0.1:1/", Protocol::JsonRpc).unwrap();
    for (name, value) in [
        ("Bad Name", "x"),
        ("X-Ok", "line\nbreak"),
        ("Content-Type", "text/xml"),
    ] {
        let error = connection.clone().header(name, value).unwrap_err();
        assert!(matches!(error, ClientError::InvalidOption(_)), "{error:?}");
    }
}

#[test]
fn https_trusts_the_roots_it_is_given_and_not_others() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_pem = certified.cert.pem();
    let tls = TlsConfig::from_pem(
        cert_pem.as_bytes(),
        certified.signing_key.serialize_pem().as_bytes(),
    )
    .unwrap();
    let rt = diglot_tests::runtime::multi_thread();
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    let server = Server::new(dispatcher)
        .endpoint(HttpEndpoint::new("127.0.0.1:0".parse().unwrap()).tls(tls));
    let served = Served::start(&rt, server).unwrap();
    let url = format!("https://localhost:{}/RPC2", served.addr("https").port());
    rt.block_on(async {
        let roots = TlsRoots::from_pem(cert_pem.as_bytes()).unwrap();
        for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
            let client = Client::new(HttpConnection::with_roots(&url, protocol, &roots).unwrap());
            let sum: i32 = client.call("calc.add", &(2, 3)).await.unwrap();
            assert_eq!(sum, 5);
        }
        // Another certificate as the only root: the handshake fails.
        let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let roots = TlsRoots::from_pem(other.cert.pem().as_bytes()).unwrap();
        let client =
            Client::new(HttpConnection::with_roots(&url, Protocol::JsonRpc, &roots).unwrap());
        let error = client
            .call::<_, i32>("calc.add", &(2, 3))
            .await
            .unwrap_err();
        assert!(matches!(error, ClientError::Io(_)), "{error:?}");
        let chain = format!("{error:?}").to_lowercase();
        assert!(chain.contains("invalidcertificate"), "{chain}");
    });
    assert!(TlsRoots::from_pem(b"not a certificate").is_err());
}

/// A listener whose accept queue is full (backlog 0, never accepted):
/// Linux drops further SYNs, so a connect neither succeeds nor fails.
#[cfg(target_os = "linux")]
fn unreachable_listener() -> (std::net::TcpListener, Vec<std::net::TcpStream>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    rustix::net::listen(&listener, 0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..16 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            Ok(stream) => queued.push(stream),
            Err(_) => return (listener, queued),
        }
    }
    panic!("the accept queue of a backlog-0 listener never filled");
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_connect_that_never_completes_is_bounded() {
    let (listener, _queued) = unreachable_listener();
    let addr = listener.local_addr().unwrap();
    let limit = Duration::from_millis(300);

    // A stream connection is a future: a timeout around it bounds it, and
    // dropping it drops the half-open socket.
    let started = Instant::now();
    let connect = tokio::time::timeout(limit, StreamConnection::tcp(addr, Protocol::JsonRpc));
    assert!(connect.await.is_err(), "the connect did not complete");
    assert!(started.elapsed() < BOUND);

    // Over HTTP the client connects inside the call: its timeout covers it.
    let url = format!("http://{addr}/RPC2");
    let client = Client::new(HttpConnection::new(&url, Protocol::JsonRpc).unwrap()).timeout(limit);
    let started = Instant::now();
    let error = client
        .call::<_, i32>("calc.add", &(1, 2))
        .await
        .unwrap_err();
    assert!(
        matches!(error, ClientError::TimedOut { after } if after == limit),
        "{error}"
    );
    assert!(started.elapsed() < BOUND);
}
