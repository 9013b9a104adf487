//! Time limits and stopping, over real HTTP on 127.0.0.1 (port 0):
//!
//! - a dispatcher's `call_timeout` turns a call that runs too long into a
//!   -32000 fault the HTTP client receives (not a dropped connection), and
//!   the server keeps serving;
//! - graceful shutdown (`serve_until`): calls in flight finish with their
//!   results, new connections are refused at once, an idle keep-alive
//!   connection does not hold the shutdown up, and `serve_until` returns.

mod http_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use diglot::{
    Client, ClientError, Connection as _, Dispatcher, Fault, HttpConnection, Protocol, Server,
};
use http_support::{TestServer, post, read_response, runtime};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::sync::{Notify, oneshot};

/// A service with a slow method.
#[diglot::rpc(namespace = "s")]
pub trait Sleepy {
    /// Sleeps `ms` milliseconds, then answers `ms`.
    async fn sleep(&self, ms: u64) -> u64;
    /// Adds.
    fn add(&self, a: i32, b: i32) -> i32;
}

#[derive(Clone, Default)]
struct Impl {
    /// Told each time a sleep starts.
    started: Arc<Notify>,
}

impl Sleepy for Impl {
    async fn sleep(&self, ms: u64) -> u64 {
        self.started.notify_one();
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }
    fn add(&self, a: i32, b: i32) -> i32 {
        a + b
    }
}

fn clients(url: &str) -> [Client<HttpConnection>; 2] {
    [Protocol::JsonRpc, Protocol::XmlRpc]
        .map(|p| Client::new(HttpConnection::new(url, p).expect("a valid URL")))
}

