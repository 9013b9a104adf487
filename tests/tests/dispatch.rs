//! The dispatcher over both protocols, in-process, through the transport
//! seam (`diglot::transport::Handler`) — the same path every transport takes.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use diglot::transport::{Handler, Message, Protocol};
use diglot::{Dispatcher, Fault, Limits, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// A point, to pass structs both ways.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Across.
    pub x: i64,
    /// Up.
    pub y: i64,
}

/// A service that exercises what the macro supports.
#[diglot::rpc(namespace = "t")]
pub trait Testing {
    /// Greets by name, borrowing the name from the request.
    fn greet(&self, name: &str, punctuation: Option<String>) -> String;
    /// Moves a point.
    async fn shift(&self, point: Point, #[rpc(name = "by")] delta: i64) -> Point;
    /// Always panics.
    fn boom(&self) -> i32;
    /// Panics after an await.
    async fn boom_later(&self) -> i32;
    /// Fails with an application fault.
    fn refuse(&self, code: i32) -> Result<(), Fault>;
    /// Not listed by introspection.
    #[rpc(hidden)]
    fn secret(&self) -> String;
    /// Takes nothing, returns nothing.
    fn nothing(&self);
    /// Joins any number of parts with a separator.
    fn join(&self, separator: String, #[rpc(rest)] parts: Vec<String>) -> String;
}

struct Impl;

impl Testing for Impl {
    fn greet(&self, name: &str, punctuation: Option<String>) -> String {
        format!("hello {name}{}", punctuation.as_deref().unwrap_or(""))
    }
    async fn shift(&self, point: Point, delta: i64) -> Point {
        tokio::task::yield_now().await;
        Point {
            x: point.x + delta,
            y: point.y + delta,
        }
    }
    fn boom(&self) -> i32 {
        panic!("deliberate panic in a test handler")
    }
    async fn boom_later(&self) -> i32 {
        tokio::task::yield_now().await;
        panic!("deliberate panic after an await")
    }
    fn refuse(&self, code: i32) -> Result<(), Fault> {
        Err(Fault::new(code, "refused"))
    }
    fn secret(&self) -> String {
        "found".to_owned()
    }
    fn nothing(&self) {}
    fn join(&self, separator: String, parts: Vec<String>) -> String {
        parts.join(&separator)
    }
}

/// A second service, to merge under another namespace.
#[diglot::rpc(namespace = "other", separator = "_")]
pub trait Other {
    /// Doubles.
    fn double(&self, n: i32) -> i32;
}

impl Other for Impl {
    fn double(&self, n: i32) -> i32 {
        n * 2
    }
}

/// A service whose name clashes with `Testing`'s.
#[diglot::rpc(namespace = "t")]
pub trait Clash {
    /// Same wire name as Testing's.
    fn greet(&self) -> i32;
}

impl Clash for Impl {
    fn greet(&self) -> i32 {
        0
    }
}

fn dispatcher() -> Dispatcher {
    Dispatcher::builder()
        .service(TestingService::new(Impl))
        .service(OtherService::new(Impl))
        .limits(Limits::default().max_batch_len(5))
        .build()
        .unwrap()
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// Sends a JSON body through the seam; `None` when the reply is empty.
fn json_call(d: &Dispatcher, body: serde_json::Value) -> Option<serde_json::Value> {
    let body = serde_json::to_vec(&body).unwrap();
    let reply = block_on(d.handle(Message::new(&body, "test")));
    assert_eq!(reply.protocol, Protocol::JsonRpc);
    (!reply.body.is_empty()).then(|| serde_json::from_slice(&reply.body).unwrap())
}

/// Sends an XML-RPC call through the seam and decodes the response.
fn xml_call<P: Serialize>(d: &Dispatcher, method: &str, params: &P) -> Result<Value, Fault> {
    let mut body = Vec::new();
    diglot::xml::write_call(&mut body, method, params, diglot::xml::Dialect::Standard).unwrap();
    xml_raw(d, &body)
}

fn xml_raw(d: &Dispatcher, body: &[u8]) -> Result<Value, Fault> {
    let reply = block_on(d.handle(Message::new(body, "test").protocol(Some(Protocol::XmlRpc))));
    assert_eq!(reply.protocol, Protocol::XmlRpc);
    diglot::xml::decode_response(&reply.body, &Limits::default()).unwrap()
}

fn rpc(method: &str, params: serde_json::Value) -> serde_json::Value {
    json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
}

fn error_code(response: &serde_json::Value) -> i64 {
    response["error"]["code"]
        .as_i64()
        .unwrap_or_else(|| panic!("no error in {response}"))
}

#[test]
fn calls_by_position_by_name_and_over_xml() {
    let d = dispatcher();
    let r = json_call(&d, rpc("t.greet", json!(["ann", "!"]))).unwrap();
    assert_eq!(r["result"], "hello ann!");
    let r = json_call(&d, rpc("t.greet", json!({"name": "bo"}))).unwrap();
    assert_eq!(r["result"], "hello bo", "a trailing Option may be left out");
    let r = json_call(&d, rpc("t.greet", json!(["cy"]))).unwrap();
    assert_eq!(r["result"], "hello cy");
    assert_eq!(
        xml_call(&d, "t.greet", &("dee", "?")),
        Ok(Value::from("hello dee?"))
    );
    assert_eq!(
        xml_call(&d, "t.greet", &("eve",)),
        Ok(Value::from("hello eve"))
    );
}

#[test]
fn async_methods_structs_and_renamed_parameters() {
    let d = dispatcher();
    let r = json_call(
        &d,
        rpc("t.shift", json!({"point": {"x": 1, "y": 2}, "by": 10})),
    )
    .unwrap();
    assert_eq!(r["result"], json!({"x": 11, "y": 12}));
    let r = json_call(
        &d,
        rpc("t.shift", json!({"point": {"x": 1, "y": 2}, "delta": 10})),
    )
    .unwrap();
    assert_eq!(
        error_code(&r),
        -32602,
        "the Rust name is not the wire name: {r}"
    );
    let shifted = xml_call(&d, "t.shift", &(Point { x: 1, y: 1 }, 1_i64 << 40)).unwrap();
    assert_eq!(shifted.get("x"), Some(&Value::I64((1 << 40) + 1)));
}

#[test]
fn faults_for_unknown_methods_and_bad_parameters_name_what_was_wrong() {
    let d = dispatcher();
    let r = json_call(&d, rpc("t.nope", json!([]))).unwrap();
    assert_eq!(error_code(&r), -32601);

    let r = json_call(&d, rpc("t.shift", json!([{"x": 1, "y": 2}]))).unwrap();
    assert_eq!(error_code(&r), -32602);
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`by`") && message.contains("i64"),
        "{message}"
    );

    let r = json_call(&d, rpc("t.shift", json!([{"x": "one", "y": 2}, 3]))).unwrap();
    let message = r["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`point`") && message.contains("Point"),
        "{message}"
    );
    assert!(
        !message.contains("one"),
        "a fault must not echo the request: {message}"
    );

    let r = json_call(&d, rpc("t.greet", json!(["a", "b", "c"]))).unwrap();
    assert_eq!(error_code(&r), -32602);

    let fault = xml_call(&d, "t.greet", &("a", "b", "c")).unwrap_err();
    assert_eq!(fault.code, -32602);
    assert!(
        fault.message.contains("takes 2 parameters"),
        "{}",
        fault.message
    );
    let fault = xml_call(&d, "t.greet", &(5,)).unwrap_err();
    assert_eq!(fault.code, -32602);
    assert!(fault.message.contains("`name`"), "{}", fault.message);
    let fault = xml_call(&d, "t.refuse", &(42,)).unwrap_err();
    assert_eq!((fault.code, fault.message.as_str()), (42, "refused"));
}

/// An XML-RPC fault names the element as the client wrote it, the
/// parameter and its Rust type.
#[test]
fn xml_faults_name_the_element_the_client_sent() {
    let d = dispatcher();
    let call = |param: &str| {
        format!(
            "<?xml version=\"1.0\"?><methodCall><methodName>t.refuse</methodName>\
             <params><param><value>{param}</value></param></params></methodCall>"
        )
    };
    for (param, names) in [
        (
            "<int>4294967296</int>",
            "<int> does not hold a 32-bit integer",
        ),
        ("<i4>4294967296</i4>", "<i4> does not hold a 32-bit integer"),
        ("<ex:i8>x</ex:i8>", "<ex:i8> does not hold a 64-bit integer"),
        ("<i8>4294967296</i8>", "(sent as <i8>)"),
        ("<string>7</string>", "expected i32 (sent as <string>)"),
        ("<double>1.5</double>", "(sent as <double>)"),
    ] {
        let fault = xml_raw(&d, call(param).as_bytes()).unwrap_err();
        assert_eq!(fault.code, Fault::INVALID_PARAMS, "{param}: {fault}");
        assert!(
            fault.message.contains(names) && fault.message.contains("`code` of t.refuse (i32)"),
            "{param}: {}",
            fault.message
        );
        if !param.contains("i4") {
            assert!(
                !fault.message.contains("<i4>"),
                "{param}: {}",
                fault.message
            );
        }
    }
}

#[test]
fn a_panicking_method_is_a_fault_and_the_dispatcher_keeps_serving() {
    let d = dispatcher();
    for method in ["t.boom", "t.boom_later"] {
        let r = json_call(&d, rpc(method, json!([]))).unwrap();
        assert_eq!(error_code(&r), -32603, "{method}");
        assert_eq!(xml_call(&d, method, &()).unwrap_err().code, -32603);
    }
    let r = json_call(&d, rpc("other_double", json!([21]))).unwrap();
    assert_eq!(r["result"], 42);
}

#[test]
fn notifications_and_batches() {
    let d = dispatcher();
    let note = json!({"jsonrpc": "2.0", "method": "other_double", "params": [1]});
    assert_eq!(json_call(&d, note.clone()), None);
    assert_eq!(json_call(&d, json!([note.clone(), note.clone()])), None);
    let batch = json_call(
        &d,
        json!([
            rpc("other_double", json!([2])),
            note,
            rpc("t.nope", json!([])),
            7
        ]),
    )
    .unwrap();
    let batch = batch.as_array().unwrap();
    assert_eq!(batch.len(), 3);
    assert_eq!(batch[0]["result"], 4);
    assert_eq!(error_code(&batch[1]), -32601);
    assert_eq!(error_code(&batch[2]), -32600);
    let too_long: Vec<_> = (0..6).map(|_| rpc("other_double", json!([1]))).collect();
    assert_eq!(error_code(&json_call(&d, json!(too_long)).unwrap()), -32600);
}

#[test]
fn unit_returns_and_hidden_methods() {
    let d = dispatcher();
    assert_eq!(xml_call(&d, "t.nothing", &()), Ok(Value::Nil));
    let r = json_call(&d, rpc("t.nothing", json!([]))).unwrap();
    assert_eq!(r["result"], serde_json::Value::Null);
    assert!(r.get("error").is_none());
    assert_eq!(xml_call(&d, "t.secret", &()), Ok(Value::from("found")));
}

#[test]
fn introspection() {
    let d = dispatcher();
    let names = xml_call(&d, "system.listMethods", &()).unwrap();
    let names: Vec<&str> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for expected in [
        "t.greet",
        "t.shift",
        "other_double",
        "system.multicall",
        "rpc.discover",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    assert!(
        !names.contains(&"t.secret"),
        "hidden methods are not listed"
    );

    let signature = xml_call(&d, "system.methodSignature", &("t.shift",)).unwrap();
    assert_eq!(
        signature,
        Value::from(vec![Value::from(vec!["struct", "struct", "i8"])])
    );
    let help = xml_call(&d, "system.methodHelp", &("t.greet",)).unwrap();
    assert_eq!(
        help,
        Value::from("Greets by name, borrowing the name from the request.")
    );
    assert_eq!(
        xml_call(&d, "system.methodHelp", &("t.secret",))
            .unwrap_err()
            .code,
        -32601
    );
    let caps = xml_call(&d, "system.getCapabilities", &()).unwrap();
    assert!(caps.get("faults_interop").is_some());

    let discover = json_call(
        &d,
        json!({"jsonrpc": "2.0", "method": "rpc.discover", "id": 9}),
    )
    .unwrap();
    let methods = discover["result"]["methods"].as_array().unwrap();
    let greet = methods.iter().find(|m| m["name"] == "t.greet").unwrap();
    assert_eq!(greet["params"][0]["schema"], json!({"type": "string"}));
    assert_eq!(greet["params"][1]["required"], false);
    assert!(methods.iter().all(|m| m["name"] != "t.secret"));
}

#[test]
fn multicall_is_bounded_and_does_not_recurse() {
    let d = dispatcher();
    let call = |name: &str, params: Vec<Value>| {
        Value::from(diglot::Struct::from_iter([
            ("methodName", Value::from(name)),
            ("params", Value::from(params)),
        ]))
    };
    let calls = vec![
        call("other_double", vec![Value::from(4)]),
        call("t.nope", vec![]),
        call("system.multicall", vec![Value::from(Vec::<Value>::new())]),
        Value::from("not a struct"),
    ];
    let answers = xml_call(&d, "system.multicall", &(calls.clone(),)).unwrap();
    let answers = answers.as_array().unwrap();
    assert_eq!(answers[0], Value::from(vec![8]));
    assert_eq!(answers[1].get("faultCode"), Some(&Value::I32(-32601)));
    assert_eq!(answers[2].get("faultCode"), Some(&Value::I32(-32600)));
    assert_eq!(answers[3].get("faultCode"), Some(&Value::I32(-32602)));

    let r = json_call(
        &d,
        rpc("system.multicall", serde_json::to_value((calls,)).unwrap()),
    )
    .unwrap();
    assert_eq!(r["result"][0], json!([8]));

    let many: Vec<Value> = (0..6)
        .map(|_| call("other_double", vec![Value::from(1)]))
        .collect();
    assert_eq!(
        xml_call(&d, "system.multicall", &(many,)).unwrap_err().code,
        -32600
    );
}

/// A JSON-RPC batch of multicalls would run `max_batch_len` squared calls;
/// `max_calls` bounds the whole request. Before this bound, a batch of 100
/// multicalls of 100 ran 10 000 calls.
#[test]
fn a_batch_of_multicalls_is_bounded_by_the_calls_limit() {
    let d = Dispatcher::builder()
        .service(TestingService::new(Impl))
        .build()
        .unwrap();
    let multicall = |n: usize, id: usize| {
        let calls: Vec<serde_json::Value> = (0..n)
            .map(|_| json!({"methodName": "t.greet", "params": ["x"]}))
            .collect();
        json!({"jsonrpc": "2.0", "method": "system.multicall", "params": [calls], "id": id})
    };
    // 100 multicalls of 100: the first fits the default 100 calls, the rest
    // are refused whole, each answered with -32600.
    let batch: Vec<serde_json::Value> = (0..100).map(|id| multicall(100, id)).collect();
    let answers = json_call(&d, json!(batch)).unwrap();
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 100);
    assert_eq!(answers[0]["result"].as_array().unwrap().len(), 100);
    for answer in &answers[1..] {
        assert_eq!(answer["error"]["code"], -32600, "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.contains("more than 100 calls"), "{message}");
    }
    // Two of 60: the second does not fit the 40 calls left.
    let answers = json_call(&d, json!([multicall(60, 1), multicall(60, 2)])).unwrap();
    assert_eq!(answers[0]["result"].as_array().unwrap().len(), 60);
    assert_eq!(answers[1]["error"]["code"], -32600);
    // A batch of plain calls counts one each: 100 fit, and with a lower
    // bound the calls past it are refused one by one.
    let plain =
        |id: usize| json!({"jsonrpc": "2.0", "method": "t.greet", "params": ["x"], "id": id});
    let answers = json_call(&d, json!((0..100).map(plain).collect::<Vec<_>>())).unwrap();
    assert!(
        answers
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a.get("result").is_some())
    );
    let strict = Dispatcher::builder()
        .service(TestingService::new(Impl))
        .limits(Limits::default().max_calls(3))
        .build()
        .unwrap();
    let answers = json_call(&strict, json!((0..5).map(plain).collect::<Vec<_>>())).unwrap();
    let codes: Vec<bool> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.get("result").is_some())
        .collect();
    assert_eq!(codes, [true, true, true, false, false]);
}

