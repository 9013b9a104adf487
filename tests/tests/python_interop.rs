//! XML-RPC interoperability with CPython's `xmlrpc.client`, in both directions.
//!
//! The tests run the machine's `python3` (standard library only) on
//! `tests/python/xmlrpc_interop.py`:
//!
//! - diglot writes, Python reads: every document goes to Python in one
//!   batch; Python decodes it with `loads(…, use_builtin_types=True)`, compares
//!   it strictly (types, sign of zero, member order) with the expected value,
//!   and answers with a verdict per document.
//! - Python writes, diglot reads: Python `dumps` calls, responses and faults;
//!   the Rust side decodes them and asserts exact values.
//! - Rust → Python → Rust: a large nested value makes the round trip.
//!
//! `python3` missing is a failure, not a skip: CI installs it.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use diglot::xml::{self, Dialect, MethodCall};
use diglot::{Bytes, DateTime, Fault, Limits, Struct, Value};
use serde::{Deserialize, Serialize};
use serde_json::json;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Runs the helper script in `mode`, feeding it `stdin`, and parses its JSON answer.
fn python(mode: &str, stdin: &serde_json::Value) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/xmlrpc_interop.py");
    let mut child = match Command::new("python3")
        .arg(&script)
        .arg(mode)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => panic!(
            "python3 was not found on PATH. The XML-RPC interop tests need CPython 3 \
             (standard library only); install python3 to run them (CI installs it)."
        ),
        Err(e) => panic!("could not start python3: {e}"),
    };
    let input = serde_json::to_vec(stdin).expect("stdin serializes");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    // Write from another thread so that a large answer cannot deadlock the pipes.
    let writer = std::thread::spawn(move || pipe.write_all(&input));
    let output = child.wait_with_output().expect("python3 ran");
    writer
        .join()
        .expect("stdin writer thread")
        .expect("stdin written to python3");
    assert!(
        output.status.success(),
        "python3 {} {mode} failed ({}):\n{}",
        script.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "python3 {mode} printed something that is not JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// The value as the helper script's tagged JSON, from which Python builds
/// the object `loads` should return.
fn tagged(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => json!(["nil"]),
        Value::Bool(b) => json!(["bool", b]),
        Value::I32(n) => json!(["int", n]),
        Value::I64(n) => json!(["int", n]),
        // Rust's shortest round-trip text; Python's float() reads it exactly.
        Value::F64(f) => json!(["double", format!("{f:?}")]),
        Value::String(s) => json!(["str", s]),
        Value::DateTime(dt) => json!([
            "datetime",
            [
                dt.year(),
                dt.month(),
                dt.day(),
                dt.hour(),
                dt.minute(),
                dt.second()
            ]
        ]),
        Value::Bytes(b) => json!(["bytes", b.as_slice()]),
        Value::Array(items) => json!(["array", items.iter().map(tagged).collect::<Vec<_>>()]),
        Value::Struct(members) => json!([
            "struct",
            members
                .iter()
                .map(|(k, v)| json!([k, tagged(v)]))
                .collect::<Vec<_>>()
        ]),
    }
}

/// Strict equality: integer width as decoded, the sign of zero, and the order
/// of struct members all count (`Value`'s own `==` ignores the last two).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::F64(x), Value::F64(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        (Value::I32(_), Value::I64(_)) | (Value::I64(_), Value::I32(_)) => false,
        _ => a == b,
    }
}

#[track_caller]
fn assert_same(got: &Value, want: &Value, what: &str) {
    assert!(same(got, want), "{what}:\n  got  {got:?}\n  want {want:?}");
}

fn dt(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> DateTime {
    DateTime::new(y, mo, d, h, mi, s).expect("a valid date-time")
}

fn st<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Struct(members.into_iter().collect::<Struct>())
}

fn arr<const N: usize>(items: [Value; N]) -> Value {
    Value::Array(items.into())
}

