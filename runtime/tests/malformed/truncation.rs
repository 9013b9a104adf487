//! Truncation: every prefix of a valid document is refused, without a panic.

use super::*;

/// Every prefix of `doc` that stops before `end` finishes.
fn truncations<'d>(doc: &'d [u8], end: &str) -> impl Iterator<Item = &'d [u8]> {
    let end = end.as_bytes();
    let complete = doc
        .windows(end.len())
        .rposition(|w| w == end)
        .expect("the closing tag is in the document")
        + end.len();
    (0..complete).map(move |len| &doc[..len])
}

#[test]
fn every_truncation_of_a_handwritten_call_is_refused() {
    let doc = HANDWRITTEN_CALL.as_bytes();
    let (name, params) = read_call(doc).unwrap();
    assert_eq!(name, "sample.everything");
    assert_eq!(params.len(), 14);
    assert_eq!(
        params[5],
        Value::from("héllo 世界 <&> 😀 é<raw>"),
        "references, CDATA and raw text join up"
    );

    let mut count = 0;
    for prefix in truncations(doc, "</methodCall>") {
        let label = format!("the first {} bytes", prefix.len());
        let result = no_panic(&label, || read_call(prefix));
        let fault = result.expect_err(&label);
        assert_eq!(fault.code, truncation_code(prefix, CHARACTER), "{label}");
        count += 1;
    }
    assert!(count > 900, "{count} prefixes");
}

#[test]
fn every_truncation_of_a_written_call_is_refused() {
    let members: Struct = [
        ("name", Value::from("diglot <&>")),
        (
            "when",
            Value::from(DateTime::new(2028, 7, 19, 13, 43, 20).unwrap()),
        ),
        ("data", Value::from(Bytes::from(&b"\x00\xffbytes"[..]))),
    ]
    .into_iter()
    .collect();
    let params = (
        1_i32,
        i64::MAX,
        true,
        0.25_f64,
        "line1\r\nline2 😀",
        Value::Nil,
        vec![Value::from(1), Value::from(vec![Value::from("nested")])],
        members,
    );
    for dialect in [Dialect::Standard, Dialect::Apache] {
        let mut doc = Vec::new();
        xml::write_call(&mut doc, "sample.written", &params, dialect).unwrap();
        let (name, values) = read_call(&doc).unwrap();
        assert_eq!(name, "sample.written");
        assert_eq!(values.len(), 8);

        for prefix in truncations(&doc, "</methodCall>") {
            let label = format!("{dialect:?}: the first {} bytes", prefix.len());
            let fault = no_panic(&label, || read_call(prefix)).expect_err(&label);
            assert_eq!(fault.code, truncation_code(prefix, CHARACTER), "{label}");
        }
    }
}

#[test]
fn every_truncation_of_a_response_is_refused() {
    let mut result = Vec::new();
    xml::write_response(
        &mut result,
        &(
            vec![1, 2, 3],
            "é 😀",
            Value::Nil,
            BTreeMap::from([("k", 1.5)]),
        ),
        Dialect::Standard,
    )
    .unwrap();
    let mut fault = Vec::new();
    xml::write_fault(
        &mut fault,
        &Fault::new(4, "Too many parameters é"),
        Dialect::Apache,
    );

    let decoded: Result<Value, Fault> = xml::decode_response(&result, &Limits::default()).unwrap();
    assert_eq!(decoded.unwrap().as_array().unwrap().len(), 4);
    let decoded: Result<Value, Fault> = xml::decode_response(&fault, &Limits::default()).unwrap();
    assert_eq!(decoded, Err(Fault::new(4, "Too many parameters é")));

    for doc in [&result, &fault] {
        for prefix in truncations(doc, "</methodResponse>") {
            let label = format!("the first {} bytes", prefix.len());
            let outcome = no_panic(&label, || {
                xml::decode_response::<Value>(prefix, &Limits::default())
            });
            let fault = outcome.expect_err(&label);
            assert_eq!(fault.code, truncation_code(prefix, CHARACTER), "{label}");
        }
    }
}

#[test]
fn every_truncation_of_a_value_fragment_is_refused() {
    let mut fragment = Vec::new();
    xml::write_value(
        &mut fragment,
        &(1, "é", vec![Value::Nil], BTreeMap::from([("k", true)])),
        Dialect::Standard,
    )
    .unwrap();
    assert!(xml::decode_value::<Value>(&fragment, &Limits::default()).is_ok());
    for len in 0..fragment.len() {
        let prefix = &fragment[..len];
        let label = format!("the first {len} bytes");
        let fault = no_panic(&label, || {
            xml::decode_value::<Value>(prefix, &Limits::default())
        })
        .expect_err(&label);
        assert_eq!(fault.code, truncation_code(prefix, CHARACTER), "{label}");
    }
}

#[test]
fn every_truncation_of_a_json_body_is_refused() {
    let single = r#"{"jsonrpc": "2.0", "method": "é.sum", "params": {"a": [1, 2.5, null, true], "b": "😀\"\\"}, "id": "x"}"#;
    let batch = r#"[{"jsonrpc":"2.0","method":"a","params":[1],"id":1}, {"jsonrpc":"2.0","method":"notify"}, 7]"#;
    assert!(matches!(
        json::parse(single.as_bytes(), &Limits::default()),
        Ok(Incoming::Single(Ok(_)))
    ));
    assert!(matches!(
        json::parse(batch.as_bytes(), &Limits::default()),
        Ok(Incoming::Batch(entries)) if entries.len() == 3
    ));
    for body in [single, batch] {
        let body = body.as_bytes();
        for len in 0..body.len() {
            let prefix = &body[..len];
            let label = format!("the first {len} bytes");
            let outcome = no_panic(&label, || json::parse(prefix, &Limits::default()));
            let fault = outcome.expect_err(&label);
            // JSON-RPC has no invalid-character code: bytes that are not
            // UTF-8 are a parse error like any other.
            assert_eq!(fault.code, PARSE, "{label}");
        }
    }
}

#[test]
fn every_truncation_of_a_json_response_is_refused() {
    let responses = [
        r#"{"jsonrpc":"2.0","result":{"é":[1,2,{"x":null}]},"id":"abc"}"#,
        r#"{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found 😀","data":[1]},"id":7}"#,
    ];
    for body in responses {
        let body = body.as_bytes();
        assert!(json::decode_response::<Value>(body, &Limits::default()).is_ok());
        for len in 0..body.len() {
            let prefix = &body[..len];
            let label = format!("the first {len} bytes");
            let outcome = no_panic(&label, || {
                json::decode_response::<Value>(prefix, &Limits::default())
            });
            assert_eq!(outcome.expect_err(&label).code, PARSE, "{label}");
        }
    }
}
