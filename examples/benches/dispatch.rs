//! Dispatch cost of one `calc.add(1, 2)` call, end to end.
//!
//! Every case in the `calc_add` group goes from request bytes to response
//! bytes through [`Dispatcher::handle_body`], except `direct`, which calls
//! the trait method itself as the floor. `calc.add` is synchronous, so the
//! dispatcher's future completes on its first poll: the cases drive it with
//! a no-op waker, and `json_tokio` shows what a current-thread runtime's
//! `block_on` adds on top.
//!
//! ```text
//! cargo bench -p diglot-examples --bench dispatch -- --warm-up-time 1 --measurement-time 3
//! ```

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};
use diglot::{Dispatcher, Protocol};
use diglot_examples::calc::{Calc, Calculator, CalculatorService};

/// `calc.add(1, 2)` as Python's `xmlrpc.client.dumps((1, 2), "calc.add")`
/// writes it.
const XML: &[u8] = b"<?xml version='1.0'?>\n<methodCall>\n<methodName>calc.add</methodName>\n\
<params>\n<param>\n<value><int>1</int></value>\n</param>\n<param>\n\
<value><int>2</int></value>\n</param>\n</params>\n</methodCall>\n";

/// `calc.add(1, 2)` with parameters by position.
const JSON: &[u8] = br#"{"jsonrpc":"2.0","method":"calc.add","params":[1,2],"id":1}"#;

/// `calc.add(1, 2)` with parameters by name.
const JSON_NAMED: &[u8] = br#"{"jsonrpc":"2.0","method":"calc.add","params":{"a":1,"b":2},"id":1}"#;

/// Polls a future once with a no-op waker; it must be ready.
fn now<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a synchronous method's dispatch did not complete"),
    }
}

/// Answers `body` in `protocol`, without a runtime.
fn answer(dispatcher: &Dispatcher, body: &[u8], protocol: Protocol) -> Vec<u8> {
    now(dispatcher.handle_body(body, Some(protocol))).body
}

/// Checks each request once, so the timings are of correct answers.
fn check(dispatcher: &Dispatcher) {
    let xml = String::from_utf8(answer(dispatcher, XML, Protocol::XmlRpc)).unwrap();
    assert!(
        xml.contains("<value><int>3</int></value>") || xml.contains("<value><i4>3</i4></value>"),
        "unexpected XML-RPC response: {xml}"
    );
    assert!(!xml.contains("fault"), "unexpected XML-RPC fault: {xml}");
    let expected = r#"{"jsonrpc":"2.0","result":3,"id":1}"#;
    for body in [JSON, JSON_NAMED] {
        let json = String::from_utf8(answer(dispatcher, body, Protocol::JsonRpc)).unwrap();
        assert_eq!(json, expected, "unexpected JSON-RPC response");
    }
}

fn calc_add(c: &mut Criterion) {
    let dispatcher = Dispatcher::new(CalculatorService::new(Calc)).unwrap();
    check(&dispatcher);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let through_runtime = runtime
        .block_on(dispatcher.handle_body(JSON, Some(Protocol::JsonRpc)))
        .body;
    assert_eq!(
        through_runtime,
        answer(&dispatcher, JSON, Protocol::JsonRpc)
    );

    let mut group = c.benchmark_group("calc_add");
    group.bench_function("xml", |b| {
        b.iter(|| answer(&dispatcher, black_box(XML), Protocol::XmlRpc));
    });
    group.bench_function("json", |b| {
        b.iter(|| answer(&dispatcher, black_box(JSON), Protocol::JsonRpc));
    });
    group.bench_function("json_named", |b| {
        b.iter(|| answer(&dispatcher, black_box(JSON_NAMED), Protocol::JsonRpc));
    });
    group.bench_function("json_tokio", |b| {
        b.iter(|| {
            runtime
                .block_on(dispatcher.handle_body(black_box(JSON), Some(Protocol::JsonRpc)))
                .body
        });
    });
    group.bench_function("direct", |b| {
        b.iter(|| Calculator::add(&Calc, black_box(1), black_box(2)));
    });
    group.finish();
}

criterion_group!(benches, calc_add);
criterion_main!(benches);
