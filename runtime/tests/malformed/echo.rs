//! Faults never repeat the request.

use super::*;

/// A long unique marker; its distinctive part comes after the 64 characters
/// a fault may quote of an unknown field or variant name.
fn marker() -> String {
    "m".repeat(70) + "ZQXJ-unique-marker-" + &"0123456789".repeat(20)
}

/// Checks that no part of the marker is in the fault, except the clipped
/// start of a field or variant name (see `Fault::method_not_found`).
fn assert_no_marker(fault: &Fault, context: &str) {
    let marker = marker();
    let names_a_member = ["field", "variant", "element"]
        .iter()
        .any(|what| context.contains(what));
    for text in [fault.message.clone(), fault.to_string()] {
        assert!(!text.contains("ZQXJ"), "{context}: {text}");
        assert!(!text.contains(&marker), "{context}: {text}");
        assert!(!text.contains("0123456789"), "{context}: {text}");
        if !names_a_member {
            assert!(!text.contains("mmmmmmmm"), "{context}: {text}");
        }
    }
}

#[test]
fn xml_faults_do_not_repeat_the_request() {
    let m = marker();
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Known {
        a: i32,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Choice {
        One,
        Two,
    }

    let string = call_with_value(&format!("<string>{m}</string>"));
    let bare = call_with_value(&m);
    let faults: Vec<(&str, Fault)> = vec![
        ("string into i32", typed_fault::<(i32,)>(&string)),
        ("bare string into i32", typed_fault::<(i32,)>(&bare)),
        ("string into bool", typed_fault::<(bool,)>(&string)),
        ("string into f64", typed_fault::<(f64,)>(&string)),
        ("string into char", typed_fault::<(char,)>(&string)),
        ("string into DateTime", typed_fault::<(DateTime,)>(&string)),
        ("string into Bytes", typed_fault::<(Bytes,)>(&string)),
        ("string into Vec", typed_fault::<(Vec<i32>,)>(&string)),
        ("string into struct", typed_fault::<(Known,)>(&string)),
        ("unknown variant", typed_fault::<(Choice,)>(&string)),
        (
            "unknown field",
            typed_fault::<(Known,)>(&call_with_value(&format!(
                "<struct><member><name>{m}</name><value>1</value></member></struct>"
            ))),
        ),
        (
            "bad int",
            call_fault(&call_with_value(&format!("<i4>{m}</i4>"))),
        ),
        (
            "bad boolean",
            call_fault(&call_with_value(&format!("<boolean>{m}</boolean>"))),
        ),
        (
            "bad double",
            call_fault(&call_with_value(&format!("<double>{m}</double>"))),
        ),
        (
            "bad base64",
            call_fault(&call_with_value(&format!("<base64>{m}*</base64>"))),
        ),
        (
            "bad dateTime",
            call_fault(&call_with_value(&format!(
                "<dateTime.iso8601>{m}</dateTime.iso8601>"
            ))),
        ),
        (
            "unknown element",
            call_fault(&call_with_value(&format!("<{m}>1</{m}>"))),
        ),
        (
            "mismatched end tag",
            call_fault(&call_with_value(&format!("<i4>1</{m}>"))),
        ),
        (
            "undefined entity",
            call_fault(&call_with_value(&format!("<string>&{m};</string>"))),
        ),
        ("text between elements", call_fault(&call_with(&m))),
        ("unknown root", call_fault(format!("<{m}/>").as_bytes())),
        (
            "DOCTYPE",
            call_fault(format!("<!DOCTYPE {m}><methodCall/>").as_bytes()),
        ),
    ];
    for (what, fault) in &faults {
        assert!(CODEC_CODES.contains(&fault.code), "{what}: {fault}");
        assert_no_marker(fault, what);
    }
    // The same through a response.
    let response = format!(
        "<methodResponse><params><param><value><string>{m}</string></value></param></params></methodResponse>"
    );
    let fault = xml::decode_response::<i32>(response.as_bytes(), &Limits::default()).unwrap_err();
    assert_eq!(fault.code, PARAMS);
    assert_no_marker(&fault, "response");
}

#[test]
fn json_faults_do_not_repeat_the_request() {
    let m = marker();
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Known {
        a: i32,
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Choice {
        One,
        Two,
    }
    fn decode_fault<T: for<'a> Deserialize<'a> + std::fmt::Debug>(params: &str) -> Fault {
        let body = json_call(params);
        let request = json_request(&body);
        match request.params.decode::<T>() {
            Ok(value) => panic!("decoded {value:?}"),
            Err(fault) => fault,
        }
    }

    let faults: Vec<(&str, Fault)> = vec![
        (
            "string into i32",
            decode_fault::<(i32,)>(&format!(r#"["{m}"]"#)),
        ),
        // serde quotes strings with escapes: an escaped quote must not end
        // the redaction early.
        (
            "escaped quote",
            decode_fault::<(i32,)>(&format!(r#"["x\"{m}\"y"]"#)),
        ),
        (
            "escaped backslash",
            decode_fault::<(i32,)>(&format!(r#"["x\\\"{m}"]"#)),
        ),
        (
            "backtick in a string",
            decode_fault::<(i32,)>(&format!(r#"["`{m}`"]"#)),
        ),
        (
            "string into DateTime",
            decode_fault::<(DateTime,)>(&format!(r#"["{m}"]"#)),
        ),
        (
            "string into Bytes",
            decode_fault::<(Bytes,)>(&format!(r#"["{m}*"]"#)),
        ),
        (
            "string into char",
            decode_fault::<(char,)>(&format!(r#"["{m}"]"#)),
        ),
        (
            "unknown variant",
            decode_fault::<(Choice,)>(&format!(r#"["{m}"]"#)),
        ),
        (
            "unknown variant with a backtick",
            decode_fault::<(Choice,)>(&format!(r#"["x`, {m}"]"#)),
        ),
        (
            "unknown field",
            decode_fault::<Known>(&format!(r#"{{"{m}":1}}"#)),
        ),
        (
            "unknown field with a backtick",
            decode_fault::<Known>(&format!(r#"{{"a`, expected {m}":1}}"#)),
        ),
        (
            "unknown field quoting serde's suffix",
            decode_fault::<Known>(&format!(r#"{{"`, expected `{m}`, expected x":1}}"#)),
        ),
        ("char backtick", decode_fault::<(i32,)>(r#"["`"]"#)),
    ];
    for (what, fault) in &faults {
        assert_eq!(fault.code, PARAMS, "{what}: {fault}");
        assert_no_marker(fault, what);
    }

    let bodies = [
        format!(r#"{{"jsonrpc":"2.0","method":"m","params":["{m}"],"id":1,}}"#),
        format!(r#"{{"jsonrpc":"2.0","method":1,"params":["{m}"],"id":1}}"#),
        format!(r#"{{"jsonrpc":"{m}","method":"m","id":1}}"#),
        format!(r#"{{"jsonrpc":"2.0","method":"m","params":"{m}","id":1}}"#),
        format!(r#"{{"jsonrpc":"2.0","method":"m","id":{{"{m}":1}}}}"#),
        format!(r#"{{"jsonrpc":"2.0","method":"m","{m}"}}"#),
        format!(r#"["{m}"]"#),
        format!(r#""{m}""#),
    ];
    for body in &bodies {
        let fault = match json::parse(body.as_bytes(), &Limits::default()) {
            Err(fault) => fault,
            Ok(Incoming::Single(Err(rejected))) => rejected.fault,
            Ok(Incoming::Batch(entries)) => entries.into_iter().next().unwrap().unwrap_err().fault,
            Ok(other) => panic!("accepted {body}: {other:?}"),
        };
        assert!(CODEC_CODES.contains(&fault.code), "{body}: {fault}");
        assert_no_marker(&fault, body);
    }

    let responses = [
        format!(r#"{{"jsonrpc":"2.0","result":"{m}","id":1}}"#),
        format!(r#"{{"jsonrpc":"{m}","result":1,"id":1}}"#),
        format!(r#"{{"jsonrpc":"2.0","result":1,"id":"{m}","#),
        format!(r#"{{"jsonrpc":"2.0","error":{{"code":"{m}","message":"x"}},"id":1}}"#),
    ];
    for body in &responses {
        let fault = json::decode_response::<i32>(body.as_bytes(), &Limits::default()).unwrap_err();
        assert_no_marker(&fault, body);
    }
}
