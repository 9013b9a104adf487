//! The examples of the JSON-RPC 2.0 specification
//! (<https://www.jsonrpc.org/specification>, section 7), answered by a small
//! test-only dispatcher built on `diglot::json`, and compared with the
//! responses the specification gives.
//!
//! Error messages are not compared where the specification's wording differs
//! from diglot's; codes, ids and results are. A batch's responses may come in
//! any order, so batches are compared as sets (and, separately, checked to
//! follow the order of the requests, which diglot keeps).

use diglot::json::{self, BatchWriter, Entry, Id, Incoming, Request};
use diglot::{Fault, Limits};
use serde::{Deserialize, Serialize};
use serde_json::{Value as Json, json};

// ---------------------------------------------------------------------------
// The dispatcher.
// ---------------------------------------------------------------------------

/// The methods the specification's examples call.
fn handle(request: &Request<'_>) -> Result<Json, Fault> {
    let params = &request.params;
    match &*request.method {
        "subtract" if params.is_by_name() => {
            #[derive(Deserialize)]
            struct Named {
                minuend: i64,
                subtrahend: i64,
            }
            let Named {
                minuend,
                subtrahend,
            } = params.decode()?;
            Ok(json!(minuend - subtrahend))
        }
        "subtract" => {
            let (minuend, subtrahend): (i64, i64) = params.decode()?;
            Ok(json!(minuend - subtrahend))
        }
        "sum" | "notify_sum" => {
            let terms: Vec<i64> = params.decode()?;
            Ok(json!(terms.iter().sum::<i64>()))
        }
        "update" => {
            let _: Vec<i64> = params.decode()?;
            Ok(Json::Null)
        }
        "notify_hello" => {
            let (_,): (i64,) = params.decode()?;
            Ok(Json::Null)
        }
        "get_data" => {
            let []: [Json; 0] = params.decode()?;
            Ok(json!(["hello", 5]))
        }
        "fail" => Err(Fault::internal_error("the handler failed").with_data("details")),
        name => Err(Fault::method_not_found(name)),
    }
}

/// What one entry of a body gets: nothing for a notification, else a result
/// or an error under the request's id.
enum Answer<'a> {
    None,
    Result(Id<'a>, Json),
    Error(Id<'a>, Fault),
}

fn answer<'a>(entry: Entry<'a>) -> Answer<'a> {
    match entry {
        Err(rejected) => Answer::Error(rejected.id, rejected.fault),
        Ok(request) => {
            let outcome = handle(&request);
            match (request.id, outcome) {
                // Notifications are never answered, not even with an error.
                (None, _) => Answer::None,
                (Some(id), Ok(result)) => Answer::Result(id, result),
                (Some(id), Err(fault)) => Answer::Error(id, fault),
            }
        }
    }
}