fn s(text: &str) -> Value {
    Value::from(text)
}

/// The strings both directions exercise.
const STRINGS: &[(&str, &str)] = &[
    ("empty", ""),
    ("unicode", "héllo wörld 日本語"),
    ("emoji", "🦀 👍🏽 family: 👨‍👩‍👧"),
    ("markup", "<&>'\"]]> &amp; <![CDATA[x]]>"),
    ("cr", "\r"),
    ("crlf", "a\r\nb"),
    ("tabs", "\tx\ty\t"),
    ("spaces", "  lead and trail  "),
    ("newlines", "\n\n"),
    ("whitespace_only", " \t\r\n "),
    (
        "controls_xml_allows",
        "\u{7F}\u{85}\u{2028}\u{E000}\u{FFFD}\u{10FFFF}",
    ),
];

/// One value of every kind diglot writes, with names for the verdicts.
fn scalar_cases() -> Vec<(String, Value)> {
    let mut cases: Vec<(String, Value)> = vec![
        ("nil".into(), Value::Nil),
        ("true".into(), Value::Bool(true)),
        ("false".into(), Value::Bool(false)),
        ("int_zero".into(), Value::I32(0)),
        ("int_max".into(), Value::I32(i32::MAX)),
        ("int_min".into(), Value::I32(i32::MIN)),
        ("i8_past_int_max".into(), Value::I64(1 << 31)),
        ("i8_past_int_min".into(), Value::I64(-(1 << 31) - 1)),
        ("i8_max".into(), Value::I64(i64::MAX)),
        ("i8_min".into(), Value::I64(i64::MIN)),
        ("i64_small".into(), Value::I64(-7)),
        ("double_big".into(), Value::F64(1e300)),
        ("double_max".into(), Value::F64(f64::MAX)),
        ("double_neg_zero".into(), Value::F64(-0.0)),
        ("double_zero".into(), Value::F64(0.0)),
        ("double_fraction".into(), Value::F64(0.1)),
        ("double_third".into(), Value::F64(1.0 / 3.0)),
        ("double_small".into(), Value::F64(1.5e-300)),
        ("double_subnormal".into(), Value::F64(5e-324)),
        ("double_neg".into(), Value::F64(-2.5)),
        (
            "datetime".into(),
            Value::DateTime(dt(1998, 7, 17, 14, 8, 55)),
        ),
        ("datetime_min".into(), Value::DateTime(dt(1, 1, 1, 0, 0, 0))),
        (
            "datetime_year_7".into(),
            Value::DateTime(dt(7, 1, 2, 3, 4, 5)),
        ),
        (
            "datetime_leap_day".into(),
            Value::DateTime(dt(2024, 2, 29, 12, 0, 0)),
        ),
        (
            "datetime_max".into(),
            Value::DateTime(dt(9999, 12, 31, 23, 59, 59)),
        ),
        ("bytes_empty".into(), Value::Bytes(Bytes::default())),
        ("bytes_all".into(), Value::Bytes(Bytes((0..=255).collect()))),
        (
            "bytes_long".into(),
            Value::Bytes(Bytes((0..=255u8).cycle().take(5000).collect())),
        ),
        ("array_empty".into(), Value::Array(Vec::new())),
        ("struct_empty".into(), Value::Struct(Struct::new())),
    ];
    for (name, text) in STRINGS {
        cases.push((format!("str_{name}"), s(text)));
    }
    cases
}

