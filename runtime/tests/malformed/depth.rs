//! Depth.

use super::*;

/// `levels` arrays nested in a `<value>`, with an int at the bottom.
fn nested_xml_arrays(levels: usize) -> String {
    "<value><array><data>".repeat(levels)
        + "<value><i4>1</i4></value>"
        + &"</data></array></value>".repeat(levels)
}

/// `levels` structs nested in a `<value>`, each with one member `m`.
fn nested_xml_structs(levels: usize) -> String {
    "<value><struct><member><name>m</name>".repeat(levels)
        + "<value><i4>1</i4></value>"
        + &"</member></struct></value>".repeat(levels)
}

fn nested_json_arrays(levels: usize) -> String {
    "[".repeat(levels) + "1" + &"]".repeat(levels)
}

/// A type that recurses as deeply as the input does.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
#[allow(dead_code)]
enum Tree {
    Leaf(i32),
    Branch(Vec<Tree>),
}

#[test]
fn ten_thousand_nested_xml_arrays_are_refused_by_the_depth_limit() {
    let start = Instant::now();
    for nested in [nested_xml_arrays(10_000), nested_xml_structs(10_000)] {
        let body = call_with(&format!("<param>{nested}</param>"));
        let fault = call_fault(&body);
        assert_eq!(fault.code, REQUEST, "{fault}");
        assert!(fault.message.contains("nested deeper"), "{fault}");

        let fault = xml::decode_value::<Value>(nested.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");

        let response =
            format!("<methodResponse><params><param>{nested}</param></params></methodResponse>");
        let fault =
            xml::decode_response::<Value>(response.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");

        // Skipped rather than decoded: a member the target type ignores.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct OnlyA {
            a: i32,
        }
        let param = format!(
            "<param><value><struct><member><name>a</name><value><i4>1</i4></value></member>\
             <member><name>ignored</name>{nested}</member></struct></value></param>"
        );
        let body = call_with(&param);
        let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
        let fault = call.next_param::<OnlyA>().unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");

        let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
        let fault = call.next_param::<serde::de::IgnoredAny>().unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");
    }
    let arrays = nested_xml_arrays(10_000);
    let fault = xml::decode_value::<Tree>(arrays.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(fault.code, REQUEST, "{fault}");
    assert!(start.elapsed() < FAST, "took {:?}", start.elapsed());
}

#[test]
fn xml_depth_limit_boundary() {
    for limits in [
        Limits::default(),
        Limits::default().max_depth(3),
        Limits::default().max_depth(0),
    ] {
        let max = limits.depth();
        for nested in [nested_xml_arrays(max), nested_xml_structs(max)] {
            let value: Value = xml::decode_value(nested.as_bytes(), &limits)
                .unwrap_or_else(|f| panic!("depth {max}: {f}"));
            let mut depth = 0;
            let mut at = &value;
            while let Some(inner) = at.as_array().map(|a| &a[0]).or_else(|| at.get("m")) {
                depth += 1;
                at = inner;
            }
            assert_eq!(depth, max);
            assert_eq!(at, &Value::I32(1));
        }
        for nested in [nested_xml_arrays(max + 1), nested_xml_structs(max + 1)] {
            let fault = xml::decode_value::<Value>(nested.as_bytes(), &limits).unwrap_err();
            assert_eq!(fault.code, REQUEST, "depth {}: {fault}", max + 1);
            let body = call_with(&format!("<param>{nested}</param>"));
            let fault = read_call_with(&body, &limits).unwrap_err();
            assert_eq!(fault.code, REQUEST, "{fault}");
        }
    }
}

#[test]
fn ten_thousand_nested_json_arrays_are_refused_by_the_depth_limit() {
    let start = Instant::now();
    let nested = nested_json_arrays(10_000);

    // As a parameter: the request is rejected, answered with its id.
    let (id, fault) = json_fault(&json_call(&format!("[{nested}]")));
    assert_eq!(fault.code, REQUEST, "{fault}");
    assert!(fault.message.contains("nested deeper"), "{fault}");
    assert_eq!(id, Id::from(1));

    // By name, and inside a batch.
    let (_, fault) = json_fault(&json_call(&format!(r#"{{"a":{nested}}}"#)));
    assert_eq!(fault.code, REQUEST, "{fault}");
    let batch = format!(
        r#"[{{"jsonrpc":"2.0","method":"m","params":[{nested}],"id":"deep"}},{{"jsonrpc":"2.0","method":"m","params":[1],"id":"flat"}}]"#
    );
    let Ok(Incoming::Batch(entries)) = json::parse(batch.as_bytes(), &Limits::default()) else {
        panic!("a batch")
    };
    let rejected = entries[0].as_ref().unwrap_err();
    assert_eq!(rejected.fault.code, REQUEST);
    assert_eq!(rejected.id, Id::from("deep"));
    assert!(entries[1].is_ok(), "the flat request is unaffected");

    // The whole body, and the id: not request objects.
    let Ok(Incoming::Batch(entries)) = json::parse(nested.as_bytes(), &Limits::default()) else {
        panic!("a batch")
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].as_ref().unwrap_err().fault.code, REQUEST);
    let (id, fault) =
        json_fault(format!(r#"{{"jsonrpc":"2.0","method":"m","id":{nested}}}"#).as_bytes());
    assert_eq!((id, fault.code), (Id::Null, REQUEST));

    // In a response's result.
    let response = format!(r#"{{"jsonrpc":"2.0","result":{nested},"id":1}}"#);
    let fault =
        json::decode_response::<Value>(response.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(fault.code, REQUEST, "{fault}");
    assert!(start.elapsed() < FAST, "took {:?}", start.elapsed());
}

#[test]
fn json_depth_limit_boundary() {
    for limits in [Limits::default(), Limits::default().max_depth(3)] {
        let max = limits.depth();
        // `max` levels inside the params array are allowed, one more is not.
        let body = json_call(&format!("[{}]", nested_json_arrays(max)));
        let request = match json::parse(&body, &limits) {
            Ok(Incoming::Single(Ok(request))) => request,
            other => panic!("depth {max}: {other:?}"),
        };
        let (value,): (Value,) = request.params.decode().unwrap();
        let mut depth = 0;
        let mut at = &value;
        while let Some(inner) = at.as_array().map(|a| &a[0]) {
            depth += 1;
            at = inner;
        }
        assert_eq!((depth, at), (max, &Value::I32(1)));

        let body = json_call(&format!("[{}]", nested_json_arrays(max + 1)));
        match json::parse(&body, &limits) {
            Ok(Incoming::Single(Err(rejected))) => assert_eq!(rejected.fault.code, REQUEST),
            other => panic!("depth {}: {other:?}", max + 1),
        }

        let ok = format!(
            r#"{{"jsonrpc":"2.0","result":{},"id":1}}"#,
            nested_json_arrays(max)
        );
        assert!(json::decode_response::<Value>(ok.as_bytes(), &limits).is_ok());
        let deep = format!(
            r#"{{"jsonrpc":"2.0","result":{},"id":1}}"#,
            nested_json_arrays(max + 1)
        );
        let fault = json::decode_response::<Value>(deep.as_bytes(), &limits).unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");
    }
}

#[test]
fn a_batch_over_the_length_limit_is_an_invalid_request() {
    let one = r#"{"jsonrpc":"2.0","method":"m","id":1}"#;
    let batch = |n: usize| format!("[{}]", vec![one; n].join(","));
    let limits = Limits::default().max_batch_len(3);
    assert!(
        matches!(json::parse(batch(3).as_bytes(), &limits), Ok(Incoming::Batch(e)) if e.len() == 3)
    );
    let fault = json::parse(batch(4).as_bytes(), &limits).unwrap_err();
    assert_eq!(fault.code, REQUEST, "{fault}");
    let fault = json::parse(batch(101).as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(fault.code, REQUEST, "{fault}");
}