#[test]
fn a_name_defined_twice_across_services_fails_the_build() {
    let error = Dispatcher::builder()
        .service(TestingService::new(Impl))
        .service(ClashService::new(Impl))
        .build()
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("t.greet") && message.contains("Testing") && message.contains("Clash"),
        "{message}"
    );
}

#[test]
fn malformed_bodies_get_faults_in_their_protocol() {
    let d = dispatcher();
    assert_eq!(
        xml_raw(&d, b"<methodCall><methodName>t.greet")
            .unwrap_err()
            .code,
        -32700
    );
    let r = json_call_raw(&d, b"{\"jsonrpc\": \"2.0\", \"method\"");
    assert_eq!(error_code(&r), -32700);
    let r = json_call_raw(&d, b"\x00\x01garbage");
    assert_eq!(error_code(&r), -32700);
}

fn json_call_raw(d: &Dispatcher, body: &[u8]) -> serde_json::Value {
    let reply = block_on(d.handle(Message::new(body, "test")));
    serde_json::from_slice(&reply.body).unwrap()
}

#[test]
fn sync_methods_answer_without_suspending() {
    // A synchronous method's reply is ready on the first poll: no runtime needed.
    let d = dispatcher();
    let body = br#"{"jsonrpc":"2.0","method":"other_double","params":[5],"id":3}"#;
    let mut future = std::pin::pin!(d.handle_body(body, None));
    let mut cx = Context::from_waker(Waker::noop());
    let Poll::Ready(reply) = future.as_mut().poll(&mut cx) else {
        panic!("a sync method should not suspend")
    };
    assert_eq!(reply.body, br#"{"jsonrpc":"2.0","result":10,"id":3}"#);
}

#[test]
fn a_rest_parameter_takes_what_follows_by_position_and_one_array_by_name() {
    let d = dispatcher();
    let joined = |params| json_call(&d, rpc("t.join", params)).unwrap();
    assert_eq!(joined(json!(["-", "a", "b", "c"]))["result"], "a-b-c");
    assert_eq!(joined(json!(["-"]))["result"], "", "no parts: empty");
    let many: Vec<String> = (0..40).map(|n| n.to_string()).collect();
    let mut params = vec!["".to_owned()];
    params.extend(many.iter().cloned());
    assert_eq!(joined(json!(params))["result"], many.concat());
    assert_eq!(
        xml_call(&d, "t.join", &("+", "x", "y")),
        Ok(Value::from("x+y"))
    );
    assert_eq!(xml_call(&d, "t.join", &("+",)), Ok(Value::from("")));

    // By name: the rest is one array under its name, or left out.
    let r = joined(json!({"separator": "/", "parts": ["p", "q"]}));
    assert_eq!(r["result"], "p/q");
    assert_eq!(joined(json!({"separator": "/"}))["result"], "");
    let r = joined(json!({"separator": "/", "parts": "p"}));
    assert_eq!(error_code(&r), -32602, "{r}");
    let r = joined(json!({"separator": "/", "part1": "p"}));
    assert_eq!(error_code(&r), -32602, "{r}");

    // A part of the wrong type is blamed on the rest parameter.
    let r = joined(json!(["-", "a", 7]));
    assert_eq!(error_code(&r), -32602);
    let message = r["error"]["message"].as_str().unwrap();
    assert!(message.contains("`parts` of t.join"), "{message}");
    let fault = xml_call(&d, "t.join", &("-", "a", 7)).unwrap_err();
    assert_eq!(fault.code, Fault::INVALID_PARAMS);
    assert!(fault.message.contains("`parts` of t.join"), "{fault:?}");

    // The typed client spreads the parts after the separator.
    for protocol in [Protocol::XmlRpc, Protocol::JsonRpc] {
        let client = TestingClient::new(diglot::InProcess::new(d.clone(), protocol));
        let parts = vec!["x".to_owned(), "y".to_owned(), "z".to_owned()];
        assert_eq!(block_on(client.join(".".into(), parts)).unwrap(), "x.y.z");
        assert_eq!(block_on(client.join(".".into(), vec![])).unwrap(), "");
    }

    // Introspection: the element type once, and OpenRPC marks the rest.
    let signature = xml_call(&d, "system.methodSignature", &("t.join",)).unwrap();
    assert_eq!(
        signature,
        Value::Array(vec![Value::Array(vec![
            "string".into(),
            "string".into(),
            "string".into()
        ])])
    );
    let doc = json_call(
        &d,
        json!({"jsonrpc": "2.0", "method": "rpc.discover", "id": 9}),
    )
    .unwrap();
    let methods = doc["result"]["methods"].as_array().unwrap();
    let join = methods.iter().find(|m| m["name"] == "t.join").unwrap();
    assert_eq!(
        join["params"][1],
        json!({
            "name": "parts",
            "required": false,
            "schema": {"type": "array", "items": {"type": "string"}},
            "x-rest": true,
        })
    );
}