/// A nested value with struct members out of alphabetical order.
fn nested() -> Value {
    st([
        ("zeta", Value::I32(1)),
        (
            "alpha",
            arr([
                Value::I32(1),
                s("two"),
                Value::F64(3.0),
                Value::Nil,
                Value::Bool(true),
                Value::I64(1 << 40),
            ]),
        ),
        (
            "mid",
            st([
                ("inner", Value::Struct(Struct::new())),
                ("list", Value::Array(Vec::new())),
                ("when", Value::DateTime(dt(2028, 7, 19, 13, 43, 20))),
                ("blob", Value::Bytes(Bytes(b"\x00\xff".to_vec()))),
                ("deeper", arr([arr([arr([st([("x", s("a\r\nb <&>"))])])])])),
            ]),
        ),
        ("", s("empty member name")),
        ("<&> ü \r", s("escaped member name")),
        ("b", Value::F64(-0.0)),
        ("a", Value::Bool(false)),
    ])
}

// ---------------------------------------------------------------------------
// Direction A: diglot writes, Python reads
// ---------------------------------------------------------------------------

/// A typed result, written through serde: Python must see the fields in
/// declaration order.
#[derive(Serialize)]
struct Order {
    id: u32,
    customer: String,
    lines: Vec<Line>,
    paid: bool,
    note: Option<String>,
    placed: DateTime,
    receipt: Bytes,
    total: f64,
    status: Status,
    big: i64,
}

#[derive(Serialize)]
struct Line {
    sku: &'static str,
    qty: u16,
}

#[derive(Serialize)]
enum Status {
    Shipped { carrier: String },
}

