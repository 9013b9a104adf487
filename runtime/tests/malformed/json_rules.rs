//! JSON request objects that break the rules, and malformed responses.

use super::*;

#[test]
fn json_bodies_that_are_not_requests() {
    let parse_errors: &[&str] = &[
        "",
        "   ",
        "{",
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\",}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"m\"} trailing",
        "{}{}",
        "[{\"jsonrpc\":\"2.0\",\"method\":\"m\"},]",
        "{'jsonrpc':'2.0'}",
        "<methodCall/>",
        "\u{feff}{\"jsonrpc\":\"2.0\",\"method\":\"m\"}",
        "NaN",
    ];
    for body in parse_errors {
        let (id, fault) = json_fault(body.as_bytes());
        assert_eq!((id, fault.code), (Id::Null, PARSE), "{body:?}: {fault}");
    }
    // Well-formed JSON that is not a valid request: -32600, with the id
    // whenever it could be read.
    let invalid: &[(&str, Id<'static>)] = &[
        ("1", Id::Null),
        ("\"m\"", Id::Null),
        ("null", Id::Null),
        ("true", Id::Null),
        ("{}", Id::Null),
        (r#"{"method":"m","id":1}"#, Id::from(1)),
        (r#"{"jsonrpc":"1.0","method":"m","id":1}"#, Id::from(1)),
        (r#"{"jsonrpc":2.0,"method":"m","id":1}"#, Id::from(1)),
        (r#"{"jsonrpc":null,"method":"m","id":"s"}"#, Id::from("s")),
        (r#"{"jsonrpc":"2.0","id":1}"#, Id::from(1)),
        (r#"{"jsonrpc":"2.0","method":null,"id":1}"#, Id::from(1)),
        (r#"{"jsonrpc":"2.0","method":["m"],"id":1}"#, Id::from(1)),
        (
            r#"{"jsonrpc":"2.0","method":"m","params":null,"id":1}"#,
            Id::from(1),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"m","params":1,"id":1}"#,
            Id::from(1),
        ),
        (
            r#"{"jsonrpc":"2.0","method":"m","params":"a","id":1}"#,
            Id::from(1),
        ),
        (r#"{"jsonrpc":"2.0","method":"m","id":true}"#, Id::Null),
        (r#"{"jsonrpc":"2.0","method":"m","id":[1]}"#, Id::Null),
        (r#"{"jsonrpc":"2.0","method":"m","id":{"a":1}}"#, Id::Null),
    ];
    for (body, want_id) in invalid {
        let (id, fault) = json_fault(body.as_bytes());
        assert_eq!(fault.code, REQUEST, "{body}: {fault}");
        assert_eq!(&id, want_id, "{body}");
    }
    // An array is not a request object, even one whose elements line up
    // with a request's members.
    let body = br#"[["2.0","m",[1,2],1], 1, "x", null, []]"#;
    let Ok(Incoming::Batch(entries)) = json::parse(body, &Limits::default()) else {
        panic!("a batch")
    };
    assert_eq!(entries.len(), 5);
    for entry in entries {
        let rejected = entry.expect_err("not a request object");
        assert_eq!((rejected.id, rejected.fault.code), (Id::Null, REQUEST));
    }
    let fault = json::parse(b"[]", &Limits::default()).unwrap_err();
    assert_eq!(fault.code, REQUEST);
    let fault = json::parse(b" [ ] ", &Limits::default()).unwrap_err();
    assert_eq!(fault.code, REQUEST);
}

#[test]
fn malformed_json_responses_are_refused() {
    let cases: &[(&str, i32)] = &[
        ("", PARSE),
        ("not json", PARSE),
        (r#"{"jsonrpc":"2.0","result":1,"id":1"#, PARSE),
        (r#"{"jsonrpc":"2.0","result":1,"id":1}}"#, PARSE),
        ("[1", PARSE),
        (r#"{"jsonrpc":"1.0","result":1,"id":1}"#, REQUEST),
        (r#"{"result":1,"id":1}"#, REQUEST),
        (r#"{"jsonrpc":"2.0","result":1}"#, REQUEST),
        (r#"{"jsonrpc":"2.0","result":1,"id":{"a":1}}"#, REQUEST),
        (r#"{"jsonrpc":"2.0","result":1,"id":true}"#, REQUEST),
        (
            r#"{"jsonrpc":"2.0","error":{"code":"x","message":"m"},"id":1}"#,
            REQUEST,
        ),
        (
            r#"{"jsonrpc":"2.0","error":{"message":"m"},"id":1}"#,
            REQUEST,
        ),
        (r#"{"jsonrpc":"2.0","error":"boom","id":1}"#, REQUEST),
        (r#"["2.0",1,null,1]"#, REQUEST),
        ("[]", REQUEST),
        ("1", REQUEST),
        ("null", REQUEST),
        (r#"{"jsonrpc":"2.0","result":"x","id":1}"#, PARAMS),
        (r#"{"jsonrpc":"2.0","result":4294967296,"id":1}"#, PARAMS),
    ];
    for (body, code) in cases {
        let outcome = no_panic(body, || {
            json::decode_response::<i32>(body.as_bytes(), &Limits::default())
        });
        let fault = outcome.expect_err(body);
        assert_eq!(fault.code, *code, "{body}: {fault}");
    }
    // A well-formed error response is not a decoding failure.
    let (id, outcome) = json::decode_response::<i32>(
        br#"{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found"},"id":"1"}"#,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(id, Id::from("1"));
    assert_eq!(outcome.unwrap_err().code, Fault::METHOD_NOT_FOUND);
}

#[test]
fn malformed_xml_responses_are_refused() {
    let cases: &[(&str, i32)] = &[
        ("", PARSE),
        ("<methodResponse/>", PARSE),
        ("<methodResponse></methodResponse>", PARSE),
        ("<methodCall><methodName>x</methodName></methodCall>", PARSE),
        ("<methodResponse><params></params></methodResponse>", PARSE),
        (
            "<methodResponse><params><param></param></params></methodResponse>",
            PARSE,
        ),
        (
            "<methodResponse><params><param><value><i4>1</i4></value></param><param><value><i4>2</i4></value></param></params></methodResponse>",
            PARSE,
        ),
        (
            "<methodResponse><params><param><value><i4>1</i4></value></param></params><fault><value><struct/></value></fault></methodResponse>",
            PARSE,
        ),
        ("<methodResponse><fault></fault></methodResponse>", PARSE),
        (
            "<methodResponse><fault><value><i4>1</i4></value></fault></methodResponse>",
            PARAMS,
        ),
        (
            "<methodResponse><fault><value><struct><member><name>faultString</name><value>x</value></member></struct></value></fault></methodResponse>",
            PARAMS,
        ),
        (
            "<methodResponse><fault><value><struct><member><name>faultCode</name><value>x</value></member></struct></value></fault></methodResponse>",
            PARAMS,
        ),
        (
            "<methodResponse><params><param><value><string>x</string></value></param></params></methodResponse>",
            PARAMS,
        ),
        (
            "<methodResponse><params><param><value><i4>x</i4></value></param></params></methodResponse>",
            PARAMS,
        ),
        (
            "<methodResponse><params><param><value><i4>1</int></value></param></params></methodResponse>",
            PARSE,
        ),
        (
            "<methodResponse><params><param><value><i4>1</i4></value></param></params></methodResponse>junk",
            PARSE,
        ),
        (
            "<methodResponse><params><param><value><i4>&bad;</i4></value></param></params></methodResponse>",
            PARSE,
        ),
    ];
    for (body, code) in cases {
        let outcome = no_panic(body, || {
            xml::decode_response::<i32>(body.as_bytes(), &Limits::default())
        });
        let fault = outcome.expect_err(body);
        assert_eq!(fault.code, *code, "{body}: {fault}");
    }
    // A fault the server sent is the inner error, not a decoding failure.
    let body = b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>4</int></value></member><member><name>faultString</name><value>Too many</value></member></struct></value></fault></methodResponse>";
    let outcome = xml::decode_response::<i32>(body, &Limits::default()).unwrap();
    assert_eq!(outcome, Err(Fault::new(4, "Too many")));
}