/// Serves one request body; `None` means no response body at all.
fn serve(body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    match json::parse(body, &Limits::default()) {
        Err(fault) => json::write_error(&mut out, &Id::Null, &fault),
        Ok(Incoming::Single(entry)) => match answer(entry) {
            Answer::None => return None,
            Answer::Result(id, result) => json::write_result(&mut out, &id, &result).unwrap(),
            Answer::Error(id, fault) => json::write_error(&mut out, &id, &fault),
        },
        Ok(Incoming::Batch(entries)) => {
            let mut batch = BatchWriter::new(&mut out);
            for entry in entries {
                match answer(entry) {
                    Answer::None => {}
                    Answer::Result(id, result) => batch.result(&id, &result).unwrap(),
                    Answer::Error(id, fault) => batch.error(&id, &fault),
                }
            }
            let answered = batch.len();
            batch.finish();
            if answered == 0 {
                assert!(out.is_empty(), "an unanswered batch writes nothing");
                return None;
            }
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// Comparison with the specification's responses.
// ---------------------------------------------------------------------------

/// Checks the shape every response object must have, then drops what may
/// differ from the specification's text: an error's message and data.
fn normalize(response: &Json) -> Json {
    let object = response.as_object().expect("a response is an object");
    assert_eq!(object["jsonrpc"], "2.0", "{response}");
    assert!(object.contains_key("id"), "{response}");
    let mut normalized = response.clone();
    match (object.get("result"), object.get("error")) {
        (Some(_), None) => {}
        (None, Some(error)) => {
            let error = error.as_object().expect("an error object");
            assert!(error["code"].is_i64(), "{response}");
            let message = error["message"].as_str().expect("a message string");
            assert!(!message.is_empty(), "{response}");
            let error = normalized["error"].as_object_mut().unwrap();
            error.remove("message");
            error.remove("data");
        }
        _ => panic!("a response has exactly one of result and error: {response}"),
    }
    normalized
}

/// Sends `request` (JSON text) and compares the response with `expected`
/// (`None`: the specification says nothing is returned).
fn exchange(request: &str, expected: Option<&str>) {
    let response = serve(request.as_bytes());
    let Some(expected) = expected else {
        assert_eq!(
            response.map(|r| String::from_utf8(r).unwrap()),
            None,
            "{request}"
        );
        return;
    };
    let response = response.unwrap_or_else(|| panic!("no response to {request}"));
    let actual: Json = serde_json::from_slice(&response)
        .unwrap_or_else(|e| panic!("the response is not JSON ({e}): {response:?}"));
    let expected: Json = serde_json::from_str(expected).unwrap();
    match (&actual, &expected) {
        (Json::Array(actual), Json::Array(expected)) => {
            assert!(
                !actual.is_empty(),
                "a batch response is never an empty array"
            );
            let mut actual: Vec<Json> = actual.iter().map(normalize).collect();
            let mut expected: Vec<Json> = expected.iter().map(normalize).collect();
            // The order of a batch's responses is free.
            actual.sort_by_key(Json::to_string);
            expected.sort_by_key(Json::to_string);
            assert_eq!(actual, expected, "{request}");
        }
        (Json::Object(_), Json::Object(_)) => {
            assert_eq!(normalize(&actual), normalize(&expected), "{request}");
        }
        _ => panic!("{request}: got {actual}, expected {expected}"),
    }
}

// ---------------------------------------------------------------------------
// Section 7, in order.
// ---------------------------------------------------------------------------

#[test]
fn rpc_call_with_positional_parameters() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 1}"#),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}"#,
        Some(r#"{"jsonrpc": "2.0", "result": -19, "id": 2}"#),
    );
}

#[test]
fn rpc_call_with_named_parameters() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 3}"#),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}"#,
        Some(r#"{"jsonrpc": "2.0", "result": 19, "id": 4}"#),
    );
}

#[test]
fn a_notification() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}"#,
        None,
    );
    // `foobar` does not exist: still no response, not even an error.
    exchange(r#"{"jsonrpc": "2.0", "method": "foobar"}"#, None);
    // A notification whose parameters are wrong is not answered either.
    exchange(
        r#"{"jsonrpc": "2.0", "method": "update", "params": ["x"]}"#,
        None,
    );
}

#[test]
fn rpc_call_of_non_existent_method() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "foobar", "id": "1"}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "1"}"#,
        ),
    );
}

#[test]
fn rpc_call_with_invalid_json() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#,
        ),
    );
}

#[test]
fn rpc_call_with_invalid_request_object() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
        ),
    );
}

#[test]
fn rpc_call_batch_with_invalid_json() {
    exchange(
        r#"[
  {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
  {"jsonrpc": "2.0", "method"
]"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}, "id": null}"#,
        ),
    );
}

#[test]
fn rpc_call_with_an_empty_array() {
    // One error object, not an array.
    exchange(
        "[]",
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
        ),
    );
}

#[test]
fn rpc_call_with_an_invalid_batch_but_not_empty() {
    exchange(
        "[1]",
        Some(
            r#"[
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
]"#,
        ),
    );
}

#[test]
fn rpc_call_with_invalid_batch() {
    exchange(
        "[1,2,3]",
        Some(
            r#"[
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
  {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}
]"#,
        ),
    );
}

const MIXED_BATCH: &str = r#"[
        {"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]},
        {"jsonrpc": "2.0", "method": "subtract", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "get_data", "id": "9"}
    ]"#;

const MIXED_BATCH_RESPONSE: &str = r#"[
        {"jsonrpc": "2.0", "result": 7, "id": "1"},
        {"jsonrpc": "2.0", "result": 19, "id": "2"},
        {"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
        {"jsonrpc": "2.0", "error": {"code": -32601, "message": "Method not found"}, "id": "5"},
        {"jsonrpc": "2.0", "result": ["hello", 5], "id": "9"}
    ]"#;

