//! Malformed and hostile input, in both protocols: every one is answered by a
//! [`Fault`] with the right code, nothing panics, nothing expands, nothing
//! nests without bound, and no fault repeats the request's text.
//!
//! | what | code |
//! |---|---|
//! | not well-formed, truncated, wrong or unknown elements, DOCTYPE, undefined entity | -32700 |
//! | UTF-16 without a byte-order mark, an encoding nobody knows (XML) | -32701 |
//! | bytes that are not text in the declared encoding | -32702 (XML), -32700 (JSON) |
//! | body over the size limit, nesting over the depth limit, not a request | -32600 |
//! | a value that does not fit: out of range, bad base64, bad date, wrong type, too many or too few parameters | -32602 |

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use diglot::json::{self, Id, Incoming};
use diglot::xml::{self, Dialect, MethodCall};
use diglot::{Bytes, DateTime, Fault, Limits, Struct, Value};
use serde::Deserialize;

const PARSE: i32 = Fault::PARSE_ERROR;
const ENCODING: i32 = Fault::UNSUPPORTED_ENCODING;
const CHARACTER: i32 = Fault::INVALID_CHARACTER;
const REQUEST: i32 = Fault::INVALID_REQUEST;
const PARAMS: i32 = Fault::INVALID_PARAMS;

/// Every code a codec may answer malformed input with.
const CODEC_CODES: [i32; 5] = [PARSE, ENCODING, CHARACTER, REQUEST, PARAMS];

/// A generous bound for work that must not grow with a hostile input's size;
/// refusals take microseconds, expansion or recursion would take far longer.
const FAST: Duration = Duration::from_secs(5);

/// Runs `f`, turning a panic into a test failure that names the input.
fn no_panic<T>(label: &str, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("panicked on {label}"))
}

/// Reads a whole `methodCall` as dynamic values, finishing it.
fn read_call(body: &[u8]) -> Result<(String, Vec<Value>), Fault> {
    read_call_with(body, &Limits::default())
}

fn read_call_with(body: &[u8], limits: &Limits) -> Result<(String, Vec<Value>), Fault> {
    let mut call = MethodCall::parse(body, limits)?;
    let name = call.method_name().to_owned();
    let params: Vec<Value> = call.params()?;
    call.finish()?;
    Ok((name, params))
}

/// The fault a `methodCall` is refused with.
fn call_fault(body: &[u8]) -> Fault {
    let label = String::from_utf8_lossy(body).into_owned();
    match no_panic(&label, || read_call(body)) {
        Ok(read) => panic!("accepted {label:?} as {read:?}"),
        Err(fault) => fault,
    }
}

/// A `methodCall` of method `x` around the given `<params>` content.
fn call_with(params: &str) -> Vec<u8> {
    format!("<methodCall><methodName>x</methodName><params>{params}</params></methodCall>")
        .into_bytes()
}

/// A call with one parameter, the given `<value>` content.
fn call_with_value(value: &str) -> Vec<u8> {
    call_with(&format!("<param><value>{value}</value></param>"))
}

/// The fault a JSON-RPC body is refused with, whether it answers the whole
/// body or the single request in it.
fn json_fault(body: &[u8]) -> (Id<'static>, Fault) {
    let label = String::from_utf8_lossy(body).into_owned();
    match no_panic(&label, || json::parse(body, &Limits::default())) {
        Err(fault) => (Id::Null, fault),
        Ok(Incoming::Single(Err(rejected))) => (rejected.id.into_owned(), rejected.fault),
        Ok(other) => panic!("accepted {label:?} as {other:?}"),
    }
}

/// The single valid request in `body`.
fn json_request(body: &[u8]) -> json::Request<'_> {
    match json::parse(body, &Limits::default()) {
        Ok(Incoming::Single(Ok(request))) => request,
        other => panic!("not a valid request: {other:?}"),
    }
}

