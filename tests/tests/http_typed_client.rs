//! The calculator's generated typed client over real HTTP, end to end:
//! `CalculatorClient::new(HttpConnection::new(url, protocol))` for XML-RPC
//! and JSON-RPC, against the calculator served by `Server::http` on
//! 127.0.0.1 (port 0) — results, faults, the dynamic client underneath,
//! notifications, concurrent calls on one client, and transport errors.

mod http_support;

use diglot::{ClientError, Dispatcher, HttpConnection, Protocol, Value};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};
use http_support::TestServer;

fn server() -> TestServer {
    TestServer::http(Dispatcher::new(CalculatorService::new(Calc)).unwrap(), None)
}

fn typed(url: &str, protocol: Protocol) -> CalculatorClient<HttpConnection> {
    CalculatorClient::new(HttpConnection::new(url, protocol).expect("a valid URL"))
}

#[test]
fn every_method_over_both_protocols() {
    let server = server();
    let url = server.url();
    server.rt.block_on(async {
        for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
            let calc = typed(&url, protocol);
            assert_eq!(calc.add(2, 3).await.unwrap(), 5, "{protocol:?}");
            // A sum past 32 bits is a fault, not a wrapped number.
            let overflow = calc.add(i32::MAX, 1).await.unwrap_err();
            assert_eq!(
                overflow.fault().map(|f| f.code),
                Some(Calc::OVERFLOW),
                "{protocol:?}"
            );
            assert_eq!(calc.div(1.0, 4.0).await.unwrap(), 0.25, "{protocol:?}");
            assert_eq!(
                calc.sum(vec![1.0, 2.5, -0.5]).await.unwrap(),
                3.0,
                "{protocol:?}"
            );
            assert_eq!(calc.sum(Vec::new()).await.unwrap(), 0.0, "{protocol:?}");
            let mut items = vec![
                Value::from("x <&> \r ü"),
                Value::from(1_i64 << 40),
                Value::Nil,
                Value::from(vec![Value::from(true), Value::from(-0.5)]),
            ];
            if protocol == Protocol::XmlRpc {
                // JSON has no bytes: they travel as a base64 string.
                items.push(Value::from(diglot::Bytes(vec![0, 255])));
            }
            let nested = Value::from(items);
            assert_eq!(
                calc.echo(nested.clone()).await.unwrap(),
                nested,
                "{protocol:?}"
            );
            // A response large enough to be worth compressing (diglot's
            // client does not ask for gzip, so it comes back plain).
            let big = Value::from("0123456789".repeat(1000));
            assert_eq!(calc.echo(big.clone()).await.unwrap(), big, "{protocol:?}");
        }
    });
}

#[test]
fn faults_and_the_dynamic_client() {
    let server = server();
    let url = server.url();
    server.rt.block_on(async {
        for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
            let calc = typed(&url, protocol);
            match calc.div(1.0, 0.0).await.unwrap_err() {
                ClientError::Fault(fault) => {
                    assert_eq!(
                        (fault.code, fault.message.as_str()),
                        (Calc::DIVISION_BY_ZERO, "division by zero")
                    );
                }
                other => panic!("{protocol:?}: expected a fault, got {other}"),
            }
            let dynamic = calc.client();
            let sum: i32 = dynamic.call("calc.add", &(40, 2)).await.unwrap();
            assert_eq!(sum, 42);
            let missing = dynamic
                .call::<_, i32>("calc.pow", &(2, 3))
                .await
                .unwrap_err();
            assert_eq!(
                missing.fault().map(|f| f.code),
                Some(-32601),
                "{protocol:?}"
            );
            let wrong = dynamic
                .call::<_, i32>("calc.add", &("two", 3))
                .await
                .unwrap_err();
            assert_eq!(wrong.fault().map(|f| f.code), Some(-32602), "{protocol:?}");
            let names: Vec<String> = dynamic.call("system.listMethods", &()).await.unwrap();
            assert!(names.iter().any(|n| n == "calc.sumAll"), "{names:?}");
            // A notification (over XML-RPC: a call whose result is dropped).
            dynamic.notify("calc.add", &(1, 2)).await.unwrap();
            // The result decoded as the wrong type is a client-side error.
            let error = dynamic
                .call::<_, String>("calc.add", &(1, 2))
                .await
                .unwrap_err();
            assert!(error.fault().is_none(), "{protocol:?}: {error}");
        }
        // By name, over JSON-RPC.
        let json = typed(&url, Protocol::JsonRpc);
        #[derive(serde::Serialize)]
        struct Operands {
            a: f64,
            b: f64,
        }
        let quotient: f64 = json
            .client()
            .call("calc.div", &Operands { a: 1.0, b: 8.0 })
            .await
            .unwrap();
        assert_eq!(quotient, 0.125);
    });
}

#[test]
fn concurrent_calls_share_one_client() {
    let server = server();
    let url = server.url();
    server.rt.block_on(async {
        for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
            let calc = std::sync::Arc::new(typed(&url, protocol));
            let calls: Vec<_> = (0..50)
                .map(|i| {
                    let calc = calc.clone();
                    tokio::spawn(async move { (i, calc.add(i, i).await) })
                })
                .collect();
            for call in calls {
                let (i, sum) = call.await.unwrap();
                assert_eq!(sum.unwrap(), 2 * i, "{protocol:?}");
            }
        }
    });
}

#[test]
fn transport_errors_are_not_faults() {
    let server = server();
    let addr = server.addr;
    server.rt.block_on(async {
        // No RPC endpoint at this path: 404.
        let calc = typed(&format!("http://{addr}/elsewhere"), Protocol::JsonRpc);
        let error = calc.add(1, 2).await.unwrap_err();
        assert!(error.fault().is_none(), "{error}");
        assert!(matches!(error, ClientError::HttpStatus(404)), "{error}");
        // Nothing listening.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let calc = typed(&format!("http://{closed}/RPC2"), Protocol::XmlRpc);
        let error = calc.add(1, 2).await.unwrap_err();
        assert!(matches!(error, ClientError::Io(_)), "{error}");
        assert!(
            std::error::Error::source(&error).is_some(),
            "the cause is kept"
        );
    });
    // Not an http:// URL.
    for url in ["ftp://127.0.0.1/RPC2", "not a url"] {
        let error = HttpConnection::new(url, Protocol::XmlRpc).unwrap_err();
        assert!(matches!(error, ClientError::InvalidAddress(_)), "{error}");
    }
}