#[test]
fn rpc_call_batch() {
    exchange(MIXED_BATCH, Some(MIXED_BATCH_RESPONSE));
}

#[test]
fn rpc_call_batch_answers_in_request_order() {
    let response: Json = serde_json::from_slice(&serve(MIXED_BATCH.as_bytes()).unwrap()).unwrap();
    let ids: Vec<Json> = response
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(
        ids,
        vec![json!("1"), json!("2"), Json::Null, json!("5"), json!("9")]
    );
}

#[test]
fn rpc_call_batch_all_notifications() {
    exchange(
        r#"[
        {"jsonrpc": "2.0", "method": "notify_sum", "params": [1,2,4]},
        {"jsonrpc": "2.0", "method": "notify_hello", "params": [7]}
    ]"#,
        None,
    );
}

// ---------------------------------------------------------------------------
// Beyond the examples: the other error codes, single answers, ids.
// ---------------------------------------------------------------------------

#[test]
fn invalid_params_and_internal_errors_carry_the_request_id() {
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": ["a", "b"], "id": 10}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 10}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": [1], "id": 11}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 11}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 1}, "id": 12}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 12}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "get_data", "params": [1], "id": 13}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32602, "message": "Invalid params"}, "id": 13}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "fail", "id": 14}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32603, "message": "Internal error"}, "id": 14}"#,
        ),
    );
    // `data` travels when the fault has it.
    let response: Json =
        serde_json::from_slice(&serve(br#"{"jsonrpc":"2.0","method":"fail","id":14}"#).unwrap())
            .unwrap();
    assert_eq!(response["error"]["data"], "details");
}

#[test]
fn a_single_request_is_answered_with_an_object_and_a_batch_with_an_array() {
    let single = serve(br#"{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}"#).unwrap();
    assert_eq!(single, br#"{"jsonrpc":"2.0","result":3,"id":1}"#);
    let batch = serve(br#"[{"jsonrpc":"2.0","method":"sum","params":[1,2],"id":1}]"#).unwrap();
    assert_eq!(batch, br#"[{"jsonrpc":"2.0","result":3,"id":1}]"#);
    // A batch of one notification and one request holds one response.
    let batch = serve(
        br#"[{"jsonrpc":"2.0","method":"notify_hello","params":[7]},{"jsonrpc":"2.0","method":"sum","params":[],"id":"z"}]"#,
    )
    .unwrap();
    assert_eq!(batch, br#"[{"jsonrpc":"2.0","result":0,"id":"z"}]"#);
}

/// The id a request's response carries, as JSON text.
fn echoed_id(id_text: &str) -> String {
    let request = format!(r#"{{"jsonrpc":"2.0","method":"sum","params":[1],"id":{id_text}}}"#);
    let response = String::from_utf8(serve(request.as_bytes()).unwrap()).unwrap();
    let prefix = r#"{"jsonrpc":"2.0","result":1,"id":"#;
    assert!(response.starts_with(prefix), "{response}");
    response[prefix.len()..]
        .strip_suffix('}')
        .unwrap_or_else(|| panic!("{response}"))
        .to_owned()
}

#[test]
fn ids_are_echoed_verbatim() {
    for id in [
        "1",
        "0",
        "-7",
        "9007199254740993",
        "123456789012345678901234567890",
        "1.5",
        "1.50",
        "-0.0",
        "1e3",
        "2E-7",
        // Past f64's range: valid JSON, refused by serde_json's f64 reader.
        "499988.7970730e919",
        r#""abc""#,
        r#""""#,
        r#""é 😀 \"quoted\" \\ \u0041""#,
        "null",
    ] {
        let echoed = echoed_id(id);
        if id.starts_with('"') {
            // A string comes back as the same string (escapes may be spelt differently).
            let sent: String = serde_json::from_str(id).unwrap();
            let back: String = serde_json::from_str(&echoed).unwrap();
            assert_eq!(back, sent, "{id}");
        } else {
            assert_eq!(echoed, id, "numbers and null come back exactly as sent");
        }
    }
}

#[test]
fn a_null_id_is_a_request_not_a_notification() {
    let Ok(Incoming::Single(Ok(request))) = json::parse(
        br#"{"jsonrpc":"2.0","method":"sum","params":[2],"id":null}"#,
        &Limits::default(),
    ) else {
        panic!("a valid request")
    };
    assert_eq!(request.id, Some(Id::Null));
    assert!(!request.is_notification());
    exchange(
        r#"{"jsonrpc":"2.0","method":"sum","params":[2],"id":null}"#,
        Some(r#"{"jsonrpc":"2.0","result":2,"id":null}"#),
    );
}

#[test]
fn ids_of_other_types_are_invalid_requests_answered_with_null() {
    for id in [r#"{"a": 1}"#, "{}", "[1]", "[]", "true", "false"] {
        exchange(
            &format!(r#"{{"jsonrpc": "2.0", "method": "sum", "params": [1], "id": {id}}}"#),
            Some(
                r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null}"#,
            ),
        );
    }
    // In a batch, the other requests are still answered.
    exchange(
        r#"[{"jsonrpc": "2.0", "method": "sum", "params": [1], "id": {"a": 1}},
            {"jsonrpc": "2.0", "method": "sum", "params": [2], "id": 2}]"#,
        Some(
            r#"[{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": null},
                {"jsonrpc": "2.0", "result": 2, "id": 2}]"#,
        ),
    );
}

#[test]
fn an_invalid_request_with_a_readable_id_is_answered_with_it() {
    exchange(
        r#"{"jsonrpc": "1.0", "method": "sum", "params": [1], "id": 21}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": 21}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": 5, "id": "m"}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": "m"}"#,
        ),
    );
    exchange(
        r#"{"jsonrpc": "2.0", "method": "sum", "params": 3, "id": 22}"#,
        Some(
            r#"{"jsonrpc": "2.0", "error": {"code": -32600, "message": "Invalid Request"}, "id": 22}"#,
        ),
    );
}

// ---------------------------------------------------------------------------
// The client side: diglot's requests get the specification's answers.
// ---------------------------------------------------------------------------

#[test]
fn requests_written_by_diglot_are_answered_as_the_specification_says() {
    #[derive(Serialize)]
    struct Named {
        subtrahend: i64,
        minuend: i64,
    }
    let calls: [(&str, Vec<u8>, i64); 3] = [
        (
            "positional",
            request("subtract", &(42, 23), Some(&Id::from(1))),
            19,
        ),
        (
            "named",
            request(
                "subtract",
                &Named {
                    subtrahend: 23,
                    minuend: 42,
                },
                Some(&Id::from("three")),
            ),
            19,
        ),
        ("sum", request("sum", &[1, 2, 4], Some(&Id::Null)), 7),
    ];
    for (what, body, want) in calls {
        let response = serve(&body).unwrap_or_else(|| panic!("{what}: no response"));
        let (id, outcome) = json::decode_response::<i64>(&response, &Limits::default()).unwrap();
        assert_eq!(outcome, Ok(want), "{what}");
        let sent: Json = serde_json::from_slice(&body).unwrap();
        let back: Json = serde_json::from_slice(&response).unwrap();
        assert_eq!(back["id"], sent["id"], "{what}");
        assert!(matches!(id, Id::Number(_) | Id::String(_) | Id::Null));
    }

    // A notification: no id member, and no response.
    let body = request("update", &[1, 2, 3, 4, 5], None);
    let sent: Json = serde_json::from_slice(&body).unwrap();
    assert!(sent.get("id").is_none(), "{sent}");
    assert_eq!(serve(&body), None);

    // No parameters: `params` is omitted, which the server reads as none.
    let body = request("get_data", &(), Some(&Id::from(9)));
    let sent: Json = serde_json::from_slice(&body).unwrap();
    assert!(sent.get("params").is_none(), "{sent}");
    let response = serve(&body).unwrap();
    let (id, outcome) =
        json::decode_response::<(String, i32)>(&response, &Limits::default()).unwrap();
    assert_eq!(id, Id::from(9));
    assert_eq!(outcome, Ok(("hello".to_owned(), 5)));

    // The server's error comes back as the inner fault.
    let response = serve(&request("foobar", &(), Some(&Id::from("1")))).unwrap();
    let (id, outcome) = json::decode_response::<Json>(&response, &Limits::default()).unwrap();
    assert_eq!(id, Id::from("1"));
    assert_eq!(outcome.unwrap_err().code, Fault::METHOD_NOT_FOUND);
}

fn request<P: Serialize + ?Sized>(method: &str, params: &P, id: Option<&Id<'_>>) -> Vec<u8> {
    let mut out = Vec::new();
    json::write_request(&mut out, method, params, id).unwrap();
    out
}
