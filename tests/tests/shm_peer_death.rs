//! Either side of a shared-memory connection killed with SIGKILL mid-call.
//!
//! * a client process killed while its call runs in the server: the
//!   server gives the call up (the handler's future is dropped, long
//!   before it would finish), ends that connection's thread, unmaps its
//!   memory and closes its descriptors — this process is back to the
//!   descriptors, mappings and threads it held before the client came —
//!   and keeps serving other clients;
//! * a server process killed while calls run in it: a blocking call and an
//!   async call in flight both fail with `ShmError::Closed` within 2 s, a
//!   call on an idle connection fails the same way, later calls on a
//!   failed connection fail at once (`Broken`), and connecting again is
//!   refused with a clear error.
//!
//! The second processes are this test binary run again (the `child`
//! test), as a client or as a server.

#![cfg(target_os = "linux")]

mod shm_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use diglot::LocalName;
use diglot::{Client, ClientError, Limits, Protocol, Server, ShmConnection};
use shm_support::{
    CHILD_ROLE, CHILD_SOCKET, InProcess, SlowImpl, TempDir, counting, dispatcher, held, runtime,
    spawn_self, wait_for_socket, wait_until,
};

/// Runs only as a child process (see `spawn_self`); a no-op otherwise.
#[test]
fn child() {
    let Ok(role) = std::env::var(CHILD_ROLE) else {
        return;
    };
    let socket = LocalName::Path(std::env::var_os(CHILD_SOCKET).expect("a socket").into());
    match role.as_str() {
        // Connects and makes a call that lasts a minute: it is killed first.
        "client" => {
            let client =
                Client::new(ShmConnection::connect_blocking(&socket, Protocol::JsonRpc).unwrap());
            let _ = client.call_blocking::<_, u64>("slow.sleep", &(60_000,));
            std::process::exit(3);
        }
        // Serves until its stdin closes (the test is gone) or it is killed.
        "server" => {
            let rt = runtime();
            rt.block_on(async {
                let server = Server::new(dispatcher(Limits::default(), SlowImpl::default()))
                    .shm(socket)
                    .bind()
                    .await
                    .unwrap();
                let stdin_closed = tokio::task::spawn_blocking(|| {
                    let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
                });
                server
                    .serve_until(async {
                        let _ = stdin_closed.await;
                    })
                    .await
                    .unwrap();
            });
        }
        other => panic!("unknown child role {other}"),
    }
}

#[test]
fn a_client_killed_mid_call_frees_its_connection_and_the_server_serves_on() {
    let _serial = counting();
    let server = InProcess::new();
    let path = match &server.name {
        LocalName::Path(path) => path.clone(),
        other => panic!("not a path: {other}"),
    };
    // One connection first, so that every lazily made resource exists.
    let warm =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::JsonRpc).unwrap());
    let sum: i32 = warm.call_blocking("calc.add", &(1, 2)).unwrap();
    assert_eq!(sum, 3);
    drop(warm);
    assert!(wait_until(Duration::from_secs(2), || held().shm_threads == 0));
    let before = held();

    let mut child = spawn_self("child", "client", &path);
    drop(child.child.stdin.take());
    let counters = server.counters.clone();
    assert!(
        wait_until(Duration::from_secs(20), || counters
            .started
            .load(Ordering::SeqCst)
            == 1),
        "the child's call never reached the server"
    );
    let during = held();
    assert_eq!(during.shm_threads, before.shm_threads + 1, "{during:?}");
    assert_eq!(during.shm_maps, before.shm_maps + 1, "{during:?}");

    let killed = Instant::now();
    child.kill();
    let freed = wait_until(Duration::from_secs(2), || held().is_back_to(&before));
    assert!(
        freed,
        "2 s after the kill the server still holds {:?}, not {before:?}",
        held()
    );
    println!(
        "the killed client's connection was freed in {:?}",
        killed.elapsed()
    );
    assert_eq!(
        counters.abandoned.load(Ordering::SeqCst),
        1,
        "the call was given up"
    );
    assert_eq!(counters.finished.load(Ordering::SeqCst), 0);

    assert!(server.is_serving());
    let other =
        Client::new(ShmConnection::connect_blocking(&server.name, Protocol::XmlRpc).unwrap());
    let sum: i32 = other.call_blocking("calc.add", &(20, 22)).unwrap();
    assert_eq!(sum, 42);
}

#[test]
fn a_server_killed_mid_call_fails_the_calls_within_two_seconds() {
    let _serial = counting();
    let dir = TempDir::new();
    let path = dir.join("rpc.shm");
    let mut server = spawn_self("child", "server", &path);
    wait_for_socket(&path, &mut server);
    let name = LocalName::Path(path);
    let connect = || {
        Arc::new(Client::new(
            ShmConnection::connect_blocking(&name, Protocol::JsonRpc).unwrap(),
        ))
    };

    let blocking = connect();
    let idle = connect();
    for client in [&blocking, &idle] {
        let sum: i32 = client.call_blocking("calc.add", &(1, 2)).unwrap();
        assert_eq!(sum, 3);
    }
    let in_flight = {
        let client = blocking.clone();
        std::thread::spawn(move || {
            let result = client.call_blocking::<_, u64>("slow.sleep", &(60_000,));
            (result, Instant::now())
        })
    };
    let rt = runtime();
    let async_client = connect();
    let async_call = rt.spawn(async move {
        let result = async_client.call::<_, u64>("slow.sleep", &(60_000,)).await;
        (result, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!in_flight.is_finished() && !async_call.is_finished());

    let killed = Instant::now();
    server.kill();
    let (result, failed) = in_flight.join().unwrap();
    let error = result.unwrap_err();
    println!(
        "blocking call failed {:?} after the kill: {error}",
        failed - killed
    );
    assert!(
        failed - killed < Duration::from_secs(2),
        "{:?}",
        failed - killed
    );
    assert!(matches!(error, ClientError::Closed(_)), "{error}");
    assert!(error.to_string().contains("closed"), "{error}");

    let (result, failed) = rt.block_on(async_call).unwrap();
    let error = result.unwrap_err();
    assert!(
        failed - killed < Duration::from_secs(2),
        "{:?}",
        failed - killed
    );
    assert!(matches!(error, ClientError::Closed(_)), "{error}");

    let started = Instant::now();
    let error = idle
        .call_blocking::<_, i32>("calc.add", &(1, 2))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(matches!(error, ClientError::Closed(_)), "{error}");

    let started = Instant::now();
    let error = blocking
        .call_blocking::<_, i32>("calc.add", &(1, 2))
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(100));
    assert!(matches!(error, ClientError::Closed(_)), "{error}");

    let error = ShmConnection::connect_blocking(&name, Protocol::JsonRpc).unwrap_err();
    assert!(error.to_string().contains("cannot connect"), "{error}");
}
