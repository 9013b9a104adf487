//! Subscriptions over shared memory: the typed client reads the
//! calculator's `calc.ticks` and unsubscribes when its items are dropped,
//! calls go on between notices, two subscriptions share a connection, a
//! client that never reads gets the lagged notice with the server's memory
//! bounded, and a connection's end (the client's or the server's) ends its
//! subscriptions on both sides.

#![cfg(target_os = "linux")]

use std::time::Duration;

use diglot::{Dispatcher, Fault, Limits, LocalName, Protocol, Server, ShmConnection, ShmEndpoint};
use diglot_examples::calc::{Calc, CalculatorClient};
use diglot_tests::served::Served;
use diglot_tests::subscribed::{calculator, settle};
use diglot_tests::tempdir::TempDir;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

fn serve(rt: &tokio::runtime::Runtime, dispatcher: &Dispatcher, dir: &TempDir) -> Served {
    let server = Server::new(dispatcher.clone())
        .endpoint(ShmEndpoint::new(LocalName::Path(dir.join("calc.shm"))));
    Served::start(rt, server).unwrap()
}

#[test]
fn the_typed_client_reads_ticks_over_shared_memory_and_unsubscribes_on_drop() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let name = served.name("shm");
    rt.block_on(async {
        let client = CalculatorClient::new(
            ShmConnection::connect(&name, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        // A call before any subscription reads its own answer.
        assert_eq!(client.add(1, 2).await.unwrap(), 3);
        let items: Vec<u32> = client
            .ticks(5, 1)
            .await
            .unwrap()
            .map(Result::unwrap)
            .collect()
            .await;
        assert_eq!(items, [1, 2, 3, 4, 5]);

        // Two at once on one connection, with calls between their items.
        let mut slow = client.ticks(1_000_000, 2).await.unwrap();
        let mut fast = client.ticks(1_000_000, 0).await.unwrap();
        assert_ne!(slow.id(), fast.id());
        for n in 1..=3 {
            assert_eq!(slow.next().await.unwrap().unwrap(), n);
            assert_eq!(client.add(n as i32, 10).await.unwrap(), n as i32 + 10);
            assert_eq!(fast.next().await.unwrap().unwrap(), n);
        }
        let fault = client.div(1.0, 0.0).await.unwrap_err();
        assert_eq!(
            fault.fault().map(|f| f.code),
            Some(Calc::DIVISION_BY_ZERO),
            "{fault}"
        );
        assert_eq!(dispatcher.subscriptions(), 2);
        drop(fast);
        settle(&dispatcher, 1).await;
        assert_eq!(slow.next().await.unwrap().unwrap(), 4);
        drop(slow);
        settle(&dispatcher, 0).await;
        assert_eq!(client.add(2, 3).await.unwrap(), 5);

        // A thread with no runtime calls on the same connection.
        let blocking = client.client().connection().clone();
        let answer = tokio::task::spawn_blocking(move || {
            blocking
                .call_blocking(br#"{"jsonrpc":"2.0","method":"calc.add","params":[4,5],"id":"b"}"#)
        })
        .await
        .unwrap()
        .unwrap();
        let answer: Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(answer["result"], 9, "{answer}");

        // Dropping the last clone of the connection ends its subscriptions.
        let _kept = client.ticks(1_000_000, 1).await.unwrap();
        assert_eq!(dispatcher.subscriptions(), 1);
    });
    // `_kept` and the client are gone.
    rt.block_on(settle(&dispatcher, 0));
    served.stop().unwrap();
}

#[test]
fn a_server_that_stops_ends_the_items_and_calls_with_an_error() {
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default());
    let served = serve(&rt, &dispatcher, &dir);
    let name = served.name("shm");
    let (client, mut items) = rt.block_on(async {
        let client = CalculatorClient::new(
            ShmConnection::connect(&name, Protocol::JsonRpc)
                .await
                .unwrap(),
        );
        let mut items = client.ticks(1_000_000, 1).await.unwrap();
        assert_eq!(items.next().await.unwrap().unwrap(), 1);
        (client, items)
    });
    served.stop().unwrap();
    rt.block_on(async {
        let ended = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(item) = items.next().await {
                if item.is_err() {
                    return;
                }
            }
        });
        ended.await.expect("the items end once the server is gone");
        let error = tokio::time::timeout(Duration::from_secs(5), client.add(1, 2))
            .await
            .expect("a call fails rather than hangs")
            .unwrap_err();
        assert!(error.to_string().contains("closed"), "{error}");
    });
}

#[test]
fn a_client_that_never_reads_gets_the_lagged_notice_and_memory_stays_bounded() {
    const BUFFER: usize = 8;
    let rt = diglot_tests::runtime::multi_thread();
    let dir = TempDir::new();
    let dispatcher = calculator(Limits::default().max_subscription_buffer(BUFFER));
    let served = serve(&rt, &dispatcher, &dir);
    // A raw connection reads one message per call: it reads nothing while
    // it makes no call.
    let raw = ShmConnection::connect_blocking(&served.name("shm"), Protocol::JsonRpc).unwrap();
    let call = |id: u64, method: &str, params: Value| -> Value {
        let request = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": id});
        let answer = raw
            .call_blocking(&serde_json::to_vec(&request).unwrap())
            .unwrap();
        serde_json::from_slice(&answer).unwrap()
    };
    let answer = call(1, "calc.ticks", json!([50_000_000, 0]));
    let id = answer["result"].clone();
    assert!(id.is_u64(), "{answer}");
    // Not reading: the response ring fills, then the subscription's queue.
    rt.block_on(settle(&dispatcher, 0));
    // Each call now reads one message: the notices the ring and the queue
    // held, and answers to the calls, in order among themselves.
    let mut items = 0u64;
    let mut calls = 1;
    let mut answered = 1;
    let end = loop {
        calls += 1;
        let message = call(calls, "calc.add", json!([2, 3]));
        if message.get("id").is_some() {
            answered += 1;
            assert_eq!(message["id"], answered, "{message}");
            assert_eq!(message["result"], 5, "{message}");
            continue;
        }
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
    // What was produced is what the ring and the subscription's queue held.
    assert!(
        items > BUFFER as u64 && items < 1_000_000,
        "{items} items reached a client that was not reading"
    );
    // Only answers follow.
    let next = call(calls + 1, "calc.add", json!([2, 3]));
    assert_eq!(next["id"], answered + 1, "{next}");
    assert_eq!(next["result"], 5, "{next}");
    served.stop().unwrap();
}
