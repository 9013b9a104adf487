//! `Client::batch`: several calls in one request — a JSON-RPC batch or an
//! XML-RPC `system.multicall` — over HTTP, TCP and in process, each answer
//! typed on its own and one call's fault leaving the others alone.

use std::sync::atomic::{AtomicUsize, Ordering};

use diglot::{
    Client, ClientError, Connection, DateTime, Dispatcher, Fault, HttpConnection, InProcess,
    Outgoing, Protocol, Server, StreamConnection,
};
use diglot_examples::calc::{Calc, CalculatorClient, CalculatorService};
use diglot_tests::served::Served;

fn dispatcher() -> Dispatcher {
    Dispatcher::new(CalculatorService::new(Calc)).unwrap()
}

/// Counts the requests that reach the dispatcher.
struct Counting {
    inner: InProcess,
    requests: AtomicUsize,
}

impl Connection for Counting {
    fn protocol(&self) -> Protocol {
        self.inner.protocol()
    }

    async fn exchange(&self, request: Outgoing) -> Result<Vec<u8>, ClientError> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.inner.exchange(request).await
    }
}

async fn check_batch<C: Connection>(client: &Client<C>) {
    let at = DateTime::new(2026, 12, 4, 10, 0, 0).unwrap();
    let mut batch = client.batch();
    let sum = batch.call::<_, i32>("calc.add", &(1, 2));
    let by_zero = batch.call::<_, f64>("calc.div", &(1.0, 0.0));
    let unknown = batch.call::<_, i32>("calc.pow", &(2, 3));
    let echoed = batch.call::<_, DateTime>("calc.echo", &(at,));
    let total = batch.call::<_, f64>("calc.sumAll", &(vec![1.5, 2.5],));
    assert_eq!(batch.len(), 5);
    let answers = batch.send().await.expect("the batch is answered");
    assert_eq!(answers.len(), 5);
    assert_eq!(answers.get(sum).unwrap(), 3);
    match answers.get(by_zero) {
        Err(ClientError::Fault(fault)) => assert_eq!(fault.message, "division by zero"),
        other => panic!("expected the division fault, got {other:?}"),
    }
    let fault = answers.get(unknown).unwrap_err();
    assert_eq!(fault.fault().map(|f| f.code), Some(Fault::METHOD_NOT_FOUND));
    assert_eq!(answers.get(echoed).unwrap(), at);
    assert_eq!(answers.get(total).unwrap(), 4.0);

    // A slot of another batch is refused, not misread.
    let mut other = client.batch();
    let foreign = other.call::<_, i32>("calc.add", &(5, 5));
    assert!(matches!(
        answers.get(foreign),
        Err(ClientError::InvalidOption(_))
    ));
    assert_eq!(other.send().await.unwrap().get(foreign).unwrap(), 10);

    assert!(client.batch().send().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_batch_is_one_request_in_either_protocol() {
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        let client = Client::new(Counting {
            inner: InProcess::new(dispatcher(), protocol),
            requests: AtomicUsize::new(0),
        });
        check_batch(&client).await;
        // Two batches sent (the empty one sends nothing).
        assert_eq!(client.connection().requests.load(Ordering::Relaxed), 2);
    }
}

#[test]
fn batches_travel_over_http_and_tcp() {
    let rt = diglot_tests::runtime::multi_thread();
    let any = "127.0.0.1:0".parse().unwrap();
    let served = Served::start(&rt, Server::new(dispatcher()).http(any).tcp(any)).unwrap();
    let url = format!("http://{}/RPC2", served.addr("http"));
    rt.block_on(async {
        for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
            check_batch(&Client::new(HttpConnection::new(&url, protocol).unwrap())).await;
            let tcp = StreamConnection::tcp(served.addr("tcp"), protocol)
                .await
                .unwrap();
            check_batch(&Client::new(tcp)).await;
        }
        // From a typed client, through the dynamic client it holds.
        let calc = CalculatorClient::new(HttpConnection::new(&url, Protocol::XmlRpc).unwrap());
        let mut batch = calc.client().batch();
        let a = batch.call::<_, i32>("calc.add", &(20, 22));
        assert_eq!(batch.send().await.unwrap().get(a).unwrap(), 42);
    });
}

#[tokio::test]
async fn a_batch_over_the_servers_limit_is_one_fault_and_bad_parameters_send_nothing() {
    for protocol in [Protocol::JsonRpc, Protocol::XmlRpc] {
        let client = Client::new(InProcess::new(dispatcher(), protocol));
        let mut batch = client.batch();
        for i in 0..101 {
            batch.call::<_, i32>("calc.add", &(i, 1));
        }
        match batch.send().await {
            Err(ClientError::Fault(fault)) => {
                assert_eq!(fault.code, Fault::INVALID_REQUEST, "{protocol:?}: {fault}")
            }
            other => panic!("{protocol:?}: expected one fault for the batch, got {other:?}"),
        }
    }
    // XML-RPC cannot carry a NaN: the batch is not sent.
    let client = Client::new(Counting {
        inner: InProcess::new(dispatcher(), Protocol::XmlRpc),
        requests: AtomicUsize::new(0),
    });
    let mut batch = client.batch();
    batch.call::<_, f64>("calc.div", &(f64::NAN, 1.0));
    assert!(matches!(batch.send().await, Err(ClientError::Encode(_))));
    // Nor by name.
    let mut batch = client.batch();
    batch.call::<_, i32>("calc.add", &diglot::Struct::from_iter([("a", 1), ("b", 2)]));
    assert!(matches!(batch.send().await, Err(ClientError::Encode(_))));
    assert_eq!(client.connection().requests.load(Ordering::Relaxed), 0);
}
