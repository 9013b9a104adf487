//! Clients of the shared-memory transport against real servers.
//!
//! * the calculator example (a second process, `--shm PATH`) answers the
//!   typed client from async code, the dynamic client from a thread with
//!   no runtime (`call_blocking`), and the typed client driven by
//!   `diglot::block_on`, in XML-RPC and JSON-RPC; faults arrive as
//!   faults; a notification keeps the connection in step; the handshake
//!   socket is a private (0600) file and the client learns the server's
//!   pid and uid;
//! * 16 threads, each with its own connection, make 200 calls each at once
//!   against the calculator process, every answer right;
//! * threads and tasks sharing one connection take turns;
//! * an async call whose future is dropped mid-call finishes in the
//!   background, and the connection's next call gets its own answer;
//! * a Linux abstract name serves too;
//! * stopping the server ends idle connections promptly: `serve_until`
//!   returns well within a second and the client's next call fails with a
//!   clear error.

#![cfg(target_os = "linux")]

mod shm_support;

use std::os::unix::fs::{FileTypeExt as _, PermissionsExt as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diglot::LocalName;
use diglot::{Client, ClientError, Protocol, ShmConnection, Value};
use diglot_examples::calc::{Calc, CalculatorClient};
use shm_support::{InProcess, TempDir, runtime, spawn_calculator};

const PROTOCOLS: [Protocol; 2] = [Protocol::JsonRpc, Protocol::XmlRpc];

#[test]
fn the_calculator_example_serves_shared_memory_to_every_kind_of_client() {
    let dir = TempDir::new();
    let path = dir.join("calc.shm");
    let server = spawn_calculator(&path);
    let name = LocalName::Path(path.clone());

    let metadata = std::fs::metadata(&path).expect("the handshake socket exists");
    assert!(metadata.file_type().is_socket());
    assert_eq!(metadata.permissions().mode() & 0o777, 0o600);

    // Async, typed.
    let rt = runtime();
    for protocol in PROTOCOLS {
        rt.block_on(async {
            let calc =
                CalculatorClient::new(ShmConnection::connect(&name, protocol).await.unwrap());
            assert_eq!(calc.add(1, 2).await.unwrap(), 3, "{protocol:?}");
            assert_eq!(calc.div(1.0, 4.0).await.unwrap(), 0.25, "{protocol:?}");
            let fault = calc.div(1.0, 0.0).await.unwrap_err();
            assert_eq!(
                fault.fault().map(|f| f.code),
                Some(Calc::DIVISION_BY_ZERO),
                "{protocol:?}: {fault}"
            );
            let value = Value::from(vec![Value::from("a"), Value::from(7)]);
            assert_eq!(calc.echo(value.clone()).await.unwrap(), value);
        });
    }
    drop(rt);

    // Blocking, dynamic, on this thread (no runtime here).
    for protocol in PROTOCOLS {
        let client = Client::new(ShmConnection::connect_blocking(&name, protocol).unwrap());
        let sum: i32 = client.call_blocking("calc.add", &(20, 22)).unwrap();
        assert_eq!(sum, 42, "{protocol:?}");
        diglot::block_on(client.notify("calc.add", &(1, 1))).unwrap();
        let total: f64 = client
            .call_blocking("calc.sumAll", &(vec![1.5, 2.5],))
            .unwrap();
        assert_eq!(total, 4.0, "{protocol:?}: the call after a notification");

        let server_peer = client
            .connection()
            .shm_client()
            .server()
            .expect("the kernel reports the server's credentials");
        assert_eq!(server_peer.pid, Some(server.child.id() as i32));
    }

    // Typed, driven without a runtime.
    let calc =
        CalculatorClient::new(ShmConnection::connect_blocking(&name, Protocol::XmlRpc).unwrap());
    assert_eq!(diglot::block_on(calc.add(2, 3)).unwrap(), 5);
    drop(server);
}

#[test]
fn sixteen_clients_make_two_hundred_calls_each_at_once() {
    const CLIENTS: i32 = 16;
    const CALLS: i32 = 200;
    let dir = TempDir::new();
    let path = dir.join("calc.shm");
    let _server = spawn_calculator(&path);
    let name = LocalName::Path(path);
    let started = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|t| {
            let name = name.clone();
            std::thread::spawn(move || {
                let protocol = PROTOCOLS[t as usize % 2];
                let client = Client::new(ShmConnection::connect_blocking(&name, protocol).unwrap());
                for i in 0..CALLS {
                    let sum: i32 = client
                        .call_blocking("calc.add", &(i, t * 1000))
                        .unwrap_or_else(|e| panic!("client {t}, call {i}: {e}"));
                    assert_eq!(sum, i + t * 1000, "client {t}, call {i}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("a client thread succeeded");
    }
    let elapsed = started.elapsed();
    println!(
        "{} calls from {CLIENTS} clients in {elapsed:?} ({:?} per call)",
        CLIENTS * CALLS,
        elapsed / (CLIENTS * CALLS) as u32
    );
}

#[test]
fn threads_sharing_one_connection_take_turns() {
    let server = InProcess::new();
    let client = Arc::new(Client::new(
        ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap(),
    ));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                for i in 0..100 {
                    let sum: i32 = client.call_blocking("calc.add", &(i, t)).unwrap();
                    assert_eq!(sum, i + t);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    // And from async tasks sharing it.
    server.rt.block_on(async {
        let calls = (0..8).map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.call::<_, i32>("calc.add", &(i, i)).await })
        });
        for (i, call) in calls.enumerate() {
            assert_eq!(call.await.unwrap().unwrap(), 2 * i as i32);
        }
    });
}

#[test]
fn an_async_call_given_up_by_its_caller_leaves_the_connection_usable() {
    let server = InProcess::new();
    server.rt.block_on(async {
        let client = Client::new(
            ShmConnection::connect(&server.name, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        let slow = client.call::<_, u64>("slow.sleep", &(300,));
        let given_up = tokio::time::timeout(Duration::from_millis(50), slow).await;
        assert!(given_up.is_err(), "the slow call was still running");
        // The abandoned call finishes on the blocking pool; this one waits
        // for the connection, then gets its own answer.
        let sum: i32 = client.call("calc.add", &(1, 2)).await.unwrap();
        assert_eq!(sum, 3);
        let slept: u64 = client.call("slow.sleep", &(1,)).await.unwrap();
        assert_eq!(slept, 1);
    });
    assert_eq!(
        server
            .counters
            .finished
            .load(std::sync::atomic::Ordering::SeqCst),
        2
    );
}

#[test]
fn an_abstract_name_serves() {
    let name = LocalName::Abstract(format!("diglot-shm-test-{}", std::process::id()));
    let server = InProcess::at(name.clone());
    let calc =
        CalculatorClient::new(ShmConnection::connect_blocking(&name, Protocol::JsonRpc).unwrap());
    assert_eq!(diglot::block_on(calc.add(40, 2)).unwrap(), 42);
    drop(server);
}

#[test]
fn stopping_the_server_ends_idle_connections_with_a_clear_error() {
    let server = InProcess::new();
    let client =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap());
    let sum: i32 = client.call_blocking("calc.add", &(1, 2)).unwrap();
    assert_eq!(sum, 3);
    let started = Instant::now();
    server.stop();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "serve_until took {:?} to return with an idle connection",
        started.elapsed()
    );
    let started = Instant::now();
    let error = client
        .call_blocking::<_, i32>("calc.add", &(1, 2))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(error, ClientError::Closed(_)), "{error}");
    assert!(error.to_string().contains("closed"), "{error}");
}