/// A JSON-RPC request body with the given `params` JSON text.
fn json_call(params: &str) -> Vec<u8> {
    format!(r#"{{"jsonrpc":"2.0","method":"m","params":{params},"id":1}}"#).into_bytes()
}

/// The code a truncated document must get: a cut through a multi-byte
/// character leaves bytes that are not UTF-8.
fn truncation_code(prefix: &[u8], not_utf8: i32) -> i32 {
    if std::str::from_utf8(prefix).is_ok() {
        PARSE
    } else {
        not_utf8
    }
}

/// A call with every value type and most of XML's lexical features: a
/// declaration, comments, a processing instruction, CDATA, references,
/// whitespace between elements, an untyped value and non-ASCII text.
const HANDWRITTEN_CALL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
<!-- a comment --><?pi data?>\n\
<methodCall>\n  <methodName>sample.everything</methodName>\n  <params>\n\
    <param><value><i4>-42</i4></value></param>\n\
    <param><value><int>7</int></value></param>\n\
    <param><value><i8>-9007199254740993</i8></value></param>\n\
    <param><value><boolean>1</boolean></value></param>\n\
    <param><value><double>-1.5e3</double></value></param>\n\
    <param><value><string>h\u{e9}llo \u{4e16}\u{754c} &lt;&amp;&gt; &#x1F600; &#233;<![CDATA[<raw>]]></string></value></param>\n\
    <param><value>bare text</value></param>\n\
    <param><value/></param>\n\
    <param><value><string/></value></param>\n\
    <param><value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value></param>\n\
    <param><value><base64>\r\n  ZGlnbG90\r\n</base64></value></param>\n\
    <param><value><nil/></value></param>\n\
    <param><value><array><data><value><i4>1</i4></value><value>two</value></data></array></value></param>\n\
    <param><value><struct><member><name>a</name><value><i4>1</i4></value></member>\
<member><name>b\u{e9}</name><value><array><data/></array></value></member></struct></value></param>\n\
  </params>\n</methodCall>\n";

// ---------------------------------------------------------------------------
// Truncation: every prefix of a valid document is refused, without a panic.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Damage anywhere: no panic, and only protocol codes.
// ---------------------------------------------------------------------------

#[test]
fn a_damaged_byte_anywhere_never_panics() {
    let doc = HANDWRITTEN_CALL.as_bytes();
    let json_doc =
        br#"{"jsonrpc":"2.0","method":"m","params":[1,"two",{"three":[3.0,null]}],"id":"i"}"#;
    let mut refused = 0;
    for replacement in [b'<', b'>', b'&', b'/', b'"', 0, 0xff, b'[', b'}'] {
        for at in 0..doc.len() {
            let mut damaged = doc.to_vec();
            damaged[at] = replacement;
            let label = format!("XML byte {at} replaced by {replacement:#04x}");
            if let Err(fault) = no_panic(&label, || read_call(&damaged)) {
                assert!(CODEC_CODES.contains(&fault.code), "{label}: {fault}");
                refused += 1;
            }
        }
        for at in 0..json_doc.len() {
            let mut damaged = json_doc.to_vec();
            damaged[at] = replacement;
            let label = format!("JSON byte {at} replaced by {replacement:#04x}");
            let fault = match no_panic(&label, || json::parse(&damaged, &Limits::default())) {
                Err(fault) | Ok(Incoming::Single(Err(json::Rejected { fault, .. }))) => fault,
                Ok(Incoming::Single(Ok(request))) => match request.params.decode::<Vec<Value>>() {
                    Err(fault) => fault,
                    Ok(_) => continue,
                },
                Ok(Incoming::Batch(_)) => continue,
            };
            assert!(CODEC_CODES.contains(&fault.code), "{label}: {fault}");
            refused += 1;
        }
    }
    assert!(refused > 5000, "{refused} damaged documents refused");
}

// ---------------------------------------------------------------------------
// Structure: wrong tags, unknown types, text where an element belongs.
// ---------------------------------------------------------------------------

#[test]
fn wrong_tags_are_parse_errors() {
    let cases: &[(&str, &[u8])] = &[
        ("mismatched end tag", b"<methodCall><methodName>x</methodName><params><param><value><int>1</i4></value></param></params></methodCall>"),
        ("crossed end tags", b"<methodCall><methodName>x</methodName><params><param><value><string>a</value></string></param></params></methodCall>"),
        ("missing </param>", b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4></value></params></methodCall>"),
        ("end tag alone", b"</methodCall>"),
        ("wrong case", b"<methodCall><methodname>x</methodname></methodCall>"),
        ("wrong root", b"<methodResponse><params/></methodResponse>"),
        ("unknown root", b"<call><methodName>x</methodName></call>"),
        ("empty methodCall", b"<methodCall/>"),
        ("no methodName", b"<methodCall><params/></methodCall>"),
        ("two methodNames", b"<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>"),
        ("param outside params", b"<methodCall><methodName>x</methodName><param><value>1</value></param></methodCall>"),
        ("param without value", b"<methodCall><methodName>x</methodName><params><param></param></params></methodCall>"),
        ("two values in a param", b"<methodCall><methodName>x</methodName><params><param><value>1</value><value>2</value></param></params></methodCall>"),
        ("two types in a value", b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4><i4>2</i4></value></param></params></methodCall>"),
        ("array without data", b"<methodCall><methodName>x</methodName><params><param><value><array><value>1</value></array></value></param></params></methodCall>"),
        ("member without name", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><value>1</value></member></struct></value></param></params></methodCall>"),
        ("member without value", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>"),
        ("member with two values", b"<methodCall><methodName>x</methodName><params><param><value><struct><member><name>a</name><value>1</value><value>2</value></member></struct></value></param></params></methodCall>"),
        ("value directly in struct", b"<methodCall><methodName>x</methodName><params><param><value><struct><value>1</value></struct></value></param></params></methodCall>"),
        ("nil with content", b"<methodCall><methodName>x</methodName><params><param><value><nil>0</nil></value></param></params></methodCall>"),
        ("second root", b"<methodCall><methodName>x</methodName></methodCall><methodCall/>"),
        ("unclosed comment", b"<methodCall><methodName>x</methodName><!-- "),
        ("unclosed CDATA", b"<methodCall><methodName>x</methodName><params><param><value><string><![CDATA[a</string></value></param></params></methodCall>"),
        ("bare ampersand", b"<methodCall><methodName>x</methodName><params><param><value><string>a & b</string></value></param></params></methodCall>"),
        ("bare less-than", b"<methodCall><methodName>x</methodName><params><param><value><string>a < b</string></value></param></params></methodCall>"),
        ("broken tag", b"<methodCall><methodName>x</methodName><params><param><value <i4>1</i4></value></param></params></methodCall>"),
        ("NUL character reference", b"<methodCall><methodName>x</methodName><params><param><value><string>&#0;</string></value></param></params></methodCall>"),
        ("surrogate character reference", b"<methodCall><methodName>x</methodName><params><param><value><string>&#xD800;</string></value></param></params></methodCall>"),
        ("character reference past Unicode", b"<methodCall><methodName>x</methodName><params><param><value><string>&#x110000;</string></value></param></params></methodCall>"),
        ("empty body", b""),
        ("whitespace only", b" \r\n\t "),
        ("not XML", b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"}"),
    ];
    for (what, body) in cases {
        let fault = call_fault(body);
        assert_eq!(fault.code, PARSE, "{what}: {fault}");
    }
}

#[test]
fn unknown_type_elements_are_parse_errors() {
    for element in [
        "<integer>1</integer>",
        "<int64>1</int64>",
        "<bool>1</bool>",
        "<dateTime>19980717T14:08:55</dateTime>",
        "<binary>ZGln</binary>",
        "<ex:foo xmlns:ex=\"urn:x\">1</ex:foo>",
        "<null/>",
        "<value>1</value>",
        "<param><value>1</value></param>",
        "<methodCall/>",
    ] {
        let fault = call_fault(&call_with_value(element));
        assert_eq!(fault.code, PARSE, "{element}: {fault}");
        // The same refusal from a bare fragment.
        let fragment = format!("<value>{element}</value>");
        let fault =
            xml::decode_value::<Value>(fragment.as_bytes(), &Limits::default()).expect_err(element);
        assert_eq!(fault.code, PARSE, "{element}: {fault}");
    }
}

#[test]
fn text_where_an_element_belongs_is_a_parse_error() {
    let cases: &[(&str, &[u8])] = &[
        ("in methodCall", b"<methodCall>x<methodName>m</methodName></methodCall>"),
        ("after methodName", b"<methodCall><methodName>m</methodName>x<params/></methodCall>"),
        ("in params", b"<methodCall><methodName>m</methodName><params>hello<param><value>1</value></param></params></methodCall>"),
        ("in param", b"<methodCall><methodName>m</methodName><params><param>hello</param></params></methodCall>"),
        ("before a value", b"<methodCall><methodName>m</methodName><params><param>x<value>1</value></param></params></methodCall>"),
        ("beside a type", b"<methodCall><methodName>m</methodName><params><param><value>x<i4>1</i4></value></param></params></methodCall>"),
        ("after a type", b"<methodCall><methodName>m</methodName><params><param><value><i4>1</i4>x</value></param></params></methodCall>"),
        ("in array", b"<methodCall><methodName>m</methodName><params><param><value><array>x<data/></array></value></param></params></methodCall>"),
        ("in data", b"<methodCall><methodName>m</methodName><params><param><value><array><data>x</data></array></value></param></params></methodCall>"),
        ("in struct", b"<methodCall><methodName>m</methodName><params><param><value><struct>x</struct></value></param></params></methodCall>"),
        ("in member", b"<methodCall><methodName>m</methodName><params><param><value><struct><member>x<name>a</name><value>1</value></member></struct></value></param></params></methodCall>"),
        ("after the document", b"<methodCall><methodName>m</methodName></methodCall>trailing"),
        ("an element in methodName", b"<methodCall><methodName>a<b/>c</methodName></methodCall>"),
        ("an element in a member name", b"<methodCall><methodName>m</methodName><params><param><value><struct><member><name><b/></name><value>1</value></member></struct></value></param></params></methodCall>"),
        ("an element in an int", b"<methodCall><methodName>m</methodName><params><param><value><i4><b>1</b></i4></value></param></params></methodCall>"),
        ("an element in a string", b"<methodCall><methodName>m</methodName><params><param><value><string>a<b/></string></value></param></params></methodCall>"),
    ];
    for (what, body) in cases {
        let fault = call_fault(body);
        assert_eq!(fault.code, PARSE, "text {what}: {fault}");
    }
}

// ---------------------------------------------------------------------------
// DOCTYPE and entities: refused, never expanded.
// ---------------------------------------------------------------------------

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>&lol9;</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>"#;

#[test]
fn billion_laughs_is_refused_without_expansion() {
    let start = Instant::now();
    let fault = call_fault(BILLION_LAUGHS.as_bytes());
    assert_eq!(fault.code, PARSE, "{fault}");
    assert!(fault.message.contains("DOCTYPE"), "{fault}");
    assert!(!fault.message.contains("lol"), "{fault}");
    assert!(fault.message.len() < 200, "{fault}");

    let response = BILLION_LAUGHS
        .replace("methodCall", "methodResponse")
        .replace("<methodName>&lol9;</methodName>", "");
    let fault = xml::decode_response::<String>(response.as_bytes(), &Limits::default())
        .expect_err("a DOCTYPE in a response");
    assert_eq!(fault.code, PARSE, "{fault}");

    let fragment = BILLION_LAUGHS
        .split_once("<methodCall>")
        .unwrap()
        .0
        .to_owned()
        + "<value>&lol9;</value>";
    let fault = xml::decode_value::<String>(fragment.as_bytes(), &Limits::default())
        .expect_err("a DOCTYPE before a value");
    assert_eq!(fault.code, PARSE, "{fault}");
    assert!(start.elapsed() < FAST, "took {:?}", start.elapsed());
}

#[test]
fn external_entities_are_refused() {
    let cases = [
        r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>"#,
        r#"<!DOCTYPE m [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:1/xmlrpc.dtd"><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall PUBLIC "-//X//DTD//EN" "file:///etc/hostname"><methodCall><methodName>x</methodName></methodCall>"#,
        r#"<!DOCTYPE methodCall><methodCall><methodName>x</methodName></methodCall>"#,
    ];
    for body in cases {
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, PARSE, "{body}: {fault}");
        assert!(!fault.message.contains("root:"), "{fault}");
        assert!(!fault.message.contains("etc"), "{fault}");
    }
}

#[test]
fn undefined_entities_are_refused() {
    let bodies = [
        "<methodCall><methodName>&foo;</methodName></methodCall>".to_owned(),
        String::from_utf8(call_with_value("<string>a&foo;b</string>")).unwrap(),
        String::from_utf8(call_with_value("a&nbsp;b")).unwrap(),
        String::from_utf8(call_with_value(
            "<struct><member><name>&foo;</name><value>1</value></member></struct>",
        ))
        .unwrap(),
        String::from_utf8(call_with_value("<i4>&one;</i4>")).unwrap(),
    ];
    for body in &bodies {
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, PARSE, "{body}: {fault}");
        assert!(!fault.message.contains("foo"), "{fault}");
    }
    // The five predefined entities and character references do resolve.
    let (_, params) = read_call(&call_with_value(
        "<string>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</string>",
    ))
    .unwrap();
    assert_eq!(params, vec![Value::from("<>&'\"AB")]);
}

// ---------------------------------------------------------------------------
// Encodings.
// ---------------------------------------------------------------------------

#[test]
fn invalid_utf8_is_an_invalid_character_in_xml() {
    let cases: &[&[u8]] = &[
        b"<methodCall><methodName>x\xff</methodName></methodCall>",
        b"<methodCall><methodName>x</methodName><params><param><value><string>\x80</string></value></param></params></methodCall>",
        // Overlong `/`, a UTF-16 surrogate, and a sequence cut at the end.
        b"<methodCall><methodName>x</methodName><params><param><value><string>\xc0\xaf</string></value></param></params></methodCall>",
        b"<methodCall><methodName>x</methodName><params><param><value><string>\xed\xa0\x80</string></value></param></params></methodCall>",
        b"<methodCall><methodName>x</methodName></methodCall>\xe4\xb8",
        // Latin-1 text in a document that declares UTF-8.
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>caf\xe9</methodName></methodCall>",
    ];
    for body in cases {
        let fault = call_fault(body);
        assert_eq!(
            fault.code,
            CHARACTER,
            "{}: {fault}",
            String::from_utf8_lossy(body)
        );
        let response = [
            b"<methodResponse><params><param><value>".as_slice(),
            body,
            b"</value></param></params></methodResponse>",
        ]
        .concat();
        let fault = xml::decode_response::<Value>(&response, &Limits::default()).unwrap_err();
        assert_eq!(fault.code, CHARACTER, "{fault}");
        let fragment = [b"<value>".as_slice(), body, b"</value>"].concat();
        let fault = xml::decode_value::<Value>(&fragment, &Limits::default()).unwrap_err();
        assert_eq!(fault.code, CHARACTER, "{fault}");
    }
}

#[test]
fn invalid_utf8_is_a_parse_error_in_json() {
    let cases: &[&[u8]] = &[
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\",\"id\":1}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[\"\xc0\xaf\"],\"id\":1}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":[\"\xed\xa0\x80\"],\"id\":1}",
        b"[{\"jsonrpc\":\"2.0\",\"method\":\"caf\xe9\",\"id\":1}]",
        b"\xff\xfe{\x00}\x00",
    ];
    for body in cases {
        let (id, fault) = json_fault(body);
        assert_eq!(
            fault.code,
            PARSE,
            "{}: {fault}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(id, Id::Null);
    }
    let fault = json::decode_response::<Value>(
        b"{\"jsonrpc\":\"2.0\",\"result\":\"\xff\",\"id\":1}",
        &Limits::default(),
    )
    .unwrap_err();
    assert_eq!(fault.code, PARSE, "{fault}");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { b"\xfe\xff" } else { b"\xff\xfe" });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn declared_encodings_are_read_and_unknown_ones_refused_in_xml() {
    let call = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><methodCall><methodName>x</methodName></methodCall>";
    let undeclared = "<methodCall><methodName>x</methodName></methodCall>";
    for big_endian in [false, true] {
        for text in [call, undeclared] {
            // UTF-16 with its byte-order mark is read; without one it is refused.
            let body = utf16(text, big_endian, true);
            assert_eq!(
                read_call(&body).unwrap().0,
                "x",
                "UTF-16 (big endian {big_endian})"
            );
            let fault = call_fault(&utf16(text, big_endian, false));
            assert_eq!(fault.code, ENCODING, "UTF-16 without a BOM: {fault}");
        }
    }
    for (encoding, name) in [
        ("ISO-8859-1", b"caf\xe9".as_slice()),
        ("iso-8859-1", b"caf\xe9"),
        ("latin1", b"caf\xe9"),
        ("windows-1252", b"caf\xe9"),
        ("ISO-8859-15", b"caf\xe9"),
        ("Shift_JIS", b"caf\x82\xa0"),
    ] {
        let mut body =
            format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodCall><methodName>")
                .into_bytes();
        body.extend_from_slice(name);
        body.extend_from_slice(b"</methodName></methodCall>");
        let expected = if encoding == "Shift_JIS" {
            "caf\u{3042}"
        } else {
            "caf\u{e9}"
        };
        assert_eq!(read_call(&body).unwrap().0, expected, "{encoding}");
    }
    for encoding in ["UTF-16", "EBCDIC-US", "x-unknown"] {
        // Plain ASCII content: only the declaration is wrong.
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodCall><methodName>x</methodName></methodCall>"
        );
        let fault = call_fault(body.as_bytes());
        assert_eq!(fault.code, ENCODING, "{encoding}: {fault}");
        let response = format!(
            "<?xml version=\"1.0\" encoding=\"{encoding}\"?><methodResponse><params><param><value>1</value></param></params></methodResponse>"
        );
        let fault =
            xml::decode_response::<Value>(response.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, ENCODING, "{encoding}: {fault}");
        if encoding != "UTF-16" {
            assert!(
                fault.message.contains(encoding),
                "names the encoding: {fault}"
            );
        }
    }
    // UTF-8 (any spelling), ASCII (some clients declare it and send UTF-8),
    // a UTF-8 BOM.
    for declaration in [
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
        "<?xml version='1.0' encoding='US-ASCII'?>",
        "\u{feff}<?xml version=\"1.0\"?>",
    ] {
        let body =
            format!("{declaration}<methodCall><methodName>x\u{e9}</methodName></methodCall>");
        assert_eq!(
            read_call(body.as_bytes()).unwrap().0,
            "x\u{e9}",
            "{declaration}"
        );
    }
    // Bytes that are not text in the declared encoding.
    let body = b"<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><methodCall><methodName>\x81</methodName></methodCall>";
    assert_eq!(call_fault(body).code, CHARACTER);
}

#[test]
fn utf16_is_a_parse_error_in_json() {
    let text = r#"{"jsonrpc":"2.0","method":"x","id":1}"#;
    for big_endian in [false, true] {
        for bom in [true, false] {
            let (_, fault) = json_fault(&utf16(text, big_endian, bom));
            assert_eq!(fault.code, PARSE, "{fault}");
        }
    }
}

// ---------------------------------------------------------------------------
// Size.
// ---------------------------------------------------------------------------

#[test]
fn an_enormous_declared_size_is_an_invalid_request() {
    for limits in [Limits::default(), Limits::default().max_body_bytes(0)] {
        let fault = limits.check_body_size(u64::MAX).unwrap_err();
        assert_eq!(fault.code, REQUEST, "{fault}");
        assert!(fault.message.contains(&u64::MAX.to_string()), "{fault}");
    }
    let limits = Limits::default();
    assert!(limits.check_body_size(16 * 1024 * 1024).is_ok());
    assert_eq!(
        limits
            .check_body_size(16 * 1024 * 1024 + 1)
            .unwrap_err()
            .code,
        REQUEST
    );
}

#[test]
fn a_body_just_over_the_limit_is_an_invalid_request_in_every_reader() {
    let call = b"<methodCall><methodName>x</methodName><params><param><value><i4>1</i4></value></param></params></methodCall>";
    let response = b"<methodResponse><params><param><value><i4>1</i4></value></param></params></methodResponse>";
    let value = b"<value><i4>1</i4></value>";
    let request = br#"{"jsonrpc":"2.0","method":"x","params":[1],"id":1}"#;
    let json_response = br#"{"jsonrpc":"2.0","result":1,"id":1}"#;

    type Reader = fn(&[u8], &Limits) -> Result<(), Fault>;
    let readers: [(&str, &[u8], Reader); 5] = [
        ("methodCall", call, |b, l| read_call_with(b, l).map(drop)),
        ("methodResponse", response, |b, l| {
            xml::decode_response::<Value>(b, l).map(drop)
        }),
        ("value", value, |b, l| {
            xml::decode_value::<Value>(b, l).map(drop)
        }),
        ("JSON request", request, |b, l| json::parse(b, l).map(drop)),
        ("JSON response", json_response, |b, l| {
            json::decode_response::<Value>(b, l).map(drop)
        }),
    ];
    for (what, body, read) in readers {
        let limits = Limits::default().max_body_bytes(body.len());
        read(body, &limits).unwrap_or_else(|f| panic!("{what} at the limit: {f}"));
        // One trailing space, which would otherwise be harmless.
        let over = [body, b" "].concat();
        let fault = read(&over, &limits).expect_err(what);
        assert_eq!(fault.code, REQUEST, "{what}: {fault}");
        assert!(fault.message.contains(&over.len().to_string()), "{fault}");
    }
}

// ---------------------------------------------------------------------------
// Depth.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Many members: no quadratic behaviour, and the right result.
// ---------------------------------------------------------------------------

#[test]
fn a_hundred_thousand_repeated_member_openings_are_refused() {
    for hostile in [
        "<value><struct><member><name>".repeat(100_000),
        "<value><struct>".to_owned() + &"<member><name>".repeat(100_000),
    ] {
        let fault = xml::decode_value::<Value>(hostile.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARSE, "{fault}");
        let fault =
            xml::decode_value::<BTreeMap<String, String>>(hostile.as_bytes(), &Limits::default())
                .unwrap_err();
        assert_eq!(fault.code, PARSE, "{fault}");
    }
}

#[test]
fn a_hundred_thousand_members_decode_correctly() {
    const N: usize = 100_000;
    let mut distinct = String::from("<value><struct>");
    let mut same = String::from("<value><struct>");
    for i in 0..N {
        distinct.push_str(&format!(
            "<member><name>m{i}</name><value><i4>{i}</i4></value></member>"
        ));
        same.push_str(&format!(
            "<member><name>m</name><value><i4>{i}</i4></value></member>"
        ));
    }
    distinct.push_str("</struct></value>");
    same.push_str("</struct></value>");

    let value: Value = xml::decode_value(distinct.as_bytes(), &Limits::default()).unwrap();
    let members = value.as_struct().unwrap();
    assert_eq!(members.len(), N);
    for (i, (name, value)) in members.iter().enumerate() {
        assert_eq!(name, format!("m{i}"));
        assert_eq!(value, &Value::from(i as i64));
    }
    let map: BTreeMap<String, i32> =
        xml::decode_value(distinct.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(map.len(), N);
    assert_eq!(map["m99999"], 99_999);

    // One name sent N times: one member, keeping the last value.
    let value: Value = xml::decode_value(same.as_bytes(), &Limits::default()).unwrap();
    assert_eq!(value.as_struct().unwrap().len(), 1);
    assert_eq!(value.get("m"), Some(&Value::from((N - 1) as i64)));

    // The same in JSON.
    let object = (0..N)
        .map(|i| format!("\"m{i}\":{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let body = json_call(&format!("[{{{object}}}]"));
    let request = json_request(&body);
    let (value,): (Value,) = request.params.decode().unwrap();
    let members = value.as_struct().unwrap();
    assert_eq!(members.len(), N);
    assert_eq!(
        members.iter().nth(N - 1),
        Some(("m99999", &Value::from(99_999)))
    );
}

// ---------------------------------------------------------------------------
// Values that do not fit: -32602.
// ---------------------------------------------------------------------------

/// The fault decoding the call's parameters as `T` gives.
fn typed_fault<T: for<'a> Deserialize<'a> + std::fmt::Debug>(body: &[u8]) -> Fault {
    let mut call = MethodCall::parse(body, &Limits::default()).unwrap();
    match call.params::<T>() {
        Ok(value) => panic!("decoded {value:?} from {}", String::from_utf8_lossy(body)),
        Err(fault) => fault,
    }
}

#[test]
fn xml_scalars_that_do_not_hold_their_type_are_invalid_params() {
    for value in [
        "<i4>2147483648</i4>",
        "<int>-2147483649</int>",
        "<i4>99999999999999999999</i4>",
        "<i8>9223372036854775808</i8>",
        "<i8>-9223372036854775809</i8>",
        "<i4>1.5</i4>",
        "<i4>0x10</i4>",
        "<i4>abc</i4>",
        "<i4></i4>",
        "<i4/>",
        "<boolean>2</boolean>",
        "<boolean>yes</boolean>",
        "<boolean/>",
        "<double>abc</double>",
        "<double>1.2.3</double>",
        "<double>1,5</double>",
        "<base64>!!!!</base64>",
        "<base64>ZGln*bG90</base64>",
        "<base64>A</base64>",
        "<base64>ZGlnbG90=====</base64>",
        "<dateTime.iso8601>garbage</dateTime.iso8601>",
        "<dateTime.iso8601>20280230T00:00:00</dateTime.iso8601>",
        "<dateTime.iso8601>19980717T25:00:00</dateTime.iso8601>",
        "<dateTime.iso8601>19980717T14:08:55+01:00</dateTime.iso8601>",
        "<dateTime.iso8601>1998</dateTime.iso8601>",
        "<dateTime.iso8601/>",
    ] {
        let body = call_with_value(value);
        let fault = call_fault(&body);
        assert_eq!(fault.code, PARAMS, "{value}: {fault}");
        let fragment = format!("<value>{value}</value>");
        let fault =
            xml::decode_value::<Value>(fragment.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARAMS, "{value}: {fault}");
        // Whatever Rust type the value is read into (a String may take a
        // dateTime's text as it is).
        if value.starts_with("<dateTime") {
            continue;
        }
        let fault =
            xml::decode_value::<String>(fragment.as_bytes(), &Limits::default()).unwrap_err();
        assert_eq!(fault.code, PARAMS, "{value} as a string: {fault}");
    }
    // Typed targets narrower than the wire type.
    assert_eq!(
        typed_fault::<(i32,)>(&call_with_value("<i8>4294967296</i8>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(u8,)>(&call_with_value("<i4>300</i4>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(u32,)>(&call_with_value("<i4>-1</i4>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(DateTime,)>(&call_with_value("<string>not a date</string>")).code,
        PARAMS
    );
    assert_eq!(
        typed_fault::<(Bytes,)>(&call_with_value("<string>!!!</string>")).code,
        PARAMS
    );
}

#[test]
fn xml_type_mismatches_are_invalid_params() {
    let cases: Vec<(Vec<u8>, Fault)> = vec![
        (
            call_with_value("<string>12</string>"),
            typed_fault::<(i32,)>(&call_with_value("<string>12</string>")),
        ),
        (
            call_with_value("12"),
            typed_fault::<(i32,)>(&call_with_value("12")),
        ),
        (
            call_with_value("<i4>1</i4>"),
            typed_fault::<(String,)>(&call_with_value("<i4>1</i4>")),
        ),
        (
            call_with_value("<i4>1</i4>"),
            typed_fault::<(bool,)>(&call_with_value("<i4>1</i4>")),
        ),
        (
            call_with_value("<double>1.0</double>"),
            typed_fault::<(i64,)>(&call_with_value("<double>1.0</double>")),
        ),
        (
            call_with_value("<array><data/></array>"),
            typed_fault::<(String,)>(&call_with_value("<array><data/></array>")),
        ),
        (
            call_with_value("<struct/>"),
            typed_fault::<(Vec<i32>,)>(&call_with_value("<struct/>")),
        ),
        (
            call_with_value("<nil/>"),
            typed_fault::<(i32,)>(&call_with_value("<nil/>")),
        ),
        (
            call_with_value("<base64>ZGln</base64>"),
            typed_fault::<(DateTime,)>(&call_with_value("<base64>ZGln</base64>")),
        ),
        (
            call_with_value(
                "<array><data><value><i4>1</i4></value><value>x</value></data></array>",
            ),
            typed_fault::<(Vec<i32>,)>(&call_with_value(
                "<array><data><value><i4>1</i4></value><value>x</value></data></array>",
            )),
        ),
    ];
    for (body, fault) in cases {
        assert_eq!(
            fault.code,
            PARAMS,
            "{}: {fault}",
            String::from_utf8_lossy(&body)
        );
    }
    // A parameter read on its own.
    let body = call_with_value("<string>twelve</string>");
    let mut call = MethodCall::parse(&body, &Limits::default()).unwrap();
    assert_eq!(call.next_param::<i32>().unwrap_err().code, PARAMS);
}

#[test]
fn wrong_parameter_counts_are_invalid_params() {
    let three = call_with(
        "<param><value><i4>1</i4></value></param>\
         <param><value><i4>2</i4></value></param>\
         <param><value><i4>3</i4></value></param>",
    );
    // Extra parameters: found by finish().
    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    assert_eq!(call.next_param::<i32>().unwrap(), Some(1));
    assert_eq!(call.next_param::<i32>().unwrap(), Some(2));
    let fault = call.finish().unwrap_err();
    assert_eq!(fault.code, PARAMS, "{fault}");

    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    let pair: (i32, i32) = call.params().unwrap();
    assert_eq!(pair, (1, 2));
    let fault = call.finish().unwrap_err();
    assert_eq!(fault.code, PARAMS, "{fault}");

    // Too few.
    let fault = typed_fault::<(i32, i32, i32, i32)>(&three);
    assert_eq!(fault.code, PARAMS, "{fault}");

    // All read: finish() succeeds (the checks above could fail).
    let mut call = MethodCall::parse(&three, &Limits::default()).unwrap();
    let all: (i32, i32, i32) = call.params().unwrap();
    assert_eq!(all, (1, 2, 3));
    call.finish().unwrap();

    // An array with more elements than a fixed-size target.
    let body = call_with_value(
        "<array><data><value><i4>1</i4></value><value><i4>2</i4></value><value><i4>3</i4></value></data></array>",
    );
    assert_eq!(typed_fault::<((i32, i32),)>(&body).code, PARAMS);
    // JSON: the same mistakes.
    for (params, what) in [
        ("[1,2,3]", "extra"),
        ("[1]", "missing"),
        ("{\"a\":1}", "by name"),
    ] {
        let body = json_call(params);
        let fault = json_request(&body)
            .params
            .decode::<(i32, i32)>()
            .unwrap_err();
        assert_eq!(fault.code, PARAMS, "{what}: {fault}");
    }
}

#[test]
fn json_values_that_do_not_fit_are_invalid_params() {
    fn fault_of<T: for<'a> Deserialize<'a> + std::fmt::Debug>(params: &str) -> Fault {
        let body = json_call(params);
        let request = json_request(&body);
        match request.params.decode::<T>() {
            Ok(value) => panic!("decoded {value:?} from {params}"),
            Err(fault) => fault,
        }
    }
    let faults = [
        fault_of::<(i32,)>("[2147483648]"),
        fault_of::<(i32,)>("[-2147483649]"),
        fault_of::<(i64,)>("[9223372036854775808]"),
        fault_of::<(u8,)>("[256]"),
        fault_of::<(i32,)>("[1.5]"),
        fault_of::<(i32,)>("[\"1\"]"),
        fault_of::<(String,)>("[1]"),
        fault_of::<(bool,)>("[0]"),
        fault_of::<(Bytes,)>("[\"!!!!\"]"),
        fault_of::<(Bytes,)>("[\"A\"]"),
        fault_of::<(DateTime,)>("[\"garbage\"]"),
        fault_of::<(DateTime,)>("[\"2028-02-30T00:00:00\"]"),
        fault_of::<(DateTime,)>("[\"19980717T14:08:55+01:00\"]"),
        fault_of::<(Vec<i32>,)>("[{}]"),
    ];
    for fault in faults {
        assert_eq!(fault.code, PARAMS, "{fault}");
    }
}

// ---------------------------------------------------------------------------
// Faults never repeat the request.
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// JSON request objects that break the rules, and malformed responses.
// ---------------------------------------------------------------------------

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