#[test]
fn a_call_past_the_call_timeout_gets_a_fault_and_the_server_keeps_serving() {
    let dispatcher = Dispatcher::builder()
        .service(SleepyService::new(Impl::default()))
        .call_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let server = TestServer::http(dispatcher, None);
    let url = server.url();
    server.rt.block_on(async {
        for client in clients(&url) {
            let protocol = client.connection().protocol();
            let started = Instant::now();
            let error = client
                .call::<_, u64>("s.sleep", &(2000,))
                .await
                .expect_err("a 2 s call under a 200 ms limit fails");
            let took = started.elapsed();
            match &error {
                ClientError::Fault(fault) => assert_eq!(
                    fault.code,
                    Fault::TIMED_OUT,
                    "{protocol:?}: the fault is -32000: {fault}"
                ),
                other => panic!("{protocol:?}: expected a -32000 fault, not {other}"),
            }
            assert!(
                took >= Duration::from_millis(200) && took < Duration::from_millis(1500),
                "{protocol:?}: the fault came after {took:?}"
            );
            // The same client, the same keep-alive connection: still served.
            assert_eq!(client.call::<_, i32>("s.add", &(2, 3)).await.unwrap(), 5);
            assert_eq!(client.call::<_, u64>("s.sleep", &(20,)).await.unwrap(), 20);
        }
    });

    // On the wire: HTTP 200 with a JSON-RPC error, on a connection that stays open.
    server.rt.block_on(async {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        let mut leftover = Vec::new();
        let slow = post(
            "/RPC2",
            &["Content-Type: application/json"],
            br#"{"jsonrpc":"2.0","method":"s.sleep","params":[2000],"id":1}"#,
        );
        stream.write_all(&slow).await.unwrap();
        let r = read_response(&mut stream, &mut leftover)
            .await
            .unwrap()
            .expect("an answer");
        assert_eq!(r.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["error"]["code"], -32000, "{body}");
        assert_eq!(body["id"], 1);
        let quick = post(
            "/RPC2",
            &["Content-Type: application/json"],
            br#"{"jsonrpc":"2.0","method":"s.add","params":[1,1],"id":2}"#,
        );
        stream.write_all(&quick).await.unwrap();
        let r = read_response(&mut stream, &mut leftover)
            .await
            .unwrap()
            .expect("an answer");
        assert_eq!(r.text(), r#"{"jsonrpc":"2.0","result":2,"id":2}"#);
    });
    server.stop().expect("the server stops cleanly");
}

#[test]
fn graceful_shutdown_finishes_calls_in_flight_and_refuses_new_connections() {
    let service = Impl::default();
    let started = service.started.clone();
    let rt = runtime();
    let bound = rt
        .block_on(
            Server::new(Dispatcher::new(SleepyService::new(service)).unwrap())
                .http("127.0.0.1:0".parse().unwrap())
                .bind(),
        )
        .expect("binds");
    let addr = bound.http_addrs()[0];
    let url = format!("http://{addr}/RPC2");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = rt.spawn(bound.serve_until(async move {
        let _ = stopped.await;
    }));

    rt.block_on(async move {
        // An idle keep-alive connection, which must not hold the shutdown up.
        let mut idle = TcpStream::connect(addr).await.unwrap();
        let add = post(
            "/RPC2",
            &["Content-Type: application/json"],
            br#"{"jsonrpc":"2.0","method":"s.add","params":[1,2],"id":1}"#,
        );
        idle.write_all(&add).await.unwrap();
        let r = read_response(&mut idle, &mut Vec::new()).await.unwrap().unwrap();
        assert_eq!(r.status, 200);

        // Two slow calls, one per protocol.
        let slow: Vec<_> = clients(&url)
            .into_iter()
            .map(|client| tokio::spawn(async move { client.call::<_, u64>("s.sleep", &(500,)).await }))
            .collect();
        for _ in 0..2 {
            tokio::time::timeout(Duration::from_secs(5), started.notified())
                .await
                .expect("the slow calls start");
        }

        let signalled = Instant::now();
        stop.send(()).unwrap();
        // New connections are refused while the slow calls still run.
        loop {
            match TcpStream::connect(addr).await {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break,
                // Accepted into the backlog just as the listener closed.
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
                Err(e) => panic!("connecting after shutdown: {e}"),
                Ok(_) => {}
            }
            assert!(
                signalled.elapsed() < Duration::from_millis(300),
                "still accepting connections {:?} after the shutdown signal",
                signalled.elapsed()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(
            slow.iter().all(|call| !call.is_finished()),
            "the slow calls were still running when new connections were refused"
        );
        assert!(!served.is_finished(), "serve_until waits for calls in flight");

        for call in slow {
            let result = call.await.expect("the call task did not panic");
            assert_eq!(result.expect("a call in flight finishes with its result"), 500);
        }
        let ended = tokio::time::timeout(Duration::from_secs(3), served)
            .await
            .expect("serve_until returns soon after the last call (the idle connection does not hold it up)")
            .expect("the server task did not panic");
        ended.expect("serve_until returns Ok");
        assert!(
            signalled.elapsed() < Duration::from_secs(3),
            "shutdown took {:?}",
            signalled.elapsed()
        );
        let refused = TcpStream::connect(addr).await.expect_err("nothing listens after serve_until");
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        // The idle keep-alive connection was closed by the server.
        let after = read_response(&mut idle, &mut Vec::new()).await;
        assert!(
            matches!(after, Ok(None) | Err(_)) && !matches!(&after, Err(e) if e.kind() == std::io::ErrorKind::TimedOut),
            "the idle connection is closed: {after:?}"
        );
    });
}

/// A connection accepted just before the stop whose request arrives just
/// after it — what a proxy's fresh upstream connection looks like during a
/// rolling restart — gets its answer, not a closed connection.
#[test]
fn a_request_on_a_connection_accepted_before_the_stop_is_answered() {
    let rt = runtime();
    let bound = rt
        .block_on(
            Server::new(Dispatcher::new(SleepyService::new(Impl::default())).unwrap())
                .http("127.0.0.1:0".parse().unwrap())
                .bind(),
        )
        .expect("binds");
    let addr = bound.http_addrs()[0];
    let handle = bound.handle();
    let served = rt.spawn(bound.serve_until(std::future::pending()));
    rt.block_on(async move {
        let mut fresh = TcpStream::connect(addr).await.unwrap();
        // Accepted and waiting for its first request.
        tokio::time::sleep(Duration::from_millis(100)).await;
        handle.stop();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let add = post(
            "/RPC2",
            &["Content-Type: application/json"],
            br#"{"jsonrpc":"2.0","method":"s.add","params":[2,3],"id":1}"#,
        );
        fresh.write_all(&add).await.unwrap();
        let answer = read_response(&mut fresh, &mut Vec::new())
            .await
            .expect("the answer is read")
            .expect("the server answers before closing");
        assert_eq!(answer.status, 200);
        assert_eq!(answer.text(), r#"{"jsonrpc":"2.0","result":5,"id":1}"#);
        // Then the connection closes, and the server stops.
        let after = read_response(&mut fresh, &mut Vec::new()).await;
        assert!(matches!(after, Ok(None) | Err(_)), "{after:?}");
        tokio::time::timeout(Duration::from_secs(3), served)
            .await
            .expect("the server stops once it has answered")
            .unwrap()
            .unwrap();
    });
}