#[test]
fn python_reads_what_diglot_writes() {
    let mut cases = Vec::new();
    let mut response = |name: String, value: &Value, dialect: Dialect| {
        let mut doc = Vec::new();
        xml::write_response(&mut doc, value, dialect).expect("value writes");
        cases.push(json!({
            "name": name,
            "doc": String::from_utf8(doc).expect("UTF-8"),
            "method": null,
            "params": [tagged(value)],
        }));
    };

    for (name, value) in scalar_cases() {
        response(format!("response/{name}"), &value, Dialect::Standard);
    }
    response("response/nested".into(), &nested(), Dialect::Standard);
    for (name, value) in [
        ("nil", Value::Nil),
        ("i8", Value::I64(-(1 << 33))),
        ("nested", nested()),
    ] {
        response(format!("apache/{name}"), &value, Dialect::Apache);
    }

    // A call with every kind of parameter, in both dialects.
    let mut params: Vec<Value> = scalar_cases().into_iter().map(|(_, v)| v).collect();
    params.push(nested());
    for (dialect, method) in [
        (Dialect::Standard, "interop.echo"),
        (Dialect::Apache, "interop.ünïcode <&>"),
    ] {
        let mut doc = Vec::new();
        xml::write_call(&mut doc, method, &params, dialect).expect("call writes");
        cases.push(json!({
            "name": format!("call/{dialect:?}"),
            "doc": String::from_utf8(doc).expect("UTF-8"),
            "method": method,
            "params": params.iter().map(tagged).collect::<Vec<_>>(),
        }));
    }
    // A call without parameters.
    let mut doc = Vec::new();
    xml::write_call(&mut doc, "system.listMethods", &(), Dialect::Standard).unwrap();
    cases.push(json!({
        "name": "call/no_params",
        "doc": String::from_utf8(doc).unwrap(),
        "method": "system.listMethods",
        "params": [],
    }));

    // A serde-derived struct: fields in declaration order, an enum variant
    // as a one-member struct, None as nil.
    let order = Order {
        id: 3_000_000_000,
        customer: "Zoë <&>".into(),
        lines: vec![
            Line { sku: "A-1", qty: 2 },
            Line {
                sku: "B\r2",
                qty: 65535,
            },
        ],
        paid: true,
        note: None,
        placed: dt(2028, 7, 19, 13, 43, 20),
        receipt: Bytes(b"PDF\x00".to_vec()),
        total: 19.99,
        status: Status::Shipped {
            carrier: "🚚".into(),
        },
        big: i64::MIN,
    };
    let order_value = st([
        ("id", Value::I64(3_000_000_000)),
        ("customer", s("Zoë <&>")),
        (
            "lines",
            arr([
                st([("sku", s("A-1")), ("qty", Value::I32(2))]),
                st([("sku", s("B\r2")), ("qty", Value::I32(65535))]),
            ]),
        ),
        ("paid", Value::Bool(true)),
        ("note", Value::Nil),
        ("placed", Value::DateTime(dt(2028, 7, 19, 13, 43, 20))),
        ("receipt", Value::Bytes(Bytes(b"PDF\x00".to_vec()))),
        ("total", Value::F64(19.99)),
        ("status", st([("Shipped", st([("carrier", s("🚚"))]))])),
        ("big", Value::I64(i64::MIN)),
    ]);
    let mut doc = Vec::new();
    xml::write_response(&mut doc, &order, Dialect::Standard).unwrap();
    cases.push(json!({
        "name": "response/serde_struct",
        "doc": String::from_utf8(doc).unwrap(),
        "method": null,
        "params": [tagged(&order_value)],
    }));

    // Faults: Python's loads raises xmlrpc.client.Fault.
    let faults = [
        Fault::new(4, "Too many parameters"),
        Fault::method_not_found("no.such <&> ü"),
        Fault::new(-1, "line one\r\nline two\ttab 🦀"),
        Fault::new(i32::MIN, ""),
        Fault::new(7, "data is dropped").with_data(Value::I32(1)),
    ];
    for (i, fault) in faults.iter().enumerate() {
        for dialect in [Dialect::Standard, Dialect::Apache] {
            let mut doc = Vec::new();
            xml::write_fault(&mut doc, fault, dialect);
            cases.push(json!({
                "name": format!("fault/{i}/{dialect:?}"),
                "doc": String::from_utf8(doc).unwrap(),
                "fault": {"code": fault.code, "string": fault.message},
            }));
        }
    }
    // A fault message XML cannot carry is cleaned, not lost.
    let mut doc = Vec::new();
    xml::write_fault(
        &mut doc,
        &Fault::new(9, "bell\u{7} here"),
        Dialect::Standard,
    );
    cases.push(json!({
        "name": "fault/cleaned",
        "doc": String::from_utf8(doc).unwrap(),
        "fault": {"code": 9, "string": "bell\u{FFFD} here"},
    }));

    let count = cases.len();
    let verdicts = python("check", &serde_json::Value::Array(cases));
    let verdicts = verdicts.as_array().expect("a list of verdicts");
    assert_eq!(verdicts.len(), count, "one verdict per document");
    let failures: Vec<String> = verdicts
        .iter()
        .filter(|v| v["ok"] != json!(true))
        .map(|v| format!("{}: {}", v["name"], v["detail"]))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {count} documents were not read back by Python as written:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ---------------------------------------------------------------------------
// Direction B: Python writes, diglot reads
// ---------------------------------------------------------------------------

/// What each of the helper's named responses must decode to.
fn expected_response(name: &str) -> Value {
    let strings = |n: &str| s(STRINGS.iter().find(|(k, _)| *k == n).unwrap().1);
    match name {
        "nil" => Value::Nil,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "zero" => Value::I32(0),
        "int_max" => Value::I32(i32::MAX),
        "int_min" => Value::I32(i32::MIN),
        "double_big" => Value::F64(1e300),
        "double_neg_zero" => Value::F64(-0.0),
        "double_fraction" => Value::F64(0.1),
        "double_tiny" => Value::F64(5e-324),
        "double_neg" => Value::F64(-2.5),
        "double_integral" => Value::F64(3.0),
        "str_empty" => strings("empty"),
        "str_unicode" => s("héllo wörld 日本語"),
        "str_emoji" => s("🦀 👍🏽"),
        "str_markup" => s("<&>'\"]]>"),
        // Python writes \r raw, which XML reads as a line end (§2.11), as
        // Python's own reader does.
        "str_cr" => s("\n"),
        "str_crlf" => s("a\nb"),
        "str_tab" => s("\tx\t"),
        "str_spaces" => strings("spaces"),
        "str_newlines" => strings("newlines"),
        "datetime" => Value::DateTime(dt(1998, 7, 17, 14, 8, 55)),
        "datetime_min" => Value::DateTime(dt(1, 1, 1, 0, 0, 0)),
        "datetime_year_7" => Value::DateTime(dt(7, 1, 2, 3, 4, 5)),
        "datetime_max" => Value::DateTime(dt(9999, 12, 31, 23, 59, 59)),
        "xmlrpc_datetime" => Value::DateTime(dt(2028, 7, 19, 13, 43, 20)),
        "bytes_empty" => Value::Bytes(Bytes::default()),
        "bytes_all" => Value::Bytes(Bytes((0..=255).collect())),
        "bytes_long" => Value::Bytes(Bytes((0..=255u8).cycle().take(256 * 8).collect())),
        "binary" => Value::Bytes(Bytes(b"\x00\xffdiglot".to_vec())),
        "struct" => st([
            ("zeta", Value::I32(1)),
            (
                "alpha",
                arr([
                    Value::I32(1),
                    s("two"),
                    Value::F64(3.0),
                    Value::Nil,
                    Value::Bool(true),
                ]),
            ),
            (
                "mid",
                st([
                    ("inner", Value::Struct(Struct::new())),
                    ("list", Value::Array(Vec::new())),
                    ("when", Value::DateTime(dt(2028, 7, 19, 13, 43, 20))),
                ]),
            ),
            ("", s("empty name")),
            ("<&> ü", Value::Bytes(Bytes(vec![1]))),
        ]),
        "array" => arr([
            Value::Array(Vec::new()),
            arr([arr([Value::I32(1)])]),
            st([("k", s("v"))]),
            Value::Bytes(Bytes(b"x".to_vec())),
            arr([Value::Nil, Value::Bool(false)]),
        ]),
        other => panic!("the Python helper wrote a response `{other}` this test does not know"),
    }
}

#[derive(Debug, PartialEq, Deserialize)]
struct Point {
    x: i32,
    y: i64,
}

#[test]
fn diglot_reads_what_python_writes() {
    let written = python("write", &json!(null));
    let limits = Limits::default();

    // Responses, one value each, decoded as Value.
    let responses = written["responses"].as_array().expect("responses");
    assert_eq!(responses.len(), 32, "the helper's response list changed");
    for pair in responses {
        let name = pair[0].as_str().unwrap();
        let doc = pair[1].as_str().unwrap();
        let got = xml::decode_response::<Value>(doc.as_bytes(), &limits)
            .unwrap_or_else(|f| panic!("{name}: document refused: {f}\n{doc}"))
            .unwrap_or_else(|f| panic!("{name}: decoded as a fault: {f}"));
        assert_same(&got, &expected_response(name), name);
    }

    // A raw CR LF (Python does not escape \r) is a line end: LF.
    let crlf = responses.iter().find(|p| p[0] == "str_crlf").unwrap()[1]
        .as_str()
        .unwrap();
    assert!(
        crlf.contains("a\r\nb"),
        "Python wrote the \\r raw: {crlf:?}"
    );
    let text: String = xml::decode_response(crlf.as_bytes(), &limits)
        .unwrap()
        .unwrap();
    assert_eq!(text, "a\nb");

    // Typed parameters, one at a time.
    let call = written["call"].as_str().unwrap().as_bytes();
    let mut c = MethodCall::parse(call, &limits).expect("Python's call parses");
    assert_eq!(c.method_name(), "interop.typed");
    assert_eq!(c.next_param::<Option<i32>>().unwrap(), Some(None));
    assert_eq!(c.next_param::<bool>().unwrap(), Some(true));
    assert_eq!(c.next_param::<i32>().unwrap(), Some(i32::MAX));
    assert_eq!(c.next_param::<i64>().unwrap(), Some(-(1 << 31)));
    assert_eq!(c.next_param::<f64>().unwrap(), Some(1e300));
    let neg_zero: f64 = c.next_param().unwrap().unwrap();
    assert!(neg_zero == 0.0 && neg_zero.is_sign_negative(), "{neg_zero}");
    assert_eq!(
        c.next_param::<String>().unwrap().as_deref(),
        Some("a\nb <&> 🦀")
    );
    assert_eq!(
        c.next_param::<DateTime>().unwrap(),
        Some(dt(1998, 7, 17, 14, 8, 55))
    );
    assert_eq!(
        c.next_param::<Bytes>().unwrap(),
        Some(Bytes(b"\x00\xff".to_vec()))
    );
    let members: Value = c.next_param().unwrap().unwrap();
    assert_same(
        &members,
        &st([
            ("zeta", Value::I32(1)),
            ("alpha", s("a")),
            ("mid", arr([Value::F64(1.5)])),
        ]),
        "struct param keeps Python's member order",
    );
    assert_eq!(c.next_param::<Vec<u8>>().unwrap(), Some(vec![1, 2, 3]));
    assert_eq!(
        c.next_param::<Point>().unwrap(),
        Some(Point { x: -1, y: 2 })
    );
    assert_eq!(
        c.next_param::<DateTime>().unwrap(),
        Some(dt(7, 1, 2, 3, 4, 5))
    );
    assert_eq!(
        c.next_param::<Bytes>().unwrap(),
        Some(Bytes(b"diglot".to_vec()))
    );
    assert_eq!(c.next_param::<Value>().unwrap(), None, "14 parameters");
    c.finish().expect("the call ends properly");

    // The same call, all at once as Values.
    let mut c = MethodCall::parse(call, &limits).unwrap();
    let all: Vec<Value> = c.params().unwrap();
    c.finish().unwrap();
    assert_same(
        &Value::Array(all),
        &arr([
            Value::Nil,
            Value::Bool(true),
            Value::I32(i32::MAX),
            Value::I32(i32::MIN),
            Value::F64(1e300),
            Value::F64(-0.0),
            s("a\nb <&> 🦀"),
            Value::DateTime(dt(1998, 7, 17, 14, 8, 55)),
            Value::Bytes(Bytes(b"\x00\xff".to_vec())),
            st([
                ("zeta", Value::I32(1)),
                ("alpha", s("a")),
                ("mid", arr([Value::F64(1.5)])),
            ]),
            arr([Value::I32(1), Value::I32(2), Value::I32(3)]),
            st([("x", Value::I32(-1)), ("y", Value::I32(2))]),
            Value::DateTime(dt(7, 1, 2, 3, 4, 5)),
            Value::Bytes(Bytes(b"diglot".to_vec())),
        ]),
        "all parameters as Values",
    );

    // A call with no parameters (Python writes `<params>\n</params>`).
    let empty = written["empty_call"].as_str().unwrap().as_bytes();
    let mut c = MethodCall::parse(empty, &limits).unwrap();
    assert_eq!(c.method_name(), "system.listMethods");
    assert_eq!(c.next_param::<Value>().unwrap(), None);
    c.finish().unwrap();

    // Faults: the inner Err, with code and string as Python sent them.
    let faults = written["faults"].as_array().expect("faults");
    assert_eq!(faults.len(), 3);
    for f in faults {
        let code = i32::try_from(f[0].as_i64().unwrap()).unwrap();
        // Python writes the message's CR raw: a line end.
        let message = f[1].as_str().unwrap().replace("\r\n", "\n");
        let doc = f[2].as_str().unwrap();
        let outcome = xml::decode_response::<Value>(doc.as_bytes(), &limits)
            .unwrap_or_else(|e| panic!("fault document refused: {e}\n{doc}"));
        assert_eq!(outcome, Err(Fault::new(code, message)), "{doc}");
    }
}

// ---------------------------------------------------------------------------
// Rust → Python → Rust
// ---------------------------------------------------------------------------

/// A large nested value within what Python can write back: integers within
/// 32 bits (Python refuses to write larger ones) and years from 1.
fn large() -> Value {
    let mut top = Struct::new();
    for i in 0..60_i32 {
        let mut member = Struct::new();
        member.insert("index", i);
        member.insert("negative", -i * 1_000_003);
        member.insert("ratio", f64::from(i) / 7.0);
        member.insert("flag", i % 3 == 0);
        member.insert("label", format!("item {i} <&> ü\r\n🦀 \t"));
        member.insert(
            "when",
            dt(1 + (i as u16) * 160, 1 + (i % 12) as u8, 28, 23, 59, 59),
        );
        member.insert("blob", Bytes((0..i as u8 * 4).collect()));
        member.insert("none", Value::Nil);
        member.insert(
            "matrix",
            (0..(i % 5))
                .map(|r| (0..r).map(|c| Value::I32(r * c)).collect::<Value>())
                .collect::<Value>(),
        );
        // Descending names, so any sorting would show.
        top.insert(format!("m{:03}", 999 - i), member);
    }
    let mut chain = Value::from("bottom");
    for depth in 0..20 {
        chain = if depth % 2 == 0 {
            arr([chain, Value::I32(depth)])
        } else {
            st([("next", chain), ("depth", Value::I32(depth))])
        };
    }
    top.insert("chain", chain);
    top.insert("nested", nested());
    top.insert(
        "extremes",
        arr([
            Value::I32(i32::MIN),
            Value::I32(i32::MAX),
            Value::F64(f64::MAX),
            Value::F64(-f64::MIN_POSITIVE),
            Value::F64(5e-324),
            Value::F64(-0.0),
        ]),
    );
    Value::Struct(top)
}

/// `nested()` carries an `i8`; Python cannot write that back.
fn without_i64(v: Value) -> Value {
    match v {
        Value::I64(n) => Value::I32(i32::try_from(n).unwrap_or(i32::MAX)),
        Value::Array(items) => Value::Array(items.into_iter().map(without_i64).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .into_iter()
                .map(|(k, v)| (k, without_i64(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `v` as it comes back through Python: Python writes a CR raw, which XML
/// reads as a line end, so every CRLF and lone CR in text comes back as LF.
fn with_python_line_ends(v: Value) -> Value {
    let lf = |text: String| text.replace("\r\n", "\n").replace('\r', "\n");
    match v {
        Value::String(text) => Value::String(lf(text)),
        Value::Array(items) => Value::Array(items.into_iter().map(with_python_line_ends).collect()),
        Value::Struct(members) => Value::Struct(
            members
                .into_iter()
                .map(|(k, v)| (lf(k), with_python_line_ends(v)))
                .collect(),
        ),
        other => other,
    }
}

#[test]
fn large_value_survives_rust_python_rust() {
    let value = without_i64(large());
    let mut docs = Vec::new();
    for dialect in [Dialect::Standard, Dialect::Apache] {
        let mut doc = Vec::new();
        xml::write_response(&mut doc, &value, dialect).unwrap();
        docs.push(String::from_utf8(doc).unwrap());
    }
    // A call's parameters, answered as a multi-value response by Python.
    let echoed = python("echo", &json!(docs));
    let echoed = echoed.as_array().expect("a list of documents");
    assert_eq!(echoed.len(), 2);
    for (doc, dialect) in echoed.iter().zip(["standard", "apache"]) {
        let doc = doc.as_str().unwrap();
        let back = xml::decode_response::<Value>(doc.as_bytes(), &Limits::default())
            .unwrap_or_else(|e| panic!("{dialect}: Python's document refused: {e}"))
            .unwrap_or_else(|e| panic!("{dialect}: decoded as a fault: {e}"));
        assert_same(&back, &with_python_line_ends(value.clone()), dialect);
    }
}
